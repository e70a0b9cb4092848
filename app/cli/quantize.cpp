// `quantize FILE --scheme ID ...`: one tensor through one scheme: codebook, metrics, exports.

#include "arguments.h"
#include "cli_common.h"
#include "commands.h"
#include "json_writer.h"
#include "report.h"
#include "text_table.h"

#include "quantscope/apply_to_npy.h"
#include "quantscope/errors.h"
#include "quantscope/npy.h"
#include "quantscope/quantize.h"

#include <algorithm>
#include <filesystem>

namespace quantscope::cli {

namespace {

const char* const kHelp =
    R"(usage: quantscope-cli quantize FILE [--tensor NAME] --scheme ID [--bits B] [--levels L]
               [--step S] [--set NAME=VALUE]... [--per-channel AXIS | --group-size G]
               [--dequant-out OUT.npy] [--codes-out OUT.npy] [--json]

Designs the scheme's codebook for one tensor of FILE (or demo:NAME) and reports the codebook and
its exact error metrics over the tensor's finite values.

  --tensor NAME        the tensor to use (needed when the file holds several)
  --scheme ID          the quantization scheme (see below)
  --bits B, --levels L, --step S
                       the scheme's bit width, number of levels or step
  --set NAME=VALUE     any other scheme parameter (a choice by index or name); repeatable
  --per-channel AXIS   one codebook per index along AXIS (negative counts from the end)
  --group-size G       one codebook per G consecutive elements along the last axis
                       (block-scaled schemes such as mx and nvfp4 bring their own blocks)
  --dequant-out FILE   write the dequantized tensor (float32, same shape) as .npy
  --codes-out FILE     write the integer codes or level indices (int32, same shape) as .npy
  --json               print {"tensor", "scheme", "params", "bpw", "codebook" (or
                       "codebooks", or for block-scaled schemes "block_size", "block_count",
                       "block_scales"), "metrics"}

Output files are written only when everything else succeeded, each atomically.

schemes:
)";

const char* const kOptionsForParams[] = {"bits", "levels", "step"};

// The --set value: a number, or for a choice parameter one of its choices, written in full or
// by the word before its colon ("arithmetic" for "arithmetic: nearest value").
double setValue(const Scheme& scheme, const std::string& name, const std::string& text)
{
    for (const auto& spec : scheme.paramSpecs()) {
        if (spec.name != name || spec.kind != ParamKind::Choice) {
            continue;
        }
        for (std::size_t i = 0; i < spec.choices.size(); ++i) {
            const std::string& choice = spec.choices[i];
            if (choice == text || choice.substr(0, choice.find(':')) == text) {
                return static_cast<double>(i);
            }
        }
    }
    return parseReal(text, "--set " + name);
}

Params paramsFromArguments(const Arguments& arguments, const Scheme& scheme)
{
    Params params;
    for (const char* option : kOptionsForParams) {
        if (const auto text = arguments.value(option)) {
            params.set(option, parseReal(*text, std::string("--") + option));
        }
    }
    for (const auto& assignment : arguments.values("set")) {
        const auto equals = assignment.find('=');
        if (equals == std::string::npos || equals == 0) {
            throw UsageError("quantize: --set expects NAME=VALUE, got '" + assignment + "'");
        }
        const std::string name = assignment.substr(0, equals);
        params.set(name, setValue(scheme, name, assignment.substr(equals + 1)));
    }
    return params;
}

// A granularity the tensor cannot take is a usage error naming the option.
void checkGranularity(const Arguments& arguments, const Granularity& granularity,
                      const Shape& shape)
{
    try {
        SliceLayout::forGranularity(shape, granularity);
    } catch (const UsageError& e) {
        const std::string option =
            granularity.kind == Granularity::Kind::PerChannel ? "per-channel" : "group-size";
        throw UsageError("--" + option + " " + arguments.value(option).value_or("") + ": " +
                         e.what());
    }
}

// Writes both exports, streaming the codes and dequantized values of a single codebook as they
// are computed. When the second commit fails, the first file is removed if this run created it,
// so a failed command leaves no new file behind.
void writeOutputs(const Tensor& tensor, const QuantizedTensor& quantized,
                  const std::optional<std::string>& dequantOut,
                  const std::optional<std::string>& codesOut)
{
    namespace fs = std::filesystem;
    std::optional<NpyWriter> dequantized;
    std::optional<NpyWriter> codes;
    if (dequantOut) {
        dequantized.emplace(*dequantOut, tensor.shape(), NpyWriter::Type::Float32);
    }
    if (codesOut) {
        codes.emplace(*codesOut, tensor.shape(), NpyWriter::Type::Int32);
    }
    if (quantized.applied) {
        if (dequantized) {
            dequantized->append(std::span<const float>(quantized.applied->dequantized));
        }
        if (codes) {
            codes->append(std::span<const std::int32_t>(quantized.applied->codes));
        }
    } else {
        appendAppliedCodebook(tensor.values(), *quantized.codebook,
                              dequantized ? &*dequantized : nullptr, codes ? &*codes : nullptr);
    }

    std::optional<std::string> created;
    if (dequantized) {
        std::error_code error;
        const bool existed = fs::exists(*dequantOut, error);
        dequantized->commit();
        if (!existed) {
            created = dequantOut;
        }
    }
    if (codes) {
        try {
            codes->commit();
        } catch (...) {
            if (created) {
                std::error_code error;
                fs::remove(*created, error);
            }
            throw;
        }
    }
}

std::string listText(const std::vector<double>& values)
{
    constexpr std::size_t kShownAtEachEnd = 8;
    std::string text;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (values.size() > 2 * kShownAtEachEnd && i == kShownAtEachEnd) {
            text += " ...";
            i = values.size() - kShownAtEachEnd;
        }
        if (!text.empty()) {
            text += ' ';
        }
        text += formatNumber(values[i]);
    }
    return text.empty() ? std::string("(none)") : text;
}

void printText(std::ostream& out, const Tensor& tensor, const Scheme& scheme,
               const QuantizedTensor& quantized)
{
    out << "tensor      " << tensor.name() << "  shape " << shapeToString(tensor.shape()) << "  "
        << tensor.sourceDtype() << "  " << quantized.metrics.count << " finite values";
    if (quantized.nonFinite > 0) {
        out << " (" << quantized.nonFinite << " NaN/Inf excluded)";
    }
    out << "\n";
    out << "scheme      " << scheme.id() << " - " << scheme.displayName() << "\n";
    out << "params      " << paramsText(scheme, quantized.params) << "\n";
    out << "bpw         " << formatNumber(quantized.bitsPerWeight, 8)
        << " bits per value (codes, scales and tables)\n";
    if (quantized.codebook) {
        const Codebook& codebook = *quantized.codebook;
        out << "levels      " << codebook.levelCount() << ": " << listText(codebook.levels) << "\n";
        out << "thresholds  " << listText(codebook.thresholds) << "\n";
        if (codebook.linear) {
            out << "linear      scale " << formatNumber(codebook.linear->scale, 9)
                << "  zero_point " << codebook.linear->zeroPoint << "  q in ["
                << codebook.linear->qmin << ", " << codebook.linear->qmax << "]\n";
        }
    } else if (quantized.layout) {
        const SliceLayout& layout = *quantized.layout;
        if (scheme.asBlockScheme() != nullptr) {
            out << "blocks      " << layout.sliceCount() << " of " << layout.groupSize()
                << " along the last axis, each with its own scale\n";
        } else {
            out << "codebooks   " << layout.sliceCount() << " (" << layout.describe() << ")\n";
        }
        for (const auto& [name, value] : quantized.designNumbers) {
            out << "design      " << name << " " << formatNumber(value, 9) << "\n";
        }
    }
    TextTable table({"metrics", ""});
    const auto cells = metricTextCells(quantized.metrics);
    for (std::size_t i = 0; i < cells.size(); ++i) {
        table.addRow({"  " + metricColumns()[i], cells[i]});
    }
    table.print(out);
}

void printJson(std::ostream& out, const Tensor& tensor, const Scheme& scheme,
               const Granularity& granularity, const QuantizedTensor& quantized)
{
    JsonWriter json(out);
    json.beginObject();
    json.member("tensor", tensor.name());
    json.member("scheme", scheme.id());
    json.key("params");
    writeParams(json, quantized.params);
    json.member("bpw", quantized.bitsPerWeight);
    if (quantized.codebook) {
        json.key("codebook");
        writeCodebook(json, *quantized.codebook);
    } else if (scheme.asBlockScheme() != nullptr) {
        json.member("block_size", quantized.layout->groupSize());
        json.member("block_count", quantized.layout->sliceCount());
        std::vector<double> scales;
        scales.reserve(quantized.blocks.size());
        for (const BlockInfo& block : quantized.blocks) {
            scales.push_back(block.scale);
        }
        json.member("block_scales", std::span<const double>(scales));
        if (!quantized.designNumbers.empty()) {
            json.key("design");
            json.beginObject();
            for (const auto& [name, value] : quantized.designNumbers) {
                json.member(name, value);
            }
            json.endObject();
        }
    } else {
        if (granularity.kind == Granularity::Kind::PerChannel) {
            json.member("per_channel", quantized.layout->axis());
        } else {
            json.member("group_size", quantized.layout->groupSize());
        }
        json.key("codebooks");
        json.beginArray();
        for (const auto& codebook : quantized.codebooks) {
            writeCodebook(json, codebook);
        }
        json.endArray();
    }
    json.key("metrics");
    json.beginObject();
    writeMetricsMembers(json, quantized.metrics);
    json.endObject();
    json.endObject();
}

} // namespace

void runQuantize(const std::vector<std::string>& args, std::ostream& out)
{
    const Arguments arguments("quantize", args,
                              {{"tensor", true},
                               {"scheme", true},
                               {"bits", true},
                               {"levels", true},
                               {"step", true},
                               {"set", true, true},
                               {"per-channel", true},
                               {"group-size", true},
                               {"dequant-out", true},
                               {"codes-out", true},
                               {"json"}});
    if (arguments.helpRequested()) {
        out << kHelp << schemeHelp();
        return;
    }
    arguments.expectPositional(1, "FILE");
    arguments.exclusive({"per-channel", "group-size"});
    const std::string& path = arguments.positional()[0];
    const auto schemeId = arguments.value("scheme");
    if (!schemeId) {
        throw UsageError("quantize: --scheme is required (schemes: " + joinNames(schemeIds()) +
                         ")");
    }
    const Scheme& scheme = schemeById(*schemeId);
    const Params given = paramsFromArguments(arguments, scheme);
    scheme.resolve(given); // bad parameters fail before any file is read
    const auto granularity = granularityFromArguments(arguments);
    const auto dequantOut = arguments.value("dequant-out");
    const auto codesOut = arguments.value("codes-out");
    std::vector<std::string> outputs;
    for (const auto& output : {dequantOut, codesOut}) {
        if (output) {
            outputs.push_back(*output);
        }
    }
    checkOutputPaths("quantize", path, outputs);

    const Tensor tensor = loadTensor(path, arguments.value("tensor").value_or(""));
    checkGranularity(arguments, granularity, tensor.shape());
    const bool json = arguments.has("json");
    QuantizeOptions options;
    options.granularity = granularity;
    options.keepCodebooks = json;
    options.keepBlocks = json && scheme.asBlockScheme() != nullptr;
    // One codebook for the tensor is applied while the outputs are written, in steps; a block
    // or per-slice pass gives its codes and values as it runs.
    const bool oneCodebook = granularity.isPerTensor() && scheme.asBlockScheme() == nullptr;
    options.apply = !outputs.empty() && !oneCodebook;
    const QuantizedTensor quantized = quantizeTensor(tensor, scheme, given, options);
    if (!outputs.empty()) {
        writeOutputs(tensor, quantized, dequantOut, codesOut);
    }

    if (json) {
        printJson(out, tensor, scheme, granularity, quantized);
        return;
    }
    printText(out, tensor, scheme, quantized);
    if (dequantOut) {
        out << "wrote       " << *dequantOut << " (dequantized, float32)\n";
    }
    if (codesOut) {
        out << "wrote       " << *codesOut << " (codes, int32)\n";
    }
}

} // namespace quantscope::cli
