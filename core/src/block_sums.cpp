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

// Up to four blocks side by side, one per lane: a 128-bit target holds two, a scalar one one.
using GroupTag = hn::CappedTag<double, 4>;
using GroupVec = hn::Vec<GroupTag>;

// The running sums of one group: lane j belongs to block j.
struct GroupSums {
    GroupVec sum, sumComp, squares, squaresComp;

    void add(GroupVec x)
    {
        addCompensated(sum, sumComp, x);
        addCompensated(squares, squaresComp, hn::Mul(x, x)); // exact: a float32 squared fits
    }
};

// rows[j] holds values i … i + lanes − 1 of block j; their columns (value i + k of every block)
// are added in order. Transposing in registers costs a few shuffles where a gather of the same
// column costs a slow microcoded load on some CPUs (Zen 4).
HWY_INLINE void addRows(GroupTag d, const GroupVec (&rows)[4], GroupSums& sums)
{
#if HWY_TARGET == HWY_SCALAR // one lane, and no shuffles to name
    (void)d;
    sums.add(rows[0]);
#else
    if constexpr (hn::MaxLanes(GroupTag()) == 4) {
        // Interleave within 128-bit halves, then join halves: the 4 × 4 transpose.
        const GroupVec a0 = hn::InterleaveLower(d, rows[0], rows[1]);
        const GroupVec a1 = hn::InterleaveUpper(d, rows[0], rows[1]);
        const GroupVec a2 = hn::InterleaveLower(d, rows[2], rows[3]);
        const GroupVec a3 = hn::InterleaveUpper(d, rows[2], rows[3]);
        sums.add(hn::ConcatLowerLower(d, a2, a0));
        sums.add(hn::ConcatLowerLower(d, a3, a1));
        sums.add(hn::ConcatUpperUpper(d, a2, a0));
        sums.add(hn::ConcatUpperUpper(d, a3, a1));
    } else if constexpr (hn::MaxLanes(GroupTag()) == 2) {
        sums.add(hn::InterleaveLower(d, rows[0], rows[1]));
        sums.add(hn::InterleaveUpper(d, rows[0], rows[1]));
    } else {
        sums.add(rows[0]);
    }
#endif
}

void BlockRunSums(const float* HWY_RESTRICT values, std::int64_t blocks,
                  CompensatedSum* HWY_RESTRICT sums, CompensatedSum* HWY_RESTRICT squares)
{
    const GroupTag dd;
    const hn::Rebind<float, GroupTag> df;
    constexpr auto kLanes = std::int64_t(hn::MaxLanes(GroupTag()));
    static_assert(kBlock % kLanes == 0, "a block is whole rows");
    HWY_ALIGN double total[kLanes];
    HWY_ALIGN double comp[kLanes];
    HWY_ALIGN double totalSquares[kLanes];
    HWY_ALIGN double compSquares[kLanes];
    std::int64_t b = 0;
    for (; b + kLanes <= blocks; b += kLanes) {
        const float* group = values + b * kBlock;
        GroupSums run{hn::Zero(dd), hn::Zero(dd), hn::Zero(dd), hn::Zero(dd)};
        for (int i = 0; i < kBlock; i += int(kLanes)) {
            GroupVec rows[4];
            for (std::int64_t j = 0; j < kLanes; ++j) {
                rows[j] = hn::PromoteTo(dd, hn::LoadU(df, group + j * kBlock + i));
            }
            addRows(dd, rows, run);
        }
        hn::Store(run.sum, dd, total);
        hn::Store(run.sumComp, dd, comp);
        hn::Store(run.squares, dd, totalSquares);
        hn::Store(run.squaresComp, dd, compSquares);
        for (std::int64_t j = 0; j < kLanes; ++j) {
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
