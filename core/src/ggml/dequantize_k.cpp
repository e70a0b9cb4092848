// Reference kernels of the 256-element super-blocks: ggml's dequantize_row_q2_K ... q8_K,
// tq1_0 and tq2_0, operation for operation.
#include "ggml/dequantize.h"
#include "ggml/ggml_blocks.h"
#include "ggml/ggml_scalars.h"
#include "ggml/k_scales.h"

#include <array>
#include <cstdint>
#include <cstring>

namespace quantscope::ggml {

void dequantizeQ2_K(const std::byte* blocks, std::size_t count, float* out)
{
    for (std::size_t i = 0; i < count; ++i) {
        const auto block = loadBlock<BlockQ2_K>(blocks, i);
        const float d = fp16ToFloat(block.d);
        const float min = fp16ToFloat(block.dmin);
        const std::uint8_t* q = block.qs.data();
        std::size_t is = 0;
        // Two halves of 128; each byte of q holds four 2-bit values, 32 elements apart.
        for (std::size_t n = 0; n < kSuperBlock; n += 128, q += 32) {
            for (int shift = 0; shift < 8; shift += 2) {
                for (int part = 0; part < 2; ++part) {
                    const std::uint8_t sc = block.scales[is++];
                    const float dl = d * static_cast<float>(sc & 0xF);
                    const float ml = min * static_cast<float>(sc >> 4);
                    for (int l = 0; l < 16; ++l) {
                        const int value = (q[l + 16 * part] >> shift) & 3;
                        *out++ = dl * static_cast<float>(value) - ml;
                    }
                }
            }
        }
    }
}

void dequantizeQ3_K(const std::byte* blocks, std::size_t count, float* out)
{
    for (std::size_t i = 0; i < count; ++i) {
        const auto block = loadBlock<BlockQ3_K>(blocks, i);
        const float dAll = fp16ToFloat(block.d);
        const std::array<std::int8_t, 16> scales = unpackQ3_KScales(block.scales);
        const std::uint8_t* q = block.qs.data();
        std::uint8_t m = 1;
        std::size_t is = 0;
        for (std::size_t n = 0; n < kSuperBlock; n += 128, q += 32) {
            for (int shift = 0; shift < 8; shift += 2, m <<= 1) {
                for (int part = 0; part < 2; ++part) {
                    const float dl = dAll * static_cast<float>(scales[is++] - 32);
                    for (int l = 0; l < 16; ++l) {
                        const int low = (q[l + 16 * part] >> shift) & 3;
                        const int high = (block.hmask[l + 16 * part] & m) != 0 ? 0 : 4;
                        *out++ = dl * static_cast<float>(low - high);
                    }
                }
            }
        }
    }
}

void dequantizeQ4_K(const std::byte* blocks, std::size_t count, float* out)
{
    for (std::size_t i = 0; i < count; ++i) {
        const auto block = loadBlock<BlockQ4_K>(blocks, i);
        const float d = fp16ToFloat(block.d);
        const float min = fp16ToFloat(block.dmin);
        const std::uint8_t* q = block.qs.data();
        for (int is = 0; is < 8; is += 2, q += 32) {
            const ScaleMin first = scaleMinK4(is, block.scales);
            const ScaleMin second = scaleMinK4(is + 1, block.scales);
            const float d1 = d * static_cast<float>(first.scale);
            const float m1 = min * static_cast<float>(first.min);
            const float d2 = d * static_cast<float>(second.scale);
            const float m2 = min * static_cast<float>(second.min);
            for (int l = 0; l < 32; ++l) {
                *out++ = d1 * static_cast<float>(q[l] & 0xF) - m1;
            }
            for (int l = 0; l < 32; ++l) {
                *out++ = d2 * static_cast<float>(q[l] >> 4) - m2;
            }
        }
    }
}

void dequantizeQ5_K(const std::byte* blocks, std::size_t count, float* out)
{
    for (std::size_t i = 0; i < count; ++i) {
        const auto block = loadBlock<BlockQ5_K>(blocks, i);
        const float d = fp16ToFloat(block.d);
        const float min = fp16ToFloat(block.dmin);
        const std::uint8_t* ql = block.qs.data();
        std::uint8_t u1 = 1;
        std::uint8_t u2 = 2;
        for (int is = 0; is < 8; is += 2, ql += 32, u1 <<= 2, u2 <<= 2) {
            const ScaleMin first = scaleMinK4(is, block.scales);
            const ScaleMin second = scaleMinK4(is + 1, block.scales);
            const float d1 = d * static_cast<float>(first.scale);
            const float m1 = min * static_cast<float>(first.min);
            const float d2 = d * static_cast<float>(second.scale);
            const float m2 = min * static_cast<float>(second.min);
            for (int l = 0; l < 32; ++l) {
                const int value = (ql[l] & 0xF) + ((block.qh[l] & u1) != 0 ? 16 : 0);
                *out++ = d1 * static_cast<float>(value) - m1;
            }
            for (int l = 0; l < 32; ++l) {
                const int value = (ql[l] >> 4) + ((block.qh[l] & u2) != 0 ? 16 : 0);
                *out++ = d2 * static_cast<float>(value) - m2;
            }
        }
    }
}

void dequantizeQ6_K(const std::byte* blocks, std::size_t count, float* out)
{
    for (std::size_t i = 0; i < count; ++i) {
        const auto block = loadBlock<BlockQ6_K>(blocks, i);
        const float d = fp16ToFloat(block.d);
        const std::uint8_t* ql = block.ql.data();
        const std::uint8_t* qh = block.qh.data();
        const std::int8_t* sc = block.scales.data();
        for (std::size_t n = 0; n < kSuperBlock;
             n += 128, out += 128, ql += 64, qh += 32, sc += 8) {
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                out[l] = d * static_cast<float>(sc[is]) * static_cast<float>(q1);
                out[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
                out[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
                out[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
            }
        }
    }
}

void dequantizeQ8_K(const std::byte* blocks, std::size_t count, float* out)
{
    for (std::size_t i = 0; i < count; ++i) {
        const auto block = loadBlock<BlockQ8_K>(blocks, i);
        for (std::size_t j = 0; j < kSuperBlock; ++j) {
            *out++ = block.d * static_cast<float>(block.qs[j]);
        }
    }
}

namespace {

// Digit n (most significant first) of the base-3 number packed in `byte` as ggml stores it:
// byte * 3^n keeps the fraction below the digit, and * 3 >> 8 reads that digit. Gives -1, 0, 1.
int ternaryDigit(std::uint8_t byte, int n)
{
    static constexpr std::array<std::uint8_t, 6> kPow3 = {1, 3, 9, 27, 81, 243};
    const auto shifted = static_cast<std::uint8_t>(byte * kPow3[n]);
    return ((static_cast<std::uint16_t>(shifted) * 3) >> 8) - 1;
}

} // namespace

void dequantizeTQ1_0(const std::byte* blocks, std::size_t count, float* out)
{
    for (std::size_t i = 0; i < count; ++i) {
        const auto block = loadBlock<BlockTQ1_0>(blocks, i);
        const float d = fp16ToFloat(block.d);
        // qs: 32 bytes then 16 bytes, five digits each, digit-major; qh: four digits each.
        constexpr std::size_t kWide = 32;
        for (int n = 0; n < 5; ++n) {
            for (std::size_t m = 0; m < kWide; ++m) {
                *out++ = static_cast<float>(ternaryDigit(block.qs[m], n)) * d;
            }
        }
        for (int n = 0; n < 5; ++n) {
            for (std::size_t m = kWide; m < block.qs.size(); ++m) {
                *out++ = static_cast<float>(ternaryDigit(block.qs[m], n)) * d;
            }
        }
        for (int n = 0; n < 4; ++n) {
            for (std::uint8_t byte : block.qh) {
                *out++ = static_cast<float>(ternaryDigit(byte, n)) * d;
            }
        }
    }
}

void dequantizeTQ2_0(const std::byte* blocks, std::size_t count, float* out)
{
    for (std::size_t i = 0; i < count; ++i) {
        const auto block = loadBlock<BlockTQ2_0>(blocks, i);
        const float d = fp16ToFloat(block.d);
        for (std::size_t j = 0; j < block.qs.size(); j += 32) {
            for (int l = 0; l < 4; ++l) {
                for (std::size_t m = 0; m < 32; ++m) {
                    const int q = (block.qs[j + m] >> (l * 2)) & 3;
                    *out++ = static_cast<float>(q - 1) * d;
                }
            }
        }
    }
}

} // namespace quantscope::ggml
