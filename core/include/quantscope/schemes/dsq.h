#pragma once

#include "quantscope/distribution.h"
#include "quantscope/params.h"

#include <vector>

namespace quantscope {

// Differentiable Soft Quantization (Gong et al., ICCV 2019) on the clip range [lower, upper]
// with N = 2^bits levels lower + k·Δ, k = 0 … N − 1, Δ = (upper − lower)/(N − 1).
//
// Inside interval i = [lower + iΔ, lower + (i+1)Δ) (midpoint m_i) the soft step is
//   φ(x) = s · tanh(k·(x − m_i)),  k = ln(2/α − 1)/Δ,  s = 1/tanh(kΔ/2),
// and the output is lower + Δ·(i + (φ + 1)/2): continuous, increasing, equal to the levels at
// the interval ends and to the midpoint at m_i. Values outside [lower, upper] are clipped first.
// As α → 0 (k → ∞, s → 1) it becomes the hard quantizer: levels lower + k·Δ with thresholds at
// the midpoints, ties rounded half to even (the scheme `dsq` designs that codebook); as α → 1 it
// flattens to the identity.
struct DsqQuantizer {
    double lower = 0.0;
    double upper = 1.0;
    int bits = 4;       // 1 … 30
    double alpha = 0.2; // 0 < α < 1

    int levelCount() const;
    double delta() const;     // Δ; 0 when lower == upper
    double sharpness() const; // k
    double scale() const;     // s
    double soft(double x) const;
    // Index of the hard level: clamp(round_half_even((x − lower)/Δ), 0, N − 1).
    int hardIndex(double x) const;
    double hard(double x) const;
};

// The quantizer the scheme `dsq` designs for its resolved `params` on `dist`. Unset clips are the
// data's range. A `step` Δ fixes the grid's spacing and the range follows, N − 1 steps long:
// from `lower` when it is set, down from `upper` when that is set, else centred on the data's
// range. Throws UsageError when lower > upper or when lower, upper and step are all set.
DsqQuantizer dsqQuantizerFor(const Distribution& dist, const Params& params);

// The soft output for one value (see DsqQuantizer).
double dsqSoft(double x, double lower, double upper, int bits, double alpha);

// The soft curve sampled at `samples` equally spaced points of [from, to] (for plots).
struct CurveSamples {
    std::vector<double> x;
    std::vector<double> y;
};
CurveSamples sampleDsqSoft(const DsqQuantizer& quantizer, double from, double to, int samples);

} // namespace quantscope
