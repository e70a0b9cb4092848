#pragma once

#include "quantscope/compensated_sum.h"

#include <cstdint>

namespace quantscope {

// For each of `blocks` consecutive blocks of Distribution::kBlockSize values: the sum of the
// values and the sum of their squares, each accumulated in order with Neumaier's compensation
// (the exact rounding error of every addition is carried) and returned as a normalised
// double-double. The blocks are summed side by side in SIMD lanes, so the results are the same
// numbers a plain loop over each block gives.
void blockRunSums(const float* values, std::int64_t blocks, CompensatedSum* sums,
                  CompensatedSum* squares);

} // namespace quantscope
