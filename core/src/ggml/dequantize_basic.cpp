// Reference kernels of the blocks with one or two scales: ggml's dequantize_row_q4_0 ... q8_0,
// q1_0, q2_0, mxfp4 and nvfp4, operation for operation.
#include "ggml/dequantize.h"
#include "ggml/ggml_blocks.h"
#include "ggml/ggml_scalars.h"
#include "ggml/ggml_tables.h"

#include <cstdint>
#include <cstring>

namespace quantscope::ggml {

void dequantizeQ4_0(const std::byte* blocks, std::size_t count, float* out)
{
    constexpr int kHalf = 16;
    for (std::size_t i = 0; i < count; ++i, out += 2 * kHalf) {
        const auto block = loadBlock<BlockQ4_0>(blocks, i);
        const float d = fp16ToFloat(block.d);
        for (int j = 0; j < kHalf; ++j) {
            const int x0 = (block.qs[j] & 0x0F) - 8;
            const int x1 = (block.qs[j] >> 4) - 8;
            out[j] = static_cast<float>(x0) * d;
            out[j + kHalf] = static_cast<float>(x1) * d;
        }
    }
}

void dequantizeQ4_1(const std::byte* blocks, std::size_t count, float* out)
{
    constexpr int kHalf = 16;
    for (std::size_t i = 0; i < count; ++i, out += 2 * kHalf) {
        const auto block = loadBlock<BlockQ4_1>(blocks, i);
        const float d = fp16ToFloat(block.d);
        const float m = fp16ToFloat(block.m);
        for (int j = 0; j < kHalf; ++j) {
            const int x0 = block.qs[j] & 0x0F;
            const int x1 = block.qs[j] >> 4;
            out[j] = static_cast<float>(x0) * d + m;
            out[j + kHalf] = static_cast<float>(x1) * d + m;
        }
    }
}

void dequantizeQ5_0(const std::byte* blocks, std::size_t count, float* out)
{
    constexpr int kHalf = 16;
    for (std::size_t i = 0; i < count; ++i, out += 2 * kHalf) {
        const auto block = loadBlock<BlockQ5_0>(blocks, i);
        const float d = fp16ToFloat(block.d);
        std::uint32_t qh;
        std::memcpy(&qh, block.qh.data(), sizeof qh);
        for (int j = 0; j < kHalf; ++j) {
            const std::uint32_t xh0 = ((qh >> j) << 4) & 0x10;
            const std::uint32_t xh1 = (qh >> (j + 12)) & 0x10;
            const int x0 = static_cast<int>((block.qs[j] & 0x0Fu) | xh0) - 16;
            const int x1 = static_cast<int>((block.qs[j] >> 4) | xh1) - 16;
            out[j] = static_cast<float>(x0) * d;
            out[j + kHalf] = static_cast<float>(x1) * d;
        }
    }
}

void dequantizeQ5_1(const std::byte* blocks, std::size_t count, float* out)
{
    constexpr int kHalf = 16;
    for (std::size_t i = 0; i < count; ++i, out += 2 * kHalf) {
        const auto block = loadBlock<BlockQ5_1>(blocks, i);
        const float d = fp16ToFloat(block.d);
        const float m = fp16ToFloat(block.m);
        std::uint32_t qh;
        std::memcpy(&qh, block.qh.data(), sizeof qh);
        for (int j = 0; j < kHalf; ++j) {
            const std::uint32_t xh0 = ((qh >> j) << 4) & 0x10;
            const std::uint32_t xh1 = (qh >> (j + 12)) & 0x10;
            const auto x0 = static_cast<int>((block.qs[j] & 0x0Fu) | xh0);
            const auto x1 = static_cast<int>((block.qs[j] >> 4) | xh1);
            out[j] = static_cast<float>(x0) * d + m;
            out[j + kHalf] = static_cast<float>(x1) * d + m;
        }
    }
}

void dequantizeQ8_0(const std::byte* blocks, std::size_t count, float* out)
{
    constexpr int kElements = 32;
    for (std::size_t i = 0; i < count; ++i, out += kElements) {
        const auto block = loadBlock<BlockQ8_0>(blocks, i);
        const float d = fp16ToFloat(block.d);
        for (int j = 0; j < kElements; ++j) {
            out[j] = static_cast<float>(block.qs[j]) * d;
        }
    }
}

void dequantizeQ8_1(const std::byte* blocks, std::size_t count, float* out)
{
    constexpr int kElements = 32;
    for (std::size_t i = 0; i < count; ++i, out += kElements) {
        const auto block = loadBlock<BlockQ8_1>(blocks, i);
        const float d = fp16ToFloat(block.d);
        for (int j = 0; j < kElements; ++j) {
            out[j] = static_cast<float>(block.qs[j]) * d;
        }
    }
}

void dequantizeQ1_0(const std::byte* blocks, std::size_t count, float* out)
{
    constexpr int kElements = 128;
    for (std::size_t i = 0; i < count; ++i, out += kElements) {
        const auto block = loadBlock<BlockQ1_0>(blocks, i);
        const float d = fp16ToFloat(block.d);
        const float negativeD = -d;
        for (int j = 0; j < kElements; ++j) {
            const bool bit = ((block.qs[j / 8] >> (j % 8)) & 1) != 0;
            out[j] = bit ? d : negativeD;
        }
    }
}

void dequantizeQ2_0(const std::byte* blocks, std::size_t count, float* out)
{
    constexpr int kElements = 64;
    for (std::size_t i = 0; i < count; ++i, out += kElements) {
        const auto block = loadBlock<BlockQ2_0>(blocks, i);
        const float d = fp16ToFloat(block.d);
        for (int j = 0; j < kElements; ++j) {
            const int q = (block.qs[j / 4] >> ((j % 4) * 2)) & 0x03;
            out[j] = static_cast<float>(q - 1) * d;
        }
    }
}

void dequantizeMXFP4(const std::byte* blocks, std::size_t count, float* out)
{
    constexpr int kHalf = 16;
    for (std::size_t i = 0; i < count; ++i, out += 2 * kHalf) {
        const auto block = loadBlock<BlockMXFP4>(blocks, i);
        const float d = e8m0ToFloatHalf(block.e);
        for (int j = 0; j < kHalf; ++j) {
            out[j] = static_cast<float>(kValuesFp4[block.qs[j] & 0x0F]) * d;
            out[j + kHalf] = static_cast<float>(kValuesFp4[block.qs[j] >> 4]) * d;
        }
    }
}

void dequantizeNVFP4(const std::byte* blocks, std::size_t count, float* out)
{
    constexpr int kHalf = kNvfp4SubBlock / 2;
    for (std::size_t i = 0; i < count; ++i) {
        const auto block = loadBlock<BlockNVFP4>(blocks, i);
        for (std::size_t s = 0; s < block.d.size(); ++s, out += 2 * kHalf) {
            const float d = ue4m3ToFloatHalf(block.d[s]);
            for (int j = 0; j < kHalf; ++j) {
                const std::uint8_t packed = block.qs[s * kHalf + j];
                out[j] = static_cast<float>(kValuesFp4[packed & 0x0F]) * d;
                out[j + kHalf] = static_cast<float>(kValuesFp4[packed >> 4]) * d;
            }
        }
    }
}

} // namespace quantscope::ggml
