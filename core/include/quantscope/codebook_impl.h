#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

namespace quantscope {

template <typename Predicate> double exactThreshold(double guess, Predicate mapsAbove)
{
    constexpr float kInf = std::numeric_limits<float>::infinity();
    float x = static_cast<float>(guess);
    if (std::isnan(x)) {
        x = 0.0f;
    }
    // Walk by growing strides to bracket the answer [lo, hi], then bisect on the float grid.
    float stride = std::max(std::abs(x), std::numeric_limits<float>::min()) * 1e-6f;
    float lo;
    float hi;
    if (mapsAbove(x)) {
        hi = x;
        lo = std::nextafter(x, -kInf);
        while (mapsAbove(lo) && std::isfinite(lo)) {
            hi = lo;
            lo = std::nextafter(lo - stride, -kInf);
            stride *= 2.0f;
        }
        if (!std::isfinite(lo) && mapsAbove(lo)) {
            return -std::numeric_limits<float>::max();
        }
    } else {
        lo = x;
        hi = std::nextafter(x, kInf);
        while (!mapsAbove(hi) && std::isfinite(hi)) {
            lo = hi;
            hi = std::nextafter(hi + stride, kInf);
            stride *= 2.0f;
        }
        if (!std::isfinite(hi)) {
            return std::numeric_limits<float>::max();
        }
    }
    // Invariant: !mapsAbove(lo), mapsAbove(hi).
    while (std::nextafter(lo, kInf) < hi) {
        float mid = 0.5f * lo + 0.5f * hi; // no overflow even for lo = −max, hi = max
        if (mid <= lo || mid >= hi) {
            mid = std::nextafter(lo, kInf);
        }
        if (mapsAbove(mid)) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    return hi;
}

} // namespace quantscope
