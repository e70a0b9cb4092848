#pragma once

#include <cstddef>
#include <cstdint>

// The per-value arithmetic of the error views (vectorized with Highway, dispatched at run time):
// which bin each value falls in. The counting itself stays with the caller, one table per worker.
// A non-finite x gets bin −1.
namespace quantscope::kernels {

// Error profile over |x|: bin = trunc(min(last, |x| · scale)) in double (scale ≥ 0, finite), and
// the squared error (q − x)² in double.
void profileBins(const float* x, const float* dequantized, std::size_t n, double scale, int last,
                 std::int32_t* bin, double* squaredError);

// Error histogram: position = (q − x − low) · scale in double; bin = trunc(min(last, position))
// when position > 0, else 0.
void errorBins(const float* x, const float* dequantized, std::size_t n, double low, double scale,
               int last, std::int32_t* bin);

} // namespace quantscope::kernels
