// The plain ggml element types to float32.
#include "ggml/dequantize.h"
#include "ggml/ggml_scalars.h"
#include "io/element_type.h"

#include <cstdint>
#include <cstring>

namespace quantscope::ggml {

namespace {

template <typename T> void convertAs(const std::byte* data, std::size_t count, float* out)
{
    for (std::size_t i = 0; i < count; ++i) {
        T value;
        std::memcpy(&value, data + i * sizeof(T), sizeof(T));
        out[i] = static_cast<float>(value);
    }
}

} // namespace

void convertF32(const std::byte* data, std::size_t count, float* out)
{
    std::memcpy(out, data, count * sizeof(float));
}

void convertF16(const std::byte* data, std::size_t count, float* out)
{
    for (std::size_t i = 0; i < count; ++i) {
        std::uint16_t half;
        std::memcpy(&half, data + i * sizeof half, sizeof half);
        out[i] = fp16ToFloat(half);
    }
}

void convertBF16(const std::byte* data, std::size_t count, float* out)
{
    for (std::size_t i = 0; i < count; ++i) {
        std::uint16_t bits;
        std::memcpy(&bits, data + i * sizeof bits, sizeof bits);
        out[i] = bfloat16ToFloat(bits);
    }
}

void convertF64(const std::byte* data, std::size_t count, float* out)
{
    convertAs<double>(data, count, out);
}

void convertI8(const std::byte* data, std::size_t count, float* out)
{
    convertAs<std::int8_t>(data, count, out);
}

void convertI16(const std::byte* data, std::size_t count, float* out)
{
    convertAs<std::int16_t>(data, count, out);
}

void convertI32(const std::byte* data, std::size_t count, float* out)
{
    convertAs<std::int32_t>(data, count, out);
}

void convertI64(const std::byte* data, std::size_t count, float* out)
{
    convertAs<std::int64_t>(data, count, out);
}

} // namespace quantscope::ggml
