// `info FILE [--json]`: every tensor of a file with its shape, dtype and value statistics.

#include "arguments.h"
#include "cli_common.h"
#include "commands.h"
#include "json_writer.h"
#include "text_table.h"

#include "quantscope/demo.h"
#include "quantscope/distribution.h"
#include "quantscope/tensor_file.h"

#include <optional>

namespace quantscope::cli {

namespace {

const char* const kHelp =
    R"(usage: quantscope-cli info FILE [--json]

Lists every tensor of FILE (.npy or any format QuantScope reads, or demo:NAME) with its shape,
source dtype, number of finite values (count), number of NaN/Inf values (nonfinite) and the min,
max, mean and population standard deviation of the finite values; then the tensors that cannot
be read (empty, unsupported dtype, inconsistent data, ...), each with the reason.

  --json    print {"file", "tensors": [{"name", "shape", "dtype", "count", "nonfinite",
            "min", "max", "mean", "std"}], "skipped": [{"name", "reason"}]}; statistics are
            null for a tensor without finite values
)";

struct TensorSummary {
    TensorInfo info;
    std::int64_t count = 0;
    std::int64_t nonFinite = 0;
    std::optional<double> min, max, mean, stddev;
};

TensorSummary summarize(const TensorFile& file, const TensorInfo& info)
{
    const Tensor tensor = file.load(info.name);
    const Distribution dist(tensor.values());
    TensorSummary summary{info, dist.count(), dist.nonFiniteCount(), {}, {}, {}, {}};
    if (!dist.empty()) {
        summary.min = dist.min();
        summary.max = dist.max();
        summary.mean = dist.mean();
        summary.stddev = dist.stddev();
    }
    return summary;
}

std::string help()
{
    std::string text = kHelp;
    text += "\ndemo tensors (FILE = demo:NAME):\n";
    for (const auto& demo : demoTensors()) {
        text += "  " + demo.name + " - " + demo.description + "\n";
    }
    text += "\nschemes (for quantize and compare):\n" + schemeHelp();
    return text;
}

} // namespace

void runInfo(const std::vector<std::string>& args, std::ostream& out)
{
    const Arguments arguments("info", args, {{"json"}});
    if (arguments.helpRequested()) {
        out << help();
        return;
    }
    arguments.expectPositional(1, "FILE");
    const std::string& path = arguments.positional()[0];

    const auto file = openTensorFile(path);
    std::vector<TensorSummary> summaries;
    for (const auto& info : file->tensors()) {
        summaries.push_back(summarize(*file, info)); // one tensor in memory at a time
    }

    if (arguments.has("json")) {
        JsonWriter json(out);
        json.beginObject();
        json.member("file", path);
        json.key("tensors");
        json.beginArray();
        for (const auto& s : summaries) {
            json.beginObject();
            json.member("name", s.info.name);
            json.member("shape", s.info.shape);
            json.member("dtype", s.info.dtype);
            json.member("count", s.count);
            json.member("nonfinite", s.nonFinite);
            json.member("min", s.min);
            json.member("max", s.max);
            json.member("mean", s.mean);
            json.member("std", s.stddev);
            json.endObject();
        }
        json.endArray();
        json.key("skipped");
        json.beginArray();
        for (const SkippedTensor& skipped : file->skipped()) {
            json.beginObject();
            json.member("name", skipped.name);
            json.member("reason", skipped.reason);
            json.endObject();
        }
        json.endArray();
        json.endObject();
        return;
    }

    out << path << ": " << summaries.size() << (summaries.size() == 1 ? " tensor" : " tensors")
        << "\n";
    TextTable table({"name", "shape", "dtype", "count", "nonfinite", "min", "max", "mean", "std"});
    for (const auto& s : summaries) {
        table.addRow({s.info.name, shapeToString(s.info.shape), s.info.dtype,
                      std::to_string(s.count), std::to_string(s.nonFinite), formatNumber(s.min),
                      formatNumber(s.max), formatNumber(s.mean), formatNumber(s.stddev)});
    }
    table.print(out);
    const auto& skipped = file->skipped();
    if (!skipped.empty()) {
        out << "skipped " << skipped.size() << (skipped.size() == 1 ? " tensor" : " tensors")
            << ":\n";
        for (const SkippedTensor& tensor : skipped) {
            out << "  " << tensor.name << ": " << tensor.reason << "\n";
        }
    }
}

} // namespace quantscope::cli
