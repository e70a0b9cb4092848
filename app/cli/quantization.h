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
    std::vector<Codebook> codebooks;
    Metrics metrics;
};

// `layout` absent: one codebook from the whole tensor's Distribution (exact metrics via
// computeMetrics). Present: one Distribution and codebook per slice; the metrics add up the
// slices' error sums, so they are exact over the whole tensor too. Entropy and levels used are
// then counted over the codes of all slices; the weighted entropy is left out.
QuantizedTensor quantizeTensor(const Tensor& tensor, const Scheme& scheme, const Params& params,
                               const std::optional<SliceLayout>& layout);

// Codes and dequantized values of every element, in the tensor's order.
AppliedTensor applyQuantized(const Tensor& tensor, const QuantizedTensor& quantized,
                             const std::optional<SliceLayout>& layout);

} // namespace quantscope::cli
