// `bench [FILE] [--elements N]`: the timings the project quotes, all on one tensor (N gaussian
// values, or a file's): a copy and std::sort of it for scale, the Distribution build, the
// symmetric 8-bit apply and every scheme's design + exact metrics at 2..8 bits; then GGUF
// dequantization.

#include "arguments.h"
#include "bench_blocks.h"
#include "cli_common.h"
#include "commands.h"
#include "json_writer.h"
#include "text_table.h"

#include "quantscope/apply.h"
#include "quantscope/demo.h"
#include "quantscope/distribution.h"
#include "quantscope/errors.h"
#include "quantscope/ggml_types.h"
#include "quantscope/metrics.h"
#include "quantscope/parallel.h"
#include "quantscope/scheme.h"
#include "quantscope/simd_targets.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <span>

namespace quantscope::cli {

namespace {

const char* const kHelp =
    R"(usage: quantscope-cli bench [FILE [--tensor NAME]] [--elements N] [--json]

Times, on one tensor (N gaussian values from demo:gaussian, default N = 10000000, or FILE's
tensor): one memcpy of it and std::sort of a copy of its finite values (for scale), the
Distribution build (sort + sums, all cores: the first build, then the median of three more,
each on the memory the one before freed), applying the symmetric 8-bit codebook (codes and
dequantized values of every element, in the 16 MiB steps quantize writes them in), every codebook
scheme's design + exact metrics at 2..8 bits (median of up to 5 runs per bit width), then the
ticks of schemes that run as a pass over the values (block-scaled schemes in each variant, linear
per group and per channel). Reports the peak resident memory of the whole run. Then dequantizes
2^24 values of GGUF Q4_K and Q8_0 blocks on one core and reports the float32 output rate (median
of 5 runs).

  --tensor NAME  the tensor of FILE to use (needed when it holds several)
  --elements N   number of gaussian values (an integer, 1e7 notation accepted)
  --json         print {"elements", "simd_target", "threads", "generate_ms", "memcpy_ms",
                 "sort_baseline_ms", "build_first_ms", "build_ms", "apply_ms", "schemes":
                 [{"scheme", "median_ms", "bits": [{"bits", "median_ms"} or {"bits", "error"}]}],
                 "pass_ticks": [{"scheme", "variant", "bpw", "median_ms"}], "peak_rss_mb",
                 "dequant_q4_k_gb_per_s", "dequant_q8_0_gb_per_s"}
)";

constexpr std::int64_t kDefaultElements = 10'000'000;
constexpr int kFirstBits = 2;
constexpr int kLastBits = 8;
constexpr int kBuildRuns = 4; // the first, then three for the median
constexpr int kRunsPerBits = 5;
constexpr double kTimeBudgetPerBitsMs = 2000.0; // a slow scheme stops repeating after this
constexpr int kApplyBits = 8;
// Values applied per step, as quantize streams its outputs.
constexpr std::int64_t kApplyStepValues = std::int64_t{1} << 22;

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> samples)
{
    if (samples.empty()) {
        return std::nan("");
    }
    std::sort(samples.begin(), samples.end());
    const std::size_t mid = samples.size() / 2;
    return samples.size() % 2 == 1 ? samples[mid] : 0.5 * (samples[mid - 1] + samples[mid]);
}

// The peak resident memory of this process. Linux's VmHWM counts only this program; ru_maxrss
// also keeps the peak of the process it was started from (it survives exec), which is what a
// script that holds the same tensor in memory would report otherwise.
double peakRssMegabytes()
{
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmHWM:", 0) == 0) {
            return std::stod(line.substr(6)) / 1024.0; // kilobytes
        }
    }
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0; // Linux reports kilobytes
}

struct BitsTiming {
    int bits = 0;
    std::vector<double> samples;
    std::string error;
};

struct SchemeTiming {
    std::string id;
    std::vector<BitsTiming> bits;

    // The median of the per-bit-width medians: every bit width weighs the same, however many
    // runs its time budget allowed.
    double medianMs() const
    {
        std::vector<double> medians;
        for (const auto& b : bits) {
            if (!b.samples.empty()) {
                medians.push_back(median(b.samples));
            }
        }
        return median(medians);
    }
};

// Reads a value from every page, so that no timing pays for mapping a file's pages.
void touchPages(std::span<const float> values)
{
    constexpr std::size_t kPageValues = 4096 / sizeof(float);
    volatile float sink = 0.0f;
    for (std::size_t i = 0; i < values.size(); i += kPageValues) {
        sink = sink + values[i];
    }
}

// Time of one copy of the values into memory already written, and of std::sort on a copy of the
// finite ones (what the Distribution sorts). The copy is freed before the build.
struct Baselines {
    double memcpyMs = 0.0;
    double sortMs = 0.0;
};

Baselines measureBaselines(std::span<const float> values)
{
    Baselines baselines;
    std::vector<float> copy(values.size());
    // The second copy is timed: the first finds the destination's pages still unmapped.
    std::memcpy(copy.data(), values.data(), values.size_bytes());
    auto start = Clock::now();
    std::memcpy(copy.data(), values.data(), values.size_bytes());
    baselines.memcpyMs = millisecondsSince(start);
    copy.erase(std::remove_if(copy.begin(), copy.end(), [](float v) { return !std::isfinite(v); }),
               copy.end());
    start = Clock::now();
    std::sort(copy.begin(), copy.end());
    baselines.sortMs = millisecondsSince(start);
    return baselines;
}

// The Distribution built kBuildRuns times, each after the previous one is gone: the first finds
// its memory new to the process (on a virtual machine the host may have to back it first: up to
// 1.8 ms per MB), the others memory freed by the build before, as numpy's repeated sorts do.
struct Builds {
    double firstMs = 0.0;
    double medianMs = 0.0; // of the builds after the first
    Distribution last;
};

Builds measureBuilds(std::span<const float> values)
{
    Builds builds;
    std::vector<double> samples;
    for (int run = 0; run < kBuildRuns; ++run) {
        builds.last = Distribution();
        const auto start = Clock::now();
        builds.last = Distribution(values);
        samples.push_back(millisecondsSince(start));
    }
    builds.firstMs = samples.front();
    builds.medianMs = median(std::vector<double>(samples.begin() + 1, samples.end()));
    return builds;
}

// Codes and dequantized values of every element through `codebook`, in the steps quantize
// writes them in (the buffers are reused, so only the first step finds fresh memory).
double measureApply(std::span<const float> values, const Codebook& codebook)
{
    const auto n = std::int64_t(values.size());
    const std::int64_t step = std::min(n, kApplyStepValues);
    std::vector<std::int32_t> codes(step);
    std::vector<float> dequantized(step);
    const auto start = Clock::now();
    const CodebookApplier applier(codebook, n);
    for (std::int64_t begin = 0; begin < n; begin += step) {
        const std::int64_t count = std::min(step, n - begin);
        applier.apply(values.subspan(begin, count), std::span(codes).first(count),
                      std::span(dequantized).first(count));
    }
    return millisecondsSince(start);
}

std::int64_t parseElements(const std::string& text)
{
    const double value = parseReal(text, "--elements");
    if (value < 1 || value > 1e12 || value != std::floor(value)) {
        throw UsageError("bench: --elements must be a whole number from 1 to 1e12, got '" + text +
                         "'");
    }
    return static_cast<std::int64_t>(value);
}

// GB/s of float32 written by dequantizeGgml (one thread) for each ggml type named, on 2^24
// values of pseudo-random blocks. Bytes below 0x40 keep every half-float scale finite and of
// moderate size, so no NaN or subnormal arithmetic distorts the timing.
std::vector<double> dequantizationGbPerSecond(std::initializer_list<std::string_view> typeNames)
{
    constexpr std::size_t kElements = std::size_t{1} << 24;
    std::vector<double> rates;
    std::mt19937 random(7);
    for (const std::string_view name : typeNames) {
        const GgmlType& type = *findGgmlType(name);
        std::vector<std::byte> blocks(kElements / type.blockElements * type.blockBytes);
        for (std::byte& b : blocks) {
            b = static_cast<std::byte>(random() & 0x3F);
        }
        std::vector<float> values(kElements); // written once here, so no page fault is timed
        std::vector<double> samples;
        for (int run = 0; run < kRunsPerBits; ++run) {
            const auto start = Clock::now();
            dequantizeGgml(type, blocks, values);
            samples.push_back(millisecondsSince(start));
        }
        rates.push_back(static_cast<double>(kElements * sizeof(float)) / (median(samples) * 1e6));
    }
    return rates;
}

} // namespace

void runBench(const std::vector<std::string>& args, std::ostream& out)
{
    const Arguments arguments("bench", args, {{"tensor", true}, {"elements", true}, {"json"}});
    if (arguments.helpRequested()) {
        out << kHelp;
        return;
    }
    if (arguments.positional().size() > 1) {
        arguments.expectPositional(1, "FILE");
    }
    const bool fromFile = arguments.positional().size() == 1;
    if (fromFile && arguments.has("elements")) {
        throw UsageError("bench: --elements makes gaussian values; it does not go with FILE");
    }
    if (!fromFile && arguments.has("tensor")) {
        throw UsageError("bench: --tensor needs FILE");
    }
    const auto elementsText = arguments.value("elements");

    auto start = Clock::now();
    auto tensor = std::make_unique<const Tensor>(
        fromFile ? loadTensor(arguments.positional()[0], arguments.value("tensor").value_or(""))
                 : makeDemoTensor("gaussian",
                                  elementsText ? parseElements(*elementsText) : kDefaultElements));
    const std::span<const float> values = tensor->values();
    touchPages(values);
    const double generateMs = millisecondsSince(start);
    const std::int64_t elements = tensor->size();
    const std::string source =
        fromFile ? arguments.positional()[0] + " " + tensor->name() : std::string("demo:gaussian");
    const Baselines baselines = measureBaselines(values);

    const Builds builds = measureBuilds(values);
    const Distribution& dist = builds.last;
    const Codebook symmetric =
        schemeById("symmetric").design(dist, Params{{"bits", double(kApplyBits)}});
    const double applyMs = measureApply(values, symmetric);
    const std::vector<PassTiming> passTicks = benchPassTicks(*tensor, dist);
    // The designs need only the Distribution: the values go (a large weq design takes a
    // temporary copy of its own).
    tensor.reset();
    std::vector<SchemeTiming> timings;
    for (const auto& scheme : allSchemes()) {
        if (scheme->asBlockScheme() != nullptr) {
            continue; // timed with the pass ticks
        }
        SchemeTiming timing{scheme->id(), {}};
        for (int b = kFirstBits; b <= kLastBits; ++b) {
            BitsTiming bitsTiming{b, {}, {}};
            const auto bitsStart = Clock::now();
            try {
                while (static_cast<int>(bitsTiming.samples.size()) < kRunsPerBits &&
                       (bitsTiming.samples.empty() ||
                        millisecondsSince(bitsStart) < kTimeBudgetPerBitsMs)) {
                    const auto runStart = Clock::now();
                    const Codebook codebook = scheme->design(dist, Params{{"bits", b}});
                    computeMetrics(dist, codebook);
                    bitsTiming.samples.push_back(millisecondsSince(runStart));
                }
            } catch (const UsageError& e) {
                bitsTiming.error = e.what();
            } catch (const InputError& e) {
                bitsTiming.error = e.what();
            }
            timing.bits.push_back(std::move(bitsTiming));
        }
        timings.push_back(std::move(timing));
    }
    const double peakRss = peakRssMegabytes();
    const std::vector<double> dequantRates = dequantizationGbPerSecond({"q4_K", "q8_0"});

    if (arguments.has("json")) {
        JsonWriter json(out);
        json.beginObject();
        json.member("elements", elements);
        json.member("simd_target", simdTargetName());
        json.member("threads", hardwareThreads());
        json.member("generate_ms", generateMs);
        json.member("memcpy_ms", baselines.memcpyMs);
        json.member("sort_baseline_ms", baselines.sortMs);
        json.member("build_first_ms", builds.firstMs);
        json.member("build_ms", builds.medianMs);
        json.member("apply_ms", applyMs);
        json.key("schemes");
        json.beginArray();
        for (const auto& timing : timings) {
            json.beginObject();
            json.member("scheme", timing.id);
            json.member("median_ms", timing.medianMs());
            json.key("bits");
            json.beginArray();
            for (const auto& b : timing.bits) {
                json.beginObject();
                json.member("bits", b.bits);
                if (b.error.empty()) {
                    json.member("median_ms", median(b.samples));
                } else {
                    json.member("error", b.error);
                }
                json.endObject();
            }
            json.endArray();
            json.endObject();
        }
        json.endArray();
        writePassTicks(json, passTicks);
        json.member("peak_rss_mb", peakRss);
        json.member("dequant_q4_k_gb_per_s", dequantRates[0]);
        json.member("dequant_q8_0_gb_per_s", dequantRates[1]);
        json.endObject();
        return;
    }

    out << "elements      " << elements << " (" << source << ")\n";
    out << "machine       " << hardwareThreads() << " threads, SIMD " << simdTargetName() << "\n";
    out << (fromFile ? "load          " : "generate      ") << formatNumber(generateMs, 4)
        << " ms\n";
    out << "memcpy        " << formatNumber(baselines.memcpyMs, 4) << " ms (one copy)\n";
    out << "std::sort     " << formatNumber(baselines.sortMs, 4) << " ms (of a copy)\n";
    out << "build         " << formatNumber(builds.medianMs, 4)
        << " ms (Distribution: sort + sums; the first, on memory new to the process: "
        << formatNumber(builds.firstMs, 4) << " ms)\n";
    out << "apply         " << formatNumber(applyMs, 4) << " ms (symmetric " << kApplyBits
        << " bits: codes + dequantized)\n";
    out << "design + metrics, median ms:\n";
    std::vector<std::string> header = {"scheme", "all"};
    for (int b = kFirstBits; b <= kLastBits; ++b) {
        header.push_back(std::to_string(b) + " bits");
    }
    TextTable table(header);
    for (const auto& timing : timings) {
        std::vector<std::string> cells = {timing.id, formatNumber(timing.medianMs(), 4)};
        for (const auto& b : timing.bits) {
            cells.push_back(b.error.empty() ? formatNumber(median(b.samples), 4) : "error");
        }
        table.addRow(cells);
    }
    table.print(out);
    printPassTicks(out, passTicks);
    out << "peak RSS      " << formatNumber(peakRss, 4) << " MB\n";
    out << "dequantize    Q4_K " << formatNumber(dequantRates[0], 3) << " GB/s, Q8_0 "
        << formatNumber(dequantRates[1], 3) << " GB/s (GGUF blocks to float32, one core)\n";
}

} // namespace quantscope::cli
