#include "quantscope/schemes/calibration.h"

#include "quantscope/codebook.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace quantscope {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// torch.histc's bin of v over [left, right] with `bins` bins, in float32 as its CPU kernel
// computes it: int((v − left) · bins / (right − left)).
double histcPosition(float v, float left, float right, int bins)
{
    const float scaled = (v - left) * static_cast<float>(bins);
    if (!std::isfinite(scaled)) {
        return (double(v) - double(left)) * bins / (double(right) - double(left));
    }
    return static_cast<double>(scaled / (right - left));
}

// The histogram of the values in [left, right] binned as histc does: each boundary is the
// smallest float whose position reaches the bin, and the counts are differences of
// `countBelow(boundary)`.
template <typename CountBelow>
std::vector<std::int64_t> histcCounts(float left, float right, int bins, std::int64_t total,
                                      CountBelow countBelow)
{
    std::vector<std::int64_t> counts(static_cast<std::size_t>(bins), 0);
    std::int64_t previous = 0;
    for (int k = 1; k < bins; ++k) {
        const double guess = double(left) + (double(right) - double(left)) * k / bins;
        const double boundary = exactThreshold(
            guess, [&](float v) { return histcPosition(v, left, right, bins) >= k; });
        const std::int64_t below = countBelow(boundary);
        counts[k - 1] = below - previous;
        previous = below;
    }
    counts[bins - 1] = total - previous;
    return counts;
}

std::vector<double> evenEdges(double left, double right, int bins)
{
    std::vector<double> edges(static_cast<std::size_t>(bins) + 1);
    for (int k = 0; k <= bins; ++k) {
        edges[k] = left + (right - left) * k / bins;
    }
    edges.back() = right;
    return edges;
}

// c10's div_floor_floating, as torch.div(a, b, rounding_mode='floor') computes it in float32.
float divFloor(float a, float b)
{
    if (b == 0.0f) {
        return a / b;
    }
    const float mod = std::fmod(a, b);
    float div = (a - mod) / b;
    if (mod != 0.0f && (b < 0.0f) != (mod < 0.0f)) {
        div -= 1.0f;
    }
    if (div == 0.0f) {
        return std::copysign(0.0f, a / b);
    }
    float floordiv = std::floor(div);
    if (div - floordiv > 0.5f) {
        floordiv += 1.0f;
    }
    return floordiv;
}

// density · (end³ − begin³) / 3: the squared error of values spread evenly over [begin, end)
// around a level at 0 (HistogramObserver._get_norm), in float32.
float l2Norm(float begin, float end, float density)
{
    return density * ((end * end * end - begin * begin * begin) / 3.0f);
}

// HistogramObserver._compute_quantization_error: the L2 error of quantizing the histogram with
// `dstBins` levels spread over source bins [start, end], float32 per bin as PyTorch does.
double histogramL2Error(const std::vector<float>& histogram, double min, double max, int start,
                        int end, double dstBins)
{
    const auto bins = static_cast<int>(histogram.size());
    const double binWidth = (max - min) / bins;
    const double dstBinWidth = binWidth * (end - start + 1) / dstBins;
    if (dstBinWidth == 0.0) {
        return 0.0;
    }
    const auto width = static_cast<float>(binWidth);
    const auto dstWidth = static_cast<float>(dstBinWidth);
    const auto halfDst = static_cast<float>(dstBinWidth / 2);
    const auto lastDst = static_cast<float>(dstBins - 1);
    double total = 0.0;
    for (int src = 0; src < bins; ++src) {
        const float srcBegin = static_cast<float>(src - start) * width;
        const float srcEnd = srcBegin + width;
        const float dstOfBegin = std::clamp(divFloor(srcBegin, dstWidth), 0.0f, lastDst);
        const float dstOfBeginCenter = (dstOfBegin + 0.5f) * dstWidth;
        const float dstOfEnd = std::clamp(divFloor(srcEnd, dstWidth), 0.0f, lastDst);
        const float density = histogram[src] / width;
        float norm = l2Norm(srcBegin - dstOfBeginCenter, halfDst, density);
        norm += (dstOfEnd - dstOfBegin - 1.0f) * l2Norm(-halfDst, halfDst, density);
        const float dstOfEndCenter = dstOfEnd * dstWidth + halfDst;
        norm += l2Norm(-halfDst, srcEnd - dstOfEndCenter, density);
        total += norm;
    }
    return total;
}

} // namespace

Histogram absHistogram(const Distribution& dist, int bins)
{
    bins = std::max(1, bins);
    const float top = dist.empty() ? 0.0f : static_cast<float>(dist.maxAbs());
    Histogram h;
    h.edges = evenEdges(0.0, top, bins);
    if (!(top > 0.0f)) {
        h.counts.assign(static_cast<std::size_t>(bins), 0);
        h.counts.front() = dist.count();
        return h;
    }
    // |x| < b holds the values in (−b, b).
    const auto countBelow = [&](double b) { return dist.lowerIndex(b) - dist.upperIndex(-b); };
    h.counts = histcCounts(0.0f, top, bins, dist.count(), countBelow);
    return h;
}

Histogram rangeHistogram(const Distribution& dist, int bins)
{
    bins = std::max(1, bins);
    Histogram h;
    if (dist.empty()) {
        h.edges = evenEdges(0.0, 0.0, bins);
        h.counts.assign(static_cast<std::size_t>(bins), 0);
        return h;
    }
    float left = dist.min();
    float right = dist.max();
    if (left == right) {
        left = static_cast<float>(double(left) - 1.0);
        right = static_cast<float>(double(right) + 1.0);
    }
    h.edges = evenEdges(left, right, bins);
    const auto countBelow = [&](double b) { return dist.lowerIndex(b); };
    h.counts = histcCounts(left, right, bins, dist.count(), countBelow);
    return h;
}

double percentileThreshold(const Histogram& absHistogram, double percentile)
{
    const auto& counts = absHistogram.counts;
    const double total = double(std::accumulate(counts.begin(), counts.end(), std::int64_t{0}));
    if (counts.empty() || total <= 0.0) {
        return 0.0;
    }
    const double target = percentile / 100.0;
    double cumulative = 0.0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        cumulative += double(counts[i]) / total;
        if (cumulative >= target) {
            return absHistogram.edges[i];
        }
    }
    return absHistogram.edges.back();
}

EntropyCalibration entropyCalibration(const Histogram& absHistogram, int bits, int startBin)
{
    EntropyCalibration result;
    std::vector<double> bins(absHistogram.counts.begin(), absHistogram.counts.end());
    const int size = static_cast<int>(bins.size());
    result.firstCandidate = startBin;
    if (size < 2 || startBin > size || startBin < 1) {
        result.thresholdBin = size;
        result.threshold = absHistogram.edges.empty() ? 0.0 : absHistogram.edges.back();
        return result;
    }
    bins[0] = bins[1]; // the reference's guard against a spike of zeros in bin 0
    const int groups = 1 << std::clamp(bits - 1, 0, 30);
    const double totalData = std::accumulate(bins.begin(), bins.end(), 0.0);
    // beyond[i]: the mass from bin i on, folded into the candidate's last bin.
    std::vector<double> beyond(static_cast<std::size_t>(size) + 1, 0.0);
    for (int j = size - 1; j >= 0; --j) {
        beyond[j] = beyond[j + 1] + bins[j];
    }

    std::vector<double> groupMean;
    std::vector<int> groupUsed;
    for (int i = startBin; i <= size; ++i) {
        // Bin j < i belongs to group floor(j · groups / i); empty bins stay empty in Q.
        groupMean.assign(static_cast<std::size_t>(groups), 0.0);
        groupUsed.assign(static_cast<std::size_t>(groups), 0);
        double candidateMass = 0.0;
        for (int j = 0; j < i; ++j) {
            if (bins[j] != 0.0) {
                const auto group = static_cast<std::size_t>(std::int64_t(j) * groups / i);
                groupMean[group] += bins[j];
                ++groupUsed[group];
                candidateMass += bins[j];
            }
        }
        for (std::size_t g = 0; g < groupMean.size(); ++g) {
            if (groupUsed[g] > 0) {
                groupMean[g] /= groupUsed[g];
            }
        }
        double divergence = 0.0;
        if (candidateMass <= 0.0) {
            divergence = kInf; // Q holds nothing: no threshold this low
        }
        for (int j = 0; j < i && divergence < kInf; ++j) {
            const double reference = j == i - 1 ? bins[j] + beyond[i] : bins[j];
            if (reference <= 0.0) {
                continue;
            }
            const double candidate =
                bins[j] != 0.0 ? groupMean[std::size_t(std::int64_t(j) * groups / i)] : 0.0;
            if (candidate <= 0.0) {
                divergence = kInf;
                break;
            }
            const double p = reference / totalData;
            const double q = candidate / candidateMass;
            divergence += p * std::log(p / q);
        }
        result.divergences.push_back(divergence);
    }
    // The last minimum: of equal divergences the widest range.
    std::size_t best = 0;
    for (std::size_t k = 0; k < result.divergences.size(); ++k) {
        if (result.divergences[k] <= result.divergences[best]) {
            best = k;
        }
    }
    result.thresholdBin = startBin + static_cast<int>(best);
    result.threshold = absHistogram.edges[static_cast<std::size_t>(result.thresholdBin)];
    return result;
}

std::pair<float, float> histogramL2Range(const Histogram& histogram, float min, float max, int bits)
{
    const auto bins = static_cast<int>(histogram.counts.size());
    if (bins == 0 || !(max > min)) {
        return {min, max};
    }
    constexpr double kStep = 1e-5; // the quantile granularity of the search
    const double dstBins = std::ldexp(1.0, bits);
    // PyTorch keeps the histogram and its cumulative sum in float32.
    std::vector<float> hist(histogram.counts.begin(), histogram.counts.end());
    std::vector<float> cumulative(static_cast<std::size_t>(bins));
    double running = 0.0;
    for (int k = 0; k < bins; ++k) {
        running += hist[k];
        cumulative[k] = static_cast<float>(running);
    }
    const double total = static_cast<float>(running);

    double alpha = 0.0;
    double beta = 1.0;
    int start = 0;
    int end = bins - 1;
    double normMin = kInf;
    while (alpha < beta) {
        const double nextAlpha = alpha + kStep;
        const double nextBeta = beta - kStep;
        // The quantile bounds compare in float32 (tensor < Python float).
        const auto lowBound = static_cast<float>(nextAlpha * total);
        const auto highBound = static_cast<float>(nextBeta * total);
        int l = start;
        int r = end;
        while (l < end && cumulative[l] < lowBound) {
            ++l;
        }
        while (r > start && cumulative[r] > highBound) {
            --r;
        }
        int nextStart = start;
        int nextEnd = end;
        if (l - start > end - r) {
            nextStart = l;
            alpha = nextAlpha;
        } else {
            nextEnd = r;
            beta = nextBeta;
        }
        if (nextStart == start && nextEnd == end) {
            continue;
        }
        const double norm = histogramL2Error(hist, min, max, nextStart, nextEnd, dstBins);
        if (norm > normMin) {
            break;
        }
        normMin = norm;
        start = nextStart;
        end = nextEnd;
    }
    const float binWidth = (max - min) / static_cast<float>(bins);
    return {min + binWidth * static_cast<float>(start),
            min + binWidth * static_cast<float>(end + 1)};
}

} // namespace quantscope
