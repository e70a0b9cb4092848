#pragma once

#include "json_writer.h"

#include "quantscope/codebook.h"
#include "quantscope/metrics.h"
#include "quantscope/params.h"
#include "quantscope/scheme.h"

#include <string>
#include <vector>

namespace quantscope::cli {

// The contract's JSON objects, shared by `quantize` and `compare`.
void writeParams(JsonWriter& json, const Params& params);
void writeCodebook(JsonWriter& json, const Codebook& codebook);
// Members of the "metrics" object (without braces, so `compare` can put them in its rows).
void writeMetricsMembers(JsonWriter& json, const Metrics& metrics);

// The metric columns of `compare`, in the CSV header's order (after scheme and bits).
const std::vector<std::string>& metricColumns();
// The metrics as CSV cells (shortest round-trip numbers, empty when absent).
std::vector<std::string> metricCsvCells(const Metrics& metrics);
// The metrics as text cells (6 significant digits).
std::vector<std::string> metricTextCells(const Metrics& metrics);

// Parameter values as text: "bits=8, mode=nearest" (choices by name).
std::string paramsText(const Scheme& scheme, const Params& params);

} // namespace quantscope::cli
