#include "quantscope/schemes/nvfp4.h"

#include "blocks/block_kernels.h"
#include "blocks/grid_codebook.h"
#include "quantscope/block_scheme.h"
#include "quantscope/schemes/minifloat.h"
#include "schemes/scheme_factories.h"

#include <cmath>
#include <limits>

namespace quantscope {
namespace {

const std::vector<double>& e2m1Magnitudes()
{
    static const std::vector<double> magnitudes = minifloatMagnitudes({2, 1});
    return magnitudes;
}

const std::vector<double>& e4m3Magnitudes()
{
    static const std::vector<double> magnitudes = minifloatMagnitudes({4, 3});
    return magnitudes;
}

// The effective scale of a block: decoded E4M3 scale times the tensor scale, in FP32.
float effectiveScale(float blockAmax, float tensorScale)
{
    return nvfp4BlockScale(blockAmax, tensorScale) * tensorScale;
}

class Nvfp4Quantizer final : public BlockQuantizer {
public:
    explicit Nvfp4Quantizer(double amax)
        : m_amax(amax)
        , m_tensorScale(nvfp4TensorScale(amax))
    {
        m_elements.mantissaBits = 1;
        m_elements.minExponent = 0;
        m_elements.maxNormal = static_cast<float>(kNvfp4ElementMax);
        m_elements.overload = static_cast<float>(overloadOf(e2m1Magnitudes()));
        m_scales.mantissaBits = 3;
        m_scales.minExponent = -6;
        m_scales.maxNormal = static_cast<float>(kE4M3Max);
        m_scales.overload = std::numeric_limits<float>::infinity();
    }

    BlockRunStats quantize(const BlockRun& run) const override
    {
        const std::size_t n = run.values.size();
        const auto blockSize = static_cast<std::size_t>(run.blockSize);
        const std::size_t blocks = (n + blockSize - 1) / blockSize;
        thread_local std::vector<float> amax;
        thread_local std::vector<float> scale;
        thread_local std::vector<std::int32_t> scaleCodes;
        amax.resize(blocks);
        scale.resize(blocks);
        scaleCodes.resize(blocks);
        kernels::blockMaxAbs(run.values.data(), n, blockSize, amax.data());
        const auto top = static_cast<float>(kNvfp4ElementMax);
        for (float& a : amax) {
            a /= top;
        }
        // Every block's E4M3(amax / 6 / s) · s at once: the element kernel on the E4M3 grid,
        // with the tensor scale as the one "block" scale.
        kernels::quantizeOnGrid(amax.data(), blocks, blocks, &m_tensorScale, &m_tensorScale, true,
                                m_scales, scale.data(), scaleCodes.data());
        for (std::size_t b = 0; b < blocks; ++b) {
            if (!run.blocks.empty()) {
                run.blocks[b] = {scale[b], -top * scale[b], top * scale[b]};
            }
            if (!run.codebooks.empty()) {
                const float s = scale[b];
                run.codebooks[b] = gridCodebook(e2m1Magnitudes(), s, [&](float x) {
                    return roundOnGrid(x / s, e2m1Magnitudes());
                });
            }
        }
        BlockRunStats stats;
        stats.clipped =
            kernels::quantizeOnGrid(run.values.data(), n, blockSize, scale.data(), scale.data(),
                                    true, m_elements, run.dequantized.data(), run.codes.data());
        stats.storageBits =
            double(kNvfp4ElementBits) * double(n) + double(kNvfp4ScaleBits) * double(blocks);
        return stats;
    }

    std::optional<std::pair<std::int32_t, std::int32_t>> codeRange() const override
    {
        const auto top = static_cast<std::int32_t>(e2m1Magnitudes().size() - 1);
        return std::pair{-top, top};
    }

    double tensorBits() const override { return kNvfp4TensorBits; }

    std::vector<std::pair<std::string, double>> designNumbers() const override
    {
        return {{"tensor_max_abs", m_amax}, {"tensor_scale", m_tensorScale}};
    }

private:
    double m_amax;
    float m_tensorScale;
    kernels::ElementGrid m_elements; // E2M1
    kernels::ElementGrid m_scales;   // E4M3, for the block scales
};

class Nvfp4Scheme final : public BlockScheme {
public:
    std::string id() const override { return "nvfp4"; }
    std::string displayName() const override { return "NVIDIA NVFP4"; }
    std::string description() const override
    {
        return "E2M1 elements in blocks of 16 with an E4M3 scale (block max|x| / 6) / s and an "
               "FP32 tensor scale s = max|x| / (448·6)";
    }
    std::vector<ParamSpec> paramSpecs() const override { return {}; }

    std::optional<Params> paramsForBits(int bits) const override
    {
        return bits == kNvfp4ElementBits ? std::optional<Params>(Params{}) : std::nullopt;
    }
    std::optional<int> bitsOf(const Params&) const override { return kNvfp4ElementBits; }
    // One format: a report runs it once, not at every bit width.
    std::vector<SchemeVariant> variants() const override { return {{id(), Params{}}}; }

    BlockStructure blockStructure(const Params&) const override { return {kNvfp4BlockSize, false}; }

    std::unique_ptr<BlockQuantizer> makeQuantizer(const Params&,
                                                  const TensorSummary& tensor) const override
    {
        return std::make_unique<Nvfp4Quantizer>(tensor.maxAbs);
    }
};

} // namespace

float nvfp4TensorScale(double amax)
{
    const float scale = static_cast<float>(amax) / static_cast<float>(kE4M3Max * kNvfp4ElementMax);
    return scale > 0.0f && std::isfinite(scale) ? scale : 1.0f;
}

float roundToE4M3(float value)
{
    return static_cast<float>(roundToMinifloat(value, e4m3Magnitudes()));
}

float nvfp4BlockScale(float blockAmax, float tensorScale)
{
    const float wanted = (blockAmax / static_cast<float>(kNvfp4ElementMax)) / tensorScale;
    return roundToE4M3(wanted);
}

float nvfp4QuantizeBlockReference(std::span<const float> block, float tensorScale,
                                  std::span<float> dequantized, std::span<std::int32_t> codes)
{
    float amax = 0.0f;
    for (float x : block) {
        amax = std::max(amax, std::abs(x));
    }
    const float scale = effectiveScale(amax, tensorScale);
    const std::vector<double>& magnitudes = e2m1Magnitudes();
    for (std::size_t i = 0; i < block.size(); ++i) {
        const float y = scale != 0.0f ? block[i] / scale : 0.0f;
        const int code = roundOnGrid(y, magnitudes);
        codes[i] = code;
        const auto magnitude = static_cast<float>(magnitudes[std::abs(code)]);
        dequantized[i] = (code < 0 || (code == 0 && y < 0) ? -magnitude : magnitude) * scale;
    }
    return scale;
}

std::unique_ptr<Scheme> makeNvfp4Scheme()
{
    return std::make_unique<Nvfp4Scheme>();
}

} // namespace quantscope
