#pragma once

#include <vector>

namespace quantscope {

// Φ⁻¹(p), the standard normal quantile: Acklam's rational approximation refined by one Halley
// step on std::erfc (relative error ~1e-15 in the tails as well, where p is computed as 1 − p
// only when that is exact). p <= 0 gives −inf, p >= 1 +inf, NaN gives NaN.
double inverseNormalCdf(double p);

// QLoRA's NormalFloat offset: the outermost quantile, 1/2·((1 − 1/(2·15)) + (1 − 1/(2·16))),
// as bitsandbytes' create_normal_map writes it.
inline constexpr double kNormalFloatOffset = 0.9677083;

// The 2^bits NormalFloat values in [−1, 1], ascending: 2^(b−1) positive quantiles of N(0, 1) at
// linspace(offset, 0.5, 2^(b−1) + 1)[:-1], 2^(b−1) − 1 negative ones at
// linspace(offset, 0.5, 2^(b−1))[:-1], an exact 0, all divided by the largest (bits >= 2).
// Computed as bitsandbytes' create_normal_map does (float32 linspace, float32 values and
// division), so NF4 is its table bit for bit.
std::vector<double> normalFloatValues(int bits);

} // namespace quantscope
