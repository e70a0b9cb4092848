#pragma once

#include "quantscope/tensor.h"

#include <cstddef>
#include <cstdint>
#include <memory>
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

class AtomicFile;

// A .npy file written in pieces, in C order, atomically: the header and values go to a temporary
// file that commit() renames into place; on failure, or when destroyed before commit(), nothing
// is left. Each append is one large sequential write. Throws InputError "PATH: problem".
class NpyWriter {
public:
    enum class Type { Float32, Int32 };

    NpyWriter(const std::string& path, const Shape& shape, Type type);
    ~NpyWriter();
    NpyWriter(const NpyWriter&) = delete;
    NpyWriter& operator=(const NpyWriter&) = delete;

    void append(std::span<const float> values);        // Type::Float32 only
    void append(std::span<const std::int32_t> values); // Type::Int32 only
    // Fails (and removes the temporary file) unless exactly the shape's values were appended.
    void commit();

private:
    void appendBytes(std::span<const std::byte> bytes, std::int64_t count, std::size_t width);

    std::string m_path;
    Shape m_shape;
    Type m_type;
    std::int64_t m_count = 0;
    std::int64_t m_written = 0;
    std::unique_ptr<AtomicFile> m_file;
};

// Writes atomically (a temporary file renamed into place): nothing is left on failure.
void writeNpy(const std::string& path, const Shape& shape, std::span<const float> values);
void writeNpy(const std::string& path, const Shape& shape, std::span<const std::int32_t> values);

} // namespace quantscope
