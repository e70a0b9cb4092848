#pragma once

#include "slices.h"

#include "quantscope/apply.h"
#include "quantscope/codebook.h"
#include "quantscope/metrics.h"
#include "quantscope/scheme.h"
#include "quantscope/tensor.h"

#include <optional>
#include <vector>

namespace quantscope::cli {

// A tensor quantized by one scheme: one codebook for the whole tensor, or one per slice, and the
// metrics over all of the tensor's finite values.
struct QuantizedTensor {
    std::int64_t sliceCount = 1;
    std::vector<Codebook> codebooks; // per slice only when asked to keep them
    Metrics metrics;
    std::int64_t nonFinite = 0;           // NaN/Inf values, excluded from the metrics
    std::optional<AppliedTensor> applied; // codes and dequantized values, when asked for
};

struct QuantizeOptions {
    bool keepCodebooks = true; // a tensor cut in millions of groups need not hold them all
    bool apply = false;
};

// `layout` absent: one codebook from the whole tensor's Distribution (exact metrics via
// computeMetrics). Present: one Distribution and codebook per slice; the metrics add up the
// slices' error sums, so they are exact over the whole tensor too. Entropy and levels used are
// then counted over the codes of all slices; the weighted entropy is left out.
// With `apply`, also the codes and dequantized values of every element, in the tensor's order.
QuantizedTensor quantizeTensor(const Tensor& tensor, const Scheme& scheme, const Params& params,
                               const std::optional<SliceLayout>& layout,
                               const QuantizeOptions& options);

} // namespace quantscope::cli
