#pragma once

#include "quantscope/compensated_sum.h"
#include "quantscope/populated_array.h"

#include <cstdint>
#include <functional>
#include <span>

namespace quantscope {

// Count, sum and sum of squares of the values in a range.
struct RangeStats {
    std::int64_t count = 0;
    CompensatedSum sum;
    CompensatedSum sumSquares;
};

// Called with the fraction done (0..1); returning false cancels the build (throws Cancelled).
using ProgressCallback = std::function<bool(double fraction)>;

// The finite values of a tensor, sorted, with block prefix sums of x and x^2.
//
// Built once per tensor (the only O(n log n) step, on all cores); afterwards every range question
// costs O(log n): two binary searches plus at most one block of values at each end. Prefix sums
// are kept per block of kBlockSize sorted values, not per element, so the memory is the sorted
// float32 copy plus ~0.5 byte per value. Movable, not copyable.
class Distribution {
public:
    static constexpr std::int64_t kBlockSize = 64;

    Distribution() = default;
    explicit Distribution(std::span<const float> values, const ProgressCallback& progress = {});

    std::int64_t count() const { return m_count; }
    std::int64_t nonFiniteCount() const { return m_nonFinite; }
    bool empty() const { return m_count == 0; }

    std::span<const float> sorted() const { return m_sorted.span(); }
    float min() const { return m_sorted[0]; }           // precondition: !empty()
    float max() const { return m_sorted[m_count - 1]; } // precondition: !empty()
    double maxAbs() const;
    double mean() const;
    double stddev() const; // population standard deviation

    // Index of the first sorted value >= x (values below x: exactly this many).
    std::int64_t lowerIndex(double x) const;
    // Index of the first sorted value > x.
    std::int64_t upperIndex(double x) const;

    // Statistics of the values v with a <= v < b.
    RangeStats rangeStats(double a, double b) const;
    // Statistics of sorted values with indices in [begin, end).
    RangeStats indexStats(std::int64_t begin, std::int64_t end) const;
    // Sum and sum of squares of sorted[0, index).
    CompensatedSum prefixSum(std::int64_t index) const;
    CompensatedSum prefixSumSquares(std::int64_t index) const;

    // Value at quantile q in [0, 1] (nearest rank).
    float quantile(double q) const;

private:
    PopulatedArray<float> m_sorted; // m_count values
    std::int64_t m_count = 0;
    PopulatedArray<CompensatedSum> m_blockSum;        // sum of sorted[0, k * kBlockSize)
    PopulatedArray<CompensatedSum> m_blockSumSquares; // same for x^2
    std::int64_t m_nonFinite = 0;
};

} // namespace quantscope
