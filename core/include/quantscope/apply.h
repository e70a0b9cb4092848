#pragma once

#include "quantscope/codebook.h"
#include "quantscope/tensor.h"

#include <cstdint>
#include <span>
#include <vector>

namespace quantscope {

// A tensor through a codebook, element by element (for export and per-element views).
struct AppliedTensor {
    std::vector<std::int32_t> codes; // integer codes (linear schemes) or level indices
    std::vector<float> dequantized;
};

AppliedTensor applyCodebook(std::span<const float> values, const Codebook& codebook);

} // namespace quantscope
