// Which model format a file is: magic bytes first, the extension only where a format has none.
#include "io/format_readers.h"
#include "io/io_error.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace quantscope {

namespace {

bool startsWith(std::string_view text, std::string_view prefix)
{
    return text.substr(0, prefix.size()) == prefix;
}

std::string lowerExtension(const std::string& path)
{
    std::string extension = std::filesystem::path(path).extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return extension;
}

// An 8-byte header length followed by the JSON header's opening brace.
bool looksLikeSafetensors(std::string_view head)
{
    return head.size() >= 9 && head[8] == '{';
}

// ModelProto opens with ir_version (field 1, varint: tag 0x08) and a small version number,
// followed by another ModelProto field of wire type 0 or 2.
bool looksLikeOnnx(std::string_view head)
{
    if (head.size() < 3 || head[0] != 0x08) {
        return false;
    }
    const auto version = static_cast<unsigned char>(head[1]);
    const auto nextTag = static_cast<unsigned char>(head[2]);
    const int field = nextTag >> 3;
    const int wireType = nextTag & 7;
    return version >= 1 && version < 0x80 && field >= 2 && field <= 20 &&
           (wireType == 0 || wireType == 2);
}

// Printable text (numbers, separators, a header row): no control bytes but whitespace.
bool looksLikeText(std::string_view head)
{
    return !head.empty() && std::all_of(head.begin(), head.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte >= 0x20 || byte == '\n' || byte == '\r' || byte == '\t';
    });
}

} // namespace

ModelFormat sniffModelFormat(const std::string& path, std::string_view head)
{
    if (startsWith(head, "\x93NUMPY")) {
        return ModelFormat::Unknown; // a plain .npy is read elsewhere
    }
    if (startsWith(head, "PK\x03\x04") || startsWith(head, "PK\x05\x06")) {
        return ModelFormat::Npz;
    }
    if (startsWith(head, "GGUF")) {
        return ModelFormat::Gguf;
    }
    if (looksLikeSafetensors(head)) {
        return ModelFormat::Safetensors;
    }
    const std::string extension = lowerExtension(path);
    if (extension == ".json" || startsWith(head, "{")) {
        return ModelFormat::SafetensorsIndex;
    }
    if (extension == ".onnx" || looksLikeOnnx(head)) {
        return ModelFormat::Onnx;
    }
    if (extension == ".npz") {
        return ModelFormat::Npz;
    }
    if (extension == ".safetensors") {
        return ModelFormat::Safetensors;
    }
    if (extension == ".gguf") {
        return ModelFormat::Gguf;
    }
    if (extension == ".csv" || extension == ".tsv" || extension == ".txt" || looksLikeText(head)) {
        return ModelFormat::Text;
    }
    return ModelFormat::Unknown;
}

std::unique_ptr<TensorFile> openModelFile(const std::string& path, std::string_view head)
{
    switch (sniffModelFormat(path, head)) {
    case ModelFormat::Unknown:
        return nullptr;
    case ModelFormat::Npz:
        return openNpz(MappedFile::open(path));
    case ModelFormat::Safetensors:
        return openSafetensors(MappedFile::open(path));
    case ModelFormat::SafetensorsIndex:
        return openSafetensorsIndex(MappedFile::open(path));
    case ModelFormat::Onnx:
        return openOnnx(MappedFile::open(path));
    case ModelFormat::Gguf:
        return openGguf(MappedFile::open(path));
    case ModelFormat::Text:
        return openText(MappedFile::open(path));
    }
    return nullptr;
}

std::string siblingPath(const std::string& base, std::string_view relative)
{
    const std::filesystem::path relativePath{std::string(relative)};
    bool escapes = relativePath.empty() || relativePath.is_absolute() ||
                   relativePath.has_root_name() || relative.find('\0') != std::string_view::npos;
    for (const auto& part : relativePath) {
        escapes = escapes || part == "..";
    }
    if (escapes) {
        failFile(base, "refusing path '" + printableName(relative) +
                           "': it must stay inside the file's directory");
    }
    return (std::filesystem::path(base).parent_path() / relativePath).string();
}

} // namespace quantscope
