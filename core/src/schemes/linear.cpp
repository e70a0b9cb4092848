#include "quantscope/schemes/linear.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace quantscope {
namespace {

constexpr float kScaleEpsilon = std::numeric_limits<float>::epsilon(); // torch.finfo(float32).eps

float inverseScale(const LinearMapping& mapping)
{
    return 1.0f / static_cast<float>(mapping.scale);
}

} // namespace

LinearMapping symmetricMapping(double clipThreshold, int bits)
{
    LinearMapping mapping;
    mapping.qmax = (std::int64_t{1} << (bits - 1)) - 1;
    mapping.qmin = -mapping.qmax;
    const float a = static_cast<float>(std::abs(clipThreshold));
    // One bit leaves only the zero code: any positive scale describes it.
    const float scale = mapping.qmax > 0 ? a / static_cast<float>(mapping.qmax) : a;
    mapping.scale = std::max(scale, kScaleEpsilon);
    return mapping;
}

LinearMapping asymmetricMapping(const Distribution& dist, int bits)
{
    return dist.empty() ? affineMapping(0.0f, 0.0f, bits)
                        : affineMapping(dist.min(), dist.max(), bits);
}

LinearMapping affineMapping(float min, float max, int bits)
{
    LinearMapping mapping;
    mapping.qmin = 0;
    mapping.qmax = (std::int64_t{1} << bits) - 1;
    const float lo = std::min(min, 0.0f);
    const float hi = std::max(max, 0.0f);
    const auto steps = static_cast<float>(mapping.qmax - mapping.qmin);
    float scale = (hi - lo) / steps;
    if (!std::isfinite(scale)) {
        // hi − lo overflows float32 (a range near ±FLT_MAX): take the difference in double.
        scale = static_cast<float>((double(hi) - double(lo)) / double(steps));
    }
    mapping.scale = std::max(scale, kScaleEpsilon);
    const float shift = std::nearbyint(lo / static_cast<float>(mapping.scale));
    mapping.zeroPoint = std::clamp<std::int64_t>(mapping.qmin - static_cast<std::int64_t>(shift),
                                                 mapping.qmin, mapping.qmax);
    return mapping;
}

LinearMapping symmetricStepMapping(double step, int bits)
{
    LinearMapping mapping = symmetricMapping(0.0, bits);
    mapping.scale = step;
    return mapping;
}

LinearMapping asymmetricStepMapping(const Distribution& dist, int bits, double step)
{
    LinearMapping mapping = asymmetricMapping(dist, bits);
    mapping.scale = step;
    return mapping;
}

std::int64_t linearCode(float x, const LinearMapping& mapping)
{
    const float scaled = x * inverseScale(mapping);
    if (std::isnan(scaled)) {
        return std::clamp(mapping.zeroPoint, mapping.qmin, mapping.qmax);
    }
    // Clamp in float first: beyond ±2^62 the conversion to an integer would overflow.
    const float rounded = std::clamp(std::nearbyint(scaled), -0x1.0p62f, 0x1.0p62f);
    return std::clamp(static_cast<std::int64_t>(rounded) + mapping.zeroPoint, mapping.qmin,
                      mapping.qmax);
}

double linearLevel(std::int64_t code, const LinearMapping& mapping)
{
    const float value = (static_cast<float>(code) - static_cast<float>(mapping.zeroPoint)) *
                        static_cast<float>(mapping.scale);
    return static_cast<double>(value);
}

Codebook linearCodebook(const LinearMapping& mapping)
{
    Codebook codebook;
    codebook.linear = mapping;
    for (std::int64_t q = mapping.qmin; q <= mapping.qmax; ++q) {
        codebook.codes.push_back(q);
        codebook.levels.push_back(linearLevel(q, mapping));
        if (q > mapping.qmin) {
            const double guess = (double(q - mapping.zeroPoint) - 0.5) * mapping.scale;
            codebook.thresholds.push_back(
                exactThreshold(guess, [&](float x) { return linearCode(x, mapping) >= q; }));
        }
    }
    return codebook;
}

} // namespace quantscope
