#include "quant_result.h"

#include "quantscope/scheme.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>

namespace quantscope {
namespace {

constexpr int kErrorHistogramBins = 101;

} // namespace

int bitsOf(const Params& params)
{
    if (params.has("bits")) {
        return params.getInt("bits");
    }
    if (params.has("levels")) {
        const double levels = params.get("levels");
        return levels > 1 ? static_cast<int>(std::ceil(std::log2(levels))) : 1;
    }
    return 8;
}

bool schemeTakesBits(const std::string& schemeId)
{
    const Scheme* scheme = findScheme(schemeId);
    if (scheme == nullptr) {
        return false;
    }
    for (const auto& spec : scheme->paramSpecs()) {
        if (spec.kind == ParamKind::Bits || spec.kind == ParamKind::Levels) {
            return true;
        }
    }
    return false;
}

QuantResult designResult(const Distribution& dist, const std::string& schemeId,
                         const Params& params)
{
    QuantResult result;
    result.schemeId = schemeId;
    result.params = params;
    try {
        result.codebook = schemeById(schemeId).design(dist, params);
        result.metrics = computeMetrics(dist, result.codebook);
        result.levels = levelStats(dist, result.codebook);
        result.errorHistogram =
            errorHistogram(dist, result.codebook, result.levels, kErrorHistogramBins);
    } catch (const std::exception& e) {
        result = QuantResult{};
        result.schemeId = schemeId;
        result.params = params;
        result.error = e.what();
    }
    return result;
}

Histogram errorHistogram(const Distribution& dist, const Codebook& codebook,
                         const std::vector<LevelStats>& levels, int bins)
{
    Histogram out;
    if (bins <= 0 || dist.empty() || levels.size() != codebook.levels.size()) {
        return out;
    }
    // Error range from each used level's extreme values.
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (std::size_t k = 0; k < levels.size(); ++k) {
        if (levels[k].count > 0) {
            lo = std::min(lo, codebook.levels[k] - levels[k].maxValue);
            hi = std::max(hi, codebook.levels[k] - levels[k].minValue);
        }
    }
    if (!(lo <= hi)) {
        return out;
    }
    if (hi - lo <= 0.0) {
        // A single error value: one bin around it holds everything.
        const double half = std::max(std::abs(lo) * 1e-6, 1e-12);
        lo -= half;
        hi += half;
    }
    const double width = (hi - lo) / bins;
    out.edges.resize(bins + 1);
    for (int i = 0; i <= bins; ++i) {
        out.edges[i] = lo + width * i;
    }
    out.edges.back() = hi;
    out.counts.assign(bins, 0);

    const auto& t = codebook.thresholds;
    for (std::size_t k = 0; k < levels.size(); ++k) {
        if (levels[k].count == 0) {
            continue;
        }
        const double r = codebook.levels[k];
        // Sorted indices of the level's values: [t[k-1], t[k]).
        const std::int64_t levelBegin = k == 0 ? 0 : dist.lowerIndex(t[k - 1]);
        const std::int64_t levelEnd = k + 1 == levels.size() ? dist.count() : dist.lowerIndex(t[k]);
        const double eMin = r - levels[k].maxValue;
        const double eMax = r - levels[k].minValue;
        int first = std::clamp(static_cast<int>(std::floor((eMin - lo) / width)), 0, bins - 1);
        int last = std::clamp(static_cast<int>(std::floor((eMax - lo) / width)), 0, bins - 1);
        // Error e = r − x lies in bin i when x lies in (r − e_{i+1}, r − e_i]; walk the bins
        // from high x (low error) downwards so each value is counted once.
        std::int64_t upper = levelEnd;
        for (int i = first; i <= last; ++i) {
            const std::int64_t lower =
                i == last ? levelBegin
                          : std::clamp(dist.upperIndex(r - out.edges[i + 1]), levelBegin, upper);
            out.counts[i] += upper - lower;
            upper = lower;
        }
    }
    return out;
}

} // namespace quantscope
