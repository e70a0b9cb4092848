#pragma once

// Shared steps of the weq and weq-opt schemes: the magnitude order, the objective, the authors'
// bisection sweeps and the turn from clusters into a codebook.

#include "quantscope/compensated_sum.h"
#include "quantscope/distribution.h"
#include "quantscope/schemes/weighted_entropy.h"

#include <cstdint>
#include <span>
#include <vector>

namespace quantscope {

// The finite values ordered by magnitude, without materialising that order: the r smallest
// magnitudes are the zeros, the a largest negatives and the b smallest positives, where (a, b)
// is a merge split found by binary search. So every question costs O(log n) plus one block of
// the Distribution's prefix sums.
class MagnitudeOrder {
public:
    explicit MagnitudeOrder(const Distribution& dist);

    std::int64_t count() const { return m_count; }
    // Sum of w² over the `rank` smallest magnitudes (rank in [0, n]).
    CompensatedSum prefixSquares(std::int64_t rank) const;
    // The magnitude at `rank` (in [0, n)), an exact float32 value.
    double magnitudeAt(std::int64_t rank) const;

private:
    struct Split {
        std::int64_t negatives = 0;
        std::int64_t positives = 0;
    };
    Split split(std::int64_t rank) const;
    double negativeMagnitude(std::int64_t i) const;
    double positiveMagnitude(std::int64_t i) const;

    const Distribution* m_dist;
    std::span<const float> m_sorted;
    std::int64_t m_count = 0;
    std::int64_t m_zeroBegin = 0;      // sorted index of the first value >= 0 (−0 counts as zero)
    std::int64_t m_zeroEnd = 0;        // sorted index of the first value > 0
    CompensatedSum m_squaresBelowZero; // prefix sums of x² at m_zeroBegin and m_zeroEnd
    CompensatedSum m_squaresToPositives;
};

// (L + 1) / 2; throws UsageError when L is outside the accepted range.
int weightedEntropyClusterCount(int levels);

// One cluster's term −wp·ln(p/2) for the ranks [begin, end), from the prefix sums of w² at both
// ends; 0 for an empty cluster.
double clusterTerm(const CompensatedSum& squaresAtBegin, const CompensatedSum& squaresAtEnd,
                   std::int64_t begin, std::int64_t end, double n);

double objectiveOf(const MagnitudeOrder& order, int levels, std::span<const std::int64_t> slices);

// The authors' search from `slices` (updated in place): sweeps over the boundaries while E rises;
// a sweep that lowers E is undone. Returns E after each kept sweep.
std::vector<double> runSweeps(const MagnitudeOrder& order, int levels,
                              std::vector<std::int64_t>& slices);

// Representatives, boundaries, objective and codebook of the final clusters.
WeightedEntropyDesign finishDesign(const MagnitudeOrder& order, int levels,
                                   std::vector<std::int64_t> slices);

} // namespace quantscope
