#include "io/element_type.h"

#include "io/float16.h"
#include "io/io_error.h"
#include "quantscope/errors.h"

#include <bit>
#include <cstring>
#include <limits>
#include <vector>

namespace quantscope {

std::size_t elementSize(ElementType type)
{
    switch (type) {
    case ElementType::F64:
    case ElementType::I64:
    case ElementType::U64:
        return 8;
    case ElementType::F32:
    case ElementType::I32:
    case ElementType::U32:
        return 4;
    case ElementType::F16:
    case ElementType::BF16:
    case ElementType::I16:
    case ElementType::U16:
        return 2;
    case ElementType::I8:
    case ElementType::U8:
    case ElementType::Bool:
        return 1;
    }
    return 1;
}

std::string elementTypeName(ElementType type)
{
    switch (type) {
    case ElementType::F64:
        return "float64";
    case ElementType::F32:
        return "float32";
    case ElementType::F16:
        return "float16";
    case ElementType::BF16:
        return "bfloat16";
    case ElementType::I64:
        return "int64";
    case ElementType::I32:
        return "int32";
    case ElementType::I16:
        return "int16";
    case ElementType::I8:
        return "int8";
    case ElementType::U64:
        return "uint64";
    case ElementType::U32:
        return "uint32";
    case ElementType::U16:
        return "uint16";
    case ElementType::U8:
        return "uint8";
    case ElementType::Bool:
        return "bool";
    }
    return "unknown";
}

float bfloat16ToFloat(std::uint16_t bits)
{
    return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
}

std::int64_t checkedElementCount(const std::string& path, std::string_view tensor,
                                 const Shape& shape)
{
    try {
        return elementCount(shape);
    } catch (const InputError& error) {
        failTensor(path, tensor, error.what());
    }
}

std::uint64_t checkedByteSize(const std::string& path, std::string_view tensor, std::int64_t count,
                              std::uint64_t elementBytes)
{
    std::uint64_t bytes = 0;
    if (count < 0 ||
        __builtin_mul_overflow(static_cast<std::uint64_t>(count), elementBytes, &bytes)) {
        failTensor(path, tensor, "size in bytes overflows");
    }
    return bytes;
}

namespace {

template <typename T> T loadAt(const std::byte* data, std::size_t index)
{
    T value;
    std::memcpy(&value, data + index * sizeof(T), sizeof(T));
    return value;
}

template <typename T> void convertAs(std::span<const std::byte> bytes, std::vector<float>& out)
{
    for (std::size_t i = 0; i < out.size(); ++i) {
        out[i] = static_cast<float>(loadAt<T>(bytes.data(), i));
    }
}

} // namespace

Tensor tensorFromBytes(std::string name, Shape shape, ElementType type,
                       std::span<const std::byte> bytes, std::shared_ptr<const void> owner)
{
    static_assert(std::endian::native == std::endian::little, "little-endian hosts only");
    const std::size_t count = bytes.size() / elementSize(type);
    if (type == ElementType::F32 &&
        reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(float) == 0) {
        std::span<const float> view(reinterpret_cast<const float*>(bytes.data()), count);
        return Tensor(std::move(name), std::move(shape), std::move(owner), view, "float32");
    }
    std::vector<float> values(count);
    switch (type) {
    case ElementType::F64:
        convertAs<double>(bytes, values);
        break;
    case ElementType::F32:
        std::memcpy(values.data(), bytes.data(), count * sizeof(float));
        break;
    case ElementType::F16:
        for (std::size_t i = 0; i < count; ++i) {
            values[i] = halfToFloat(loadAt<std::uint16_t>(bytes.data(), i));
        }
        break;
    case ElementType::BF16:
        for (std::size_t i = 0; i < count; ++i) {
            values[i] = bfloat16ToFloat(loadAt<std::uint16_t>(bytes.data(), i));
        }
        break;
    case ElementType::I64:
        convertAs<std::int64_t>(bytes, values);
        break;
    case ElementType::I32:
        convertAs<std::int32_t>(bytes, values);
        break;
    case ElementType::I16:
        convertAs<std::int16_t>(bytes, values);
        break;
    case ElementType::I8:
        convertAs<std::int8_t>(bytes, values);
        break;
    case ElementType::U64:
        convertAs<std::uint64_t>(bytes, values);
        break;
    case ElementType::U32:
        convertAs<std::uint32_t>(bytes, values);
        break;
    case ElementType::U16:
        convertAs<std::uint16_t>(bytes, values);
        break;
    case ElementType::U8:
        convertAs<std::uint8_t>(bytes, values);
        break;
    case ElementType::Bool:
        for (std::size_t i = 0; i < count; ++i) {
            values[i] = bytes[i] != std::byte{0} ? 1.0f : 0.0f;
        }
        break;
    }
    return Tensor(std::move(name), std::move(shape), std::move(values), elementTypeName(type));
}

} // namespace quantscope
