#include "quantscope/schemes/lloyd_max.h"

#include "quantscope/scheme.h"
#include "schemes/level_codebook.h"
#include "schemes/scheme_factories.h"

#include <algorithm>
#include <cmath>

namespace quantscope {
namespace {

// Equal-count cells of the sorted values, each ending at the end of a run of equal values; the
// remaining values are shared equally among the remaining cells. Returns the cell ends.
std::vector<std::int64_t> equalCountCells(const Distribution& dist, int levels)
{
    const auto sorted = dist.sorted();
    const std::int64_t n = dist.count();
    std::vector<std::int64_t> ends;
    std::int64_t begin = 0;
    for (int k = 0; k < levels && begin < n; ++k) {
        const std::int64_t remainingCells = levels - k;
        const std::int64_t size = std::max<std::int64_t>(1, (n - begin) / remainingCells);
        const std::int64_t end = k + 1 == levels ? n : dist.upperIndex(sorted[begin + size - 1]);
        ends.push_back(end);
        begin = end;
    }
    return ends;
}

double cellMean(const RangeStats& stats)
{
    return stats.sum.value() / double(stats.count);
}

// Sum of (x − level)^2 over a cell, as computeMetrics evaluates it.
double cellSquaredError(const RangeStats& stats, double level)
{
    const CompensatedSum sse = stats.sumSquares - stats.sum.times(2.0 * level) +
                               CompensatedSum::product(level, level).times(double(stats.count));
    return std::max(0.0, sse.value());
}

class LloydMaxScheme final : public Scheme {
public:
    std::string id() const override { return "lloyd-max"; }
    std::string displayName() const override { return "Lloyd-Max (MSE-optimal)"; }
    std::string description() const override
    {
        return "Non-uniform levels minimising the MSE (1-D k-means): boundaries at midpoints, "
               "levels at cell means, from equal-count cells";
    }
    std::vector<ParamSpec> paramSpecs() const override
    {
        return {{"bits", ParamKind::Bits, 1, 8, 4, "Bit width: at most 2^b levels"}};
    }

protected:
    Codebook designResolved(const Distribution& dist, const Params& params) const override
    {
        const LloydMaxResult result = lloydMax(dist, 1 << params.getInt("bits"));
        return nearestLevelCodebook(result.levels, TieRule::Up);
    }
};

} // namespace

LloydMaxResult lloydMax(const Distribution& dist, int levels, int maxIterations)
{
    LloydMaxResult result;
    if (dist.empty() || levels < 1) {
        result.levels = {0.0};
        result.mseHistory = {0.0};
        result.converged = true;
        return result;
    }
    const double n = double(dist.count());
    std::vector<std::int64_t> ends = equalCountCells(dist, levels);
    std::vector<double>& level = result.levels;
    double sse = 0.0;
    std::int64_t begin = 0;
    for (std::int64_t end : ends) {
        const RangeStats stats = dist.indexStats(begin, end);
        level.push_back(cellMean(stats));
        sse += cellSquaredError(stats, level.back());
        begin = end;
    }
    result.mseHistory.push_back(sse / n);

    const std::size_t cells = level.size();
    while (result.iterations < maxIterations) {
        // Nearest neighbour: cell k ends at the midpoint to level k + 1 (the midpoint goes up).
        for (std::size_t k = 0; k + 1 < cells; ++k) {
            ends[k] = dist.lowerIndex(0.5 * (level[k] + level[k + 1]));
        }
        // Centroid: each non-empty cell's level moves to its mean.
        sse = 0.0;
        begin = 0;
        for (std::size_t k = 0; k < cells; ++k) {
            const RangeStats stats = dist.indexStats(begin, ends[k]);
            if (stats.count > 0) {
                level[k] = cellMean(stats);
                sse += cellSquaredError(stats, level[k]);
            }
            begin = ends[k];
        }
        ++result.iterations;
        const double previous = result.mseHistory.back();
        result.mseHistory.push_back(sse / n);
        if (std::abs(previous - sse / n) <= kLloydMaxRelativeChange * previous) {
            result.converged = true;
            break;
        }
    }
    return result;
}

std::unique_ptr<Scheme> makeLloydMaxScheme()
{
    return std::make_unique<LloydMaxScheme>();
}

} // namespace quantscope
