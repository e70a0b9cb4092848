#include "quantscope/distribution.h"
#include "quantscope/errors.h"
#include "quantscope/scheme.h"
#include "quantscope/schemes/log_quant.h"

#include <QtTest>

#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <vector>

using namespace quantscope;

namespace {

constexpr double kEntropyRelTolerance = 1e-12;
constexpr double kLevelRelTolerance = 1e-12;
constexpr int kMaxHalfStep = 16;
constexpr int kGridFirstMin = 40;

// The activation list of seed 000.
const std::vector<float> kSeedActivations = {0.3f,   1.4f, 2.7f, -3.1f, 0.8f,
                                             -14.1f, 2.3f, 0.1f, 14.1f};

struct Reference {
    int first = 0;
    int step = 0;
    double entropy = 0.0;
};

// A second, plain implementation of the original grid search: every element's exponent
// log2(x)·16 is computed and compared with each level's boundaries directly (no histogram, no
// Distribution). Steps are in sixteenths; odd steps give half-sixteenth boundaries.
Reference bruteForceGrid(const std::vector<float>& values, int levels, std::optional<int> fixedStep)
{
    std::vector<double> exponents;
    for (float v : values) {
        if (v > 0.0f) {
            exponents.push_back(std::log2(static_cast<double>(v)) * 16.0);
        }
    }
    double lowest = exponents.front();
    double highest = exponents.front();
    for (double e : exponents) {
        lowest = std::min(lowest, e);
        highest = std::max(highest, e);
    }
    const int offset = static_cast<int>(std::floor(lowest)) - 1; // the empty bin below the data
    const int length = static_cast<int>(std::floor(highest)) - offset + 1;
    const double n = static_cast<double>(exponents.size());

    Reference best;
    std::vector<int> steps;
    for (int h = 1; h <= kMaxHalfStep; ++h) {
        steps.push_back(2 * h);
    }
    if (fixedStep) {
        steps = {*fixedStep};
    }
    for (int step : steps) {
        const double h = step / 2.0;
        for (int fsr = kGridFirstMin; fsr <= std::floor(length - 1 - h * (2 * levels - 5)); ++fsr) {
            const int first = fsr + offset;
            double entropy = 0.0;
            for (int i = 1; i < levels; ++i) {
                const double lo = first + (2 * i - 3) * h;
                const double hi = i == levels - 1 ? std::numeric_limits<double>::infinity()
                                                  : first + (2 * i - 1) * h;
                int count = 0;
                for (double e : exponents) {
                    count += e >= lo && e < hi ? 1 : 0;
                }
                if (count > 0) {
                    const double p = count / n;
                    entropy -= std::pow(2.0, (first + (i - 1) * step) / 16.0) * p * std::log(p);
                }
            }
            if (entropy > best.entropy) {
                best = {first, step, entropy};
            }
        }
    }
    return best;
}

// The forward rule written out per value: the level index is the number of lower boundaries
// first + (j − 1/2)·step that log2(|x|)·16 reaches.
double forwardRule(float x, const LogQuantGrid& grid)
{
    if (grid.signMagnitude && x < 0.0f) {
        return -forwardRule(-x, grid);
    }
    if (!(x > 0.0f)) {
        return 0.0;
    }
    const double e = std::log2(static_cast<double>(x)) * 16.0;
    int index = 0;
    for (int j = 0; j + 1 < grid.magnitudeLevels; ++j) {
        if (e >= grid.firstExponent + (j - 0.5) * grid.step) {
            index = j + 1;
        }
    }
    return index == 0 ? 0.0 : std::exp2((grid.firstExponent + (index - 1) * grid.step) / 16.0);
}

std::vector<float> logUniform(int n, double lowOctave, double highOctave, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> octave(lowOctave, highOctave);
    std::vector<float> values;
    for (int i = 0; i < n; ++i) {
        values.push_back(static_cast<float>(std::exp2(octave(rng))));
        if (i % 5 == 0) {
            values.back() = -values.back(); // negatives: 0 after ReLU, or signed
        }
    }
    return values;
}

void verifyAscending(const Codebook& codebook)
{
    QCOMPARE(codebook.thresholds.size() + 1, codebook.levels.size());
    for (std::size_t k = 1; k < codebook.thresholds.size(); ++k) {
        QVERIFY(codebook.thresholds[k - 1] < codebook.thresholds[k]);
    }
    for (std::size_t k = 1; k < codebook.levels.size(); ++k) {
        QVERIFY(codebook.levels[k - 1] < codebook.levels[k]);
    }
    for (double t : codebook.thresholds) {
        QVERIFY(std::isfinite(t));
    }
}

} // namespace

class TestWeqLog : public QObject {
    Q_OBJECT

private slots:
    void seedExample()
    {
        // Hand-checked with an independent Python re-implementation of the corrected original:
        // the positive values 0.1 … 14.1 occupy bins −54 … 61 (offset −55 after narrowing,
        // length 117); the first maximum of E is fsr = 68, step 32: levels 0, 2^(13/16) = 1.7563,
        // 2^(45/16) = 7.0250, 2^(77/16) = 28.100, boundaries 2^(−3/16), 2^(29/16), 2^(61/16).
        //
        // The seed's Python port reports fsr = 58 (first exponent 3), step 32, E = 1.016 and the
        // outputs [0, 1, 4, −4, 1, −16, 4, 0, 16]: its w() divides the exponent by BIN_SIZE
        // (1024) instead of 16, so every weight is ≈ 1 and the plain entropy is maximized; its
        // forward divides with `//` (only powers of two come out), caps the index at L − 1 and
        // keeps the sign, where the paper's ReLU layer maps x <= 0 to 0.
        const Distribution dist(kSeedActivations);
        const LogQuantGrid grid = searchLogQuantGrid(dist, 4, std::nullopt, false);
        QCOMPARE(grid.firstExponent, 13);
        QCOMPARE(grid.step, 32);
        QVERIFY(std::abs(grid.weightedEntropy - 8.449192649155094) <=
                kEntropyRelTolerance * 8.449192649155094);

        // The seed's layer follows a ReLU: the unsigned mode.
        const Codebook codebook =
            schemeById("weq-log").design(dist, {{"levels", 4}, {"signed", 0}});
        const std::vector<double> expected = {0.0, std::exp2(13 / 16.0), std::exp2(45 / 16.0),
                                              std::exp2(77 / 16.0)};
        QCOMPARE(codebook.levels.size(), expected.size());
        for (std::size_t k = 0; k < expected.size(); ++k) {
            QVERIFY(std::abs(codebook.levels[k] - expected[k]) <= kLevelRelTolerance * expected[k]);
        }
        QVERIFY(codebook.weightedEntropy.has_value());
        QCOMPARE(*codebook.weightedEntropy, grid.weightedEntropy);
        // 0.3, 0.8, 0.1 and the negatives -> 0; 1.4, 2.7, 2.3 -> 2^(13/16); 14.1 -> 2^(77/16).
        const std::vector<double> outputs = {0.0, expected[1], expected[1], 0.0,        0.0,
                                             0.0, expected[1], 0.0,         expected[3]};
        for (std::size_t i = 0; i < kSeedActivations.size(); ++i) {
            QCOMPARE(codebook.quantize(kSeedActivations[i]), outputs[i]);
        }
    }

    void gridMatchesBruteForce_data()
    {
        QTest::addColumn<int>("levels");
        QTest::addColumn<int>("fixedStep"); // 0: searched
        QTest::addColumn<bool>("seedData");
        for (int levels : {2, 3, 4, 5, 8}) {
            QTest::addRow("seed L=%d", levels) << levels << 0 << true;
        }
        for (int levels : {2, 4, 8, 16}) {
            QTest::addRow("log-uniform L=%d", levels) << levels << 0 << false;
        }
        for (int step : {2, 5, 6, 8, 13}) {
            QTest::addRow("seed L=4 step=%d", step) << 4 << step << true;
            QTest::addRow("log-uniform L=8 step=%d", step) << 8 << step << false;
        }
    }
    void gridMatchesBruteForce()
    {
        QFETCH(int, levels);
        QFETCH(int, fixedStep);
        QFETCH(bool, seedData);
        const std::vector<float> values =
            seedData ? kSeedActivations : logUniform(3000, -9.0, 5.0, 7);
        const std::optional<int> step = fixedStep ? std::optional<int>(fixedStep) : std::nullopt;
        const Reference reference = bruteForceGrid(values, levels, step);
        QVERIFY(reference.entropy > 0.0); // the original grid has a valid configuration here

        const LogQuantGrid grid = searchLogQuantGrid(Distribution(values), levels, step, false);
        QCOMPARE(grid.firstExponent, reference.first);
        QCOMPARE(grid.step, reference.step);
        QVERIFY(std::abs(grid.weightedEntropy - reference.entropy) <=
                kEntropyRelTolerance * reference.entropy);
        if (fixedStep) {
            QCOMPARE(grid.step, fixedStep); // only the first level was searched
        }
    }

    void levelsAreGeometric_data()
    {
        QTest::addColumn<int>("levels");
        QTest::addColumn<int>("step");
        QTest::addRow("L=16 searched") << 16 << 0;
        QTest::addRow("L=8 step=6") << 8 << 6;
        QTest::addRow("L=6 step=7") << 6 << 7;
    }
    void levelsAreGeometric()
    {
        QFETCH(int, levels);
        QFETCH(int, step);
        Params params{{"levels", levels}, {"signed", 0}};
        if (step) {
            params.set("step", step);
        }
        const Distribution dist(logUniform(5000, -6.0, 4.0, 11));
        const LogQuantGrid grid =
            searchLogQuantGrid(dist, levels, step ? std::optional<int>(step) : std::nullopt, false);
        const Codebook codebook = schemeById("weq-log").design(dist, params);
        verifyAscending(codebook);
        QCOMPARE(codebook.levelCount(), levels);
        QCOMPARE(codebook.levels.front(), 0.0);
        const double ratio = std::exp2(grid.step / 16.0);
        QVERIFY(std::abs(codebook.levels[1] - std::exp2(grid.firstExponent / 16.0)) <=
                kLevelRelTolerance * codebook.levels[1]);
        for (int k = 2; k < levels; ++k) {
            QVERIFY(std::abs(codebook.levels[k] / codebook.levels[k - 1] - ratio) <=
                    kLevelRelTolerance * ratio);
        }
        // Each boundary is the geometric midpoint, to the float32 grid: within one float ulp.
        const double halfRatio = std::exp2(grid.step / 32.0);
        for (int k = 1; k < levels; ++k) {
            const double below = k == 1 ? codebook.levels[1] / ratio : codebook.levels[k - 1];
            const double midpoint = std::sqrt(below * codebook.levels[k]);
            QVERIFY(std::abs(midpoint - codebook.levels[k] / halfRatio) <=
                    kLevelRelTolerance * midpoint);
            const double t = codebook.thresholds[k - 1];
            const float ulp =
                std::nextafter(static_cast<float>(t), INFINITY) - static_cast<float>(t);
            QVERIFY2(std::abs(t - midpoint) <= ulp, qPrintable(QString::number(k)));
        }
    }

    void codebookMatchesForwardRule_data()
    {
        QTest::addColumn<int>("levels");
        QTest::addColumn<int>("step");
        QTest::addColumn<bool>("signMagnitude");
        QTest::addRow("relu L=16") << 16 << 0 << false;
        QTest::addRow("relu L=4 step=16") << 4 << 16 << false;
        QTest::addRow("relu L=8 step=5 (odd)") << 8 << 5 << false;
        QTest::addRow("signed L=8") << 8 << 0 << true;
        QTest::addRow("signed L=5 step=3") << 5 << 3 << true;
    }
    void codebookMatchesForwardRule()
    {
        QFETCH(int, levels);
        QFETCH(int, step);
        QFETCH(bool, signMagnitude);
        const std::vector<float> values = logUniform(4000, -8.0, 6.0, 3);
        const Distribution dist(values);
        const LogQuantGrid grid = searchLogQuantGrid(
            dist, levels, step ? std::optional<int>(step) : std::nullopt, signMagnitude);
        const Codebook codebook = logQuantCodebook(grid);
        verifyAscending(codebook);

        std::vector<float> probes = values;
        for (float v : {0.0f, -0.0f, 1.0f, 2.0f, 0.5f, 4.0f, 1e-30f, 3e38f, -1.0f}) {
            probes.push_back(v);
        }
        for (double t : codebook.thresholds) {
            float x = static_cast<float>(t);
            for (int i = 0; i < 3; ++i) {
                x = std::nextafter(x, -INFINITY);
            }
            for (int i = 0; i < 6; ++i) {
                probes.push_back(x);
                x = std::nextafter(x, INFINITY);
            }
        }
        for (float x : probes) {
            QVERIFY2(codebook.quantize(x) == forwardRule(x, grid),
                     qPrintable(QString::number(x, 'g', 9)));
        }
    }

    void signedIsSymmetric()
    {
        const std::vector<float> values = logUniform(3000, -5.0, 3.0, 5);
        const Distribution dist(values);
        const Codebook codebook =
            schemeById("weq-log").design(dist, {{"levels", 16}, {"signed", 1}});
        verifyAscending(codebook);
        QCOMPARE(codebook.levelCount(), 15); // one sign bit: 8 magnitudes (zero among them)
        for (int k = 0; k < codebook.levelCount(); ++k) {
            QCOMPARE(codebook.levels[k], -codebook.levels[codebook.levelCount() - 1 - k]);
        }
        for (float x : values) {
            QCOMPARE(codebook.quantize(-x), -codebook.quantize(x));
        }
        // The grid is the relu grid of the magnitudes.
        std::vector<float> magnitudes;
        for (float x : values) {
            magnitudes.push_back(std::abs(x));
        }
        const LogQuantGrid relu = searchLogQuantGrid(Distribution(magnitudes), 8, {}, false);
        const LogQuantGrid sign = searchLogQuantGrid(dist, 8, {}, true);
        QCOMPARE(sign.firstExponent, relu.firstExponent);
        QCOMPARE(sign.step, relu.step);
        QCOMPARE(sign.weightedEntropy, relu.weightedEntropy);
    }

    void degenerateInputs_data()
    {
        QTest::addColumn<std::vector<float>>("values");
        QTest::addColumn<int>("levels");
        QTest::addRow("single positive") << std::vector<float>{3.0f} << 16;
        QTest::addRow("constant") << std::vector<float>(100, 0.7f) << 8;
        QTest::addRow("narrow range") << std::vector<float>{1.0f, 1.1f, 1.2f, 1.5f, 1.9f} << 16;
        QTest::addRow("many levels") << logUniform(500, -3.0, 3.0, 9) << 256;
        QTest::addRow("subnormals") << std::vector<float>{1e-45f, 3e-45f, 1e-40f, 2e-39f} << 64;
        QTest::addRow("huge and tiny")
            << std::vector<float>{1e-30f, 1e30f, 3e38f, 1e-20f, 5.0f} << 16;
        QTest::addRow("two levels") << logUniform(300, -2.0, 2.0, 4) << 2;
    }
    void degenerateInputs()
    {
        QFETCH(std::vector<float>, values);
        QFETCH(int, levels);
        const Distribution dist(values);
        for (int sign : {0, 1}) {
            for (int step : {0, 32, 3}) {
                Params params{{"levels", levels}, {"signed", sign}};
                if (step) {
                    params.set("step", step);
                }
                const Codebook codebook = schemeById("weq-log").design(dist, params);
                verifyAscending(codebook);
                QVERIFY(codebook.weightedEntropy && std::isfinite(*codebook.weightedEntropy));
                for (float x : values) {
                    QVERIFY(std::isfinite(codebook.quantize(x)));
                }
            }
        }
        // A constant or single value sits within half a sixteenth of an octave of its level.
        if (values.size() == 1 || values.front() == values.back()) {
            const Codebook codebook = schemeById("weq-log").design(dist, {{"levels", levels}});
            const double ratio = codebook.quantize(values.front()) / values.front();
            QVERIFY(std::abs(std::log2(ratio)) <= 1.0 / 32.0);
        }
    }

    void noPositiveValues()
    {
        const Distribution dist(std::vector<float>{-1.0f, -2.0f, 0.0f});
        const Codebook relu = schemeById("weq-log").design(dist, {{"levels", 8}, {"signed", 0}});
        QCOMPARE(relu.levelCount(), 1);
        QCOMPARE(relu.quantize(-2.0), 0.0);
        QCOMPARE(relu.quantize(5.0), 0.0);
        const Codebook sign = schemeById("weq-log").design(dist, {{"levels", 8}, {"signed", 1}});
        verifyAscending(sign);
        // Magnitudes 1 and 2 span 17 bins, too few for the original grid (fsr >= 40), so the
        // first level is searched over the data: the best E puts 1 on the level 2^0 and 2, exactly
        // on the geometric midpoint 2^(16/16) of the levels 1 and 4, on the level 4:
        // E = 0.5·ln 2·(1 + 4).
        QCOMPARE(sign.levels, (std::vector<double>{-16.0, -4.0, -1.0, 0.0, 1.0, 4.0, 16.0}));
        QVERIFY(std::abs(*sign.weightedEntropy - 2.5 * std::log(2.0)) <=
                kEntropyRelTolerance * *sign.weightedEntropy);
        QCOMPARE(sign.quantize(-2.0), -4.0);
        QCOMPARE(sign.quantize(-1.0), -1.0);
        QCOMPARE(sign.quantize(0.0), 0.0);
        const Codebook zeros =
            schemeById("weq-log").design(Distribution(std::vector<float>{0.0f, 0.0f}), {});
        QCOMPARE(zeros.levelCount(), 1);
    }

    // Unset, the mode follows the data: sign + magnitude as soon as a value is negative.
    void signedModeFollowsTheData()
    {
        std::vector<float> positive = logUniform(2000, -4.0, 3.0, 6);
        for (float& v : positive) {
            v = std::abs(v);
        }
        std::vector<float> withNegative = positive;
        withNegative.back() = -withNegative.back();
        for (const auto& [values, expectSign] :
             {std::pair{positive, false}, std::pair{withNegative, true}}) {
            const Distribution dist(values);
            const Codebook automatic = schemeById("weq-log").design(dist, {{"levels", 16}});
            const Codebook explicitMode = schemeById("weq-log").design(
                dist, {{"levels", 16}, {"signed", expectSign ? 1.0 : 0.0}});
            QCOMPARE(automatic.levels, explicitMode.levels);
            QCOMPARE(automatic.thresholds, explicitMode.thresholds);
            QCOMPARE(automatic.levels.front() < 0.0, expectSign);
        }
        // The user can still ask for the ReLU mode on signed data.
        const Codebook relu = schemeById("weq-log").design(Distribution(withNegative),
                                                           {{"levels", 16}, {"signed", 0}});
        QCOMPARE(relu.levels.front(), 0.0);
    }

    void bitsGiveLevels()
    {
        const Distribution dist(logUniform(1000, -4.0, 4.0, 2));
        QCOMPARE(schemeById("weq-log").design(dist, {{"bits", 3}, {"signed", 0}}).levelCount(), 8);
        // Sign + magnitude (the data have negatives): 2^(3−1) magnitudes, 7 signed levels.
        QCOMPARE(schemeById("weq-log").design(dist, {{"bits", 3}}).levelCount(), 7);
        QVERIFY_THROWS_EXCEPTION(UsageError, schemeById("weq-log").design(dist, {{"step", 40}}));
    }
};

QTEST_APPLESS_MAIN(TestWeqLog)
#include "tst_weq_log.moc"
