// .npz: a zip archive (stored or deflated) of .npy members, read through libzip from the mapped
// file. Opening reads only each member's .npy header; values are inflated on load.
#include "io/element_type.h"
#include "io/format_readers.h"
#include "io/io_error.h"
#include "io/listed_tensor_file.h"
#include "io/py_literal.h"
#include "quantscope/errors.h"

#include <zip.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <optional>

namespace quantscope {

namespace {

// Deflate cannot expand more than about 1032:1; a member claiming more is lying.
constexpr std::uint64_t kMaxDeflateRatio = 1100;
constexpr std::uint64_t kMaxNpyHeaderBytes = 1 << 20;
constexpr std::string_view kNpyMagic = "\x93NUMPY";

struct Member {
    TensorInfo info;
    zip_uint64_t index = 0;
    std::optional<ElementType> type;
    bool bigEndian = false;
    bool fortranOrder = false;
    std::uint64_t dataOffset = 0; // bytes of .npy header before the values
};

std::optional<ElementType> descrType(std::string_view code)
{
    static constexpr std::array<std::pair<std::string_view, ElementType>, 13> kCodes = {{
        {"f2", ElementType::F16},
        {"f4", ElementType::F32},
        {"f8", ElementType::F64},
        {"i1", ElementType::I8},
        {"i2", ElementType::I16},
        {"i4", ElementType::I32},
        {"i8", ElementType::I64},
        {"u1", ElementType::U8},
        {"u2", ElementType::U16},
        {"u4", ElementType::U32},
        {"u8", ElementType::U64},
        {"b1", ElementType::Bool},
        {"?", ElementType::Bool},
    }};
    const auto found = std::find_if(kCodes.begin(), kCodes.end(),
                                    [&](const auto& entry) { return entry.first == code; });
    return found == kCodes.end() ? std::nullopt : std::optional(found->second);
}

// Reorders Fortran-order values (first index fastest) into C order.
std::vector<std::byte> fortranToC(const Shape& shape, std::span<const std::byte> data,
                                  std::size_t elementBytes)
{
    std::vector<std::byte> result(data.size());
    const std::size_t count = data.size() / elementBytes;
    std::vector<std::int64_t> index(shape.size(), 0);
    std::vector<std::size_t> stride(shape.size(), 1); // Fortran strides, in elements
    for (std::size_t d = 1; d < shape.size(); ++d) {
        stride[d] = stride[d - 1] * static_cast<std::size_t>(shape[d - 1]);
    }
    for (std::size_t c = 0; c < count; ++c) {
        std::size_t f = 0;
        for (std::size_t d = 0; d < shape.size(); ++d) {
            f += static_cast<std::size_t>(index[d]) * stride[d];
        }
        std::memcpy(result.data() + c * elementBytes, data.data() + f * elementBytes, elementBytes);
        for (std::size_t d = shape.size(); d-- > 0;) { // C order: last index fastest
            if (++index[d] < shape[d]) {
                break;
            }
            index[d] = 0;
        }
    }
    return result;
}

class NpzFile : public ListedTensorFile {
public:
    explicit NpzFile(std::shared_ptr<const MappedFile> file)
        : ListedTensorFile(file->path())
        , m_file(std::move(file))
    {
        zip_error_t error;
        zip_error_init(&error);
        zip_source_t* source =
            zip_source_buffer_create(m_file->bytes().data(), m_file->size(), 0, &error);
        if (source != nullptr) {
            m_archive = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
            if (m_archive == nullptr) {
                zip_source_free(source);
            }
        }
        if (m_archive == nullptr) {
            const std::string reason = zip_error_strerror(&error);
            zip_error_fini(&error);
            failFile(path(), "not a readable zip archive: " + reason);
        }
        zip_error_fini(&error);
        try {
            const zip_int64_t count = zip_get_num_entries(m_archive, 0);
            for (zip_int64_t i = 0; i < count; ++i) {
                readMember(static_cast<zip_uint64_t>(i));
            }
        } catch (...) {
            zip_discard(m_archive);
            throw;
        }
    }

    ~NpzFile() override { zip_discard(m_archive); }

protected:
    Tensor loadIndex(std::size_t index) const override
    {
        const Member& member = m_members[index];
        const std::string& name = member.info.name;
        if (!member.type) {
            failTensor(path(), name, "unsupported dtype " + member.info.dtype);
        }
        const std::size_t size = elementSize(*member.type);
        const std::uint64_t bytes =
            checkedByteSize(path(), name, elementCount(member.info.shape), size);
        std::lock_guard lock(m_mutex);
        auto data = readMember(member, member.dataOffset, bytes, true);
        if (member.bigEndian) {
            for (std::size_t i = 0; i < data.size(); i += size) {
                std::reverse(data.begin() + static_cast<std::ptrdiff_t>(i),
                             data.begin() + static_cast<std::ptrdiff_t>(i + size));
            }
        }
        if (member.fortranOrder && member.info.shape.size() > 1) {
            data = fortranToC(member.info.shape, data, size);
        }
        // The buffer itself backs a float32 tensor, so it is inflated exactly once.
        auto owned = std::make_shared<const std::vector<std::byte>>(std::move(data));
        return tensorFromBytes(name, member.info.shape, *member.type, *owned, owned);
    }

private:
    // Bytes [offset, offset + length) of a member, inflated. `whole` also demands that the
    // member ends there, so libzip verifies its CRC.
    std::vector<std::byte> readMember(const Member& member, std::uint64_t offset,
                                      std::uint64_t length, bool whole) const
    {
        zip_file_t* entry = zip_fopen_index(m_archive, member.index, 0);
        if (entry == nullptr) {
            failTensor(path(), member.info.name,
                       std::string("cannot read member: ") + zip_strerror(m_archive));
        }
        // Read in chunks so that a member lying about its size fails before the claimed size is
        // ever allocated.
        constexpr std::uint64_t kChunk = 1 << 24;
        std::vector<std::byte> skipped(static_cast<std::size_t>(std::min(offset, kChunk)));
        std::vector<std::byte> data;
        std::uint64_t skippedBytes = 0;
        bool complete = true;
        while (complete && skippedBytes < offset) {
            const std::uint64_t want = std::min(offset - skippedBytes, kChunk);
            complete = zip_fread(entry, skipped.data(), want) == static_cast<zip_int64_t>(want);
            skippedBytes += want;
        }
        while (complete && data.size() < length) {
            const std::size_t have = data.size();
            const auto want =
                static_cast<std::size_t>(std::min<std::uint64_t>(length - have, kChunk));
            data.resize(have + want);
            complete = zip_fread(entry, data.data() + have, want) == static_cast<zip_int64_t>(want);
        }
        std::byte extra{};
        complete = complete && (!whole || zip_fread(entry, &extra, 1) == 0);
        const std::string reason = zip_error_strerror(zip_file_get_error(entry));
        zip_fclose(entry);
        if (!complete) {
            failTensor(path(), member.info.name, "member is truncated or corrupt: " + reason);
        }
        return data;
    }

    void readMember(zip_uint64_t index)
    {
        zip_stat_t stat;
        zip_stat_init(&stat);
        if (zip_stat_index(m_archive, index, 0, &stat) != 0 || (stat.valid & ZIP_STAT_NAME) == 0) {
            failFile(path(), "cannot read zip entry " + std::to_string(index));
        }
        std::string name = stat.name;
        if (name.size() < 4 || name.compare(name.size() - 4, 4, ".npy") != 0) {
            return; // not an array
        }
        name.resize(name.size() - 4);
        if (stat.comp_method != ZIP_CM_STORE && stat.comp_method != ZIP_CM_DEFLATE) {
            failTensor(path(), name,
                       "unsupported zip compression method " + std::to_string(stat.comp_method));
        }
        if (stat.comp_size > m_file->size() ||
            (stat.comp_method == ZIP_CM_STORE && stat.size != stat.comp_size) ||
            stat.size / kMaxDeflateRatio > stat.comp_size) {
            failTensor(path(), name, "member sizes in the zip directory are inconsistent");
        }
        Member member;
        member.info.name = name;
        member.index = index;
        parseNpyHeader(member, stat.size);
        addTensor(member.info);
        m_members.push_back(std::move(member));
    }

    void parseNpyHeader(Member& member, std::uint64_t memberBytes)
    {
        const std::string& name = member.info.name;
        constexpr std::uint64_t kPrefix = 12; // magic, version, and a length of up to 4 bytes
        const auto prefix = readMember(member, 0, std::min(kPrefix, memberBytes), false);
        const std::string_view head(reinterpret_cast<const char*>(prefix.data()), prefix.size());
        if (head.size() < 10 || head.substr(0, 6) != kNpyMagic) {
            failTensor(path(), name, "member is not a .npy array (bad magic)");
        }
        const int major = static_cast<unsigned char>(head[6]);
        if (major < 1 || major > 3) {
            failTensor(path(), name,
                       ".npy format version " + std::to_string(major) + " is not supported");
        }
        std::uint64_t headerBytes = static_cast<unsigned char>(head[8]) |
                                    static_cast<unsigned>(static_cast<unsigned char>(head[9])) << 8;
        std::uint64_t headerStart = 10;
        if (major >= 2) {
            if (head.size() < 12) {
                failTensor(path(), name, "member is truncated");
            }
            headerBytes |= static_cast<std::uint64_t>(static_cast<unsigned char>(head[10])) << 16 |
                           static_cast<std::uint64_t>(static_cast<unsigned char>(head[11])) << 24;
            headerStart = 12;
        }
        if (headerBytes > kMaxNpyHeaderBytes || headerStart + headerBytes > memberBytes) {
            failTensor(path(), name,
                       ".npy header length " + std::to_string(headerBytes) + " exceeds the member");
        }
        const auto headerData = readMember(member, headerStart, headerBytes, false);
        PyLiteral header;
        try {
            header = parsePyLiteral(
                std::string_view(reinterpret_cast<const char*>(headerData.data()), headerBytes));
        } catch (const InputError& error) {
            failTensor(path(), name, std::string(".npy header: ") + error.what());
        }
        const PyLiteral* descr =
            header.kind == PyLiteral::Kind::Dict ? header.find("descr") : nullptr;
        const PyLiteral* fortran = descr ? header.find("fortran_order") : nullptr;
        const PyLiteral* shape = fortran ? header.find("shape") : nullptr;
        if (!shape || descr->kind != PyLiteral::Kind::String ||
            fortran->kind != PyLiteral::Kind::Boolean || shape->kind != PyLiteral::Kind::Sequence) {
            failTensor(path(), name, ".npy header lacks descr, fortran_order or shape");
        }
        std::string_view code = descr->text;
        member.bigEndian = !code.empty() && code[0] == '>';
        if (!code.empty() && std::string_view("<>|=").find(code[0]) != std::string_view::npos) {
            code.remove_prefix(1);
        }
        member.type = descrType(code);
        member.info.dtype =
            member.type ? elementTypeName(*member.type) : printableName(descr->text);
        member.fortranOrder = fortran->boolean;
        for (const PyLiteral& dim : shape->items) {
            if (dim.kind != PyLiteral::Kind::Integer) {
                failTensor(path(), name, ".npy shape holds a non-integer");
            }
            member.info.shape.push_back(dim.integer);
        }
        member.dataOffset = headerStart + headerBytes;
        const std::int64_t count = checkedElementCount(path(), name, member.info.shape);
        if (member.type) {
            const std::uint64_t bytes =
                checkedByteSize(path(), name, count, elementSize(*member.type));
            if (memberBytes - member.dataOffset != bytes) {
                failTensor(path(), name,
                           "member holds " + std::to_string(memberBytes - member.dataOffset) +
                               " data bytes but shape " + shapeToString(member.info.shape) +
                               " of " + member.info.dtype + " needs " + std::to_string(bytes));
            }
        }
    }

    std::shared_ptr<const MappedFile> m_file;
    zip_t* m_archive = nullptr;
    std::vector<Member> m_members;
    mutable std::mutex m_mutex; // a zip_t is not safe to read from two threads
};

} // namespace

std::unique_ptr<TensorFile> openNpz(std::shared_ptr<const MappedFile> file)
{
    return std::make_unique<NpzFile>(std::move(file));
}

} // namespace quantscope
