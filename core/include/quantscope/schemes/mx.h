#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace quantscope {

// The element formats of the OCP Microscaling Formats (MX) v1.0 specification: FP4 E2M1,
// FP6 E2M3 and E3M2, FP8 E4M3 and E5M2 (all with subnormals, no inf/NaN codes used), and INT8
// (two's complement with an implicit scale 2^−6, used symmetrically: −127 … 127).
enum class MxElement { Fp4, Fp6E2M3, Fp6E3M2, Fp8E4M3, Fp8E5M2, Int8 };

struct MxElementFormat {
    MxElement element;
    std::string name;      // "fp4", "fp6-e2m3", … as the scheme's `format` choices
    int bits = 0;          // per element
    int emax = 0;          // emax_elem of the specification: exponent of the largest power of 2
    double maxNormal = 0.; // the largest magnitude; elements saturate here
    int exponentBits = 0;  // 0 for INT8
    int mantissaBits = 0;  // fraction bits (6 for INT8)
};

const std::vector<MxElementFormat>& mxElementFormats();
const MxElementFormat& mxElementFormat(MxElement element);

// How the shared scale follows the block's max |x|: OCP MX v1.0 takes
// X = 2^(floor(log2 amax) − emax_elem) (elements above maxNormal · X saturate); the ceil rule
// takes the smallest power of two with amax <= maxNormal · X, so nothing saturates.
enum class MxScaleRule { Floor, Ceil };

constexpr int kMxScaleBits = 8;           // E8M0
constexpr int kMxMinScaleExponent = -127; // 0x00; 0xFF is NaN
constexpr int kMxMaxScaleExponent = 127;

// The shared scale's exponent for a block with max |x| = amax, clamped to [−127, 127]; an
// all-zero block (or one below 2^−126) takes the smallest scale, 2^−127.
int mxScaleExponent(float amax, const MxElementFormat& format, MxScaleRule rule);
// The E8M0 scale 2^exponent as a float32, exponent in [−127, 127] (2^−127 is subnormal).
float mxScaleValue(int exponent);

// The element grid's magnitudes, ascending; a magnitude's index is its code's absolute value.
std::vector<double> mxElementMagnitudes(const MxElementFormat& format);

// Straightforward reference of one block (the fast path is tested against it): the shared
// exponent, then each x / 2^e rounded to the nearest element (ties to even), saturating at
// ±maxNormal. Writes the dequantized values element · 2^e and the signed element codes (the
// magnitude's index with the sign of x; INT8: the integer). Returns the exponent.
int mxQuantizeBlockReference(std::span<const float> block, const MxElementFormat& format,
                             MxScaleRule rule, std::span<float> dequantized,
                             std::span<std::int32_t> codes);

} // namespace quantscope
