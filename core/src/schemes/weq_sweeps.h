#pragma once

// The authors' search for the weighted-entropy clusters (caffe-WQ, eh_functions.cu:
// eh_weight_quant_update's while loop over recUpdate).

#include "schemes/weighted_entropy_common.h"

#include <cstdint>
#include <vector>

namespace quantscope {

struct SweepRule {
    int maxSweeps = 0;              // 0: no limit, the authors' rule alone
    bool undoLoweringSweep = false; // restore the slices a sweep that lowered E started from
    bool oneThread = false;         // never two sweeps at once
};

struct SweepResult {
    std::vector<double> objectives; // E after each sweep
    bool converged = true;          // false when maxSweeps stopped the sweeps while E still rose
};

// From `slices` (updated in place): while E rises (prev_E = 0 at the start, so an all-zero
// tensor gets no sweep), sweep over the boundaries k = 0 … half − 2 in order; each sets
// slices[k] by the authors' bisection between slices[k − 1] (0 for k = 0) and slices[k + 1] − 1:
// compare the local objective of clusters k and k + 1 (cluster k left out when it is the zero
// level) at center and center + 1, keep the half on the larger side, and at two adjacent ranks
// take the lower one only when its objective is strictly larger. As the original, the last
// sweep is kept even when it lowered E (unless `rule` says otherwise); E is compared as
// computed, without tolerance. Where the original recurses forever (clusters k and k + 1 holding
// at most one value between them) the boundary goes to slices[k − 1].
//
// A boundary's bisection depends only on its two neighbours, so it is repeated only when they
// moved. Each comparison is decided by the sign of n·(E(s + 1) − E(s)) = m²·ln(y / (x + 1))
// − L·ln(1 + 1/x) + R·ln(1 + 1/y), written out so that it does not cancel: m is the magnitude at
// rank s and, with the cut at s, the lower cluster holds x values with sum of squares L and the
// upper one y + 1 values with sum R (the first term is m²·ln(y / 2n) when cluster k is the zero
// level). Where that sign lies within the rounding of the original's two sums (ties), the sums
// are compared as the original compares them. When the sweeps are many for the values (many
// clusters; up to 2^27 values) they work on a copy of the magnitudes in rank order, kept in
// cache lines with the sum of squares before them; otherwise ranks are found in the
// Distribution's two sorted runs. When they are many at all (and unless `rule` undoes a
// lowering sweep or asks for one thread), two consecutive sweeps run at once on two threads, the
// later one a boundary behind the earlier, with the same cuts and objectives as one after the
// other.
SweepResult runSweeps(const MagnitudeOrder& order, int levels, std::vector<std::int64_t>& slices,
                      const SweepRule& rule);

} // namespace quantscope
