#pragma once

#include <cstdint>
#include <span>

namespace quantscope {

// NVIDIA's NVFP4: FP4 E2M1 elements in blocks of 16 along the last axis, each block with an
// FP8 E4M3 scale, and one FP32 scale for the tensor:
//   s_global = max|x| / (448 · 6)                      (FP32)
//   s_block  = E4M3((block max|x| / 6) / s_global)      (round to nearest even, ≤ 448)
//   element  = E2M1(x / (s_block · s_global))           (nearest even, saturating at ±6)
//   x̂        = element · (s_block · s_global)
// A block whose scale rounds to 0 (or an all-zero tensor) dequantizes to 0.
constexpr int kNvfp4BlockSize = 16;
constexpr int kNvfp4ElementBits = 4;
constexpr int kNvfp4ScaleBits = 8;   // E4M3 per block
constexpr int kNvfp4TensorBits = 32; // FP32 tensor scale
constexpr double kNvfp4ElementMax = 6.0;
constexpr double kE4M3Max = 448.0;

// s_global for a tensor with max |x| = amax; 1 when amax is 0.
float nvfp4TensorScale(double amax);
// value rounded to FP8 E4M3 (nearest, ties to even, saturating at ±448).
float roundToE4M3(float value);
// The decoded E4M3 scale of a block with max |x| = blockAmax.
float nvfp4BlockScale(float blockAmax, float tensorScale);

// Straightforward reference of one block (the fast path is tested against it): writes the
// dequantized values and the signed E2M1 codes (−7 … 7: the magnitude's index with x's sign)
// and returns the block's effective scale s_block · s_global.
float nvfp4QuantizeBlockReference(std::span<const float> block, float tensorScale,
                                  std::span<float> dequantized, std::span<std::int32_t> codes);

} // namespace quantscope
