#include "schemes/level_codebook.h"

namespace quantscope {

Codebook boundaryCodebook(std::vector<double> levels, const std::vector<double>& boundaries,
                          TieRule rule)
{
    for (double& level : levels) {
        level = static_cast<double>(static_cast<float>(level));
    }
    std::vector<double> thresholds;
    thresholds.reserve(boundaries.size());
    for (double boundary : boundaries) {
        const bool tieGoesUp = rule == TieRule::Up || boundary > 0.0;
        thresholds.push_back(exactThreshold(boundary, [&](float x) {
            return tieGoesUp ? double(x) >= boundary : double(x) > boundary;
        }));
    }
    return compactCodebook(levels, thresholds);
}

Codebook nearestLevelCodebook(std::vector<double> levels, TieRule rule)
{
    std::vector<double> boundaries;
    for (std::size_t k = 1; k < levels.size(); ++k) {
        // The sum of two float32 values is exact in double, so is half of it.
        boundaries.push_back(0.5 * (double(float(levels[k - 1])) + double(float(levels[k]))));
    }
    return boundaryCodebook(std::move(levels), boundaries, rule);
}

Codebook compactCodebook(const std::vector<double>& levels, const std::vector<double>& thresholds)
{
    if (levels.empty()) {
        return makeCodebook({0.0}, {});
    }
    std::vector<double> keptLevels = {levels.front()};
    std::vector<double> keptThresholds;
    for (std::size_t k = 1; k < levels.size(); ++k) {
        const double lower = thresholds[k - 1];
        if (k < thresholds.size() && thresholds[k] <= lower) {
            continue; // [lower, thresholds[k]) holds no value
        }
        if (levels[k] == keptLevels.back()) {
            continue; // the cell below extends over this one
        }
        keptLevels.push_back(levels[k]);
        keptThresholds.push_back(lower);
    }
    return makeCodebook(std::move(keptLevels), std::move(keptThresholds));
}

} // namespace quantscope
