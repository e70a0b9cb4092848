#pragma once

// The .npy format, shared by .npy files and the members of .npz archives (which are .npy files):
// the preamble and header, and the conversion of the data to float32 in C order. Failures throw
// InputError whose message is the problem alone; the caller prefixes the file (or the file and
// member) it read, as for parsePyLiteral.

#include "quantscope/tensor.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace quantscope {

inline constexpr std::string_view kNpyMagic{"\x93NUMPY", 6};
// The longest preamble (magic, version, header length): enough for npyDataOffset.
inline constexpr std::size_t kNpyPreambleBytes = 12;

enum class NpyKind { Float, Signed, Unsigned, Bool };

struct NpyDtype {
    NpyKind kind = NpyKind::Float;
    int size = 4;           // bytes per element
    bool swapBytes = false; // stored in the byte order opposite to ours
    std::string name;       // numpy's name: "float32", "int16", ...
};

struct NpyLayout {
    Shape shape;
    std::string descr;             // the dtype as written, e.g. "<f4"
    std::optional<NpyDtype> dtype; // empty for a dtype that cannot be read as numbers
    bool fortranOrder = false;
    std::int64_t count = 0;
    std::uint64_t dataOffset = 0; // preamble and header bytes before the values
    std::uint64_t dataBytes = 0;  // count * element size; 0 when the dtype is unsupported
};

// Where the values start (preamble plus header length), from the first bytes of an array (up to
// kNpyPreambleBytes; fewer when the array is shorter). Checks the magic and the version.
std::uint64_t npyDataOffset(std::span<const std::byte> start);

// Parses the preamble and header at the start of `bytes`, which must hold the whole header. The
// shape is checked to fit in memory as float32 and, for a supported dtype, in bytes.
NpyLayout parseNpyHeader(std::span<const std::byte> bytes);

// The dtype, or an "unsupported dtype" error for one that cannot be converted.
const NpyDtype& supportedDtype(const NpyLayout& layout);

// The values (the first layout.dataBytes bytes of `data`) as float32 in C order. float32 in our
// byte order and in C order is viewed in place when aligned, kept alive by `owner`; anything else
// is converted into a new buffer.
Tensor npyTensor(std::string name, const NpyLayout& layout, std::span<const std::byte> data,
                 std::shared_ptr<const void> owner);

// The values converted to T (float or double) in C order, always into a new buffer.
template <typename T>
std::vector<T> npyValues(const NpyLayout& layout, std::span<const std::byte> data);

} // namespace quantscope
