#include "quantscope/tensor_file.h"

#include "io/format_readers.h"

#include "quantscope/demo.h"
#include "quantscope/errors.h"
#include "quantscope/npy.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace quantscope {

namespace {

constexpr std::string_view kDemoPrefix = "demo:";
constexpr std::string_view kNpyMagic = "\x93NUMPY";
// Error messages list at most this many tensor names; models can hold thousands.
constexpr std::size_t kMaxListedNames = 20;

std::string listNames(const std::vector<TensorInfo>& tensors)
{
    std::string text;
    for (std::size_t i = 0; i < tensors.size() && i < kMaxListedNames; ++i)
        text += (i > 0 ? ", " : "") + tensors[i].name;
    if (tensors.size() > kMaxListedNames)
        text += ", ... and " + std::to_string(tensors.size() - kMaxListedNames) + " more";
    return text;
}

// Shared by the single-tensor formats: one listed tensor, loaded by `loadOnly`.
class SingleTensorFile : public TensorFile {
public:
    SingleTensorFile(std::string path, TensorInfo info)
        : m_path(std::move(path))
        , m_tensors{std::move(info)}
    {
    }

    const std::string& path() const override { return m_path; }
    const std::vector<TensorInfo>& tensors() const override { return m_tensors; }

    Tensor load(const std::string& name) const override
    {
        if (name != m_tensors.front().name)
            throw UsageError(m_path + ": no tensor '" + name +
                             "' (tensors: " + listNames(m_tensors) + ")");
        return loadOnly();
    }

protected:
    virtual Tensor loadOnly() const = 0;

private:
    std::string m_path;
    std::vector<TensorInfo> m_tensors;
};

// A built-in demo tensor, generated once when opened (it is small).
class DemoFile : public SingleTensorFile {
public:
    DemoFile(const std::string& path, Tensor tensor)
        : SingleTensorFile(path, {tensor.name(), tensor.shape(), "float32"})
        , m_tensor(std::move(tensor))
    {
    }

protected:
    Tensor loadOnly() const override { return m_tensor; }

private:
    Tensor m_tensor;
};

class NpyFile : public SingleTensorFile {
public:
    NpyFile(const std::string& path, NpyHeader header)
        : SingleTensorFile(path, {std::filesystem::path(path).stem().string(),
                                  std::move(header.shape), std::move(header.dtype)})
    {
    }

protected:
    Tensor loadOnly() const override { return readNpy(path()); }
};

std::unique_ptr<TensorFile> openDemo(const std::string& path)
{
    const std::string name(std::string_view(path).substr(kDemoPrefix.size()));
    try {
        return std::make_unique<DemoFile>(path, makeDemoTensor(name));
    } catch (const UsageError& e) {
        // The user named a file that does not exist, just as with a missing path.
        throw InputError(path + ": " + e.what());
    }
}

// The first bytes of the file, enough to recognise every supported format by its magic.
std::string readSignature(const std::string& path)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw InputError(path + ": cannot open (is a directory)");
    errno = 0;
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr)
        throw InputError(path + ": cannot open (" + std::strerror(errno) + ")");
    std::array<char, 16> bytes{};
    const std::size_t got = std::fread(bytes.data(), 1, bytes.size(), file);
    const bool failed = std::ferror(file) != 0;
    const int error = errno;
    std::fclose(file);
    if (failed)
        throw InputError(path + ": cannot open (" + std::strerror(error) + ")");
    return std::string(bytes.data(), got);
}

bool hasExtension(const std::string& path, std::string_view extension)
{
    std::string actual = std::filesystem::path(path).extension().string();
    std::transform(actual.begin(), actual.end(), actual.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return actual == extension;
}

} // namespace

const std::vector<SkippedTensor>& TensorFile::skipped() const
{
    static const std::vector<SkippedTensor> kNone;
    return kNone;
}

std::unique_ptr<TensorFile> openTensorFile(const std::string& path)
{
    if (path.starts_with(kDemoPrefix))
        return openDemo(path);

    const std::string signature = readSignature(path);
    // A .npy-named file with a bad signature still goes to the .npy reader, whose error says
    // precisely what is wrong with it.
    if (signature.starts_with(kNpyMagic) || hasExtension(path, ".npy"))
        return std::make_unique<NpyFile>(path, readNpyHeader(path));
    if (auto file = openModelFile(path, signature))
        return file;

    throw InputError(path + ": unrecognised file format (" +
                     (signature.empty() ? std::string("empty file; ") : std::string()) +
                     "supported: .npy, .npz, .safetensors, .gguf, .onnx, text, demo:NAME)");
}

void requireReadableTensors(const TensorFile& file)
{
    if (!file.tensors().empty())
        return;
    const auto& skipped = file.skipped();
    if (skipped.empty())
        throw InputError(file.path() + ": holds no tensors");
    throw InputError(file.path() + ": holds no readable tensors (" +
                     std::to_string(skipped.size()) + " skipped, first: " + skipped.front().name +
                     ": " + skipped.front().reason + ")");
}

const TensorInfo& pickTensor(const TensorFile& file, const std::string& name)
{
    const std::vector<TensorInfo>& tensors = file.tensors();
    if (!name.empty()) {
        const auto it = std::find_if(tensors.begin(), tensors.end(),
                                     [&](const TensorInfo& info) { return info.name == name; });
        if (it == tensors.end()) {
            for (const SkippedTensor& skipped : file.skipped()) {
                if (skipped.name == name)
                    throw InputError(file.path() + ": tensor '" + name + "': " + skipped.reason);
            }
            throw UsageError(file.path() + ": no tensor '" + name +
                             "' (tensors: " + listNames(tensors) + ")");
        }
        return *it;
    }
    requireReadableTensors(file);
    if (tensors.size() > 1)
        throw UsageError(file.path() + ": holds " + std::to_string(tensors.size()) +
                         " tensors, name one of: " + listNames(tensors));
    return tensors.front();
}

} // namespace quantscope
