#include "io/mapped_file.h"

#include "quantscope/errors.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace quantscope {

namespace {

[[noreturn]] void failOpen(const std::string& path, const std::string& reason)
{
    throw InputError(path + ": cannot open: " + reason);
}

// Closes the descriptor on every path out of open(); the mapping outlives it.
struct FileDescriptor {
    int fd = -1;
    ~FileDescriptor()
    {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

} // namespace

std::shared_ptr<const MappedFile> MappedFile::open(const std::string& path)
{
    FileDescriptor file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (file.fd < 0) {
        failOpen(path, std::strerror(errno));
    }
    struct stat status {};
    if (::fstat(file.fd, &status) != 0) {
        failOpen(path, std::strerror(errno));
    }
    if (!S_ISREG(status.st_mode)) {
        failOpen(path, "not a regular file");
    }
    std::shared_ptr<MappedFile> mapped(new MappedFile);
    mapped->m_path = path;
    mapped->m_size = static_cast<std::size_t>(status.st_size);
    if (mapped->m_size == 0) {
        return mapped; // mmap refuses length 0; an empty span is the right view
    }
    void* address = ::mmap(nullptr, mapped->m_size, PROT_READ, MAP_PRIVATE, file.fd, 0);
    if (address == MAP_FAILED) {
        failOpen(path, std::string("mmap failed: ") + std::strerror(errno));
    }
    mapped->m_mapping = address;
    mapped->m_data = static_cast<const std::byte*>(address);
    return mapped;
}

std::shared_ptr<const MappedFile> MappedFile::fromBuffer(std::string path,
                                                         std::vector<std::byte> bytes)
{
    std::shared_ptr<MappedFile> mapped(new MappedFile);
    mapped->m_path = std::move(path);
    mapped->m_buffer = std::move(bytes);
    mapped->m_data = mapped->m_buffer.data();
    mapped->m_size = mapped->m_buffer.size();
    return mapped;
}

void MappedFile::releasePages() const
{
    if (m_mapping != nullptr) {
        ::madvise(m_mapping, m_size, MADV_DONTNEED);
    }
}

MappedFile::~MappedFile()
{
    if (m_mapping != nullptr) {
        ::munmap(m_mapping, m_size);
    }
}

} // namespace quantscope
