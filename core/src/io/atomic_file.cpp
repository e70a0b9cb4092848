#include "io/atomic_file.h"

#include "quantscope/atomic_write.h"

#include "quantscope/errors.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

namespace quantscope {

namespace {

constexpr int kTempNameAttempts = 100;

std::string errnoText(int error)
{
    return error != 0 ? std::strerror(error) : "unknown error";
}

} // namespace

AtomicFile::AtomicFile(std::string path)
    : m_path(std::move(path))
{
    const std::filesystem::path target(m_path);
    std::random_device entropy;
    for (int attempt = 0; attempt < kTempNameAttempts && m_file == nullptr; ++attempt) {
        const std::filesystem::path temp =
            target.parent_path() /
            ("." + target.filename().string() + ".tmp" + std::to_string(entropy()));
        errno = 0;
        // "x": fail rather than reuse a name some other writer holds. Unlike mkstemp, fopen
        // gives the file the usual permissions (0666 less the umask).
        m_file = std::fopen(temp.string().c_str(), "wbx");
        if (m_file != nullptr)
            m_tempPath = temp.string();
        else if (errno != EEXIST)
            throw InputError(m_path + ": cannot write (" + errnoText(errno) + ")");
    }
    if (m_file == nullptr)
        throw InputError(m_path + ": cannot write (no free temporary file name)");
}

AtomicFile::~AtomicFile()
{
    discard();
}

void AtomicFile::write(std::span<const std::byte> bytes)
{
    if (m_file == nullptr)
        fail("file already closed");
    if (bytes.empty())
        return; // fwrite must not be handed the null pointer of an empty span
    errno = 0;
    if (std::fwrite(bytes.data(), 1, bytes.size(), m_file) != bytes.size())
        fail(errnoText(errno));
}

void AtomicFile::commit()
{
    if (m_file == nullptr)
        fail("file already closed");
    errno = 0;
    bool ok = std::fflush(m_file) == 0;
#if defined(__unix__) || defined(__APPLE__)
    // Make the data durable before the rename publishes it.
    ok = ok && ::fsync(fileno(m_file)) == 0;
#endif
    const int error = errno;
    const bool closed = std::fclose(m_file) == 0;
    m_file = nullptr;
    if (!ok || !closed)
        fail(errnoText(ok ? errno : error));
    std::error_code renameError;
    std::filesystem::rename(m_tempPath, m_path, renameError);
    if (renameError)
        fail(renameError.message());
    m_tempPath.clear();
}

void AtomicFile::fail(const std::string& reason)
{
    discard();
    throw InputError(m_path + ": cannot write (" + reason + ")");
}

void AtomicFile::discard()
{
    if (m_file != nullptr) {
        std::fclose(m_file);
        m_file = nullptr;
    }
    if (!m_tempPath.empty()) {
        std::error_code ignored;
        std::filesystem::remove(m_tempPath, ignored);
        m_tempPath.clear();
    }
}

void writeFileAtomically(const std::string& path, std::string_view contents)
{
    AtomicFile file(path);
    file.write(std::as_bytes(std::span(contents.data(), contents.size())));
    file.commit();
}

} // namespace quantscope
