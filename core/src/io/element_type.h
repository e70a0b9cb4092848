#pragma once

#include "quantscope/tensor.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace quantscope {

// Plain little-endian element types the model formats store.
enum class ElementType { F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, Bool };

std::size_t elementSize(ElementType type);
// numpy-style name shown as the source dtype: "float32", "bfloat16", "int8", "bool", ...
std::string elementTypeName(ElementType type);

// bfloat16 is the high half of a float32, so the conversion is exact.
float bfloat16ToFloat(std::uint16_t bits);

// The element count of `shape` for tensor `tensor` of file `path`; negative dimensions and
// overflowing products throw InputError naming both.
std::int64_t checkedElementCount(const std::string& path, std::string_view tensor,
                                 const Shape& shape);
// count * elementSize, throwing InputError when it does not fit in 64 bits.
std::uint64_t checkedByteSize(const std::string& path, std::string_view tensor, std::int64_t count,
                              std::uint64_t elementBytes);

// Converts `bytes` (exactly count * elementSize) to a float32 tensor. Aligned float32 data are
// viewed in place and kept alive by `owner`; everything else is converted into a new buffer.
Tensor tensorFromBytes(std::string name, Shape shape, ElementType type,
                       std::span<const std::byte> bytes, std::shared_ptr<const void> owner);

} // namespace quantscope
