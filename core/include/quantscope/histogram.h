#pragma once

#include "quantscope/distribution.h"

#include <cstdint>
#include <vector>

namespace quantscope {

// Bin i holds the values v with edges[i] <= v < edges[i + 1]; the last bin also holds
// v == edges.back(), so a layout spanning [min, max] counts every value.
struct Histogram {
    std::vector<double> edges;
    std::vector<std::int64_t> counts;
};

// Any bin layout, O(bins log n), from the Distribution.
Histogram histogram(const Distribution& dist, std::vector<double> edges);
// `bins` equal-width bins over [lo, hi].
Histogram uniformHistogram(const Distribution& dist, int bins, double lo, double hi);
// Equal-width bins over the data range; `bins` <= 0 picks Freedman–Diaconis (clamped 16..2048).
Histogram autoHistogram(const Distribution& dist, int bins = 0);

} // namespace quantscope
