#pragma once

#include <cstddef>

// One dequantization kernel per ggml type: `count` blocks at `blocks` (any alignment) become
// count * blockElements float32 values at `out`. The plain kernels do the same per element.
//
// The kernels repeat ggml's dequantize_row_* (src/ggml-quants.c) operation for operation, so
// every float comes out bit for bit as ggml's: the order of the float operations is ggml's
// (d * sc * q is (d * sc) * q) and none is fused (core/CMakeLists.txt builds these files with
// -ffp-contract=off). Their plain loops over whole blocks are what the compiler vectorizes:
// GCC and Clang at -O2/-O3 turn out 3-25 GB/s of float32 per core (quantscope-cli bench), so no
// separate hand-vectorized variants are kept.
namespace quantscope::ggml {

using DequantizeKernel = void (*)(const std::byte* blocks, std::size_t count, float* out);

// Plain element types (ggml converts F16 and BF16 with ggml_fp16_to_fp32_row and
// ggml_bf16_to_fp32_row; the rest as C does).
void convertF32(const std::byte* data, std::size_t count, float* out);
void convertF16(const std::byte* data, std::size_t count, float* out);
void convertBF16(const std::byte* data, std::size_t count, float* out);
void convertF64(const std::byte* data, std::size_t count, float* out);
void convertI8(const std::byte* data, std::size_t count, float* out);
void convertI16(const std::byte* data, std::size_t count, float* out);
void convertI32(const std::byte* data, std::size_t count, float* out);
void convertI64(const std::byte* data, std::size_t count, float* out);

// Blocks of 32 to 128 elements with one or two scales (dequantize_basic.cpp).
void dequantizeQ4_0(const std::byte* blocks, std::size_t count, float* out);
void dequantizeQ4_1(const std::byte* blocks, std::size_t count, float* out);
void dequantizeQ5_0(const std::byte* blocks, std::size_t count, float* out);
void dequantizeQ5_1(const std::byte* blocks, std::size_t count, float* out);
void dequantizeQ8_0(const std::byte* blocks, std::size_t count, float* out);
// ggml has no dequantize_row_q8_1; its values are d * q as Q8_0's.
void dequantizeQ8_1(const std::byte* blocks, std::size_t count, float* out);
void dequantizeQ1_0(const std::byte* blocks, std::size_t count, float* out);
void dequantizeQ2_0(const std::byte* blocks, std::size_t count, float* out);
void dequantizeMXFP4(const std::byte* blocks, std::size_t count, float* out);
void dequantizeNVFP4(const std::byte* blocks, std::size_t count, float* out);

// 256-element super-blocks with quantized sub-block scales, and the ternary types
// (dequantize_k.cpp).
void dequantizeQ2_K(const std::byte* blocks, std::size_t count, float* out);
void dequantizeQ3_K(const std::byte* blocks, std::size_t count, float* out);
void dequantizeQ4_K(const std::byte* blocks, std::size_t count, float* out);
void dequantizeQ5_K(const std::byte* blocks, std::size_t count, float* out);
void dequantizeQ6_K(const std::byte* blocks, std::size_t count, float* out);
void dequantizeQ8_K(const std::byte* blocks, std::size_t count, float* out);
void dequantizeTQ1_0(const std::byte* blocks, std::size_t count, float* out);
void dequantizeTQ2_0(const std::byte* blocks, std::size_t count, float* out);

// The grid and non-linear types (dequantize_iq.cpp).
void dequantizeIQ2_XXS(const std::byte* blocks, std::size_t count, float* out);
void dequantizeIQ2_XS(const std::byte* blocks, std::size_t count, float* out);
void dequantizeIQ2_S(const std::byte* blocks, std::size_t count, float* out);
void dequantizeIQ3_XXS(const std::byte* blocks, std::size_t count, float* out);
void dequantizeIQ3_S(const std::byte* blocks, std::size_t count, float* out);
void dequantizeIQ1_S(const std::byte* blocks, std::size_t count, float* out);
void dequantizeIQ1_M(const std::byte* blocks, std::size_t count, float* out);
void dequantizeIQ4_NL(const std::byte* blocks, std::size_t count, float* out);
void dequantizeIQ4_XS(const std::byte* blocks, std::size_t count, float* out);

} // namespace quantscope::ggml
