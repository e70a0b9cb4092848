#include "quantscope/errors.h"
#include "quantscope/integer_pipeline.h"

#include <QtTest>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

using namespace quantscope;

namespace {

// The seed prints with 6 decimals.
constexpr double kPrintedTolerance = 5e-7;
constexpr double kExactTolerance = 1e-12;

IntegerLinearInput seedInput()
{
    IntegerLinearInput input;
    input.outFeatures = 1;
    input.inFeatures = 5;
    input.weights = {-23.543, 8.533, 1.012, -12.4756, 34.53};
    input.activations = {0.32432, 1.123213, 0.234324, 5.234234, 4.234323};
    input.bias = {33.1};
    return input;
}

std::vector<std::int64_t> codes(std::initializer_list<std::int64_t> values)
{
    return values;
}

} // namespace

class TestIntegerPipeline : public QObject {
    Q_OBJECT

private slots:
    void seed002()
    {
        const IntegerLinearResult r = runIntegerLinear(seedInput(), {8, 6.0, 150.0});
        QCOMPARE(r.floatResult.at(0), 116.19701015660002);
        QCOMPARE(r.qmax, std::int64_t{127});
        QCOMPARE(r.weightRange, 34.53);
        QCOMPARE(r.weightMultiplier, 127.0 / 34.53);
        QCOMPARE(r.activationMultiplier, 127.0 / 6.0);
        QCOMPARE(r.weightCodes, codes({-87, 31, 4, -46, 127}));
        QCOMPARE(r.activationCodes, codes({7, 24, 5, 111, 90}));
        QCOMPARE(r.biasCodes, codes({2577}));
        QCOMPARE(r.accumulators, codes({9056}));
        QVERIFY(!r.exceedsInt32);
        QCOMPARE(r.requantized, codes({98}));
        QVERIFY(std::abs(r.dequantized.at(0) - 115.748031) <= kPrintedTolerance);
        QCOMPARE(r.dequantized.at(0), 98.0 / (127.0 / 150.0));
        QVERIFY(r.relativeError.at(0).has_value());
        QVERIFY(std::abs(100.0 * *r.relativeError.at(0) - 0.386394) <= kPrintedTolerance);
        QCOMPARE(r.absoluteError.at(0), std::abs(116.19701015660002 - r.dequantized.at(0)));
        // The seed's printed coefficients.
        QVERIFY(std::abs(r.accumulatorMultiplier - 77.850179) <= kPrintedTolerance);
        QVERIFY(std::abs(r.requantCoefficient - 0.010876) <= kPrintedTolerance);
    }

    // The example the GUI's integer pipeline view and lesson start from is the seed's.
    void seed002ExampleIsTheDocuments()
    {
        const IntegerLinearProblem example = seed002Example();
        QCOMPARE(example.input.weights, seedInput().weights);
        QCOMPARE(example.input.activations, seedInput().activations);
        QCOMPARE(example.input.bias, seedInput().bias);
        const IntegerLinearResult r = runIntegerLinear(example.input, example.options);
        QCOMPARE(r.biasCodes, codes({2577}));
        QCOMPARE(r.accumulators, codes({9056}));
        QCOMPARE(r.requantized, codes({98}));
        QVERIFY(std::abs(100.0 * *r.relativeError.at(0) - 0.386394) <= kPrintedTolerance);
    }

    void requantizationTruncates()
    {
        // W = ±1, A = 1, ranges 1: the accumulator is 127·127 = 16129; with a2 = 127/3.7 the
        // rescaled value is 3.7, which numpy's astype(int8) truncates to 3 (rounding would give 4).
        IntegerLinearInput input;
        input.outFeatures = 2;
        input.inFeatures = 1;
        input.weights = {1.0, -1.0};
        input.activations = {1.0};
        const IntegerLinearResult r = runIntegerLinear(input, {8, 1.0, 127.0 / 3.7});
        QCOMPARE(r.accumulators, codes({16129, -16129}));
        QCOMPARE(r.requantized, codes({3, -3}));
        // Beyond the next layer's range the codes saturate at ±qmax.
        const IntegerLinearResult clipped = runIntegerLinear(input, {8, 1.0, 0.5});
        QCOMPARE(clipped.requantized, codes({127, -127}));
    }

    void matrixAgainstDirectComputation()
    {
        std::mt19937 rng(42);
        std::normal_distribution<double> normal(0.0, 1.0);
        IntegerLinearInput input;
        input.outFeatures = 3;
        input.inFeatures = 7;
        input.batch = 4;
        for (int i = 0; i < 21; ++i) {
            input.weights.push_back(normal(rng));
        }
        for (int i = 0; i < 28; ++i) {
            input.activations.push_back(std::abs(2.0 * normal(rng)));
        }
        input.bias = {0.5, -1.25, 3.0};
        const int bits = 6;
        const IntegerLinearResult r = runIntegerLinear(input, {bits, {}, {}});

        // Straightforward re-computation.
        const double qmax = 31.0;
        double wMax = 0.0;
        double aMax = 0.0;
        for (double w : input.weights) {
            wMax = std::max(wMax, std::abs(w));
        }
        for (double a : input.activations) {
            aMax = std::max(aMax, std::abs(a));
        }
        const double sw = qmax / wMax;
        const double sa = qmax / aMax;
        auto code = [&](double x, double s) {
            return static_cast<std::int64_t>(std::clamp(std::nearbyint(x * s), -qmax, qmax));
        };
        std::vector<double> exact(12);
        double outMax = 0.0;
        for (int b = 0; b < 4; ++b) {
            for (int o = 0; o < 3; ++o) {
                double sum = 0.0;
                for (int i = 0; i < 7; ++i) {
                    sum += input.weights[o * 7 + i] * input.activations[b * 7 + i];
                }
                exact[b * 3 + o] = sum + input.bias[o];
                outMax = std::max(outMax, std::abs(exact[b * 3 + o]));
            }
        }
        const double s2 = qmax / outMax;
        QCOMPARE(r.outputRange, outMax);
        for (int b = 0; b < 4; ++b) {
            for (int o = 0; o < 3; ++o) {
                auto acc = static_cast<std::int64_t>(std::nearbyint(input.bias[o] * (sw * sa)));
                double weightSum = 0.0;
                double activationSum = 0.0;
                for (int i = 0; i < 7; ++i) {
                    acc +=
                        code(input.weights[o * 7 + i], sw) * code(input.activations[b * 7 + i], sa);
                    weightSum += std::abs(input.weights[o * 7 + i]);
                    activationSum += std::abs(input.activations[b * 7 + i]);
                }
                const int k = b * 3 + o;
                QCOMPARE(r.floatResult[k], exact[k]);
                QCOMPARE(r.accumulators[k], acc);
                const auto requant = static_cast<std::int64_t>(
                    std::trunc(std::clamp(s2 / (sw * sa) * static_cast<float>(acc), -qmax, qmax)));
                QCOMPARE(r.requantized[k], requant);
                QVERIFY(std::abs(r.dequantized[k] - requant / s2) <= kExactTolerance);
                // Rounding bound: each code is off by at most half a step.
                const double bound = weightSum * 0.5 / sa + activationSum * 0.5 / sw +
                                     7 * 0.25 / (sw * sa) + 0.5 / (sw * sa);
                QVERIFY(std::abs(r.accumulatorDequantized[k] - exact[k]) <=
                        bound + kExactTolerance);
                // Requantization truncates: at most one step of the next layer further.
                QVERIFY(r.absoluteError[k] <= bound + 1.0 / s2 + kExactTolerance);
            }
        }
    }

    void zeroRanges()
    {
        IntegerLinearInput input;
        input.outFeatures = 2;
        input.inFeatures = 3;
        input.weights = std::vector<double>(6, 0.0);
        input.activations = {1.0, -2.0, 0.5};
        input.bias = {0.0, 0.0};
        const IntegerLinearResult zeroWeights = runIntegerLinear(input);
        QCOMPARE(zeroWeights.weightMultiplier, 1.0);
        QCOMPARE(zeroWeights.weightCodes, std::vector<std::int64_t>(6, 0));
        QCOMPARE(zeroWeights.requantized, codes({0, 0}));
        QCOMPARE(zeroWeights.dequantized, (std::vector<double>{0.0, 0.0}));
        QVERIFY(!zeroWeights.relativeError[0].has_value()); // float result 0
        QCOMPARE(zeroWeights.maxAbsoluteError, 0.0);

        input.weights = {1.0, 2.0, 3.0, -1.0, 0.0, 1.0};
        input.activations = {0.0, 0.0, 0.0};
        input.bias = {2.0, -4.0};
        const IntegerLinearResult zeroActivations = runIntegerLinear(input);
        QCOMPARE(zeroActivations.activationMultiplier, 1.0);
        // s_w = 127/3, s_a = 1: bias codes round(84.67) = 85, round(−169.33) = −169; a2 = 4,
        // coefficient 31.75/42.33 = 0.75: 63.75 -> 63, −126.75 -> −126.
        QCOMPARE(zeroActivations.biasCodes, codes({85, -169}));
        QCOMPARE(zeroActivations.requantized, codes({63, -126}));
        QVERIFY(zeroActivations.maxAbsoluteError <= 2.0 * 4.0 / 127.0);

        input.bias.clear();
        const IntegerLinearResult allZero = runIntegerLinear(input, {8, 0.0, 0.0});
        QCOMPARE(allZero.outputMultiplier, 1.0);
        QCOMPARE(allZero.dequantized, (std::vector<double>{0.0, 0.0}));
    }

    void badInput()
    {
        IntegerLinearInput input = seedInput();
        input.inFeatures = 4;
        QVERIFY_THROWS_EXCEPTION(UsageError, runIntegerLinear(input));
        input = seedInput();
        input.bias = {1.0, 2.0};
        QVERIFY_THROWS_EXCEPTION(UsageError, runIntegerLinear(input));
        input = seedInput();
        input.activations[2] = std::nan("");
        QVERIFY_THROWS_EXCEPTION(InputError, runIntegerLinear(input));
        QVERIFY_THROWS_EXCEPTION(UsageError, runIntegerLinear(seedInput(), {1, {}, {}}));
        QVERIFY_THROWS_EXCEPTION(UsageError, runIntegerLinear(seedInput(), {8, -1.0, {}}));
        input = seedInput();
        input.weights[0] = 1e300;
        input.activations[0] = 1e300;
        QVERIFY_THROWS_EXCEPTION(InputError, runIntegerLinear(input));
    }

    void wideCodesFlagInt32()
    {
        IntegerLinearInput input;
        input.outFeatures = 1;
        input.inFeatures = 4;
        input.weights = {1.0, 1.0, 1.0, 1.0};
        input.activations = {1.0, 1.0, 1.0, 1.0};
        const IntegerLinearResult r = runIntegerLinear(input, {16, {}, {}});
        QCOMPARE(r.accumulators, codes({4LL * 32767 * 32767})); // beyond int32, exact in int64
        QVERIFY(r.exceedsInt32);
        input.inFeatures = 2;
        input.weights = {1.0, 1.0};
        input.activations = {1.0, 1.0};
        QVERIFY(!runIntegerLinear(input, {16, {}, {}}).exceedsInt32);
        input.bias = {1e6};
        QVERIFY(runIntegerLinear(input, {16, {}, {}}).exceedsInt32);
    }
};

QTEST_APPLESS_MAIN(TestIntegerPipeline)
#include "tst_integer_pipeline.moc"
