// Highway compiles this file once per instruction set (SSE4, AVX2, AVX-512 …) through
// foreach_target.h; the functions at the end dispatch to the best one the CPU supports.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "blocks/block_kernels.cpp"
#include <hwy/foreach_target.h> // IWYU pragma: keep

#include <hwy/highway.h>

#include "blocks/block_kernels.h"
#include "simd_dispatch.h"

#include <algorithm>
#include <cmath>
#include <limits>

HWY_BEFORE_NAMESPACE();
namespace quantscope::kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

bool AllFiniteImpl(const float* x, std::size_t n)
{
    const hn::ScalableTag<float> d;
    const std::size_t lanes = hn::Lanes(d);
    std::size_t i = 0;
    auto finite = hn::IsFinite(hn::Zero(d));
    for (; i + lanes <= n; i += lanes) {
        finite = hn::And(finite, hn::IsFinite(hn::LoadU(d, x + i)));
    }
    bool all = hn::AllTrue(d, finite);
    for (; i < n; ++i) {
        all = all && std::isfinite(x[i]);
    }
    return all;
}

void ReplaceNonFiniteImpl(const float* x, std::size_t n, float* out)
{
    const hn::ScalableTag<float> d;
    const std::size_t lanes = hn::Lanes(d);
    std::size_t i = 0;
    for (; i + lanes <= n; i += lanes) {
        const auto v = hn::LoadU(d, x + i);
        hn::StoreU(hn::IfThenElseZero(hn::IsFinite(v), v), d, out + i);
    }
    for (; i < n; ++i) {
        out[i] = std::isfinite(x[i]) ? x[i] : 0.0f;
    }
}

RunSums SumRunImpl(const float* x, const float* q, std::size_t n)
{
    // Doubles throughout: the difference of two floats is exact in double, so the sums are as
    // good as a double accumulation of the exact errors.
    const hn::ScalableTag<double> dd;
    const hn::Rebind<float, decltype(dd)> df;
    const std::size_t lanes = hn::Lanes(dd);
    constexpr double kInf = std::numeric_limits<double>::infinity();
    auto sumError = hn::Zero(dd);
    auto sumSquaredError = hn::Zero(dd);
    auto sumSquares = hn::Zero(dd);
    auto minError = hn::Set(dd, kInf);
    auto maxError = hn::Set(dd, -kInf);
    auto count = hn::Zero(dd);
    const auto one = hn::Set(dd, 1.0);
    std::size_t i = 0;
    for (; i + lanes <= n; i += lanes) {
        const auto xp = hn::PromoteTo(dd, hn::LoadU(df, x + i));
        const auto finite = hn::IsFinite(xp);
        const auto xd = hn::IfThenElseZero(finite, xp);
        const auto qd = hn::IfThenElseZero(finite, hn::PromoteTo(dd, hn::LoadU(df, q + i)));
        const auto e = hn::Sub(qd, xd);
        sumError = hn::Add(sumError, e);
        sumSquaredError = hn::MulAdd(e, e, sumSquaredError);
        sumSquares = hn::MulAdd(xd, xd, sumSquares);
        minError = hn::Min(minError, hn::IfThenElse(finite, e, hn::Set(dd, kInf)));
        maxError = hn::Max(maxError, hn::IfThenElse(finite, e, hn::Set(dd, -kInf)));
        count = hn::Add(count, hn::IfThenElseZero(finite, one));
    }
    RunSums sums;
    sums.sumError = hn::GetLane(hn::SumOfLanes(dd, sumError));
    sums.sumSquaredError = hn::GetLane(hn::SumOfLanes(dd, sumSquaredError));
    sums.sumSquares = hn::GetLane(hn::SumOfLanes(dd, sumSquares));
    sums.minError = hn::GetLane(hn::MinOfLanes(dd, minError));
    sums.maxError = hn::GetLane(hn::MaxOfLanes(dd, maxError));
    sums.count = static_cast<std::int64_t>(hn::GetLane(hn::SumOfLanes(dd, count)));
    for (; i < n; ++i) {
        if (!std::isfinite(x[i])) {
            continue;
        }
        const double e = double(q[i]) - double(x[i]);
        sums.sumError += e;
        sums.sumSquaredError += e * e;
        sums.sumSquares += double(x[i]) * double(x[i]);
        sums.minError = std::min(sums.minError, e);
        sums.maxError = std::max(sums.maxError, e);
        ++sums.count;
    }
    return sums;
}

// Blocks whose size is a multiple of the vector length are reduced with vectors, others (small
// or odd sizes) lane by lane.
void BlockMaxAbsImpl(const float* x, std::size_t n, std::size_t blockSize, float* out)
{
    const hn::ScalableTag<float> d;
    const std::size_t lanes = hn::Lanes(d);
    for (std::size_t begin = 0, b = 0; begin < n; begin += blockSize, ++b) {
        const std::size_t end = std::min(n, begin + blockSize);
        std::size_t i = begin;
        auto m = hn::Zero(d);
        for (; i + lanes <= end; i += lanes) {
            m = hn::Max(m, hn::Abs(hn::LoadU(d, x + i)));
        }
        float amax = hn::GetLane(hn::MaxOfLanes(d, m));
        for (; i < end; ++i) {
            amax = std::max(amax, std::abs(x[i]));
        }
        out[b] = amax;
    }
}

void BlockMinMaxImpl(const float* x, std::size_t n, std::size_t blockSize, float* outMin,
                     float* outMax)
{
    const hn::ScalableTag<float> d;
    const std::size_t lanes = hn::Lanes(d);
    constexpr float kInf = std::numeric_limits<float>::infinity();
    for (std::size_t begin = 0, b = 0; begin < n; begin += blockSize, ++b) {
        const std::size_t end = std::min(n, begin + blockSize);
        std::size_t i = begin;
        auto lo = hn::Set(d, kInf);
        auto hi = hn::Set(d, -kInf);
        for (; i + lanes <= end; i += lanes) {
            const auto v = hn::LoadU(d, x + i);
            lo = hn::Min(lo, v);
            hi = hn::Max(hi, v);
        }
        float mn = hn::GetLane(hn::MinOfLanes(d, lo));
        float mx = hn::GetLane(hn::MaxOfLanes(d, hi));
        for (; i < end; ++i) {
            mn = std::min(mn, x[i]);
            mx = std::max(mx, x[i]);
        }
        outMin[b] = mn;
        outMax[b] = mx;
    }
}

// One vector of elements on the grid. y: the scaled values; returns the magnitudes' signed
// element value (in grid units) and writes the codes.
template <class D, class V = hn::Vec<D>>
HWY_INLINE V RoundOnGrid(D d, V y, const ElementGrid& grid, hn::Vec<hn::RebindToSigned<D>>& code)
{
    const hn::RebindToSigned<D> di;
    const auto a = hn::Min(hn::Abs(y), hn::Set(d, grid.maxNormal));
    const auto negative = hn::RebindMask(di, y < hn::Zero(d));
    if (grid.integer) {
        // q / 2^m with |q| <= maxNormal · 2^m.
        const float unit = std::ldexp(1.0f, grid.mantissaBits);
        const auto q = hn::Round(hn::Mul(a, hn::Set(d, unit)));
        const auto index = hn::ConvertTo(di, q);
        code = hn::IfThenElse(negative, hn::Neg(index), index);
        return hn::CopySign(hn::Mul(q, hn::Set(d, 1.0f / unit)), y);
    }
    // The exponent of a (floor(log2 a), or −127 for 0), raised to the subnormal exponent; at that
    // exponent the grid step is 2^(exponent − m), so rounding a · 2^(m − exponent) to an integer
    // is rounding to the grid. All scalings are powers of two: exact.
    const auto exponent = hn::Max(hn::Sub(hn::ShiftRight<23>(hn::BitCast(di, a)), hn::Set(di, 127)),
                                  hn::Set(di, grid.minExponent));
    const auto up =
        hn::BitCast(d, hn::ShiftLeft<23>(hn::Sub(hn::Set(di, 127 + grid.mantissaBits), exponent)));
    const auto down =
        hn::BitCast(d, hn::ShiftLeft<23>(hn::Add(hn::Set(di, 127 - grid.mantissaBits), exponent)));
    const auto q = hn::Round(hn::Mul(a, up));
    // The magnitude's code: (exponent − minExponent) · 2^m + q (q = 2^(m+1) is the next binade).
    const auto index = hn::Add(
        hn::ShiftLeftSame(hn::Sub(exponent, hn::Set(di, grid.minExponent)), grid.mantissaBits),
        hn::ConvertTo(di, q));
    code = hn::IfThenElse(negative, hn::Neg(index), index);
    return hn::CopySign(hn::Mul(q, down), y);
}

// Lanes(d) values of one block: scale, round, store; returns how many were beyond the overload.
template <class D>
HWY_INLINE std::size_t GridStep(D d, const float* x, float scale, float inverseScale, bool divide,
                                const ElementGrid& grid, float* dq, std::int32_t* codes)
{
    const auto s = hn::Set(d, scale);
    const auto xv = hn::LoadU(d, x);
    auto y = divide ? hn::Div(xv, s) : hn::Mul(xv, hn::Set(d, inverseScale));
    y = hn::IfThenElseZero(s != hn::Zero(d), y); // a zero scale holds only zeros
    hn::Vec<hn::RebindToSigned<D>> code;
    const auto element = RoundOnGrid(d, y, grid, code);
    hn::StoreU(hn::Mul(element, s), d, dq);
    hn::StoreU(code, hn::RebindToSigned<D>(), codes);
    return hn::CountTrue(d, hn::Abs(y) > hn::Set(d, grid.overload));
}

template <class D>
std::int64_t GridBlocks(D d, const float* x, std::size_t n, std::size_t blockSize,
                        const float* scale, const float* inverseScale, bool divide,
                        const ElementGrid& grid, float* dq, std::int32_t* codes)
{
    const std::size_t lanes = hn::Lanes(d);
    const hn::CappedTag<float, 1> one;
    std::int64_t clipped = 0;
    for (std::size_t begin = 0, b = 0; begin < n; begin += blockSize, ++b) {
        const std::size_t end = std::min(n, begin + blockSize);
        std::size_t i = begin;
        for (; i + lanes <= end; i += lanes) {
            clipped += static_cast<std::int64_t>(
                GridStep(d, x + i, scale[b], inverseScale[b], divide, grid, dq + i, codes + i));
        }
        for (; i < end; ++i) {
            clipped += static_cast<std::int64_t>(
                GridStep(one, x + i, scale[b], inverseScale[b], divide, grid, dq + i, codes + i));
        }
    }
    return clipped;
}

std::int64_t QuantizeOnGridImpl(const float* x, std::size_t n, std::size_t blockSize,
                                const float* scale, const float* inverseScale, bool divide,
                                const ElementGrid& grid, float* dq, std::int32_t* codes)
{
    // Narrower vectors when blocks are too small (or odd) for the widest ones.
    const hn::ScalableTag<float> full;
    if (blockSize % hn::Lanes(full) == 0) {
        return GridBlocks(full, x, n, blockSize, scale, inverseScale, divide, grid, dq, codes);
    }
    const hn::CappedTag<float, 8> eight;
    if (blockSize % hn::Lanes(eight) == 0) {
        return GridBlocks(eight, x, n, blockSize, scale, inverseScale, divide, grid, dq, codes);
    }
    const hn::CappedTag<float, 4> four;
    return GridBlocks(four, x, n, blockSize, scale, inverseScale, divide, grid, dq, codes);
}

std::int64_t QuantizeLinearImpl(const float* x, std::size_t n, std::size_t blockSize,
                                const float* scale, const float* inverseScale,
                                const float* zeroPoint, float qmin, float qmax, float* dq,
                                std::int32_t* codes)
{
    const hn::ScalableTag<float> d;
    const hn::RebindToSigned<decltype(d)> di;
    const std::size_t lanes = hn::Lanes(d);
    const auto low = hn::Set(d, qmin);
    const auto high = hn::Set(d, qmax);
    std::int64_t clipped = 0;
    for (std::size_t begin = 0, b = 0; begin < n; begin += blockSize, ++b) {
        const std::size_t end = std::min(n, begin + blockSize);
        const float sb = scale[b];
        const float ib = inverseScale[b];
        const float zb = zeroPoint[b];
        const auto s = hn::Set(d, sb);
        const auto inverse = hn::Set(d, ib);
        const auto zero = hn::Set(d, zb);
        std::size_t i = begin;
        for (; i + lanes <= end; i += lanes) {
            // Codes stay exact integers in float: |round(x / scale)| is clamped long before 2^24.
            const auto shifted = hn::Add(hn::Round(hn::Mul(hn::LoadU(d, x + i), inverse)), zero);
            clipped +=
                static_cast<std::int64_t>(hn::CountTrue(d, hn::Or(shifted<low, shifted> high)));
            const auto q = hn::Min(hn::Max(shifted, low), high);
            hn::StoreU(hn::ConvertTo(di, q), di, codes + i);
            hn::StoreU(hn::Mul(hn::Sub(q, zero), s), d, dq + i);
        }
        for (; i < end; ++i) {
            const float shifted = std::nearbyint(x[i] * ib) + zb;
            clipped += (shifted < qmin || shifted > qmax) ? 1 : 0;
            const float q = std::clamp(shifted, qmin, qmax);
            codes[i] = static_cast<std::int32_t>(q);
            dq[i] = (q - zb) * sb;
        }
    }
    return clipped;
}

} // namespace HWY_NAMESPACE
} // namespace quantscope::kernels
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace quantscope::kernels {

HWY_EXPORT(AllFiniteImpl);
HWY_EXPORT(ReplaceNonFiniteImpl);
HWY_EXPORT(SumRunImpl);
HWY_EXPORT(BlockMaxAbsImpl);
HWY_EXPORT(BlockMinMaxImpl);
HWY_EXPORT(QuantizeOnGridImpl);
HWY_EXPORT(QuantizeLinearImpl);

bool allFinite(const float* x, std::size_t n)
{
    return QUANTSCOPE_DISPATCH(AllFiniteImpl)(x, n);
}

void replaceNonFinite(const float* x, std::size_t n, float* out)
{
    QUANTSCOPE_DISPATCH(ReplaceNonFiniteImpl)(x, n, out);
}

RunSums sumRun(const float* x, const float* dequantized, std::size_t n)
{
    return QUANTSCOPE_DISPATCH(SumRunImpl)(x, dequantized, n);
}

void blockMaxAbs(const float* x, std::size_t n, std::size_t blockSize, float* maxAbs)
{
    QUANTSCOPE_DISPATCH(BlockMaxAbsImpl)(x, n, blockSize, maxAbs);
}

void blockMinMax(const float* x, std::size_t n, std::size_t blockSize, float* min, float* max)
{
    QUANTSCOPE_DISPATCH(BlockMinMaxImpl)(x, n, blockSize, min, max);
}

std::int64_t quantizeOnGrid(const float* x, std::size_t n, std::size_t blockSize,
                            const float* scale, const float* inverseScale, bool divide,
                            const ElementGrid& grid, float* dequantized, std::int32_t* codes)
{
    return QUANTSCOPE_DISPATCH(QuantizeOnGridImpl)(x, n, blockSize, scale, inverseScale, divide,
                                                   grid, dequantized, codes);
}

std::int64_t quantizeLinear(const float* x, std::size_t n, std::size_t blockSize,
                            const float* scale, const float* inverseScale, const float* zeroPoint,
                            float qmin, float qmax, float* dequantized, std::int32_t* codes)
{
    return QUANTSCOPE_DISPATCH(QuantizeLinearImpl)(x, n, blockSize, scale, inverseScale, zeroPoint,
                                                   qmin, qmax, dequantized, codes);
}

} // namespace quantscope::kernels
#endif
