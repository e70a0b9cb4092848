#include "quantscope/model_report.h"

#include "quantscope/errors.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <queue>

namespace quantscope {

const ReportResult* TensorReport::find(const std::string& scheme, int bits) const
{
    for (const ReportResult& result : results) {
        if (result.scheme == scheme && result.bits == bits) {
            return &result;
        }
    }
    return nullptr;
}

const ReportResult* TensorReport::findSetting(const std::string& scheme,
                                              const std::string& setting) const
{
    for (const ReportResult& result : results) {
        if (result.scheme == scheme && result.setting() == setting) {
            return &result;
        }
    }
    return nullptr;
}

double noiseRatio(const Metrics& metrics)
{
    if (metrics.sqnrDb) {
        return std::pow(10.0, -*metrics.sqnrDb / 10.0);
    }
    return metrics.mse == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
}

std::optional<double> sqnrFromNoise(double weightedNoise, double parameters)
{
    if (!(weightedNoise > 0.0) || std::isinf(weightedNoise) || parameters <= 0.0) {
        return std::nullopt;
    }
    return -10.0 * std::log10(weightedNoise / parameters);
}

namespace {

// The model at one scheme and setting, from each tensor's result found by `pick`.
template <typename Pick>
ReportTotal totalOf(const ModelReport& report, ReportTotal total, Pick pick)
{
    double parameters = 0.0;
    double noise = 0.0;
    double storedBits = 0.0;
    for (const TensorReport& tensor : report.tensors) {
        if (!tensor.skipReason.empty()) {
            continue;
        }
        const ReportResult* result = pick(tensor);
        if (result == nullptr || !result->metrics) {
            ++total.failedTensors;
            continue;
        }
        const auto n = static_cast<double>(tensor.parameters());
        parameters += n;
        noise += n * noiseRatio(*result->metrics);
        storedBits += n * result->bpw;
    }
    total.bpw = parameters > 0.0 ? storedBits / parameters : 0.0;
    total.bytes = storedBits / 8.0;
    if (total.failedTensors == 0) {
        total.sqnrDb = sqnrFromNoise(noise, parameters);
    }
    return total;
}

} // namespace

std::vector<ReportTotal> reportTotals(const ModelReport& report)
{
    // Every (scheme, setting) the results hold, in the order they first appear.
    std::vector<const ReportResult*> settings;
    for (const TensorReport& tensor : report.tensors) {
        for (const ReportResult& result : tensor.results) {
            const bool seen = std::any_of(settings.begin(), settings.end(), [&](auto* known) {
                return known->scheme == result.scheme && known->setting() == result.setting();
            });
            if (!seen) {
                settings.push_back(&result);
            }
        }
    }
    std::vector<ReportTotal> totals;
    for (const ReportResult* setting : settings) {
        const std::string name = setting->setting();
        totals.push_back(totalOf(
            report, {setting->scheme, setting->bits, setting->variant},
            [&](const TensorReport& tensor) { return tensor.findSetting(setting->scheme, name); }));
    }
    return totals;
}

std::vector<ReportTotal> reportTotalsAt(const ModelReport& report, int bits)
{
    std::vector<ReportTotal> totals;
    for (const std::string& scheme : report.schemes) {
        totals.push_back(totalOf(report, {scheme, bits, {}}, [&](const TensorReport& tensor) {
            return tensor.find(scheme, bits);
        }));
    }
    return totals;
}

std::vector<std::size_t> shardTensors(const std::vector<std::int64_t>& sizes, ReportShard shard)
{
    if (shard.count < 1 || shard.index < 1 || shard.index > shard.count) {
        throw UsageError("shard " + std::to_string(shard.index) + "/" +
                         std::to_string(shard.count) + " is not one of 1/N .. N/N");
    }
    std::vector<std::size_t> order(sizes.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return sizes[a] > sizes[b]; });
    // Least loaded shard first; among equals the lower one.
    using Load = std::pair<std::int64_t, int>;
    std::priority_queue<Load, std::vector<Load>, std::greater<>> loads;
    for (int s = 1; s <= shard.count; ++s) {
        loads.push({0, s});
    }
    std::vector<std::size_t> mine;
    for (const std::size_t tensor : order) {
        auto [load, s] = loads.top();
        loads.pop();
        if (s == shard.index) {
            mine.push_back(tensor);
        }
        loads.push({load + std::max<std::int64_t>(sizes[tensor], 1), s});
    }
    std::sort(mine.begin(), mine.end());
    return mine;
}

ModelReport mergeReports(std::vector<ModelReport> parts)
{
    if (parts.empty()) {
        throw UsageError("report --merge: no part reports given");
    }
    ModelReport whole;
    whole.file = parts.front().file;
    whole.schemes = parts.front().schemes;
    whole.bits = parts.front().bits;
    whole.granularity = parts.front().granularity;
    const int count = parts.front().shard ? parts.front().shard->count : 1;
    std::vector<bool> seen(static_cast<std::size_t>(count) + 1, false);
    for (ModelReport& part : parts) {
        const std::string which =
            part.shard ? std::to_string(part.shard->index) + "/" + std::to_string(part.shard->count)
                       : std::string("whole");
        if (!part.shard || part.shard->count != count) {
            throw InputError("report --merge: part " + which + " of " + part.file +
                             " is not one of " + std::to_string(count) + " shards");
        }
        if (part.file != whole.file || part.schemes != whole.schemes || part.bits != whole.bits ||
            part.granularity != whole.granularity) {
            throw InputError(
                "report --merge: part " + which +
                " was made from another file, schemes, bits or granularity than part " +
                std::to_string(parts.front().shard->index));
        }
        if (seen[static_cast<std::size_t>(part.shard->index)]) {
            throw InputError("report --merge: part " + which + " is given twice");
        }
        seen[static_cast<std::size_t>(part.shard->index)] = true;
        if (part.shard->index == 1) {
            whole.skipped = std::move(part.skipped);
        }
        std::move(part.tensors.begin(), part.tensors.end(), std::back_inserter(whole.tensors));
    }
    for (int s = 1; s <= count; ++s) {
        if (!seen[static_cast<std::size_t>(s)]) {
            throw InputError("report --merge: part " + std::to_string(s) + "/" +
                             std::to_string(count) + " of " + whole.file + " is missing");
        }
    }
    std::sort(whole.tensors.begin(), whole.tensors.end(),
              [](const TensorReport& a, const TensorReport& b) { return a.index < b.index; });
    const auto repeated = std::adjacent_find(
        whole.tensors.begin(), whole.tensors.end(),
        [](const TensorReport& a, const TensorReport& b) { return a.index == b.index; });
    if (repeated != whole.tensors.end()) {
        throw InputError("report --merge: tensor '" + repeated->name + "' is in two parts");
    }
    return whole;
}

} // namespace quantscope
