#include "blocks/error_view_tables.h"

#include "blocks/error_view_bins.h"

#include <algorithm>

namespace quantscope {

ErrorViewTables::ErrorViewTables(const ErrorViewBins& bins)
    : m_bins(bins)
    // A double, so that a subnormal max |x| does not overflow it.
    , m_profileScale(bins.profileBins > 0 && bins.profileMaxAbs > 0
                         ? bins.profileBins / bins.profileMaxAbs
                         : 0.0)
    , m_profileCounts(std::size_t(std::max(0, bins.profileBins)), 0)
    , m_profileSse(std::size_t(std::max(0, bins.profileBins)), 0.0)
    , m_errorCounts(std::size_t(std::max(0, bins.errorBins)), 0)
{
}

void ErrorViewTables::add(std::span<const float> stored, std::span<const float> dequantized)
{
    const std::size_t n = stored.size();
    m_binOfValue.resize(n);
    // Counted through local pointers: the stores could otherwise alias the vectors' own.
    const std::int32_t* bins = m_binOfValue.data();
    if (m_bins.profileBins > 0) {
        m_squaredErrors.resize(n);
        kernels::profileBins(stored.data(), dequantized.data(), n, m_profileScale,
                             m_bins.profileBins - 1, m_binOfValue.data(), m_squaredErrors.data());
        std::int64_t* counts = m_profileCounts.data();
        double* sse = m_profileSse.data();
        const double* squaredErrors = m_squaredErrors.data();
        for (std::size_t i = 0; i < n; ++i) {
            if (bins[i] >= 0) {
                ++counts[bins[i]];
                sse[bins[i]] += squaredErrors[i];
            }
        }
    }
    if (m_bins.errorBins > 0) {
        const double width = (m_bins.errorHigh - m_bins.errorLow) / m_bins.errorBins;
        kernels::errorBins(stored.data(), dequantized.data(), n, m_bins.errorLow,
                           width > 0 ? 1.0 / width : 0.0, m_bins.errorBins - 1,
                           m_binOfValue.data());
        std::int64_t* counts = m_errorCounts.data();
        for (std::size_t i = 0; i < n; ++i) {
            if (bins[i] >= 0) {
                ++counts[bins[i]];
            }
        }
    }
}

void ErrorViewTables::addTo(ErrorProfile& profile, Histogram& histogram) const
{
    for (std::size_t k = 0; k < m_profileCounts.size(); ++k) {
        profile.counts[k] += m_profileCounts[k];
        profile.sumSquaredError[k] += m_profileSse[k];
    }
    for (std::size_t k = 0; k < m_errorCounts.size(); ++k) {
        histogram.counts[k] += m_errorCounts[k];
    }
}

void startErrorViews(const ErrorViewBins& bins, ErrorProfile& profile, Histogram& histogram)
{
    profile = {};
    histogram = {};
    if (bins.profileBins > 0) {
        profile.counts.assign(std::size_t(bins.profileBins), 0);
        profile.sumSquaredError.assign(std::size_t(bins.profileBins), 0.0);
        for (int k = 0; k <= bins.profileBins; ++k) {
            profile.edges.push_back(bins.profileMaxAbs * k / bins.profileBins);
        }
    }
    if (bins.errorBins > 0) {
        histogram.counts.assign(std::size_t(bins.errorBins), 0);
        const double width = (bins.errorHigh - bins.errorLow) / bins.errorBins;
        for (int k = 0; k <= bins.errorBins; ++k) {
            histogram.edges.push_back(bins.errorLow + width * k);
        }
        histogram.edges.back() = bins.errorHigh;
    }
}

} // namespace quantscope
