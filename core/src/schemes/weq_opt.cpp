#include "quantscope/schemes/weighted_entropy.h"
#include "schemes/scheme_factories.h"
#include "schemes/weighted_entropy_common.h"
#include "schemes/weq_sweeps.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <string>

namespace quantscope {
namespace {

// The programme's optimum is close to a fixed point of the sweeps; a few polish the cuts between
// grid positions.
constexpr int kPolishSweeps = 16;

// Ranks the clusters may start and end at: every rank when there are few, else equal-count and
// equal-importance ranks (the heavy tail, where the objective lives, gets its own resolution)
// plus `extra`.
std::vector<std::int64_t> candidateRanks(const MagnitudeOrder& order,
                                         std::span<const std::int64_t> extra)
{
    const std::int64_t n = order.count();
    std::vector<std::int64_t> ranks;
    if (n + 1 <= kWeightedEntropyOptimalCandidates) {
        ranks.resize(n + 1);
        std::iota(ranks.begin(), ranks.end(), std::int64_t{0});
        return ranks;
    }
    const std::int64_t perKind = kWeightedEntropyOptimalCandidates / 2;
    for (std::int64_t i = 0; i <= perKind; ++i) {
        ranks.push_back(n * i / perKind);
    }
    const double total = order.prefixSquares(n).value();
    std::int64_t low = 0;
    for (std::int64_t i = 1; i < perKind && total > 0.0; ++i) {
        // Smallest rank whose prefix importance reaches i / perKind of the total.
        const double target = total * double(i) / double(perKind);
        std::int64_t high = n;
        while (low < high) {
            const std::int64_t mid = low + (high - low) / 2;
            if (order.prefixSquares(mid).value() < target) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        ranks.push_back(low);
    }
    ranks.insert(ranks.end(), extra.begin(), extra.end());
    std::sort(ranks.begin(), ranks.end());
    ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
    return ranks;
}

// best[t][j]: the largest objective of clusters 0 … t ending at candidate j. The cluster term
// F(i, j) = −W(i, j)/n · ln(c(i, j) / 2n), with importances sorted ascending, satisfies the
// (max-)quadrangle inequality F(a, c) + F(b, d) >= F(a, d) + F(b, c) for a <= b <= c <= d (unit
// case: (u + v)·ln((x+2)/(x+1)) >= M·ln((x+1)²/(x(x+2))) since M <= x·v), also on any subset
// of cut positions; so the last optimal split point is monotone in j and each layer is solved by
// divide and conquer in O(M log M) instead of O(M²).
class ClusterProgramme {
public:
    ClusterProgramme(const MagnitudeOrder& order, int levels, std::vector<std::int64_t> ranks)
        : m_levels(levels)
        , m_ranks(std::move(ranks))
        , m_n(double(order.count()))
    {
        m_squares.reserve(m_ranks.size());
        for (std::int64_t r : m_ranks) {
            m_squares.push_back(order.prefixSquares(r));
        }
    }

    std::vector<std::int64_t> solve() const
    {
        const int half = (m_levels + 1) / 2;
        const int last = int(m_ranks.size()) - 1;
        std::vector<std::int64_t> slices(half, m_ranks.back());
        if (half == 1) {
            return slices;
        }
        std::vector<double> previous(last + 1, 0.0);
        if (m_levels % 2 == 0) {
            for (int j = 0; j <= last; ++j) {
                previous[j] = term(0, j);
            }
        }
        std::vector<std::vector<int>> choices(half);
        std::vector<double> current(last + 1);
        for (int t = 1; t + 1 < half; ++t) {
            choices[t].resize(last + 1);
            layer(previous, current, choices[t], 0, last, 0, last);
            std::swap(previous, current);
        }
        // The last cluster ends at n: one column only.
        int bestStart = 0;
        double best = -std::numeric_limits<double>::infinity();
        for (int i = 0; i <= last; ++i) {
            const double value = previous[i] + term(i, last);
            if (value >= best) {
                best = value;
                bestStart = i;
            }
        }
        int j = bestStart;
        for (int t = half - 2; t >= 0; --t) {
            slices[t] = m_ranks[j];
            if (t > 0) {
                j = choices[t][j];
            }
        }
        return slices;
    }

private:
    double term(int i, int j) const
    {
        return clusterTerm(m_squares[i], m_squares[j], m_ranks[i], m_ranks[j], m_n);
    }

    // current[j] = max over i <= j of previous[i] + F(i, j), for j in [lo, hi], knowing that the
    // (largest) best i lies in [optLo, optHi].
    void layer(const std::vector<double>& previous, std::vector<double>& current,
               std::vector<int>& choice, int lo, int hi, int optLo, int optHi) const
    {
        if (lo > hi) {
            return;
        }
        const int mid = lo + (hi - lo) / 2;
        double best = -std::numeric_limits<double>::infinity();
        int bestStart = optLo;
        for (int i = optLo; i <= std::min(mid, optHi); ++i) {
            const double value = previous[i] + term(i, mid);
            if (value >= best) {
                best = value;
                bestStart = i;
            }
        }
        current[mid] = best;
        choice[mid] = bestStart;
        layer(previous, current, choice, lo, mid - 1, optLo, bestStart);
        layer(previous, current, choice, mid + 1, hi, bestStart, optHi);
    }

    int m_levels;
    std::vector<std::int64_t> m_ranks;
    std::vector<CompensatedSum> m_squares;
    double m_n;
};

// Moves the top element of a lower cluster into each empty cluster above it (from the top down):
// each move splits a cluster, which never lowers the objective, and keeps boundaries finite.
void fillEmptyTopClusters(std::vector<std::int64_t>& slices)
{
    for (int k = int(slices.size()) - 2; k >= 0; --k) {
        slices[k] = std::min(slices[k], std::max<std::int64_t>(slices[k + 1] - 1, 0));
    }
}

} // namespace

WeightedEntropyDesign designWeightedEntropyOptimal(const Distribution& dist, int levels)
{
    const WeightedEntropyDesign greedy = designWeightedEntropy(dist, levels);
    if (dist.empty()) {
        return greedy;
    }
    const MagnitudeOrder order(dist);
    std::vector<std::int64_t> ranks = candidateRanks(order, greedy.slices);
    const std::int64_t candidates = std::int64_t(ranks.size());
    const bool exact = candidates == order.count() + 1;

    std::vector<std::int64_t> slices = ClusterProgramme(order, levels, std::move(ranks)).solve();
    fillEmptyTopClusters(slices);
    const double programmeObjective = objectiveOf(order, levels, slices);
    SweepResult sweeps = runSweeps(order, levels, slices, {kPolishSweeps, true});
    // weq's slices were candidates, so only summation-order rounding could favour them.
    if (objectiveOf(order, levels, slices) < greedy.objective) {
        slices = greedy.slices;
    }

    WeightedEntropyDesign design = finishDesign(order, levels, std::move(slices));
    design.initialObjective = programmeObjective;
    design.sweepObjectives = std::move(sweeps.objectives);
    design.converged = sweeps.converged;
    design.candidateCount = candidates;
    design.exact = exact;
    return design;
}

namespace {

class WeqOptScheme final : public Scheme {
public:
    std::string id() const override { return "weq-opt"; }
    std::string displayName() const override { return "Weighted entropy, optimal"; }
    std::string description() const override
    {
        return "The weighted-entropy objective maximised by dynamic programming over up to " +
               std::to_string(kWeightedEntropyOptimalCandidates) +
               " cut positions (exact for small tensors)";
    }
    std::vector<ParamSpec> paramSpecs() const override
    {
        return {{"levels", ParamKind::Levels, 2, kWeightedEntropyMaxLevels, 16,
                 "Number of levels; an odd count has a zero level (bits b give 2^b levels)"}};
    }

protected:
    Codebook designResolved(const Distribution& dist, const Params& params) const override
    {
        return designWeightedEntropyOptimal(dist, params.getInt("levels")).codebook;
    }
};

} // namespace

std::unique_ptr<Scheme> makeWeqOptScheme()
{
    return std::make_unique<WeqOptScheme>();
}

} // namespace quantscope
