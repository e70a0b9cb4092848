#include "blocks/linear_slices.h"

#include "blocks/block_kernels.h"
#include "quantscope/schemes/linear.h"

#include <vector>

namespace quantscope {
namespace {

constexpr double kScaleBits = 32.0; // a float32 scale per slice

class LinearSliceQuantizer final : public BlockQuantizer {
public:
    explicit LinearSliceQuantizer(const LinearSliceDesign& design)
        : m_design(design)
        , m_limits(m_design.affine ? affineMapping(0.0f, 0.0f, design.bits)
                                   : symmetricMapping(0.0, design.bits))
        , m_codeBits(codeBits(int(m_limits.qmax - m_limits.qmin + 1)))
    {
    }

    BlockRunStats quantize(const BlockRun& run) const override
    {
        const std::size_t n = run.values.size();
        const auto blockSize = static_cast<std::size_t>(run.blockSize);
        const std::size_t blocks = (n + blockSize - 1) / blockSize;
        thread_local std::vector<float> low;
        thread_local std::vector<float> high;
        thread_local std::vector<float> scale;
        thread_local std::vector<float> inverse;
        thread_local std::vector<float> zero;
        for (auto* v : {&low, &high, &scale, &inverse, &zero}) {
            v->resize(blocks);
        }
        if (m_design.affine) {
            kernels::blockMinMax(run.values.data(), n, blockSize, low.data(), high.data());
        } else {
            kernels::blockMaxAbs(run.values.data(), n, blockSize, high.data());
        }
        for (std::size_t b = 0; b < blocks; ++b) {
            const LinearMapping mapping = mappingOf(low[b], high[b]);
            scale[b] = static_cast<float>(mapping.scale);
            inverse[b] = 1.0f / scale[b];
            zero[b] = static_cast<float>(mapping.zeroPoint);
            if (!run.blocks.empty()) {
                run.blocks[b] = {scale[b], float(linearLevel(mapping.qmin, mapping)),
                                 float(linearLevel(mapping.qmax, mapping))};
            }
            if (!run.codebooks.empty()) {
                run.codebooks[b] = linearCodebook(mapping);
            }
        }
        BlockRunStats stats;
        stats.clipped = kernels::quantizeLinear(
            run.values.data(), n, blockSize, scale.data(), inverse.data(), zero.data(),
            float(m_limits.qmin), float(m_limits.qmax), run.dequantized.data(), run.codes.data());
        const double sideBits = kScaleBits + (m_design.affine ? m_codeBits : 0);
        stats.storageBits = double(m_codeBits) * double(n) + sideBits * double(blocks);
        return stats;
    }

    std::optional<std::pair<std::int32_t, std::int32_t>> codeRange() const override
    {
        return std::pair{std::int32_t(m_limits.qmin), std::int32_t(m_limits.qmax)};
    }

private:
    LinearMapping mappingOf(float low, float high) const
    {
        if (m_design.affine) {
            return affineMapping(low, high, m_design.bits);
        }
        const double a = m_design.range ? *m_design.range : m_design.clip * double(high);
        return symmetricMapping(a, m_design.bits);
    }

    LinearSliceDesign m_design;
    LinearMapping m_limits; // qmin, qmax
    int m_codeBits;
};

} // namespace

std::unique_ptr<BlockQuantizer> makeLinearSliceQuantizer(const LinearSliceDesign& design)
{
    return std::make_unique<LinearSliceQuantizer>(design);
}

} // namespace quantscope
