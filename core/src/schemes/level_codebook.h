#pragma once

#include "quantscope/codebook.h"

#include <vector>

namespace quantscope {

// Which level a value exactly on a cell boundary takes.
enum class TieRule {
    Up,           // the larger level
    AwayFromZero, // the level of larger magnitude, so that Q(−x) = −Q(x)
};

// A codebook from ascending levels and the boundaries between them in value units
// (boundaries[k] separates levels[k] and levels[k + 1]). Levels are rounded to float32, the
// values a dequantizer can return; thresholds are exact for float32 inputs.
Codebook boundaryCodebook(std::vector<double> levels, const std::vector<double>& boundaries,
                          TieRule rule);

// Nearest level: the boundaries are the arithmetic midpoints of the float32 levels.
Codebook nearestLevelCodebook(std::vector<double> levels, TieRule rule);

// Drops cells that no float32 value reaches (a threshold equal to the next) and merges
// neighbouring cells with the same level, so thresholds and levels become strictly ascending.
// Thresholds must be non-decreasing and levels ascending.
Codebook compactCodebook(const std::vector<double>& levels, const std::vector<double>& thresholds);

} // namespace quantscope
