#include "quantscope/codebook.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace quantscope {

int Codebook::levelIndex(double x) const
{
    if (std::isnan(x)) {
        x = 0.0;
    }
    return static_cast<int>(std::upper_bound(thresholds.begin(), thresholds.end(), x) -
                            thresholds.begin());
}

Codebook makeCodebook(std::vector<double> levels, std::vector<double> thresholds)
{
    Codebook codebook;
    codebook.codes.resize(levels.size());
    std::iota(codebook.codes.begin(), codebook.codes.end(), 0);
    codebook.levels = std::move(levels);
    codebook.thresholds = std::move(thresholds);
    return codebook;
}

} // namespace quantscope
