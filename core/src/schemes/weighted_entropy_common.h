#pragma once

// Shared steps of the weq and weq-opt schemes: the magnitude order, the objective and the turn
// from clusters into a codebook (the authors' sweeps are in weq_sweeps.h).

#include "quantscope/compensated_sum.h"
#include "quantscope/distribution.h"
#include "quantscope/schemes/weighted_entropy.h"

#include <cstdint>
#include <span>
#include <vector>

namespace quantscope {

// The finite values ordered by magnitude, without materialising that order: the r smallest
// magnitudes are the zeros, the a largest negatives and the b smallest positives (at equal
// magnitude, positives first), where (a, b) is a merge split found by binary search. A cursor
// holds that split; a search between two known cursors only spans the ranks between them, so
// the narrowing bisections of the sweeps stay local in memory.
class MagnitudeOrder {
public:
    struct Cursor {
        std::int64_t rank = 0;
        std::int64_t negatives = 0; // values below zero among the `rank` smallest magnitudes
        std::int64_t positives = 0; // values above zero among them
    };

    explicit MagnitudeOrder(const Distribution& dist);

    std::int64_t count() const { return m_count; }
    Cursor first() const { return {}; }
    Cursor last() const;                    // rank n
    Cursor cursor(std::int64_t rank) const; // O(log n)
    // `below.rank <= rank <= above.rank`; O(log(above.rank − below.rank)).
    Cursor cursor(std::int64_t rank, const Cursor& below, const Cursor& above) const;
    // Sum of w² over the magnitudes before the cursor.
    CompensatedSum squaresBefore(const Cursor& at) const;
    // The same sum in plain double arithmetic (relative error ~1e-16 of the whole sum): what the
    // sweeps' many comparisons need, at a fraction of the cost.
    double roughSquaresBefore(const Cursor& at) const;
    // The magnitude at the cursor's rank (< n), an exact float32 value.
    double magnitudeAt(const Cursor& at) const;
    // The `count` magnitudes from the cursor on, in rank order, into out[0, count); moves the
    // cursor past them.
    void copyMagnitudes(Cursor& from, std::int64_t count, float* out) const;

    CompensatedSum prefixSquares(std::int64_t rank) const { return squaresBefore(cursor(rank)); }
    double magnitudeAt(std::int64_t rank) const { return magnitudeAt(cursor(rank)); }

private:
    double negativeMagnitude(std::int64_t i) const;
    double positiveMagnitude(std::int64_t i) const;
    // Prefix sum of x² of the sorted values: the Distribution's block sum plus the rest of the
    // block (at most 63 exact squares, summed plainly).
    CompensatedSum sortedSquaresBefore(std::int64_t index) const;
    double roughSortedSquaresBefore(std::int64_t index) const;

    const Distribution* m_dist;
    std::span<const float> m_sorted;
    std::int64_t m_count = 0;
    std::int64_t m_zeroBegin = 0;      // sorted index of the first value >= 0 (−0 counts as zero)
    std::int64_t m_zeroEnd = 0;        // sorted index of the first value > 0
    CompensatedSum m_squaresBelowZero; // prefix sums of x² at m_zeroBegin and m_zeroEnd
    CompensatedSum m_squaresToPositives;
    double m_roughSquaresBelowZero = 0.0;
    double m_roughSquaresToPositives = 0.0;
};

// (L + 1) / 2; throws UsageError when L is outside the accepted range.
int weightedEntropyClusterCount(int levels);

// One cluster's term −wp·ln(p/2) for the ranks [begin, end), from the prefix sums of w² at both
// ends; 0 for an empty cluster.
double clusterTerm(const CompensatedSum& squaresAtBegin, const CompensatedSum& squaresAtEnd,
                   std::int64_t begin, std::int64_t end, double n);

double objectiveOf(const MagnitudeOrder& order, int levels, std::span<const std::int64_t> slices);

// Representatives, boundaries, objective and codebook of the final clusters.
WeightedEntropyDesign finishDesign(const MagnitudeOrder& order, int levels,
                                   std::vector<std::int64_t> slices);

} // namespace quantscope
