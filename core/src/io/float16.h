#pragma once

#include <bit>
#include <cstdint>

namespace quantscope {

// IEEE 754 binary16 to float32. Every half value is exactly representable as a float, so the
// conversion is exact: subnormals, signed zeros and infinities keep their value, NaNs stay NaN
// (payload kept).
inline float halfToFloat(std::uint16_t half)
{
    const std::uint32_t sign = static_cast<std::uint32_t>(half & 0x8000u) << 16;
    const std::uint32_t exponent = (half >> 10) & 0x1Fu;
    std::uint32_t mantissa = half & 0x3FFu;

    if (exponent == 0x1F) // infinity or NaN
        return std::bit_cast<float>(sign | 0x7F800000u | (mantissa << 13));
    if (exponent != 0) // normal: rebias 15 -> 127
        return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
    if (mantissa == 0)
        return std::bit_cast<float>(sign);
    // Subnormal half (mantissa * 2^-24) is a normal float: shift the leading 1 into the
    // implicit bit and lower the exponent by the same amount.
    std::uint32_t floatExponent = 113; // 2^-14, the exponent of the smallest normal half
    while ((mantissa & 0x400u) == 0) {
        mantissa <<= 1;
        --floatExponent;
    }
    return std::bit_cast<float>(sign | (floatExponent << 23) | ((mantissa & 0x3FFu) << 13));
}

} // namespace quantscope
