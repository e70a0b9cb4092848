#include "quantization.h"

#include "quantscope/compensated_sum.h"
#include "quantscope/distribution.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace quantscope::cli {

namespace {

// Sums over the slices, from which the whole tensor's metrics follow.
struct MetricSums {
    std::int64_t count = 0;
    CompensatedSum squaredError;
    CompensatedSum error;
    CompensatedSum signalSquares;
    CompensatedSum clipped;
    double maxAbsError = 0.0;
    std::map<std::int64_t, std::int64_t> codeCounts;

    void add(const Distribution& dist, const Codebook& codebook, const Metrics& metrics)
    {
        const auto n = dist.count();
        count += n;
        const auto stats = levelStats(dist, codebook);
        for (std::size_t k = 0; k < stats.size(); ++k) {
            squaredError += stats[k].sumSquaredError;
            if (stats[k].count > 0) {
                codeCounts[codebook.codes[k]] += stats[k].count;
            }
        }
        error += CompensatedSum::product(metrics.meanError, static_cast<double>(n));
        clipped += CompensatedSum::product(metrics.clippedFraction, static_cast<double>(n));
        signalSquares += dist.indexStats(0, n).sumSquares;
        maxAbsError = std::max(maxAbsError, metrics.maxAbsError);
    }

    Metrics metrics() const
    {
        Metrics m;
        m.count = count;
        if (count == 0) {
            return m;
        }
        const double n = static_cast<double>(count);
        const double sse = squaredError.value();
        const double signal = signalSquares.value();
        m.mse = sse / n;
        m.rmse = std::sqrt(m.mse);
        if (sse > 0.0 && signal > 0.0) {
            m.sqnrDb = 10.0 * std::log10(signal / sse);
        }
        m.maxAbsError = maxAbsError;
        m.meanError = error.value() / n;
        m.clippedFraction = clipped.value() / n;
        for (const auto& [code, population] : codeCounts) {
            const double p = static_cast<double>(population) / n;
            m.entropyBits -= p * std::log2(p);
        }
        m.entropyBits = std::max(0.0, m.entropyBits); // -0 for a single code
        m.levelsUsed = static_cast<int>(codeCounts.size());
        return m;
    }
};

} // namespace

QuantizedTensor quantizeTensor(const Tensor& tensor, const Scheme& scheme, const Params& params,
                               const std::optional<SliceLayout>& layout,
                               const QuantizeOptions& options)
{
    QuantizedTensor result;
    if (!layout) {
        const Distribution dist(tensor.values());
        result.codebooks.push_back(scheme.design(dist, params));
        result.metrics = computeMetrics(dist, result.codebooks.front());
        result.nonFinite = dist.nonFiniteCount();
        if (options.apply) {
            result.applied = applyCodebook(tensor.values(), result.codebooks.front());
        }
        return result;
    }
    result.sliceCount = layout->sliceCount();
    if (options.apply) {
        result.applied.emplace();
        result.applied->codes.resize(tensor.values().size());
        result.applied->dequantized.resize(tensor.values().size());
    }
    MetricSums sums;
    for (std::int64_t s = 0; s < layout->sliceCount(); ++s) {
        const auto part = layout->gather(tensor.values(), s);
        const Distribution dist(part);
        Codebook codebook = scheme.design(dist, params);
        sums.add(dist, codebook, computeMetrics(dist, codebook));
        result.nonFinite += dist.nonFiniteCount();
        if (options.apply) {
            const AppliedTensor applied = applyCodebook(part, codebook);
            layout->scatter<std::int32_t>(applied.codes, s, result.applied->codes);
            layout->scatter<float>(applied.dequantized, s, result.applied->dequantized);
        }
        if (options.keepCodebooks) {
            result.codebooks.push_back(std::move(codebook));
        }
    }
    result.metrics = sums.metrics();
    return result;
}

} // namespace quantscope::cli
