#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace quantscope {

// The bytes of a whole file, read-only: memory-mapped from disk, or held in memory (tests and
// fuzzers). Tensors that view these bytes keep the object alive through their owner pointer, so
// float32 data are never copied.
class MappedFile {
public:
    // Throws InputError "PATH: cannot open: reason" (missing, unreadable, not a regular file).
    static std::shared_ptr<const MappedFile> open(const std::string& path);
    // The given bytes, named `path` in messages and for resolving files next to it.
    static std::shared_ptr<const MappedFile> fromBuffer(std::string path,
                                                        std::vector<std::byte> bytes);

    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    ~MappedFile();

    const std::string& path() const { return m_path; }
    std::span<const std::byte> bytes() const { return {m_data, m_size}; }
    std::size_t size() const { return m_size; }
    // Drops the pages of a mapped file this process holds resident; later reads fault them in
    // again from the page cache (the mapping is read-only, so nothing is lost). Lets a batch run
    // over a large file keep its resident memory to the tensors at hand.
    void releasePages() const;

private:
    MappedFile() = default;

    std::string m_path;
    const std::byte* m_data = nullptr;
    std::size_t m_size = 0;
    void* m_mapping = nullptr; // non-null when mmap'ed
    std::vector<std::byte> m_buffer;
};

} // namespace quantscope
