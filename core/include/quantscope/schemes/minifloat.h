#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace quantscope {

// A small floating-point format: sign bit, `exponentBits` exponent bits (bias 2^(e−1) − 1),
// `mantissaBits` mantissa bits, with subnormals. Reserved codes follow the OCP 8-bit floating
// point and MX specifications: E5M2 keeps IEEE's top exponent for inf/NaN (max 57344), E4M3 only
// S.1111.111 for NaN (max 448); every other format (FP6 E3M2/E2M3, FP4 E2M1, …) is all finite.
struct MinifloatFormat {
    int exponentBits = 4;
    int mantissaBits = 3;

    int bits() const { return 1 + exponentBits + mantissaBits; }
    int bias() const { return (1 << (exponentBits - 1)) - 1; }
    std::string name() const; // "E4M3"
};

// The format of `bits` bits; exponent bits unset: e = max(1, min(bits − 2, round(bits / 2)))
// (E4M3 at 8, E3M2 at 6, E2M1 at 4). Throws UsageError when no mantissa bits would be left.
MinifloatFormat minifloatFormat(int bits, std::optional<int> exponentBits = {});

// The finite non-negative values, ascending; the index of a value is its code with the sign bit
// clear (so an even index is an even mantissa).
std::vector<double> minifloatMagnitudes(const MinifloatFormat& format);
double minifloatMax(const MinifloatFormat& format);

// Index into `magnitudes` of the value nearest to |y|: ties to the even code, saturating at the
// largest value. NaN gives 0.
int roundMinifloatMagnitude(double y, std::span<const double> magnitudes);
// y rounded to the format: nearest, ties to even, saturating at ±max, sign kept.
double roundToMinifloat(double y, std::span<const double> magnitudes);

} // namespace quantscope
