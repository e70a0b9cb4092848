#pragma once

#include "quantscope/metrics.h"
#include "quantscope/tensor.h"
#include "quantscope/tensor_file.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace quantscope {

// One scheme at one setting on one tensor: the metrics `quantize` reports, or why there are
// none (the scheme cannot take that setting or those data). The setting is a bit width, or for
// a scheme chosen by format (Scheme::variants) a named variant with its nominal bits.
struct ReportResult {
    std::string scheme;
    int bits = 0;
    std::string variant; // empty for a bit width
    double bpw = 0.0;    // storage bits per weight, scales included
    std::optional<Metrics> metrics;
    std::string error;

    // "4" or "q4_K": what tells the scheme's settings apart.
    std::string setting() const { return variant.empty() ? std::to_string(bits) : variant; }
};

// Every result on one tensor of the file, or why the report leaves it out (integer data, a load
// failure).
struct TensorReport {
    std::int64_t index = 0; // position among the file's listed tensors: file order
    std::string name;
    Shape shape;
    std::string dtype;
    std::int64_t count = 0; // finite values (the metrics are over these)
    std::int64_t nonFinite = 0;
    std::vector<ReportResult> results; // schemes in the report's order, each at every bit width
    std::string skipReason;            // non-empty: left out, no results

    std::int64_t parameters() const { return elementCount(shape); }
    // The result a user at `bits` bits sees: the bit width, or the scheme's first variant of
    // that many bits.
    const ReportResult* find(const std::string& scheme, int bits) const;
    const ReportResult* findSetting(const std::string& scheme, const std::string& setting) const;
};

// Part I of N (I from 1) of a file's tensors, for spreading a report over machines.
struct ReportShard {
    int index = 1;
    int count = 1;
};

struct ModelReport {
    std::string file;
    std::vector<std::string> schemes;
    std::vector<int> bits;   // for the schemes chosen by bits; the others run every variant
    std::string granularity; // Granularity::describe() of the codebook schemes' slices
    std::optional<ReportShard> shard;   // a part report; absent for a whole one
    std::vector<TensorReport> tensors;  // file order, including those the report left out
    std::vector<SkippedTensor> skipped; // the file's unreadable tensors (in part 1 of a shard set)
};

// The model at one scheme and setting, weighted by parameter count n_t:
// sqnr_db = −10·log10(Σ n_t·10^(−SQNR_t/10) / Σ n_t), bytes = Σ n_t·bpw_t / 8.
struct ReportTotal {
    std::string scheme;
    int bits = 0;
    std::string variant;
    double bpw = 0.0;             // parameter-weighted average
    std::optional<double> sqnrDb; // absent when there is no error, or no result on some tensor
    double bytes = 0.0;
    int failedTensors = 0; // tensors without a result at this setting
};

// A tensor's noise-to-signal power ratio 10^(−SQNR/10) at a result: 0 without error, infinite
// when the signal is zero but the error is not.
double noiseRatio(const Metrics& metrics);
// Σ n_t·ratio_t / Σ n_t as SQNR in dB; absent for zero (no error) or infinite noise.
std::optional<double> sqnrFromNoise(double weightedNoise, double parameters);

// Every scheme at every setting the tensors' results hold, in their order.
std::vector<ReportTotal> reportTotals(const ModelReport& report);
// Every scheme at one bit width (a variant scheme: its first variant of that many bits).
std::vector<ReportTotal> reportTotalsAt(const ModelReport& report, int bits);

// The tensors (by position in `sizes`) that shard `shard` processes: sizes are balanced over the
// shards (largest first, each to the least loaded shard, ties to the lower shard), the same for
// the same list on every machine.
std::vector<std::size_t> shardTensors(const std::vector<std::int64_t>& sizes, ReportShard shard);

// Joins part reports of one file into the whole report (identical numbers). Throws InputError
// when the parts disagree (file, schemes, bits), overlap, or miss a shard.
ModelReport mergeReports(std::vector<ModelReport> parts);

} // namespace quantscope
