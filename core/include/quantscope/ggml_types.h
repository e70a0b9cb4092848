#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

// The tensor types of ggml (the library behind llama.cpp and its GGUF files): their block sizes
// and their dequantization to float32, bit for bit as ggml's own dequantize_row_* functions.
namespace quantscope {

struct GgmlType {
    std::uint32_t id;          // ggml's enum ggml_type value, as stored in GGUF files
    std::string_view name;     // ggml's name: "q4_K", "iq2_xxs", "f16"
    std::string_view dtype;    // the source dtype shown to users: "Q4_K (block 256)", "float16"
    std::size_t blockElements; // 1 for plain element types
    std::size_t blockBytes;
};

// Every type QuantScope reads, by id. Ids ggml removed or never used are absent.
std::span<const GgmlType> ggmlTypes();
// nullptr when unknown.
const GgmlType* findGgmlType(std::uint32_t id);
const GgmlType* findGgmlType(std::string_view name);

// Converts whole blocks to float32. `blocks` holds n * blockBytes bytes at any alignment and
// `out` n * blockElements floats; anything else is a UsageError.
void dequantizeGgml(const GgmlType& type, std::span<const std::byte> blocks, std::span<float> out);

} // namespace quantscope
