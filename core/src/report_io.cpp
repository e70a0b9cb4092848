#include "quantscope/report_io.h"

#include "quantscope/errors.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>

namespace quantscope {

namespace {

using Json = nlohmann::ordered_json;

Json optionalNumber(const std::optional<double>& value)
{
    return value && std::isfinite(*value) ? Json(*value) : Json(nullptr);
}

Json metricsJson(const Metrics& metrics)
{
    Json json = Json::object();
    json["mse"] = metrics.mse;
    json["rmse"] = metrics.rmse;
    json["sqnr_db"] = optionalNumber(metrics.sqnrDb);
    json["max_abs_error"] = metrics.maxAbsError;
    json["mean_error"] = metrics.meanError;
    json["entropy_bits"] = metrics.entropyBits;
    if (metrics.weightedEntropy) {
        json["weighted_entropy"] = *metrics.weightedEntropy;
    }
    json["clipped_fraction"] = metrics.clippedFraction;
    json["levels_used"] = metrics.levelsUsed;
    return json;
}

Json tensorHead(const TensorReport& tensor)
{
    Json json = Json::object();
    json["index"] = tensor.index;
    json["name"] = tensor.name;
    json["shape"] = tensor.shape;
    json["dtype"] = tensor.dtype;
    return json;
}

Json resultJson(const ReportResult& result)
{
    Json json = Json::object();
    json["scheme"] = result.scheme;
    json["bits"] = result.bits;
    if (!result.variant.empty()) {
        json["variant"] = result.variant;
    }
    json["bpw"] = result.bpw;
    if (result.metrics) {
        json.update(metricsJson(*result.metrics));
    } else {
        json["error"] = result.error;
    }
    return json;
}

Json allocationJson(const BitAllocation& allocation)
{
    Json json = Json::object();
    json["scheme"] = allocation.scheme;
    json["budget_bits"] = allocation.budgetBits;
    json["average_bits"] = allocation.averageBits;
    json["sqnr_db"] = optionalNumber(allocation.sqnrDb);
    json["bytes"] = allocation.bytes;
    json["proven_optimal"] = allocation.provenOptimal;
    Json uniform = Json::object();
    uniform["bits"] = allocation.uniformBits ? Json(*allocation.uniformBits) : Json(nullptr);
    if (!allocation.uniformVariant.empty()) {
        uniform["variant"] = allocation.uniformVariant;
    }
    uniform["sqnr_db"] = optionalNumber(allocation.uniformSqnrDb);
    json["uniform"] = uniform;
    json["gain_db"] = allocation.sqnrDb && allocation.uniformSqnrDb
                          ? Json(*allocation.sqnrDb - *allocation.uniformSqnrDb)
                          : Json(nullptr);
    Json tensors = Json::array();
    for (const TensorAllocation& tensor : allocation.tensors) {
        Json entry = {{"name", tensor.name}, {"bits", tensor.bits}};
        if (!tensor.variant.empty()) {
            entry["variant"] = tensor.variant;
        }
        entry["bpw"] = tensor.bpw;
        tensors.push_back(entry);
    }
    json["tensors"] = tensors;
    return json;
}

[[noreturn]] void fail(const std::string& path, const std::string& problem)
{
    throw InputError(path + ": not a QuantScope report (" + problem + ")");
}

template <typename T> T field(const Json& object, const char* key, const std::string& path)
{
    const auto found = object.find(key);
    if (found == object.end()) {
        fail(path, std::string("no \"") + key + "\"");
    }
    try {
        return found->get<T>();
    } catch (const Json::exception&) {
        fail(path, std::string("\"") + key + "\" has the wrong type");
    }
}

std::optional<double> optionalField(const Json& object, const char* key, const std::string& path)
{
    const auto found = object.find(key);
    if (found == object.end() || found->is_null()) {
        return std::nullopt;
    }
    if (!found->is_number()) {
        fail(path, std::string("\"") + key + "\" is not a number");
    }
    return found->get<double>();
}

Metrics metricsFromJson(const Json& json, const std::string& path, std::int64_t count)
{
    Metrics metrics;
    metrics.count = count;
    metrics.mse = field<double>(json, "mse", path);
    metrics.rmse = field<double>(json, "rmse", path);
    metrics.sqnrDb = optionalField(json, "sqnr_db", path);
    metrics.maxAbsError = field<double>(json, "max_abs_error", path);
    metrics.meanError = field<double>(json, "mean_error", path);
    metrics.entropyBits = field<double>(json, "entropy_bits", path);
    metrics.weightedEntropy = optionalField(json, "weighted_entropy", path);
    metrics.clippedFraction = field<double>(json, "clipped_fraction", path);
    metrics.levelsUsed = field<int>(json, "levels_used", path);
    return metrics;
}

TensorReport tensorFromJson(const Json& json, const std::string& path)
{
    TensorReport tensor;
    tensor.index = field<std::int64_t>(json, "index", path);
    tensor.name = field<std::string>(json, "name", path);
    tensor.shape = field<Shape>(json, "shape", path);
    tensor.dtype = field<std::string>(json, "dtype", path);
    return tensor;
}

// Shortest text that reads back as the same double; empty for an absent value.
std::string csvNumber(const std::optional<double>& value)
{
    if (!value || !std::isfinite(*value)) {
        return {};
    }
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, *value);
    return std::string(buffer, result.ptr);
}

std::string csvCell(const std::string& text)
{
    if (text.find_first_of(",\"\r\n") == std::string::npos) {
        return text;
    }
    std::string quoted = "\"";
    for (const char c : text) {
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    }
    return quoted + "\"";
}

} // namespace

std::string reportToJson(const ModelReport& report, const std::optional<BitAllocation>& allocation)
{
    Json root = Json::object();
    root["file"] = report.file;
    root["schemes"] = report.schemes;
    root["bits"] = report.bits;
    root["granularity"] = report.granularity;
    if (report.shard) {
        root["shard"] =
            std::to_string(report.shard->index) + "/" + std::to_string(report.shard->count);
    }
    Json tensors = Json::array();
    Json skipped = Json::array();
    for (const SkippedTensor& tensor : report.skipped) {
        skipped.push_back({{"name", tensor.name}, {"reason", tensor.reason}});
    }
    for (const TensorReport& tensor : report.tensors) {
        Json json = tensorHead(tensor);
        if (!tensor.skipReason.empty()) {
            json["reason"] = tensor.skipReason;
            skipped.push_back(json);
            continue;
        }
        json["count"] = tensor.count;
        json["nonfinite"] = tensor.nonFinite;
        Json results = Json::array();
        for (const ReportResult& result : tensor.results) {
            results.push_back(resultJson(result));
        }
        json["results"] = results;
        tensors.push_back(json);
    }
    root["tensors"] = tensors;
    root["skipped"] = skipped;
    Json totals = Json::array();
    for (const ReportTotal& total : reportTotals(report)) {
        Json entry = {{"scheme", total.scheme}, {"bits", total.bits}};
        if (!total.variant.empty()) {
            entry["variant"] = total.variant;
        }
        entry["bpw"] = total.bpw;
        entry["sqnr_db"] = optionalNumber(total.sqnrDb);
        entry["bytes"] = total.bytes;
        entry["failed_tensors"] = total.failedTensors;
        totals.push_back(entry);
    }
    root["totals"] = totals;
    if (allocation) {
        root["allocation"] = allocationJson(*allocation);
    }
    return root.dump() + "\n";
}

ModelReport reportFromJson(std::string_view text, const std::string& path)
{
    const Json root = Json::parse(text, nullptr, false);
    if (root.is_discarded() || !root.is_object()) {
        fail(path, "not a JSON object");
    }
    ModelReport report;
    report.file = field<std::string>(root, "file", path);
    report.schemes = field<std::vector<std::string>>(root, "schemes", path);
    report.bits = field<std::vector<int>>(root, "bits", path);
    report.granularity = field<std::string>(root, "granularity", path);
    if (const auto shard = root.find("shard"); shard != root.end()) {
        const std::string value = shard->is_string() ? shard->get<std::string>() : std::string();
        ReportShard parsed;
        if (std::sscanf(value.c_str(), "%d/%d", &parsed.index, &parsed.count) != 2) {
            fail(path, "\"shard\" is not I/N");
        }
        report.shard = parsed;
    }
    for (const Json& json : field<Json>(root, "tensors", path)) {
        TensorReport tensor = tensorFromJson(json, path);
        tensor.count = field<std::int64_t>(json, "count", path);
        tensor.nonFinite = field<std::int64_t>(json, "nonfinite", path);
        for (const Json& item : field<Json>(json, "results", path)) {
            ReportResult result;
            result.scheme = field<std::string>(item, "scheme", path);
            result.bits = field<int>(item, "bits", path);
            if (item.contains("variant")) {
                result.variant = field<std::string>(item, "variant", path);
            }
            result.bpw = field<double>(item, "bpw", path);
            if (item.contains("error")) {
                result.error = field<std::string>(item, "error", path);
            } else {
                result.metrics = metricsFromJson(item, path, tensor.count);
            }
            tensor.results.push_back(std::move(result));
        }
        report.tensors.push_back(std::move(tensor));
    }
    for (const Json& json : field<Json>(root, "skipped", path)) {
        if (json.contains("index")) {
            TensorReport tensor = tensorFromJson(json, path);
            tensor.skipReason = field<std::string>(json, "reason", path);
            report.tensors.push_back(std::move(tensor));
        } else {
            report.skipped.push_back(
                {field<std::string>(json, "name", path), field<std::string>(json, "reason", path)});
        }
    }
    std::sort(report.tensors.begin(), report.tensors.end(),
              [](const TensorReport& a, const TensorReport& b) { return a.index < b.index; });
    return report;
}

std::string reportToCsv(const ModelReport& report)
{
    std::string csv = "tensor,shape,dtype,count,scheme,bits,variant,bpw,mse,rmse,sqnr_db,"
                      "max_abs_error,"
                      "mean_error,entropy_bits,weighted_entropy,clipped_fraction,levels_used,"
                      "error\n";
    for (const TensorReport& tensor : report.tensors) {
        for (const ReportResult& result : tensor.results) {
            std::vector<std::string> cells = {
                csvCell(tensor.name),    csvCell(shapeToString(tensor.shape)),
                csvCell(tensor.dtype),   std::to_string(tensor.count),
                result.scheme,           std::to_string(result.bits),
                csvCell(result.variant), csvNumber(result.bpw)};
            if (const auto& m = result.metrics) {
                for (const auto& value :
                     {std::optional(m->mse), std::optional(m->rmse), m->sqnrDb,
                      std::optional(m->maxAbsError), std::optional(m->meanError),
                      std::optional(m->entropyBits), m->weightedEntropy,
                      std::optional(m->clippedFraction)}) {
                    cells.push_back(csvNumber(value));
                }
                cells.push_back(std::to_string(m->levelsUsed));
                cells.emplace_back();
            } else {
                cells.resize(cells.size() + 9);
                cells.push_back(csvCell(result.error));
            }
            for (std::size_t i = 0; i < cells.size(); ++i) {
                csv += (i > 0 ? "," : "") + cells[i];
            }
            csv += '\n';
        }
    }
    return csv;
}

} // namespace quantscope
