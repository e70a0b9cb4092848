#pragma once

#include <bit>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "ggml/ggml_blocks.h"

// The quantizers' trial loops run side by side in vector lanes: on x86-64 they are also built
// for AVX2 and picked at load time (the same float operations, unfused, so the same results).
// GCC only: Clang 14 cannot clone function templates (its builds, the sanitizer and fuzzing ones,
// run the default version).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define QUANTSCOPE_GGML_LANES __attribute__((target_clones("avx2", "default")))
#else
#define QUANTSCOPE_GGML_LANES
#endif

// Scalar helpers of ggml's quantizers (src/ggml-quants.c, src/ggml-impl.h), with their exact
// arithmetic.
namespace quantscope::ggml {

// GROUP_MAX_EPS: a group whose max |x| is below it counts as all zero.
constexpr float kGroupMaxEps = 1e-15f;

// The value of largest magnitude and that magnitude, as ggml's loops find them: the first such
// value (a later one must be strictly larger), 0 when there is none.
struct LargestMagnitude {
    float value = 0.0f;
    float magnitude = 0.0f;
};
inline LargestMagnitude largestMagnitude(const float* x, int n)
{
    LargestMagnitude largest;
    for (int i = 0; i < n; ++i) {
        const float ax = std::abs(x[i]);
        if (ax > largest.magnitude) {
            largest = {x[i], ax};
        }
    }
    return largest;
}

// ggml_compute_fp32_to_fp16: round to nearest even through two scalings and a magic addition;
// NaN gives 0x7E00 (with the sign), overflow infinity.
inline std::uint16_t fp32ToFp16(float f)
{
    const float scaleToInf = 0x1.0p+112f;
    const float scaleToZero = 0x1.0p-110f;
    float base = (std::abs(f) * scaleToInf) * scaleToZero;
    const auto w = std::bit_cast<std::uint32_t>(f);
    const std::uint32_t shl1W = w + w;
    const std::uint32_t sign = w & 0x80000000u;
    std::uint32_t bias = shl1W & 0xFF000000u;
    if (bias < 0x71000000u) {
        bias = 0x71000000u;
    }
    base = std::bit_cast<float>((bias >> 1) + 0x07800000u) + base;
    const auto bits = std::bit_cast<std::uint32_t>(base);
    const std::uint32_t expBits = (bits >> 13) & 0x00007C00u;
    const std::uint32_t mantissaBits = bits & 0x00000FFFu;
    const std::uint32_t nonsign = expBits + mantissaBits;
    return static_cast<std::uint16_t>((sign >> 16) | (shl1W > 0xFF000000u ? 0x7E00u : nonsign));
}

// nearest_int: round to nearest even by adding 1.5 * 2^23 and reading the low mantissa bits.
// Exact for |x| <= 4194303; beyond that it gives what ggml gives (ggml only asserts).
inline int nearestInt(float x)
{
    const float value = x + 12582912.f;
    const auto bits = std::bit_cast<std::int32_t>(value);
    return (bits & 0x007fffff) - 0x00400000;
}

// C's (int) of a float as x86 does it (cvttss2si): truncation toward zero, INT_MIN for NaN and
// anything out of range. ggml's (int8_t)x, (uint8_t)x and int = float conversions compile to it
// (then keep the low byte), so a block of extreme values still encodes as ggml's.
inline int truncToInt(float x)
{
    return x > -2147483904.0f && x < 2147483648.0f ? static_cast<int>(x) : INT_MIN;
}

// C's (int8_t) of a float, as above.
inline int truncToInt8(float x)
{
    return static_cast<std::int8_t>(truncToInt(x));
}

// best_index_int8: the index of the entry of the ascending table `values` nearest to x (the
// upper one on a tie).
inline int bestIndexInt8(int n, const std::int8_t* values, float x)
{
    if (x <= values[0]) {
        return 0;
    }
    if (x >= values[n - 1]) {
        return n - 1;
    }
    int ml = 0;
    int mu = n - 1;
    while (mu - ml > 1) {
        const int mav = (ml + mu) / 2;
        if (x < values[mav]) {
            mu = mav;
        } else {
            ml = mav;
        }
    }
    return x - values[mu - 1] < values[mu] - x ? mu - 1 : mu;
}

template <typename Block> void storeBlock(const Block& block, std::byte* blocks, std::size_t index)
{
    std::memcpy(blocks + index * sizeof(Block), &block, sizeof(Block));
}

} // namespace quantscope::ggml
