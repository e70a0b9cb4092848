#include "io/npy_format.h"

#include "io/float16.h"
#include "io/io_error.h"
#include "io/py_literal.h"
#include "quantscope/errors.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <vector>

namespace quantscope {

namespace {

[[noreturn]] void fail(const std::string& problem)
{
    throw InputError(problem);
}

std::uint32_t littleEndian(const unsigned char* bytes, int count)
{
    std::uint32_t value = 0;
    for (int i = count - 1; i >= 0; --i)
        value = (value << 8) | bytes[i];
    return value;
}

std::optional<NpyDtype> parseDescr(const std::string& descr)
{
    std::size_t pos = 0;
    char order = '|';
    if (!descr.empty() && std::string_view("<>=|").find(descr[0]) != std::string_view::npos)
        order = descr[pos++];
    const std::string_view code = std::string_view(descr).substr(pos);

    struct Known {
        std::string_view code;
        NpyKind kind;
        int size;
        const char* name;
    };
    static constexpr std::array<Known, 13> kKnown = {{
        {"f2", NpyKind::Float, 2, "float16"},
        {"f4", NpyKind::Float, 4, "float32"},
        {"f8", NpyKind::Float, 8, "float64"},
        {"i1", NpyKind::Signed, 1, "int8"},
        {"i2", NpyKind::Signed, 2, "int16"},
        {"i4", NpyKind::Signed, 4, "int32"},
        {"i8", NpyKind::Signed, 8, "int64"},
        {"u1", NpyKind::Unsigned, 1, "uint8"},
        {"u2", NpyKind::Unsigned, 2, "uint16"},
        {"u4", NpyKind::Unsigned, 4, "uint32"},
        {"u8", NpyKind::Unsigned, 8, "uint64"},
        {"b1", NpyKind::Bool, 1, "bool"},
        {"?", NpyKind::Bool, 1, "bool"},
    }};
    const auto known =
        std::find_if(kKnown.begin(), kKnown.end(), [&](const Known& k) { return k.code == code; });
    if (known == kKnown.end())
        return std::nullopt;

    // '=' and '|' mean the writer's native order; like numpy, take that to be ours.
    const bool fileLittle =
        order == '<' || (order != '>' && std::endian::native == std::endian::little);
    return NpyDtype{known->kind, known->size,
                    known->size > 1 && fileLittle != (std::endian::native == std::endian::little),
                    known->name};
}

std::string describeDescr(const PyLiteral& descr)
{
    return descr.kind == PyLiteral::Kind::Sequence ? "unsupported dtype (structured array)"
                                                   : "'descr' in the header is not a string";
}

template <typename T> T loadElement(const unsigned char* bytes, bool swapBytes)
{
    std::array<unsigned char, sizeof(T)> raw;
    std::memcpy(raw.data(), bytes, sizeof(T));
    if (swapBytes)
        std::reverse(raw.begin(), raw.end());
    return std::bit_cast<T>(raw);
}

template <typename T, typename Out>
void convertAs(const unsigned char* src, std::size_t count, bool swapBytes, Out* dst)
{
    for (std::size_t i = 0; i < count; ++i)
        dst[i] = static_cast<Out>(loadElement<T>(src + i * sizeof(T), swapBytes));
}

template <typename Out>
void convert(const NpyDtype& dtype, const unsigned char* src, std::size_t count, Out* dst)
{
    const bool swap = dtype.swapBytes;
    switch (dtype.kind) {
    case NpyKind::Float:
        if (dtype.size == 2) {
            for (std::size_t i = 0; i < count; ++i)
                dst[i] =
                    static_cast<Out>(halfToFloat(loadElement<std::uint16_t>(src + 2 * i, swap)));
        } else if (dtype.size == 4) {
            convertAs<float>(src, count, swap, dst);
        } else {
            convertAs<double>(src, count, swap, dst);
        }
        return;
    case NpyKind::Signed:
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
    case NpyKind::Unsigned:
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
    case NpyKind::Bool:
        for (std::size_t i = 0; i < count; ++i)
            dst[i] = src[i] != 0 ? Out(1) : Out(0);
        return;
    }
}

// Fortran order stores the first index fastest; walk the file order with an odometer and
// place each value at its C-order position.
template <typename T> std::vector<T> fortranToC(const Shape& shape, std::span<const T> fortran)
{
    const std::size_t rank = shape.size();
    std::vector<std::int64_t> cStride(rank, 1);
    for (std::size_t k = 1; k < rank; ++k)
        cStride[rank - 1 - k] = cStride[rank - k] * shape[rank - k];
    std::vector<T> c(fortran.size());
    std::vector<std::int64_t> index(rank, 0);
    std::int64_t cOffset = 0;
    for (const T value : fortran) {
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

struct Preamble {
    std::uint64_t headerStart = 0; // magic, version and header length come first
    std::uint64_t headerLength = 0;
};

Preamble readPreamble(std::span<const std::byte> start)
{
    const auto* bytes = reinterpret_cast<const unsigned char*>(start.data());
    const std::uint64_t size = start.size();
    if (size == 0)
        fail("not a .npy file (empty file)");
    if (std::memcmp(bytes, kNpyMagic.data(), std::min(start.size(), kNpyMagic.size())) != 0)
        fail("not a .npy file (bad magic, expected \\x93NUMPY)");
    if (size < 8)
        fail("header truncated (file ends in the preamble)");
    const int major = bytes[6];
    const int minor = bytes[7];
    if ((major != 1 && major != 2 && major != 3) || minor != 0)
        fail("unsupported .npy format version " + std::to_string(major) + "." +
             std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)");
    // Version 1 stores the header length in 2 bytes, versions 2 and 3 in 4.
    const int lengthBytes = major == 1 ? 2 : 4;
    const std::uint64_t headerStart = 8 + static_cast<std::uint64_t>(lengthBytes);
    if (size < headerStart)
        fail("header truncated (file ends in the preamble)");
    return {headerStart, littleEndian(bytes + 8, lengthBytes)};
}

} // namespace

std::uint64_t npyDataOffset(std::span<const std::byte> start)
{
    const Preamble preamble = readPreamble(start);
    return preamble.headerStart + preamble.headerLength;
}

NpyLayout parseNpyHeader(std::span<const std::byte> bytes)
{
    const auto [prefix, headerLength] = readPreamble(bytes);
    if (headerLength > bytes.size() - prefix)
        fail("header truncated (says " + std::to_string(headerLength) + " bytes, file has " +
             std::to_string(bytes.size() - prefix) + ")");

    const std::string_view headerText(reinterpret_cast<const char*>(bytes.data() + prefix),
                                      static_cast<std::size_t>(headerLength));
    PyLiteral header;
    try {
        header = parsePyLiteral(headerText);
    } catch (const InputError& e) {
        fail(std::string("malformed header: ") + e.what());
    }
    if (header.kind != PyLiteral::Kind::Dict)
        fail("malformed header: not a dict");

    const PyLiteral* descr = header.find("descr");
    const PyLiteral* fortran = header.find("fortran_order");
    const PyLiteral* shape = header.find("shape");
    for (const auto& [key, value] : {std::pair{"descr", descr}, std::pair{"fortran_order", fortran},
                                     std::pair{"shape", shape}}) {
        if (value == nullptr)
            fail(std::string("malformed header: no '") + key + "' key");
    }
    if (descr->kind != PyLiteral::Kind::String)
        fail(describeDescr(*descr));
    if (fortran->kind != PyLiteral::Kind::Boolean)
        fail("malformed header: 'fortran_order' is not True or False");
    if (shape->kind != PyLiteral::Kind::Sequence)
        fail("malformed header: 'shape' is not a tuple");

    NpyLayout layout;
    layout.descr = descr->text;
    layout.dtype = parseDescr(descr->text);
    layout.fortranOrder = fortran->boolean;
    for (const PyLiteral& dim : shape->items) {
        if (dim.kind != PyLiteral::Kind::Integer || dim.integer < 0)
            fail("malformed header: 'shape' must hold non-negative integers");
        layout.shape.push_back(dim.integer);
    }
    layout.count = elementCount(layout.shape);
    // Checked before anything is allocated for the values: the count as float32, and in bytes.
    const auto count = static_cast<std::uint64_t>(layout.count);
    const auto itemSize = static_cast<std::uint64_t>(layout.dtype ? layout.dtype->size : 1);
    if (count > std::numeric_limits<std::uint64_t>::max() / itemSize ||
        count > std::numeric_limits<std::size_t>::max() / sizeof(float))
        fail("shape " + shapeToString(layout.shape) + " is too large");
    layout.dataOffset = prefix + headerLength;
    layout.dataBytes = layout.dtype ? count * itemSize : 0;
    return layout;
}

const NpyDtype& supportedDtype(const NpyLayout& layout)
{
    if (!layout.dtype)
        fail("unsupported dtype '" + printableName(layout.descr) +
             "' (supported: float16/32/64, int8-64, uint8-64, bool)");
    return *layout.dtype;
}

Tensor npyTensor(std::string name, const NpyLayout& layout, std::span<const std::byte> data,
                 std::shared_ptr<const void> owner)
{
    const NpyDtype& dtype = supportedDtype(layout);
    if (data.size() < layout.dataBytes)
        fail("data truncated: needs " + std::to_string(layout.dataBytes) + " bytes, has " +
             std::to_string(data.size()));
    const auto count = static_cast<std::size_t>(layout.count);
    const bool inCOrder = !layout.fortranOrder || layout.shape.size() <= 1;

    if (dtype.kind == NpyKind::Float && dtype.size == 4 && !dtype.swapBytes && inCOrder &&
        count > 0 && reinterpret_cast<std::uintptr_t>(data.data()) % alignof(float) == 0)
        return Tensor(std::move(name), layout.shape, std::move(owner),
                      std::span(reinterpret_cast<const float*>(data.data()), count), dtype.name);

    return Tensor(std::move(name), layout.shape, npyValues<float>(layout, data), dtype.name);
}

template <typename T>
std::vector<T> npyValues(const NpyLayout& layout, std::span<const std::byte> data)
{
    const NpyDtype& dtype = supportedDtype(layout);
    if (data.size() < layout.dataBytes)
        fail("data truncated: needs " + std::to_string(layout.dataBytes) + " bytes, has " +
             std::to_string(data.size()));
    std::vector<T> values(static_cast<std::size_t>(layout.count));
    convert(dtype, reinterpret_cast<const unsigned char*>(data.data()), values.size(),
            values.data());
    if (layout.fortranOrder && layout.shape.size() > 1)
        values = fortranToC(layout.shape, std::span<const T>(values));
    return values;
}

template std::vector<float> npyValues(const NpyLayout&, std::span<const std::byte>);
template std::vector<double> npyValues(const NpyLayout&, std::span<const std::byte>);

} // namespace quantscope
