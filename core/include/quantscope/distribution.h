#pragma once

#include "quantscope/compensated_sum.h"

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

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
// Built once per tensor (the only O(n log n) step); afterwards every range question costs
// O(log n): two binary searches plus at most one block of values at each end. Prefix sums are
// kept per block of kBlockSize sorted values, not per element, so the memory is the sorted
// float32 copy plus ~0.5 byte per value.
class Distribution {
public:
    static constexpr std::int64_t kBlockSize = 64;

    Distribution() = default;
    explicit Distribution(std::span<const float> values, const ProgressCallback& progress = {});

    std::int64_t count() const { return static_cast<std::int64_t>(m_sorted.size()); }
    std::int64_t nonFiniteCount() const { return m_nonFinite; }
    bool empty() const { return m_sorted.empty(); }

    std::span<const float> sorted() const { return m_sorted; }
    float min() const { return m_sorted.front(); } // precondition: !empty()
    float max() const { return m_sorted.back(); }  // precondition: !empty()
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
    std::vector<float> m_sorted;
    std::vector<CompensatedSum> m_blockSum;        // sum of sorted[0, k * kBlockSize)
    std::vector<CompensatedSum> m_blockSumSquares; // same for x^2
    std::int64_t m_nonFinite = 0;
};

} // namespace quantscope
