// The `ggml` block scheme: ggml's own quantizers without an importance matrix (ggml/quantize.h)
// encode each block into ggml's block bytes, ggml's dequantization (ggml/dequantize.h) decodes
// them, so the values are bit for bit those of ggml_quantize_chunk followed by to_float.
#include "ggml/dequantize.h"
#include "ggml/ggml_blocks.h"
#include "ggml/ggml_scalars.h"
#include "ggml/ggml_tables.h"
#include "ggml/k_scales.h"
#include "ggml/quantize.h"
#include "quantscope/block_scheme.h"
#include "quantscope/codebook.h"
#include "quantscope/errors.h"
#include "schemes/scheme_factories.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

namespace quantscope {
namespace {

using ggml::kSuperBlock;
using ggml::loadBlock;

// The values one group of a block can take: from `low` to `high`, the outer cells of width
// lowStep and highStep (a value beyond an end by more than half its cell counts as clipped).
struct GroupRange {
    float low = 0.0f;
    float high = 0.0f;
    float lowStep = 0.0f;
    float highStep = 0.0f;
};

// The range of dl * q + offset for q in [qmin, qmax], outer cells |dl| * the steps next to the
// ends (1 for a uniform grid).
GroupRange groupRange(float dl, float offset, int qmin, int qmax, float lowCells = 1.0f,
                      float highCells = 1.0f)
{
    const float a = dl * static_cast<float>(qmin) + offset;
    const float b = dl * static_cast<float>(qmax) + offset;
    const float step = std::abs(dl);
    return a <= b ? GroupRange{a, b, step * lowCells, step * highCells}
                  : GroupRange{b, a, step * highCells, step * lowCells};
}

// Reads a block's element codes (what x = scale · code [+ offset] multiplies) and the range of
// each of its groups.
using CodeReader = void (*)(const std::byte* blocks, std::size_t index, std::int32_t* codes,
                            GroupRange* groups);

struct GgmlFormat {
    const char* name; // ggml_type_name
    const char* help; // after the name in the choice list
    int bits;         // of an element code, for reports by bit width
    std::size_t blockElements;
    std::size_t blockBytes;
    std::size_t groupElements; // elements per GroupRange
    std::size_t scaleOffset;   // of d in the block
    std::int32_t codeMin;
    std::int32_t codeMax;
    ggml::QuantizeKernel quantize;
    ggml::DequantizeKernel dequantize;
    CodeReader codes;
};

// Codes and groups of the 32-element types. Nibble j of the first 16 bytes is element j, the
// high nibble element j + 16; the fifth bit of element j is bit j of qh.
template <typename Block> void nibbleCodes(const Block& block, int offset, std::int32_t* codes)
{
    for (int j = 0; j < 16; ++j) {
        codes[j] = (block.qs[j] & 0x0F) + offset;
        codes[j + 16] = (block.qs[j] >> 4) + offset;
    }
}
template <typename Block> void fiveBitCodes(const Block& block, int offset, std::int32_t* codes)
{
    std::uint32_t qh;
    std::memcpy(&qh, block.qh.data(), sizeof qh);
    for (int j = 0; j < 16; ++j) {
        codes[j] =
            static_cast<std::int32_t>((block.qs[j] & 0x0Fu) | (((qh >> j) & 1u) << 4)) + offset;
        codes[j + 16] =
            static_cast<std::int32_t>((block.qs[j] >> 4) | (((qh >> (j + 16)) & 1u) << 4)) + offset;
    }
}

void codesQ4_0(const std::byte* blocks, std::size_t index, std::int32_t* codes, GroupRange* groups)
{
    const auto block = loadBlock<ggml::BlockQ4_0>(blocks, index);
    nibbleCodes(block, -8, codes);
    groups[0] = groupRange(ggml::fp16ToFloat(block.d), 0.0f, -8, 7);
}

void codesQ4_1(const std::byte* blocks, std::size_t index, std::int32_t* codes, GroupRange* groups)
{
    const auto block = loadBlock<ggml::BlockQ4_1>(blocks, index);
    nibbleCodes(block, 0, codes);
    groups[0] = groupRange(ggml::fp16ToFloat(block.d), ggml::fp16ToFloat(block.m), 0, 15);
}

void codesQ5_0(const std::byte* blocks, std::size_t index, std::int32_t* codes, GroupRange* groups)
{
    const auto block = loadBlock<ggml::BlockQ5_0>(blocks, index);
    fiveBitCodes(block, -16, codes);
    groups[0] = groupRange(ggml::fp16ToFloat(block.d), 0.0f, -16, 15);
}

void codesQ5_1(const std::byte* blocks, std::size_t index, std::int32_t* codes, GroupRange* groups)
{
    const auto block = loadBlock<ggml::BlockQ5_1>(blocks, index);
    fiveBitCodes(block, 0, codes);
    groups[0] = groupRange(ggml::fp16ToFloat(block.d), ggml::fp16ToFloat(block.m), 0, 31);
}

void codesQ8_0(const std::byte* blocks, std::size_t index, std::int32_t* codes, GroupRange* groups)
{
    const auto block = loadBlock<ggml::BlockQ8_0>(blocks, index);
    for (int j = 0; j < 32; ++j) {
        codes[j] = block.qs[j];
    }
    groups[0] = groupRange(ggml::fp16ToFloat(block.d), 0.0f, -128, 127);
}

// The 2-bit field of element j (0..255) in Q2_K's and Q3_K's qs: four fields 32 apart per byte,
// per half of 128.
int twoBits(const std::array<std::uint8_t, 64>& qs, int j)
{
    const int half = j / 128;
    const int r = j % 128;
    return (qs[half * 32 + r % 32] >> (2 * (r / 32))) & 3;
}

void codesQ2_K(const std::byte* blocks, std::size_t index, std::int32_t* codes, GroupRange* groups)
{
    const auto block = loadBlock<ggml::BlockQ2_K>(blocks, index);
    for (int j = 0; j < 256; ++j) {
        codes[j] = twoBits(block.qs, j);
    }
    const float d = ggml::fp16ToFloat(block.d);
    const float dmin = ggml::fp16ToFloat(block.dmin);
    for (int g = 0; g < 16; ++g) {
        const std::uint8_t sc = block.scales[g];
        groups[g] = groupRange(d * static_cast<float>(sc & 0xF),
                               -(dmin * static_cast<float>(sc >> 4)), 0, 3);
    }
}

void codesQ3_K(const std::byte* blocks, std::size_t index, std::int32_t* codes, GroupRange* groups)
{
    const auto block = loadBlock<ggml::BlockQ3_K>(blocks, index);
    for (int j = 0; j < 256; ++j) {
        // hmask: bit (j / 32) of byte j % 32 set means the code is not lowered by 4.
        const bool high = (block.hmask[j % 32] >> (j / 32)) & 1;
        codes[j] = twoBits(block.qs, j) - (high ? 0 : 4);
    }
    const float d = ggml::fp16ToFloat(block.d);
    const std::array<std::int8_t, 16> scales = ggml::unpackQ3_KScales(block.scales);
    for (int g = 0; g < 16; ++g) {
        groups[g] = groupRange(d * static_cast<float>(scales[g] - 32), 0.0f, -4, 3);
    }
}

template <typename Block> void groupsK4(const Block& block, GroupRange* groups, int qmax)
{
    const float d = ggml::fp16ToFloat(block.d);
    const float dmin = ggml::fp16ToFloat(block.dmin);
    for (int g = 0; g < 8; ++g) {
        const ggml::ScaleMin sm = ggml::scaleMinK4(g, block.scales);
        groups[g] = groupRange(d * static_cast<float>(sm.scale),
                               -(dmin * static_cast<float>(sm.min)), 0, qmax);
    }
}

void codesQ4_K(const std::byte* blocks, std::size_t index, std::int32_t* codes, GroupRange* groups)
{
    const auto block = loadBlock<ggml::BlockQ4_K>(blocks, index);
    // Per 64 elements 32 bytes: the low nibbles are the first 32 elements, the high the next.
    for (int j = 0; j < 256; ++j) {
        const std::uint8_t byte = block.qs[(j / 64) * 32 + j % 32];
        codes[j] = (j % 64) < 32 ? byte & 0xF : byte >> 4;
    }
    groupsK4(block, groups, 15);
}

void codesQ5_K(const std::byte* blocks, std::size_t index, std::int32_t* codes, GroupRange* groups)
{
    const auto block = loadBlock<ggml::BlockQ5_K>(blocks, index);
    for (int j = 0; j < 256; ++j) {
        const std::uint8_t byte = block.qs[(j / 64) * 32 + j % 32];
        const int low = (j % 64) < 32 ? byte & 0xF : byte >> 4;
        // The fifth bit: bit j / 32 of qh[j % 32].
        const int high = (block.qh[j % 32] >> (j / 32)) & 1;
        codes[j] = low | (high << 4);
    }
    groupsK4(block, groups, 31);
}

void codesQ6_K(const std::byte* blocks, std::size_t index, std::int32_t* codes, GroupRange* groups)
{
    const auto block = loadBlock<ggml::BlockQ6_K>(blocks, index);
    for (int j = 0; j < 256; ++j) {
        // Per half of 128: ql holds 64 bytes (elements r and r + 64 in the nibbles of byte
        // r % 64), qh 32 bytes (four 2-bit fields 32 apart).
        const int half = j / 128;
        const int r = j % 128;
        const std::uint8_t low = block.ql[half * 64 + r % 64];
        const int lowBitsOf = r < 64 ? low & 0xF : low >> 4;
        const int highBits = (block.qh[half * 32 + r % 32] >> (2 * (r / 32))) & 3;
        codes[j] = (lowBitsOf | (highBits << 4)) - 32;
    }
    const float d = ggml::fp16ToFloat(block.d);
    for (int g = 0; g < 16; ++g) {
        groups[g] = groupRange(d * static_cast<float>(block.scales[g]), 0.0f, -32, 31);
    }
}

// IQ4 codes are the table values kValuesIq4Nl[q] (−127 … 113): x = dl · code. Its outer cells
// are 23 (−127 to −104) and 24 (89 to 113) wide.
GroupRange iq4Range(float dl)
{
    return groupRange(dl, 0.0f, ggml::kValuesIq4Nl.front(), ggml::kValuesIq4Nl.back(), 23.0f,
                      24.0f);
}

void codesIQ4_NL(const std::byte* blocks, std::size_t index, std::int32_t* codes,
                 GroupRange* groups)
{
    const auto block = loadBlock<ggml::BlockIQ4_NL>(blocks, index);
    for (int j = 0; j < 32; ++j) {
        const std::uint8_t byte = block.qs[j % 16];
        codes[j] = ggml::kValuesIq4Nl[j < 16 ? byte & 0x0F : byte >> 4];
    }
    groups[0] = iq4Range(ggml::fp16ToFloat(block.d));
}

void codesIQ4_XS(const std::byte* blocks, std::size_t index, std::int32_t* codes,
                 GroupRange* groups)
{
    const auto block = loadBlock<ggml::BlockIQ4_XS>(blocks, index);
    const float d = ggml::fp16ToFloat(block.d);
    for (int g = 0; g < 8; ++g) {
        for (int j = 0; j < 32; ++j) {
            const std::uint8_t byte = block.qs[g * 16 + j % 16];
            codes[g * 32 + j] = ggml::kValuesIq4Nl[j < 16 ? byte & 0xF : byte >> 4];
        }
        const int low = (block.scalesLow[g / 2] >> (4 * (g % 2))) & 0xF;
        const int high = (block.scalesHigh >> (2 * g)) & 3;
        groups[g] = iq4Range(d * static_cast<float>((low | (high << 4)) - 32));
    }
}

const std::vector<GgmlFormat>& ggmlFormats()
{
    using namespace ggml;
    static const std::vector<GgmlFormat> formats = {
        {"q4_0", "4-bit, blocks of 32 with a scale d (4.5 bpw)", 4, 32, 18, 32, 0, -8, 7,
         quantizeQ4_0, dequantizeQ4_0, codesQ4_0},
        {"q4_1", "4-bit, blocks of 32 with a scale and a minimum (5 bpw)", 4, 32, 20, 32, 0, 0, 15,
         quantizeQ4_1, dequantizeQ4_1, codesQ4_1},
        {"q5_0", "5-bit, blocks of 32 with a scale (5.5 bpw)", 5, 32, 22, 32, 0, -16, 15,
         quantizeQ5_0, dequantizeQ5_0, codesQ5_0},
        {"q5_1", "5-bit, blocks of 32 with a scale and a minimum (6 bpw)", 5, 32, 24, 32, 0, 0, 31,
         quantizeQ5_1, dequantizeQ5_1, codesQ5_1},
        {"q8_0", "8-bit, blocks of 32 with a scale (8.5 bpw)", 8, 32, 34, 32, 0, -128, 127,
         quantizeQ8_0, dequantizeQ8_0, codesQ8_0},
        {"q2_K", "2-bit, 256 in 16 groups with 4-bit scales and minimums (2.625 bpw)", 2, 256, 84,
         16, offsetof(BlockQ2_K, d), 0, 3, quantizeQ2_K, dequantizeQ2_K, codesQ2_K},
        {"q3_K", "3-bit, 256 in 16 groups with 6-bit scales (3.4375 bpw)", 3, 256, 110, 16,
         offsetof(BlockQ3_K, d), -4, 3, quantizeQ3_K, dequantizeQ3_K, codesQ3_K},
        {"q4_K", "4-bit, 256 in 8 groups with 6-bit scales and minimums (4.5 bpw)", 4, 256, 144, 32,
         0, 0, 15, quantizeQ4_K, dequantizeQ4_K, codesQ4_K},
        {"q5_K", "5-bit, 256 in 8 groups with 6-bit scales and minimums (5.5 bpw)", 5, 256, 176, 32,
         0, 0, 31, quantizeQ5_K, dequantizeQ5_K, codesQ5_K},
        {"q6_K", "6-bit, 256 in 16 groups with 8-bit scales (6.5625 bpw)", 6, 256, 210, 16,
         offsetof(BlockQ6_K, d), -32, 31, quantizeQ6_K, dequantizeQ6_K, codesQ6_K},
        {"iq4_nl", "4-bit non-linear grid, blocks of 32 with a scale (4.5 bpw)", 4, 32, 18, 32, 0,
         -127, 113, quantizeIQ4_NL, dequantizeIQ4_NL, codesIQ4_NL},
        {"iq4_xs", "4-bit non-linear grid, 256 in 8 groups with 6-bit scales (4.25 bpw)", 4, 256,
         136, 32, 0, -127, 113, quantizeIQ4_XS, dequantizeIQ4_XS, codesIQ4_XS},
    };
    return formats;
}

// The levels a block used, thresholds halfway between them: the block's values as one
// codebook for views (a K-quant block has a scale per group, so no one rule maps its values).
Codebook usedLevelsCodebook(std::span<const float> dequantized)
{
    std::vector<double> levels;
    for (float value : dequantized) {
        if (std::isfinite(value)) { // a scale that overflowed half precision gives inf and NaN
            levels.push_back(value);
        }
    }
    std::sort(levels.begin(), levels.end());
    levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
    if (levels.empty()) {
        levels.push_back(0.0);
    }
    std::vector<double> thresholds;
    for (std::size_t k = 1; k < levels.size(); ++k) {
        thresholds.push_back(0.5 * (levels[k - 1] + levels[k]));
    }
    return makeCodebook(std::move(levels), std::move(thresholds));
}

class GgmlQuantizer final : public BlockQuantizer {
public:
    explicit GgmlQuantizer(const GgmlFormat& format)
        : m_format(format)
    {
    }

    BlockRunStats quantize(const BlockRun& run) const override
    {
        const std::size_t size = m_format.blockElements;
        const std::size_t n = run.values.size();
        if (n % size != 0 || static_cast<std::size_t>(run.blockSize) != size) {
            throw UsageError(std::string("ggml ") + m_format.name + " quantizes whole blocks of " +
                             std::to_string(size) + " values");
        }
        const std::size_t blocks = n / size;
        const std::size_t groupsPerBlock = size / m_format.groupElements;
        thread_local std::vector<std::byte> bytes;
        thread_local std::vector<GroupRange> groups;
        bytes.resize(blocks * m_format.blockBytes);
        groups.resize(blocks * groupsPerBlock);
        m_format.quantize(run.values.data(), blocks, bytes.data());
        m_format.dequantize(bytes.data(), blocks, run.dequantized.data());

        BlockRunStats stats;
        for (std::size_t b = 0; b < blocks; ++b) {
            GroupRange* blockGroups = groups.data() + b * groupsPerBlock;
            m_format.codes(bytes.data(), b, run.codes.data() + b * size, blockGroups);
            for (std::size_t g = 0; g < groupsPerBlock; ++g) {
                const GroupRange& range = blockGroups[g];
                const float* x = run.values.data() + b * size + g * m_format.groupElements;
                const float below = range.low - 0.5f * range.lowStep;
                const float above = range.high + 0.5f * range.highStep;
                int clipped = 0;
                for (std::size_t j = 0; j < m_format.groupElements; ++j) {
                    clipped += static_cast<int>(x[j] < below) | static_cast<int>(x[j] > above);
                }
                stats.clipped += clipped;
            }
            if (!run.blocks.empty()) {
                BlockInfo info{scaleOf(bytes.data(), b), blockGroups[0].low, blockGroups[0].high};
                for (std::size_t g = 1; g < groupsPerBlock; ++g) {
                    info.low = std::min(info.low, blockGroups[g].low);
                    info.high = std::max(info.high, blockGroups[g].high);
                }
                run.blocks[b] = info;
            }
            if (!run.codebooks.empty()) {
                run.codebooks[b] = usedLevelsCodebook(run.dequantized.subspan(b * size, size));
            }
        }
        stats.storageBits = 8.0 * double(m_format.blockBytes) * double(blocks);
        return stats;
    }

    std::optional<std::pair<std::int32_t, std::int32_t>> codeRange() const override
    {
        return std::pair{m_format.codeMin, m_format.codeMax};
    }

private:
    // The block's d (the super-block scale of the K and XS types).
    float scaleOf(const std::byte* bytes, std::size_t index) const
    {
        std::uint16_t d;
        std::memcpy(&d, bytes + index * m_format.blockBytes + m_format.scaleOffset, sizeof d);
        return ggml::fp16ToFloat(d);
    }

    const GgmlFormat& m_format;
};

class GgmlScheme final : public BlockScheme {
public:
    std::string id() const override { return "ggml"; }
    std::string displayName() const override { return "ggml (llama.cpp) types"; }
    std::string description() const override
    {
        return "ggml's quantizers without an importance matrix (ggml_quantize_chunk with "
               "imatrix NULL): Q4_0 … Q8_0, the K-quants Q2_K … Q6_K, IQ4_NL, IQ4_XS; the same "
               "values as ggml, rows must be whole blocks";
    }
    std::vector<ParamSpec> paramSpecs() const override
    {
        std::vector<std::string> types;
        for (const GgmlFormat& format : ggmlFormats()) {
            types.push_back(std::string(format.name) + ": " + format.help);
        }
        return {{"type", ParamKind::Choice, 0, double(types.size() - 1), 0,
                 "ggml tensor type, quantized as ggml_quantize_chunk does without an importance "
                 "matrix; the last axis must be a whole number of blocks (32, or 256 for the K "
                 "types and iq4_xs)",
                 types}};
    }

    std::optional<Params> paramsForBits(int bits) const override
    {
        // The K-quant of each width (q8_0 for 8): llama.cpp's usual choices.
        for (const char* name : {"q2_K", "q3_K", "q4_K", "q5_K", "q6_K", "q8_0"}) {
            const std::size_t index = indexOf(name);
            if (ggmlFormats()[index].bits == bits) {
                return Params{{"type", double(index)}};
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
        std::vector<SchemeVariant> types;
        for (std::size_t i = 0; i < ggmlFormats().size(); ++i) {
            types.push_back({ggmlFormats()[i].name, Params{{"type", double(i)}}});
        }
        return types;
    }

    BlockStructure blockStructure(const Params& resolved) const override
    {
        return {static_cast<std::int64_t>(formatOf(resolved).blockElements), true};
    }

    std::unique_ptr<BlockQuantizer> makeQuantizer(const Params& resolved,
                                                  const TensorSummary&) const override
    {
        return std::make_unique<GgmlQuantizer>(formatOf(resolved));
    }

private:
    static const GgmlFormat& formatOf(const Params& resolved)
    {
        return ggmlFormats().at(static_cast<std::size_t>(resolved.getInt("type")));
    }

    static std::size_t indexOf(const std::string& name)
    {
        const auto& formats = ggmlFormats();
        for (std::size_t i = 0; i < formats.size(); ++i) {
            if (name == formats[i].name) {
                return i;
            }
        }
        throw UsageError("unknown ggml type '" + name + "'");
    }
};

} // namespace

std::unique_ptr<Scheme> makeGgmlScheme()
{
    return std::make_unique<GgmlScheme>();
}

} // namespace quantscope
