#include "quantscope/apply.h"
#include "quantscope/demo.h"
#include "quantscope/distribution.h"
#include "quantscope/scheme.h"
#include "quantscope/schemes/linear.h"

#include <QtTest>

#include <bit>
#include <cmath>
#include <limits>
#include <random>

using namespace quantscope;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
// Enough values for the table of cells, and for several parallel tasks (the applier's own
// thresholds are well below these).
constexpr std::int64_t kTableCount = 300'000;
constexpr std::int64_t kLargeCount = 2'500'000;

// Every float32 where a codebook can change its mind, and the special values.
std::vector<float> edgeValues(const Codebook& codebook)
{
    std::vector<float> probes = {0.0f,
                                 -0.0f,
                                 std::numeric_limits<float>::denorm_min(),
                                 -std::numeric_limits<float>::denorm_min(),
                                 std::numeric_limits<float>::min(),
                                 -std::numeric_limits<float>::min(),
                                 std::numeric_limits<float>::max(),
                                 -std::numeric_limits<float>::max(),
                                 kInf,
                                 -kInf,
                                 std::numeric_limits<float>::quiet_NaN(),
                                 -std::numeric_limits<float>::quiet_NaN()};
    auto around = [&](float x) {
        float below = x;
        float above = x;
        for (int step = 0; step < 3; ++step) {
            probes.push_back(below);
            probes.push_back(above);
            below = std::nextafter(below, -kInf);
            above = std::nextafter(above, kInf);
        }
    };
    for (double t : codebook.thresholds) {
        around(float(t));
    }
    for (double level : codebook.levels) {
        around(float(level));
        around(float(-level));
    }
    return probes;
}

// `values` repeated and mixed with gaussian values up to `count`.
std::vector<float> spread(const std::vector<float>& values, std::int64_t count, double scale)
{
    std::mt19937 rng(5);
    std::normal_distribution<float> normal(0.0f, float(scale));
    std::vector<float> out(count);
    for (std::int64_t i = 0; i < count; ++i) {
        out[i] = i % 3 == 0 ? normal(rng) : values[std::size_t(i) % values.size()];
    }
    return out;
}

// The applier against Codebook::levelIndex, value by value: codes and bit-exact levels.
void checkAgainstLevelIndex(const Codebook& codebook, const std::vector<float>& values,
                            std::int64_t valueCount)
{
    const CodebookApplier applier(codebook, valueCount);
    std::vector<std::int32_t> codes(values.size());
    std::vector<float> levels(values.size());
    applier.apply(values, codes, levels);
    for (std::size_t i = 0; i < values.size(); ++i) {
        const int k = codebook.levelIndex(values[i]);
        const float expected = float(codebook.levels[k]);
        if (codes[i] != std::int32_t(codebook.codes[k]) ||
            std::bit_cast<std::uint32_t>(levels[i]) != std::bit_cast<std::uint32_t>(expected)) {
            QFAIL(qPrintable(QString("x = %1 (bits %2): code %3 level %4, expected %5 and %6")
                                 .arg(double(values[i]), 0, 'g', 9)
                                 .arg(std::bit_cast<std::uint32_t>(values[i]), 8, 16)
                                 .arg(codes[i])
                                 .arg(double(levels[i]), 0, 'g', 9)
                                 .arg(codebook.codes[k])
                                 .arg(double(expected), 0, 'g', 9)));
        }
    }
    // Either output alone gives the same numbers.
    std::vector<std::int32_t> codesOnly(values.size());
    applier.apply(values, codesOnly, {});
    QVERIFY(codesOnly == codes);
    std::vector<float> levelsOnly(values.size());
    applier.apply(values, {}, levelsOnly);
    QVERIFY(std::equal(levelsOnly.begin(), levelsOnly.end(), levels.begin(), [](float a, float b) {
        return std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
    }));
}

} // namespace

class TestApply : public QObject {
    Q_OBJECT

private slots:
    void handComputed();
    void everySchemeOnEdgeValues_data();
    void everySchemeOnEdgeValues();
    void linearUsesArithmetic_data();
    void linearUsesArithmetic();
    void alteredLinearCodebookIsSearched();
    void emptyAndSingleLevel();
};

// Thresholds -0.5, 0, 0.5; levels -1, -0.25, 0.25, 1: Q(x) = level k for t[k-1] <= x < t[k].
void TestApply::handComputed()
{
    const Codebook codebook = makeCodebook({-1.0, -0.25, 0.25, 1.0}, {-0.5, 0.0, 0.5});
    const std::vector<float> values = {-0.6f, -0.5f, -0.0f, 0.0f,  0.49f,
                                       0.5f,  NAN,   kInf,  -kInf, -1e-45f};
    const std::vector<std::int32_t> expectedCodes = {0, 1, 2, 2, 2, 3, 2, 3, 0, 1};
    for (std::int64_t count : {std::int64_t(values.size()), kLargeCount}) {
        const CodebookApplier applier(codebook, count);
        QVERIFY(!applier.usesArithmetic());
        std::vector<std::int32_t> codes(values.size());
        std::vector<float> levels(values.size());
        applier.apply(values, codes, levels);
        QCOMPARE(codes, expectedCodes);
        for (std::size_t i = 0; i < values.size(); ++i) {
            QCOMPARE(double(levels[i]), codebook.levels[expectedCodes[i]]);
        }
    }
}

void TestApply::everySchemeOnEdgeValues_data()
{
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<int>("bits");
    QTest::addColumn<QString>("demo");
    for (const auto& scheme : allSchemes()) {
        for (int bits : {2, 3, 4, 8}) {
            for (const char* demo : {"gaussian", "relu", "outliers"}) {
                QTest::addRow("%s %d bits %s", scheme->id().c_str(), bits, demo)
                    << QString::fromStdString(scheme->id()) << bits << QString(demo);
            }
        }
    }
}

void TestApply::everySchemeOnEdgeValues()
{
    QFETCH(QString, scheme);
    QFETCH(int, bits);
    QFETCH(QString, demo);
    const Tensor tensor = makeDemoTensor(demo.toStdString(), 20000);
    const Distribution dist(tensor.values());
    Codebook codebook;
    try {
        codebook = schemeById(scheme.toStdString()).design(dist, Params{{"bits", double(bits)}});
    } catch (const std::exception&) {
        QSKIP("the scheme does not take this bit width");
    }
    const std::vector<float> probes = edgeValues(codebook);
    // A few values: binary search over the thresholds; many: the table of cells, on all threads.
    checkAgainstLevelIndex(codebook, probes, std::int64_t(probes.size()));
    checkAgainstLevelIndex(codebook, spread(probes, kTableCount, dist.stddev()), kTableCount);
}

void TestApply::linearUsesArithmetic_data()
{
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<int>("bits");
    for (const char* scheme : {"symmetric", "asymmetric"}) {
        for (int bits : {1, 2, 4, 7, 8, 12, 16}) {
            QTest::addRow("%s %d bits", scheme, bits) << QString(scheme) << bits;
        }
    }
}

// The arithmetic path against the codebook's exact thresholds on every edge float.
void TestApply::linearUsesArithmetic()
{
    QFETCH(QString, scheme);
    QFETCH(int, bits);
    const Tensor tensor = makeDemoTensor("outliers", 50000);
    const Distribution dist(tensor.values());
    const Codebook codebook =
        schemeById(scheme.toStdString()).design(dist, Params{{"bits", double(bits)}});
    QVERIFY(CodebookApplier(codebook, 1).usesArithmetic());
    const std::vector<float> probes = edgeValues(codebook);
    checkAgainstLevelIndex(codebook, probes, std::int64_t(probes.size()));
    checkAgainstLevelIndex(codebook, spread(probes, kLargeCount, dist.maxAbs()), kLargeCount);
}

// A codebook that claims a linear mapping but whose threshold was moved is not applied by the
// mapping's arithmetic.
void TestApply::alteredLinearCodebookIsSearched()
{
    Codebook codebook = linearCodebook(symmetricMapping(1.0, 3));
    codebook.thresholds[2] = std::nextafter(float(codebook.thresholds[2]), kInf);
    QVERIFY(!CodebookApplier(codebook, 1).usesArithmetic());
    checkAgainstLevelIndex(codebook, edgeValues(codebook), 10);
    Codebook shifted = linearCodebook(symmetricMapping(1.0, 3));
    shifted.levels[0] = -0.9;
    QVERIFY(!CodebookApplier(shifted, 1).usesArithmetic());
    checkAgainstLevelIndex(shifted, spread(edgeValues(shifted), kLargeCount, 1.0), kLargeCount);
}

void TestApply::emptyAndSingleLevel()
{
    const Codebook single = makeCodebook({0.5}, {});
    const std::vector<float> values = {-kInf, 0.0f, NAN, 3.0f};
    for (std::int64_t count : {std::int64_t(4), kLargeCount}) {
        checkAgainstLevelIndex(single, values, count);
        const CodebookApplier applier(single, count);
        applier.apply({}, {}, {});
    }
    const AppliedTensor none = applyCodebook({}, linearCodebook(symmetricMapping(1.0, 8)));
    QVERIFY(none.codes.empty() && none.dequantized.empty());
}

QTEST_APPLESS_MAIN(TestApply)
#include "tst_apply.moc"
