#pragma once

#include <cstdint>

namespace quantscope {

// The integer rule of a linear codebook in SIMD lanes, float32 throughout as linearCode and
// linearLevel compute it: NaN as 0, s = x · inverseScale, q = clamp(round_half_even(s), lowest,
// highest) + zeroPoint, dequantized = (q − zeroPoint) · scale. `lowest`/`highest` are qmin/qmax
// less the zero point; either output may be null.
struct LinearRule {
    float inverseScale = 1.0f;
    float scale = 1.0f;
    float lowest = 0.0f;
    float highest = 0.0f;
    std::int32_t zeroPoint = 0;
};

void applyLinearRule(const LinearRule& rule, const float* values, std::int64_t count,
                     std::int32_t* codes, float* dequantized);

} // namespace quantscope
