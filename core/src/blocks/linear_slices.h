#pragma once

#include "quantscope/block_scheme.h"

#include <memory>
#include <optional>

namespace quantscope {

// Linear (PyTorch-style) quantization with one scale per slice: symmetric, with the clip
// threshold `clip` · max|x| of each slice (or a fixed `range`), or affine over each slice's
// [min, max] widened to include 0. The same scales, zero points and codes as designing the
// symmetric or asymmetric scheme on each slice's Distribution, from one vectorized kernel.
struct LinearSliceDesign {
    bool affine = false;
    int bits = 8;
    double clip = 1.0;
    std::optional<double> range;
};

std::unique_ptr<BlockQuantizer> makeLinearSliceQuantizer(const LinearSliceDesign& design);

} // namespace quantscope
