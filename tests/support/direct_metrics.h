#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <span>

namespace quantscope::test {

// Metrics are exact up to double rounding; a plain loop and the vectorized, parallel pass sum in
// different orders.
constexpr double kMetricRelTolerance = 1e-9;

inline bool closeTo(double actual, double expected, double relTolerance = kMetricRelTolerance)
{
    return std::abs(actual - expected) <= relTolerance * std::max(1.0, std::abs(expected));
}

// The metrics of a dequantized tensor, by a plain loop over the finite values (the independent
// reference the passes are held against).
struct DirectMetrics {
    std::int64_t count = 0;
    double mse = 0.0;
    double sqnrDb = 0.0;
    double maxAbsError = 0.0;
    double meanError = 0.0;
    double entropyBits = 0.0;
    int levelsUsed = 0;
};

inline DirectMetrics directMetrics(std::span<const float> values,
                                   std::span<const float> dequantized,
                                   std::span<const std::int32_t> codes)
{
    DirectMetrics m;
    double sse = 0.0;
    double signal = 0.0;
    double error = 0.0;
    std::map<std::int32_t, std::int64_t> population;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!std::isfinite(values[i])) {
            continue;
        }
        const double e = double(dequantized[i]) - double(values[i]);
        ++m.count;
        sse += e * e;
        signal += double(values[i]) * double(values[i]);
        error += e;
        m.maxAbsError = std::max(m.maxAbsError, std::abs(e));
        ++population[codes[i]];
    }
    const double n = double(m.count);
    m.mse = sse / n;
    m.sqnrDb = 10.0 * std::log10(signal / sse);
    m.meanError = error / n;
    for (const auto& [code, c] : population) {
        const double p = double(c) / n;
        m.entropyBits -= p * std::log2(p);
    }
    m.levelsUsed = static_cast<int>(population.size());
    return m;
}

} // namespace quantscope::test
