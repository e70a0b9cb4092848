// Reference kernels of the grid and non-linear types: ggml's dequantize_row_iq2_xxs ... iq4_xs,
// operation for operation. Grid entries pack one value per byte, element 0 in the low byte.
#include "ggml/dequantize.h"
#include "ggml/ggml_blocks.h"
#include "ggml/ggml_scalars.h"
#include "ggml/ggml_tables.h"

#include <array>
#include <cstdint>
#include <cstring>

namespace quantscope::ggml {

namespace {

constexpr std::size_t kGroups = kSuperBlock / 32; // 32-element sub-blocks of a super-block

// Byte j of a grid entry as the unsigned magnitude ggml reads through a uint8_t pointer.
template <typename Entry> float gridMagnitude(Entry entry, int j)
{
    return static_cast<float>(static_cast<std::uint8_t>(entry >> (8 * j)));
}

// ggml's (signs & kmask_iq2xs[j] ? -1.f : 1.f).
float signOf(std::uint8_t signs, int j)
{
    return (signs & kMaskIq2Xs[j]) != 0 ? -1.0f : 1.0f;
}

} // namespace

void dequantizeIQ2_XXS(const std::byte* blocks, std::size_t count, float* out)
{
    for (std::size_t i = 0; i < count; ++i) {
        const auto block = loadBlock<BlockIQ2_XXS>(blocks, i);
        const float d = fp16ToFloat(block.d);
        for (std::size_t ib32 = 0; ib32 < kGroups; ++ib32) {
            std::array<std::uint32_t, 2> aux{};
            std::memcpy(aux.data(), block.qs.data() + 4 * ib32, sizeof aux);
            const float db = d * (0.5f + static_cast<float>(aux[1] >> 28)) * 0.25f;
            for (int l = 0; l < 4; ++l, out += 8) {
                const std::uint64_t grid = kIq2XxsGrid[(aux[0] >> (8 * l)) & 0xFF];
                const std::uint8_t signs = kSignsIq2Xs[(aux[1] >> (7 * l)) & 127];
                for (int j = 0; j < 8; ++j) {
                    out[j] = db * gridMagnitude(grid, j) * signOf(signs, j);
                }
            }
        }
    }
}

void dequantizeIQ2_XS(const std::byte* blocks, std::size_t count, float* out)
{
    for (std::size_t i = 0; i < count; ++i) {
        const auto block = loadBlock<BlockIQ2_XS>(blocks, i);
        const float d = fp16ToFloat(block.d);
        for (std::size_t ib32 = 0; ib32 < kGroups; ++ib32) {
            const std::array<float, 2> db = {
                d * (0.5f + static_cast<float>(block.scales[ib32] & 0xf)) * 0.25f,
                d * (0.5f + static_cast<float>(block.scales[ib32] >> 4)) * 0.25f};
            for (int l = 0; l < 4; ++l, out += 8) {
                const std::uint16_t packed = block.qs[4 * ib32 + l];
                const std::uint64_t grid = kIq2XsGrid[packed & 511];
                const std::uint8_t signs = kSignsIq2Xs[packed >> 9];
                for (int j = 0; j < 8; ++j) {
                    out[j] = db[l / 2] * gridMagnitude(grid, j) * signOf(signs, j);
                }
            }
        }
    }
}

void dequantizeIQ2_S(const std::byte* blocks, std::size_t count, float* out)
{
    for (std::size_t i = 0; i < count; ++i) {
        const auto block = loadBlock<BlockIQ2_S>(blocks, i);
        const float d = fp16ToFloat(block.d);
        const std::uint8_t* qs = block.qs.data();
        const std::uint8_t* signs = qs + kSuperBlock / 8;
        for (std::size_t ib32 = 0; ib32 < kGroups; ++ib32, qs += 4, signs += 4) {
            const std::array<float, 2> db = {
                d * (0.5f + static_cast<float>(block.scales[ib32] & 0xf)) * 0.25f,
                d * (0.5f + static_cast<float>(block.scales[ib32] >> 4)) * 0.25f};
            for (int l = 0; l < 4; ++l, out += 8) {
                const float dl = db[l / 2];
                const unsigned index = qs[l] | ((block.qh[ib32] << (8 - 2 * l)) & 0x300);
                const std::uint64_t grid = kIq2SGrid[index];
                for (int j = 0; j < 8; ++j) {
                    out[j] = dl * gridMagnitude(grid, j) * signOf(signs[l], j);
                }
            }
        }
    }
}

void dequantizeIQ3_XXS(const std::byte* blocks, std::size_t count, float* out)
{
    for (std::size_t i = 0; i < count; ++i) {
        const auto block = loadBlock<BlockIQ3_XXS>(blocks, i);
        const float d = fp16ToFloat(block.d);
        const std::uint8_t* qs = block.qs.data();
        const std::uint8_t* scalesAndSigns = qs + kSuperBlock / 4;
        for (std::size_t ib32 = 0; ib32 < kGroups; ++ib32, qs += 8) {
            std::uint32_t aux;
            std::memcpy(&aux, scalesAndSigns + 4 * ib32, sizeof aux);
            const float db = d * (0.5f + static_cast<float>(aux >> 28)) * 0.5f;
            for (int l = 0; l < 4; ++l, out += 8) {
                const std::uint8_t signs = kSignsIq2Xs[(aux >> (7 * l)) & 127];
                const std::uint32_t grid1 = kIq3XxsGrid[qs[2 * l]];
                const std::uint32_t grid2 = kIq3XxsGrid[qs[2 * l + 1]];
                for (int j = 0; j < 4; ++j) {
                    out[j] = db * gridMagnitude(grid1, j) * signOf(signs, j);
                    out[j + 4] = db * gridMagnitude(grid2, j) * signOf(signs, j + 4);
                }
            }
        }
    }
}

void dequantizeIQ3_S(const std::byte* blocks, std::size_t count, float* out)
{
    for (std::size_t i = 0; i < count; ++i) {
        const auto block = loadBlock<BlockIQ3_S>(blocks, i);
        const float d = fp16ToFloat(block.d);
        const std::uint8_t* qs = block.qs.data();
        const std::uint8_t* qh = block.qh.data();
        const std::uint8_t* signs = block.signs.data();
        // Two 32-element groups per scale byte: low nibble, then high nibble.
        for (std::size_t ib32 = 0; ib32 < kGroups; ib32 += 2) {
            const std::uint8_t scale = block.scales[ib32 / 2];
            const std::array<float, 2> db = {d * static_cast<float>(1 + 2 * (scale & 0xf)),
                                             d * static_cast<float>(1 + 2 * (scale >> 4))};
            for (int half = 0; half < 2; ++half, qh += 1, qs += 8, signs += 4) {
                for (int l = 0; l < 4; ++l, out += 8) {
                    const unsigned index1 = qs[2 * l] | ((qh[0] << (8 - 2 * l)) & 256);
                    const unsigned index2 = qs[2 * l + 1] | ((qh[0] << (7 - 2 * l)) & 256);
                    const std::uint32_t grid1 = kIq3SGrid[index1];
                    const std::uint32_t grid2 = kIq3SGrid[index2];
                    for (int j = 0; j < 4; ++j) {
                        out[j] = db[half] * gridMagnitude(grid1, j) * signOf(signs[l], j);
                        out[j + 4] = db[half] * gridMagnitude(grid2, j) * signOf(signs[l], j + 4);
                    }
                }
            }
        }
    }
}

namespace {

// Byte j of an IQ1 grid entry: a signed value -1, 0 or 1.
float iq1GridValue(std::uint64_t entry, int j)
{
    return static_cast<float>(static_cast<std::int8_t>(entry >> (8 * j)));
}

} // namespace

void dequantizeIQ1_S(const std::byte* blocks, std::size_t count, float* out)
{
    for (std::size_t i = 0; i < count; ++i) {
        const auto block = loadBlock<BlockIQ1_S>(blocks, i);
        const float d = fp16ToFloat(block.d);
        const std::uint8_t* qs = block.qs.data();
        for (std::size_t ib = 0; ib < kGroups; ++ib, qs += 4) {
            const unsigned qh = block.qh[ib];
            const float dl = d * static_cast<float>(2 * ((qh >> 12) & 7) + 1);
            const float delta = (qh & 0x8000) != 0 ? -kIq1Delta : kIq1Delta;
            for (int l = 0; l < 4; ++l, out += 8) {
                const std::uint64_t grid = kIq1SGrid[qs[l] | (((qh >> (3 * l)) & 7) << 8)];
                for (int j = 0; j < 8; ++j) {
                    out[j] = dl * (iq1GridValue(grid, j) + delta);
                }
            }
        }
    }
}

void dequantizeIQ1_M(const std::byte* blocks, std::size_t count, float* out)
{
    for (std::size_t i = 0; i < count; ++i) {
        const auto block = loadBlock<BlockIQ1_M>(blocks, i);
        std::array<std::uint16_t, 4> sc{};
        std::memcpy(sc.data(), block.scales.data(), sizeof sc);
        // The half scale: the top nibble of each of the four words, lowest word first.
        const auto scaleBits = static_cast<std::uint16_t>(
            (sc[0] >> 12) | ((sc[1] >> 8) & 0x00f0) | ((sc[2] >> 4) & 0x0f00) | (sc[3] & 0xf000));
        const float d = fp16ToFloat(scaleBits);
        const std::uint8_t* qs = block.qs.data();
        const std::uint8_t* qh = block.qh.data();
        for (std::size_t ib = 0; ib < kGroups; ++ib, qs += 4, qh += 2) {
            const unsigned shift = 6 * (ib % 2);
            const float dl1 = d * static_cast<float>(2 * ((sc[ib / 2] >> shift) & 0x7) + 1);
            const float dl2 = d * static_cast<float>(2 * ((sc[ib / 2] >> (shift + 3)) & 0x7) + 1);
            const std::array<unsigned, 4> index = {
                qs[0] | ((qh[0] << 8) & 0x700u), qs[1] | ((qh[0] << 4) & 0x700u),
                qs[2] | ((qh[1] << 8) & 0x700u), qs[3] | ((qh[1] << 4) & 0x700u)};
            const std::array<float, 4> delta = {(qh[0] & 0x08) != 0 ? -kIq1Delta : kIq1Delta,
                                                (qh[0] & 0x80) != 0 ? -kIq1Delta : kIq1Delta,
                                                (qh[1] & 0x08) != 0 ? -kIq1Delta : kIq1Delta,
                                                (qh[1] & 0x80) != 0 ? -kIq1Delta : kIq1Delta};
            for (int l = 0; l < 4; ++l, out += 8) {
                const float dl = l < 2 ? dl1 : dl2;
                const std::uint64_t grid = kIq1SGrid[index[l]];
                for (int j = 0; j < 8; ++j) {
                    out[j] = dl * (iq1GridValue(grid, j) + delta[l]);
                }
            }
        }
    }
}

void dequantizeIQ4_NL(const std::byte* blocks, std::size_t count, float* out)
{
    constexpr int kHalf = 16;
    for (std::size_t i = 0; i < count; ++i, out += 2 * kHalf) {
        const auto block = loadBlock<BlockIQ4_NL>(blocks, i);
        const float d = fp16ToFloat(block.d);
        for (int j = 0; j < kHalf; ++j) {
            out[j] = d * static_cast<float>(kValuesIq4Nl[block.qs[j] & 0xf]);
            out[j + kHalf] = d * static_cast<float>(kValuesIq4Nl[block.qs[j] >> 4]);
        }
    }
}

void dequantizeIQ4_XS(const std::byte* blocks, std::size_t count, float* out)
{
    for (std::size_t i = 0; i < count; ++i) {
        const auto block = loadBlock<BlockIQ4_XS>(blocks, i);
        const float d = fp16ToFloat(block.d);
        const std::uint8_t* qs = block.qs.data();
        for (std::size_t ib = 0; ib < kGroups; ++ib, out += 32, qs += 16) {
            const int low = (block.scalesLow[ib / 2] >> (4 * (ib % 2))) & 0xf;
            const int high = (block.scalesHigh >> (2 * ib)) & 3;
            const float dl = d * static_cast<float>((low | (high << 4)) - 32);
            for (int j = 0; j < 16; ++j) {
                out[j] = dl * static_cast<float>(kValuesIq4Nl[qs[j] & 0xf]);
                out[j + 16] = dl * static_cast<float>(kValuesIq4Nl[qs[j] >> 4]);
            }
        }
    }
}

} // namespace quantscope::ggml
