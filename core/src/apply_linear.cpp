// Compiled once per SIMD target by Highway's foreach_target; applyLinearRule dispatches at run
// time.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "apply_linear.cpp"
#include <hwy/foreach_target.h> // IWYU pragma: keep

#include <hwy/highway.h>

#include "apply_linear.h"
#include "simd_dispatch.h"

#include <algorithm>

HWY_BEFORE_NAMESPACE();
namespace quantscope {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <bool kCodes, bool kDequantized>
void applyLanes(const LinearRule& rule, const float* HWY_RESTRICT values, std::int64_t count,
                std::int32_t* HWY_RESTRICT codes, float* HWY_RESTRICT dequantized)
{
    const hn::ScalableTag<float> df;
    const hn::RebindToSigned<decltype(df)> di;
    const auto lanes = std::int64_t(hn::Lanes(df));
    const auto inverseScale = hn::Set(df, rule.inverseScale);
    const auto scale = hn::Set(df, rule.scale);
    const auto lowest = hn::Set(df, rule.lowest);
    const auto highest = hn::Set(df, rule.highest);
    const auto zeroPoint = hn::Set(di, rule.zeroPoint);
    const auto zeroPointF = hn::Set(df, float(rule.zeroPoint));
    auto step = [&](hn::Vec<decltype(df)> x) {
        x = hn::IfThenZeroElse(hn::IsNaN(x), x);
        const auto rounded = hn::Round(hn::Mul(x, inverseScale));
        return hn::Add(hn::ConvertTo(di, hn::Min(hn::Max(rounded, lowest), highest)), zeroPoint);
    };
    auto level = [&](hn::Vec<decltype(di)> q) {
        return hn::Mul(hn::Sub(hn::ConvertTo(df, q), zeroPointF), scale);
    };
    std::int64_t i = 0;
    for (; i + lanes <= count; i += lanes) {
        const auto q = step(hn::LoadU(df, values + i));
        if constexpr (kCodes) {
            hn::StoreU(q, di, codes + i);
        }
        if constexpr (kDequantized) {
            hn::StoreU(level(q), df, dequantized + i);
        }
    }
    if (i < count) {
        // The last partial vector through a buffer: a full load could cross the end of the data.
        const std::size_t rest = std::size_t(count - i);
        HWY_ALIGN float valueLanes[hn::MaxLanes(df)] = {};
        std::copy_n(values + i, rest, valueLanes);
        const auto q = step(hn::Load(df, valueLanes));
        HWY_ALIGN std::int32_t codeLanes[hn::MaxLanes(di)];
        HWY_ALIGN float levelLanes[hn::MaxLanes(df)];
        hn::Store(q, di, codeLanes);
        hn::Store(level(q), df, levelLanes);
        for (std::size_t j = 0; j < rest; ++j) {
            if constexpr (kCodes) {
                codes[i + j] = codeLanes[j];
            }
            if constexpr (kDequantized) {
                dequantized[i + j] = levelLanes[j];
            }
        }
    }
}

void ApplyLinearRule(const LinearRule& rule, const float* values, std::int64_t count,
                     std::int32_t* codes, float* dequantized)
{
    if (codes != nullptr && dequantized != nullptr) {
        applyLanes<true, true>(rule, values, count, codes, dequantized);
    } else if (codes != nullptr) {
        applyLanes<true, false>(rule, values, count, codes, nullptr);
    } else if (dequantized != nullptr) {
        applyLanes<false, true>(rule, values, count, nullptr, dequantized);
    }
}

} // namespace HWY_NAMESPACE
} // namespace quantscope
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace quantscope {

HWY_EXPORT(ApplyLinearRule);

void applyLinearRule(const LinearRule& rule, const float* values, std::int64_t count,
                     std::int32_t* codes, float* dequantized)
{
    QUANTSCOPE_DISPATCH(ApplyLinearRule)(rule, values, count, codes, dequantized);
}

} // namespace quantscope
#endif
