#include "quantscope/distribution.h"
#include "quantscope/errors.h"
#include "quantscope/histogram.h"

#include <QtTest>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <random>

using namespace quantscope;

namespace {

// Sums over a range differ from a long-double brute force only by rounding of the brute force.
constexpr double kRelativeSumTolerance = 1e-12;

std::vector<float> mixedData(std::size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 3.0f);
    std::uniform_int_distribution<int> pick(0, 19);
    std::vector<float> values(n);
    for (float& v : values) {
        switch (pick(rng)) {
        case 0:
            v = 0.0f;
            break;
        case 1: { // NaNs of either sign, quiet or signalling, with any payload
            const std::uint32_t sign = (rng() & 1) ? 0x80000000u : 0u;
            const std::uint32_t payload = 1u + std::uint32_t(rng()) % 0x7FFFFFu;
            v = std::bit_cast<float>(sign | 0x7F800000u | payload);
            break;
        }
        case 2:
            v = (rng() & 1) ? std::numeric_limits<float>::infinity()
                            : -std::numeric_limits<float>::infinity();
            break;
        case 3:
            v = std::round(normal(rng) * 4.0f) / 4.0f; // many exact duplicates
            break;
        default:
            v = normal(rng);
        }
    }
    return values;
}

struct BruteStats {
    std::int64_t count = 0;
    long double sum = 0;
    long double sumSquares = 0;
};

BruteStats bruteRange(const std::vector<float>& values, double a, double b)
{
    BruteStats s;
    for (float v : values) {
        if (std::isfinite(v) && v >= a && v < b) {
            ++s.count;
            s.sum += v;
            s.sumSquares += (long double)v * v;
        }
    }
    return s;
}

// Bit patterns of the finite values, sorted ascending with -0 before +0 (the Distribution's
// order), for an exact comparison.
std::vector<std::uint32_t> referenceOrder(const std::vector<float>& values)
{
    std::vector<float> finite;
    std::copy_if(values.begin(), values.end(), std::back_inserter(finite),
                 [](float v) { return std::isfinite(v); });
    std::sort(finite.begin(), finite.end(), [](float a, float b) {
        return a < b || (a == b && std::signbit(a) && !std::signbit(b));
    });
    std::vector<std::uint32_t> bits(finite.size());
    std::transform(finite.begin(), finite.end(), bits.begin(),
                   [](float v) { return std::bit_cast<std::uint32_t>(v); });
    return bits;
}

std::vector<std::uint32_t> sortedBits(const Distribution& dist)
{
    std::vector<std::uint32_t> bits(dist.sorted().size());
    std::transform(dist.sorted().begin(), dist.sorted().end(), bits.begin(),
                   [](float v) { return std::bit_cast<std::uint32_t>(v); });
    return bits;
}

// Inputs that exercise the bucketed parallel sort: the kinds of values a tensor holds.
enum class Pattern { Mixed, FewDistinct, Constant, Extremes, NonFinite };

std::vector<float> patterned(std::size_t n, Pattern pattern, unsigned seed)
{
    constexpr float kMax = std::numeric_limits<float>::max();
    constexpr float kDenormal = std::numeric_limits<float>::denorm_min();
    std::mt19937 rng(seed);
    std::vector<float> values(n);
    switch (pattern) {
    case Pattern::Mixed:
        return mixedData(n, seed);
    case Pattern::FewDistinct: {
        // Long runs of equal values, zeros of both signs among them (a ReLU-like tensor).
        const float choices[] = {0.0f, -0.0f, 0.0f, 1.5f, -2.25f, 1e-3f};
        std::uniform_int_distribution<int> pick(0, 5);
        for (float& v : values) {
            v = choices[pick(rng)];
        }
        return values;
    }
    case Pattern::Constant:
        std::fill(values.begin(), values.end(), 0.75f);
        return values;
    case Pattern::Extremes: {
        const float choices[] = {kMax,   -kMax,   kDenormal,     -kDenormal,
                                 0.0f,   -0.0f,   1.0f,          -1.0f,
                                 1e-38f, -1e-38f, 2 * kDenormal, std::numeric_limits<float>::min()};
        // Three in four from the list, the rest spread over thirty decades.
        std::uniform_int_distribution<int> pick(0, 15);
        std::normal_distribution<float> normal(0.0f, 1e30f);
        for (float& v : values) {
            const int kind = pick(rng);
            v = kind < 12 ? choices[kind] : normal(rng);
        }
        return values;
    }
    case Pattern::NonFinite:
        for (std::size_t i = 0; i < n; ++i) {
            values[i] = i % 3 == 0 ? std::numeric_limits<float>::quiet_NaN()
                                   : (i % 3 == 1 ? INFINITY : -INFINITY);
        }
        return values;
    }
    return values;
}

bool closeRelative(double actual, long double expected, double tolerance)
{
    const long double scale = std::max<long double>(1.0L, std::abs(expected));
    return std::abs((long double)actual - expected) <= tolerance * scale;
}

} // namespace

class TestDistribution : public QObject {
    Q_OBJECT

private slots:
    void sortedMatchesStdSort_data();
    void sortedMatchesStdSort();
    void rangeStatsMatchesBruteForce_data();
    void rangeStatsMatchesBruteForce();
    void summaryStatistics();
    void histogramCountsEveryValue();
    void quantileNearestRank();
    void radixSortOrdersSpecialValues();
    void emptyAndSingle();
    void cancelStopsBuild();
    void smallRangeKeepsPrecision();
    void largeInputsMatchBruteForce_data();
    void largeInputsMatchBruteForce();
    void signedZerosInOrder();
    void progressRisesToOne();
};

void TestDistribution::sortedMatchesStdSort_data()
{
    QTest::addColumn<int>("n");
    for (int n : {0, 1, 2, 63, 64, 65, 1000, 200000}) {
        QTest::newRow(qPrintable(QString("n=%1").arg(n))) << n;
    }
}

void TestDistribution::sortedMatchesStdSort()
{
    QFETCH(int, n);
    const std::vector<float> values = mixedData(n, 7 + n);
    Distribution dist(values);
    std::vector<float> finite;
    std::copy_if(values.begin(), values.end(), std::back_inserter(finite),
                 [](float v) { return std::isfinite(v); });
    std::sort(finite.begin(), finite.end());
    QCOMPARE(dist.count(), std::int64_t(finite.size()));
    QCOMPARE(dist.nonFiniteCount(), std::int64_t(values.size() - finite.size()));
    QVERIFY(std::equal(finite.begin(), finite.end(), dist.sorted().begin()));
}

void TestDistribution::rangeStatsMatchesBruteForce_data()
{
    QTest::addColumn<int>("n");
    QTest::addColumn<unsigned>("seed");
    QTest::newRow("tiny") << 10 << 1u;
    QTest::newRow("one block") << 64 << 2u;
    QTest::newRow("blocks+tail") << 1000 << 3u;
    QTest::newRow("large") << 100000 << 4u;
}

void TestDistribution::rangeStatsMatchesBruteForce()
{
    QFETCH(int, n);
    QFETCH(unsigned, seed);
    const std::vector<float> values = mixedData(n, seed);
    Distribution dist(values);
    std::mt19937 rng(seed * 31);
    std::uniform_real_distribution<double> bound(-12.0, 12.0);
    std::uniform_int_distribution<std::int64_t> index(0,
                                                      std::max<std::int64_t>(0, dist.count() - 1));
    for (int trial = 0; trial < 200; ++trial) {
        double a = bound(rng);
        double b = bound(rng);
        if (trial % 3 == 0 && !dist.empty()) {
            // Bounds exactly on data values: half-open semantics must hold on ties.
            a = dist.sorted()[index(rng)];
            b = dist.sorted()[index(rng)];
        }
        if (a > b) {
            std::swap(a, b);
        }
        const RangeStats got = dist.rangeStats(a, b);
        const BruteStats want = bruteRange(values, a, b);
        QCOMPARE(got.count, want.count);
        QVERIFY2(closeRelative(got.sum.value(), want.sum, kRelativeSumTolerance),
                 qPrintable(QString("sum %1 vs %2").arg(got.sum.value()).arg(double(want.sum))));
        QVERIFY(closeRelative(got.sumSquares.value(), want.sumSquares, kRelativeSumTolerance));
    }
    const BruteStats all = bruteRange(values, -INFINITY, INFINITY);
    QCOMPARE(dist.rangeStats(-INFINITY, INFINITY).count, all.count);
    QCOMPARE(dist.rangeStats(1.0, 1.0).count, std::int64_t(0));
    QCOMPARE(dist.rangeStats(2.0, 1.0).count, std::int64_t(0));
}

void TestDistribution::summaryStatistics()
{
    const std::vector<float> values = {-2.0f, 4.0f, 1.0f, NAN, 1.0f, INFINITY};
    Distribution dist(values);
    // Finite values -2, 1, 1, 4: mean 1, population variance (9 + 0 + 0 + 9) / 4 = 4.5.
    constexpr double kTolerance = 1e-15;
    QCOMPARE(dist.count(), std::int64_t(4));
    QCOMPARE(dist.nonFiniteCount(), std::int64_t(2));
    QCOMPARE(dist.min(), -2.0f);
    QCOMPARE(dist.max(), 4.0f);
    QCOMPARE(dist.maxAbs(), 4.0);
    QVERIFY(std::abs(dist.mean() - 1.0) < kTolerance);
    QVERIFY(std::abs(dist.stddev() - std::sqrt(4.5)) < kTolerance);
    QCOMPARE(dist.lowerIndex(1.0), std::int64_t(1));
    QCOMPARE(dist.upperIndex(1.0), std::int64_t(3));
}

void TestDistribution::histogramCountsEveryValue()
{
    const std::vector<float> values = mixedData(50000, 11);
    Distribution dist(values);
    const Histogram h = uniformHistogram(dist, 37, dist.min(), dist.max());
    std::int64_t total = 0;
    for (std::size_t i = 0; i < h.counts.size(); ++i) {
        const bool last = i + 1 == h.counts.size();
        std::int64_t brute = 0;
        for (float v : values) {
            if (std::isfinite(v) && v >= h.edges[i] &&
                (last ? v <= h.edges[i + 1] : v < h.edges[i + 1])) {
                ++brute;
            }
        }
        QCOMPARE(h.counts[i], brute);
        total += h.counts[i];
    }
    QCOMPARE(total, dist.count());
    const Histogram automatic = autoHistogram(dist);
    QVERIFY(automatic.counts.size() >= 16 && automatic.counts.size() <= 2048);
}

void TestDistribution::quantileNearestRank()
{
    Distribution dist(std::vector<float>{5, 1, 4, 2, 3});
    QCOMPARE(dist.quantile(0.0), 1.0f);
    QCOMPARE(dist.quantile(0.2), 1.0f);
    QCOMPARE(dist.quantile(0.5), 3.0f);
    QCOMPARE(dist.quantile(0.81), 5.0f);
    QCOMPARE(dist.quantile(1.0), 5.0f);
}

void TestDistribution::radixSortOrdersSpecialValues()
{
    const float denormal = std::numeric_limits<float>::denorm_min();
    const float big = std::numeric_limits<float>::max();
    std::vector<float> values = {0.0f, -0.0f, denormal, -denormal, big, -big, 1.0f, -1.0f, 1e-30f};
    Distribution dist(values);
    std::sort(values.begin(), values.end());
    QVERIFY(std::equal(values.begin(), values.end(), dist.sorted().begin()));
    QCOMPARE(dist.sorted().front(), -big);
    QCOMPARE(dist.sorted().back(), big);
}

void TestDistribution::emptyAndSingle()
{
    Distribution empty(std::vector<float>{NAN, INFINITY});
    QVERIFY(empty.empty());
    QCOMPARE(empty.nonFiniteCount(), std::int64_t(2));
    QCOMPARE(empty.mean(), 0.0);
    QCOMPARE(empty.stddev(), 0.0);
    QCOMPARE(empty.rangeStats(-1, 1).count, std::int64_t(0));
    QCOMPARE(autoHistogram(empty).counts.size(), std::size_t(1));

    Distribution single(std::vector<float>{2.5f});
    QCOMPARE(single.mean(), 2.5);
    QCOMPARE(single.stddev(), 0.0);
    const Histogram h = autoHistogram(single);
    QCOMPARE(std::accumulate(h.counts.begin(), h.counts.end(), std::int64_t(0)), std::int64_t(1));
}

void TestDistribution::cancelStopsBuild()
{
    const std::vector<float> values = mixedData(100000, 5);
    QVERIFY_THROWS_EXCEPTION(Cancelled, Distribution(values, [](double) { return false; }));
    double last = 0.0;
    Distribution dist(values, [&](double f) {
        last = f;
        return true;
    });
    QCOMPARE(last, 1.0);
}

void TestDistribution::smallRangeKeepsPrecision()
{
    // 10^6 values near 1000 with a spread of 1e-3: the range sum of squares around a few values
    // must not drown in the cancellation of prefix sums of size ~10^12.
    std::vector<float> values(1000000);
    for (std::size_t i = 0; i < values.size(); ++i) {
        values[i] = 1000.0f + float(i % 1000) * 1e-6f;
    }
    Distribution dist(values);
    const double lo = dist.sorted()[500000];
    const double hi = dist.sorted()[500000 + 5000];
    const RangeStats got = dist.rangeStats(lo, hi);
    const BruteStats want = bruteRange(values, lo, hi);
    QCOMPARE(got.count, want.count);
    constexpr double kCancellationTolerance = 1e-15;
    QVERIFY(closeRelative(got.sumSquares.value(), want.sumSquares, kCancellationTolerance));
}

void TestDistribution::largeInputsMatchBruteForce_data()
{
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("pattern");
    // Around the size where the sort turns parallel (2^17), its chunk size (2^18) and bucket
    // size (2^17), and a few million values (many buckets, several chunks per thread).
    const int sizes[] = {131071, 131072, 131073, 262143, 262144, 262145, 1048593, 3000001};
    const char* names[] = {"mixed", "few distinct", "constant", "extremes", "non-finite"};
    for (int n : sizes) {
        for (int pattern = 0; pattern < 5; ++pattern) {
            QTest::addRow("%s n=%d", names[pattern], n) << n << pattern;
        }
    }
}

void TestDistribution::largeInputsMatchBruteForce()
{
    QFETCH(int, n);
    QFETCH(int, pattern);
    const std::vector<float> values = patterned(n, Pattern(pattern), 100 + n);
    const Distribution dist(values);
    const std::vector<std::uint32_t> expected = referenceOrder(values);
    QCOMPARE(dist.count(), std::int64_t(expected.size()));
    QCOMPARE(dist.nonFiniteCount(), std::int64_t(values.size() - expected.size()));
    QVERIFY(sortedBits(dist) == expected);

    // Prefix sums at block edges and inside blocks, against a long-double running sum.
    long double sum = 0;
    long double squares = 0;
    std::int64_t checked = 0;
    const std::int64_t step = std::max<std::int64_t>(1, dist.count() / 97);
    for (std::int64_t i = 0; i <= dist.count(); ++i) {
        if (i % step == 0 || i % Distribution::kBlockSize == 0 || i == dist.count()) {
            QVERIFY2(closeRelative(dist.prefixSum(i).value(), sum, kRelativeSumTolerance),
                     qPrintable(QString("sum at %1").arg(i)));
            QVERIFY(
                closeRelative(dist.prefixSumSquares(i).value(), squares, kRelativeSumTolerance));
            ++checked;
        }
        if (i < dist.count()) {
            const long double x = dist.sorted()[i];
            sum += x;
            squares += x * x;
        }
    }
    QVERIFY(checked > 0);
}

void TestDistribution::signedZerosInOrder()
{
    // Zeros of both signs mixed with values on both sides, in a large input (bucketed sort) and
    // a small one (one sort).
    for (std::size_t n : {std::size_t(1000), std::size_t(400000)}) {
        std::vector<float> values(n);
        for (std::size_t i = 0; i < n; ++i) {
            values[i] = i % 4 == 0 ? -0.0f : (i % 4 == 1 ? 0.0f : (i % 4 == 2 ? 1e-40f : -1e-40f));
        }
        const Distribution dist(values);
        const auto zeros = dist.sorted().subspan(n / 4, n / 2);
        QVERIFY(std::all_of(zeros.begin(), zeros.begin() + n / 4,
                            [](float z) { return z == 0.0f && std::signbit(z); }));
        QVERIFY(std::all_of(zeros.begin() + n / 4, zeros.end(),
                            [](float z) { return z == 0.0f && !std::signbit(z); }));
    }
}

void TestDistribution::progressRisesToOne()
{
    const std::vector<float> values = mixedData(2000000, 9);
    std::vector<double> reported;
    const Distribution dist(values, [&](double f) {
        reported.push_back(f);
        return true;
    });
    QVERIFY(reported.size() > 3);
    QVERIFY(std::is_sorted(reported.begin(), reported.end()));
    QCOMPARE(reported.back(), 1.0);
    // A cancel in the middle of the parallel passes stops the build.
    int calls = 0;
    QVERIFY_THROWS_EXCEPTION(Cancelled, Distribution(values, [&](double) { return ++calls < 3; }));
}

QTEST_APPLESS_MAIN(TestDistribution)
#include "tst_distribution.moc"
