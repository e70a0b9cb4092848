// One reader on arbitrary bytes: opening and loading every listed tensor may throw InputError,
// and nothing else may happen (no crash, sanitizer report, other exception or huge allocation).
#include "io/format_readers.h"
#include "quantscope/errors.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace {

using quantscope::openGguf;
using quantscope::openNpz;
using quantscope::openOnnx;
using quantscope::openSafetensors;
using quantscope::openText;

const auto open_npz = openNpz;
const auto open_safetensors = openSafetensors;
const auto open_onnx = openOnnx;
const auto open_gguf = openGguf;
const auto open_text = openText;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto* bytes = reinterpret_cast<const std::byte*>(data);
    // A directory that does not exist: external data and shards cannot be opened.
    auto file = quantscope::MappedFile::fromBuffer("/nonexistent/" QUANTSCOPE_FUZZ_NAME,
                                                   std::vector<std::byte>(bytes, bytes + size));
    try {
        const auto opened = QUANTSCOPE_FUZZ_OPEN(file);
        for (const auto& info : opened->tensors()) {
            try {
                opened->load(info.name);
            } catch (const quantscope::InputError&) {
            }
        }
    } catch (const quantscope::InputError&) {
    }
    return 0;
}
