#include "quantscope/distribution.h"

#include "quantscope/errors.h"
#include "radix_sort.h"

#include <algorithm>
#include <cmath>

namespace quantscope {
namespace {

// Neumaier's compensated sum of a short run of values (and of their squares).
struct RunSums {
    CompensatedSum sum;
    CompensatedSum sumSquares;
};

RunSums sumRun(const float* begin, const float* end)
{
    double s = 0.0, sc = 0.0, q = 0.0, qc = 0.0;
    auto add = [](double& total, double& comp, double x) {
        const double t = total + x;
        comp += std::abs(total) >= std::abs(x) ? (total - t) + x : (x - t) + total;
        total = t;
    };
    for (const float* p = begin; p != end; ++p) {
        const double x = *p;
        add(s, sc, x);
        add(q, qc, x * x); // exact: a float32 squared fits a double's mantissa
    }
    RunSums sums;
    sums.sum = CompensatedSum(s);
    sums.sum += sc;
    sums.sumSquares = CompensatedSum(q);
    sums.sumSquares += qc;
    return sums;
}

} // namespace

Distribution::Distribution(std::span<const float> values, const ProgressCallback& progress)
{
    m_sorted.reserve(values.size());
    for (float v : values) {
        if (std::isfinite(v)) {
            m_sorted.push_back(v);
        }
    }
    m_nonFinite = static_cast<std::int64_t>(values.size() - m_sorted.size());
    m_sorted.shrink_to_fit();
    // The sort is ~90% of the work; the sums take the rest.
    radixSortFloats(m_sorted, [&](double f) { return !progress || progress(0.9 * f); });

    const std::int64_t blocks = count() / kBlockSize;
    m_blockSum.resize(blocks + 1);
    m_blockSumSquares.resize(blocks + 1);
    for (std::int64_t b = 0; b < blocks; ++b) {
        const float* start = m_sorted.data() + b * kBlockSize;
        const RunSums run = sumRun(start, start + kBlockSize);
        m_blockSum[b + 1] = m_blockSum[b] + run.sum;
        m_blockSumSquares[b + 1] = m_blockSumSquares[b] + run.sumSquares;
    }
    if (progress && !progress(1.0)) {
        throw Cancelled();
    }
}

double Distribution::maxAbs() const
{
    return empty() ? 0.0 : std::max(std::abs(double(min())), std::abs(double(max())));
}

double Distribution::mean() const
{
    return empty() ? 0.0 : prefixSum(count()).value() / double(count());
}

double Distribution::stddev() const
{
    if (empty()) {
        return 0.0;
    }
    const double n = double(count());
    const CompensatedSum sum = prefixSum(count());
    const double variance = (prefixSumSquares(count()) - sum.times(sum.value() / n)).value() / n;
    return std::sqrt(std::max(0.0, variance));
}

std::int64_t Distribution::lowerIndex(double x) const
{
    return std::lower_bound(m_sorted.begin(), m_sorted.end(), x,
                            [](float v, double t) { return double(v) < t; }) -
           m_sorted.begin();
}

std::int64_t Distribution::upperIndex(double x) const
{
    return std::upper_bound(m_sorted.begin(), m_sorted.end(), x,
                            [](double t, float v) { return t < double(v); }) -
           m_sorted.begin();
}

CompensatedSum Distribution::prefixSum(std::int64_t index) const
{
    const std::int64_t block = index / kBlockSize;
    const float* start = m_sorted.data() + block * kBlockSize;
    return m_blockSum[block] + sumRun(start, m_sorted.data() + index).sum;
}

CompensatedSum Distribution::prefixSumSquares(std::int64_t index) const
{
    const std::int64_t block = index / kBlockSize;
    const float* start = m_sorted.data() + block * kBlockSize;
    return m_blockSumSquares[block] + sumRun(start, m_sorted.data() + index).sumSquares;
}

RangeStats Distribution::indexStats(std::int64_t begin, std::int64_t end) const
{
    RangeStats stats;
    begin = std::clamp<std::int64_t>(begin, 0, count());
    end = std::clamp<std::int64_t>(end, begin, count());
    stats.count = end - begin;
    if (end - begin <= kBlockSize) {
        // Short ranges directly: no cancellation between two large prefix sums.
        const RunSums run = sumRun(m_sorted.data() + begin, m_sorted.data() + end);
        stats.sum = run.sum;
        stats.sumSquares = run.sumSquares;
    } else {
        stats.sum = prefixSum(end) - prefixSum(begin);
        stats.sumSquares = prefixSumSquares(end) - prefixSumSquares(begin);
    }
    return stats;
}

RangeStats Distribution::rangeStats(double a, double b) const
{
    if (!(a < b)) {
        return {};
    }
    return indexStats(lowerIndex(a), lowerIndex(b));
}

float Distribution::quantile(double q) const
{
    if (empty()) {
        return 0.0f;
    }
    const double rank = std::ceil(std::clamp(q, 0.0, 1.0) * double(count()));
    const auto index =
        std::clamp<std::int64_t>(static_cast<std::int64_t>(rank) - 1, 0, count() - 1);
    return m_sorted[index];
}

} // namespace quantscope
