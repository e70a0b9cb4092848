#pragma once

#include "quantscope/codebook.h"
#include "quantscope/npy.h"

#include <cstdint>
#include <functional>
#include <span>

namespace quantscope {

// Values applied and written per step: 16 MiB of each output, so memory stays flat however
// large the tensor.
constexpr std::int64_t kApplyStepValues = std::int64_t{1} << 22;

// Applies `codebook` to `values` step by step (CodebookApplier) and appends each step's
// dequantized values and codes to the writers given (either may be null; neither is committed).
// `keepGoing(done)` is asked after each step with the values done so far; when it returns false
// the writing stops and so does this, returning false.
bool appendAppliedCodebook(std::span<const float> values, const Codebook& codebook,
                           NpyWriter* dequantized, NpyWriter* codes,
                           const std::function<bool(std::int64_t done)>& keepGoing = {});

} // namespace quantscope
