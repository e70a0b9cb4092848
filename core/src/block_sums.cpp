// Compiled once per SIMD target by Highway's foreach_target; blockRunSums dispatches at run time.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "block_sums.cpp"
#include <hwy/foreach_target.h> // IWYU pragma: keep

#include <hwy/highway.h>

#include "block_sums.h"
#include "quantscope/distribution.h"
#include "simd_dispatch.h"

HWY_BEFORE_NAMESPACE();
namespace quantscope {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

constexpr int kBlock = int(Distribution::kBlockSize);
static_assert(kBlock == 64, "the gather offsets shift by 6");

// total += x, the exact rounding error added to comp (Knuth's TwoSum: no branch, so it
// vectorises; it gives the same error as Neumaier's comparison).
template <class V> HWY_INLINE void addCompensated(V& total, V& comp, V x)
{
    const V t = hn::Add(total, x);
    const V back = hn::Sub(t, total);
    comp = hn::Add(comp, hn::Add(hn::Sub(total, hn::Sub(t, back)), hn::Sub(x, back)));
    total = t;
}

HWY_INLINE CompensatedSum normalised(double total, double comp)
{
    CompensatedSum sum(total);
    sum += comp;
    return sum;
}

void BlockRunSums(const float* HWY_RESTRICT values, std::int64_t blocks,
                  CompensatedSum* HWY_RESTRICT sums, CompensatedSum* HWY_RESTRICT squares)
{
    const hn::ScalableTag<double> dd;
    const hn::Rebind<float, decltype(dd)> df;
    const hn::Rebind<std::int32_t, decltype(dd)> di;
    const auto lanes = std::int64_t(hn::Lanes(dd));
    // Lane j reads block j of the group: value i of it lies j * kBlock floats further on.
    const auto offsets = hn::ShiftLeft<6>(hn::Iota(di, 0));
    HWY_ALIGN double total[hn::MaxLanes(dd)];
    HWY_ALIGN double comp[hn::MaxLanes(dd)];
    HWY_ALIGN double totalSquares[hn::MaxLanes(dd)];
    HWY_ALIGN double compSquares[hn::MaxLanes(dd)];
    std::int64_t b = 0;
    for (; b + lanes <= blocks; b += lanes) {
        const float* group = values + b * kBlock;
        auto s = hn::Zero(dd);
        auto sc = hn::Zero(dd);
        auto q = hn::Zero(dd);
        auto qc = hn::Zero(dd);
        for (int i = 0; i < kBlock; ++i) {
            const auto x = hn::PromoteTo(dd, hn::GatherIndex(df, group + i, offsets));
            addCompensated(s, sc, x);
            addCompensated(q, qc, hn::Mul(x, x)); // exact: a float32 squared fits a double
        }
        hn::Store(s, dd, total);
        hn::Store(sc, dd, comp);
        hn::Store(q, dd, totalSquares);
        hn::Store(qc, dd, compSquares);
        for (std::int64_t j = 0; j < lanes; ++j) {
            sums[b + j] = normalised(total[j], comp[j]);
            squares[b + j] = normalised(totalSquares[j], compSquares[j]);
        }
    }
    const hn::CappedTag<double, 1> d1;
    for (; b < blocks; ++b) {
        const float* block = values + b * kBlock;
        auto s = hn::Zero(d1);
        auto sc = hn::Zero(d1);
        auto q = hn::Zero(d1);
        auto qc = hn::Zero(d1);
        for (int i = 0; i < kBlock; ++i) {
            const auto x = hn::Set(d1, double(block[i]));
            addCompensated(s, sc, x);
            addCompensated(q, qc, hn::Mul(x, x));
        }
        sums[b] = normalised(hn::GetLane(s), hn::GetLane(sc));
        squares[b] = normalised(hn::GetLane(q), hn::GetLane(qc));
    }
}

} // namespace HWY_NAMESPACE
} // namespace quantscope
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace quantscope {

HWY_EXPORT(BlockRunSums);

void blockRunSums(const float* values, std::int64_t blocks, CompensatedSum* sums,
                  CompensatedSum* squares)
{
    QUANTSCOPE_DISPATCH(BlockRunSums)(values, blocks, sums, squares);
}

} // namespace quantscope
#endif
