#include "quantscope/report_runner.h"

#include "quantscope/errors.h"
#include "quantscope/quantize.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <numeric>
#include <regex>
#include <set>
#include <thread>

namespace quantscope {

namespace {

constexpr std::uint64_t kBudgetSlack = 256ull << 20;
constexpr int kMinBits = 1;
constexpr int kMaxBits = 32;

// Integer tensors (token ids, positions, masks) are data, not weights to quantize.
bool isIntegerDtype(const std::string& dtype)
{
    static const std::set<std::string> kIntegers = {"int4",   "int8",   "int16", "int32",
                                                    "int64",  "uint4",  "uint8", "uint16",
                                                    "uint32", "uint64", "bool"};
    return kIntegers.count(dtype) != 0;
}

// Memory a tensor holds while it is reported: its Distribution's sorted copy and the file pages
// read; a type other than float32 adds the float32 buffer it is converted into (its stored bytes
// counted as up to half of that).
std::uint64_t workingBytes(const TensorInfo& info)
{
    const auto n = static_cast<std::uint64_t>(elementCount(info.shape));
    return n * (info.dtype == "float32" ? 8 : 10);
}

std::vector<const Scheme*> chosenSchemes(const std::vector<std::string>& ids)
{
    std::vector<const Scheme*> schemes;
    if (ids.empty()) {
        for (const auto& scheme : allSchemes()) {
            schemes.push_back(scheme.get());
        }
    }
    for (const std::string& id : ids) {
        schemes.push_back(&schemeById(id));
    }
    return schemes;
}

TensorReport reportTensor(const TensorFile& file, const TensorInfo& info, std::int64_t index,
                          const std::vector<const Scheme*>& schemes, const std::vector<int>& bits,
                          const Granularity& granularity)
{
    TensorReport report;
    report.index = index;
    report.name = info.name;
    report.shape = info.shape;
    report.dtype = info.dtype;
    if (isIntegerDtype(info.dtype)) {
        report.skipReason = "integer data (" + info.dtype + "), not a weight to quantize";
        return report;
    }
    // The values stay while the schemes run: block-scaled schemes pass over them.
    std::optional<Tensor> tensor;
    std::optional<Distribution> dist;
    try {
        tensor.emplace(file.load(info.name));
        dist.emplace(tensor->values());
    } catch (const InputError& error) {
        report.skipReason = error.what();
        return report;
    }
    report.count = dist->count();
    report.nonFinite = dist->nonFiniteCount();
    for (const Scheme* scheme : schemes) {
        const std::vector<SchemeVariant> variants = scheme->variants();
        for (const SchemeVariant& variant : variants) {
            report.results.push_back(
                evaluateVariant(*scheme, *tensor, *dist, variant, granularity));
        }
        for (int b : variants.empty() ? bits : std::vector<int>{}) {
            report.results.push_back(evaluateScheme(*scheme, *tensor, *dist, b, granularity));
        }
    }
    return report;
}

// Fills `result` (scheme and setting named) with the metrics of `params`, or the reason why not.
ReportResult evaluate(const Scheme& scheme, const Tensor& tensor, const Distribution& dist,
                      const Params& params, const Granularity& granularity, ReportResult result)
{
    try {
        QuantizeOptions options;
        options.distribution = &dist;
        // Block-scaled schemes keep their own blocks, calibrators their one range.
        options.granularity = scheme.asBlockScheme() != nullptr || !scheme.takesGranularity()
                                  ? Granularity::perTensor()
                                  : granularity;
        const QuantizedTensor quantized = quantizeTensor(tensor, scheme, params, options);
        result.metrics = quantized.metrics;
        result.bpw = quantized.bitsPerWeight;
    } catch (const UsageError& e) {
        result.error = e.what();
    } catch (const InputError& e) {
        result.error = e.what(); // the scheme cannot handle these data
    }
    return result;
}

} // namespace

ReportResult evaluateScheme(const Scheme& scheme, const Tensor& tensor, const Distribution& dist,
                            int bits, const Granularity& granularity)
{
    ReportResult result;
    result.scheme = scheme.id();
    result.bits = bits;
    result.bpw = bits; // kept for a scheme that cannot run: its nominal rate
    return evaluate(scheme, tensor, dist, Params{{"bits", bits}}, granularity, std::move(result));
}

ReportResult evaluateVariant(const Scheme& scheme, const Tensor& tensor, const Distribution& dist,
                             const SchemeVariant& variant, const Granularity& granularity)
{
    ReportResult result;
    result.scheme = scheme.id();
    result.variant = variant.name;
    result.bits = scheme.bitsOf(scheme.resolve(variant.params)).value_or(0);
    result.bpw = result.bits;
    return evaluate(scheme, tensor, dist, variant.params, granularity, std::move(result));
}

ModelReport runModelReport(const TensorFile& file, const std::string& name,
                           const ReportOptions& options, const ReportCallbacks& callbacks)
{
    const std::vector<const Scheme*> schemes = chosenSchemes(options.schemes);
    for (int b : options.bits) {
        if (b < kMinBits || b > kMaxBits) {
            throw UsageError("report: bits " + std::to_string(b) + " outside " +
                             std::to_string(kMinBits) + "-" + std::to_string(kMaxBits));
        }
    }
    std::optional<std::regex> pattern;
    if (!options.tensorPattern.empty()) {
        try {
            pattern.emplace(options.tensorPattern, std::regex::ECMAScript);
        } catch (const std::regex_error& error) {
            throw UsageError("report: --tensors '" + options.tensorPattern +
                             "' is not a regular expression (" + error.what() + ")");
        }
    }

    ModelReport report;
    report.file = name;
    for (const Scheme* scheme : schemes) {
        report.schemes.push_back(scheme->id());
    }
    report.bits = options.bits;
    report.granularity = options.granularity.describe();
    report.shard = options.shard;
    if (!options.shard || options.shard->index == 1) {
        report.skipped = file.skipped();
    }

    // The selected tensors, then this shard's share of them.
    const std::vector<TensorInfo>& infos = file.tensors();
    std::vector<std::size_t> selected;
    std::vector<std::int64_t> sizes;
    for (std::size_t i = 0; i < infos.size(); ++i) {
        if (!pattern || std::regex_search(infos[i].name, *pattern)) {
            selected.push_back(i);
            sizes.push_back(elementCount(infos[i].shape));
        }
    }
    std::vector<std::size_t> jobs = selected;
    if (options.shard) {
        jobs.clear();
        for (const std::size_t k : shardTensors(sizes, *options.shard)) {
            jobs.push_back(selected[k]);
        }
    }

    std::uint64_t largestFloat32 = 0;
    ReportProgress progress;
    progress.tensorsTotal = jobs.size();
    for (const std::size_t i : jobs) {
        const std::int64_t n = elementCount(infos[i].shape);
        largestFloat32 = std::max(largestFloat32, static_cast<std::uint64_t>(n) * sizeof(float));
        progress.elementsTotal += n;
    }
    // Three times the largest float32 tensor: it runs alone (2× or 2.5×), smaller ones side by
    // side.
    const std::uint64_t budget =
        options.memoryBudget > 0 ? options.memoryBudget : 3 * largestFloat32 + kBudgetSlack;
    const int threads = options.threads > 0
                            ? options.threads
                            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

    // Smallest tensors first, so the first results arrive at once even when a model opens with
    // a huge embedding; the report keeps file order.
    std::vector<std::size_t> queue(jobs.size());
    std::iota(queue.begin(), queue.end(), std::size_t{0});
    std::stable_sort(queue.begin(), queue.end(), [&](std::size_t a, std::size_t b) {
        return elementCount(infos[jobs[a]].shape) < elementCount(infos[jobs[b]].shape);
    });
    std::vector<TensorReport> results(jobs.size());
    std::mutex mutex;
    std::condition_variable memoryFreed;
    std::size_t next = 0;
    std::uint64_t inUse = 0;
    int running = 0;
    bool cancelled = false;
    std::exception_ptr failure;

    const auto work = [&] {
        std::unique_lock lock(mutex);
        while (!cancelled && !failure && next < jobs.size()) {
            const std::size_t job = queue[next];
            const TensorInfo& info = infos[jobs[job]];
            const std::uint64_t bytes = workingBytes(info);
            // Wait for room, unless nothing runs (the largest tensor must always get through).
            if (running > 0 && inUse + bytes > budget) {
                memoryFreed.wait(lock);
                continue;
            }
            ++next;
            ++running;
            inUse += bytes;
            lock.unlock();
            try {
                results[job] = reportTensor(file, info, static_cast<std::int64_t>(jobs[job]),
                                            schemes, report.bits, options.granularity);
            } catch (...) {
                lock.lock();
                failure = std::current_exception();
                --running;
                inUse -= bytes;
                memoryFreed.notify_all();
                return;
            }
            lock.lock();
            --running;
            inUse -= bytes;
            // What this tensor made resident of the file is not needed again.
            file.releaseCachedPages();
            ++progress.tensorsDone;
            progress.elementsDone += elementCount(info.shape);
            if (callbacks.tensorDone) {
                callbacks.tensorDone(results[job]);
            }
            if (callbacks.progress && !callbacks.progress(progress)) {
                cancelled = true;
            }
            memoryFreed.notify_all();
        }
    };
    std::vector<std::thread> workers;
    for (int t = 1; t < std::min<int>(threads, static_cast<int>(jobs.size())); ++t) {
        workers.emplace_back(work);
    }
    work();
    for (std::thread& worker : workers) {
        worker.join();
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
    if (cancelled) {
        throw Cancelled();
    }
    report.tensors = std::move(results);
    return report;
}

} // namespace quantscope
