#include "quantscope/metrics.h"
#include "quantscope/scheme.h"
#include "quantscope/schemes/linear.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace quantscope;

namespace {

// The exact metrics and a long-double direct pass agree to rounding of the direct pass.
constexpr double kRelativeTolerance = 1e-9;

// The level a value maps to, independent of Codebook::levelIndex's binary search: the integer
// arithmetic for linear codebooks, a linear scan of the thresholds for others.
std::size_t scanLevel(const Codebook& codebook, float x)
{
    if (codebook.linear) {
        return std::size_t(linearCode(x, *codebook.linear) - codebook.linear->qmin);
    }
    std::size_t k = 0;
    while (k < codebook.thresholds.size() && x >= codebook.thresholds[k]) {
        ++k;
    }
    return k;
}

struct DirectMetrics {
    long double sse = 0, signal = 0, errorSum = 0, maxAbs = 0;
    double entropy = 0, clipped = 0;
    int used = 0;
    std::int64_t count = 0;
};

DirectMetrics directPass(const std::vector<float>& values, const Codebook& codebook)
{
    DirectMetrics d;
    std::vector<std::int64_t> usage(codebook.levels.size());
    std::int64_t clipped = 0;
    for (float v : values) {
        if (!std::isfinite(v)) {
            continue;
        }
        const std::size_t k = scanLevel(codebook, v);
        const long double error = (long double)codebook.levels[k] - v;
        d.sse += error * error;
        d.errorSum += error;
        d.signal += (long double)v * v;
        d.maxAbs = std::max(d.maxAbs, std::abs(error));
        ++usage[k];
        ++d.count;
        // Overload region: beyond an outer level by more than its inner half-cell.
        const bool single = codebook.thresholds.empty();
        const double low = single ? codebook.levels.front()
                                  : 2 * codebook.levels.front() - codebook.thresholds.front();
        const double high = single ? codebook.levels.back()
                                   : 2 * codebook.levels.back() - codebook.thresholds.back();
        clipped += v < low || v > high;
    }
    for (std::int64_t c : usage) {
        if (c > 0) {
            const double p = double(c) / double(d.count);
            d.entropy -= p * std::log2(p);
            ++d.used;
        }
    }
    d.clipped = double(clipped) / double(d.count);
    return d;
}

bool close(double actual, long double expected, double tolerance = kRelativeTolerance)
{
    return std::abs((long double)actual - expected) <=
           tolerance * std::max<long double>(std::abs(expected), 1e-300L);
}

std::vector<float> testData(const QString& kind, std::size_t n)
{
    std::mt19937 rng(42);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> values(n);
    for (std::size_t i = 0; i < n; ++i) {
        float v = normal(rng);
        if (kind == "relu") {
            v = std::max(0.0f, v);
        } else if (kind == "offset") {
            v = 1000.0f + 0.01f * v; // far from 0: the expansion S2 − 2rS1 + r²n cancels hard
        } else if (kind == "grid") {
            v = std::round(v * 8.0f) / 8.0f; // ties at thresholds
        }
        values[i] = (i % 97 == 0) ? NAN : v;
    }
    return values;
}

} // namespace

class TestMetrics : public QObject {
    Q_OBJECT

private slots:
    void exactAgainstDirectPass_data();
    void exactAgainstDirectPass();
    void handMadeCodebook();
    void zeroErrorHasNoSqnr();
};

void TestMetrics::exactAgainstDirectPass_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<int>("bits");
    for (const char* kind : {"gaussian", "relu", "offset", "grid"}) {
        for (const char* scheme : {"symmetric", "asymmetric"}) {
            for (int bits : {1, 2, 4, 8, 12, 16}) {
                QTest::newRow(qPrintable(QString("%1/%2/%3").arg(kind, scheme).arg(bits)))
                    << QString(kind) << QString(scheme) << bits;
            }
        }
    }
}

void TestMetrics::exactAgainstDirectPass()
{
    QFETCH(QString, kind);
    QFETCH(QString, scheme);
    QFETCH(int, bits);
    const std::vector<float> values = testData(kind, 20000);
    const Distribution dist(values);
    const Codebook codebook = schemeById(scheme.toStdString()).design(dist, {{"bits", bits}});
    const Metrics m = computeMetrics(dist, codebook);
    const DirectMetrics d = directPass(values, codebook);

    QCOMPARE(m.count, d.count);
    QVERIFY2(close(m.mse, d.sse / d.count),
             qPrintable(QString("mse %1 vs %2").arg(m.mse).arg(double(d.sse / d.count))));
    QVERIFY(close(m.rmse, std::sqrt(d.sse / d.count)));
    QVERIFY(close(m.maxAbsError, d.maxAbs));
    // The bias is a difference of nearly equal sums: compare on the scale of the mean |error|.
    QVERIFY(std::abs(m.meanError - double(d.errorSum / d.count)) <=
            kRelativeTolerance * std::sqrt(double(d.sse / d.count)) + 1e-300);
    QVERIFY(close(m.entropyBits, d.entropy) || (m.entropyBits == 0 && d.entropy == 0));
    QCOMPARE(m.clippedFraction, d.clipped);
    QCOMPARE(m.levelsUsed, d.used);
    if (d.sse > 0) {
        QVERIFY(m.sqnrDb.has_value());
        QVERIFY(close(*m.sqnrDb, 10.0L * std::log10(d.signal / d.sse)));
    }
}

void TestMetrics::handMadeCodebook()
{
    // Levels {−1, 0, 2}, thresholds {−0.5, 1}; values −2, −0.5, 0.25, 1, 3.
    // Q: −1, 0, 0, 2, 2; errors 1, 0.5, −0.25, 1, −1.
    const Codebook codebook = makeCodebook({-1.0, 0.0, 2.0}, {-0.5, 1.0});
    const Distribution dist(std::vector<float>{-2.0f, -0.5f, 0.25f, 1.0f, 3.0f});
    const Metrics m = computeMetrics(dist, codebook);
    constexpr double kExact = 1e-15;
    const double sse = 1 + 0.25 + 0.0625 + 1 + 1;
    QVERIFY(std::abs(m.mse - sse / 5) < kExact);
    QVERIFY(std::abs(m.meanError - (1 + 0.5 - 0.25 + 1 - 1) / 5.0) < kExact);
    QCOMPARE(m.maxAbsError, 1.0);
    QCOMPARE(m.levelsUsed, 3);
    // Granular range [−1 − 0.5, 2 + 1]: only −2 lies beyond it (3 is on its edge).
    QCOMPARE(m.clippedFraction, 1.0 / 5.0);
    const double p1 = 0.2, p2 = 0.4, p3 = 0.4;
    QVERIFY(std::abs(m.entropyBits + p1 * std::log2(p1) + p2 * std::log2(p2) + p3 * std::log2(p3)) <
            kExact);
    const double signal = 4 + 0.25 + 0.0625 + 1 + 9;
    QVERIFY(std::abs(*m.sqnrDb - 10 * std::log10(signal / sse)) < 1e-12);
    const std::vector<LevelStats> levels = levelStats(dist, codebook);
    QCOMPARE(levels[0].count, std::int64_t(1));
    QCOMPARE(levels[1].minValue, -0.5);
    QCOMPARE(levels[1].maxValue, 0.25);
    QCOMPARE(levels[2].count, std::int64_t(2));
}

void TestMetrics::zeroErrorHasNoSqnr()
{
    const Codebook codebook = makeCodebook({0.0, 1.0}, {0.5});
    const Distribution dist(std::vector<float>{0.0f, 1.0f, 1.0f});
    const Metrics m = computeMetrics(dist, codebook);
    QCOMPARE(m.mse, 0.0);
    QVERIFY(!m.sqnrDb.has_value());
    const Metrics empty = computeMetrics(Distribution(std::vector<float>{}), codebook);
    QCOMPARE(empty.count, std::int64_t(0));
    QVERIFY(!empty.sqnrDb.has_value());
}

QTEST_APPLESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
