// `compare FILE ...`: every scheme (or a chosen few) at every bit width of a range, on one tensor.

#include "arguments.h"
#include "cli_common.h"
#include "commands.h"
#include "json_writer.h"
#include "report.h"
#include "text_table.h"

#include "quantscope/distribution.h"
#include "quantscope/errors.h"
#include "quantscope/metrics.h"
#include "quantscope/quantize.h"
#include "quantscope/scheme.h"

#include <iostream>
#include <optional>

namespace quantscope::cli {

namespace {

const char* const kHelp =
    R"(usage: quantscope-cli compare FILE [--tensor NAME] [--bits 2-8] [--schemes a,b,...]
               [--json | --csv]

Designs every scheme (or those named by --schemes) at every bit width of the range on one tensor
of FILE (or demo:NAME) and reports the exact metrics of each and its storage in bits per value
(bpw: codes plus scales, zero points or tables). The tensor is sorted once; block-scaled schemes
(mx, nvfp4) run one pass over it per row, at their variant of that bit width (mx: 4 fp4, 6 fp6-e2m3,
8 fp8-e4m3). A scheme that cannot take a bit width (or the data) gets an error row instead of
metrics.

  --tensor NAME    the tensor to use (needed when the file holds several)
  --bits A-B       bit widths, a range or a single number (default 2-8)
  --schemes LIST   comma-separated scheme ids (default: all)
  --json           print {"file", "tensor", "count", "rows": [{"scheme", "bits", metrics...,
                   "bpw"} or {"scheme", "bits", "error"}]}
  --csv            print scheme,bits,mse,rmse,sqnr_db,max_abs_error,mean_error,entropy_bits,
                   weighted_entropy,clipped_fraction,levels_used,bpw (empty cells: absent
                   values; error rows have empty metrics and a warning on stderr)

schemes:
)";

constexpr int kMinBits = 1;
constexpr int kMaxBits = 32;

struct BitRange {
    int first = 2;
    int last = 8;
};

BitRange parseBits(const std::string& text)
{
    BitRange range;
    const auto dash = text.find('-', 1);
    if (dash == std::string::npos) {
        range.first = range.last = static_cast<int>(parseInteger(text, "--bits"));
    } else {
        range.first = static_cast<int>(parseInteger(text.substr(0, dash), "--bits"));
        range.last = static_cast<int>(parseInteger(text.substr(dash + 1), "--bits"));
    }
    if (range.first < kMinBits || range.last > kMaxBits || range.first > range.last) {
        throw UsageError("compare: --bits '" + text + "' is not a range within " +
                         std::to_string(kMinBits) + "-" + std::to_string(kMaxBits));
    }
    return range;
}

std::vector<const Scheme*> parseSchemes(const std::optional<std::string>& list)
{
    std::vector<const Scheme*> schemes;
    if (!list) {
        for (const auto& scheme : allSchemes()) {
            schemes.push_back(scheme.get());
        }
        return schemes;
    }
    std::size_t begin = 0;
    while (begin <= list->size()) {
        const auto comma = std::min(list->find(',', begin), list->size());
        const std::string id = list->substr(begin, comma - begin);
        if (id.empty()) {
            throw UsageError("compare: --schemes '" + *list + "' has an empty entry");
        }
        schemes.push_back(&schemeById(id));
        begin = comma + 1;
    }
    return schemes;
}

// One CSV record (RFC 4180 quoting where a cell needs it).
std::string csvLine(const std::vector<std::string>& cells)
{
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i > 0) {
            line += ',';
        }
        if (cells[i].find_first_of(",\"\r\n") == std::string::npos) {
            line += cells[i];
            continue;
        }
        line += '"';
        for (char c : cells[i]) {
            line += c == '"' ? std::string("\"\"") : std::string(1, c);
        }
        line += '"';
    }
    return line + "\n";
}

std::string bitsPerWeightCsv(double bpw)
{
    const std::string text = jsonNumber(bpw);
    return text == "null" ? formatNumber(bpw) : text;
}

struct Row {
    const Scheme* scheme = nullptr;
    int bits = 0;
    std::optional<Metrics> metrics;
    double bitsPerWeight = 0.0;
    std::string error;
};

} // namespace

void runCompare(const std::vector<std::string>& args, std::ostream& out)
{
    const Arguments arguments(
        "compare", args, {{"tensor", true}, {"bits", true}, {"schemes", true}, {"json"}, {"csv"}});
    if (arguments.helpRequested()) {
        out << kHelp << schemeHelp();
        return;
    }
    arguments.expectPositional(1, "FILE");
    arguments.exclusive({"json", "csv"});
    const std::string& path = arguments.positional()[0];
    const BitRange bits = parseBits(arguments.value("bits").value_or("2-8"));
    const auto schemes = parseSchemes(arguments.value("schemes"));

    const Tensor tensor = loadTensor(path, arguments.value("tensor").value_or(""));
    const Distribution dist(tensor.values());

    std::vector<Row> rows;
    for (const Scheme* scheme : schemes) {
        for (int b = bits.first; b <= bits.last; ++b) {
            Row row{scheme, b, std::nullopt, 0.0, {}};
            try {
                QuantizeOptions options;
                options.distribution = &dist;
                const QuantizedTensor quantized =
                    quantizeTensor(tensor, *scheme, Params{{"bits", b}}, options);
                row.metrics = quantized.metrics;
                row.bitsPerWeight = quantized.bitsPerWeight;
            } catch (const UsageError& e) {
                row.error = e.what();
            } catch (const InputError& e) {
                row.error = e.what(); // the scheme cannot handle this data: one row, not all
            }
            rows.push_back(std::move(row));
        }
    }

    if (arguments.has("json")) {
        JsonWriter json(out);
        json.beginObject();
        json.member("file", path);
        json.member("tensor", tensor.name());
        json.member("count", dist.count());
        json.member("nonfinite", dist.nonFiniteCount());
        json.key("rows");
        json.beginArray();
        for (const auto& row : rows) {
            json.beginObject();
            json.member("scheme", row.scheme->id());
            json.member("bits", row.bits);
            if (row.metrics) {
                writeMetricsMembers(json, *row.metrics);
                json.member("bpw", row.bitsPerWeight);
            } else {
                json.member("error", row.error);
            }
            json.endObject();
        }
        json.endArray();
        json.endObject();
        return;
    }

    const bool csv = arguments.has("csv");
    std::vector<std::string> header = {"scheme", "bits"};
    header.insert(header.end(), metricColumns().begin(), metricColumns().end());
    header.push_back("bpw");
    std::vector<std::vector<std::string>> lines;
    for (const auto& row : rows) {
        std::vector<std::string> cells = {row.scheme->id(), std::to_string(row.bits)};
        if (row.metrics) {
            const auto metricCells =
                csv ? metricCsvCells(*row.metrics) : metricTextCells(*row.metrics);
            cells.insert(cells.end(), metricCells.begin(), metricCells.end());
            cells.push_back(csv ? bitsPerWeightCsv(row.bitsPerWeight)
                                : formatNumber(row.bitsPerWeight, 6));
        } else {
            // A warning, not an error: the other rows are valid and the command succeeds.
            std::cerr << "quantscope-cli: warning: " << row.scheme->id() << " at " << row.bits
                      << " bits: " << row.error << '\n';
            cells.resize(header.size(), csv ? "" : "-");
        }
        lines.push_back(std::move(cells));
    }
    if (csv) {
        out << csvLine(header);
        for (const auto& line : lines) {
            out << csvLine(line);
        }
        return;
    }
    out << tensor.name() << "  shape " << shapeToString(tensor.shape()) << "  " << dist.count()
        << " finite values";
    if (dist.nonFiniteCount() > 0) {
        out << " (" << dist.nonFiniteCount() << " NaN/Inf excluded)";
    }
    out << "\n";
    TextTable table(header);
    for (auto& line : lines) {
        table.addRow(std::move(line));
    }
    table.print(out);
}

} // namespace quantscope::cli
