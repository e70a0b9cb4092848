#include "schemes/weq_sweeps.h"

#include "quantscope/parallel.h"
#include "quantscope/populated_array.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <thread>

namespace quantscope {
namespace {

// A copy of the magnitudes in rank order (4.3 bytes per value, up to kCopyMaxValues values)
// costs about as much as kCopyCostRatio⁻¹ comparisons in the sorted runs per value; the sweeps
// make about half² · half · log2(n / half) comparisons (about half² sweeps: 3805 for L = 128,
// 12994 for L = 256 on 10^7 gaussian values), so it pays for many clusters.
constexpr std::int64_t kCopyMaxValues = std::int64_t{1} << 27;
constexpr double kCopyCostRatio = 25.0;
// Two sweeps at once pay for their thread and its handshakes (one per boundary) from about this
// many comparisons on (8 clusters of 10^5 values).
constexpr double kPipelinedComparisons = 1e4;
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
        , m_lines(order.count() / kLineRanks + 1)
    {
        // Each line's squares summed plainly (30 squares of float32 lose at most a few bits), the
        // running total kept exact.
        MagnitudeOrder::Cursor cursor = order.first();
        CompensatedSum total;
        for (Line& line : m_lines.span()) {
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

    // Sum of the squares of the line's first `count` magnitudes: four partial sums in
    // registers (magnitude i goes to sum i mod 4), so the additions do not wait on each other.
    static double squares(const Line& line, std::int64_t count)
    {
        const float* m = line.magnitudes;
        auto square = [m](std::int64_t i) { return double(m[i]) * double(m[i]); };
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        std::int64_t i = 0;
        for (; i + 4 <= count; i += 4) {
            s0 += square(i);
            s1 += square(i + 1);
            s2 += square(i + 2);
            s3 += square(i + 3);
        }
        if (i < count) {
            s0 += square(i);
        }
        if (i + 1 < count) {
            s1 += square(i + 1);
        }
        if (i + 2 < count) {
            s2 += square(i + 2);
        }
        return (s0 + s1) + (s2 + s3);
    }

    std::int64_t m_count;
    PopulatedArray<Line> m_lines;
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

    int boundaries() const { return int(m_points.size()) - 1; }
    const RankPoint& point(int k) const { return m_points[k]; }
    void setPoint(int k, const RankPoint& point) { m_points[k] = point; }

    // recUpdate(k): boundary k between its neighbours' current points. Reads points k − 1 and
    // k + 1, writes point k (not the slices).
    void update(int k)
    {
        const RankPoint& low = k == 0 ? m_first : m_points[k - 1];
        const RankPoint& high = m_points[k + 1];
        Bisection& last = m_last[k];
        if (last.low != low.rank() || last.high != high.rank()) {
            last = {low.rank(), high.rank(), bisect(k, low, high)};
        }
        m_points[k] = last.result;
    }

    void sweep()
    {
        for (int k = 0; k < boundaries(); ++k) {
            update(k);
        }
        writeSlices();
    }

    // E from the current points: the terms of clusters 0, 1, … added up in that order.
    double objective() const
    {
        double total = 0.0;
        for (int k = 0; k < int(m_points.size()); ++k) {
            addTerm(total, k);
        }
        return total;
    }

    // Adds cluster k's term to a running E (cluster k ends at point k).
    void addTerm(double& total, int k) const
    {
        const RankPoint begin = k == 0 ? RankPoint() : m_points[k - 1];
        const std::int64_t count = m_points[k].rank() - begin.rank();
        if (k >= m_levels % 2 && count > 0) {
            const double weightShare = (m_points[k].squares - begin.squares) / m_n;
            total -= weightShare * std::log(double(count) / (2.0 * m_n));
        }
    }

    std::vector<RankPoint> points() const { return m_points; }
    void restore(std::vector<RankPoint> points)
    {
        m_points = std::move(points);
        writeSlices();
    }

    void writeSlices()
    {
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

// Sweeps t and t + 1 at once on two threads (odd sweeps on one, even on the other), with the
// same results as one after the other. Sweep t + 1 updates boundary k once sweep t has updated
// k + 1: it then reads what the sequential order gives it (its own point k − 1, sweep t's
// point k + 1), and sweep t no longer reads point k. Each sweep adds up its E as it goes, in
// the order objective() does. Sweep t + 1 starts before E after sweep t is known; when that
// E ends the search (it did not rise, or the sweep limit is reached) sweep t + 1 is undone.
template <class Ranks> class PipelinedSweeps {
public:
    PipelinedSweeps(Sweeper<Ranks>& sweeper, const SweepRule& rule)
        : m_sweeper(sweeper)
        , m_rule(rule)
        , m_stride(sweeper.boundaries() + 1)
    {
        // E before sweep t is m_objectives[t], after it m_objectives[t + 1]; [0] is the
        // original's prev_E = 0.
        m_objectives.push_back(0.0);
        m_objectives.push_back(sweeper.objective());
    }

    SweepResult run()
    {
        SweepResult result;
        if (!(m_objectives[1] > m_objectives[0])) {
            return result;
        }
        std::thread even([this] { runSweepsFrom(2); });
        runSweepsFrom(1);
        even.join();
        const int last = m_stop.load();
        result.objectives.assign(m_objectives.begin() + 2, m_objectives.begin() + 2 + last);
        result.converged = m_converged;
        m_sweeper.writeSlices();
        return result;
    }

private:
    static constexpr int kNoStop = std::numeric_limits<int>::max();
    static constexpr int kSpinsBeforeYield = 64;

    // Sweeps t, t + 2, … while they belong to the search.
    void runSweepsFrom(int t)
    {
        std::vector<RankPoint> before(std::size_t(m_sweeper.boundaries()));
        for (; t <= m_stop.load(std::memory_order_acquire) && withinLimit(t); t += 2) {
            if (!sweep(t, before) || !decide(t)) {
                return;
            }
        }
    }

    bool withinLimit(int t) const { return m_rule.maxSweeps == 0 || t <= m_rule.maxSweeps; }

    // Sweep t, undone (false) when the search turns out to end before it.
    bool sweep(int t, std::vector<RankPoint>& before)
    {
        double total = 0.0;
        const int boundaries = m_sweeper.boundaries();
        const std::atomic<std::int64_t>& previous = m_progress[(t - 1) % 2].value;
        std::int64_t previousSeen = 0; // read again only when it does not suffice
        for (int k = 0; k < boundaries; ++k) {
            // Sweep t − 1 has updated boundary k + 1 (or its last).
            const std::int64_t needed =
                std::int64_t(t - 1) * m_stride + std::min(k + 2, boundaries);
            const auto previousDone = [&] {
                previousSeen = previous.load(std::memory_order_acquire);
                return previousSeen >= needed;
            };
            if (t > 1 && previousSeen < needed && !waitUntil(t, previousDone)) {
                undo(before, k);
                return false;
            }
            before[k] = m_sweeper.point(k);
            m_sweeper.update(k);
            m_sweeper.addTerm(total, k);
            if (k + 1 == boundaries) {
                m_sweeper.addTerm(total, k + 1); // before sweep t + 1 may move point k
            }
            m_progress[t % 2].value.store(std::int64_t(t) * m_stride + k + 1,
                                          std::memory_order_release);
        }
        // E before this sweep comes from the other thread (or the start).
        if (!waitUntil(t, [&] { return m_decided.load(std::memory_order_acquire) >= t; })) {
            undo(before, boundaries);
            return false;
        }
        m_objectives.push_back(total); // index t + 1: only this thread writes now
        return true;
    }

    // Publishes E after sweep t and whether sweep t + 1 belongs to the search.
    bool decide(int t)
    {
        const bool rose = m_objectives[t + 1] > m_objectives[t];
        if (!rose || !withinLimit(t + 1)) {
            m_converged = !rose;
            m_stop.store(t, std::memory_order_release);
        }
        m_decided.store(t + 1, std::memory_order_release);
        return rose && withinLimit(t + 1);
    }

    void undo(const std::vector<RankPoint>& before, int updated)
    {
        for (int k = 0; k < updated; ++k) {
            m_sweeper.setPoint(k, before[k]);
        }
    }

    // Waits until ready(); false as soon as the search is known to end before sweep t.
    template <class Ready> bool waitUntil(int t, const Ready& ready) const
    {
        for (int spins = 0; !ready(); ++spins) {
            if (m_stop.load(std::memory_order_acquire) < t) {
                return false;
            }
            if (spins >= kSpinsBeforeYield) {
                std::this_thread::yield();
            }
        }
        return m_stop.load(std::memory_order_acquire) >= t;
    }

    Sweeper<Ranks>& m_sweeper;
    const SweepRule& m_rule;
    const std::int64_t m_stride;
    std::vector<double> m_objectives;
    // t · stride + boundaries done in sweep t, per thread; a cache line each, as each is written
    // by one thread and read by the other.
    struct alignas(64) Progress {
        std::atomic<std::int64_t> value{0};
    };
    Progress m_progress[2];
    std::atomic<int> m_decided{1};    // last index of m_objectives published
    std::atomic<int> m_stop{kNoStop}; // the last sweep of the search, once known
    bool m_converged = true;
};

template <class Ranks>
SweepResult sweepWith(const Ranks& ranks, int levels, std::vector<std::int64_t>& slices,
                      const SweepRule& rule, double n, bool pipelined)
{
    SweepResult result;
    Sweeper<Ranks> sweeper(ranks, levels, slices, n);
    if (pipelined) {
        return PipelinedSweeps<Ranks>(sweeper, rule).run();
    }
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
    const bool pipelined = !rule.undoLoweringSweep && !rule.oneThread && hardwareThreads() >= 2 &&
                           comparisons >= kPipelinedComparisons;
    if (order.count() <= kCopyMaxValues && comparisons * kCopyCostRatio > n) {
        return sweepWith(CopiedRanks(order), levels, slices, rule, n, pipelined);
    }
    return sweepWith(SortedRanks(order), levels, slices, rule, n, pipelined);
}

} // namespace quantscope
