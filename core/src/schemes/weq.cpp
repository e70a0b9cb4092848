#include "quantscope/schemes/weighted_entropy.h"
#include "schemes/scheme_factories.h"
#include "schemes/weighted_entropy_common.h"
#include "schemes/weq_sweeps.h"

#include <algorithm>

namespace quantscope {

WeightedEntropyDesign designWeightedEntropy(const Distribution& dist, int levels,
                                            const WeightedEntropySearch& search)
{
    const int half = weightedEntropyClusterCount(levels);
    const MagnitudeOrder order(dist);
    const std::int64_t n = order.count();
    // The original's start: equal counts.
    std::vector<std::int64_t> slices(half);
    for (int k = 0; k < half; ++k) {
        slices[k] = n * (k + 1) / half;
    }
    const double initial = objectiveOf(order, levels, slices);
    SweepResult sweeps =
        runSweeps(order, levels, slices, {search.maxSweeps, false, search.oneThread});
    WeightedEntropyDesign design = finishDesign(order, levels, std::move(slices));
    design.initialObjective = initial;
    design.sweepObjectives = std::move(sweeps.objectives);
    design.converged = sweeps.converged;
    return design;
}

namespace {

class WeqScheme final : public Scheme {
public:
    std::string id() const override { return "weq"; }
    std::string displayName() const override { return "Weighted entropy (Park 2017)"; }
    std::string description() const override
    {
        return "Magnitude clusters maximising the importance-weighted entropy (importance w²), "
               "searched by the authors' bisection sweeps";
    }
    std::vector<ParamSpec> paramSpecs() const override
    {
        // 16 levels by default, so `--bits 4` (2^4 levels) and the default agree.
        return {{"levels", ParamKind::Levels, 2, kWeightedEntropyMaxLevels, 16,
                 "Number of levels; an odd count has a zero level (bits b give 2^b levels)"},
                {"sweeps",
                 ParamKind::Step,
                 1,
                 kWeightedEntropyMaxSweeps,
                 100,
                 "Stop after this many sweeps; auto sweeps while the objective rises, as the "
                 "authors",
                 {},
                 true}};
    }

protected:
    Codebook designResolved(const Distribution& dist, const Params& params) const override
    {
        const WeightedEntropySearch search{params.has("sweeps") ? params.getInt("sweeps") : 0};
        return designWeightedEntropy(dist, params.getInt("levels"), search).codebook;
    }
};

} // namespace

std::unique_ptr<Scheme> makeWeqScheme()
{
    return std::make_unique<WeqScheme>();
}

} // namespace quantscope
