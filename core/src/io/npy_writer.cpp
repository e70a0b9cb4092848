#include "quantscope/npy.h"

#include "io/atomic_file.h"
#include "io/npy_format.h"
#include "quantscope/errors.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <vector>

namespace quantscope {

namespace {

// The spec aligns the data to 64 bytes so that it can be memory-mapped.
constexpr std::size_t kHeaderAlignment = 64;
// Values byte-swapped per write on a big-endian machine.
constexpr std::size_t kSwapChunkBytes = std::size_t{1} << 22;

[[noreturn]] void fail(const std::string& path, const std::string& problem)
{
    throw InputError(path + ": " + problem);
}

std::string shapeLiteral(const Shape& shape)
{
    std::string text = "(";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i > 0 ? ", " : "") + std::to_string(shape[i]);
    return text + (shape.size() == 1 ? ",)" : ")");
}

// Preamble and header, padded with spaces so that the data starts on the alignment; a header too
// long for version 1's 16-bit length needs version 2.
std::string npyHeader(const Shape& shape, const char* descr)
{
    std::string header = "{'descr': '" + std::string(descr) +
                         "', 'fortran_order': False, 'shape': " + shapeLiteral(shape) + ", }";
    int major = 1;
    std::size_t prefix = 10;
    const auto paddedLength = [&] {
        const std::size_t unpadded = prefix + header.size() + 1;
        return header.size() + 1 +
               (kHeaderAlignment - unpadded % kHeaderAlignment) % kHeaderAlignment;
    };
    if (paddedLength() > std::numeric_limits<std::uint16_t>::max()) {
        major = 2;
        prefix = 12;
    }
    const std::size_t headerLength = paddedLength();
    header.resize(headerLength - 1, ' ');
    header += '\n';

    std::string preamble(kNpyMagic);
    preamble += static_cast<char>(major);
    preamble += '\0';
    for (std::size_t i = 0; i < prefix - 8; ++i)
        preamble += static_cast<char>((headerLength >> (8 * i)) & 0xFF);
    return preamble + header;
}

std::string valuesText(std::int64_t count, const Shape& shape)
{
    return "cannot write " + std::to_string(count) + " values as shape " + shapeToString(shape);
}

} // namespace

NpyWriter::NpyWriter(const std::string& path, const Shape& shape, Type type)
    : m_path(path)
    , m_shape(shape)
    , m_type(type)
{
    if (std::any_of(shape.begin(), shape.end(), [](std::int64_t d) { return d < 0; }))
        fail(path, "cannot write shape " + shapeToString(shape) + " (negative dimension)");
    try {
        m_count = elementCount(shape);
    } catch (const InputError& e) {
        fail(path, e.what());
    }
    const std::string header = npyHeader(shape, type == Type::Float32 ? "<f4" : "<i4");
    m_file = std::make_unique<AtomicFile>(path);
    m_file->write(std::as_bytes(std::span(header)));
}

NpyWriter::~NpyWriter() = default;

void NpyWriter::append(std::span<const float> values)
{
    if (m_type != Type::Float32)
        fail(m_path, "cannot write float32 values into an int32 array");
    appendBytes(std::as_bytes(values), std::int64_t(values.size()), sizeof(float));
}

void NpyWriter::append(std::span<const std::int32_t> values)
{
    if (m_type != Type::Int32)
        fail(m_path, "cannot write int32 values into a float32 array");
    appendBytes(std::as_bytes(values), std::int64_t(values.size()), sizeof(std::int32_t));
}

void NpyWriter::appendBytes(std::span<const std::byte> bytes, std::int64_t count, std::size_t width)
{
    if (count > m_count - m_written) {
        m_file.reset(); // removes the temporary file
        fail(m_path, valuesText(m_written + count, m_shape));
    }
    m_written += count;
    if constexpr (std::endian::native == std::endian::little) {
        m_file->write(bytes);
    } else {
        std::vector<std::byte> swapped(std::min(bytes.size(), kSwapChunkBytes));
        for (std::size_t begin = 0; begin < bytes.size(); begin += swapped.size()) {
            const std::size_t size = std::min(swapped.size(), bytes.size() - begin);
            std::memcpy(swapped.data(), bytes.data() + begin, size);
            for (std::size_t i = 0; i < size; i += width)
                std::reverse(swapped.begin() + i, swapped.begin() + i + width);
            m_file->write(std::span(swapped).first(size));
        }
    }
}

void NpyWriter::commit()
{
    if (!m_file)
        fail(m_path, "cannot write (file already closed)");
    if (m_written != m_count) {
        m_file.reset();
        fail(m_path, valuesText(m_written, m_shape));
    }
    m_file->commit();
    m_file.reset();
}

void writeNpy(const std::string& path, const Shape& shape, std::span<const float> values)
{
    NpyWriter writer(path, shape, NpyWriter::Type::Float32);
    writer.append(values);
    writer.commit();
}

void writeNpy(const std::string& path, const Shape& shape, std::span<const std::int32_t> values)
{
    NpyWriter writer(path, shape, NpyWriter::Type::Int32);
    writer.append(values);
    writer.commit();
}

} // namespace quantscope
