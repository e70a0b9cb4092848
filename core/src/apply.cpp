#include "quantscope/apply.h"

namespace quantscope {

AppliedTensor applyCodebook(std::span<const float> values, const Codebook& codebook)
{
    AppliedTensor applied;
    applied.codes.resize(values.size());
    applied.dequantized.resize(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        const int level = codebook.levelIndex(values[i]);
        applied.codes[i] = static_cast<std::int32_t>(codebook.codes[level]);
        applied.dequantized[i] = static_cast<float>(codebook.levels[level]);
    }
    return applied;
}

} // namespace quantscope
