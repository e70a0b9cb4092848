#pragma once

#include "io/mapped_file.h"
#include "quantscope/tensor.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace quantscope {

// A TensorProto.DataType: its name and how its elements are stored.
struct OnnxDataType {
    std::uint64_t id = 0;
    std::string name;     // "float32", "int8", "float8e4m3fn", "int4", "string", ...
    unsigned bits = 0;    // storage bits per element; 0 when QuantScope cannot read the type
    bool integer = false; // an integer type (what DequantizeLinear dequantizes)
};

OnnxDataType onnxDataType(std::uint64_t id);

// What a TensorProto says about itself, read without touching its values. A malformed message
// gives what was read before the problem, and the problem.
struct OnnxTensorHeader {
    Shape shape;
    std::uint64_t dataType = 0;
    std::string_view name;
    std::span<const std::byte> raw;
    bool hasRaw = false;
    bool external = false;
    std::string_view location;
    std::string_view offset;
    std::string_view length;
    std::string problem;
};

OnnxTensorHeader readOnnxTensorHeader(std::span<const std::byte> proto, const std::string& path);

// One TensorProto of a model (initializer, Constant value, sparse values or indices): its data
// checked when the model is opened, decoded when the tensor is loaded. Problems throw
// FormatError about tensor `name` of the model.
class OnnxTensorData {
public:
    // Checks the type, the shape and that the data are all there (raw size, typed count,
    // external file and range).
    OnnxTensorData(std::span<const std::byte> proto, std::shared_ptr<const MappedFile> model,
                   std::string name);

    const Shape& shape() const { return m_header.shape; }
    const OnnxDataType& type() const { return m_type; }
    std::int64_t count() const { return m_count; }

    // The values as float32, viewed in place when stored as aligned little-endian float32.
    Tensor toTensor(const std::string& name) const;
    // The values as float32 (rounded to nearest where the type is wider).
    std::vector<float> floats() const;
    // The values of an integer type up to 32 bits (exact).
    std::vector<std::int32_t> integers() const;
    // The values as int64 (for sparse indices).
    std::vector<std::int64_t> integers64() const;

private:
    void checkExternal();
    // The raw or external bytes; `owner` keeps them alive.
    std::span<const std::byte> storedBytes(std::shared_ptr<const MappedFile>& owner) const;
    // Calls sink(index, value) for every element in order, the value as a double (exact for
    // every type but 64-bit integers beyond 2^53).
    template <typename Sink> void visit(Sink sink) const;

    std::span<const std::byte> m_proto;
    std::shared_ptr<const MappedFile> m_model;
    std::string m_name;
    OnnxTensorHeader m_header;
    OnnxDataType m_type;
    std::int64_t m_count = 0;
    std::uint64_t m_storedBytes = 0; // raw or external bytes
    std::string m_externalPath;
    std::uint64_t m_externalOffset = 0;
};

} // namespace quantscope
