#pragma once

#include "io/io_error.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace quantscope {

// One field of a protobuf message in wire format.
struct WireField {
    enum Type { Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5 };

    std::uint32_t number = 0;
    Type type = Varint;
    std::uint64_t scalar = 0;         // Varint, Fixed64, Fixed32
    std::span<const std::byte> bytes; // LengthDelimited
};

// A bounds-checked protobuf wire-format decoder over bytes already in memory (the mapped model).
// Hand-written rather than generated from onnx.proto so that tensors stay views into the mapped
// file and every length is checked against the bytes that are actually there; only the few ONNX
// fields QuantScope needs are interpreted by the caller. Malformed data throw InputError.
class WireReader {
public:
    WireReader(std::span<const std::byte> data, const std::string& path)
        : m_data(data)
        , m_path(path)
    {
    }

    bool atEnd() const { return m_position == m_data.size(); }

    // Reads the next field; false at the end of the message.
    bool next(WireField& field)
    {
        if (atEnd()) {
            return false;
        }
        const std::uint64_t tag = varint();
        field.number = static_cast<std::uint32_t>(tag >> 3);
        if (field.number == 0 || tag >> 32 != 0) {
            fail("bad field tag");
        }
        switch (tag & 7) {
        case WireField::Varint:
            field.type = WireField::Varint;
            field.scalar = varint();
            break;
        case WireField::Fixed64:
            field.type = WireField::Fixed64;
            field.scalar = fixed(8);
            break;
        case WireField::LengthDelimited: {
            field.type = WireField::LengthDelimited;
            const std::uint64_t length = varint();
            if (length > m_data.size() - m_position) {
                fail("field " + std::to_string(field.number) + " claims " + std::to_string(length) +
                     " bytes, only " + std::to_string(m_data.size() - m_position) + " left");
            }
            field.bytes = m_data.subspan(m_position, static_cast<std::size_t>(length));
            m_position += static_cast<std::size_t>(length);
            break;
        }
        case WireField::Fixed32:
            field.type = WireField::Fixed32;
            field.scalar = fixed(4);
            break;
        default:
            fail("unsupported wire type " + std::to_string(tag & 7));
        }
        return true;
    }

    std::uint64_t varint()
    {
        std::uint64_t value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (atEnd()) {
                fail("truncated varint");
            }
            const auto byte = static_cast<std::uint8_t>(m_data[m_position++]);
            value |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
            if ((byte & 0x80) == 0) {
                return value;
            }
        }
        fail("varint longer than 10 bytes");
    }

    std::uint64_t fixed(int bytes)
    {
        if (m_data.size() - m_position < static_cast<std::size_t>(bytes)) {
            fail("truncated fixed-width value");
        }
        std::uint64_t value = 0;
        for (int i = 0; i < bytes; ++i) {
            value |= static_cast<std::uint64_t>(m_data[m_position++]) << (8 * i);
        }
        return value;
    }

private:
    [[noreturn]] void fail(const std::string& problem) const
    {
        failFile(m_path, "malformed protobuf: " + problem);
    }

    std::span<const std::byte> m_data;
    std::size_t m_position = 0;
    const std::string& m_path;
};

} // namespace quantscope
