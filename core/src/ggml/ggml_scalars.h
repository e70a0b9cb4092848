#pragma once

#include "io/float16.h"

#include <bit>
#include <cmath>
#include <cstdint>

// The scale formats of ggml's blocks, converted to float32 exactly as ggml-impl.h does.
namespace quantscope::ggml {

// ggml_compute_fp16_to_fp32: the exact half value; a NaN comes out quiet (ggml builds it by a
// multiplication, which sets the quiet bit), payload kept.
inline float fp16ToFloat(std::uint16_t half)
{
    const float value = quantscope::halfToFloat(half);
    const bool isNan = (half & 0x7C00u) == 0x7C00u && (half & 0x03FFu) != 0;
    return isNan ? std::bit_cast<float>(std::bit_cast<std::uint32_t>(value) | 0x00400000u) : value;
}

// ggml_e8m0_to_fp32_half: an OCP E8M0 scale 2^(e - 127), halved because ggml's E2M1 values
// (kValuesFp4) are doubled; e = 255 gives 2^127, not NaN.
inline float e8m0ToFloatHalf(std::uint8_t e)
{
    const std::uint32_t bits = e < 2 ? 0x00200000u << e : static_cast<std::uint32_t>(e - 1) << 23;
    return std::bit_cast<float>(bits);
}

// ggml_ue4m3_to_fp32: an unsigned E4M3 scale (bias 7, bit 7 ignored), halved as above; 0 and
// 0x7F (the NaN code) give 0.
inline float ue4m3ToFloatHalf(std::uint8_t x)
{
    if (x == 0 || x == 0x7F) {
        return 0.0f;
    }
    const int exponent = (x >> 3) & 0xF;
    const int mantissa = x & 0x7;
    const float raw = exponent == 0
                          ? std::ldexp(static_cast<float>(mantissa), -9)
                          : std::ldexp(1.0f + static_cast<float>(mantissa) / 8.0f, exponent - 7);
    return raw * 0.5f;
}

} // namespace quantscope::ggml
