#include "quantscope/schemes/lloyd_max.h"

#include "quantscope/scheme.h"
#include "schemes/level_codebook.h"
#include "schemes/scheme_factories.h"

#include <algorithm>
#include <cmath>

namespace quantscope {
namespace {

// Histogram bins per level for the start: fine enough to place every level, O(L log n) to build.
constexpr int kStartBinsPerLevel = 16;
constexpr int kStartMinBins = 256;

// The starting cells, as the ends of index ranges of the sorted values: equal shares of the
// density p^(1/3), the level density of the optimal quantizer at high resolution (Panter & Dite
// 1951), measured on a histogram. Equal shares of p itself (plain quantiles) starve the tails and
// Lloyd needs thousands of iterations to move levels out there. A cell always ends where a run of
// equal values ends, so data with fewer distinct values get fewer cells.
std::vector<std::int64_t> startCells(const Distribution& dist, int levels)
{
    const std::int64_t n = dist.count();
    const double lo = dist.min();
    const double hi = dist.max();
    const int bins = std::max(kStartMinBins, kStartBinsPerLevel * levels);
    const double width = (hi - lo) / bins;
    std::vector<double> cumulative(bins + 1, 0.0);
    std::int64_t below = 0;
    for (int b = 0; b < bins; ++b) {
        const std::int64_t end = b + 1 == bins ? n : dist.lowerIndex(lo + width * (b + 1));
        cumulative[b + 1] = cumulative[b] + std::cbrt(double(end - below));
        below = end;
    }
    std::vector<std::int64_t> ends;
    std::int64_t begin = 0;
    int bin = 0;
    for (int k = 1; k < levels && begin < n; ++k) {
        const double target = cumulative[bins] * k / levels;
        while (bin + 1 < bins && cumulative[bin + 1] < target) {
            ++bin;
        }
        const double share = cumulative[bin + 1] - cumulative[bin];
        const double fraction = share > 0 ? (target - cumulative[bin]) / share : 0.0;
        const double boundary = lo + width * (bin + fraction);
        // At least one run of equal values per cell.
        const std::int64_t end =
            std::max(dist.lowerIndex(boundary), dist.upperIndex(dist.sorted()[begin]));
        if (end >= n) {
            break;
        }
        ends.push_back(end);
        begin = end;
    }
    ends.push_back(n);
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
               "levels at cell means";
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
        result.initialLevels = {0.0};
        result.mseHistory = {0.0};
        result.converged = true;
        return result;
    }
    const double n = double(dist.count());
    std::vector<std::int64_t> ends = startCells(dist, levels);
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
    result.initialLevels = level;

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
