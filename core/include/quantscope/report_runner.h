#pragma once

#include "quantscope/distribution.h"
#include "quantscope/granularity.h"
#include "quantscope/model_report.h"
#include "quantscope/scheme.h"
#include "quantscope/tensor_file.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace quantscope {

struct ReportOptions {
    std::vector<std::string> schemes;           // ids, in the report's order; empty: every scheme
    std::vector<int> bits{2, 3, 4, 5, 6, 7, 8}; // schemes chosen by format run every variant
    // Codebook schemes per tensor, channel or group (block schemes keep their blocks,
    // calibrators their one range).
    Granularity granularity;
    std::optional<ReportShard> shard;
    std::string tensorPattern; // ECMAScript regex searched in each name; empty: every tensor
    // Tensors run side by side while their memory (sorted copy, file pages, converted buffer)
    // fits in this many bytes; 0: three times the largest tensor's float32 bytes plus 256 MiB.
    // One tensor always runs.
    std::uint64_t memoryBudget = 0;
    int threads = 0; // 0: one per core
};

struct ReportProgress {
    std::size_t tensorsDone = 0;
    std::size_t tensorsTotal = 0;
    std::int64_t elementsDone = 0;
    std::int64_t elementsTotal = 0;
};

struct ReportCallbacks {
    // After each tensor; returning false cancels the run (runModelReport throws Cancelled).
    std::function<bool(const ReportProgress&)> progress;
    // Each finished tensor, as it finishes (not in file order); calls never overlap.
    std::function<void(const TensorReport&)> tensorDone;
};

// One scheme at one bit width on a tensor (`dist` its Distribution): exact metrics and bits per
// weight with every scale and table, as `quantize` and `compare` compute them (block-scaled
// schemes in one pass over the values); a scheme that cannot take the setting or the data gets
// an error instead of metrics.
ReportResult evaluateScheme(const Scheme& scheme, const Tensor& tensor, const Distribution& dist,
                            int bits, const Granularity& granularity = {});
// The same for a scheme chosen by format: one of its variants, at the variant's nominal bits.
ReportResult evaluateVariant(const Scheme& scheme, const Tensor& tensor, const Distribution& dist,
                             const SchemeVariant& variant, const Granularity& granularity = {});

// Every selected tensor of `file` with every scheme at every bit width. Tensors are loaded,
// prepared and freed one or a few at a time (as many as the memory budget allows), so memory
// stays near that of the largest tensor whatever the file's size. Integer tensors and tensors
// that fail to load are kept in the report with their reason. `name` is the file as the user
// gave it. Throws UsageError for unknown schemes, bits or a bad pattern; Cancelled.
ModelReport runModelReport(const TensorFile& file, const std::string& name,
                           const ReportOptions& options, const ReportCallbacks& callbacks = {});

} // namespace quantscope
