#pragma once

#include "blocks/error_view_tables.h"
#include "quantscope/quantize.h"

#include <span>

namespace quantscope {

struct PassOptions {
    bool metrics = true; // false: only what else is asked for (a second pass for a histogram)
    bool apply = false;
    bool keepBlocks = false;
    bool keepCodebooks = false;
    ErrorViewBins views; // the error views to bin
};

struct PassResult {
    Metrics metrics;
    std::int64_t nonFinite = 0;
    double storageBits = 0.0;
    double minError = 0.0; // over the finite values (when any)
    double maxError = 0.0;
    std::vector<BlockInfo> blocks;
    std::vector<Codebook> codebooks;
    std::optional<AppliedTensor> applied;
    ErrorProfile profile;
    Histogram errorHistogram;
};

// The one pass: every slice of `layout` (one block each) through `quantizer`, in parallel, with
// the exact metrics of the whole tensor accumulated from what it writes.
PassResult runBlockPass(std::span<const float> values, const SliceLayout& layout,
                        const BlockQuantizer& quantizer, const PassOptions& options);

} // namespace quantscope
