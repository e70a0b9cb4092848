#pragma once

#include "quantscope/codebook.h"
#include "quantscope/schemes/minifloat.h"
#include "schemes/level_codebook.h"

#include <cstdlib>
#include <vector>

namespace quantscope {

// Helpers of the element-grid block schemes (MX, NVFP4), scalar: for references and for the
// codebook of one block.

// |y| beyond the top magnitude by more than half its cell counts as clipped.
inline double overloadOf(const std::vector<double>& magnitudes)
{
    const double top = magnitudes.back();
    return magnitudes.size() > 1 ? top + 0.5 * (top - magnitudes[magnitudes.size() - 2]) : top;
}

// The signed element code of y: nearest magnitude (ties to the even code), saturating.
inline int roundOnGrid(double y, const std::vector<double>& magnitudes)
{
    const int index = roundMinifloatMagnitude(y, magnitudes);
    return y < 0 ? -index : index;
}

// The codebook of one block: levels ±magnitude · scale, thresholds exact for float32 inputs.
// `signedCodeOf(x)` is the block's rule for a value (its element code).
template <typename SignedCodeOf>
Codebook gridCodebook(const std::vector<double>& magnitudes, float scale, SignedCodeOf signedCodeOf)
{
    const int top = static_cast<int>(magnitudes.size()) - 1;
    std::vector<double> levels;
    for (int k = -top; k <= top; ++k) {
        const float magnitude = static_cast<float>(magnitudes[std::abs(k)]) * scale;
        levels.push_back(k < 0 ? -double(magnitude) : double(magnitude));
    }
    if (!(scale > 0.0f)) {
        return makeCodebook({0.0}, {});
    }
    std::vector<double> thresholds;
    for (int k = 1; k < int(levels.size()); ++k) {
        const double guess = 0.5 * (levels[k - 1] + levels[k]);
        thresholds.push_back(
            exactThreshold(guess, [&](float x) { return top + signedCodeOf(x) >= k; }));
    }
    return compactCodebook(levels, thresholds);
}

} // namespace quantscope
