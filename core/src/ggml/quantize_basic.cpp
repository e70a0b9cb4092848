// ggml's quantizers of the 32-element blocks with one or two scales: quantize_row_q4_0_ref ...
// quantize_row_q8_0_ref, operation for operation (see quantize.h).
#include "blocks/block_kernels.h"
#include "ggml/ggml_blocks.h"
#include "ggml/quantize.h"
#include "ggml/quantize_common.h"

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace quantscope::ggml {
namespace {

constexpr int kBlock = 32;
constexpr int kHalf = kBlock / 2;
// Blocks handled at once by the vectorized max |x| and min/max.
constexpr std::size_t kChunk = 256;

// The value of largest magnitude (the first of them) and that magnitude.
struct Extreme {
    float amax = 0.0f;
    float max = 0.0f;
};

// ggml's loop keeps the first value of the largest magnitude: the first whose |x| is the
// block's max |x| (all values are finite here), found after a vectorized max.
Extreme extremeOf(const float* x, float amax)
{
    for (int j = 0; j < kBlock; ++j) {
        if (std::abs(x[j]) == amax) {
            return {amax, x[j]};
        }
    }
    return {};
}

void chunkMaxAbs(const float* x, std::size_t blocks, std::array<float, kChunk>& amax)
{
    kernels::blockMaxAbs(x, blocks * kBlock, kBlock, amax.data());
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

// min and max of each of `count` blocks, vectorized. ggml's loop keeps the first of equal
// values, which matters only between -0 and +0: blocks whose min or max is a zero take the
// scalar loop.
void chunkRanges(const float* x, std::size_t blocks, std::array<Range, kChunk>& ranges)
{
    std::array<float, kChunk> mins{};
    std::array<float, kChunk> maxs{};
    kernels::blockMinMax(x, blocks * kBlock, kBlock, mins.data(), maxs.data());
    for (std::size_t b = 0; b < blocks; ++b) {
        ranges[b] =
            mins[b] == 0.0f || maxs[b] == 0.0f ? rangeOf(x + b * kBlock) : Range{mins[b], maxs[b]};
    }
}

// MIN(top, (int8_t)(v)) stored in a uint8_t, as ggml writes its 4- and 5-bit codes.
std::uint8_t clampedCode(float v, int top)
{
    return static_cast<std::uint8_t>(std::min(top, truncToInt8(v)));
}

} // namespace

void quantizeQ4_0(const float* x, std::size_t count, std::byte* blocks)
{
    std::array<float, kChunk> amax{};
    for (std::size_t first = 0; first < count; first += kChunk) {
        const std::size_t chunk = std::min(kChunk, count - first);
        chunkMaxAbs(x, chunk, amax);
        for (std::size_t c = 0; c < chunk; ++c, x += kBlock) {
            const Extreme e = extremeOf(x, amax[c]);
            const float d = e.max / -8;
            const float id = d != 0.0f ? 1.0f / d : 0.0f;
            BlockQ4_0 block;
            block.d = fp32ToFp16(d);
            std::array<std::uint8_t, kBlock> q{};
            if (std::isfinite(id)) {
                // |x · id| <= 8 (1 + 2^-22): C's conversion, no overflow to guard.
                for (int j = 0; j < kBlock; ++j) {
                    q[j] =
                        static_cast<std::uint8_t>(std::min(15, static_cast<int>(x[j] * id + 8.5f)));
                }
            } else {
                for (int j = 0; j < kBlock; ++j) {
                    q[j] = clampedCode(x[j] * id + 8.5f, 15);
                }
            }
            for (int j = 0; j < kHalf; ++j) {
                block.qs[j] = static_cast<std::uint8_t>(q[j] | (q[kHalf + j] << 4));
            }
            storeBlock(block, blocks, first + c);
        }
    }
}

void quantizeQ4_1(const float* x, std::size_t count, std::byte* blocks)
{
    std::array<Range, kChunk> ranges{};
    for (std::size_t i = 0; i < count; ++i, x += kBlock) {
        if (i % kChunk == 0) {
            chunkRanges(x, std::min(kChunk, count - i), ranges);
        }
        const Range r = ranges[i % kChunk];
        const float d = (r.max - r.min) / ((1 << 4) - 1);
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        BlockQ4_1 block;
        block.d = fp32ToFp16(d);
        block.m = fp32ToFp16(r.min);
        std::array<std::uint8_t, kBlock> q{};
        if (std::isfinite(d) && std::isfinite(id)) {
            // 0 <= (x - min) · id <= 15 (1 + 2^-22): C's conversion, no overflow to guard. A range
            // beyond FLT_MAX (d = inf, id = 0) makes (x - min) · id NaN: the careful path.
            for (int j = 0; j < kBlock; ++j) {
                q[j] = static_cast<std::uint8_t>(
                    std::min(15, static_cast<int>((x[j] - r.min) * id + 0.5f)));
            }
        } else {
            for (int j = 0; j < kBlock; ++j) {
                q[j] = clampedCode((x[j] - r.min) * id + 0.5f, 15);
            }
        }
        for (int j = 0; j < kHalf; ++j) {
            block.qs[j] = static_cast<std::uint8_t>(q[j] | (q[kHalf + j] << 4));
        }
        storeBlock(block, blocks, i);
    }
}

void quantizeQ5_0(const float* x, std::size_t count, std::byte* blocks)
{
    std::array<float, kChunk> amax{};
    for (std::size_t first = 0; first < count; first += kChunk) {
        const std::size_t chunk = std::min(kChunk, count - first);
        chunkMaxAbs(x, chunk, amax);
        for (std::size_t c = 0; c < chunk; ++c, x += kBlock) {
            const Extreme e = extremeOf(x, amax[c]);
            const float d = e.max / -16;
            const float id = d != 0.0f ? 1.0f / d : 0.0f;
            BlockQ5_0 block;
            block.d = fp32ToFp16(d);
            std::array<std::uint8_t, kBlock> q{};
            if (std::isfinite(id)) {
                for (int j = 0; j < kBlock; ++j) {
                    q[j] = static_cast<std::uint8_t>(
                        std::min(31, static_cast<int>(x[j] * id + 16.5f)));
                }
            } else {
                for (int j = 0; j < kBlock; ++j) {
                    q[j] = clampedCode(x[j] * id + 16.5f, 31);
                }
            }
            std::uint32_t qh = 0;
            for (int j = 0; j < kHalf; ++j) {
                const std::uint8_t xi0 = q[j];
                const std::uint8_t xi1 = q[kHalf + j];
                block.qs[j] = static_cast<std::uint8_t>((xi0 & 0x0F) | ((xi1 & 0x0F) << 4));
                qh |= ((xi0 & 0x10u) >> 4) << j;
                qh |= ((xi1 & 0x10u) >> 4) << (j + kHalf);
            }
            std::memcpy(block.qh.data(), &qh, sizeof qh);
            storeBlock(block, blocks, first + c);
        }
    }
}

void quantizeQ5_1(const float* x, std::size_t count, std::byte* blocks)
{
    std::array<Range, kChunk> ranges{};
    for (std::size_t i = 0; i < count; ++i, x += kBlock) {
        if (i % kChunk == 0) {
            chunkRanges(x, std::min(kChunk, count - i), ranges);
        }
        const Range r = ranges[i % kChunk];
        const float d = (r.max - r.min) / ((1 << 5) - 1);
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        BlockQ5_1 block;
        block.d = fp32ToFp16(d);
        block.m = fp32ToFp16(r.min);
        std::uint32_t qh = 0;
        std::array<std::uint8_t, kBlock> q{};
        // (uint8_t) of the float: no clamp here in ggml.
        if (std::isfinite(d) && std::isfinite(id)) {
            for (int j = 0; j < kBlock; ++j) {
                q[j] = static_cast<std::uint8_t>(static_cast<int>((x[j] - r.min) * id + 0.5f));
            }
        } else {
            for (int j = 0; j < kBlock; ++j) {
                q[j] = static_cast<std::uint8_t>(truncToInt((x[j] - r.min) * id + 0.5f));
            }
        }
        for (int j = 0; j < kHalf; ++j) {
            const std::uint8_t xi0 = q[j];
            const std::uint8_t xi1 = q[kHalf + j];
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
    std::array<float, kChunk> amax{};
    for (std::size_t first = 0; first < count; first += kChunk) {
        const std::size_t chunk = std::min(kChunk, count - first);
        chunkMaxAbs(x, chunk, amax);
        for (std::size_t c = 0; c < chunk; ++c, x += kBlock) {
            const float d = amax[c] / ((1 << 7) - 1);
            const float id = d != 0.0f ? 1.0f / d : 0.0f;
            BlockQ8_0 block;
            block.d = fp32ToFp16(d);
            if (std::isfinite(id)) {
                // |x · id| <= 127 (1 + 2^-22): roundf (half away from zero) by truncation.
                for (int j = 0; j < kBlock; ++j) {
                    const float v = x[j] * id;
                    const auto t = static_cast<int>(v);
                    const float r = v - static_cast<float>(t);
                    block.qs[j] =
                        static_cast<std::int8_t>(t + (r >= 0.5f ? 1 : 0) - (r <= -0.5f ? 1 : 0));
                }
            } else {
                for (int j = 0; j < kBlock; ++j) {
                    block.qs[j] = static_cast<std::int8_t>(truncToInt(std::round(x[j] * id)));
                }
            }
            storeBlock(block, blocks, first + c);
        }
    }
}

} // namespace quantscope::ggml
