#include "schemes/weighted_entropy_common.h"

#include "quantscope/errors.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace quantscope {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// q(w) = sign(w) · rep[j], j the largest index with |w| >= bdr[j]; sign(0) = +1 (so −0 too).
double forwardRule(std::span<const double> boundaries, std::span<const double> representatives,
                   float w)
{
    const double magnitude = std::abs(double(w));
    const auto j =
        std::upper_bound(boundaries.begin(), boundaries.end(), magnitude) - boundaries.begin() - 1;
    const double rep = representatives[std::max<std::ptrdiff_t>(j, 0)];
    const double q = w >= 0.0f ? rep : -rep;
    return q == 0.0 ? 0.0 : q; // no −0 levels
}

// Forward rule turned into ascending levels with float32-exact thresholds.
Codebook buildCodebook(const WeightedEntropyDesign& design)
{
    const std::vector<double>& bdr = design.boundaries;
    const std::vector<double>& rep = design.representatives;
    const std::size_t half = bdr.size();
    // A cluster the forward rule can choose: its boundary lies below the next one.
    auto reachable = [&](std::size_t k) { return k + 1 == half || bdr[k] < bdr[k + 1]; };

    std::vector<double> values; // never empty: the top cluster is always reachable
    for (std::size_t k = 0; k < half; ++k) {
        if (reachable(k)) {
            values.push_back(rep[k] == 0.0 ? 0.0 : -rep[k]);
            values.push_back(rep[k]);
        }
    }
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());

    // Boundary of the first reachable cluster whose representative exceeds v.
    auto startAbove = [&](double v) {
        for (std::size_t k = 0; k < half; ++k) {
            if (reachable(k) && rep[k] > v) {
                return bdr[k];
            }
        }
        return kInfinity;
    };
    std::vector<double> thresholds;
    for (std::size_t i = 0; i + 1 < values.size(); ++i) {
        const double guess = values[i + 1] <= 0.0 ? -startAbove(-values[i + 1])
                             : values[i] < 0.0    ? 0.0
                                                  : startAbove(values[i]);
        thresholds.push_back(
            exactThreshold(guess, [&](float x) { return forwardRule(bdr, rep, x) > values[i]; }));
    }

    // A level no float32 maps to has an empty interval: drop it and its lower threshold.
    std::vector<double> levels{values.front()};
    std::vector<double> kept;
    for (std::size_t i = 1; i < values.size(); ++i) {
        const double upper = i < thresholds.size() ? thresholds[i] : kInfinity;
        if (thresholds[i - 1] < upper) {
            levels.push_back(values[i]);
            kept.push_back(thresholds[i - 1]);
        }
    }
    Codebook codebook = makeCodebook(std::move(levels), std::move(kept));
    codebook.weightedEntropy = design.objective;
    return codebook;
}

} // namespace

MagnitudeOrder::MagnitudeOrder(const Distribution& dist)
    : m_dist(&dist)
    , m_sorted(dist.sorted())
    , m_count(dist.count())
    , m_zeroBegin(dist.lowerIndex(0.0))
    , m_zeroEnd(dist.upperIndex(0.0))
    , m_squaresBelowZero(sortedSquaresBefore(m_zeroBegin))
    , m_squaresToPositives(sortedSquaresBefore(m_zeroEnd))
    , m_roughSquaresBelowZero(m_squaresBelowZero.value())
    , m_roughSquaresToPositives(m_squaresToPositives.value())
{
}

double MagnitudeOrder::negativeMagnitude(std::int64_t i) const
{
    return -double(m_sorted[m_zeroBegin - 1 - i]);
}

double MagnitudeOrder::positiveMagnitude(std::int64_t i) const
{
    return double(m_sorted[m_zeroEnd + i]);
}

MagnitudeOrder::Cursor MagnitudeOrder::last() const
{
    return {m_count, m_zeroBegin, m_count - m_zeroEnd};
}

MagnitudeOrder::Cursor MagnitudeOrder::cursor(std::int64_t rank) const
{
    return cursor(rank, first(), last());
}

MagnitudeOrder::Cursor MagnitudeOrder::cursor(std::int64_t rank, const Cursor& below,
                                              const Cursor& above) const
{
    const std::int64_t zeros = m_zeroEnd - m_zeroBegin;
    if (rank <= zeros) {
        return {rank, 0, 0};
    }
    const std::int64_t m = rank - zeros;
    // a negatives and m − a positives, both between the known splits below and above.
    std::int64_t a = std::max(below.negatives, m - above.positives);
    const std::int64_t highest = std::min(above.negatives, m - below.positives);
    // Smallest a such that the next negative is no smaller than the largest positive taken.
    std::int64_t width = highest - a;
    while (width > 0) {
        const std::int64_t step = width / 2;
        const std::int64_t mid = a + step;
        if (negativeMagnitude(mid) < positiveMagnitude(m - mid - 1)) {
            a = mid + 1;
            width -= step + 1;
        } else {
            width = step;
        }
    }
    return {rank, a, m - a};
}

CompensatedSum MagnitudeOrder::sortedSquaresBefore(std::int64_t index) const
{
    const std::int64_t blockStart = index - index % Distribution::kBlockSize;
    double rest = 0.0;
    for (std::int64_t i = blockStart; i < index; ++i) {
        const double x = m_sorted[i];
        rest += x * x;
    }
    return m_dist->prefixSumSquares(blockStart) + rest;
}

double MagnitudeOrder::roughSortedSquaresBefore(std::int64_t index) const
{
    const std::int64_t blockStart = index - index % Distribution::kBlockSize;
    // Four partial sums, so the additions do not wait on each other.
    double r0 = 0.0;
    double r1 = 0.0;
    double r2 = 0.0;
    double r3 = 0.0;
    std::int64_t i = blockStart;
    for (; i + 4 <= index; i += 4) {
        const double x0 = m_sorted[i];
        const double x1 = m_sorted[i + 1];
        const double x2 = m_sorted[i + 2];
        const double x3 = m_sorted[i + 3];
        r0 += x0 * x0;
        r1 += x1 * x1;
        r2 += x2 * x2;
        r3 += x3 * x3;
    }
    for (; i < index; ++i) {
        const double x = m_sorted[i];
        r0 += x * x;
    }
    return m_dist->prefixSumSquares(blockStart).value() + ((r0 + r1) + (r2 + r3));
}

double MagnitudeOrder::roughSquaresBefore(const Cursor& at) const
{
    return (m_roughSquaresBelowZero - roughSortedSquaresBefore(m_zeroBegin - at.negatives)) +
           (roughSortedSquaresBefore(m_zeroEnd + at.positives) - m_roughSquaresToPositives);
}

void MagnitudeOrder::copyMagnitudes(Cursor& from, std::int64_t count, float* out) const
{
    const std::int64_t zeros = m_zeroEnd - m_zeroBegin;
    const std::int64_t negatives = m_zeroBegin;
    const std::int64_t positives = m_count - m_zeroEnd;
    const std::int64_t end = from.rank + count;
    for (; from.rank < std::min(end, zeros); ++from.rank) {
        *out++ = 0.0f;
    }
    // At equal magnitude, positives first (as cursor()).
    for (; from.rank < end; ++from.rank) {
        const bool negativeLeft = from.negatives < negatives;
        const bool positiveLeft = from.positives < positives;
        const float negative = negativeLeft ? -m_sorted[m_zeroBegin - 1 - from.negatives] : 0.0f;
        const float positive = positiveLeft ? m_sorted[m_zeroEnd + from.positives] : 0.0f;
        const bool takeNegative = negativeLeft && (!positiveLeft || negative < positive);
        *out++ = takeNegative ? negative : positive;
        from.negatives += takeNegative;
        from.positives += !takeNegative;
    }
}

CompensatedSum MagnitudeOrder::squaresBefore(const Cursor& at) const
{
    return (m_squaresBelowZero - sortedSquaresBefore(m_zeroBegin - at.negatives)) +
           (sortedSquaresBefore(m_zeroEnd + at.positives) - m_squaresToPositives);
}

double MagnitudeOrder::magnitudeAt(const Cursor& at) const
{
    if (at.rank < m_zeroEnd - m_zeroBegin) {
        return 0.0;
    }
    const double nextNegative =
        at.negatives < m_zeroBegin ? negativeMagnitude(at.negatives) : kInfinity;
    const double nextPositive =
        at.positives < m_count - m_zeroEnd ? positiveMagnitude(at.positives) : kInfinity;
    return std::min(nextNegative, nextPositive);
}

int weightedEntropyClusterCount(int levels)
{
    if (levels < kWeightedEntropyMinLevels || levels > kWeightedEntropyMaxLevels) {
        throw UsageError(
            "weighted-entropy levels must be in [" + std::to_string(kWeightedEntropyMinLevels) +
            ", " + std::to_string(kWeightedEntropyMaxLevels) + "], got " + std::to_string(levels));
    }
    return (levels + 1) / 2;
}

double clusterTerm(const CompensatedSum& squaresAtBegin, const CompensatedSum& squaresAtEnd,
                   std::int64_t begin, std::int64_t end, double n)
{
    if (end <= begin) {
        return 0.0;
    }
    const double weightShare = (squaresAtEnd - squaresAtBegin).value() / n;
    return -weightShare * std::log(double(end - begin) / (2.0 * n));
}

double objectiveOf(const MagnitudeOrder& order, int levels, std::span<const std::int64_t> slices)
{
    const double n = double(order.count());
    double objective = 0.0;
    CompensatedSum squaresAtBegin = 0.0;
    std::int64_t begin = 0;
    for (std::size_t k = 0; k < slices.size(); ++k) {
        const CompensatedSum squaresAtEnd = order.prefixSquares(slices[k]);
        if (int(k) >= levels % 2) {
            objective += clusterTerm(squaresAtBegin, squaresAtEnd, begin, slices[k], n);
        }
        squaresAtBegin = squaresAtEnd;
        begin = slices[k];
    }
    return objective;
}

WeightedEntropyDesign finishDesign(const MagnitudeOrder& order, int levels,
                                   std::vector<std::int64_t> slices)
{
    WeightedEntropyDesign design;
    const std::int64_t n = order.count();
    const int half = int(slices.size());
    design.levels = levels;
    design.hasZeroLevel = levels % 2 == 1;
    design.count = n;
    design.objective = objectiveOf(order, levels, slices);

    design.boundaries.assign(half, 0.0);
    for (int k = 0; k + 1 < half && n > 0; ++k) {
        // slices[k] == n would leave the clusters above it empty and unreachable.
        design.boundaries[k + 1] = slices[k] < n ? order.magnitudeAt(slices[k]) : kInfinity;
    }

    design.representatives.assign(half, 0.0);
    std::vector<bool> empty(half, false);
    std::int64_t begin = 0;
    for (int k = 0; k < half; ++k) {
        const std::int64_t end = slices[k];
        if (end <= begin) {
            empty[k] = true;
        } else if (!(k == 0 && design.hasZeroLevel)) {
            const double meanSquare =
                (order.prefixSquares(end) - order.prefixSquares(begin)).value() /
                double(end - begin);
            // Clamped to the cluster's range so rounding never puts representatives out of order.
            design.representatives[k] =
                std::clamp(std::sqrt(std::max(0.0, meanSquare)), order.magnitudeAt(begin),
                           order.magnitudeAt(end - 1));
        }
        begin = end;
    }
    for (int k = 0; k < half; ++k) {
        if (!empty[k] || (k == 0 && design.hasZeroLevel)) {
            continue;
        }
        if (k == 0) {
            const auto firstUsed = std::find(empty.begin(), empty.end(), false) - empty.begin();
            design.representatives[0] = firstUsed < half ? design.representatives[firstUsed] : 0.0;
        } else {
            design.representatives[k] = std::isfinite(design.boundaries[k])
                                            ? design.boundaries[k]
                                            : design.representatives[k - 1];
        }
    }

    design.slices = std::move(slices);
    design.codebook = buildCodebook(design);
    return design;
}

double weightedEntropyObjective(const Distribution& dist, int levels,
                                std::span<const std::int64_t> slices)
{
    const int half = weightedEntropyClusterCount(levels);
    const bool ordered = std::is_sorted(slices.begin(), slices.end());
    if (int(slices.size()) != half || !ordered || (half > 0 && slices.front() < 0) ||
        slices.back() != dist.count()) {
        throw UsageError("weighted-entropy slices must be " + std::to_string(half) +
                         " nondecreasing ranks ending at the value count " +
                         std::to_string(dist.count()));
    }
    if (dist.empty()) {
        return 0.0;
    }
    return objectiveOf(MagnitudeOrder(dist), levels, slices);
}

double weightedEntropyForward(const WeightedEntropyDesign& design, float w)
{
    if (design.boundaries.empty()) {
        return 0.0;
    }
    return forwardRule(design.boundaries, design.representatives, w);
}

} // namespace quantscope
