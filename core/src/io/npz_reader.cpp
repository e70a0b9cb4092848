// .npz: a zip archive (stored or deflated) of .npy members, read through libzip from the mapped
// file. Opening reads only each member's .npy header; values are inflated on load.
#include "io/format_readers.h"
#include "io/io_error.h"
#include "io/listed_tensor_file.h"
#include "io/npy_format.h"
#include "quantscope/errors.h"

#include <zip.h>

#include <algorithm>
#include <mutex>

namespace quantscope {

namespace {

// Deflate cannot expand more than about 1032:1; a member claiming more is lying.
constexpr std::uint64_t kMaxDeflateRatio = 1100;
// A member's preamble and header are read whole; numpy's own are a few hundred bytes.
constexpr std::uint64_t kMaxNpyHeaderBytes = 1 << 20;

struct Member {
    TensorInfo info;
    zip_uint64_t index = 0;
    NpyLayout layout;
};

// Runs `step` of the .npy format, reporting its problem as one of tensor `name`.
template <typename Step> auto inMember(const std::string& path, const std::string& name, Step step)
{
    try {
        return step();
    } catch (const InputError& error) {
        failTensor(path, name, error.what());
    }
}

class NpzFile : public ListedTensorFile {
public:
    explicit NpzFile(std::shared_ptr<const MappedFile> file)
        : ListedTensorFile(file)
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
        std::lock_guard lock(m_mutex);
        auto data = readMember(member, member.layout.dataOffset, member.layout.dataBytes, true);
        // The buffer itself backs a float32 tensor, so it is inflated exactly once.
        auto owned = std::make_shared<const std::vector<std::byte>>(std::move(data));
        return inMember(path(), name,
                        [&] { return npyTensor(name, member.layout, *owned, owned); });
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
        listOrSkip(name, [&] { listMember(index, name, stat); });
    }

    // Checks member `index` and its .npy header, then lists it (its problems are its own).
    void listMember(zip_uint64_t index, const std::string& name, const zip_stat_t& stat)
    {
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
        readHeader(member, stat.size);
        inMember(path(), name, [&] { supportedDtype(member.layout); });
        if (addTensor(member.info)) {
            m_members.push_back(std::move(member));
        }
    }

    // Reads the member's .npy header (not its data) and checks that the member holds exactly
    // the data the header promises.
    void readHeader(Member& member, std::uint64_t memberBytes)
    {
        const std::string& name = member.info.name;
        const auto start =
            readMember(member, 0, std::min<std::uint64_t>(kNpyPreambleBytes, memberBytes), false);
        const std::uint64_t dataOffset =
            inMember(path(), name, [&] { return npyDataOffset(start); });
        if (dataOffset > kMaxNpyHeaderBytes) {
            failTensor(path(), name,
                       ".npy header of " + std::to_string(dataOffset) +
                           " bytes exceeds the limit of " + std::to_string(kMaxNpyHeaderBytes));
        }
        const auto header = readMember(member, 0, std::min(dataOffset, memberBytes), false);
        member.layout = inMember(path(), name, [&] { return parseNpyHeader(header); });
        const NpyLayout& layout = member.layout;
        member.info.shape = layout.shape;
        member.info.dtype = layout.dtype ? layout.dtype->name : printableName(layout.descr);
        if (layout.dtype && memberBytes - layout.dataOffset != layout.dataBytes) {
            failTensor(path(), name,
                       "member holds " + std::to_string(memberBytes - layout.dataOffset) +
                           " data bytes but shape " + shapeToString(layout.shape) + " of " +
                           member.info.dtype + " needs " + std::to_string(layout.dataBytes));
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
