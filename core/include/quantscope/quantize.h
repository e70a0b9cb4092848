#pragma once

#include "quantscope/apply.h"
#include "quantscope/block_scheme.h"
#include "quantscope/codebook.h"
#include "quantscope/distribution.h"
#include "quantscope/granularity.h"
#include "quantscope/histogram.h"
#include "quantscope/metrics.h"
#include "quantscope/scheme.h"
#include "quantscope/tensor.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace quantscope {

struct QuantizeOptions {
    // Codebook schemes: one codebook for the tensor, or one per channel or group. Block-scaled
    // schemes bring their own blocks and take only the per-tensor default.
    Granularity granularity;
    // The tensor's Distribution when the caller has one: a per-tensor codebook is designed and
    // measured from it (no pass over the values), and NVFP4 reads max|x| from it.
    const Distribution* distribution = nullptr;
    bool apply = false;         // codes and dequantized values of every element
    bool keepCodebooks = false; // each slice's codebook (codebook schemes at a granularity)
    bool keepBlocks = false;    // each block's BlockInfo
    int errorProfileBins = 0;   // > 0: the error against |x| in this many bins
    int errorHistogramBins = 0; // > 0: the histogram of Q(x) − x (a second pass for blocks)
};

// A tensor through one scheme. Metrics are over all of the tensor's finite values, exact:
// from the Distribution for one codebook, from a pass over the values otherwise.
struct QuantizedTensor {
    Params params; // resolved
    Metrics metrics;
    std::int64_t nonFinite = 0;
    // Storage per value: codes plus every scale, minimum, zero point or table.
    double bitsPerWeight = 0.0;
    std::optional<Codebook> codebook; // a per-tensor codebook scheme's codebook
    // Otherwise: how the tensor was cut (one BlockInfo / codebook per slice, in slice order) and
    // the highest code range the quantizer wrote.
    std::optional<SliceLayout> layout;
    std::optional<std::pair<std::int32_t, std::int32_t>> codeRange;
    std::vector<Codebook> codebooks;
    std::vector<BlockInfo> blocks;
    std::vector<std::pair<std::string, double>> designNumbers;
    std::optional<AppliedTensor> applied;
    ErrorProfile errorProfile;
    Histogram errorHistogram;
    // The smallest and largest error Q(x) − x (block passes; 0 for one codebook).
    double minError = 0.0;
    double maxError = 0.0;
};

// Designs `scheme` with `given` parameters for `tensor` and measures it. Throws UsageError for
// bad parameters or a granularity the tensor (or scheme) cannot take, InputError for data the
// scheme cannot handle.
QuantizedTensor quantizeTensor(const Tensor& tensor, const Scheme& scheme, const Params& given,
                               const QuantizeOptions& options = {});

// The error views of a block or per-slice quantization in one more pass, for views that show
// the metrics first: the error against |x| in `profileBins` bins (0: none) and the histogram of
// Q(x) − x in `histogramBins` bins over [minError, maxError] from the first pass.
struct ErrorViews {
    ErrorProfile profile;
    Histogram histogram;
};
ErrorViews errorViews(const Tensor& tensor, const Scheme& scheme, const Params& given,
                      const QuantizeOptions& options, const QuantizedTensor& first, int profileBins,
                      int histogramBins);

// The quantizer of a scheme at a granularity and its layout on `shape`: a block scheme's own
// blocks, or the scheme's slice quantizer per channel or group. For views that requantize one
// slice. Throws as quantizeTensor; not for per-tensor codebook schemes (UsageError).
struct SliceQuantizer {
    SliceLayout layout;
    std::shared_ptr<const BlockQuantizer> quantizer;
};
SliceQuantizer makeSliceQuantizer(const Scheme& scheme, const Params& resolved,
                                  const Granularity& granularity, const Shape& shape,
                                  double maxAbs);

// Whether `scheme` at `granularity` runs as a pass over the values (block schemes, or any
// scheme per channel or group) rather than one codebook from the Distribution.
bool quantizesInBlocks(const Scheme& scheme, const Granularity& granularity);

// The codebook slice `s` of `tensor` gets, with its BlockInfo (for views of one block).
std::pair<Codebook, BlockInfo> sliceCodebook(const Tensor& tensor, const SliceQuantizer& slices,
                                             std::int64_t s);

// max |x| over the finite values, in one parallel pass.
double maxAbsOf(std::span<const float> values);

} // namespace quantscope
