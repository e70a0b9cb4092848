#pragma once

#include "quantscope/distribution.h"

#include <vector>

namespace quantscope {

// Lloyd's algorithm on a Distribution (k-means in one dimension, the MSE-optimal scalar quantizer
// of Lloyd 1957 / Max 1960), each iteration O(L log n): cells are index ranges of the sorted
// values, their means come from the prefix sums.
struct LloydMaxResult {
    std::vector<double> initialLevels; // the start: means of the starting cells
    std::vector<double> levels;        // ascending, strictly (double precision, before float32)
    std::vector<double> mseHistory;    // MSE after each iteration, starting with the initial levels
    int iterations = 0;                // Lloyd updates performed
    bool converged = false;            // stopped by the relative MSE change, not the limit
};

inline constexpr int kLloydMaxIterations = 200;
inline constexpr double kLloydMaxRelativeChange = 1e-10;

// At most `levels` levels, started from cells of equal shares of p^(1/3) (a run of equal values
// is never split, so data with fewer distinct values get fewer levels). Boundaries are the
// midpoints of neighbouring levels, a value on a midpoint joining the upper cell; an empty cell
// keeps its level. Stops when the MSE changes by less than kLloydMaxRelativeChange (relative) or
// after `maxIterations` updates.
LloydMaxResult lloydMax(const Distribution& dist, int levels,
                        int maxIterations = kLloydMaxIterations);

} // namespace quantscope
