#pragma once

#include <cstdio>
#include <span>
#include <string>

namespace quantscope {

// Writes a file so that readers see either the old file or the complete new one: the bytes go
// to a temporary file in the same directory, which commit() renames over the target. Any
// failure, or destruction before commit(), removes the temporary file. Errors are InputError
// "PATH: cannot write (reason)".
class AtomicFile {
public:
    explicit AtomicFile(std::string path);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    void write(std::span<const std::byte> bytes);
    void commit();

private:
    [[noreturn]] void fail(const std::string& reason);
    void discard();

    std::string m_path;
    std::string m_tempPath;
    std::FILE* m_file = nullptr;
};

} // namespace quantscope
