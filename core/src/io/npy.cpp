#include "quantscope/npy.h"

#include "io/atomic_file.h"
#include "io/mapped_file.h"
#include "io/npy_format.h"
#include "quantscope/errors.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>

namespace quantscope {

namespace {

// The spec aligns the data to 64 bytes so that it can be memory-mapped.
constexpr std::size_t kHeaderAlignment = 64;

[[noreturn]] void fail(const std::string& path, const std::string& problem)
{
    throw InputError(path + ": " + problem);
}

// Checks the header, and that the file holds all the data the header promises, before anything
// is allocated for it.
NpyLayout readLayout(const std::string& path, std::span<const std::byte> file)
{
    NpyLayout layout;
    try {
        layout = parseNpyHeader(file);
        supportedDtype(layout);
    } catch (const InputError& e) {
        fail(path, e.what());
    }
    const std::uint64_t available = file.size() - layout.dataOffset;
    if (available < layout.dataBytes)
        fail(path, "data truncated: shape " + shapeToString(layout.shape) + " of " +
                       layout.dtype->name + " needs " + std::to_string(layout.dataBytes) +
                       " bytes, file has " + std::to_string(available));
    return layout;
}

std::string shapeLiteral(const Shape& shape)
{
    std::string text = "(";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i > 0 ? ", " : "") + std::to_string(shape[i]);
    return text + (shape.size() == 1 ? ",)" : ")");
}

template <typename T>
void writeArray(const std::string& path, const Shape& shape, std::span<const T> values,
                const char* descr)
{
    if (std::any_of(shape.begin(), shape.end(), [](std::int64_t d) { return d < 0; }))
        fail(path, "cannot write shape " + shapeToString(shape) + " (negative dimension)");
    std::int64_t count = 0;
    try {
        count = elementCount(shape);
    } catch (const InputError& e) {
        fail(path, e.what());
    }
    if (static_cast<std::uint64_t>(count) != values.size())
        fail(path, "cannot write " + std::to_string(values.size()) + " values as shape " +
                       shapeToString(shape));

    std::string header = "{'descr': '" + std::string(descr) +
                         "', 'fortran_order': False, 'shape': " + shapeLiteral(shape) + ", }";
    // Pad with spaces so that preamble + header + '\n' is a multiple of the alignment; a
    // header too long for version 1's 16-bit length needs version 2.
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

    AtomicFile out(path);
    out.write(std::as_bytes(std::span(preamble)));
    out.write(std::as_bytes(std::span(header)));
    if constexpr (std::endian::native == std::endian::little) {
        out.write(std::as_bytes(values));
    } else {
        std::vector<std::byte> swapped(values.size_bytes());
        for (std::size_t i = 0; i < values.size(); ++i) {
            auto raw = std::bit_cast<std::array<std::byte, sizeof(T)>>(values[i]);
            std::reverse(raw.begin(), raw.end());
            std::memcpy(swapped.data() + i * sizeof(T), raw.data(), sizeof(T));
        }
        out.write(swapped);
    }
    out.commit();
}

} // namespace

NpyHeader readNpyHeader(const std::string& path)
{
    const auto file = MappedFile::open(path);
    NpyLayout layout = readLayout(path, file->bytes());
    return {std::move(layout.shape), std::move(layout.dtype->name)};
}

Tensor readNpy(const std::string& path)
{
    const auto file = MappedFile::open(path);
    const NpyLayout layout = readLayout(path, file->bytes());
    // float32 in our byte order and C order is used where it lies in the mapped file.
    return npyTensor(std::filesystem::path(path).stem().string(), layout,
                     file->bytes().subspan(layout.dataOffset), file);
}

NpyDoubles readNpyAsDouble(const std::string& path)
{
    const auto file = MappedFile::open(path);
    NpyLayout layout = readLayout(path, file->bytes());
    std::vector<double> values =
        npyValues<double>(layout, file->bytes().subspan(layout.dataOffset));
    return {std::move(layout.shape), std::move(values)};
}

void writeNpy(const std::string& path, const Shape& shape, std::span<const float> values)
{
    writeArray(path, shape, values, "<f4");
}

void writeNpy(const std::string& path, const Shape& shape, std::span<const std::int32_t> values)
{
    writeArray(path, shape, values, "<i4");
}

} // namespace quantscope
