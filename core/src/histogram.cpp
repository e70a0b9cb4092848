#include "quantscope/histogram.h"

#include <algorithm>
#include <cmath>

namespace quantscope {

Histogram histogram(const Distribution& dist, std::vector<double> edges)
{
    Histogram result;
    result.edges = std::move(edges);
    if (result.edges.size() < 2) {
        return result;
    }
    const std::size_t bins = result.edges.size() - 1;
    result.counts.resize(bins);
    std::int64_t previous = dist.lowerIndex(result.edges.front());
    for (std::size_t i = 0; i < bins; ++i) {
        const bool last = i + 1 == bins;
        const std::int64_t next =
            last ? dist.upperIndex(result.edges[i + 1]) : dist.lowerIndex(result.edges[i + 1]);
        result.counts[i] = std::max<std::int64_t>(0, next - previous);
        previous = std::max(previous, next);
    }
    return result;
}

Histogram uniformHistogram(const Distribution& dist, int bins, double lo, double hi)
{
    bins = std::max(1, bins);
    if (!(hi > lo)) {
        lo -= 0.5;
        hi += 0.5;
    }
    std::vector<double> edges(bins + 1);
    for (int i = 0; i <= bins; ++i) {
        edges[i] = lo + (hi - lo) * double(i) / double(bins);
    }
    edges.back() = hi;
    return histogram(dist, std::move(edges));
}

Histogram autoHistogram(const Distribution& dist, int bins)
{
    if (dist.empty()) {
        return uniformHistogram(dist, 1, 0.0, 0.0);
    }
    const double lo = dist.min();
    const double hi = dist.max();
    if (bins <= 0) {
        constexpr int kMinBins = 16;
        constexpr int kMaxBins = 2048;
        // Freedman–Diaconis; its IQR is 0 for spiky data (e.g. ReLU zeros): fall back to sqrt(n).
        const double iqr = double(dist.quantile(0.75)) - double(dist.quantile(0.25));
        const double n = double(dist.count());
        const double width = 2.0 * iqr / std::cbrt(n);
        const double estimate = width > 0 ? (hi - lo) / width : std::sqrt(n);
        bins =
            static_cast<int>(std::clamp(std::ceil(estimate), double(kMinBins), double(kMaxBins)));
    }
    return uniformHistogram(dist, bins, lo, hi);
}

} // namespace quantscope
