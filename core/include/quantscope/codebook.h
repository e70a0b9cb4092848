#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace quantscope {

// The integer side of a linear (affine) quantizer: x ≈ (q − zeroPoint) · scale, q in [qmin, qmax].
// `scale` is the step in value units (PyTorch's convention); a multiplier s = 1/scale is what
// seed 002 calls the scale.
struct LinearMapping {
    double scale = 1.0;
    std::int64_t zeroPoint = 0;
    std::int64_t qmin = 0;
    std::int64_t qmax = 0;
};

// A scalar quantizer as a piecewise-constant map: Q(x) = levels[k] for
// thresholds[k-1] <= x < thresholds[k] (thresholds[-1] = −inf, thresholds[L-1] = +inf).
//
// Thresholds are exact for float32 inputs: thresholds[k-1] is the smallest float32 value that
// the scheme maps to level k, so ties (round half to even, |w| >= boundary) are honoured and
// metrics from the Distribution equal a direct pass over the data.
struct Codebook {
    std::vector<double> thresholds;  // L − 1, strictly ascending
    std::vector<double> levels;      // L, ascending
    std::vector<std::int64_t> codes; // integer code of each level: q for linear, else the index
    std::optional<LinearMapping> linear;
    std::optional<double> weightedEntropy; // the paper's objective, where the scheme defines it

    int levelCount() const { return static_cast<int>(levels.size()); }
    // Index of the level x maps to. NaN maps to the level of 0; ±inf saturate.
    int levelIndex(double x) const;
    double quantize(double x) const { return levels[levelIndex(x)]; }
};

// A codebook from levels and thresholds; codes are the level indices.
Codebook makeCodebook(std::vector<double> levels, std::vector<double> thresholds);

// The smallest float32 value x for which `mapsAbove(x)` is true, searched near `guess`.
// `mapsAbove` must be monotone (false below the answer, true from it on). Schemes use it to turn
// their arithmetic rule into exact thresholds.
template <typename Predicate> double exactThreshold(double guess, Predicate mapsAbove);

} // namespace quantscope

#include "quantscope/codebook_impl.h"
