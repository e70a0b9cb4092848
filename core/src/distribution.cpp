#include "quantscope/distribution.h"

#include "block_sums.h"
#include "finite_sort.h"
#include "quantscope/errors.h"
#include "quantscope/parallel.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <vector>

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

namespace {

constexpr std::int64_t kParallelScanBlocks = 1 << 14;

// Progress of one step of the build, mapped to [from, to] of the whole.
ProgressCallback partOf(const ProgressCallback& progress, double from, double to)
{
    if (!progress) {
        return {};
    }
    return [&progress, from, to](double f) { return progress(from + (to - from) * f); };
}

// Turns the sums of the blocks, held at [1, blocks], into prefix sums: [b] = blocks before b.
void prefixInPlace(std::span<CompensatedSum> sums)
{
    sums[0] = CompensatedSum();
    for (std::size_t b = 1; b < sums.size(); ++b) {
        sums[b] = sums[b - 1] + sums[b];
    }
}

} // namespace

Distribution::Distribution(std::span<const float> values, const ProgressCallback& progress)
{
    // Counting is a tenth of the work, sorting (with the block sums) nearly all the rest.
    FiniteSorter sorter(values, partOf(progress, 0.0, 0.1));
    m_count = sorter.finiteCount();
    m_nonFinite = sorter.nonFiniteCount();
    // Raw storage: the sort keeps its keys there before the values.
    m_sorted = PopulatedArray<float>(m_count);
    const std::int64_t blocks = m_count / kBlockSize;
    m_blockSum = PopulatedArray<CompensatedSum>(blocks + 1);
    m_blockSumSquares = PopulatedArray<CompensatedSum>(blocks + 1);

    // The blocks inside a sorted range are summed as soon as it is sorted, while it is still in
    // cache; a block that straddles two ranges waits until both are done.
    std::mutex straddlersMutex;
    std::vector<std::int64_t> straddlers;
    const auto sumBlocks = [this](std::int64_t first, std::int64_t last) {
        if (first < last) {
            blockRunSums(m_sorted.data() + first * kBlockSize, last - first, &m_blockSum[first + 1],
                         &m_blockSumSquares[first + 1]);
        }
    };
    sorter.sortInto(
        m_sorted.data(), partOf(progress, 0.1, 0.98), [&](std::int64_t begin, std::int64_t end) {
            sumBlocks((begin + kBlockSize - 1) / kBlockSize, std::min(end / kBlockSize, blocks));
            if (end % kBlockSize != 0 && end / kBlockSize < blocks) {
                const std::lock_guard lock(straddlersMutex);
                straddlers.push_back(end / kBlockSize);
            }
        });
    std::sort(straddlers.begin(), straddlers.end());
    straddlers.erase(std::unique(straddlers.begin(), straddlers.end()), straddlers.end());
    for (std::int64_t block : straddlers) {
        sumBlocks(block, block + 1);
    }
    // The two scans are independent: one thread each, when they are long enough to pay for it.
    parallelTasks(2, blocks >= kParallelScanBlocks ? 2 : 1, [this](std::int64_t task, int) {
        prefixInPlace(task == 0 ? m_blockSum.span() : m_blockSumSquares.span());
    });
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
    const std::span<const float> values = sorted();
    return std::lower_bound(values.begin(), values.end(), x,
                            [](float v, double t) { return double(v) < t; }) -
           values.begin();
}

std::int64_t Distribution::upperIndex(double x) const
{
    const std::span<const float> values = sorted();
    return std::upper_bound(values.begin(), values.end(), x,
                            [](double t, float v) { return t < double(v); }) -
           values.begin();
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
