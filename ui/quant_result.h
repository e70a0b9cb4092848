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
    // The spread of the non-zero block scales (computed with the result, off the UI thread):
    // a histogram of log2(scale), the smallest, median and largest, and how many are 0.
    Histogram scaleHistogram;
    float minScale = 0.0f;
    float medianScale = 0.0f;
    float maxScale = 0.0f;
    std::int64_t zeroScales = 0;
    // The pass's smallest and largest error, for the error histogram's range.
    double minError = 0.0;
    double maxError = 0.0;

    const SliceLayout& layout() const { return slices.layout; }
};

// The histogram of log2(scale) over blocks with a non-zero scale: one bin per exponent when every
// scale is a power of two (MX), else up to kMaxScaleBins bins; `zeroScales` counts the others.
constexpr int kMaxScaleBins = 64;
Histogram blockScaleHistogram(const std::vector<BlockInfo>& blocks, std::int64_t& zeroScales);

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
// the pass over the tensor's values (metrics and block infos; the error histogram and profile
// follow from addErrorViews). Failures land in `error`.
QuantResult quantizeResult(const Tensor& tensor, const Distribution& dist,
                           const std::string& schemeId, const Params& params,
                           const Granularity& granularity);
// The error histogram and error profile of a block or per-slice result: one more pass over the
// values, so the metrics can be shown first. Results with a codebook already have them.
void addErrorViews(QuantResult& result, const Tensor& tensor, const Distribution& dist);
// Whether `result` still lacks its error views.
bool needsErrorViews(const QuantResult& result);
// One slice of a slice result (or a channel of a per-tensor one) as its own result: its
// codebook, and metrics, level statistics and error histogram over its values `dist`.
QuantResult sliceResult(const QuantResult& whole, const Codebook& codebook,
                        const Distribution& dist);

// The histogram of Q(x) − x from the Distribution: for each level, the values in its range
// shifted by the level, binned over the error range; `bins` equal-width bins.
Histogram errorHistogram(const Distribution& dist, const Codebook& codebook,
                         const std::vector<LevelStats>& levels, int bins);

} // namespace quantscope
