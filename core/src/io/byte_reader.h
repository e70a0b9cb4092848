#pragma once

#include "io/io_error.h"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace quantscope {

// Little-endian reads from a byte span; every read is bounds-checked and a short read throws
// InputError naming the file, what was being read and the offset.
class ByteReader {
public:
    ByteReader(std::span<const std::byte> data, const std::string& path)
        : m_data(data)
        , m_path(path)
    {
    }

    std::size_t position() const { return m_position; }
    std::size_t remaining() const { return m_data.size() - m_position; }
    bool atEnd() const { return m_position == m_data.size(); }

    std::span<const std::byte> bytes(std::uint64_t count, std::string_view what)
    {
        need(count, what);
        auto result = m_data.subspan(m_position, static_cast<std::size_t>(count));
        m_position += static_cast<std::size_t>(count);
        return result;
    }
    void skip(std::uint64_t count, std::string_view what) { bytes(count, what); }
    void seek(std::uint64_t position, std::string_view what)
    {
        if (position > m_data.size()) {
            failFile(m_path, std::string(what) + " at offset " + std::to_string(position) +
                                 " is past the end (" + std::to_string(m_data.size()) + " bytes)");
        }
        m_position = static_cast<std::size_t>(position);
    }

    template <typename T> T read(std::string_view what)
    {
        static_assert(std::endian::native == std::endian::little, "little-endian hosts only");
        T value;
        std::memcpy(&value, bytes(sizeof(T), what).data(), sizeof(T));
        return value;
    }
    std::uint8_t u8(std::string_view what) { return read<std::uint8_t>(what); }
    std::uint16_t u16(std::string_view what) { return read<std::uint16_t>(what); }
    std::uint32_t u32(std::string_view what) { return read<std::uint32_t>(what); }
    std::uint64_t u64(std::string_view what) { return read<std::uint64_t>(what); }
    std::string_view string(std::uint64_t length, std::string_view what)
    {
        auto span = bytes(length, what);
        return {reinterpret_cast<const char*>(span.data()), span.size()};
    }

private:
    void need(std::uint64_t count, std::string_view what) const
    {
        if (count > remaining()) {
            failFile(m_path, "truncated: " + std::string(what) + " needs " + std::to_string(count) +
                                 " bytes at offset " + std::to_string(m_position) + ", only " +
                                 std::to_string(remaining()) + " left");
        }
    }

    std::span<const std::byte> m_data;
    std::size_t m_position = 0;
    const std::string& m_path;
};

} // namespace quantscope
