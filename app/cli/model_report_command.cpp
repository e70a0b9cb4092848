// `report FILE ...` / `report --merge PART.json...`: every tensor of a model with every scheme at
// every bit width, model totals, and a bit allocation under a bits-per-weight budget.

#include "arguments.h"
#include "cli_common.h"
#include "commands.h"
#include "text_table.h"

#include "quantscope/atomic_write.h"
#include "quantscope/bit_allocation.h"
#include "quantscope/errors.h"
#include "quantscope/report_io.h"
#include "quantscope/report_runner.h"
#include "quantscope/tensor_file.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <unistd.h>

namespace quantscope::cli {

namespace {

const char* const kHelp =
    R"(usage: quantscope-cli report FILE [--schemes a,b,...] [--bits 2-8 | --bits 4,8]
                      [--per-channel AXIS | --group-size G] [--budget BITS --scheme ID]
                      [--shard I/N] [--tensors REGEX] [--json | --csv] [--out PATH]
       quantscope-cli report --merge PART.json... [--budget BITS --scheme ID]
                      [--json | --csv] [--out PATH]

Quantizes every float tensor of FILE (any format QuantScope reads; a sharded safetensors
checkpoint through its index) with every scheme at every bit width and reports the metrics of
`quantize` for each (the same numbers), then the model totals per scheme and bit width, weighted
by parameter count: sqnr_db = -10 log10(sum n_t 10^(-SQNR_t/10) / sum n_t), bytes at that bpw.
Schemes chosen by format (mx, ggml) run each of their formats ("variant") at its own bits per
weight instead of the bit widths. Integer tensors and unreadable ones are listed as skipped with
the reason.

Tensors are loaded, sorted and freed one or a few at a time, so memory stays near three times
the largest tensor whatever the model's size. Progress goes to stderr when it is a terminal;
Ctrl-C stops without writing anything.

  --schemes LIST     comma-separated scheme ids (default: all)
  --bits A-B | A,B   bit widths (default 2-8)
  --tensors REGEX    only tensors whose name matches (ECMAScript regular expression)
  --per-channel AXIS, --group-size G
                     codebook schemes with a scale per index along AXIS, or per G values along
                     the last axis (block-scaled schemes keep their blocks, calibrators their
                     one range)
  --budget BITS      with --scheme ID: the per-tensor bit widths of that scheme minimizing the
                     parameter-weighted noise sum n_t 10^(-SQNR_t/10) with an average of at most
                     BITS bits per weight (the exact optimum), compared with the widest uniform
                     bit width that fits
  --shard I/N        only part I of N of the tensors (balanced by size, the same on every
                     machine), written as a part report (use --json)
  --merge PART...    join part reports (JSON) of all N shards into the whole report
  --json             {"file", "schemes", "bits", "tensors": [{"index", "name", "shape",
                     "dtype", "count", "nonfinite", "results": [{"scheme", "bits", "bpw",
                     "sqnr_db", "mse", "max_abs_error", ...}]}], "skipped": [{"name",
                     "reason"}], "totals": [{"scheme", "bits", "bpw", "sqnr_db", "bytes"}],
                     "allocation"?: {"scheme", "budget_bits", "average_bits", "sqnr_db",
                     "tensors": [{"name", "bits"}], "uniform", "gain_db"}}
  --csv              one row per tensor x scheme x bits
  --out PATH         write the report to PATH (atomically) instead of stdout
)";

std::atomic<bool> g_interrupted{false};

extern "C" void onInterrupt(int)
{
    g_interrupted = true;
}

// Ctrl-C cancels the run between tensors instead of killing the process mid-write.
class InterruptGuard {
public:
    InterruptGuard() { m_previous = std::signal(SIGINT, onInterrupt); }
    ~InterruptGuard() { std::signal(SIGINT, m_previous); }

private:
    void (*m_previous)(int) = SIG_DFL;
};

std::vector<int> parseBitList(const std::string& text)
{
    std::vector<int> bits;
    const auto dash = text.find('-', 1);
    if (text.find(',') == std::string::npos && dash != std::string::npos) {
        const auto first = parseInteger(text.substr(0, dash), "--bits");
        const auto last = parseInteger(text.substr(dash + 1), "--bits");
        if (first > last) {
            throw UsageError("report: --bits '" + text + "' is an empty range");
        }
        for (auto b = first; b <= last; ++b) {
            bits.push_back(static_cast<int>(b));
        }
        return bits;
    }
    std::size_t begin = 0;
    while (begin <= text.size()) {
        const auto comma = std::min(text.find(',', begin), text.size());
        bits.push_back(static_cast<int>(parseInteger(text.substr(begin, comma - begin), "--bits")));
        begin = comma + 1;
    }
    return bits;
}

std::vector<std::string> parseList(const std::string& text, const char* what)
{
    std::vector<std::string> items;
    std::size_t begin = 0;
    while (begin <= text.size()) {
        const auto comma = std::min(text.find(',', begin), text.size());
        items.push_back(text.substr(begin, comma - begin));
        if (items.back().empty()) {
            throw UsageError(std::string("report: ") + what + " '" + text + "' has an empty entry");
        }
        begin = comma + 1;
    }
    return items;
}

ReportShard parseShard(const std::string& text)
{
    const auto slash = text.find('/');
    if (slash == std::string::npos) {
        throw UsageError("report: --shard '" + text + "' is not I/N");
    }
    ReportShard shard;
    shard.index = static_cast<int>(parseInteger(text.substr(0, slash), "--shard"));
    shard.count = static_cast<int>(parseInteger(text.substr(slash + 1), "--shard"));
    if (shard.count < 1 || shard.index < 1 || shard.index > shard.count) {
        throw UsageError("report: --shard '" + text + "' is not one of 1/N .. N/N");
    }
    return shard;
}

std::string readWhole(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw InputError(path + ": cannot open");
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// "[12/291 tensors] 3.1e+08 of 6.7e+09 elements, 2.4e+08 elements/s, 26 s left" on one line.
class ProgressLine {
public:
    bool update(const ReportProgress& progress)
    {
        if (!m_terminal) {
            return !g_interrupted;
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
        const double rate = seconds > 0 ? progress.elementsDone / seconds : 0.0;
        const double left =
            rate > 0 ? (progress.elementsTotal - progress.elementsDone) / rate : 0.0;
        std::fprintf(
            stderr, "\r[%zu/%zu tensors] %.3g of %.3g elements, %.3g elements/s, %.0f s left ",
            progress.tensorsDone, progress.tensorsTotal, static_cast<double>(progress.elementsDone),
            static_cast<double>(progress.elementsTotal), rate, left);
        if (progress.tensorsDone == progress.tensorsTotal) {
            std::fputc('\n', stderr);
        }
        return !g_interrupted;
    }

private:
    bool m_terminal = ::isatty(STDERR_FILENO) != 0;
    std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
};

// "4 bits", or a format's name.
std::string settingText(int bits, const std::string& variant)
{
    return variant.empty() ? std::to_string(bits) + " bits" : variant;
}

// An SQNR for the text tables: "inf" when there is no error at all.
std::string sqnrText(const std::optional<double>& value)
{
    return value ? formatNumber(*value, 4) : std::string("inf");
}

void printText(std::ostream& out, const ModelReport& report,
               const std::optional<BitAllocation>& allocation)
{
    std::size_t quantized = 0;
    for (const TensorReport& tensor : report.tensors) {
        quantized += tensor.skipReason.empty() ? 1 : 0;
    }
    out << report.file << ": " << quantized << " tensors reported";
    if (report.shard) {
        out << " (part " << report.shard->index << "/" << report.shard->count << ")";
    }
    out << "\n\nSQNR (dB) per tensor\n";
    std::vector<std::string> header = {"tensor", "parameters", "scheme"};
    for (int b : report.bits) {
        header.push_back(std::to_string(b) + " bits");
    }
    TextTable table(header);
    for (const TensorReport& tensor : report.tensors) {
        if (!tensor.skipReason.empty()) {
            continue;
        }
        for (const std::string& scheme : report.schemes) {
            std::vector<std::string> row = {tensor.name, std::to_string(tensor.parameters()),
                                            scheme};
            for (int b : report.bits) {
                const ReportResult* result = tensor.find(scheme, b);
                row.push_back(result && result->metrics ? sqnrText(result->metrics->sqnrDb) : "-");
            }
            table.addRow(std::move(row));
        }
    }
    table.print(out);

    out << "\nModel totals (parameter-weighted)\n";
    TextTable totals({"scheme", "setting", "bpw", "sqnr_db", "MB"});
    for (const ReportTotal& total : reportTotals(report)) {
        totals.addRow({total.scheme, settingText(total.bits, total.variant),
                       formatNumber(total.bpw, 4),
                       total.failedTensors > 0
                           ? "fails on " + std::to_string(total.failedTensors) + " tensors"
                           : sqnrText(total.sqnrDb),
                       formatNumber(total.bytes / 1e6, 4)});
    }
    totals.print(out);

    std::vector<std::string> skipped;
    for (const SkippedTensor& tensor : report.skipped) {
        skipped.push_back("  " + tensor.name + ": " + tensor.reason);
    }
    for (const TensorReport& tensor : report.tensors) {
        if (!tensor.skipReason.empty()) {
            skipped.push_back("  " + tensor.name + ": " + tensor.skipReason);
        }
    }
    if (!skipped.empty()) {
        out << "\nskipped " << skipped.size() << (skipped.size() == 1 ? " tensor" : " tensors")
            << ":\n";
        for (const std::string& line : skipped) {
            out << line << "\n";
        }
    }

    if (allocation) {
        out << "\nAllocation of " << allocation->scheme << " within "
            << formatNumber(allocation->budgetBits) << " bits per weight: average "
            << formatNumber(allocation->averageBits, 4) << ", SQNR " << sqnrText(allocation->sqnrDb)
            << " dB";
        if (allocation->uniformBits) {
            out << " (uniform " << settingText(*allocation->uniformBits, allocation->uniformVariant)
                << ": " << sqnrText(allocation->uniformSqnrDb) << " dB)";
        }
        out << (allocation->provenOptimal ? "" : " [search stopped at its node limit]") << "\n";
        TextTable bits({"tensor", "setting", "bpw"});
        for (const TensorAllocation& tensor : allocation->tensors) {
            bits.addRow({tensor.name, settingText(tensor.bits, tensor.variant),
                         formatNumber(tensor.bpw, 4)});
        }
        bits.print(out);
    }
}

} // namespace

void runReport(const std::vector<std::string>& args, std::ostream& out)
{
    const Arguments arguments("report", args,
                              {{"schemes", true},
                               {"bits", true},
                               {"budget", true},
                               {"scheme", true},
                               {"shard", true},
                               {"tensors", true},
                               {"per-channel", true},
                               {"group-size", true},
                               {"merge"},
                               {"json"},
                               {"csv"},
                               {"out", true}});
    if (arguments.helpRequested()) {
        out << kHelp << "\nschemes:\n" << schemeHelp();
        return;
    }
    arguments.exclusive({"json", "csv"});
    if (arguments.has("budget") != arguments.has("scheme")) {
        throw UsageError("report: --budget and --scheme go together");
    }
    const auto output = arguments.value("out");

    ModelReport report;
    if (arguments.has("merge")) {
        for (const char* option :
             {"schemes", "bits", "shard", "tensors", "per-channel", "group-size"}) {
            if (arguments.has(option)) {
                throw UsageError(std::string("report: --") + option + " does not go with --merge");
            }
        }
        if (arguments.positional().empty()) {
            throw UsageError("report: --merge needs the part reports (PART.json...)");
        }
        std::vector<ModelReport> parts;
        for (const std::string& part : arguments.positional()) {
            parts.push_back(reportFromJson(readWhole(part), part));
        }
        report = mergeReports(std::move(parts));
    } else {
        arguments.expectPositional(1, "FILE");
        const std::string& path = arguments.positional()[0];
        if (output) {
            checkOutputPaths("report", path, {*output});
        }
        ReportOptions options;
        if (const auto schemes = arguments.value("schemes")) {
            options.schemes = parseList(*schemes, "--schemes");
        }
        if (const auto bits = arguments.value("bits")) {
            options.bits = parseBitList(*bits);
        }
        if (const auto shard = arguments.value("shard")) {
            options.shard = parseShard(*shard);
        }
        options.tensorPattern = arguments.value("tensors").value_or("");
        options.granularity = granularityFromArguments(arguments);
        const auto file = openTensorFile(path);
        InterruptGuard interrupts;
        ProgressLine line;
        ReportCallbacks callbacks;
        callbacks.progress = [&line](const ReportProgress& progress) {
            return line.update(progress);
        };
        report = runModelReport(*file, path, options, callbacks);
    }

    std::optional<BitAllocation> allocation;
    if (const auto budget = arguments.value("budget")) {
        if (report.shard) {
            throw UsageError("report: --budget needs the whole model; merge the parts first");
        }
        allocation =
            allocateBits(report, *arguments.value("scheme"), parseReal(*budget, "--budget"));
    }

    std::ostringstream text;
    if (arguments.has("json")) {
        text << reportToJson(report, allocation);
    } else if (arguments.has("csv")) {
        text << reportToCsv(report);
    } else {
        printText(text, report, allocation);
    }
    if (output) {
        writeFileAtomically(*output, text.str());
        out << "wrote " << *output << "\n";
    } else {
        out << text.str();
    }
}

} // namespace quantscope::cli
