#pragma once

#include "quantscope/codebook.h"
#include "quantscope/distribution.h"
#include "quantscope/granularity.h"
#include "quantscope/histogram.h"
#include "quantscope/metrics.h"
#include "quantscope/params.h"
#include "quantscope/quantize.h"
#include "quantscope/tensor.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace quantscope {

class Scheme;

// A result without one codebook (a block-scaled scheme, or any scheme per channel or group):
// how the tensor was cut, what each block got, and the quantizer to ask for one slice's
// codebook.
struct SliceResult {
    SliceQuantizer slices;
    bool ownBlocks = false; // the scheme's own blocks rather than a granularity
    std::vector<BlockInfo> blocks;
    std::vector<std::pair<std::string, double>> designNumbers;
    std::optional<std::pair<std::int32_t, std::int32_t>> codeRange;

    const SliceLayout& layout() const { return slices.layout; }
};

// One scheme designed on the current tensor, with everything the views show about it.
struct QuantResult {
    std::string schemeId;
    Params params; // as requested (optional parameters left out mean "auto")
    Granularity granularity;
    Codebook codebook; // one codebook for the tensor (or the focused slice); empty otherwise
    Metrics metrics;
    double bitsPerWeight = 0.0; // codes plus scales, zero points and tables
    std::vector<LevelStats> levels;
    Histogram errorHistogram;                  // of Q(x) − x
    ErrorProfile errorProfile;                 // the error against |x|
    std::shared_ptr<const SliceResult> slices; // set when there is no single codebook
    std::string error;                         // why the design failed (then nothing else is set)

    bool valid() const { return error.empty(); }
    bool hasCodebook() const { return !codebook.levels.empty(); }
};

// The bit width a parameter set stands for: `bits`, else log2 of `levels`, else 8.
int bitsOf(const Params& params);
// The bit width of `schemeId` with `params`: the scheme's own reading (an MX format's element
// bits), else bitsOf(params).
int bitsOf(const std::string& schemeId, const Params& params);

// Whether the scheme takes a bit width (directly or as a level count 2^bits).
bool schemeTakesBits(const std::string& schemeId);

// Designs `schemeId` with `params` and derives its metrics, level statistics, error histogram
// and error profile; O((L + bins) log n), never a pass over the values. Failures land in
// `error`.
QuantResult designResult(const Distribution& dist, const std::string& schemeId,
                         const Params& params);
// The granularity `scheme` runs at when `wanted` is chosen: block-scaled schemes keep their own
// blocks and per-tensor calibrators their one range (per tensor); every other takes `wanted`.
Granularity granularityFor(const Scheme& scheme, const Granularity& wanted);

// Any scheme at any granularity (granularityFor): designResult for one codebook per tensor, else
// the pass over the tensor's values (metrics, block infos, error histogram and profile).
// Failures land in `error`.
QuantResult quantizeResult(const Tensor& tensor, const Distribution& dist,
                           const std::string& schemeId, const Params& params,
                           const Granularity& granularity);
// One slice of a slice result (or a channel of a per-tensor one) as its own result: its
// codebook, and metrics, level statistics and error histogram over its values `dist`.
QuantResult sliceResult(const QuantResult& whole, const Codebook& codebook,
                        const Distribution& dist);

// The histogram of Q(x) − x from the Distribution: for each level, the values in its range
// shifted by the level, binned over the error range; `bins` equal-width bins.
Histogram errorHistogram(const Distribution& dist, const Codebook& codebook,
                         const std::vector<LevelStats>& levels, int bins);

} // namespace quantscope
