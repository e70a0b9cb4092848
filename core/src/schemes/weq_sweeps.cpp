#include "schemes/weq_sweeps.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace quantscope {
namespace {

// A copy of the magnitudes in rank order (4.3 bytes per value, up to kCopyMaxValues values)
// costs about as much as kCopyCostRatio⁻¹ comparisons in the sorted runs per value; the sweeps
// make about half² · half · log2(n / half) comparisons (about half² sweeps: 3805 for L = 128,
// 12994 for L = 256 on 10^7 gaussian values), so it pays for many clusters.
constexpr std::int64_t kCopyMaxValues = std::int64_t{1} << 27;
constexpr double kCopyCostRatio = 25.0;
// ln(1 + u) by its series for u <= 2^-10: the terms beyond u^6 are below 2^-60 of the sum.
constexpr double kSeriesLimit = 1024.0;
// Relative rounding, generously, of the original's local objective: a sum of two cluster terms
// of at most (w² sum)·ln 2n / n each.
constexpr double kTieMargin = 64.0 * std::numeric_limits<double>::epsilon();
// ln(1 + 1/x) for x >= 1.
double log1pReciprocal(double x)
{
    if (x < kSeriesLimit) {
        return std::log1p(1.0 / x);
    }
    const double u = 1.0 / x;
    return u * (1.0 - u * (1.0 / 2 - u * (1.0 / 3 - u * (1.0 / 4 - u * (1.0 / 5 - u / 6)))));
}

// A rank with what the comparisons need there: the sum of w² of the ranks before it and the
// magnitude at it (+inf at n); `cursor` locates it in the sorted runs.
struct RankPoint {
    MagnitudeOrder::Cursor cursor;
    double squares = 0.0;
    double magnitude = 0.0;

    std::int64_t rank() const { return cursor.rank; }
};

// Ranks found in the Distribution's sorted runs: a merge-split search between two known points.
class SortedRanks {
public:
    explicit SortedRanks(const MagnitudeOrder& order)
        : m_order(order)
    {
    }

    RankPoint at(std::int64_t rank) const { return point(m_order.cursor(rank)); }
    RankPoint at(std::int64_t rank, const RankPoint& below, const RankPoint& above) const
    {
        return point(m_order.cursor(rank, below.cursor, above.cursor));
    }
    void prefetch(std::int64_t) const {}

private:
    RankPoint point(const MagnitudeOrder::Cursor& cursor) const
    {
        const bool inside = cursor.rank < m_order.count();
        return {cursor, m_order.roughSquaresBefore(cursor),
                inside ? m_order.magnitudeAt(cursor) : std::numeric_limits<double>::infinity()};
    }

    const MagnitudeOrder& m_order;
};

// Ranks read from a copy of the magnitudes in rank order, kept in lines of two cache lines each:
// the sum of w² before the line's first rank and the line's kLineRanks magnitudes, so each rank
// costs one line (4.3 bytes per value).
class CopiedRanks {
public:
    explicit CopiedRanks(const MagnitudeOrder& order)
        : m_count(order.count())
        , m_lines(std::size_t(order.count() / kLineRanks + 1))
    {
        // Each line's squares summed plainly (30 squares of float32 lose at most a few bits), the
        // running total kept exact.
        MagnitudeOrder::Cursor cursor = order.first();
        CompensatedSum total;
        for (Line& line : m_lines) {
            line.squaresBefore = total.value();
            const std::int64_t count = std::min(kLineRanks, m_count - cursor.rank);
            order.copyMagnitudes(cursor, count, line.magnitudes);
            total += squares(line, count);
        }
    }

    RankPoint at(std::int64_t rank) const
    {
        const Line& line = m_lines[rank / kLineRanks];
        const std::int64_t offset = rank % kLineRanks;
        RankPoint point;
        point.cursor.rank = rank;
        point.squares = line.squaresBefore + squares(line, offset);
        point.magnitude =
            rank < m_count ? line.magnitudes[offset] : std::numeric_limits<double>::infinity();
        return point;
    }
    RankPoint at(std::int64_t rank, const RankPoint&, const RankPoint&) const { return at(rank); }
    // Starts loading what at(rank) reads.
    void prefetch(std::int64_t rank) const
    {
        const Line& line = m_lines[rank / kLineRanks];
        __builtin_prefetch(&line);
        __builtin_prefetch(&line.magnitudes[kLineRanks - 1]);
    }

private:
    static constexpr std::int64_t kLineRanks = 30;
    struct alignas(128) Line {
        double squaresBefore;
        float magnitudes[kLineRanks];
    };

    // Sum of the squares of the line's first `count` magnitudes: four partial sums, so the
    // additions do not wait on each other.
    static double squares(const Line& line, std::int64_t count)
    {
        double partial[4] = {0.0, 0.0, 0.0, 0.0};
        for (std::int64_t i = 0; i < count; ++i) {
            const double x = line.magnitudes[i];
            partial[i % 4] += x * x;
        }
        return (partial[0] + partial[1]) + (partial[2] + partial[3]);
    }

    std::int64_t m_count;
    std::vector<Line> m_lines;
};

// The sweeps over one set of slices, with each boundary's last bisection remembered.
template <class Ranks> class Sweeper {
public:
    Sweeper(const Ranks& ranks, int levels, std::vector<std::int64_t>& slices, double n)
        : m_ranks(ranks)
        , m_levels(levels)
        , m_slices(slices)
        , m_n(n)
        , m_logTwiceCount(std::log(2.0 * n))
        , m_first(ranks.at(0))
        , m_last(slices.size())
    {
        for (std::int64_t rank : slices) {
            m_points.push_back(ranks.at(rank));
        }
    }

    void sweep()
    {
        for (int k = 0; k + 1 < int(m_points.size()); ++k) {
            const RankPoint& low = k == 0 ? m_first : m_points[k - 1];
            const RankPoint& high = m_points[k + 1];
            Bisection& last = m_last[k];
            if (last.low != low.rank() || last.high != high.rank()) {
                last = {low.rank(), high.rank(), bisect(k, low, high)};
            }
            m_points[k] = last.result;
            m_slices[k] = last.result.rank();
        }
    }

    // E from the current points.
    double objective() const
    {
        double total = 0.0;
        RankPoint begin;
        for (int k = 0; k < int(m_points.size()); ++k) {
            const std::int64_t count = m_points[k].rank() - begin.rank();
            if (k >= m_levels % 2 && count > 0) {
                const double weightShare = (m_points[k].squares - begin.squares) / m_n;
                total -= weightShare * std::log(double(count) / (2.0 * m_n));
            }
            begin = m_points[k];
        }
        return total;
    }

    std::vector<RankPoint> points() const { return m_points; }
    void restore(std::vector<RankPoint> points)
    {
        m_points = std::move(points);
        for (std::size_t k = 0; k < m_points.size(); ++k) {
            m_slices[k] = m_points[k].rank();
        }
    }

private:
    struct Bisection {
        std::int64_t low = -1;
        std::int64_t high = -1;
        RankPoint result;
    };

    // Starts loading the centers the bisection of [begin, end] reaches in `steps` steps.
    void prefetchCenters(std::int64_t begin, std::int64_t end, int steps) const
    {
        const std::int64_t center = (begin + end) / 2;
        if (steps == 0) {
            m_ranks.prefetch(center);
            return;
        }
        prefetchCenters(begin, center, steps - 1);
        prefetchCenters(center, end, steps - 1);
    }

    // recUpdate(k): the cut between `low` and `high` − 1.
    RankPoint bisect(int k, const RankPoint& low, const RankPoint& high) const
    {
        if (high.rank() - 1 <= low.rank()) {
            return low;
        }
        const bool lowerCounts = k >= m_levels % 2;
        // -(sum / n)·ln(count / 2n): a cluster's term, as the original's pEnt adds it up.
        auto term = [&](double count, double sum) {
            return count > 0.0 ? -(sum / m_n) * std::log(count / (2.0 * m_n)) : 0.0;
        };
        // Whether the local objective is strictly larger with the cut at p than one rank later.
        auto falls = [&](const RankPoint& p) {
            const double x = double(p.rank() - low.rank());
            const double y = double(high.rank() - p.rank() - 1);
            const double m2 = p.magnitude * p.magnitude;
            const double left = p.squares - low.squares;
            const double right = high.squares - p.squares;
            double rise = right * log1pReciprocal(y);
            if (!lowerCounts) {
                rise += m2 * std::log(y / (2.0 * m_n));
            } else {
                rise += m2 * std::log(y / (x + 1.0));
                if (x > 0.0) {
                    rise -= left * log1pReciprocal(x);
                }
            }
            // Far above the rounding of the original's two sums, the sign is theirs; closer (in
            // practice only ties, e.g. both clusters inside one run of equal magnitudes, where
            // the two sums hold the same terms in swapped order) compare those sums themselves.
            const double rounding = kTieMargin * (left + right + m2) * m_logTwiceCount;
            if (std::abs(rise) > rounding) {
                return rise < 0.0;
            }
            const double here = (lowerCounts ? term(x, left) : 0.0) + term(y + 1.0, right);
            const double next =
                (lowerCounts ? term(x + 1.0, left + m2) : 0.0) + term(y, right - m2);
            return here > next;
        };
        std::int64_t begin = low.rank();
        std::int64_t end = high.rank() - 1;
        RankPoint beginPoint = low;
        RankPoint endPoint = m_ranks.at(end, low, high);
        prefetchCenters(begin, end, 2);
        while (end - begin > 1) {
            const std::int64_t center = (begin + end) / 2;
            // The centers two steps on are four: they start loading while this one is decided.
            prefetchCenters(begin, center, 1);
            prefetchCenters(center, end, 1);
            const RankPoint centerPoint = m_ranks.at(center, beginPoint, endPoint);
            if (falls(centerPoint)) {
                end = center;
                endPoint = centerPoint;
            } else {
                begin = center;
                beginPoint = centerPoint;
            }
        }
        return falls(beginPoint) ? beginPoint : endPoint;
    }

    const Ranks& m_ranks;
    int m_levels;
    std::vector<std::int64_t>& m_slices;
    double m_n;
    double m_logTwiceCount;          // ln 2n bounds every |ln(count / 2n)|
    RankPoint m_first;               // at rank 0
    std::vector<RankPoint> m_points; // at the slices
    std::vector<Bisection> m_last;
};

template <class Ranks>
SweepResult sweepWith(const Ranks& ranks, int levels, std::vector<std::int64_t>& slices,
                      const SweepRule& rule, double n)
{
    SweepResult result;
    Sweeper<Ranks> sweeper(ranks, levels, slices, n);
    // As the original: previous E = 0 at the start, so an all-zero tensor gets no sweep.
    double previous = 0.0;
    double current = sweeper.objective();
    while (current > previous) {
        if (rule.maxSweeps > 0 && int(result.objectives.size()) == rule.maxSweeps) {
            result.converged = false;
            break;
        }
        std::vector<RankPoint> before;
        if (rule.undoLoweringSweep) {
            before = sweeper.points();
        }
        sweeper.sweep();
        const double next = sweeper.objective();
        if (rule.undoLoweringSweep && next < current) {
            sweeper.restore(std::move(before));
            break;
        }
        result.objectives.push_back(next);
        previous = current;
        current = next;
    }
    return result;
}

} // namespace

SweepResult runSweeps(const MagnitudeOrder& order, int levels, std::vector<std::int64_t>& slices,
                      const SweepRule& rule)
{
    const double n = double(order.count());
    const double half = double(slices.size());
    const double comparisons = half * half * half * std::log2(std::max(2.0, n / half));
    if (order.count() <= kCopyMaxValues && comparisons * kCopyCostRatio > n) {
        return sweepWith(CopiedRanks(order), levels, slices, rule, n);
    }
    return sweepWith(SortedRanks(order), levels, slices, rule, n);
}

} // namespace quantscope
