#include "quantscope/metrics.h"

#include <algorithm>
#include <cmath>

namespace quantscope {
namespace {

// Sorted-index boundaries of each level: level k holds sorted[bounds[k], bounds[k + 1]).
std::vector<std::int64_t> levelBounds(const Distribution& dist, const Codebook& codebook)
{
    std::vector<std::int64_t> bounds;
    bounds.reserve(codebook.levels.size() + 1);
    bounds.push_back(0);
    for (double t : codebook.thresholds) {
        bounds.push_back(dist.lowerIndex(t));
    }
    bounds.push_back(dist.count());
    return bounds;
}

// sum((x − r)^2) = S2 − 2 r S1 + r^2 n, in double-double so tiny errors of huge sums survive.
double sumSquaredError(const RangeStats& stats, double level)
{
    const CompensatedSum levelSquaredTimesCount =
        CompensatedSum::product(level, level).times(double(stats.count));
    const CompensatedSum sse =
        stats.sumSquares - stats.sum.times(2.0 * level) + levelSquaredTimesCount;
    return std::max(0.0, sse.value());
}

} // namespace

std::pair<double, double> granularRange(const Codebook& codebook)
{
    const double first = codebook.levels.front();
    const double last = codebook.levels.back();
    if (codebook.thresholds.empty()) {
        return {first, last};
    }
    return {first - (codebook.thresholds.front() - first),
            last + (last - codebook.thresholds.back())};
}

std::vector<LevelStats> levelStats(const Distribution& dist, const Codebook& codebook)
{
    const std::vector<std::int64_t> bounds = levelBounds(dist, codebook);
    const auto sorted = dist.sorted();
    std::vector<LevelStats> result(codebook.levels.size());
    for (std::size_t k = 0; k < result.size(); ++k) {
        const RangeStats stats = dist.indexStats(bounds[k], bounds[k + 1]);
        LevelStats& level = result[k];
        level.count = stats.count;
        if (stats.count > 0) {
            const double r = codebook.levels[k];
            level.sumError = (CompensatedSum::product(r, double(stats.count)) - stats.sum).value();
            level.sumSquaredError = sumSquaredError(stats, r);
            level.minValue = sorted[bounds[k]];
            level.maxValue = sorted[bounds[k + 1] - 1];
        }
    }
    return result;
}

ErrorProfile errorProfile(const Distribution& dist, const Codebook& codebook, int bins)
{
    ErrorProfile profile;
    bins = std::max(1, bins);
    const double top = dist.empty() ? 0.0 : dist.maxAbs();
    for (int k = 0; k <= bins; ++k) {
        profile.edges.push_back(top * k / bins);
    }
    profile.counts.assign(static_cast<std::size_t>(bins), 0);
    profile.sumSquaredError.assign(static_cast<std::size_t>(bins), 0.0);
    if (dist.empty()) {
        return profile;
    }
    const std::vector<std::int64_t> cells = levelBounds(dist, codebook);
    // Sorted indices [begin, end) of one bin on one side, cut by the level cells.
    const auto add = [&](int bin, std::int64_t begin, std::int64_t end) {
        auto level = std::upper_bound(cells.begin(), cells.end(), begin) - cells.begin() - 1;
        while (begin < end) {
            const std::int64_t stop = std::min(end, cells[level + 1]);
            if (stop > begin) {
                const RangeStats stats = dist.indexStats(begin, stop);
                profile.counts[bin] += stats.count;
                profile.sumSquaredError[bin] += sumSquaredError(stats, codebook.levels[level]);
            }
            begin = stop;
            ++level;
        }
    };
    for (int bin = 0; bin < bins; ++bin) {
        const double a = profile.edges[bin];
        const double b = profile.edges[bin + 1];
        const bool last = bin + 1 == bins;
        // a <= |x| < b (the last bin closed): x in [a, b) and x in (−b, −a] (not 0 twice).
        const std::int64_t positiveEnd = last ? dist.count() : dist.lowerIndex(b);
        add(bin, dist.lowerIndex(bin == 0 ? 0.0 : a), positiveEnd);
        const std::int64_t negativeBegin = last ? 0 : dist.upperIndex(-b);
        add(bin, negativeBegin, bin == 0 ? dist.lowerIndex(0.0) : dist.upperIndex(-a));
    }
    return profile;
}

Metrics computeMetrics(const Distribution& dist, const Codebook& codebook)
{
    Metrics metrics;
    metrics.count = dist.count();
    metrics.weightedEntropy = codebook.weightedEntropy;
    if (dist.empty()) {
        return metrics;
    }
    const double n = double(dist.count());
    const std::vector<LevelStats> levels = levelStats(dist, codebook);

    double sse = 0.0;
    CompensatedSum errorSum;
    for (std::size_t k = 0; k < levels.size(); ++k) {
        const LevelStats& level = levels[k];
        if (level.count == 0) {
            continue;
        }
        const double r = codebook.levels[k];
        sse += level.sumSquaredError;
        errorSum += level.sumError;
        metrics.maxAbsError = std::max(
            {metrics.maxAbsError, std::abs(level.minValue - r), std::abs(level.maxValue - r)});
        const double p = double(level.count) / n;
        metrics.entropyBits -= p * std::log2(p);
        ++metrics.levelsUsed;
    }
    metrics.mse = sse / n;
    metrics.rmse = std::sqrt(metrics.mse);
    metrics.meanError = errorSum.value() / n;
    const double signal = dist.prefixSumSquares(dist.count()).value();
    if (sse > 0.0 && signal > 0.0) {
        metrics.sqnrDb = 10.0 * std::log10(signal / sse);
    }
    const auto [low, high] = granularRange(codebook);
    const std::int64_t below = dist.lowerIndex(low);
    const std::int64_t above = dist.count() - dist.upperIndex(high);
    metrics.clippedFraction = double(below + above) / n;
    return metrics;
}

} // namespace quantscope
