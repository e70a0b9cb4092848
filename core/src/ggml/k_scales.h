#pragma once

#include "ggml/ggml_blocks.h"

#include <array>
#include <cstdint>
#include <cstring>

// The packed sub-block scales of ggml's K-quants, unpacked as ggml-quants.c does.
namespace quantscope::ggml {

struct ScaleMin {
    std::uint8_t scale;
    std::uint8_t min;
};

// get_scale_min_k4: the 6-bit scale and min of sub-block j (0..7) of Q4_K and Q5_K. Sub-blocks
// 0-3 sit in the low 6 bits of bytes 0-3 (scales) and 4-7 (mins); 4-7 take 4 bits from bytes
// 8-11 and their top 2 bits from the spare bits of bytes 0-7.
inline ScaleMin scaleMinK4(int j, const std::array<std::uint8_t, kScaleBytesK>& q)
{
    if (j < 4) {
        return {static_cast<std::uint8_t>(q[j] & 63), static_cast<std::uint8_t>(q[j + 4] & 63)};
    }
    return {static_cast<std::uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4)),
            static_cast<std::uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4))};
}

// The 16 6-bit scales of Q3_K (stored offset by 32): low 4 bits in bytes 0-7, high 2 bits in
// bytes 8-11, rearranged as dequantize_row_q3_K does with four 32-bit words.
inline std::array<std::int8_t, 16> unpackQ3_KScales(const std::array<std::uint8_t, 12>& packed)
{
    constexpr std::uint32_t kmask1 = 0x03030303;
    constexpr std::uint32_t kmask2 = 0x0f0f0f0f;
    std::array<std::uint32_t, 4> aux{};
    std::memcpy(aux.data(), packed.data(), packed.size());
    const std::uint32_t tmp = aux[2];
    aux[2] = ((aux[0] >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4);
    aux[3] = ((aux[1] >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4);
    aux[0] = (aux[0] & kmask2) | (((tmp >> 0) & kmask1) << 4);
    aux[1] = (aux[1] & kmask2) | (((tmp >> 2) & kmask1) << 4);
    std::array<std::int8_t, 16> scales{};
    std::memcpy(scales.data(), aux.data(), scales.size());
    return scales;
}

} // namespace quantscope::ggml
