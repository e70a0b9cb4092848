#include "report.h"

#include "cli_common.h"

namespace quantscope::cli {

void writeParams(JsonWriter& json, const Params& params)
{
    json.beginObject();
    for (const auto& [name, value] : params.values()) {
        json.member(name, value);
    }
    json.endObject();
}

void writeCodebook(JsonWriter& json, const Codebook& codebook)
{
    json.beginObject();
    json.member("thresholds", codebook.thresholds);
    json.member("levels", codebook.levels);
    if (codebook.linear) {
        json.member("scale", codebook.linear->scale);
        json.member("zero_point", codebook.linear->zeroPoint);
        json.member("qmin", codebook.linear->qmin);
        json.member("qmax", codebook.linear->qmax);
    }
    json.endObject();
}

void writeMetricsMembers(JsonWriter& json, const Metrics& metrics)
{
    json.member("mse", metrics.mse);
    json.member("rmse", metrics.rmse);
    json.member("sqnr_db", metrics.sqnrDb);
    json.member("max_abs_error", metrics.maxAbsError);
    json.member("mean_error", metrics.meanError);
    json.member("entropy_bits", metrics.entropyBits);
    if (metrics.weightedEntropy) {
        json.member("weighted_entropy", *metrics.weightedEntropy);
    }
    json.member("clipped_fraction", metrics.clippedFraction);
    json.member("levels_used", metrics.levelsUsed);
}

const std::vector<std::string>& metricColumns()
{
    static const std::vector<std::string> columns = {
        "mse",        "rmse",         "sqnr_db",          "max_abs_error",
        "mean_error", "entropy_bits", "weighted_entropy", "clipped_fraction",
        "levels_used"};
    return columns;
}

namespace {

std::vector<std::string> metricCells(const Metrics& m, std::string (*number)(double),
                                     const std::string& absent)
{
    const auto optional = [&](const std::optional<double>& v) { return v ? number(*v) : absent; };
    return {number(m.mse),
            number(m.rmse),
            optional(m.sqnrDb),
            number(m.maxAbsError),
            number(m.meanError),
            number(m.entropyBits),
            optional(m.weightedEntropy),
            number(m.clippedFraction),
            std::to_string(m.levelsUsed)};
}

std::string textNumber(double value)
{
    return formatNumber(value);
}

} // namespace

std::vector<std::string> metricCsvCells(const Metrics& metrics)
{
    return metricCells(
        metrics,
        [](double v) {
            const std::string text = jsonNumber(v);
            return text == "null" ? formatNumber(v) : text;
        },
        "");
}

std::vector<std::string> metricTextCells(const Metrics& metrics)
{
    return metricCells(metrics, textNumber, "-");
}

std::string paramsText(const Scheme& scheme, const Params& params)
{
    const auto specs = scheme.paramSpecs();
    std::string text;
    for (const auto& [name, value] : params.values()) {
        std::string shown = formatNumber(value, 10);
        for (const auto& spec : specs) {
            const auto index = static_cast<std::size_t>(value);
            if (spec.name == name && spec.kind == ParamKind::Choice && value >= 0 &&
                index < spec.choices.size()) {
                shown = spec.choices[index];
            }
        }
        text += (text.empty() ? "" : ", ") + name + "=" + shown;
    }
    return text.empty() ? std::string("(none)") : text;
}

} // namespace quantscope::cli
