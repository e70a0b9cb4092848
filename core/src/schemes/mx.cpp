#include "quantscope/schemes/mx.h"

#include "blocks/block_kernels.h"
#include "blocks/grid_codebook.h"
#include "quantscope/block_scheme.h"
#include "quantscope/errors.h"
#include "quantscope/schemes/minifloat.h"
#include "schemes/scheme_factories.h"

#include <bit>
#include <cmath>

namespace quantscope {
namespace {

constexpr int kInt8FractionBits = 6; // MXINT8: q · 2^−6

class MxQuantizer final : public BlockQuantizer {
public:
    MxQuantizer(const MxElementFormat& format, MxScaleRule rule)
        : m_format(format)
        , m_rule(rule)
        , m_magnitudes(mxElementMagnitudes(format))
        , m_grid(elementGridOf(format, m_magnitudes))
    {
    }

    BlockRunStats quantize(const BlockRun& run) const override
    {
        const std::size_t n = run.values.size();
        const auto blockSize = static_cast<std::size_t>(run.blockSize);
        const std::size_t blocks = (n + blockSize - 1) / blockSize;
        thread_local std::vector<float> amax;
        thread_local std::vector<float> scale;
        thread_local std::vector<float> inverse;
        for (auto* v : {&amax, &scale, &inverse}) {
            v->resize(blocks);
        }
        kernels::blockMaxAbs(run.values.data(), n, blockSize, amax.data());
        const auto maxNormal = static_cast<float>(m_format.maxNormal);
        for (std::size_t b = 0; b < blocks; ++b) {
            const int exponent = mxScaleExponent(amax[b], m_format, m_rule);
            scale[b] = mxScaleValue(exponent);
            inverse[b] = mxScaleValue(-exponent);
            if (!run.blocks.empty()) {
                run.blocks[b] = {scale[b], -maxNormal * scale[b], maxNormal * scale[b]};
            }
            if (!run.codebooks.empty()) {
                run.codebooks[b] = gridCodebook(m_magnitudes, scale[b], [&](float x) {
                    return roundOnGrid(x * inverse[b], m_magnitudes);
                });
            }
        }
        BlockRunStats stats;
        stats.clipped =
            kernels::quantizeOnGrid(run.values.data(), n, blockSize, scale.data(), inverse.data(),
                                    false, m_grid, run.dequantized.data(), run.codes.data());
        stats.storageBits = double(m_format.bits) * double(n) + double(kMxScaleBits * blocks);
        return stats;
    }

    std::optional<std::pair<std::int32_t, std::int32_t>> codeRange() const override
    {
        const auto top = static_cast<std::int32_t>(m_magnitudes.size() - 1);
        return std::pair{-top, top};
    }

private:
    static kernels::ElementGrid elementGridOf(const MxElementFormat& format,
                                              const std::vector<double>& magnitudes)
    {
        kernels::ElementGrid grid;
        grid.integer = format.exponentBits == 0;
        grid.mantissaBits = format.mantissaBits;
        grid.minExponent = grid.integer ? 0 : 2 - (1 << (format.exponentBits - 1));
        grid.maxNormal = static_cast<float>(format.maxNormal);
        grid.overload = static_cast<float>(overloadOf(magnitudes));
        return grid;
    }

    MxElementFormat m_format;
    MxScaleRule m_rule;
    std::vector<double> m_magnitudes;
    kernels::ElementGrid m_grid;
};

class MxScheme final : public BlockScheme {
public:
    std::string id() const override { return "mx"; }
    std::string displayName() const override { return "OCP Microscaling (MX)"; }
    std::string description() const override
    {
        return "OCP MX v1.0: blocks along the last axis share an E8M0 scale "
               "2^(floor(log2 max|x|) − emax); FP4/FP6/FP8/INT8 elements, nearest-even, "
               "saturating";
    }
    std::vector<ParamSpec> paramSpecs() const override
    {
        std::vector<std::string> formats;
        for (const MxElementFormat& format : mxElementFormats()) {
            formats.push_back(format.name + ": " + formatLabel(format));
        }
        return {
            {"format", ParamKind::Choice, 0, double(formats.size() - 1), 0,
             "Element format: MXFP4 E2M1 (max 6), MXFP6 E2M3 (7.5) or E3M2 (28), MXFP8 E4M3 "
             "(448) or E5M2 (57344), MXINT8 (steps of 2^−6, max 1.984375)",
             formats},
            {"block", ParamKind::Step, 8, 256, 32,
             "Values per block (along the last axis) sharing one 8-bit scale; the specification "
             "uses 32"},
            {"rule",
             ParamKind::Choice,
             0,
             1,
             0,
             "Shared scale: floor (the specification; the largest values may saturate) or ceil "
             "(the smallest power of two that saturates nothing)",
             {"floor: OCP MX v1.0", "ceil: nothing saturates"}},
        };
    }

    std::optional<Params> paramsForBits(int bits) const override
    {
        // The specification's concrete formats: MXFP4, MXFP6 (E2M3 first), MXFP8 (E4M3 first).
        const auto& formats = mxElementFormats();
        for (std::size_t i = 0; i < formats.size(); ++i) {
            if (formats[i].bits == bits) {
                return Params{{"format", double(i)}};
            }
        }
        return std::nullopt;
    }

    std::optional<int> bitsOf(const Params& resolved) const override
    {
        return formatOf(resolved).bits;
    }

    std::vector<SchemeVariant> variants() const override
    {
        std::vector<SchemeVariant> formats;
        for (std::size_t i = 0; i < mxElementFormats().size(); ++i) {
            formats.push_back({mxElementFormats()[i].name, Params{{"format", double(i)}}});
        }
        return formats;
    }

    BlockStructure blockStructure(const Params& resolved) const override
    {
        return {resolved.getInt("block"), false};
    }

    std::unique_ptr<BlockQuantizer> makeQuantizer(const Params& resolved,
                                                  const TensorSummary&) const override
    {
        const MxScaleRule rule =
            resolved.getInt("rule") == 1 ? MxScaleRule::Ceil : MxScaleRule::Floor;
        return std::make_unique<MxQuantizer>(formatOf(resolved), rule);
    }

private:
    static const MxElementFormat& formatOf(const Params& resolved)
    {
        return mxElementFormats().at(static_cast<std::size_t>(resolved.getInt("format")));
    }

    static std::string formatLabel(const MxElementFormat& format)
    {
        if (format.exponentBits == 0) {
            return "MXINT8";
        }
        return "MXFP" + std::to_string(format.bits) + " E" + std::to_string(format.exponentBits) +
               "M" + std::to_string(format.mantissaBits);
    }
};

} // namespace

const std::vector<MxElementFormat>& mxElementFormats()
{
    static const std::vector<MxElementFormat> formats = {
        {MxElement::Fp4, "fp4", 4, 2, 6.0, 2, 1},
        {MxElement::Fp6E2M3, "fp6-e2m3", 6, 2, 7.5, 2, 3},
        {MxElement::Fp6E3M2, "fp6-e3m2", 6, 4, 28.0, 3, 2},
        {MxElement::Fp8E4M3, "fp8-e4m3", 8, 8, 448.0, 4, 3},
        {MxElement::Fp8E5M2, "fp8-e5m2", 8, 15, 57344.0, 5, 2},
        {MxElement::Int8, "int8", 8, 0, 127.0 / 64.0, 0, kInt8FractionBits},
    };
    return formats;
}

const MxElementFormat& mxElementFormat(MxElement element)
{
    for (const MxElementFormat& format : mxElementFormats()) {
        if (format.element == element) {
            return format;
        }
    }
    throw UsageError("unknown MX element format");
}

int mxScaleExponent(float amax, const MxElementFormat& format, MxScaleRule rule)
{
    // floor(log2 amax) from the float's exponent field: exact for normal numbers. Zero and
    // subnormal maxima (field 0) fall below 2^−126 and so take the smallest scale, 2^−127.
    const auto bits = std::bit_cast<std::uint32_t>(amax);
    const int field = static_cast<int>((bits >> 23) & 0xffu);
    if (field == 0 || field == 0xff) {
        return kMxMinScaleExponent;
    }
    int exponent = field - 127 - format.emax;
    if (rule == MxScaleRule::Ceil) {
        // amax / 2^exponent = m · 2^emax with m the mantissa in [1, 2): one more when that
        // exceeds the largest element.
        const float mantissa = std::bit_cast<float>((bits & 0x7fffffu) | 0x3f800000u);
        if (double(mantissa) > std::ldexp(format.maxNormal, -format.emax)) {
            ++exponent;
        }
    }
    return std::clamp(exponent, kMxMinScaleExponent, kMxMaxScaleExponent);
}

float mxScaleValue(int exponent)
{
    // 2^exponent for exponent in [−127, 127], built from its bits (2^−127 is subnormal).
    if (exponent >= -126) {
        return std::bit_cast<float>(static_cast<std::uint32_t>(exponent + 127) << 23);
    }
    return std::bit_cast<float>(std::uint32_t{1} << (22 + (exponent + 127)));
}

std::vector<double> mxElementMagnitudes(const MxElementFormat& format)
{
    if (format.exponentBits == 0) {
        std::vector<double> magnitudes;
        const int top =
            static_cast<int>(std::lround(std::ldexp(format.maxNormal, format.mantissaBits)));
        for (int q = 0; q <= top; ++q) {
            magnitudes.push_back(std::ldexp(double(q), -format.mantissaBits));
        }
        return magnitudes;
    }
    return minifloatMagnitudes({format.exponentBits, format.mantissaBits});
}

int mxQuantizeBlockReference(std::span<const float> block, const MxElementFormat& format,
                             MxScaleRule rule, std::span<float> dequantized,
                             std::span<std::int32_t> codes)
{
    float amax = 0.0f;
    for (float x : block) {
        amax = std::max(amax, std::abs(x));
    }
    const int exponent = mxScaleExponent(amax, format, rule);
    const std::vector<double> magnitudes = mxElementMagnitudes(format);
    for (std::size_t i = 0; i < block.size(); ++i) {
        const double y = std::ldexp(double(block[i]), -exponent);
        const int index = roundMinifloatMagnitude(y, magnitudes);
        const double element = y < 0 ? -magnitudes[index] : magnitudes[index];
        dequantized[i] = static_cast<float>(std::ldexp(element, exponent));
        codes[i] = y < 0 ? -index : index;
    }
    return exponent;
}

std::unique_ptr<Scheme> makeMxScheme()
{
    return std::make_unique<MxScheme>();
}

} // namespace quantscope
