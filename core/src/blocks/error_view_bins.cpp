// Highway compiles this file once per instruction set through foreach_target.h; the functions at
// the end dispatch to the best one the CPU supports.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "blocks/error_view_bins.cpp"
#include <hwy/foreach_target.h> // IWYU pragma: keep

#include <hwy/highway.h>

#include "blocks/error_view_bins.h"
#include "simd_dispatch.h"

#include <algorithm>
#include <cmath>

HWY_BEFORE_NAMESPACE();
namespace quantscope::kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Double lanes, with the float and int32 vectors of as many lanes.
using DoubleTag = hn::ScalableTag<double>;
using FloatTag = hn::Rebind<float, DoubleTag>;
using IntTag = hn::Rebind<std::int32_t, DoubleTag>;

void ProfileBinsImpl(const float* x, const float* q, std::size_t n, double scale, int last,
                     std::int32_t* bin, double* squaredError)
{
    const DoubleTag dd;
    const FloatTag df;
    const IntTag di;
    const std::size_t lanes = hn::Lanes(dd);
    const auto scaleV = hn::Set(dd, scale);
    const auto lastV = hn::Set(dd, double(last));
    const auto none = hn::Set(di, -1);
    std::size_t i = 0;
    for (; i + lanes <= n; i += lanes) {
        const auto xf = hn::LoadU(df, x + i);
        const auto xd = hn::PromoteTo(dd, xf);
        // min before the conversion: the same integer as after it, and no overflow.
        const auto position = hn::Min(hn::Mul(hn::Abs(xd), scaleV), lastV);
        const auto finite = hn::RebindMask(di, hn::IsFinite(xf));
        hn::StoreU(hn::IfThenElse(finite, hn::DemoteTo(di, position), none), di, bin + i);
        const auto e = hn::Sub(hn::PromoteTo(dd, hn::LoadU(df, q + i)), xd);
        hn::StoreU(hn::Mul(e, e), dd, squaredError + i);
    }
    for (; i < n; ++i) {
        const double e = double(q[i]) - double(x[i]);
        bin[i] = std::isfinite(x[i])
                     ? static_cast<int>(std::min(double(last), std::abs(double(x[i])) * scale))
                     : -1;
        squaredError[i] = e * e;
    }
}

void ErrorBinsImpl(const float* x, const float* q, std::size_t n, double low, double scale,
                   int last, std::int32_t* bin)
{
    const DoubleTag dd;
    const FloatTag df;
    const IntTag di;
    const std::size_t lanes = hn::Lanes(dd);
    const auto lowV = hn::Set(dd, low);
    const auto scaleV = hn::Set(dd, scale);
    const auto lastV = hn::Set(dd, double(last));
    const auto none = hn::Set(di, -1);
    std::size_t i = 0;
    for (; i + lanes <= n; i += lanes) {
        const auto xf = hn::LoadU(df, x + i);
        const auto e = hn::Sub(hn::PromoteTo(dd, hn::LoadU(df, q + i)), hn::PromoteTo(dd, xf));
        const auto position = hn::Mul(hn::Sub(e, lowV), scaleV);
        // Clamped to [0, last] as doubles: an error beyond the range must not overflow the int.
        const auto clamped = hn::Min(hn::Max(position, hn::Zero(dd)), lastV);
        const auto finite = hn::RebindMask(di, hn::IsFinite(xf));
        hn::StoreU(hn::IfThenElse(finite, hn::DemoteTo(di, clamped), none), di, bin + i);
    }
    for (; i < n; ++i) {
        const double position = (double(q[i]) - double(x[i]) - low) * scale;
        bin[i] = !std::isfinite(x[i]) ? -1
                 : position > 0.0     ? static_cast<int>(std::min(double(last), position))
                                      : 0;
    }
}

} // namespace HWY_NAMESPACE
} // namespace quantscope::kernels
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace quantscope::kernels {

HWY_EXPORT(ProfileBinsImpl);
HWY_EXPORT(ErrorBinsImpl);

void profileBins(const float* x, const float* dequantized, std::size_t n, double scale, int last,
                 std::int32_t* bin, double* squaredError)
{
    QUANTSCOPE_DISPATCH(ProfileBinsImpl)(x, dequantized, n, scale, last, bin, squaredError);
}

void errorBins(const float* x, const float* dequantized, std::size_t n, double low, double scale,
               int last, std::int32_t* bin)
{
    QUANTSCOPE_DISPATCH(ErrorBinsImpl)(x, dequantized, n, low, scale, last, bin);
}

} // namespace quantscope::kernels
#endif
