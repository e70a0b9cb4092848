#pragma once

#include "io/mapped_file.h"
#include "quantscope/tensor_file.h"

#include <memory>
#include <string>
#include <string_view>

namespace quantscope {

// The model formats besides .npy, chosen by content first and by extension second.
enum class ModelFormat { Unknown, Npz, Safetensors, SafetensorsIndex, Onnx, Gguf, Text };

// `head` is the start of the file (any length; 16 bytes or more decide best).
ModelFormat sniffModelFormat(const std::string& path, std::string_view head);

// Opens `path` when it is one of the formats above; nullptr when it is none of them (so the
// caller can try others or report an unknown format). Throws InputError on bad content.
std::unique_ptr<TensorFile> openModelFile(const std::string& path, std::string_view head);

// The readers, on bytes already mapped (tests and fuzzers pass in-memory buffers).
std::unique_ptr<TensorFile> openNpz(std::shared_ptr<const MappedFile> file);
std::unique_ptr<TensorFile> openSafetensors(std::shared_ptr<const MappedFile> file);
// model.safetensors.index.json: shards are opened next to it; a shard path may not leave the
// index's directory.
std::unique_ptr<TensorFile> openSafetensorsIndex(std::shared_ptr<const MappedFile> file);
std::unique_ptr<TensorFile> openOnnx(std::shared_ptr<const MappedFile> file);
std::unique_ptr<TensorFile> openGguf(std::shared_ptr<const MappedFile> file);
std::unique_ptr<TensorFile> openText(std::shared_ptr<const MappedFile> file);

// A path next to `base` (a file): `relative` must not be absolute nor contain a ".." part.
// Throws InputError naming `base` otherwise.
std::string siblingPath(const std::string& base, std::string_view relative);

} // namespace quantscope
