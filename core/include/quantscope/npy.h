#pragma once

#include "quantscope/tensor.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace quantscope {

// Reads a .npy file (format 1–3; float16/32/64, int8–64, uint8–32, bool; either byte order;
// C or Fortran order) as float32 in C order. Throws InputError "PATH: problem".
Tensor readNpy(const std::string& path);
// Reads only the header: shape and dtype name.
struct NpyHeader {
    Shape shape;
    std::string dtype; // e.g. "float32", "int16"
};
NpyHeader readNpyHeader(const std::string& path);

// Reads a .npy file's values in double, in C order: float64 data keep their precision (the
// integer W·A+B pipeline of `linear` works in double).
struct NpyDoubles {
    Shape shape;
    std::vector<double> values;
};
NpyDoubles readNpyAsDouble(const std::string& path);

// Writes atomically (a temporary file renamed into place): nothing is left on failure.
void writeNpy(const std::string& path, const Shape& shape, std::span<const float> values);
void writeNpy(const std::string& path, const Shape& shape, std::span<const std::int32_t> values);

} // namespace quantscope
