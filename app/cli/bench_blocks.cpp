// `bench`: the ticks of schemes that quantize in a pass over the values.

#include "bench_blocks.h"

#include "cli_common.h"
#include "text_table.h"

#include "quantscope/errors.h"
#include "quantscope/quantize.h"
#include "quantscope/scheme.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <optional>

namespace quantscope::cli {
namespace {

constexpr int kRuns = 5;
constexpr double kBudgetMs = 2000.0; // a slow variant stops repeating after this
constexpr std::int64_t kGroupSize = 128;
constexpr std::int64_t kChannelLength = 4096; // per-channel case: rows of this many values
constexpr int kLinearBits = 4;

using Clock = std::chrono::steady_clock;

// CPU time of the whole process (every thread of the pass), in ms.
double processCpuMs()
{
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return double(now.tv_sec) * 1e3 + double(now.tv_nsec) / 1e6;
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

struct Case {
    const Scheme* scheme;
    std::string variant;
    Params params;
    Granularity granularity;
};

std::vector<Case> cases()
{
    std::vector<Case> list;
    for (const auto& scheme : allSchemes()) {
        if (scheme->asBlockScheme() == nullptr) {
            continue;
        }
        const auto specs = scheme->paramSpecs();
        const auto choice = std::find_if(specs.begin(), specs.end(), [](const ParamSpec& spec) {
            return spec.kind == ParamKind::Choice;
        });
        if (choice == specs.end()) {
            list.push_back({scheme.get(), "defaults", {}, {}});
            continue;
        }
        for (std::size_t i = 0; i < choice->choices.size(); ++i) {
            const std::string& name = choice->choices[i];
            list.push_back({scheme.get(),
                            choice->name + "=" + name.substr(0, name.find(':')),
                            Params{{choice->name, double(i)}},
                            {}});
        }
    }
    const std::string bits = "bits=" + std::to_string(kLinearBits);
    for (const char* id : {"symmetric", "asymmetric"}) {
        list.push_back({&schemeById(id), "per group of " + std::to_string(kGroupSize) + ", " + bits,
                        Params{{"bits", kLinearBits}}, Granularity::perGroup(kGroupSize)});
    }
    list.push_back({&schemeById("symmetric"), "per channel (rows of 4096), " + bits,
                    Params{{"bits", kLinearBits}}, Granularity::perChannel(0)});
    return list;
}

} // namespace

std::vector<PassTiming> benchPassTicks(const Tensor& tensor, const Distribution& dist)
{
    // Per channel needs a matrix: the same values seen as rows of kChannelLength.
    const std::int64_t length = std::max<std::int64_t>(1, std::min(kChannelLength, tensor.size()));
    const std::int64_t rows = tensor.size() / length;
    const Tensor matrix(tensor.name(), Shape{rows, length}, nullptr,
                        tensor.values().first(static_cast<std::size_t>(rows * length)),
                        tensor.sourceDtype());
    std::vector<PassTiming> timings;
    for (const Case& c : cases()) {
        PassTiming timing{c.scheme->id(), c.variant, 0.0, {}, {}, {}};
        const bool perChannel = c.granularity.kind == Granularity::Kind::PerChannel;
        // ggml's types quantize whole blocks only: their tick runs on the whole blocks of the
        // values (at most a block less).
        std::optional<Tensor> wholeBlocks;
        if (const BlockScheme* block = c.scheme->asBlockScheme()) {
            const BlockStructure structure = block->blockStructure(c.scheme->resolve(c.params));
            if (structure.wholeBlocksOnly && tensor.size() % structure.size != 0) {
                const std::int64_t kept = tensor.size() / structure.size * structure.size;
                wholeBlocks.emplace(tensor.name(), Shape{kept}, nullptr,
                                    tensor.values().first(static_cast<std::size_t>(kept)),
                                    tensor.sourceDtype());
            }
        }
        const Tensor& input = perChannel ? matrix : wholeBlocks ? *wholeBlocks : tensor;
        QuantizeOptions options;
        options.granularity = c.granularity;
        options.distribution = perChannel || wholeBlocks ? nullptr : &dist;
        const auto start = Clock::now();
        try {
            while (static_cast<int>(timing.samples.size()) < kRuns &&
                   (timing.samples.empty() ||
                    std::chrono::duration<double, std::milli>(Clock::now() - start).count() <
                        kBudgetMs)) {
                const auto runStart = Clock::now();
                const double cpuStart = processCpuMs();
                const QuantizedTensor result = quantizeTensor(input, *c.scheme, c.params, options);
                timing.samples.push_back(
                    std::chrono::duration<double, std::milli>(Clock::now() - runStart).count());
                timing.cpuSamples.push_back(processCpuMs() - cpuStart);
                timing.bitsPerWeight = result.bitsPerWeight;
            }
        } catch (const UsageError& e) {
            timing.error = e.what();
        } catch (const InputError& e) {
            timing.error = e.what();
        }
        timings.push_back(std::move(timing));
    }
    return timings;
}

void printPassTicks(std::ostream& out, const std::vector<PassTiming>& timings)
{
    out << "pass ticks (block-scaled and per-slice schemes: design + metrics), median ms and "
           "CPU ms over all threads:\n";
    TextTable table({"scheme", "variant", "bpw", "ms", "cpu ms"});
    for (const PassTiming& t : timings) {
        const bool ok = t.error.empty();
        table.addRow({t.scheme, t.variant, ok ? formatNumber(t.bitsPerWeight, 5) : "-",
                      ok ? formatNumber(median(t.samples), 4) : "error",
                      ok ? formatNumber(median(t.cpuSamples), 4) : "-"});
    }
    table.print(out);
}

void writePassTicks(JsonWriter& json, const std::vector<PassTiming>& timings)
{
    json.key("pass_ticks");
    json.beginArray();
    for (const PassTiming& t : timings) {
        json.beginObject();
        json.member("scheme", t.scheme);
        json.member("variant", t.variant);
        if (t.error.empty()) {
            json.member("bpw", t.bitsPerWeight);
            json.member("median_ms", median(t.samples));
            json.member("median_cpu_ms", median(t.cpuSamples));
        } else {
            json.member("error", t.error);
        }
        json.endObject();
    }
    json.endArray();
}

} // namespace quantscope::cli
