#include "quantscope/errors.h"
#include "quantscope/scheme.h"
#include "quantscope/schemes/normal_float.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace quantscope;

namespace {

// Acklam's approximation alone is good to ~1e-9; after the Halley step the quantile must match
// tabulated values to rounding.
constexpr double kQuantileTolerance = 1e-12;
// The published NF4 table was computed with float32 linspace and stored as float32.
constexpr double kNf4Tolerance = 1e-6;
// Quantiles computed all in double differ from the float32 pipeline by ~1e-7.
constexpr double kDoublePathTolerance = 1e-6;

// bitsandbytes.functional.create_normal_map() (QLoRA's NF4), as published.
const std::vector<double> kPublishedNf4 = {-1.0,
                                           -0.6961928009986877,
                                           -0.5250730514526367,
                                           -0.39491748809814453,
                                           -0.28444138169288635,
                                           -0.18477343022823334,
                                           -0.09105003625154495,
                                           0.0,
                                           0.07958029955625534,
                                           0.16093020141124725,
                                           0.24611230194568634,
                                           0.33791524171829224,
                                           0.44070982933044434,
                                           0.5626170039176941,
                                           0.7229568362236023,
                                           1.0};

// The level nearest to x by a linear scan, a tie going to the upper level.
int nearestLevel(const std::vector<double>& levels, double x)
{
    int best = 0;
    for (int k = 1; k < int(levels.size()); ++k) {
        if (std::abs(x - levels[k]) <= std::abs(x - levels[best])) {
            best = k;
        }
    }
    return best;
}

} // namespace

class TestNormalFloat : public QObject {
    Q_OBJECT

private slots:
    void inverseNormalCdfKnownValues_data();
    void inverseNormalCdfKnownValues();
    void inverseNormalCdfEdges();
    void reproducesPublishedNf4();
    void valuesAtEveryBitWidth();
    void codebookIsAbsmaxScaledNearestLevel();
    void degenerateInputs();
};

void TestNormalFloat::inverseNormalCdfKnownValues_data()
{
    QTest::addColumn<double>("p");
    QTest::addColumn<double>("quantile");
    // Standard normal table values (Abramowitz & Stegun 26.2, to 16 digits).
    QTest::newRow("0.975") << 0.975 << 1.959963984540054;
    QTest::newRow("0.025") << 0.025 << -1.959963984540054;
    QTest::newRow("0.5") << 0.5 << 0.0;
    QTest::newRow("0.99") << 0.99 << 2.326347874040841;
    QTest::newRow("0.999") << 0.999 << 3.090232306167814;
    QTest::newRow("Phi(1)") << 0.8413447460685429 << 1.0;
    QTest::newRow("0.3 (central)") << 0.3 << -0.5244005127080407;
    QTest::newRow("tail start 0.02425") << 0.02425 << -1.972961051311885;
    QTest::newRow("1e-10 (far tail)") << 1e-10 << -6.361340902404056;
}

void TestNormalFloat::inverseNormalCdfKnownValues()
{
    QFETCH(double, p);
    QFETCH(double, quantile);
    const double got = inverseNormalCdf(p);
    QVERIFY2(std::abs(got - quantile) <= kQuantileTolerance * std::max(1.0, std::abs(quantile)),
             qPrintable(QString("Φ⁻¹(%1) = %2, expected %3")
                            .arg(p, 0, 'g', 17)
                            .arg(got, 0, 'g', 17)
                            .arg(quantile, 0, 'g', 17)));
}

void TestNormalFloat::inverseNormalCdfEdges()
{
    QCOMPARE(inverseNormalCdf(0.0), -INFINITY);
    QCOMPARE(inverseNormalCdf(1.0), INFINITY);
    QCOMPARE(inverseNormalCdf(-0.5), -INFINITY);
    QVERIFY(std::isnan(inverseNormalCdf(NAN)));
    // Φ⁻¹(1 − p) = −Φ⁻¹(p) exactly: the upper half is the mirrored lower half.
    QCOMPARE(inverseNormalCdf(0.75), -inverseNormalCdf(0.25));
    QVERIFY(std::isfinite(inverseNormalCdf(1e-300)));
}

void TestNormalFloat::reproducesPublishedNf4()
{
    const std::vector<double> values = normalFloatValues(4);
    QCOMPARE(values.size(), kPublishedNf4.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        QVERIFY2(std::abs(values[i] - kPublishedNf4[i]) <= kNf4Tolerance,
                 qPrintable(QString("NF4[%1] = %2, published %3")
                                .arg(i)
                                .arg(values[i], 0, 'g', 17)
                                .arg(kPublishedNf4[i], 0, 'g', 17)));
        // Built in float32 as bitsandbytes does, the table is reproduced exactly.
        QCOMPARE(values[i], kPublishedNf4[i]);
    }
}

void TestNormalFloat::valuesAtEveryBitWidth()
{
    for (int bits = 2; bits <= 8; ++bits) {
        const std::vector<double> values = normalFloatValues(bits);
        QCOMPARE(int(values.size()), 1 << bits);
        // A straightforward double-precision construction of the same quantiles.
        const int half = 1 << (bits - 1);
        const double largest = inverseNormalCdf(kNormalFloatOffset);
        auto quantileAt = [&](int i, int points) {
            return inverseNormalCdf(kNormalFloatOffset +
                                    (0.5 - kNormalFloatOffset) * i / (points - 1)) /
                   largest;
        };
        for (int i = 0; i < half; ++i) {
            QVERIFY(std::abs(values[(1 << bits) - 1 - i] - quantileAt(i, half + 1)) <=
                    kDoublePathTolerance);
        }
        for (int i = 0; i + 1 < half; ++i) {
            QVERIFY(std::abs(values[i] + quantileAt(i, half)) <= kDoublePathTolerance);
        }
        QCOMPARE(values.front(), -1.0);
        QCOMPARE(values.back(), 1.0);
        // 2^(b−1) − 1 negative values, then the exact zero.
        QCOMPARE(values[(1 << (bits - 1)) - 1], 0.0);
        for (std::size_t i = 1; i < values.size(); ++i) {
            QVERIFY(values[i - 1] < values[i]);
        }
    }
}

void TestNormalFloat::codebookIsAbsmaxScaledNearestLevel()
{
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.0f, 0.05f);
    std::vector<float> data(4000);
    for (float& v : data) {
        v = normal(rng);
    }
    data[17] = -0.75f; // absmax, negative
    const Codebook codebook = schemeById("normal-float").design(Distribution(data), {{"bits", 4}});
    QCOMPARE(codebook.levelCount(), 16);
    for (int k = 0; k < 16; ++k) {
        QCOMPARE(codebook.levels[k], double(float(kPublishedNf4[k]) * 0.75f));
    }
    // Thresholds: the first float32 that is at least as near to the upper level.
    for (std::size_t k = 0; k < codebook.thresholds.size(); ++k) {
        const float t = float(codebook.thresholds[k]);
        QCOMPARE(double(t), codebook.thresholds[k]);
        QCOMPARE(nearestLevel(codebook.levels, t), int(k) + 1);
        QCOMPARE(nearestLevel(codebook.levels, std::nextafter(t, -INFINITY)), int(k));
    }
    for (float v : data) {
        QCOMPARE(codebook.levelIndex(v), nearestLevel(codebook.levels, v));
    }
}

void TestNormalFloat::degenerateInputs()
{
    const Scheme& scheme = schemeById("normal-float");
    // All zeros: absmax 0 collapses every level to 0.
    const Codebook zeros = scheme.design(Distribution(std::vector<float>{0, 0}), {{"bits", 4}});
    QCOMPARE(zeros.levelCount(), 1);
    QCOMPARE(zeros.levels[0], 0.0);
    const Codebook one = scheme.design(Distribution(std::vector<float>{-3.0f}), {{"bits", 3}});
    QCOMPARE(one.levelCount(), 8);
    QCOMPARE(one.quantize(-3.0f), -3.0);
    QVERIFY_THROWS_EXCEPTION(UsageError, scheme.design(Distribution(), {{"bits", 1}}));
}

QTEST_APPLESS_MAIN(TestNormalFloat)
#include "tst_normal_float.moc"
