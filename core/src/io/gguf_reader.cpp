// GGUF v2/v3 (llama.cpp): a key-value metadata block, tensor infos, then aligned tensor data.
// Every ggml type (quantscope/ggml_types.h) is read, block types dequantized bit for bit as ggml
// does; a tensor of a type ggml removed or never had is listed as skipped.
#include "io/byte_reader.h"
#include "io/element_type.h"
#include "io/format_readers.h"
#include "io/io_error.h"
#include "io/listed_tensor_file.h"
#include "quantscope/ggml_types.h"

#include <limits>

namespace quantscope {

namespace {

enum class ValueType : std::uint32_t {
    U8 = 0,
    I8 = 1,
    U16 = 2,
    I16 = 3,
    U32 = 4,
    I32 = 5,
    F32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    U64 = 10,
    I64 = 11,
    F64 = 12,
};

constexpr std::uint64_t kDefaultAlignment = 32;
constexpr int kMaxArrayDepth = 8; // arrays of arrays nest; deeper is not a real file
constexpr std::uint32_t kMaxDimensions = 8;

// Bytes of a fixed-size metadata value, 0 for strings and arrays.
std::uint64_t fixedValueSize(std::uint32_t type)
{
    switch (static_cast<ValueType>(type)) {
    case ValueType::U8:
    case ValueType::I8:
    case ValueType::Bool:
        return 1;
    case ValueType::U16:
    case ValueType::I16:
        return 2;
    case ValueType::U32:
    case ValueType::I32:
    case ValueType::F32:
        return 4;
    case ValueType::U64:
    case ValueType::I64:
    case ValueType::F64:
        return 8;
    default:
        return 0;
    }
}

std::string_view readString(ByteReader& reader, std::string_view what)
{
    return reader.string(reader.u64(what), what);
}

void skipValue(ByteReader& reader, const std::string& path, std::uint32_t type, int depth)
{
    if (const std::uint64_t size = fixedValueSize(type); size != 0) {
        reader.skip(size, "metadata value");
        return;
    }
    if (type == static_cast<std::uint32_t>(ValueType::String)) {
        readString(reader, "metadata string");
        return;
    }
    if (type != static_cast<std::uint32_t>(ValueType::Array) || depth >= kMaxArrayDepth) {
        failFile(path, "bad metadata value type " + std::to_string(type) + " at offset " +
                           std::to_string(reader.position()));
    }
    const std::uint32_t elementType = reader.u32("metadata array type");
    const std::uint64_t count = reader.u64("metadata array length");
    if (const std::uint64_t size = fixedValueSize(elementType); size != 0) {
        if (count > reader.remaining() / size) {
            failFile(path,
                     "metadata array of " + std::to_string(count) + " elements runs past the end");
        }
        reader.skip(count * size, "metadata array");
        return;
    }
    // Every string or array element takes at least 8 bytes, so `count` is checked before looping.
    if (count > reader.remaining() / 8) {
        failFile(path,
                 "metadata array of " + std::to_string(count) + " elements runs past the end");
    }
    for (std::uint64_t i = 0; i < count; ++i) {
        skipValue(reader, path, elementType, depth + 1);
    }
}

constexpr std::uint32_t kTypeF32 = 0;

struct Entry {
    TensorInfo info;
    std::uint32_t typeId = 0;
    const GgmlType* type = nullptr; // set once the tensor is checked
    std::uint64_t offset = 0;       // from the start of the data section
    std::uint64_t bytes = 0;
    std::string problem; // found while reading the tensor table, reported when listing
};

class GgufFile : public ListedTensorFile {
public:
    explicit GgufFile(std::shared_ptr<const MappedFile> file)
        : ListedTensorFile(file)
        , m_file(std::move(file))
    {
        const std::string& name = path();
        ByteReader reader(m_file->bytes(), name);
        if (reader.string(4, "magic") != "GGUF") {
            failFile(name, "not a GGUF file (bad magic)");
        }
        const std::uint32_t version = reader.u32("version");
        if (version != 2 && version != 3) {
            failFile(name, "unsupported GGUF version " + std::to_string(version));
        }
        const std::uint64_t tensorCount = reader.u64("tensor count");
        const std::uint64_t keyCount = reader.u64("metadata count");
        std::uint64_t alignment = kDefaultAlignment;
        // Each key-value takes at least 12 bytes, each tensor info at least 24.
        if (keyCount > reader.remaining() / 12 || tensorCount > reader.remaining() / 24) {
            failFile(name, "counts of " + std::to_string(keyCount) + " keys and " +
                               std::to_string(tensorCount) + " tensors exceed the file");
        }
        for (std::uint64_t i = 0; i < keyCount; ++i) {
            const std::string_view key = readString(reader, "metadata key");
            const std::uint32_t type = reader.u32("metadata type");
            if (key == "general.alignment") {
                if (type != static_cast<std::uint32_t>(ValueType::U32)) {
                    failFile(name, "general.alignment is not a uint32");
                }
                alignment = reader.u32("general.alignment");
                if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
                    failFile(name, "general.alignment " + std::to_string(alignment) +
                                       " is not a power of two");
                }
            } else {
                skipValue(reader, name, type, 0);
            }
        }
        std::vector<Entry> entries;
        for (std::uint64_t i = 0; i < tensorCount; ++i) {
            entries.push_back(readEntry(reader));
        }
        const std::uint64_t dataStart = (reader.position() + alignment - 1) / alignment * alignment;
        if (dataStart > m_file->size() && tensorCount > 0) {
            failFile(name, "data section starts past the end of the file");
        }
        m_dataStart = static_cast<std::size_t>(std::min<std::uint64_t>(dataStart, m_file->size()));
        const std::uint64_t dataBytes = m_file->size() - m_dataStart;
        for (Entry& entry : entries) {
            // Misplaced data mean a broken container; a tensor's own type or shape only skips it.
            if (entry.offset % alignment != 0) {
                failFile(name, "tensor '" + printableName(entry.info.name) + "': offset " +
                                   std::to_string(entry.offset) + " is not aligned to " +
                                   std::to_string(alignment));
            }
            listOrSkip(entry.info.name, [&] {
                checkEntry(entry);
                // Data starting past the end: a broken tensor table. Data cut short (a partial
                // download): only this tensor is lost.
                if (entry.offset > dataBytes) {
                    failFile(name, "tensor '" + printableName(entry.info.name) + "': data at " +
                                       std::to_string(entry.offset) +
                                       " start past the end of the file");
                }
                if (entry.bytes > dataBytes - entry.offset) {
                    failTensor(name, entry.info.name,
                               "data truncated: needs " + std::to_string(entry.bytes) +
                                   " bytes, the file holds " +
                                   std::to_string(dataBytes - entry.offset));
                }
                if (addTensor(entry.info)) {
                    m_entries.push_back(std::move(entry));
                }
            });
        }
    }

protected:
    Tensor loadIndex(std::size_t index) const override
    {
        const Entry& entry = m_entries[index];
        const auto bytes = m_file->bytes().subspan(m_dataStart + entry.offset, entry.bytes);
        if (entry.typeId == kTypeF32) { // viewed in place when aligned
            return tensorFromBytes(entry.info.name, entry.info.shape, ElementType::F32, bytes,
                                   m_file);
        }
        std::vector<float> values(static_cast<std::size_t>(elementCount(entry.info.shape)));
        dequantizeGgml(*entry.type, bytes, values);
        return Tensor(entry.info.name, entry.info.shape, std::move(values), entry.info.dtype);
    }

private:
    Entry readEntry(ByteReader& reader) const
    {
        const std::string& name = path();
        Entry entry;
        entry.info.name = std::string(readString(reader, "tensor name"));
        const std::uint32_t dimensions = reader.u32("tensor dimension count");
        if (dimensions > kMaxDimensions) { // the tensor table itself is not plausible
            failFile(name, "tensor '" + printableName(entry.info.name) +
                               "': " + std::to_string(dimensions) + " dimensions (at most " +
                               std::to_string(kMaxDimensions) + ")");
        }
        // ggml lists the fastest-varying dimension first; shapes here are row-major.
        entry.info.shape.resize(dimensions);
        for (std::uint32_t d = 0; d < dimensions; ++d) {
            const std::uint64_t extent = reader.u64("tensor dimension");
            if (extent > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
                entry.problem = "dimension " + std::to_string(extent) + " is too large";
            }
            entry.info.shape[dimensions - 1 - d] = static_cast<std::int64_t>(extent);
        }
        entry.typeId = reader.u32("tensor type");
        entry.offset = reader.u64("tensor offset");
        return entry;
    }

    // The tensor's type and shape: its dtype name and byte size, or its problem.
    void checkEntry(Entry& entry) const
    {
        const std::string& name = path();
        if (!entry.problem.empty()) {
            failTensor(name, entry.info.name, entry.problem);
        }
        const GgmlType* type = findGgmlType(entry.typeId);
        if (type == nullptr) {
            failTensor(name, entry.info.name, "unknown ggml type " + std::to_string(entry.typeId));
        }
        entry.info.dtype = type->dtype;
        const std::int64_t count = checkedElementCount(name, entry.info.name, entry.info.shape);
        // ggml quantizes rows (its ne[0], the last dimension here) block by block.
        const std::int64_t rowLength = entry.info.shape.empty() ? 1 : entry.info.shape.back();
        const auto blockElements = static_cast<std::int64_t>(type->blockElements);
        if (rowLength % blockElements != 0) {
            failTensor(name, entry.info.name,
                       "row length " + std::to_string(rowLength) + " is not a multiple of the " +
                           std::to_string(blockElements) + "-element block of " +
                           std::string(type->name));
        }
        entry.bytes =
            checkedByteSize(name, entry.info.name, count / blockElements, type->blockBytes);
        entry.type = type;
    }

    std::shared_ptr<const MappedFile> m_file;
    std::size_t m_dataStart = 0;
    std::vector<Entry> m_entries;
};

} // namespace

std::unique_ptr<TensorFile> openGguf(std::shared_ptr<const MappedFile> file)
{
    return std::make_unique<GgufFile>(std::move(file));
}

} // namespace quantscope
