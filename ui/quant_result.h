#pragma once

#include "quantscope/codebook.h"
#include "quantscope/distribution.h"
#include "quantscope/histogram.h"
#include "quantscope/metrics.h"
#include "quantscope/params.h"

#include <optional>
#include <string>
#include <vector>

namespace quantscope {

// One scheme designed on the current distribution, with everything the views show about it.
struct QuantResult {
    std::string schemeId;
    Params params; // as requested (optional parameters left out mean "auto")
    Codebook codebook;
    Metrics metrics;
    std::vector<LevelStats> levels;
    Histogram errorHistogram; // of Q(x) − x
    std::string error;        // why the design failed (then nothing else is set)

    bool valid() const { return error.empty(); }
};

// The bit width a parameter set stands for: `bits`, else log2 of `levels`, else 8.
int bitsOf(const Params& params);

// Whether the scheme takes a bit width (directly or as a level count 2^bits).
bool schemeTakesBits(const std::string& schemeId);

// Designs `schemeId` with `params` and derives its metrics, level statistics and error
// histogram; O((L + bins) log n), never a pass over the values. Failures land in `error`.
QuantResult designResult(const Distribution& dist, const std::string& schemeId,
                         const Params& params);

// The histogram of Q(x) − x from the Distribution: for each level, the values in its range
// shifted by the level, binned over the error range; `bins` equal-width bins.
Histogram errorHistogram(const Distribution& dist, const Codebook& codebook,
                         const std::vector<LevelStats>& levels, int bins);

} // namespace quantscope
