// ONNX models: every graph initializer and every Constant node's 'value' tensor, from raw_data,
// the typed repeated fields or external data files. Decoded from the protobuf wire format by hand
// (see protobuf_wire.h) so that the model stays memory-mapped and nothing is parsed eagerly.
#include "io/element_type.h"
#include "io/float16.h"
#include "io/format_readers.h"
#include "io/io_error.h"
#include "io/listed_tensor_file.h"
#include "io/protobuf_wire.h"
#include "quantscope/errors.h"

#include <bit>
#include <charconv>
#include <cstring>
#include <optional>

namespace quantscope {

namespace {

// Field numbers from onnx.proto.
constexpr std::uint32_t kModelGraph = 7;
constexpr std::uint32_t kGraphNode = 1;
constexpr std::uint32_t kGraphInitializer = 5;
constexpr std::uint32_t kNodeOutput = 2;
constexpr std::uint32_t kNodeOpType = 4;
constexpr std::uint32_t kNodeAttribute = 5;
constexpr std::uint32_t kAttributeName = 1;
constexpr std::uint32_t kAttributeTensor = 5;
constexpr std::uint32_t kTensorDims = 1;
constexpr std::uint32_t kTensorDataType = 2;
constexpr std::uint32_t kTensorFloatData = 4;
constexpr std::uint32_t kTensorInt32Data = 5;
constexpr std::uint32_t kTensorInt64Data = 7;
constexpr std::uint32_t kTensorName = 8;
constexpr std::uint32_t kTensorRawData = 9;
constexpr std::uint32_t kTensorDoubleData = 10;
constexpr std::uint32_t kTensorUint64Data = 11;
constexpr std::uint32_t kTensorExternalData = 13;
constexpr std::uint32_t kTensorDataLocation = 14;
constexpr std::uint32_t kEntryKey = 1;
constexpr std::uint32_t kEntryValue = 2;
constexpr std::uint64_t kLocationExternal = 1;

std::string_view text(std::span<const std::byte> bytes)
{
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// TensorProto.DataType.
std::optional<ElementType> elementType(std::uint64_t dataType)
{
    switch (dataType) {
    case 1:
        return ElementType::F32;
    case 2:
        return ElementType::U8;
    case 3:
        return ElementType::I8;
    case 4:
        return ElementType::U16;
    case 5:
        return ElementType::I16;
    case 6:
        return ElementType::I32;
    case 7:
        return ElementType::I64;
    case 9:
        return ElementType::Bool;
    case 10:
        return ElementType::F16;
    case 11:
        return ElementType::F64;
    case 12:
        return ElementType::U32;
    case 13:
        return ElementType::U64;
    case 16:
        return ElementType::BF16;
    default:
        return std::nullopt;
    }
}

std::string dataTypeName(std::uint64_t dataType)
{
    if (const auto type = elementType(dataType)) {
        return elementTypeName(*type);
    }
    switch (dataType) {
    case 8:
        return "string";
    case 14:
        return "complex64";
    case 15:
        return "complex128";
    default:
        return "onnx type " + std::to_string(dataType);
    }
}

// The typed repeated field that holds a data type's values (when raw_data is absent).
std::uint32_t typedField(ElementType type)
{
    switch (type) {
    case ElementType::F32:
        return kTensorFloatData;
    case ElementType::F64:
        return kTensorDoubleData;
    case ElementType::I64:
        return kTensorInt64Data;
    case ElementType::U32:
    case ElementType::U64:
        return kTensorUint64Data;
    default:
        return kTensorInt32Data; // int8..int32, uint8, uint16, bool, and f16/bf16 bits
    }
}

// A typed-field element as float: varints hold integers (f16/bf16 as their bit patterns).
float fromVarint(ElementType type, std::uint64_t value)
{
    switch (type) {
    case ElementType::F16:
        return halfToFloat(static_cast<std::uint16_t>(value));
    case ElementType::BF16:
        return bfloat16ToFloat(static_cast<std::uint16_t>(value));
    case ElementType::U64:
        return static_cast<float>(value);
    case ElementType::U32:
        return static_cast<float>(static_cast<std::uint32_t>(value));
    case ElementType::I64:
        return static_cast<float>(static_cast<std::int64_t>(value));
    case ElementType::Bool:
        return value != 0 ? 1.0f : 0.0f;
    default:
        return static_cast<float>(static_cast<std::int32_t>(value));
    }
}

struct Entry {
    TensorInfo info;
    std::optional<ElementType> type;
    std::span<const std::byte> proto; // the TensorProto message
};

// What a TensorProto says about its data, read without touching the values.
struct TensorHeader {
    Shape shape;
    std::uint64_t dataType = 0;
    std::string_view name;
    std::optional<std::span<const std::byte>> raw;
    bool external = false;
    std::string_view location;
    std::string_view offset;
    std::string_view length;
};

TensorHeader readHeader(std::span<const std::byte> proto, const std::string& path)
{
    TensorHeader header;
    WireReader reader(proto, path);
    WireField field;
    while (reader.next(field)) {
        switch (field.number) {
        case kTensorDims:
            if (field.type == WireField::LengthDelimited) {
                WireReader packed(field.bytes, path);
                while (!packed.atEnd()) {
                    header.shape.push_back(static_cast<std::int64_t>(packed.varint()));
                }
            } else {
                header.shape.push_back(static_cast<std::int64_t>(field.scalar));
            }
            break;
        case kTensorDataType:
            header.dataType = field.scalar;
            break;
        case kTensorName:
            header.name = text(field.bytes);
            break;
        case kTensorRawData:
            header.raw = field.bytes;
            break;
        case kTensorDataLocation:
            header.external = field.scalar == kLocationExternal;
            break;
        case kTensorExternalData: {
            WireReader entry(field.bytes, path);
            WireField part;
            std::string_view key;
            std::string_view value;
            while (entry.next(part)) {
                if (part.number == kEntryKey) {
                    key = text(part.bytes);
                } else if (part.number == kEntryValue) {
                    value = text(part.bytes);
                }
            }
            if (key == "location") {
                header.location = value;
            } else if (key == "offset") {
                header.offset = value;
            } else if (key == "length") {
                header.length = value;
            }
            break;
        }
        default:
            break;
        }
    }
    return header;
}

class OnnxFile : public ListedTensorFile {
public:
    explicit OnnxFile(std::shared_ptr<const MappedFile> file)
        : ListedTensorFile(file->path())
        , m_file(std::move(file))
    {
        WireReader model(m_file->bytes(), path());
        WireField field;
        while (model.next(field)) {
            if (field.number == kModelGraph && field.type == WireField::LengthDelimited) {
                readGraph(field.bytes);
            }
        }
    }

protected:
    Tensor loadIndex(std::size_t index) const override
    {
        const Entry& entry = m_entries[index];
        const std::string& name = entry.info.name;
        if (!entry.type) {
            failTensor(path(), name, "unsupported dtype " + entry.info.dtype);
        }
        const ElementType type = *entry.type;
        const TensorHeader header = readHeader(entry.proto, path());
        const std::int64_t count = checkedElementCount(path(), name, header.shape);
        const std::uint64_t bytes = checkedByteSize(path(), name, count, elementSize(type));
        if (header.external) {
            return loadExternal(entry, header, bytes);
        }
        if (header.raw) {
            return tensorFromBytes(name, header.shape, type, *header.raw, m_file);
        }
        return loadTyped(entry, header.shape, count);
    }

private:
    void readGraph(std::span<const std::byte> graph)
    {
        WireReader reader(graph, path());
        WireField field;
        while (reader.next(field)) {
            if (field.type != WireField::LengthDelimited) {
                continue;
            }
            if (field.number == kGraphInitializer) {
                addEntry(field.bytes, {});
            } else if (field.number == kGraphNode) {
                readNode(field.bytes);
            }
        }
    }

    void readNode(std::span<const std::byte> node)
    {
        WireReader reader(node, path());
        WireField field;
        std::string_view opType;
        std::string_view output;
        std::optional<std::span<const std::byte>> value;
        while (reader.next(field)) {
            if (field.type != WireField::LengthDelimited) {
                continue;
            }
            if (field.number == kNodeOpType) {
                opType = text(field.bytes);
            } else if (field.number == kNodeOutput && output.empty()) {
                output = text(field.bytes);
            } else if (field.number == kNodeAttribute) {
                WireReader attribute(field.bytes, path());
                WireField part;
                std::string_view attributeName;
                std::optional<std::span<const std::byte>> tensor;
                while (attribute.next(part)) {
                    if (part.number == kAttributeName && part.type == WireField::LengthDelimited) {
                        attributeName = text(part.bytes);
                    } else if (part.number == kAttributeTensor &&
                               part.type == WireField::LengthDelimited) {
                        tensor = part.bytes;
                    }
                }
                if (attributeName == "value" && tensor) {
                    value = tensor;
                }
            }
        }
        if (opType == "Constant" && value) {
            addEntry(*value, output); // the node's output names the constant
        }
    }

    void addEntry(std::span<const std::byte> proto, std::string_view preferredName)
    {
        const TensorHeader header = readHeader(proto, path());
        Entry entry;
        entry.info.name = std::string(preferredName.empty() ? header.name : preferredName);
        if (entry.info.name.empty()) {
            entry.info.name = "unnamed_" + std::to_string(m_entries.size());
        }
        entry.info.shape = header.shape;
        entry.info.dtype = dataTypeName(header.dataType);
        entry.type = elementType(header.dataType);
        entry.proto = proto;
        const std::int64_t count = checkedElementCount(path(), entry.info.name, header.shape);
        if (entry.type && header.raw && !header.external) {
            const std::uint64_t bytes =
                checkedByteSize(path(), entry.info.name, count, elementSize(*entry.type));
            if (header.raw->size() != bytes) {
                failTensor(path(), entry.info.name,
                           "raw_data holds " + std::to_string(header.raw->size()) +
                               " bytes but shape " + shapeToString(header.shape) + " of " +
                               entry.info.dtype + " needs " + std::to_string(bytes));
            }
        }
        addTensor(entry.info);
        m_entries.push_back(std::move(entry));
    }

    std::uint64_t parseNumber(const std::string& tensor, std::string_view value,
                              const char* what) const
    {
        std::uint64_t number = 0;
        const auto [end, error] =
            std::from_chars(value.data(), value.data() + value.size(), number);
        if (error != std::errc() || end != value.data() + value.size()) {
            failTensor(path(), tensor,
                       std::string("external data ") + what + " '" + printableName(value) +
                           "' is not a number");
        }
        return number;
    }

    Tensor loadExternal(const Entry& entry, const TensorHeader& header, std::uint64_t bytes) const
    {
        const std::string& name = entry.info.name;
        if (header.location.empty()) {
            failTensor(path(), name, "external data without a location");
        }
        const std::uint64_t offset =
            header.offset.empty() ? 0 : parseNumber(name, header.offset, "offset");
        if (!header.length.empty() && parseNumber(name, header.length, "length") != bytes) {
            failTensor(path(), name,
                       "external data length " + std::string(header.length) +
                           " does not match the " + std::to_string(bytes) +
                           " bytes its shape needs");
        }
        std::shared_ptr<const MappedFile> data;
        try {
            data = MappedFile::open(siblingPath(path(), header.location));
        } catch (const InputError& error) {
            failTensor(path(), name, std::string("external data: ") + error.what());
        }
        if (offset > data->size() || bytes > data->size() - offset) {
            failTensor(path(), name,
                       "external data [" + std::to_string(offset) + ", +" + std::to_string(bytes) +
                           ") lie past the end of " + printableName(header.location));
        }
        return tensorFromBytes(name, header.shape, *entry.type,
                               data->bytes().subspan(offset, bytes), data);
    }

    Tensor loadTyped(const Entry& entry, const Shape& shape, std::int64_t count) const
    {
        const std::string& name = entry.info.name;
        const ElementType type = *entry.type;
        // Every typed value takes at least one byte of the message: check before allocating.
        if (static_cast<std::uint64_t>(count) > entry.proto.size()) {
            failTensor(path(), name,
                       "shape " + shapeToString(shape) +
                           " claims more values than the tensor holds");
        }
        std::vector<float> values;
        values.reserve(static_cast<std::size_t>(count));
        const auto append = [&](float value) {
            if (values.size() == static_cast<std::size_t>(count)) {
                failTensor(path(), name, "more values than shape " + shapeToString(shape));
            }
            values.push_back(value);
        };
        const auto appendScalar = [&](WireField::Type wire, std::uint64_t scalar) {
            if (type == ElementType::F32 && wire == WireField::Fixed32) {
                append(std::bit_cast<float>(static_cast<std::uint32_t>(scalar)));
            } else if (type == ElementType::F64 && wire == WireField::Fixed64) {
                append(static_cast<float>(std::bit_cast<double>(scalar)));
            } else if (wire == WireField::Varint && type != ElementType::F32 &&
                       type != ElementType::F64) {
                append(fromVarint(type, scalar));
            } else {
                failTensor(path(), name, "typed data field has the wrong wire type");
            }
        };
        const std::uint32_t wanted = typedField(type);
        WireReader reader(entry.proto, path());
        WireField field;
        while (reader.next(field)) {
            if (field.number != wanted) {
                continue;
            }
            if (field.type != WireField::LengthDelimited) {
                appendScalar(field.type, field.scalar);
                continue;
            }
            WireReader packed(field.bytes, path());
            while (!packed.atEnd()) {
                if (type == ElementType::F32) {
                    appendScalar(WireField::Fixed32, packed.fixed(4));
                } else if (type == ElementType::F64) {
                    appendScalar(WireField::Fixed64, packed.fixed(8));
                } else {
                    appendScalar(WireField::Varint, packed.varint());
                }
            }
        }
        if (values.size() != static_cast<std::size_t>(count)) {
            failTensor(path(), name,
                       "holds " + std::to_string(values.size()) + " values but shape " +
                           shapeToString(shape) + " needs " + std::to_string(count));
        }
        return Tensor(name, shape, std::move(values), entry.info.dtype);
    }

    std::shared_ptr<const MappedFile> m_file;
    std::vector<Entry> m_entries;
};

} // namespace

std::unique_ptr<TensorFile> openOnnx(std::shared_ptr<const MappedFile> file)
{
    return std::make_unique<OnnxFile>(std::move(file));
}

} // namespace quantscope
