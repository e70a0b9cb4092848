// `export FILE [--tensor NAME] --out OUT.npy`: one tensor's values as a float32 .npy.

#include "arguments.h"
#include "cli_common.h"
#include "commands.h"

#include "quantscope/errors.h"
#include "quantscope/npy.h"

namespace quantscope::cli {

namespace {

const char* const kHelp =
    R"(usage: quantscope-cli export FILE [--tensor NAME] --out OUT.npy

Writes one tensor of FILE (any format QuantScope reads, or demo:NAME) as a float32 .npy file in
its shape: the values QuantScope works on, so quantized storage (GGUF block types, ONNX
DequantizeLinear weights, float8, ...) is written dequantized. OUT.npy is written atomically:
on any error nothing is left behind and an existing file is untouched.

  --tensor NAME   the tensor (required when FILE holds several)
  --out OUT.npy   the file to write
)";

} // namespace

void runExport(const std::vector<std::string>& args, std::ostream& out)
{
    const Arguments arguments("export", args, {{"tensor", true}, {"out", true}});
    if (arguments.helpRequested()) {
        out << kHelp;
        return;
    }
    arguments.expectPositional(1, "FILE");
    const auto output = arguments.value("out");
    if (!output) {
        throw UsageError("export: --out OUT.npy is required");
    }
    const std::string& path = arguments.positional()[0];
    checkOutputPaths("export", path, {*output});
    const Tensor tensor = loadTensor(path, arguments.value("tensor").value_or(""));
    writeNpy(*output, tensor.shape(), tensor.values());
    out << "wrote " << *output << ": " << tensor.name() << " " << shapeToString(tensor.shape())
        << " float32 (stored as " << tensor.sourceDtype() << ")\n";
}

} // namespace quantscope::cli
