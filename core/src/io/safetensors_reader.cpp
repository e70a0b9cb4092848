// .safetensors: an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
// shape and [begin, end) byte range, then the data. Also the sharded form, whose
// model.safetensors.index.json maps tensor names to shard files.
#include "io/byte_reader.h"
#include "io/element_type.h"
#include "io/format_readers.h"
#include "io/io_error.h"
#include "io/listed_tensor_file.h"
#include "quantscope/errors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <unordered_map>

namespace quantscope {

namespace {

using Json = nlohmann::json;

// The reference implementation refuses larger headers; so do we, before parsing.
constexpr std::uint64_t kMaxHeaderBytes = 100 * 1024 * 1024;

std::optional<ElementType> parseDtype(const std::string& dtype)
{
    static const std::map<std::string, ElementType> kTypes = {
        {"F64", ElementType::F64},   {"F32", ElementType::F32}, {"F16", ElementType::F16},
        {"BF16", ElementType::BF16}, {"I64", ElementType::I64}, {"I32", ElementType::I32},
        {"I16", ElementType::I16},   {"I8", ElementType::I8},   {"U64", ElementType::U64},
        {"U32", ElementType::U32},   {"U16", ElementType::U16}, {"U8", ElementType::U8},
        {"BOOL", ElementType::Bool}};
    const auto found = kTypes.find(dtype);
    return found == kTypes.end() ? std::nullopt : std::optional(found->second);
}

std::uint64_t unsignedValue(const std::string& path, const std::string& tensor, const Json& value,
                            const char* what)
{
    if (!value.is_number_unsigned()) {
        failTensor(path, tensor, std::string(what) + " is not a non-negative integer");
    }
    return value.get<std::uint64_t>();
}

struct Entry {
    TensorInfo info;
    std::optional<ElementType> type; // always set for a listed tensor
    std::uint64_t begin = 0;         // relative to the data section
    std::uint64_t end = 0;
};

Entry parseEntry(const std::string& path, const std::string& name, const Json& value,
                 std::uint64_t dataBytes)
{
    if (!value.is_object()) {
        failTensor(path, name, "header entry is not an object");
    }
    const auto dtype = value.find("dtype");
    const auto shape = value.find("shape");
    const auto offsets = value.find("data_offsets");
    if (dtype == value.end() || !dtype->is_string()) {
        failTensor(path, name, "missing or non-string \"dtype\"");
    }
    if (shape == value.end() || !shape->is_array()) {
        failTensor(path, name, "missing or non-array \"shape\"");
    }
    if (offsets == value.end() || !offsets->is_array() || offsets->size() != 2) {
        failTensor(path, name, "\"data_offsets\" is not a [begin, end] pair");
    }
    Entry entry;
    entry.info.name = name;
    const std::string dtypeText = dtype->get<std::string>();
    entry.type = parseDtype(dtypeText);
    entry.info.dtype = entry.type ? elementTypeName(*entry.type) : printableName(dtypeText);
    for (const Json& dim : *shape) {
        const std::uint64_t extent = unsignedValue(path, name, dim, "a dimension");
        if (extent > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            failTensor(path, name, "dimension " + std::to_string(extent) + " is too large");
        }
        entry.info.shape.push_back(static_cast<std::int64_t>(extent));
    }
    entry.begin = unsignedValue(path, name, (*offsets)[0], "data_offsets begin");
    entry.end = unsignedValue(path, name, (*offsets)[1], "data_offsets end");
    if (entry.begin > entry.end || entry.begin > dataBytes) {
        // Data placed outside the file: the container is broken, not just this tensor.
        failFile(path, "tensor '" + printableName(name) + "': data_offsets [" +
                           std::to_string(entry.begin) + ", " + std::to_string(entry.end) +
                           ") lie outside the " + std::to_string(dataBytes) + "-byte data section");
    }
    if (entry.end > dataBytes) { // cut short (a partial download): only this tensor is lost
        failTensor(path, name,
                   "data truncated: data_offsets end at " + std::to_string(entry.end) + " of a " +
                       std::to_string(dataBytes) + "-byte data section");
    }
    if (!entry.type) {
        failTensor(path, name, "unsupported dtype " + entry.info.dtype);
    }
    const std::int64_t count = checkedElementCount(path, name, entry.info.shape);
    const std::uint64_t expected = checkedByteSize(path, name, count, elementSize(*entry.type));
    if (entry.end - entry.begin != expected) {
        failTensor(path, name,
                   "data_offsets span " + std::to_string(entry.end - entry.begin) +
                       " bytes but shape " + shapeToString(entry.info.shape) + " of " +
                       entry.info.dtype + " needs " + std::to_string(expected));
    }
    return entry;
}

class SafetensorsFile : public ListedTensorFile {
public:
    explicit SafetensorsFile(std::shared_ptr<const MappedFile> file)
        : ListedTensorFile(file)
        , m_file(std::move(file))
    {
        const std::string& name = path();
        ByteReader reader(m_file->bytes(), name);
        const std::uint64_t headerBytes = reader.u64("header length");
        if (headerBytes > kMaxHeaderBytes) {
            failFile(name, "header length " + std::to_string(headerBytes) + " is implausible");
        }
        const std::string_view headerText = reader.string(headerBytes, "JSON header");
        m_dataStart = reader.position();
        const Json header = Json::parse(headerText, nullptr, false);
        if (header.is_discarded() || !header.is_object()) {
            failFile(name, "header is not a JSON object");
        }
        std::vector<Entry> entries;
        // Named references, not structured bindings: Clang 14 cannot capture those in a lambda.
        for (const auto& item : header.items()) {
            const std::string& key = item.key();
            const Json& value = item.value();
            if (key != "__metadata__") {
                listOrSkip(key, [&] {
                    entries.push_back(parseEntry(name, key, value, reader.remaining()));
                });
            }
        }
        // File order, as the data lie; the JSON object itself is unordered.
        std::stable_sort(entries.begin(), entries.end(),
                         [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
        for (Entry& entry : entries) {
            if (addTensor(entry.info)) {
                m_entries.push_back(std::move(entry));
            }
        }
    }

protected:
    Tensor loadIndex(std::size_t index) const override
    {
        const Entry& entry = m_entries[index];
        const auto bytes =
            m_file->bytes().subspan(m_dataStart + entry.begin, entry.end - entry.begin);
        return tensorFromBytes(entry.info.name, entry.info.shape, *entry.type, bytes, m_file);
    }

private:
    std::shared_ptr<const MappedFile> m_file;
    std::size_t m_dataStart = 0;
    std::vector<Entry> m_entries;
};

// One shard of a sharded checkpoint: opened once, or the reason it could not be.
struct Shard {
    std::unique_ptr<TensorFile> file;
    std::string problem;
    std::unordered_map<std::string, const TensorInfo*> tensors;
    std::unordered_map<std::string, const SkippedTensor*> skipped;
};

Shard openShard(const std::string& index, const std::string& shardFile)
{
    Shard shard;
    try {
        shard.file = openSafetensors(MappedFile::open(siblingPath(index, shardFile)));
    } catch (const InputError& error) {
        shard.problem = std::string("shard: ") + error.what();
        return shard;
    }
    // By name: checkpoints hold thousands of tensors.
    for (const TensorInfo& listed : shard.file->tensors()) {
        shard.tensors.emplace(listed.name, &listed);
    }
    for (const SkippedTensor& skipped : shard.file->skipped()) {
        shard.skipped.emplace(skipped.name, &skipped);
    }
    return shard;
}

// A shard that cannot be opened, or a tensor missing from its shard, skips only the tensors
// concerned: the rest of the checkpoint opens.
class ShardedSafetensorsFile : public ListedTensorFile {
public:
    explicit ShardedSafetensorsFile(const std::shared_ptr<const MappedFile>& index)
        : ListedTensorFile(index->path())
    {
        const std::string& name = path();
        const auto& bytes = index->bytes();
        const Json json =
            Json::parse(reinterpret_cast<const char*>(bytes.data()),
                        reinterpret_cast<const char*>(bytes.data()) + bytes.size(), nullptr, false);
        if (json.is_discarded() || !json.is_object()) {
            failFile(name, "not a JSON object");
        }
        const auto weightMap = json.find("weight_map");
        if (weightMap == json.end() || !weightMap->is_object()) {
            failFile(name, "no \"weight_map\" object");
        }
        std::map<std::string, std::size_t> shardByFile;
        for (const auto& item : weightMap->items()) {
            const std::string& tensor = item.key();
            if (!item.value().is_string()) {
                addSkipped(tensor, "shard file name is not a string");
                continue;
            }
            const std::string shardFile = item.value().get<std::string>();
            auto [found, added] = shardByFile.emplace(shardFile, m_shards.size());
            if (added) {
                m_shards.push_back(openShard(name, shardFile));
            }
            const Shard& shard = m_shards[found->second];
            if (!shard.file) {
                addSkipped(tensor, shard.problem);
            } else if (const auto info = shard.tensors.find(tensor); info != shard.tensors.end()) {
                if (addTensor(*info->second)) {
                    m_shardOfTensor.push_back(found->second);
                }
            } else if (const auto skipped = shard.skipped.find(tensor);
                       skipped != shard.skipped.end()) {
                addSkipped(tensor, skipped->second->reason);
            } else {
                addSkipped(tensor, "not found in shard " + printableName(shardFile));
            }
        }
    }

    void releaseCachedPages() const override
    {
        for (const Shard& shard : m_shards) {
            if (shard.file) {
                shard.file->releaseCachedPages();
            }
        }
    }

protected:
    Tensor loadIndex(std::size_t index) const override
    {
        return m_shards[m_shardOfTensor[index]].file->load(tensors()[index].name);
    }

private:
    std::vector<Shard> m_shards;
    std::vector<std::size_t> m_shardOfTensor;
};

} // namespace

std::unique_ptr<TensorFile> openSafetensors(std::shared_ptr<const MappedFile> file)
{
    return std::make_unique<SafetensorsFile>(std::move(file));
}

std::unique_ptr<TensorFile> openSafetensorsIndex(std::shared_ptr<const MappedFile> file)
{
    return std::make_unique<ShardedSafetensorsFile>(file);
}

} // namespace quantscope
