#include "quantscope/npy.h"

#include "io/atomic_file.h"
#include "io/float16.h"
#include "io/mapped_file.h"
#include "io/py_literal.h"
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

constexpr std::array<char, 6> kMagic = {'\x93', 'N', 'U', 'M', 'P', 'Y'};
// The spec aligns the data to 64 bytes so that it can be memory-mapped.
constexpr std::size_t kHeaderAlignment = 64;

[[noreturn]] void fail(const std::string& path, const std::string& problem)
{
    throw InputError(path + ": " + problem);
}

enum class ElementKind { Float, Signed, Unsigned, Bool };

struct NpyDtype {
    ElementKind kind = ElementKind::Float;
    int size = 4;
    bool swapBytes = false;
    std::string name; // "float32", ...
};

struct NpyLayout {
    Shape shape;
    NpyDtype dtype;
    bool fortranOrder = false;
    std::int64_t count = 0;
    std::uint64_t dataOffset = 0;
};

std::uint32_t littleEndian(const unsigned char* bytes, int count)
{
    std::uint32_t value = 0;
    for (int i = count - 1; i >= 0; --i)
        value = (value << 8) | bytes[i];
    return value;
}

NpyDtype parseDescr(const std::string& path, const std::string& descr)
{
    std::size_t pos = 0;
    char order = '|';
    if (!descr.empty() && std::string_view("<>=|").find(descr[0]) != std::string_view::npos)
        order = descr[pos++];
    const std::string_view code = std::string_view(descr).substr(pos);

    struct Known {
        std::string_view code;
        ElementKind kind;
        int size;
        const char* name;
    };
    static constexpr std::array<Known, 13> kKnown = {{
        {"f2", ElementKind::Float, 2, "float16"},
        {"f4", ElementKind::Float, 4, "float32"},
        {"f8", ElementKind::Float, 8, "float64"},
        {"i1", ElementKind::Signed, 1, "int8"},
        {"i2", ElementKind::Signed, 2, "int16"},
        {"i4", ElementKind::Signed, 4, "int32"},
        {"i8", ElementKind::Signed, 8, "int64"},
        {"u1", ElementKind::Unsigned, 1, "uint8"},
        {"u2", ElementKind::Unsigned, 2, "uint16"},
        {"u4", ElementKind::Unsigned, 4, "uint32"},
        {"u8", ElementKind::Unsigned, 8, "uint64"},
        {"b1", ElementKind::Bool, 1, "bool"},
        {"?", ElementKind::Bool, 1, "bool"},
    }};
    const auto known =
        std::find_if(kKnown.begin(), kKnown.end(), [&](const Known& k) { return k.code == code; });
    if (known == kKnown.end())
        fail(path, "unsupported dtype '" + descr +
                       "' (supported: float16/32/64, int8-64, uint8-64, bool)");

    // '=' and '|' mean the writer's native order; like numpy, take that to be ours.
    const bool fileLittle =
        order == '<' || (order != '>' && std::endian::native == std::endian::little);
    return {known->kind, known->size,
            known->size > 1 && fileLittle != (std::endian::native == std::endian::little),
            known->name};
}

std::string describeDescr(const PyLiteral& descr)
{
    return descr.kind == PyLiteral::Kind::Sequence ? "unsupported dtype (structured array)"
                                                   : "'descr' in the header is not a string";
}

// Reads and checks the preamble and header, and checks that the file holds all the data the
// header promises, before anything is allocated for it.
NpyLayout readLayout(const std::string& path, std::span<const std::byte> file)
{
    const auto* bytes = reinterpret_cast<const unsigned char*>(file.data());
    const std::uint64_t size = file.size();
    if (size == 0)
        fail(path, "not a .npy file (empty file)");
    if (std::memcmp(bytes, kMagic.data(), std::min<std::size_t>(file.size(), kMagic.size())) != 0)
        fail(path, "not a .npy file (bad magic, expected \\x93NUMPY)");
    if (size < 8)
        fail(path, "header truncated (file ends in the preamble)");
    const int major = bytes[6];
    const int minor = bytes[7];
    if ((major != 1 && major != 2 && major != 3) || minor != 0)
        fail(path, "unsupported .npy format version " + std::to_string(major) + "." +
                       std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)");
    // Version 1 stores the header length in 2 bytes, versions 2 and 3 in 4.
    const int lengthBytes = major == 1 ? 2 : 4;
    const std::uint64_t prefix = 8 + static_cast<std::uint64_t>(lengthBytes);
    if (size < prefix)
        fail(path, "header truncated (file ends in the preamble)");
    const std::uint64_t headerLength = littleEndian(bytes + 8, lengthBytes);
    if (headerLength > size - prefix)
        fail(path, "header truncated (says " + std::to_string(headerLength) + " bytes, file has " +
                       std::to_string(size - prefix) + ")");

    const std::string_view headerText(reinterpret_cast<const char*>(bytes + prefix),
                                      static_cast<std::size_t>(headerLength));
    PyLiteral header;
    try {
        header = parsePyLiteral(headerText);
    } catch (const InputError& e) {
        fail(path, std::string("malformed header: ") + e.what());
    }
    if (header.kind != PyLiteral::Kind::Dict)
        fail(path, "malformed header: not a dict");

    const PyLiteral* descr = header.find("descr");
    const PyLiteral* fortran = header.find("fortran_order");
    const PyLiteral* shape = header.find("shape");
    for (const auto& [key, value] : {std::pair{"descr", descr}, std::pair{"fortran_order", fortran},
                                     std::pair{"shape", shape}}) {
        if (value == nullptr)
            fail(path, std::string("malformed header: no '") + key + "' key");
    }
    if (descr->kind != PyLiteral::Kind::String)
        fail(path, describeDescr(*descr));
    if (fortran->kind != PyLiteral::Kind::Boolean)
        fail(path, "malformed header: 'fortran_order' is not True or False");
    if (shape->kind != PyLiteral::Kind::Sequence)
        fail(path, "malformed header: 'shape' is not a tuple");

    NpyLayout layout;
    layout.dtype = parseDescr(path, descr->text);
    layout.fortranOrder = fortran->boolean;
    for (const PyLiteral& dim : shape->items) {
        if (dim.kind != PyLiteral::Kind::Integer || dim.integer < 0)
            fail(path, "malformed header: 'shape' must hold non-negative integers");
        layout.shape.push_back(dim.integer);
    }
    try {
        layout.count = elementCount(layout.shape);
    } catch (const InputError& e) {
        fail(path, e.what());
    }
    const auto itemSize = static_cast<std::uint64_t>(layout.dtype.size);
    if (static_cast<std::uint64_t>(layout.count) >
            std::numeric_limits<std::uint64_t>::max() / itemSize ||
        static_cast<std::uint64_t>(layout.count) >
            std::numeric_limits<std::size_t>::max() / sizeof(float))
        fail(path, "shape " + shapeToString(layout.shape) + " is too large");
    layout.dataOffset = prefix + headerLength;
    const std::uint64_t expected = static_cast<std::uint64_t>(layout.count) * itemSize;
    const std::uint64_t available = size - layout.dataOffset;
    if (available < expected)
        fail(path, "data truncated: shape " + shapeToString(layout.shape) + " of " +
                       layout.dtype.name + " needs " + std::to_string(expected) +
                       " bytes, file has " + std::to_string(available));
    return layout;
}

template <typename T> T loadElement(const unsigned char* bytes, bool swapBytes)
{
    std::array<unsigned char, sizeof(T)> raw;
    std::memcpy(raw.data(), bytes, sizeof(T));
    if (swapBytes)
        std::reverse(raw.begin(), raw.end());
    return std::bit_cast<T>(raw);
}

template <typename T>
void convertAs(const unsigned char* src, std::size_t count, bool swapBytes, float* dst)
{
    for (std::size_t i = 0; i < count; ++i)
        dst[i] = static_cast<float>(loadElement<T>(src + i * sizeof(T), swapBytes));
}

void convert(const NpyDtype& dtype, const unsigned char* src, std::size_t count, float* dst)
{
    const bool swap = dtype.swapBytes;
    switch (dtype.kind) {
    case ElementKind::Float:
        if (dtype.size == 2) {
            for (std::size_t i = 0; i < count; ++i)
                dst[i] = halfToFloat(loadElement<std::uint16_t>(src + 2 * i, swap));
        } else if (dtype.size == 4) {
            convertAs<float>(src, count, swap, dst);
        } else {
            convertAs<double>(src, count, swap, dst);
        }
        return;
    case ElementKind::Signed:
        switch (dtype.size) {
        case 1:
            return convertAs<std::int8_t>(src, count, swap, dst);
        case 2:
            return convertAs<std::int16_t>(src, count, swap, dst);
        case 4:
            return convertAs<std::int32_t>(src, count, swap, dst);
        default:
            return convertAs<std::int64_t>(src, count, swap, dst);
        }
    case ElementKind::Unsigned:
        switch (dtype.size) {
        case 1:
            return convertAs<std::uint8_t>(src, count, swap, dst);
        case 2:
            return convertAs<std::uint16_t>(src, count, swap, dst);
        case 4:
            return convertAs<std::uint32_t>(src, count, swap, dst);
        default:
            return convertAs<std::uint64_t>(src, count, swap, dst);
        }
    case ElementKind::Bool:
        for (std::size_t i = 0; i < count; ++i)
            dst[i] = src[i] != 0 ? 1.0f : 0.0f;
        return;
    }
}

// Fortran order stores the first index fastest; walk the file order with an odometer and
// place each value at its C-order position.
std::vector<float> fortranToC(const Shape& shape, std::span<const float> fortran)
{
    const std::size_t rank = shape.size();
    std::vector<std::int64_t> cStride(rank, 1);
    for (std::size_t k = 1; k < rank; ++k)
        cStride[rank - 1 - k] = cStride[rank - k] * shape[rank - k];
    std::vector<float> c(fortran.size());
    std::vector<std::int64_t> index(rank, 0);
    std::int64_t cOffset = 0;
    for (const float value : fortran) {
        c[static_cast<std::size_t>(cOffset)] = value;
        for (std::size_t k = 0; k < rank; ++k) {
            cOffset += cStride[k];
            if (++index[k] < shape[k])
                break;
            cOffset -= cStride[k] * shape[k];
            index[k] = 0;
        }
    }
    return c;
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

    std::string preamble(kMagic.begin(), kMagic.end());
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
    return {std::move(layout.shape), std::move(layout.dtype.name)};
}

Tensor readNpy(const std::string& path)
{
    const auto file = MappedFile::open(path);
    const NpyLayout layout = readLayout(path, file->bytes());
    const std::string name = std::filesystem::path(path).stem().string();
    const auto count = static_cast<std::size_t>(layout.count);
    const std::byte* data = file->bytes().data() + layout.dataOffset;
    const bool inCOrder = !layout.fortranOrder || layout.shape.size() <= 1;

    // float32 in our byte order and C order is used where it lies in the mapped file.
    if (layout.dtype.kind == ElementKind::Float && layout.dtype.size == 4 &&
        !layout.dtype.swapBytes && inCOrder && count > 0 &&
        reinterpret_cast<std::uintptr_t>(data) % alignof(float) == 0)
        return Tensor(name, layout.shape, file,
                      std::span(reinterpret_cast<const float*>(data), count), layout.dtype.name);

    std::vector<float> values(count);
    convert(layout.dtype, reinterpret_cast<const unsigned char*>(data), count, values.data());
    if (!inCOrder)
        values = fortranToC(layout.shape, values);
    return Tensor(name, layout.shape, std::move(values), layout.dtype.name);
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
