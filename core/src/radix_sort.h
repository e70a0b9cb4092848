#pragma once

#include "quantscope/distribution.h"

#include <span>
#include <vector>

namespace quantscope {

// Sorts float32 values ascending (-0 before +0) with an LSD radix sort: three passes of
// 11 bits over order-preserving integer keys, O(n), about 5x faster than std::sort on 10^7+
// values. Reports progress in (0, 1]; throws Cancelled when the callback says so.
void radixSortFloats(std::vector<float>& values, const ProgressCallback& progress = {});

} // namespace quantscope
