#pragma once

#include "quantscope/block_scheme.h"

#include <memory>

namespace quantscope {

// Any codebook scheme per slice: each block (a channel or a group) gets its own Distribution
// (of its finite stored values) and design, and its values go through that codebook. Codes are
// the codebook's codes (integer codes for linear codebooks, else level indices).
std::unique_ptr<BlockQuantizer> makeCodebookSliceQuantizer(const Scheme& scheme,
                                                           const Params& resolved);

} // namespace quantscope
