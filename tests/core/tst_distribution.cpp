#include "quantscope/distribution.h"
#include "quantscope/errors.h"
#include "quantscope/histogram.h"

#include <QtTest>

#include <algorithm>
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
        case 1:
            v = std::numeric_limits<float>::quiet_NaN();
            break;
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

QTEST_APPLESS_MAIN(TestDistribution)
#include "tst_distribution.moc"
