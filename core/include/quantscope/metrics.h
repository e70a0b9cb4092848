#pragma once

#include "quantscope/codebook.h"
#include "quantscope/distribution.h"

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace quantscope {

// Error of a codebook on a tensor's finite values; exact, computed from the Distribution in
// O(L log n) without a pass over the data.
struct Metrics {
    std::int64_t count = 0;
    double mse = 0.0;
    double rmse = 0.0;
    std::optional<double> sqnrDb; // empty when the error or the signal is zero
    double maxAbsError = 0.0;
    double meanError = 0.0; // mean of Q(x) − x (the bias)
    double entropyBits = 0.0;
    std::optional<double> weightedEntropy;
    // Values in the overload region: beyond an outer level by more than that level's inner
    // half-cell (r_0 − (t_0 − r_0) below, r_L−1 + (r_L−1 − t_L−2) above), so their error exceeds
    // what the cell gives inside. For linear schemes: round(x/scale) + zero point outside
    // [qmin, qmax]. With a single level, every value that is not that level.
    double clippedFraction = 0.0;
    int levelsUsed = 0;
};

// What each level receives: its population and its share of the error.
struct LevelStats {
    std::int64_t count = 0;
    double sumError = 0.0; // sum of Q(x) − x
    double sumSquaredError = 0.0;
    double minValue = 0.0; // smallest value mapped to the level (when count > 0)
    double maxValue = 0.0;
};

std::vector<LevelStats> levelStats(const Distribution& dist, const Codebook& codebook);

// Where the error comes from: the values binned by |x| over [0, max|x|], with the count and the
// sum of squared errors of each bin.
struct ErrorProfile {
    std::vector<double> edges;
    std::vector<std::int64_t> counts;
    std::vector<double> sumSquaredError;
};
// A codebook's error profile from the Distribution, exact, O((bins + L) log n).
ErrorProfile errorProfile(const Distribution& dist, const Codebook& codebook, int bins);
// The range [low, high] outside which values count as clipped (see Metrics::clippedFraction).
std::pair<double, double> granularRange(const Codebook& codebook);
Metrics computeMetrics(const Distribution& dist, const Codebook& codebook);

} // namespace quantscope
