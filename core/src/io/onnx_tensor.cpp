// TensorProto data: raw_data, the typed repeated fields, or external data files; every
// TensorProto.DataType QuantScope can turn into numbers, including float8 and the packed 4-bit
// types of opset 21.
#include "io/onnx_tensor.h"

#include "io/element_type.h"
#include "io/float16.h"
#include "io/format_readers.h"
#include "io/io_error.h"
#include "io/protobuf_wire.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <optional>

namespace quantscope {

namespace {

// Field numbers from onnx.proto.
constexpr std::uint32_t kDims = 1;
constexpr std::uint32_t kDataType = 2;
constexpr std::uint32_t kFloatData = 4;
constexpr std::uint32_t kInt32Data = 5;
constexpr std::uint32_t kInt64Data = 7;
constexpr std::uint32_t kName = 8;
constexpr std::uint32_t kRawData = 9;
constexpr std::uint32_t kDoubleData = 10;
constexpr std::uint32_t kUint64Data = 11;
constexpr std::uint32_t kExternalData = 13;
constexpr std::uint32_t kDataLocation = 14;
constexpr std::uint32_t kEntryKey = 1;
constexpr std::uint32_t kEntryValue = 2;
constexpr std::uint64_t kLocationExternal = 1;

// TensorProto.DataType values.
enum : std::uint64_t {
    kFloat = 1,
    kUint8 = 2,
    kInt8 = 3,
    kUint16 = 4,
    kInt16 = 5,
    kInt32 = 6,
    kInt64 = 7,
    kString = 8,
    kBool = 9,
    kFloat16 = 10,
    kDouble = 11,
    kUint32 = 12,
    kUint64 = 13,
    kComplex64 = 14,
    kComplex128 = 15,
    kBfloat16 = 16,
    kFloat8E4M3FN = 17,
    kFloat8E4M3FNUZ = 18,
    kFloat8E5M2 = 19,
    kFloat8E5M2FNUZ = 20,
    kUint4 = 21,
    kInt4 = 22,
    kFloat4E2M1 = 23,
};

std::string_view text(std::span<const std::byte> bytes)
{
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// The plain element types tensorFromBytes converts fast (and views in place for float32).
std::optional<ElementType> plainElementType(std::uint64_t id)
{
    switch (id) {
    case kFloat:
        return ElementType::F32;
    case kUint8:
        return ElementType::U8;
    case kInt8:
        return ElementType::I8;
    case kUint16:
        return ElementType::U16;
    case kInt16:
        return ElementType::I16;
    case kInt32:
        return ElementType::I32;
    case kInt64:
        return ElementType::I64;
    case kBool:
        return ElementType::Bool;
    case kFloat16:
        return ElementType::F16;
    case kDouble:
        return ElementType::F64;
    case kUint32:
        return ElementType::U32;
    case kUint64:
        return ElementType::U64;
    case kBfloat16:
        return ElementType::BF16;
    default:
        return std::nullopt;
    }
}

// A small float of the OCP 8-bit and 4-bit formats: 1 sign bit, `exponentBits`, `mantissaBits`.
// `finiteOnly` formats (E4M3FN) use the all-ones pattern as NaN; `unsignedZero` formats (FNUZ)
// use the negative-zero pattern as NaN; E5M2 has IEEE infinities and NaNs.
struct SmallFloat {
    int exponentBits;
    int mantissaBits;
    int bias;
    bool ieeeSpecials = false;
    bool finiteOnly = false;
    bool unsignedZero = false;
};

float decodeSmallFloat(std::uint32_t code, const SmallFloat& format)
{
    const int width = 1 + format.exponentBits + format.mantissaBits;
    const bool negative = (code >> (width - 1)) & 1u;
    const std::uint32_t exponent =
        (code >> format.mantissaBits) & ((1u << format.exponentBits) - 1);
    const std::uint32_t mantissa = code & ((1u << format.mantissaBits) - 1);
    const std::uint32_t exponentMax = (1u << format.exponentBits) - 1;
    if (format.unsignedZero && negative && exponent == 0 && mantissa == 0) {
        return std::numeric_limits<float>::quiet_NaN();
    }
    if (format.finiteOnly && exponent == exponentMax &&
        mantissa == (1u << format.mantissaBits) - 1) {
        return std::numeric_limits<float>::quiet_NaN();
    }
    if (format.ieeeSpecials && exponent == exponentMax) {
        return mantissa == 0 ? (negative ? -INFINITY : INFINITY)
                             : std::numeric_limits<float>::quiet_NaN();
    }
    const float fraction =
        static_cast<float>(mantissa) / static_cast<float>(1u << format.mantissaBits);
    const float magnitude =
        exponent == 0 ? std::ldexp(fraction, 1 - format.bias)
                      : std::ldexp(1.0f + fraction, static_cast<int>(exponent) - format.bias);
    return negative ? -magnitude : magnitude;
}

constexpr SmallFloat kE4M3FN{4, 3, 7, false, true, false};
constexpr SmallFloat kE4M3FNUZ{4, 3, 8, false, false, true};
constexpr SmallFloat kE5M2{5, 2, 15, true, false, false};
constexpr SmallFloat kE5M2FNUZ{5, 2, 16, false, false, true};
constexpr SmallFloat kE2M1{2, 1, 1};

// One element from its stored bits (little-endian, `bits` wide) as a double: exact for every
// type here but 64-bit integers beyond 2^53.
double elementValue(std::uint64_t type, std::uint64_t bits)
{
    switch (type) {
    case kFloat:
        return std::bit_cast<float>(static_cast<std::uint32_t>(bits));
    case kDouble:
        return std::bit_cast<double>(bits);
    case kFloat16:
        return halfToFloat(static_cast<std::uint16_t>(bits));
    case kBfloat16:
        return bfloat16ToFloat(static_cast<std::uint16_t>(bits));
    case kFloat8E4M3FN:
        return decodeSmallFloat(static_cast<std::uint32_t>(bits & 0xFF), kE4M3FN);
    case kFloat8E4M3FNUZ:
        return decodeSmallFloat(static_cast<std::uint32_t>(bits & 0xFF), kE4M3FNUZ);
    case kFloat8E5M2:
        return decodeSmallFloat(static_cast<std::uint32_t>(bits & 0xFF), kE5M2);
    case kFloat8E5M2FNUZ:
        return decodeSmallFloat(static_cast<std::uint32_t>(bits & 0xFF), kE5M2FNUZ);
    case kFloat4E2M1:
        return decodeSmallFloat(static_cast<std::uint32_t>(bits & 0xF), kE2M1);
    case kInt4:
        return static_cast<std::int32_t>(bits << 28) >> 28; // sign-extend the nibble
    case kUint4:
        return static_cast<double>(bits & 0xF);
    case kInt8:
        return static_cast<std::int8_t>(bits);
    case kUint8:
        return static_cast<std::uint8_t>(bits);
    case kInt16:
        return static_cast<std::int16_t>(bits);
    case kUint16:
        return static_cast<std::uint16_t>(bits);
    case kInt32:
        return static_cast<std::int32_t>(bits);
    case kUint32:
        return static_cast<std::uint32_t>(bits);
    case kInt64:
        return static_cast<double>(static_cast<std::int64_t>(bits));
    case kUint64:
        return static_cast<double>(bits);
    case kBool:
        return bits != 0 ? 1.0 : 0.0;
    default:
        return 0.0;
    }
}

// The typed repeated field that holds a type's values when raw_data is absent.
std::uint32_t typedField(std::uint64_t type)
{
    switch (type) {
    case kFloat:
        return kFloatData;
    case kDouble:
        return kDoubleData;
    case kInt64:
        return kInt64Data;
    case kUint32:
    case kUint64:
        return kUint64Data;
    default:
        return kInt32Data; // small ints, bool, and the bit patterns of 16/8/4-bit floats
    }
}

// Entries of the typed field per element: 4-bit types pack two elements into each int32 entry.
bool packsTwo(const OnnxDataType& type)
{
    return type.bits == 4;
}

// Calls `entry(bits)` for each entry of the typed field `number` (packed or not) in `proto`.
template <typename Entry>
void forEachTypedEntry(std::span<const std::byte> proto, std::uint32_t number,
                       const std::string& path, Entry entry)
{
    const bool fixed32 = number == kFloatData;
    const bool fixed64 = number == kDoubleData;
    WireReader reader(proto, path);
    WireField field;
    while (reader.next(field)) {
        if (field.number != number) {
            continue;
        }
        if (field.type != WireField::LengthDelimited) {
            const bool expected = fixed32   ? field.type == WireField::Fixed32
                                  : fixed64 ? field.type == WireField::Fixed64
                                            : field.type == WireField::Varint;
            if (!expected) {
                failFile(path, "malformed protobuf: typed data field has the wrong wire type");
            }
            entry(field.scalar);
            continue;
        }
        WireReader packed(field.bytes, path);
        while (!packed.atEnd()) {
            entry(fixed32 ? packed.fixed(4) : fixed64 ? packed.fixed(8) : packed.varint());
        }
    }
}

std::uint64_t loadLittleEndian(const std::byte* data, unsigned bytes)
{
    std::uint64_t value = 0;
    std::memcpy(&value, data, bytes); // little-endian host (element_type.cpp asserts it)
    return value;
}

} // namespace

OnnxDataType onnxDataType(std::uint64_t id)
{
    OnnxDataType type;
    type.id = id;
    if (const auto plain = plainElementType(id)) {
        type.name = elementTypeName(*plain);
        type.bits = static_cast<unsigned>(elementSize(*plain) * 8);
        type.integer =
            id != kFloat && id != kDouble && id != kFloat16 && id != kBfloat16 && id != kBool;
        return type;
    }
    switch (id) {
    case kFloat8E4M3FN:
        return {id, "float8e4m3fn", 8, false};
    case kFloat8E4M3FNUZ:
        return {id, "float8e4m3fnuz", 8, false};
    case kFloat8E5M2:
        return {id, "float8e5m2", 8, false};
    case kFloat8E5M2FNUZ:
        return {id, "float8e5m2fnuz", 8, false};
    case kUint4:
        return {id, "uint4", 4, true};
    case kInt4:
        return {id, "int4", 4, true};
    case kFloat4E2M1:
        return {id, "float4e2m1", 4, false};
    case kString:
        return {id, "string", 0, false};
    case kComplex64:
        return {id, "complex64", 0, false};
    case kComplex128:
        return {id, "complex128", 0, false};
    default:
        return {id, "onnx type " + std::to_string(id), 0, false};
    }
}

OnnxTensorHeader readOnnxTensorHeader(std::span<const std::byte> proto, const std::string& path)
{
    OnnxTensorHeader header;
    try {
        WireReader reader(proto, path);
        WireField field;
        while (reader.next(field)) {
            switch (field.number) {
            case kDims:
                if (field.type == WireField::LengthDelimited) {
                    WireReader packed(field.bytes, path);
                    while (!packed.atEnd()) {
                        header.shape.push_back(static_cast<std::int64_t>(packed.varint()));
                    }
                } else {
                    header.shape.push_back(static_cast<std::int64_t>(field.scalar));
                }
                break;
            case kDataType:
                header.dataType = field.scalar;
                break;
            case kName:
                header.name = text(field.bytes);
                break;
            case kRawData:
                header.raw = field.bytes;
                header.hasRaw = true;
                break;
            case kDataLocation:
                header.external = field.scalar == kLocationExternal;
                break;
            case kExternalData: {
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
    } catch (const FormatError& error) {
        header.problem = error.problem();
    }
    return header;
}

OnnxTensorData::OnnxTensorData(std::span<const std::byte> proto,
                               std::shared_ptr<const MappedFile> model, std::string name)
    : m_proto(proto)
    , m_model(std::move(model))
    , m_name(std::move(name))
    , m_header(readOnnxTensorHeader(proto, m_model->path()))
    , m_type(onnxDataType(m_header.dataType))
{
    const std::string& path = m_model->path();
    if (!m_header.problem.empty()) {
        failTensor(path, m_name, m_header.problem);
    }
    if (m_type.bits == 0) {
        failTensor(path, m_name, "unsupported dtype " + m_type.name);
    }
    m_count = checkedElementCount(path, m_name, m_header.shape);
    const std::uint64_t bits = checkedByteSize(path, m_name, m_count, m_type.bits);
    m_storedBytes = bits / 8 + (bits % 8 != 0 ? 1 : 0);

    if (m_header.external) {
        checkExternal();
        return;
    }
    if (m_header.hasRaw) {
        if (m_header.raw.size() != m_storedBytes) {
            failTensor(path, m_name,
                       "raw_data holds " + std::to_string(m_header.raw.size()) +
                           " bytes but shape " + shapeToString(m_header.shape) + " of " +
                           m_type.name + " needs " + std::to_string(m_storedBytes));
        }
        return;
    }
    const auto expected =
        static_cast<std::uint64_t>(packsTwo(m_type) ? (m_count + 1) / 2 : m_count);
    std::uint64_t entries = 0;
    forEachTypedEntry(m_proto, typedField(m_type.id), path, [&](std::uint64_t) { ++entries; });
    if (entries != expected) {
        failTensor(path, m_name,
                   "holds " + std::to_string(entries) + " typed values but shape " +
                       shapeToString(m_header.shape) + " of " + m_type.name + " needs " +
                       std::to_string(expected));
    }
}

void OnnxTensorData::checkExternal()
{
    const std::string& path = m_model->path();
    const auto number = [&](std::string_view value, const char* what) {
        std::uint64_t parsed = 0;
        const auto [end, error] =
            std::from_chars(value.data(), value.data() + value.size(), parsed);
        if (error != std::errc() || end != value.data() + value.size()) {
            failTensor(path, m_name,
                       std::string("external data ") + what + " '" + printableName(value) +
                           "' is not a number");
        }
        return parsed;
    };
    if (m_header.location.empty()) {
        failTensor(path, m_name, "external data without a location");
    }
    const std::uint64_t offset = m_header.offset.empty() ? 0 : number(m_header.offset, "offset");
    if (!m_header.length.empty() && number(m_header.length, "length") != m_storedBytes) {
        failTensor(path, m_name,
                   "external data length " + std::string(m_header.length) + " does not match the " +
                       std::to_string(m_storedBytes) + " bytes its shape needs");
    }
    std::string location;
    try {
        location = siblingPath(path, m_header.location);
    } catch (const InputError& error) {
        failTensor(path, m_name, std::string("external data: ") + error.what());
    }
    std::error_code error;
    const std::uint64_t size = std::filesystem::file_size(location, error);
    if (error) {
        failTensor(path, m_name,
                   "external data " + printableName(m_header.location) + ": " + error.message());
    }
    if (offset > size || m_storedBytes > size - offset) {
        failTensor(path, m_name,
                   "external data [" + std::to_string(offset) + ", +" +
                       std::to_string(m_storedBytes) + ") lie past the end of " +
                       printableName(m_header.location));
    }
    m_externalPath = location;
    m_externalOffset = offset;
}

std::span<const std::byte>
OnnxTensorData::storedBytes(std::shared_ptr<const MappedFile>& owner) const
{
    if (!m_header.external) {
        owner = m_model;
        return m_header.raw;
    }
    try {
        owner = MappedFile::open(m_externalPath);
    } catch (const InputError& error) {
        failTensor(m_model->path(), m_name, std::string("external data: ") + error.what());
    }
    if (owner->size() < m_externalOffset + m_storedBytes) {
        failTensor(m_model->path(), m_name, "external data file shrank since the model was opened");
    }
    return owner->bytes().subspan(m_externalOffset, m_storedBytes);
}

template <typename Sink> void OnnxTensorData::visit(Sink sink) const
{
    const std::uint64_t type = m_type.id;
    const auto count = static_cast<std::size_t>(m_count);
    if (m_header.external || m_header.hasRaw) {
        std::shared_ptr<const MappedFile> owner;
        const std::span<const std::byte> bytes = storedBytes(owner);
        if (m_type.bits == 4) {
            for (std::size_t i = 0; i < count; ++i) {
                const auto byte = static_cast<std::uint64_t>(bytes[i / 2]);
                sink(i, elementValue(type, (i % 2 == 0) ? byte & 0xF : byte >> 4));
            }
            return;
        }
        const unsigned width = m_type.bits / 8;
        for (std::size_t i = 0; i < count; ++i) {
            sink(i, elementValue(type, loadLittleEndian(bytes.data() + i * width, width)));
        }
        return;
    }
    std::size_t index = 0;
    forEachTypedEntry(m_proto, typedField(type), m_model->path(), [&](std::uint64_t entry) {
        if (m_type.bits == 4) {
            sink(index++, elementValue(type, entry & 0xF));
            if (index < count) {
                sink(index++, elementValue(type, (entry >> 4) & 0xF));
            }
        } else {
            sink(index++, elementValue(type, entry));
        }
    });
}

Tensor OnnxTensorData::toTensor(const std::string& name) const
{
    const auto plain = plainElementType(m_type.id);
    if (plain && (m_header.hasRaw || m_header.external)) {
        std::shared_ptr<const MappedFile> owner;
        const std::span<const std::byte> bytes = storedBytes(owner);
        return tensorFromBytes(name, m_header.shape, *plain, bytes, owner);
    }
    return Tensor(name, m_header.shape, floats(), m_type.name);
}

std::vector<float> OnnxTensorData::floats() const
{
    std::vector<float> values(static_cast<std::size_t>(m_count));
    visit([&](std::size_t i, double value) { values[i] = static_cast<float>(value); });
    return values;
}

std::vector<std::int32_t> OnnxTensorData::integers() const
{
    std::vector<std::int32_t> values(static_cast<std::size_t>(m_count));
    visit([&](std::size_t i, double value) { values[i] = static_cast<std::int32_t>(value); });
    return values;
}

std::vector<std::int64_t> OnnxTensorData::integers64() const
{
    std::vector<std::int64_t> values(static_cast<std::size_t>(m_count));
    visit([&](std::size_t i, double value) { values[i] = static_cast<std::int64_t>(value); });
    return values;
}

} // namespace quantscope
