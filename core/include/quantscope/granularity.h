#pragma once

#include "quantscope/tensor.h"

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace quantscope {

// Which values share one scale (or one codebook): the whole tensor, each index along an axis
// (per channel), or each run of G consecutive elements along the last axis (per group).
struct Granularity {
    enum class Kind { PerTensor, PerChannel, PerGroup };

    Kind kind = Kind::PerTensor;
    std::int64_t axis = 0;      // per channel; negative counts from the end
    std::int64_t groupSize = 0; // per group

    static Granularity perTensor() { return {}; }
    static Granularity perChannel(std::int64_t axis) { return {Kind::PerChannel, axis, 0}; }
    static Granularity perGroup(std::int64_t size) { return {Kind::PerGroup, 0, size}; }

    bool isPerTensor() const { return kind == Kind::PerTensor; }
    // "per tensor", "per channel along axis 0", "per group of 128"
    std::string describe() const;
    bool operator==(const Granularity&) const = default;
};

// How a tensor (C order) is cut into slices, each quantized on its own.
//
// Channel layouts: slice s holds the elements whose index along `axis` is s; viewing the shape as
// [outer, extent, inner], slice s is `outer` runs of `inner` contiguous values. Group layouts:
// the tensor as [rows, rowLength] (rowLength = the last dimension), each row cut into blocks of
// `blockSize` values from its start; the last block of a row may be shorter. A per-tensor layout
// is one channel spanning everything.
class SliceLayout {
public:
    // Throws UsageError for an axis the shape lacks or a group size below 1.
    static SliceLayout forGranularity(const Shape& shape, const Granularity& granularity);
    static SliceLayout perChannel(const Shape& shape, std::int64_t axis);
    static SliceLayout perGroup(const Shape& shape, std::int64_t groupSize);
    static SliceLayout whole(const Shape& shape);

    bool isGroups() const { return m_groups; }
    bool isPerChannel() const { return !m_groups; }
    std::int64_t axis() const { return m_axis; }           // channel layouts
    std::int64_t groupSize() const { return m_blockSize; } // group layouts
    std::int64_t sliceCount() const { return m_sliceCount; }
    std::int64_t elementCount() const { return m_elements; }
    std::string describe() const;

    // Group layouts.
    std::int64_t rows() const { return m_rows; }
    std::int64_t rowLength() const { return m_rowLength; }
    std::int64_t blocksPerRow() const { return m_blocksPerRow; }

    // Channel layouts: the shape as [outer, extent, inner] around the axis. A slice is one
    // contiguous run when nothing precedes the axis.
    std::int64_t outer() const { return m_outer; }
    std::int64_t extent() const { return m_extent; }
    std::int64_t inner() const { return m_inner; }
    bool slicesContiguous() const { return m_groups || m_outer == 1; }
    std::int64_t sliceSize(std::int64_t s) const;
    // First element of slice s in the tensor.
    std::int64_t sliceStart(std::int64_t s) const;
    // The slice element `index` (C order) belongs to.
    std::int64_t sliceOf(std::int64_t index) const;

    // Copies the values of slice `s` out of the whole tensor, in C order.
    std::vector<float> gather(std::span<const float> all, std::int64_t s) const;
    void gatherInto(std::span<const float> all, std::int64_t s, std::span<float> out) const;
    // Writes `part` (the values of slice `s`) back into the whole tensor.
    template <typename T>
    void scatter(std::span<const T> part, std::int64_t s, std::span<T> all) const
    {
        std::int64_t k = 0;
        forEachRun(s, [&](std::int64_t begin, std::int64_t length) {
            for (std::int64_t i = 0; i < length; ++i) {
                all[begin + i] = part[k++];
            }
        });
    }

    // Calls f(begin, length) for each contiguous run of slice `s`, in order.
    template <typename F> void forEachRun(std::int64_t s, F&& f) const
    {
        if (m_groups) {
            const std::int64_t row = s / m_blocksPerRow;
            const std::int64_t begin = (s % m_blocksPerRow) * m_blockSize;
            f(row * m_rowLength + begin, std::min(m_blockSize, m_rowLength - begin));
            return;
        }
        for (std::int64_t o = 0; o < m_outer; ++o) {
            f((o * m_extent + s) * m_inner, m_inner);
        }
    }

private:
    bool m_groups = false;
    std::int64_t m_elements = 0;
    std::int64_t m_sliceCount = 0;
    // Channel layouts.
    std::int64_t m_axis = 0;
    std::int64_t m_outer = 1;
    std::int64_t m_extent = 1;
    std::int64_t m_inner = 1;
    // Group layouts.
    std::int64_t m_rows = 0;
    std::int64_t m_rowLength = 0;
    std::int64_t m_blockSize = 1;
    std::int64_t m_blocksPerRow = 0;
};

// The smallest and largest finite value of each slice (each channel, group or block), for range
// views; `count` finite values (0: the slice holds none and min/max mean nothing). One parallel
// pass in memory order.
struct SliceRange {
    float min = 0.0f;
    float max = 0.0f;
    std::int64_t count = 0;
};
std::vector<SliceRange> sliceRanges(std::span<const float> values, const SliceLayout& layout);

} // namespace quantscope
