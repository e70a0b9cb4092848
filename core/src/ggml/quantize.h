#pragma once

#include <cstddef>

// One quantization kernel per ggml type that ggml quantizes without an importance matrix:
// `count` blocks of float32 values at `x` become `count` blocks of ggml's block bytes at
// `blocks` (any alignment), byte for byte what ggml_quantize_chunk(type, x, ..., NULL) writes.
//
// The kernels follow ggml's quantize_row_*_ref and the no-imatrix path of ggml_quantize_chunk
// (src/ggml-quants.c) operation for operation: the float operations come in ggml's order and none
// is fused (core/CMakeLists.txt builds these files with -ffp-contract=off), conversions of
// out-of-range floats to integers give what x86 gives ggml (truncToInt in quantize_common.h).
// Dequantizing the blocks (dequantize.h) then gives ggml's values bit for bit.
namespace quantscope::ggml {

using QuantizeKernel = void (*)(const float* x, std::size_t count, std::byte* blocks);

// 32-element blocks with one or two scales (quantize_basic.cpp): quantize_row_q4_0_ref ...
// quantize_row_q8_0_ref.
void quantizeQ4_0(const float* x, std::size_t count, std::byte* blocks);
void quantizeQ4_1(const float* x, std::size_t count, std::byte* blocks);
void quantizeQ5_0(const float* x, std::size_t count, std::byte* blocks);
void quantizeQ5_1(const float* x, std::size_t count, std::byte* blocks);
void quantizeQ8_0(const float* x, std::size_t count, std::byte* blocks);

// 256-element super-blocks (quantize_k.cpp): quantize_row_q2_K_ref ... quantize_row_q6_K_ref.
void quantizeQ2_K(const float* x, std::size_t count, std::byte* blocks);
void quantizeQ3_K(const float* x, std::size_t count, std::byte* blocks);
void quantizeQ4_K(const float* x, std::size_t count, std::byte* blocks);
void quantizeQ5_K(const float* x, std::size_t count, std::byte* blocks);
void quantizeQ6_K(const float* x, std::size_t count, std::byte* blocks);

// The non-linear 4-bit types (quantize_iq4.cpp): quantize_iq4_nl and quantize_iq4_xs without
// quant weights, i.e. quantize_row_iq4_nl_impl with ntry 7 (what ggml_quantize_chunk runs; note
// quantize_row_iq4_nl_ref uses ntry -1 and may differ).
void quantizeIQ4_NL(const float* x, std::size_t count, std::byte* blocks);
void quantizeIQ4_XS(const float* x, std::size_t count, std::byte* blocks);

} // namespace quantscope::ggml
