#pragma once

#include "quantscope/bit_allocation.h"
#include "quantscope/model_report.h"

#include <optional>
#include <string>
#include <string_view>

namespace quantscope {

// A model report as JSON: {"file", "schemes", "bits", "shard"? (parts only), "tensors": [{"index",
// "name", "shape", "dtype", "count", "nonfinite", "results": [{"scheme", "bits", "bpw",
// metrics... | "error"}]}], "skipped": [{"name", "reason"} (unreadable in the file) or
// {"index", "name", "shape", "dtype", "reason"} (left out by the report)], "totals": [{"scheme",
// "bits", "bpw", "sqnr_db", "bytes", "failed_tensors"}], "allocation"?}. Numbers round-trip
// exactly, so part reports merge into the same numbers.
std::string reportToJson(const ModelReport& report,
                         const std::optional<BitAllocation>& allocation = std::nullopt);
// Reads reportToJson's output back (the totals and allocation are recomputed, not read). Throws
// InputError naming `path` on anything else.
ModelReport reportFromJson(std::string_view text, const std::string& path);

// One row per tensor × scheme × bits: tensor, shape, dtype, count, scheme, bits, bpw, then the
// metrics of `quantize` (empty cells where absent) and an error column.
std::string reportToCsv(const ModelReport& report);

} // namespace quantscope
