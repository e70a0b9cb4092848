#include "quantscope/npy.h"

#include "io/mapped_file.h"
#include "io/npy_format.h"
#include "quantscope/errors.h"

#include <filesystem>
#include <memory>

namespace quantscope {

namespace {

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

} // namespace quantscope
