#pragma once

#include "quantscope/histogram.h"
#include "quantscope/metrics.h"

#include <cstdint>
#include <span>
#include <vector>

namespace quantscope {

// What the error views bin: the error against |x| in `profileBins` bins over [0, profileMaxAbs],
// the histogram of q − x in `errorBins` bins over [errorLow, errorHigh] (0 bins: not wanted).
struct ErrorViewBins {
    int profileBins = 0;
    double profileMaxAbs = 0.0;
    int errorBins = 0;
    double errorLow = 0.0;
    double errorHigh = 0.0;

    bool any() const { return profileBins > 0 || errorBins > 0; }
};

// One worker's tables of the error views, filled run by run from values and their dequantized
// values (non-finite values left out), then added together.
class ErrorViewTables {
public:
    explicit ErrorViewTables(const ErrorViewBins& bins);

    void add(std::span<const float> stored, std::span<const float> dequantized);
    void addTo(ErrorProfile& profile, Histogram& histogram) const;

private:
    ErrorViewBins m_bins;
    double m_profileScale = 0.0;
    std::vector<std::int64_t> m_profileCounts;
    std::vector<double> m_profileSse;
    std::vector<std::int64_t> m_errorCounts;
    std::vector<std::int32_t> m_binOfValue; // scratch of one run
    std::vector<double> m_squaredErrors;
};

// Empty views with their edges, for ErrorViewTables::addTo to fill.
void startErrorViews(const ErrorViewBins& bins, ErrorProfile& profile, Histogram& histogram);

} // namespace quantscope
