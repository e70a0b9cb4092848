#include "quantscope/scheme.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace quantscope;

namespace {

constexpr int kGeometric = 0;
constexpr int kArithmetic = 1;

Codebook design(const std::vector<float>& values, int bits, int rounding = kGeometric)
{
    return schemeById("power-of-two")
        .design(Distribution(values), {{"bits", bits}, {"rounding", rounding}});
}

bool isPowerOfTwo(double v)
{
    int exponent = 0;
    return std::frexp(std::abs(v), &exponent) == 0.5;
}

// The element-wise rule written directly: exponent round(log2|x|) (geometric) or the nearer
// power (arithmetic, a tie away from zero), clamped to [bottom, top]; below 2^(bottom−1): 0.
double referenceQuantize(float x, int bottom, int top, int rounding)
{
    const double a = std::abs(double(x));
    if (a < std::ldexp(1.0, bottom - 1)) {
        return 0.0;
    }
    int e = int(std::floor(std::log2(a)));
    if (rounding == kGeometric) {
        e = int(std::floor(std::log2(a) + 0.5));
    } else if (a >= 1.5 * std::ldexp(1.0, e)) {
        ++e;
    }
    const double magnitude = std::ldexp(1.0, std::clamp(e, bottom, top));
    return x < 0 ? -magnitude : magnitude;
}

} // namespace

class TestPowerOfTwo : public QObject {
    Q_OBJECT

private slots:
    void handChecked_data();
    void handChecked();
    void topLevel_data();
    void topLevel();
    void levelsArePowersOfTwoAndThresholdsExact_data();
    void levelsArePowersOfTwoAndThresholdsExact();
    void degenerateInputs();
};

void TestPowerOfTwo::handChecked_data()
{
    QTest::addColumn<int>("rounding");
    QTest::addColumn<float>("x");
    QTest::addColumn<double>("expected");
    // 3 bits, max|x| = 1: levels 0, ±0.25, ±0.5, ±1. Geometric boundaries 0.125 (half the
    // smallest level), 0.25·√2 ≈ 0.354, 0.5·√2 ≈ 0.707; arithmetic 0.125, 0.375, 0.75.
    const QList<std::tuple<const char*, int, float, double>> rows = {
        {"geometric 0.1 -> 0", kGeometric, 0.1f, 0.0},
        {"geometric 0.125 -> 0.25 (tie away from 0)", kGeometric, 0.125f, 0.25},
        {"geometric -0.125 -> -0.25", kGeometric, -0.125f, -0.25},
        {"geometric 0.35 -> 0.25", kGeometric, 0.35f, 0.25},
        {"geometric 0.36 -> 0.5", kGeometric, 0.36f, 0.5},
        {"geometric -0.7 -> -0.5", kGeometric, -0.7f, -0.5},
        {"geometric 0.72 -> 1", kGeometric, 0.72f, 1.0},
        {"arithmetic 0.36 -> 0.25", kArithmetic, 0.36f, 0.25},
        {"arithmetic 0.375 -> 0.5 (tie)", kArithmetic, 0.375f, 0.5},
        {"arithmetic 0.72 -> 0.5", kArithmetic, 0.72f, 0.5},
        {"arithmetic -0.75 -> -1 (tie)", kArithmetic, -0.75f, -1.0},
        {"arithmetic 0.124 -> 0", kArithmetic, 0.124f, 0.0},
    };
    for (const auto& [name, rounding, x, expected] : rows) {
        QTest::newRow(name) << rounding << x << expected;
    }
}

void TestPowerOfTwo::handChecked()
{
    QFETCH(int, rounding);
    QFETCH(float, x);
    QFETCH(double, expected);
    const Codebook codebook = design({-0.3f, 0.01f, 0.2f, 1.0f, x}, 3, rounding);
    QCOMPARE(codebook.levels, (std::vector<double>{-1, -0.5, -0.25, 0, 0.25, 0.5, 1}));
    QCOMPARE(codebook.quantize(x), expected);
}

void TestPowerOfTwo::topLevel_data()
{
    QTest::addColumn<int>("rounding");
    QTest::addColumn<float>("maxAbs");
    QTest::addColumn<double>("top");
    // The largest level is the power of two max|x| itself rounds to.
    QTest::newRow("geometric 1.45 -> 2") << kGeometric << 1.45f << 2.0;
    QTest::newRow("geometric 1.41 -> 1") << kGeometric << 1.41f << 1.0;
    QTest::newRow("arithmetic 1.45 -> 1") << kArithmetic << 1.45f << 1.0;
    QTest::newRow("arithmetic 1.5 -> 2") << kArithmetic << 1.5f << 2.0;
    QTest::newRow("geometric 0.7 -> 0.5") << kGeometric << 0.7f << 0.5;
    QTest::newRow("exact 8") << kGeometric << 8.0f << 8.0;
}

void TestPowerOfTwo::topLevel()
{
    QFETCH(int, rounding);
    QFETCH(float, maxAbs);
    QFETCH(double, top);
    const Codebook codebook = design({0.001f, -maxAbs}, 4, rounding);
    QCOMPARE(codebook.levels.back(), top);
    QCOMPARE(codebook.levels.front(), -top);
    QCOMPARE(codebook.levelCount(), 15); // 7 magnitudes, signs, zero
    QCOMPARE(codebook.levels[8], top / 64);
}

void TestPowerOfTwo::levelsArePowersOfTwoAndThresholdsExact_data()
{
    QTest::addColumn<int>("bits");
    QTest::addColumn<int>("rounding");
    for (int bits : {2, 3, 4, 6, 8}) {
        for (int rounding : {kGeometric, kArithmetic}) {
            QTest::newRow(qPrintable(QString("%1 bits %2")
                                         .arg(bits)
                                         .arg(rounding == kGeometric ? "geometric" : "arithmetic")))
                << bits << rounding;
        }
    }
}

void TestPowerOfTwo::levelsArePowersOfTwoAndThresholdsExact()
{
    QFETCH(int, bits);
    QFETCH(int, rounding);
    std::mt19937 rng(bits);
    std::normal_distribution<float> normal(0.0f, 0.02f);
    std::vector<float> data(5000);
    for (float& v : data) {
        v = normal(rng);
    }
    const Codebook codebook = design(data, bits, rounding);
    QCOMPARE(codebook.levelCount(), (1 << bits) - 1);
    for (double level : codebook.levels) {
        QVERIFY(level == 0.0 || isPowerOfTwo(level));
    }
    const int top = std::ilogb(codebook.levels.back());
    const int bottom = top - ((1 << (bits - 1)) - 2);
    for (std::size_t k = 0; k < codebook.thresholds.size(); ++k) {
        const float t = float(codebook.thresholds[k]);
        QCOMPARE(double(t), codebook.thresholds[k]);
        QCOMPARE(referenceQuantize(t, bottom, top, rounding), codebook.levels[k + 1]);
        QCOMPARE(referenceQuantize(std::nextafter(t, -INFINITY), bottom, top, rounding),
                 codebook.levels[k]);
    }
    for (float v : data) {
        QCOMPARE(codebook.quantize(v), referenceQuantize(v, bottom, top, rounding));
        QCOMPARE(codebook.quantize(-v), -codebook.quantize(v));
    }
}

void TestPowerOfTwo::degenerateInputs()
{
    const Codebook zeros = design({0.0f, 0.0f}, 4);
    QCOMPARE(zeros.levels, std::vector<double>{0.0});
    // One value: 3 rounds to 4 in either rule (√2·2 < 3, and 3 = 1.5·2 is a tie going up).
    QCOMPARE(design({-3.0f}, 4, kGeometric).quantize(-3.0f), -4.0);
    QCOMPARE(design({-3.0f}, 4, kArithmetic).quantize(-3.0f), -4.0);
    // Near float32's largest value the top level stays finite (2^127).
    const Codebook huge = design({3e38f, -1.0f}, 8);
    QCOMPARE(huge.levels.back(), std::ldexp(1.0, 127));
    // The smallest subnormal: only 2^-149 is left as a magnitude.
    const Codebook tiny = design({std::numeric_limits<float>::denorm_min()}, 8);
    QCOMPARE(tiny.levelCount(), 3);
    QCOMPARE(tiny.quantize(std::numeric_limits<float>::denorm_min()),
             double(std::numeric_limits<float>::denorm_min()));
    for (const Codebook* codebook : {&huge, &tiny}) {
        for (std::size_t k = 1; k < codebook->thresholds.size(); ++k) {
            QVERIFY(codebook->thresholds[k - 1] < codebook->thresholds[k]);
        }
    }
}

QTEST_APPLESS_MAIN(TestPowerOfTwo)
#include "tst_power_of_two.moc"
