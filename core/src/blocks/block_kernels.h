#pragma once

#include <cstddef>
#include <cstdint>

// The vectorized inner loops of block quantization (Highway, dispatched at run time to the best
// instruction set the CPU has). Scalar references live beside the schemes that use them and the
// tests hold the two against each other.
namespace quantscope::kernels {

// Whether every value is finite.
bool allFinite(const float* x, std::size_t n);
// out[i] = x[i] when finite, else 0.
void replaceNonFinite(const float* x, std::size_t n, float* out);

// Sums over the finite values x of a run and their dequantized values q, e = q − x in double.
struct RunSums {
    std::int64_t count = 0;
    double sumError = 0.0;
    double sumSquaredError = 0.0;
    double sumSquares = 0.0; // of x
    double minError = 0.0;   // when count > 0
    double maxError = 0.0;
};
RunSums sumRun(const float* x, const float* dequantized, std::size_t n);

// Per block of `blockSize` values (the last may be shorter): max |x|, and min and max of x.
void blockMaxAbs(const float* x, std::size_t n, std::size_t blockSize, float* maxAbs);
void blockMinMax(const float* x, std::size_t n, std::size_t blockSize, float* min, float* max);

// A floating-point element grid (sign-magnitude, subnormals, saturating at maxNormal), or an
// integer grid with `mantissaBits` fraction bits (MXINT8: 6, values q / 64, |q| <= 127).
struct ElementGrid {
    int mantissaBits = 1;
    int minExponent = 0;    // of the normal numbers: 1 − bias
    float maxNormal = 6.0f; // elements saturate here
    float overload = 7.0f;  // |y| beyond this counts as clipped: maxNormal + half its cell
    bool integer = false;
};

// Rounds y = x / scale[b] (block b) to the grid, nearest with ties to even, saturating: writes
// the element code (signed magnitude index; the integer itself for integer grids) and the
// dequantized value element · scale[b]. A zero scale maps the block to 0. `divide` divides by
// the scale; otherwise y = x · inverseScale[b], exact for powers of two. Returns how many |y|
// exceeded grid.overload.
std::int64_t quantizeOnGrid(const float* x, std::size_t n, std::size_t blockSize,
                            const float* scale, const float* inverseScale, bool divide,
                            const ElementGrid& grid, float* dequantized, std::int32_t* codes);

// Linear codes per block: q = clamp(round_half_even(x · inverseScale[b]) + zeroPoint[b], qmin,
// qmax) in float32, dequantized (q − zeroPoint[b]) · scale[b], as PyTorch computes them.
// Returns how many values had round(x · inverseScale) + zeroPoint outside [qmin, qmax].
std::int64_t quantizeLinear(const float* x, std::size_t n, std::size_t blockSize,
                            const float* scale, const float* inverseScale, const float* zeroPoint,
                            float qmin, float qmax, float* dequantized, std::int32_t* codes);

} // namespace quantscope::kernels
