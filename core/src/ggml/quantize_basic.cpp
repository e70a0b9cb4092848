// ggml's quantizers of the 32-element blocks with one or two scales: quantize_row_q4_0_ref ...
// quantize_row_q8_0_ref, operation for operation (see quantize.h).
#include "ggml/ggml_blocks.h"
#include "ggml/quantize.h"
#include "ggml/quantize_common.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace quantscope::ggml {
namespace {

constexpr int kBlock = 32;
constexpr int kHalf = kBlock / 2;

// The value of largest magnitude (the first of them) and that magnitude.
struct Extreme {
    float amax = 0.0f;
    float max = 0.0f;
};

Extreme extremeOf(const float* x)
{
    Extreme e;
    for (int j = 0; j < kBlock; ++j) {
        if (e.amax < std::abs(x[j])) {
            e.amax = std::abs(x[j]);
            e.max = x[j];
        }
    }
    return e;
}

struct Range {
    float min = FLT_MAX;
    float max = -FLT_MAX;
};

Range rangeOf(const float* x)
{
    Range r;
    for (int j = 0; j < kBlock; ++j) {
        if (x[j] < r.min) {
            r.min = x[j];
        }
        if (x[j] > r.max) {
            r.max = x[j];
        }
    }
    return r;
}

// MIN(top, (int8_t)(v)) stored in a uint8_t, as ggml writes its 4- and 5-bit codes.
std::uint8_t clampedCode(float v, int top)
{
    return static_cast<std::uint8_t>(std::min(top, truncToInt8(v)));
}

} // namespace

void quantizeQ4_0(const float* x, std::size_t count, std::byte* blocks)
{
    for (std::size_t i = 0; i < count; ++i, x += kBlock) {
        const Extreme e = extremeOf(x);
        const float d = e.max / -8;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        BlockQ4_0 block;
        block.d = fp32ToFp16(d);
        for (int j = 0; j < kHalf; ++j) {
            const float x0 = x[j] * id;
            const float x1 = x[kHalf + j] * id;
            const std::uint8_t xi0 = clampedCode(x0 + 8.5f, 15);
            const std::uint8_t xi1 = clampedCode(x1 + 8.5f, 15);
            block.qs[j] = static_cast<std::uint8_t>(xi0 | (xi1 << 4));
        }
        storeBlock(block, blocks, i);
    }
}

void quantizeQ4_1(const float* x, std::size_t count, std::byte* blocks)
{
    for (std::size_t i = 0; i < count; ++i, x += kBlock) {
        const Range r = rangeOf(x);
        const float d = (r.max - r.min) / ((1 << 4) - 1);
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        BlockQ4_1 block;
        block.d = fp32ToFp16(d);
        block.m = fp32ToFp16(r.min);
        for (int j = 0; j < kHalf; ++j) {
            const float x0 = (x[j] - r.min) * id;
            const float x1 = (x[kHalf + j] - r.min) * id;
            const std::uint8_t xi0 = clampedCode(x0 + 0.5f, 15);
            const std::uint8_t xi1 = clampedCode(x1 + 0.5f, 15);
            block.qs[j] = static_cast<std::uint8_t>(xi0 | (xi1 << 4));
        }
        storeBlock(block, blocks, i);
    }
}

void quantizeQ5_0(const float* x, std::size_t count, std::byte* blocks)
{
    for (std::size_t i = 0; i < count; ++i, x += kBlock) {
        const Extreme e = extremeOf(x);
        const float d = e.max / -16;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        BlockQ5_0 block;
        block.d = fp32ToFp16(d);
        std::uint32_t qh = 0;
        for (int j = 0; j < kHalf; ++j) {
            const float x0 = x[j] * id;
            const float x1 = x[kHalf + j] * id;
            const std::uint8_t xi0 = clampedCode(x0 + 16.5f, 31);
            const std::uint8_t xi1 = clampedCode(x1 + 16.5f, 31);
            block.qs[j] = static_cast<std::uint8_t>((xi0 & 0x0F) | ((xi1 & 0x0F) << 4));
            qh |= ((xi0 & 0x10u) >> 4) << j;
            qh |= ((xi1 & 0x10u) >> 4) << (j + kHalf);
        }
        std::memcpy(block.qh.data(), &qh, sizeof qh);
        storeBlock(block, blocks, i);
    }
}

void quantizeQ5_1(const float* x, std::size_t count, std::byte* blocks)
{
    for (std::size_t i = 0; i < count; ++i, x += kBlock) {
        const Range r = rangeOf(x);
        const float d = (r.max - r.min) / ((1 << 5) - 1);
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        BlockQ5_1 block;
        block.d = fp32ToFp16(d);
        block.m = fp32ToFp16(r.min);
        std::uint32_t qh = 0;
        for (int j = 0; j < kHalf; ++j) {
            const float x0 = (x[j] - r.min) * id;
            const float x1 = (x[kHalf + j] - r.min) * id;
            // (uint8_t) of the float: no clamp here in ggml.
            const auto xi0 = static_cast<std::uint8_t>(truncToInt(x0 + 0.5f));
            const auto xi1 = static_cast<std::uint8_t>(truncToInt(x1 + 0.5f));
            block.qs[j] = static_cast<std::uint8_t>((xi0 & 0x0F) | ((xi1 & 0x0F) << 4));
            qh |= ((xi0 & 0x10u) >> 4) << j;
            qh |= ((xi1 & 0x10u) >> 4) << (j + kHalf);
        }
        std::memcpy(block.qh.data(), &qh, sizeof qh);
        storeBlock(block, blocks, i);
    }
}

void quantizeQ8_0(const float* x, std::size_t count, std::byte* blocks)
{
    for (std::size_t i = 0; i < count; ++i, x += kBlock) {
        float amax = 0.0f;
        for (int j = 0; j < kBlock; ++j) {
            amax = std::max(amax, std::abs(x[j]));
        }
        const float d = amax / ((1 << 7) - 1);
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        BlockQ8_0 block;
        block.d = fp32ToFp16(d);
        for (int j = 0; j < kBlock; ++j) {
            block.qs[j] = static_cast<std::int8_t>(truncToInt(std::round(x[j] * id)));
        }
        storeBlock(block, blocks, i);
    }
}

} // namespace quantscope::ggml
