#pragma once

#include "quantscope/codebook.h"
#include "quantscope/distribution.h"

#include <optional>

namespace quantscope {

// Log-domain activation quantization of weighted-entropy quantization (Park, Ahn, Yoo, CVPR
// 2017; the authors' caffe-WQ `weight_log_quant_relu_layer`).
//
// Exponents are in sixteenths of an octave: exponent e stands for the value 2^(e/16). The
// nonzero levels are 2^((first + j·step)/16), j = 0 … magnitudeLevels − 2, and the boundaries
// sit at the geometric midpoints 2^((first + (j − 1/2)·step)/16); the lowest boundary
// 2^((first − step/2)/16) separates the zero level from the first level.
//
// A value belongs to level j as soon as log2(|x|)·16 reaches the level's lower boundary, so a
// value exactly on a geometric midpoint goes to the upper level. For even steps the boundaries are
// whole sixteenths and this is exactly the original's histogram bin membership
// floor(log2(x)·16); the original's forward `round((log2(x)·16 − first)/step)` agrees except at
// such exact ties. Values below the lowest boundary map to 0 (the original emits 0, or the
// smallest normal float as a stand-in for 0 at inference).
struct LogQuantGrid {
    int firstExponent = 0;        // exponent of the smallest nonzero level
    int step = 2;                 // level spacing in sixteenths of an octave (odd steps allowed)
    int magnitudeLevels = 2;      // magnitude levels including the zero level; 1: only 0 (no data)
    bool signMagnitude = false;   // false: x <= 0 -> 0 (after ReLU); true: sign bit + |x|
    double weightedEntropy = 0.0; // the objective E of this grid on the distribution
};

// The grid search of the original: the 1024-bin log histogram (offset −640, 16 bins per octave)
// of the positive values (of |x| ≠ 0 with signMagnitude), narrowed to the occupied bins, searched
// over half_step = 1 … 16 and fsr = 40 … length − half_step·(2L − 5) − 1 for the first maximum of
//   E = − Σ_{i=1..L−1} 2^((first + (i−1)·step)/16) · p_i · ln p_i.
// `fixedStep` searches only the first level; an odd step (the original only has even ones) puts
// the boundaries on half sixteenths, where the counts are taken just as exactly. When that grid has
// no configuration with E > 0 (data narrower than the grid needs, a single value, …) the first
// level is searched over the whole occupied range instead; when that fails too (every configuration
// puts all values in one level) the first level sits at the geometric centre of the data range with
// one octave step (or `fixedStep`). No value to count: magnitudeLevels = 1 (the codebook is the
// single level 0).
//
// Bin counts come from the Distribution in O(bins · log n), never from a pass over the data.
LogQuantGrid searchLogQuantGrid(const Distribution& dist, int magnitudeLevels,
                                std::optional<int> fixedStep, bool signMagnitude);

// The codebook of a grid with float32-exact thresholds. Levels whose lower boundary lies beyond
// the float32 range can never be reached and are left out.
Codebook logQuantCodebook(const LogQuantGrid& grid);

} // namespace quantscope
