#pragma once

#include "json_writer.h"

#include "quantscope/distribution.h"
#include "quantscope/tensor.h"

#include <ostream>
#include <string>
#include <vector>

namespace quantscope::cli {

// One tick of a scheme that runs as a pass over the values (a block-scaled scheme, or a codebook
// scheme per channel or group): design + exact metrics, as the explorer computes it when a
// slider moves.
struct PassTiming {
    std::string scheme;
    std::string variant; // e.g. "format=fp4", "per group of 128, bits=4"
    double bitsPerWeight = 0.0;
    std::vector<double> samples;    // ms, wall clock
    std::vector<double> cpuSamples; // ms of CPU time over all threads (a busy machine's check)
    std::string error;
};

// Every block scheme in each value of its first choice parameter (mx: each element format;
// ggml: each type), and linear quantization per group of 128 and per channel, on `tensor`.
std::vector<PassTiming> benchPassTicks(const Tensor& tensor, const Distribution& dist);

void printPassTicks(std::ostream& out, const std::vector<PassTiming>& timings);
// "pass_ticks": [{"scheme", "variant", "bpw", "median_ms", "median_cpu_ms"} or {"scheme",
// "variant", "error"}]
void writePassTicks(JsonWriter& json, const std::vector<PassTiming>& timings);

} // namespace quantscope::cli
