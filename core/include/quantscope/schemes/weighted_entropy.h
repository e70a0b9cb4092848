#pragma once

#include "quantscope/codebook.h"
#include "quantscope/distribution.h"

#include <cstdint>
#include <span>
#include <vector>

namespace quantscope {

// Weighted-entropy quantization of weights (Park, Ahn, Yoo, CVPR 2017), following the authors'
// Caffe code (caffe-WQ, eh_functions.cu).
//
// The importance of a weight w is w². The finite values are ordered by magnitude; the "rank" r
// of a weight is its position in that order (ties in any order: they share the importance).
// `levels` = L gives half = (L + 1) / 2 magnitude clusters; cluster k holds the ranks
// [slices[k − 1], slices[k]) (slices[−1] = 0, slices[half − 1] = n). Each magnitude cluster is
// two signed levels ±rep[k]; for odd L cluster 0 is the zero level (rep 0), which the objective
// leaves out. With p(k) = count / n and wp(k) = (sum of w² in the cluster) / n the objective is
//     E = − Σ_{k = L % 2 … half − 1} wp(k) · ln(p(k) / 2)      (empty clusters add 0).
//
// Forward rule: q(w) = sign(w) · rep[j], j the largest index with |w| >= boundaries[j], and
// sign(w) = +1 for w >= 0 (so 0 maps to +rep[0]). A weight whose magnitude equals a boundary
// goes to the upper cluster even when its rank lies in the lower one, exactly as the original.
struct WeightedEntropyDesign {
    int levels = 0;                      // L as requested
    bool hasZeroLevel = false;           // L odd: cluster 0 is the zero level
    std::int64_t count = 0;              // n, the finite values
    std::vector<std::int64_t> slices;    // half entries, nondecreasing, slices.back() == n
    std::vector<double> representatives; // rep[k] = sqrt(mean w² of cluster k); see below
    std::vector<double> boundaries;      // bdr[0] = 0, bdr[k + 1] = |w| at rank slices[k]
    double objective = 0.0;              // E of the final clusters
    double initialObjective = 0.0;       // E where the search started
    std::vector<double> sweepObjectives; // E after each sweep (the last one did not raise it)
    bool converged = true;               // false when a sweep budget ran out while E still rose
    // weq-opt only: the number of cut positions the dynamic programme chose from, and whether
    // that was every rank (then `objective` is the true maximum).
    std::int64_t candidateCount = 0;
    bool exact = false;
    Codebook codebook; // ascending signed levels, float32-exact thresholds, weightedEntropy = E

    int clusterCount() const { return static_cast<int>(slices.size()); }
};

// Levels a design accepts; the schemes offer 2 … kWeightedEntropyMaxLevels.
inline constexpr int kWeightedEntropyMinLevels = 1;
inline constexpr int kWeightedEntropyMaxLevels = 256;
// How designWeightedEntropy searches: by default as the authors, sweeping while E rises.
inline constexpr int kWeightedEntropyMaxSweeps = 1 << 20;
struct WeightedEntropySearch {
    int maxSweeps = 0; // > 0: stop after this many sweeps (`converged` = false if E still rose)
    // Many sweeps run two at once on two threads, with the same results; true keeps them on
    // the calling thread, one after the other.
    bool oneThread = false;
};

// The authors' search (caffe-WQ, eh_weight_quant_update): equal-count start
// slices[k] = floor(n (k + 1) / half), then sweeps over the boundaries k = 0 … half − 2, each
// placed by recUpdate's bisection between its neighbours, for as long as a sweep raises E (from a
// previous E of 0, so an all-zero tensor is left as it is); the last sweep is kept as in the
// original, so the cuts are theirs. The sweeps converge slowly for many levels (12994 sweeps for
// L = 256 on 10^7 gaussian values, 1.2-1.5 s of CPU); `search` may cap them.
//
// Empty clusters (ties, n < half) have no mean: an empty cluster 0 of an even L takes the
// representative of the first non-empty cluster (the magnitudes below the data map there); any
// other empty cluster has zero width, is never chosen by the forward rule, and shows its
// boundary as representative. Unused and equal levels are merged in the codebook.
// Throws UsageError when levels is outside [kWeightedEntropyMinLevels, kWeightedEntropyMaxLevels].
WeightedEntropyDesign designWeightedEntropy(const Distribution& dist, int levels,
                                            const WeightedEntropySearch& search = {});

// The maximum of the same objective over boundary placements, by dynamic programming over cut
// positions: every rank when n + 1 <= kWeightedEntropyOptimalCandidates (exact), otherwise that
// many positions (half equal-count, half equal-importance) plus weq's own slices, followed by
// up to 16 of weq's sweeps from the optimum found. So its objective is never below
// designWeightedEntropy's. O(L·M log M) for the programme (the cluster term satisfies the
// quadrangle inequality, so each layer is solved by divide and conquer); on 10^7 values about
// 0.03 s at L = 16, and at L = 256 little more than weq's own search, which it starts from.
inline constexpr std::int64_t kWeightedEntropyOptimalCandidates = 4096;
WeightedEntropyDesign designWeightedEntropyOptimal(const Distribution& dist, int levels);

// E for the clusters given by `slices` (layout as WeightedEntropyDesign::slices); throws
// UsageError when the slices do not fit the distribution and level count.
double weightedEntropyObjective(const Distribution& dist, int levels,
                                std::span<const std::int64_t> slices);

// The forward rule on one weight, straight from the design's boundaries and representatives.
double weightedEntropyForward(const WeightedEntropyDesign& design, float w);

} // namespace quantscope
