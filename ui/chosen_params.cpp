#include "chosen_params.h"

#include "quantscope/scheme.h"
#include "quantscope/schemes/dsq.h"
#include "quantscope/schemes/minifloat.h"

#include <cmath>
#include <exception>
#include <vector>

namespace quantscope {
namespace {

constexpr double kSixteenths = 16.0; // weq-log's exponents are in sixteenths of an octave

std::optional<double> dsqValue(const QuantResult& result, const Distribution& dist,
                               const std::string& name)
{
    try {
        const DsqQuantizer q = dsqQuantizerFor(dist, schemeById("dsq").resolve(result.params));
        if (name == "step") {
            return q.delta();
        }
        if (name == "lower") {
            return q.lower;
        }
        if (name == "upper") {
            return q.upper;
        }
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

std::optional<double> weqLogValue(const QuantResult& result, const std::string& name)
{
    const std::vector<double>& levels = result.codebook.levels;
    if (name == "signed") {
        return levels.front() < 0.0 ? 1.0 : 0.0;
    }
    if (name == "step") {
        std::vector<double> positive;
        for (double level : levels) {
            if (level > 0.0) {
                positive.push_back(level);
            }
        }
        if (positive.size() >= 2) {
            return std::round(kSixteenths * std::log2(positive[1] / positive[0]));
        }
    }
    return std::nullopt;
}

} // namespace

std::optional<double> chosenParamValue(const QuantResult& result, const Distribution& dist,
                                       const std::string& name)
{
    if (!result.valid() || result.codebook.levels.empty() || dist.empty()) {
        return std::nullopt;
    }
    const std::string& id = result.schemeId;
    if (id == "dsq") {
        return dsqValue(result, dist, name);
    }
    if (id == "weq-log") {
        return weqLogValue(result, name);
    }
    if (id == "minifloat" && name == "exponent") {
        try {
            return minifloatFormat(bitsOf(result.params)).exponentBits;
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    if (const auto& linear = result.codebook.linear) {
        if (name == "step") {
            return linear->scale;
        }
        if (name == "range") {
            return linear->scale * double(linear->qmax);
        }
    }
    return std::nullopt;
}

} // namespace quantscope
