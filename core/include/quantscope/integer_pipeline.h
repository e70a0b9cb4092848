#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace quantscope {

// One linear layer Y = W·A + B run the way an integer accelerator runs it (seed 002):
//
//  1. symmetric quantization with multipliers (not steps): qmax = 2^(bits−1) − 1,
//     s_w = qmax / max|W|, s_a = qmax / activationRange,
//     code = clip(round_half_even(x · s), −qmax, qmax);
//  2. the bias at the product multiplier s_w · s_a, rounded into an integer (not clipped);
//  3. accumulation of Σ w_q · a_q + b_q per output in integers (int32 on hardware);
//  4. requantization to the next layer's range a2: s2 = qmax / a2, coefficient s2 / (s_w · s_a);
//     the accumulator is converted to float32 and multiplied by the (double) coefficient, then
//     clipped to ±qmax and truncated toward zero, exactly as the seed's numpy
//     `clip(coeff * acc.astype(float32), −127, 127).astype(int8)` (truncation, not rounding);
//  5. dequantization: requantized / s2, compared with the float result.
//
// A zero range (all weights 0, all activations 0, all float results 0) uses the multiplier 1:
// every code is 0 and nothing is divided by zero.
struct IntegerLinearInput {
    std::int64_t outFeatures = 1;
    std::int64_t inFeatures = 0;
    std::int64_t batch = 1;
    std::vector<double> weights;     // [outFeatures, inFeatures], row-major
    std::vector<double> activations; // [batch, inFeatures], row-major
    std::vector<double> bias;        // [outFeatures], or empty for no bias
};

struct IntegerLinearOptions {
    int bits = 8; // 2 … 16
    // The activations' calibrated range a_A (seed 002: 6); default max|A|.
    std::optional<double> activationRange;
    // The next layer's range a2 (seed 002: 150); default max|float result|, so the largest output
    // maps to ±qmax and nothing is clipped.
    std::optional<double> outputRange;
};

// Everything the run produced; per-output vectors are [batch, outFeatures], row-major.
struct IntegerLinearResult {
    int bits = 8;
    std::int64_t qmax = 127;
    std::int64_t outFeatures = 0;
    std::int64_t inFeatures = 0;
    std::int64_t batch = 0;

    double weightRange = 0.0;           // a = max|W|
    double weightMultiplier = 1.0;      // s_w = qmax / a
    double activationRange = 0.0;       // a_A
    double activationMultiplier = 1.0;  // s_a
    double accumulatorMultiplier = 1.0; // s_w · s_a (also the bias multiplier)
    double outputRange = 0.0;           // a2
    double outputMultiplier = 1.0;      // s2 = qmax / a2
    double requantCoefficient = 1.0;    // s2 / (s_w · s_a)

    std::vector<std::int64_t> weightCodes;     // [outFeatures, inFeatures]
    std::vector<std::int64_t> activationCodes; // [batch, inFeatures]
    std::vector<std::int64_t> biasCodes;       // [outFeatures] (zeros without a bias)
    std::vector<std::int64_t> accumulators;    // Σ w_q·a_q + b_q
    bool exceedsInt32 = false; // a bias code or accumulator left the int32 range (would wrap)
    std::vector<double> accumulatorDequantized; // accumulator / (s_w · s_a): before requantization
    std::vector<std::int64_t> requantized;      // codes for the next layer, in [−qmax, qmax]
    std::vector<double> dequantized;            // requantized / s2
    std::vector<double> floatResult;            // Σ w·a + b in double, left to right
    std::vector<double> absoluteError;          // |floatResult − dequantized|
    // |floatResult − dequantized| / |floatResult|; empty where the float result is 0.
    std::vector<std::optional<double>> relativeError;
    double maxAbsoluteError = 0.0;
};

// Inputs and options of one run.
struct IntegerLinearProblem {
    IntegerLinearInput input;
    IntegerLinearOptions options;
};

// Seed 002's worked example: W = [−23.543, 8.533, 1.012, −12.4756, 34.53],
// A = [0.32432, 1.123213, 0.234324, 5.234234, 4.234323], B = 33.1, 8 bits, the activations'
// calibrated range 6 and the next layer's range 150 (float result 116.19701015660002, integer
// result 9056, requantized 98, dequantized 115.748031, error 0.386394 %).
IntegerLinearProblem seed002Example();

// Throws UsageError on mismatched sizes, bits outside 2 … 16 or a negative / non-finite range,
// InputError on non-finite weights, activations or bias.
IntegerLinearResult runIntegerLinear(const IntegerLinearInput& input,
                                     const IntegerLinearOptions& options = {});

} // namespace quantscope
