#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

// The block layouts of ggml's quantized tensor types, byte for byte as ggml's src/ggml-common.h
// declares them (block_q4_0, block_q4_K, ...): what a GGUF file stores and what a ggml quantizer
// writes. Scales named d, m, dmin are IEEE half floats kept as their bits (ggml_half).
namespace quantscope::ggml {

constexpr std::size_t kSuperBlock = 256;   // QK_K: elements of a K-quant, IQ or TQ block
constexpr std::size_t kScaleBytesK = 12;   // K_SCALE_SIZE: 8 six-bit scales and mins of Q4_K, Q5_K
constexpr float kIq1Delta = 0.125f;        // IQ1S_DELTA, IQ1M_DELTA
constexpr std::size_t kNvfp4SubBlock = 16; // QK_NVFP4_SUB: elements sharing one NVFP4 scale

// x = d * (q - 8), 4-bit q; byte j holds element j (low nibble) and j + 16 (high nibble).
struct BlockQ4_0 {
    std::uint16_t d;
    std::array<std::uint8_t, 16> qs;
};
// x = d * q + m, 4-bit q, nibbles as Q4_0.
struct BlockQ4_1 {
    std::uint16_t d;
    std::uint16_t m;
    std::array<std::uint8_t, 16> qs;
};
// x = d * (q - 16), 5-bit q: low nibbles as Q4_0, bit 4 of element j is bit j of qh.
struct BlockQ5_0 {
    std::uint16_t d;
    std::array<std::uint8_t, 4> qh;
    std::array<std::uint8_t, 16> qs;
};
// x = d * q + m, 5-bit q laid out as Q5_0.
struct BlockQ5_1 {
    std::uint16_t d;
    std::uint16_t m;
    std::array<std::uint8_t, 4> qh;
    std::array<std::uint8_t, 16> qs;
};
// x = d * q, int8 q.
struct BlockQ8_0 {
    std::uint16_t d;
    std::array<std::int8_t, 32> qs;
};
// x = d * q as Q8_0; s = d * sum(q) serves ggml's dot products only.
struct BlockQ8_1 {
    std::uint16_t d;
    std::uint16_t s;
    std::array<std::int8_t, 32> qs;
};
// 128 elements, x = +d or -d: bit j % 8 of byte j / 8 set means +d.
struct BlockQ1_0 {
    std::uint16_t d;
    std::array<std::uint8_t, 16> qs;
};
// 64 elements, x = d * (q - 1), 2-bit q: element j in bits 2 (j % 4) of byte j / 4.
struct BlockQ2_0 {
    std::uint16_t d;
    std::array<std::uint8_t, 16> qs;
};
// OCP MXFP4: an E8M0 scale, 32 E2M1 values packed as Q4_0's nibbles.
struct BlockMXFP4 {
    std::uint8_t e;
    std::array<std::uint8_t, 16> qs;
};
// NVFP4: 64 E2M1 values in four sub-blocks of 16, each with a UE4M3 scale.
struct BlockNVFP4 {
    std::array<std::uint8_t, 4> d;
    std::array<std::uint8_t, 32> qs;
};

// Ternary: 256 values in {-1, 0, 1} * d, five base-3 digits a byte in qs, four in qh.
struct BlockTQ1_0 {
    std::array<std::uint8_t, 48> qs;
    std::array<std::uint8_t, 4> qh;
    std::uint16_t d;
};
// Ternary: 256 values (q - 1) * d, 2-bit q.
struct BlockTQ2_0 {
    std::array<std::uint8_t, 64> qs;
    std::uint16_t d;
};

// 16 groups of 16: x = d * sc * q - dmin * m with 4-bit sc and m per group, 2-bit q.
struct BlockQ2_K {
    std::array<std::uint8_t, 16> scales;
    std::array<std::uint8_t, 64> qs;
    std::uint16_t d;
    std::uint16_t dmin;
};
// 16 groups of 16: x = d * (sc - 32) * (q - 4 * !high), 6-bit sc, 2 low bits of q in qs.
struct BlockQ3_K {
    std::array<std::uint8_t, 32> hmask;
    std::array<std::uint8_t, 64> qs;
    std::array<std::uint8_t, 12> scales;
    std::uint16_t d;
};
// 8 groups of 32: x = d * sc * q - dmin * m, 6-bit sc and m packed in scales, 4-bit q.
struct BlockQ4_K {
    std::uint16_t d;
    std::uint16_t dmin;
    std::array<std::uint8_t, kScaleBytesK> scales;
    std::array<std::uint8_t, 128> qs;
};
// As Q4_K with a fifth bit of q in qh.
struct BlockQ5_K {
    std::uint16_t d;
    std::uint16_t dmin;
    std::array<std::uint8_t, kScaleBytesK> scales;
    std::array<std::uint8_t, 32> qh;
    std::array<std::uint8_t, 128> qs;
};
// 16 groups of 16: x = d * sc * (q - 32), int8 sc, 6-bit q (4 low bits in ql, 2 high in qh).
struct BlockQ6_K {
    std::array<std::uint8_t, 128> ql;
    std::array<std::uint8_t, 64> qh;
    std::array<std::int8_t, 16> scales;
    std::uint16_t d;
};
// x = d * q with a float32 d; bsums (sums of 16 q) serve ggml's dot products only.
struct BlockQ8_K {
    float d;
    std::array<std::int8_t, 256> qs;
    std::array<std::int16_t, 16> bsums;
};

// IQ2_XXS: per 32 elements two uint32: four 8-bit indices into kIq2XxsGrid, then four 7-bit
// sign indices and a 4-bit scale.
struct BlockIQ2_XXS {
    std::uint16_t d;
    std::array<std::uint16_t, 32> qs;
};
// IQ2_XS: per 8 elements a 9-bit kIq2XsGrid index and a 7-bit sign index; 4-bit scales.
struct BlockIQ2_XS {
    std::uint16_t d;
    std::array<std::uint16_t, 32> qs;
    std::array<std::uint8_t, 8> scales;
};
// IQ2_S: 10-bit kIq2SGrid indices (8 bits in qs, 2 in qh), explicit sign bytes after them in qs.
struct BlockIQ2_S {
    std::uint16_t d;
    std::array<std::uint8_t, 64> qs;
    std::array<std::uint8_t, 8> qh;
    std::array<std::uint8_t, 8> scales;
};
// IQ3_XXS: 64 kIq3XxsGrid indices, then per 32 elements a uint32 of sign indices and a scale.
struct BlockIQ3_XXS {
    std::uint16_t d;
    std::array<std::uint8_t, 96> qs;
};
// IQ3_S: 9-bit kIq3SGrid indices (8 bits in qs, 1 in qh), explicit signs, 4-bit scales.
struct BlockIQ3_S {
    std::uint16_t d;
    std::array<std::uint8_t, 64> qs;
    std::array<std::uint8_t, 8> qh;
    std::array<std::uint8_t, 32> signs;
    std::array<std::uint8_t, 4> scales;
};
// IQ1_S: 11-bit kIq1SGrid indices (8 bits in qs, 3 in qh), per 32 elements a 3-bit scale and
// the sign of a shift by kIq1Delta in qh.
struct BlockIQ1_S {
    std::uint16_t d;
    std::array<std::uint8_t, 32> qs;
    std::array<std::uint16_t, 8> qh;
};
// IQ1_M: as IQ1_S with a shift per 8 elements; the half scale d is spread over the top nibbles
// of the four uint16 of scales.
struct BlockIQ1_M {
    std::array<std::uint8_t, 32> qs;
    std::array<std::uint8_t, 16> qh;
    std::array<std::uint8_t, 8> scales;
};
// IQ4_NL: x = d * kValuesIq4Nl[q], nibbles as Q4_0.
struct BlockIQ4_NL {
    std::uint16_t d;
    std::array<std::uint8_t, 16> qs;
};
// IQ4_XS: 256 elements, a 6-bit scale per 32 (4 low bits in scales_l, 2 high in scales_h).
struct BlockIQ4_XS {
    std::uint16_t d;
    std::uint16_t scalesHigh;
    std::array<std::uint8_t, 4> scalesLow;
    std::array<std::uint8_t, 128> qs;
};

static_assert(sizeof(BlockQ4_0) == 18 && sizeof(BlockQ4_1) == 20 && sizeof(BlockQ5_0) == 22 &&
              sizeof(BlockQ5_1) == 24 && sizeof(BlockQ8_0) == 34 && sizeof(BlockQ8_1) == 36 &&
              sizeof(BlockQ1_0) == 18 && sizeof(BlockQ2_0) == 18 && sizeof(BlockMXFP4) == 17 &&
              sizeof(BlockNVFP4) == 36);
static_assert(sizeof(BlockTQ1_0) == 54 && sizeof(BlockTQ2_0) == 66 && sizeof(BlockQ2_K) == 84 &&
              sizeof(BlockQ3_K) == 110 && sizeof(BlockQ4_K) == 144 && sizeof(BlockQ5_K) == 176 &&
              sizeof(BlockQ6_K) == 210 && sizeof(BlockQ8_K) == 292);
static_assert(sizeof(BlockIQ2_XXS) == 66 && sizeof(BlockIQ2_XS) == 74 && sizeof(BlockIQ2_S) == 82 &&
              sizeof(BlockIQ3_XXS) == 98 && sizeof(BlockIQ3_S) == 110 && sizeof(BlockIQ1_S) == 50 &&
              sizeof(BlockIQ1_M) == 56 && sizeof(BlockIQ4_NL) == 18 && sizeof(BlockIQ4_XS) == 136);

// Block `index` of an array of blocks at any address (file data need not be aligned).
template <typename Block> Block loadBlock(const std::byte* blocks, std::size_t index)
{
    Block block;
    std::memcpy(&block, blocks + index * sizeof(Block), sizeof(Block));
    return block;
}

} // namespace quantscope::ggml
