#pragma once

#include "quantscope/tensor.h"

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace quantscope::cli {

// How a tensor is cut into slices that each get their own codebook: one slice per index along an
// axis (per channel), or runs of G consecutive elements along the last axis (per group; the last
// group of a row may be shorter).
class SliceLayout {
public:
    static SliceLayout perChannel(const Shape& shape, std::int64_t axis);
    static SliceLayout perGroup(const Shape& shape, std::int64_t groupSize);

    std::int64_t sliceCount() const { return m_sliceCount; }
    bool isPerChannel() const { return m_perChannel; }
    std::int64_t axis() const { return m_axis; }       // per channel
    std::int64_t groupSize() const { return m_inner; } // per group
    std::string describe() const;

    // Copies the values of slice `s` out of the whole tensor (C order).
    std::vector<float> gather(std::span<const float> all, std::int64_t s) const;
    // Writes `part` (the values of slice `s`) back into the whole tensor.
    template <typename T>
    void scatter(std::span<const T> part, std::int64_t s, std::span<T> all) const
    {
        std::int64_t k = 0;
        forEachIndex(s, [&](std::int64_t index) { all[index] = part[k++]; });
    }

private:
    template <typename F> void forEachIndex(std::int64_t s, F&& f) const
    {
        if (m_perChannel) {
            for (std::int64_t o = 0; o < m_outer; ++o) {
                const std::int64_t base = (o * m_extent + s) * m_inner;
                for (std::int64_t i = 0; i < m_inner; ++i) {
                    f(base + i);
                }
            }
        } else {
            const std::int64_t groupsPerRow = (m_extent + m_inner - 1) / m_inner;
            const std::int64_t row = s / groupsPerRow;
            const std::int64_t begin = (s % groupsPerRow) * m_inner;
            const std::int64_t end = std::min(m_extent, begin + m_inner);
            for (std::int64_t i = begin; i < end; ++i) {
                f(row * m_extent + i);
            }
        }
    }

    bool m_perChannel = false;
    std::int64_t m_axis = 0;
    std::int64_t m_outer = 1;  // per channel: product of the dimensions before the axis
    std::int64_t m_extent = 1; // per channel: the axis length; per group: the last axis length
    std::int64_t m_inner = 1;  // per channel: product of the dimensions after; per group: G
    std::int64_t m_sliceCount = 0;
};

} // namespace quantscope::cli
