#include "quantscope/integer_pipeline.h"

#include "quantscope/errors.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <string>

namespace quantscope {
namespace {

constexpr double kInt32Max = std::numeric_limits<std::int32_t>::max();
constexpr double kInt32Min = std::numeric_limits<std::int32_t>::min();
// Bias codes are held in int64; beyond this they are saturated (and flagged anyway).
constexpr double kCodeLimit = 4.0e18;

void requireFinite(std::span<const double> values, const char* what)
{
    if (!std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); })) {
        throw InputError(std::string("linear: the ") + what + " contain NaN or Inf");
    }
}

double maxAbs(std::span<const double> values)
{
    double result = 0.0;
    for (double v : values) {
        result = std::max(result, std::abs(v));
    }
    return result;
}

double checkedRange(const std::optional<double>& given, double fallback, const char* what)
{
    if (!given) {
        return fallback;
    }
    if (!std::isfinite(*given) || *given < 0.0) {
        throw UsageError(std::string("linear: the ") + what +
                         " range must be a finite number >= 0, got " + std::to_string(*given));
    }
    return *given;
}

// qmax / range, or 1 for a zero range (then every value is 0 and any multiplier is exact).
double multiplierFor(double range, std::int64_t qmax)
{
    return range > 0.0 ? static_cast<double>(qmax) / range : 1.0;
}

std::int64_t symmetricCode(double value, double multiplier, std::int64_t qmax)
{
    const double limit = static_cast<double>(qmax);
    return static_cast<std::int64_t>(std::clamp(std::nearbyint(value * multiplier), -limit, limit));
}

} // namespace

IntegerLinearProblem seed002Example()
{
    IntegerLinearProblem example;
    example.input.outFeatures = 1;
    example.input.inFeatures = 5;
    example.input.batch = 1;
    example.input.weights = {-23.543, 8.533, 1.012, -12.4756, 34.53};
    example.input.activations = {0.32432, 1.123213, 0.234324, 5.234234, 4.234323};
    example.input.bias = {33.1};
    example.options.bits = 8;
    example.options.activationRange = 6.0;
    example.options.outputRange = 150.0;
    return example;
}

IntegerLinearResult runIntegerLinear(const IntegerLinearInput& input,
                                     const IntegerLinearOptions& options)
{
    if (options.bits < 2 || options.bits > 16) {
        throw UsageError("linear: bits must be from 2 to 16, got " + std::to_string(options.bits));
    }
    const std::int64_t outs = input.outFeatures;
    const std::int64_t ins = input.inFeatures;
    const std::int64_t batch = input.batch;
    if (outs < 1 || ins < 1 || batch < 1) {
        throw UsageError("linear: the shapes need at least one output, input and batch row");
    }
    if (static_cast<std::int64_t>(input.weights.size()) != outs * ins) {
        throw UsageError("linear: " + std::to_string(input.weights.size()) +
                         " weights do not form a [" + std::to_string(outs) + ", " +
                         std::to_string(ins) + "] matrix");
    }
    if (static_cast<std::int64_t>(input.activations.size()) != batch * ins) {
        throw UsageError("linear: " + std::to_string(input.activations.size()) +
                         " activations do not form " + std::to_string(batch) + " row(s) of " +
                         std::to_string(ins));
    }
    if (!input.bias.empty() && static_cast<std::int64_t>(input.bias.size()) != outs) {
        throw UsageError("linear: " + std::to_string(input.bias.size()) + " bias values for " +
                         std::to_string(outs) + " output(s)");
    }
    requireFinite(input.weights, "weights");
    requireFinite(input.activations, "activations");
    requireFinite(input.bias, "bias values");

    IntegerLinearResult r;
    r.bits = options.bits;
    r.qmax = (std::int64_t{1} << (options.bits - 1)) - 1;
    r.outFeatures = outs;
    r.inFeatures = ins;
    r.batch = batch;

    // The float reference, summed left to right as numpy does for short rows.
    r.floatResult.resize(batch * outs);
    for (std::int64_t b = 0; b < batch; ++b) {
        for (std::int64_t o = 0; o < outs; ++o) {
            double sum = 0.0;
            for (std::int64_t i = 0; i < ins; ++i) {
                sum += input.weights[o * ins + i] * input.activations[b * ins + i];
            }
            r.floatResult[b * outs + o] = sum + (input.bias.empty() ? 0.0 : input.bias[o]);
        }
    }

    if (!std::all_of(r.floatResult.begin(), r.floatResult.end(),
                     [](double v) { return std::isfinite(v); })) {
        throw InputError("linear: the float result overflows the double range");
    }

    r.weightRange = maxAbs(input.weights);
    r.weightMultiplier = multiplierFor(r.weightRange, r.qmax);
    r.activationRange =
        checkedRange(options.activationRange, maxAbs(input.activations), "activation");
    r.activationMultiplier = multiplierFor(r.activationRange, r.qmax);
    r.accumulatorMultiplier = r.weightMultiplier * r.activationMultiplier;
    r.outputRange = checkedRange(options.outputRange, maxAbs(r.floatResult), "output");
    r.outputMultiplier = multiplierFor(r.outputRange, r.qmax);
    r.requantCoefficient = r.outputMultiplier / r.accumulatorMultiplier;
    if (!(r.accumulatorMultiplier > 0.0) || !std::isfinite(r.accumulatorMultiplier) ||
        !std::isfinite(r.requantCoefficient)) {
        throw InputError(
            "linear: the value ranges are too extreme for the scales to be represented");
    }

    r.weightCodes.reserve(input.weights.size());
    for (double w : input.weights) {
        r.weightCodes.push_back(symmetricCode(w, r.weightMultiplier, r.qmax));
    }
    r.activationCodes.reserve(input.activations.size());
    for (double a : input.activations) {
        r.activationCodes.push_back(symmetricCode(a, r.activationMultiplier, r.qmax));
    }
    r.biasCodes.assign(outs, 0);
    for (std::size_t o = 0; o < input.bias.size(); ++o) {
        const double code = std::nearbyint(input.bias[o] * r.accumulatorMultiplier);
        r.biasCodes[o] = static_cast<std::int64_t>(std::clamp(code, -kCodeLimit, kCodeLimit));
        r.exceedsInt32 = r.exceedsInt32 || code > kInt32Max || code < kInt32Min;
    }

    const double limit = static_cast<double>(r.qmax);
    const std::size_t outputs = static_cast<std::size_t>(batch * outs);
    r.accumulators.resize(outputs);
    r.accumulatorDequantized.resize(outputs);
    r.requantized.resize(outputs);
    r.dequantized.resize(outputs);
    r.absoluteError.resize(outputs);
    r.relativeError.resize(outputs);
    for (std::int64_t b = 0; b < batch; ++b) {
        for (std::int64_t o = 0; o < outs; ++o) {
            std::int64_t acc = r.biasCodes[o];
            for (std::int64_t i = 0; i < ins; ++i) {
                acc += r.weightCodes[o * ins + i] * r.activationCodes[b * ins + i];
            }
            const std::size_t k = static_cast<std::size_t>(b * outs + o);
            r.accumulators[k] = acc;
            r.exceedsInt32 = r.exceedsInt32 || acc > kInt32Max || acc < kInt32Min;
            r.accumulatorDequantized[k] = static_cast<double>(acc) / r.accumulatorMultiplier;

            const double rescaled = r.requantCoefficient * static_cast<float>(acc);
            r.requantized[k] =
                static_cast<std::int64_t>(std::trunc(std::clamp(rescaled, -limit, limit)));
            r.dequantized[k] = static_cast<double>(r.requantized[k]) / r.outputMultiplier;

            const double exact = r.floatResult[k];
            r.absoluteError[k] = std::abs(exact - r.dequantized[k]);
            if (exact != 0.0) {
                r.relativeError[k] = r.absoluteError[k] / std::abs(exact);
            }
            r.maxAbsoluteError = std::max(r.maxAbsoluteError, r.absoluteError[k]);
        }
    }
    return r;
}

} // namespace quantscope
