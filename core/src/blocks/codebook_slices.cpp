#include "blocks/codebook_slices.h"

#include "quantscope/distribution.h"
#include "quantscope/metrics.h"

#include <algorithm>

namespace quantscope {
namespace {

class CodebookSliceQuantizer final : public BlockQuantizer {
public:
    CodebookSliceQuantizer(const Scheme& scheme, Params resolved)
        : m_scheme(scheme)
        , m_params(std::move(resolved))
    {
    }

    BlockRunStats quantize(const BlockRun& run) const override
    {
        BlockRunStats stats;
        const auto n = static_cast<std::int64_t>(run.values.size());
        for (std::int64_t begin = 0, block = 0; begin < n; begin += run.blockSize, ++block) {
            const std::int64_t length = std::min(run.blockSize, n - begin);
            const auto stored = run.stored.subspan(begin, length);
            const Distribution dist(stored);
            Codebook codebook = m_scheme.design(dist, m_params);
            const auto [low, high] = granularRange(codebook);
            for (std::int64_t i = begin; i < begin + length; ++i) {
                const float x = run.values[i];
                const int level = codebook.levelIndex(x);
                run.codes[i] = static_cast<std::int32_t>(codebook.codes[level]);
                run.dequantized[i] = static_cast<float>(codebook.levels[level]);
                // Replaced non-finite values are 0 here and left out of the metrics anyway.
                stats.clipped += (x < low || x > high) ? 1 : 0;
            }
            stats.storageBits += double(codeBits(codebook.levelCount())) * double(length) +
                                 m_scheme.codebookSideBits(codebook);
            if (!run.blocks.empty()) {
                run.blocks[block] = {codebook.linear ? float(codebook.linear->scale) : 0.0f,
                                     float(codebook.levels.front()), float(codebook.levels.back())};
            }
            if (!run.codebooks.empty()) {
                run.codebooks[block] = std::move(codebook);
            }
        }
        return stats;
    }

    std::optional<std::pair<std::int32_t, std::int32_t>> codeRange() const override
    {
        return std::nullopt;
    }

private:
    const Scheme& m_scheme;
    Params m_params;
};

} // namespace

std::unique_ptr<BlockQuantizer> makeCodebookSliceQuantizer(const Scheme& scheme,
                                                           const Params& resolved)
{
    return std::make_unique<CodebookSliceQuantizer>(scheme, resolved);
}

} // namespace quantscope
