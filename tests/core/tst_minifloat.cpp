#include "quantscope/errors.h"
#include "quantscope/scheme.h"
#include "quantscope/schemes/minifloat.h"

#include <QtTest>

#include <cmath>
#include <random>
#include <set>

using namespace quantscope;

namespace {

// A subnormal scale near 2e-43 keeps about 7 significant bits.
constexpr double kSubnormalScaleTolerance = 0.02;

Codebook design(const std::vector<float>& values, const Params& params)
{
    return schemeById("minifloat").design(Distribution(values), params);
}

// Every finite value of a format decoded from its bit patterns, independently of
// minifloatMagnitudes: NaN and inf codes are skipped by the OCP rules.
std::set<double> decodeAll(int e, int m)
{
    const int bias = (1 << (e - 1)) - 1;
    const int topExponent = (1 << e) - 1;
    std::set<double> values;
    for (int code = 0; code < (1 << (1 + e + m)); ++code) {
        const int sign = code >> (e + m);
        const int exponent = (code >> m) & topExponent;
        const int mantissa = code & ((1 << m) - 1);
        const bool e5m2Special = e == 5 && m == 2 && exponent == topExponent;
        const bool e4m3Nan = e == 4 && m == 3 && exponent == topExponent && mantissa == 7;
        if (e5m2Special || e4m3Nan) {
            continue;
        }
        const double significand =
            exponent == 0 ? mantissa / double(1 << m) : 1.0 + mantissa / double(1 << m);
        const double value = std::ldexp(significand, std::max(exponent, 1) - bias);
        values.insert(sign ? -value : value); // a set: −0 and +0 merge
    }
    return values;
}

} // namespace

class TestMinifloat : public QObject {
    Q_OBJECT

private slots:
    void formats_data();
    void formats();
    void fp4E2M1Table();
    void roundsHalfToEven_data();
    void roundsHalfToEven();
    void codebookIsScaledFormat();
    void thresholdsAreExact_data();
    void thresholdsAreExact();
    void degenerateInputs();
};

void TestMinifloat::formats_data()
{
    QTest::addColumn<int>("bits");
    QTest::addColumn<int>("exponentBits"); // 0: automatic
    QTest::addColumn<QString>("name");
    QTest::addColumn<double>("maxValue");
    QTest::addColumn<int>("distinct"); // finite values, ±0 merged
    // OCP 8-bit floating point specification, table 1.
    QTest::newRow("FP8 E4M3 (auto)") << 8 << 0 << "E4M3" << 448.0 << 253;
    QTest::newRow("FP8 E5M2") << 8 << 5 << "E5M2" << 57344.0 << 247;
    // OCP MX specification, FP6 and FP4: all finite.
    QTest::newRow("FP6 E3M2 (auto)") << 6 << 0 << "E3M2" << 28.0 << 63;
    QTest::newRow("FP6 E2M3") << 6 << 2 << "E2M3" << 7.5 << 63;
    QTest::newRow("FP4 E2M1 (auto)") << 4 << 0 << "E2M1" << 6.0 << 15;
    // e = 1: bias 0, values 0, 1 (subnormal), 2, 3.
    QTest::newRow("E1M1 (auto at 3)") << 3 << 0 << "E1M1" << 3.0 << 7;
}

void TestMinifloat::formats()
{
    QFETCH(int, bits);
    QFETCH(int, exponentBits);
    QFETCH(QString, name);
    QFETCH(double, maxValue);
    QFETCH(int, distinct);
    const MinifloatFormat format =
        exponentBits == 0 ? minifloatFormat(bits) : minifloatFormat(bits, exponentBits);
    QCOMPARE(QString::fromStdString(format.name()), name);
    QCOMPARE(minifloatMax(format), maxValue);
    const std::set<double> decoded = decodeAll(format.exponentBits, format.mantissaBits);
    QCOMPARE(int(decoded.size()), distinct);
    QCOMPARE(*decoded.rbegin(), maxValue);
    // The magnitudes are exactly the non-negative decoded values.
    const std::vector<double> magnitudes = minifloatMagnitudes(format);
    QCOMPARE(std::vector<double>(decoded.lower_bound(0.0), decoded.end()), magnitudes);
}

void TestMinifloat::fp4E2M1Table()
{
    // OCP MX v1.0, FP4 E2M1: 0, 0.5 (subnormal), 1, 1.5, 2, 3, 4, 6.
    QCOMPARE(minifloatMagnitudes(minifloatFormat(4)),
             (std::vector<double>{0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0}));
}

void TestMinifloat::roundsHalfToEven_data()
{
    QTest::addColumn<int>("bits");
    QTest::addColumn<double>("y");
    QTest::addColumn<double>("rounded");
    // E2M1 (codes 0 … 7 for 0, 0.5, 1, 1.5, 2, 3, 4, 6): each tie goes to the even code.
    QTest::newRow("E2M1 0.25 -> 0") << 4 << 0.25 << 0.0;
    QTest::newRow("E2M1 0.75 -> 1") << 4 << 0.75 << 1.0;
    QTest::newRow("E2M1 1.25 -> 1") << 4 << 1.25 << 1.0;
    QTest::newRow("E2M1 1.75 -> 2") << 4 << 1.75 << 2.0;
    QTest::newRow("E2M1 2.5 -> 2") << 4 << 2.5 << 2.0;
    QTest::newRow("E2M1 3.5 -> 4") << 4 << 3.5 << 4.0;
    QTest::newRow("E2M1 5 -> 4") << 4 << 5.0 << 4.0;
    QTest::newRow("E2M1 -2.5 -> -2") << 4 << -2.5 << -2.0;
    QTest::newRow("E2M1 2.51 -> 3") << 4 << 2.51 << 3.0;
    QTest::newRow("E2M1 saturates 100 -> 6") << 4 << 100.0 << 6.0;
    QTest::newRow("E2M1 saturates -7 -> -6") << 4 << -7.0 << -6.0;
    // E4M3 around 1 (spacing 1/8): 1.0625 is halfway between 1 (even) and 1.125.
    QTest::newRow("E4M3 1.0625 -> 1") << 8 << 1.0625 << 1.0;
    QTest::newRow("E4M3 1.1875 -> 1.25") << 8 << 1.1875 << 1.25;
    // E4M3 from 256 to 448 the spacing is 32: 432 is halfway between 416 (mantissa 5, odd)
    // and 448 (mantissa 6), 400 between 384 (mantissa 4) and 416.
    QTest::newRow("E4M3 432 -> 448") << 8 << 432.0 << 448.0;
    QTest::newRow("E4M3 400 -> 384") << 8 << 400.0 << 384.0;
    QTest::newRow("E4M3 saturates 1000 -> 448") << 8 << 1000.0 << 448.0;
    // Smallest E4M3 subnormal is 2^-9; half of it ties to 0.
    QTest::newRow("E4M3 2^-10 -> 0") << 8 << std::ldexp(1.0, -10) << 0.0;
    QTest::newRow("E4M3 3·2^-10 -> 2^-8") << 8 << 3 * std::ldexp(1.0, -10) << std::ldexp(1.0, -8);
}

void TestMinifloat::roundsHalfToEven()
{
    QFETCH(int, bits);
    QFETCH(double, y);
    QFETCH(double, rounded);
    QCOMPARE(roundToMinifloat(y, minifloatMagnitudes(minifloatFormat(bits))), rounded);
}

void TestMinifloat::codebookIsScaledFormat()
{
    // max|x| = 12 on E2M1: scale 12/6 = 2, levels ±{0, 1, 2, 3, 4, 6, 8, 12}.
    const std::vector<float> data = {-12.0f, -5.0f, 0.4f, 1.0f, 3.0f, 7.0f};
    const Codebook codebook = design(data, {{"bits", 4}});
    QCOMPARE(codebook.levels,
             (std::vector<double>{-12, -8, -6, -4, -3, -2, -1, 0, 1, 2, 3, 4, 6, 8, 12}));
    // On the unscaled grid: −2.5 → −2 (tie to even), 0.2 → 0, 0.5 → 0.5, 1.5 → 1.5, 3.5 → 4.
    QCOMPARE(codebook.quantize(-5.0f), -4.0);
    QCOMPARE(codebook.quantize(0.4f), 0.0);
    QCOMPARE(codebook.quantize(1.0f), 1.0);
    QCOMPARE(codebook.quantize(3.0f), 3.0);
    QCOMPARE(codebook.quantize(7.0f), 8.0);
    QCOMPARE(codebook.quantize(5.0f), 4.0);
    QCOMPARE(codebook.quantize(5.0001f), 6.0);
}

void TestMinifloat::thresholdsAreExact_data()
{
    QTest::addColumn<int>("bits");
    QTest::addColumn<int>("exponentBits");
    for (auto [bits, e] : {std::pair{8, 4}, {8, 5}, {6, 3}, {6, 2}, {4, 2}, {5, 3}, {7, 1}}) {
        QTest::newRow(qPrintable(QString("%1 bits E%2").arg(bits).arg(e))) << bits << e;
    }
}

void TestMinifloat::thresholdsAreExact()
{
    QFETCH(int, bits);
    QFETCH(int, exponentBits);
    std::mt19937 rng(bits * 10 + exponentBits);
    std::normal_distribution<float> normal(0.0f, 0.7f);
    std::vector<float> data(3000);
    for (float& v : data) {
        v = normal(rng);
    }
    const Codebook codebook = design(data, {{"bits", bits}, {"exponent", exponentBits}});
    const std::vector<double> magnitudes = minifloatMagnitudes(minifloatFormat(bits, exponentBits));
    QCOMPARE(codebook.levelCount(), 2 * int(magnitudes.size()) - 1);
    const float maxAbs = std::max(-*std::min_element(data.begin(), data.end()),
                                  *std::max_element(data.begin(), data.end()));
    const float scale = maxAbs / float(magnitudes.back());
    // The element-wise rule: y = x / scale in float32, rounded to the format, times scale.
    auto reference = [&](float x) {
        return double(float(roundToMinifloat(x / scale, magnitudes)) * scale);
    };
    for (std::size_t k = 0; k < codebook.thresholds.size(); ++k) {
        const float t = float(codebook.thresholds[k]);
        QCOMPARE(double(t), codebook.thresholds[k]);
        QCOMPARE(reference(t), codebook.levels[k + 1]);
        QCOMPARE(reference(std::nextafter(t, -INFINITY)), codebook.levels[k]);
    }
    for (float v : data) {
        QCOMPARE(codebook.quantize(v), reference(v));
    }
}

void TestMinifloat::degenerateInputs()
{
    const Codebook zeros = design({0.0f, 0.0f}, {{"bits", 8}});
    QCOMPARE(zeros.quantize(0.0), 0.0);
    QCOMPARE(design({2.5f}, {{"bits", 6}}).quantize(2.5f), 2.5);
    QCOMPARE(design({-2.5f, -2.5f}, {{"bits", 4}}).quantize(-2.5f), -2.5);
    // A subnormal max|x|: the scaled levels collapse onto few float32 values and merge.
    const Codebook tiny = design({1e-40f}, {{"bits", 8}});
    QVERIFY(tiny.levelCount() < 253);
    // The scale itself is a subnormal with a few significant bits: 448·scale is near max|x|.
    QVERIFY(std::abs(tiny.quantize(1e-40f) - 1e-40) <= kSubnormalScaleTolerance * 1e-40);
    for (std::size_t k = 1; k < tiny.levels.size(); ++k) {
        QVERIFY(tiny.levels[k - 1] < tiny.levels[k]);
    }
    QVERIFY_THROWS_EXCEPTION(UsageError, design({1.0f}, {{"bits", 4}, {"exponent", 4}}));
    QVERIFY_THROWS_EXCEPTION(UsageError, design({1.0f}, {{"bits", 2}}));
}

QTEST_APPLESS_MAIN(TestMinifloat)
#include "tst_minifloat.moc"
