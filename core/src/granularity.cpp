#include "quantscope/granularity.h"

#include "quantscope/errors.h"
#include "quantscope/parallel.h"

#include <cmath>
#include <limits>

namespace quantscope {

std::string Granularity::describe() const
{
    switch (kind) {
    case Kind::PerChannel:
        return "per channel along axis " + std::to_string(axis);
    case Kind::PerGroup:
        return "per group of " + std::to_string(groupSize);
    case Kind::PerTensor:
        break;
    }
    return "per tensor";
}

SliceLayout SliceLayout::forGranularity(const Shape& shape, const Granularity& granularity)
{
    switch (granularity.kind) {
    case Granularity::Kind::PerChannel:
        return perChannel(shape, granularity.axis);
    case Granularity::Kind::PerGroup:
        return perGroup(shape, granularity.groupSize);
    case Granularity::Kind::PerTensor:
        break;
    }
    return whole(shape);
}

SliceLayout SliceLayout::perChannel(const Shape& shape, std::int64_t axis)
{
    const auto rank = static_cast<std::int64_t>(shape.size());
    if (axis < -rank || axis >= rank) {
        throw UsageError("per channel along axis " + std::to_string(axis) + ": the tensor has " +
                         std::to_string(rank) + (rank == 1 ? " axis" : " axes") + " (shape " +
                         shapeToString(shape) + ")");
    }
    SliceLayout layout;
    layout.m_elements = quantscope::elementCount(shape);
    layout.m_axis = axis < 0 ? axis + rank : axis;
    for (std::int64_t d = 0; d < rank; ++d) {
        if (d < layout.m_axis) {
            layout.m_outer *= shape[d];
        } else if (d > layout.m_axis) {
            layout.m_inner *= shape[d];
        }
    }
    layout.m_extent = shape[layout.m_axis];
    layout.m_sliceCount = layout.m_extent;
    return layout;
}

SliceLayout SliceLayout::perGroup(const Shape& shape, std::int64_t groupSize)
{
    if (groupSize < 1) {
        throw UsageError("the group size must be at least 1, got " + std::to_string(groupSize));
    }
    SliceLayout layout;
    layout.m_groups = true;
    layout.m_elements = quantscope::elementCount(shape);
    layout.m_rowLength = shape.empty() ? 1 : shape.back();
    layout.m_blockSize = groupSize;
    if (layout.m_rowLength > 0) {
        layout.m_rows = layout.m_elements / layout.m_rowLength;
        layout.m_blocksPerRow = (layout.m_rowLength + groupSize - 1) / groupSize;
        layout.m_sliceCount = layout.m_rows * layout.m_blocksPerRow;
    }
    return layout;
}

SliceLayout SliceLayout::whole(const Shape& shape)
{
    SliceLayout layout;
    layout.m_elements = quantscope::elementCount(shape);
    layout.m_inner = layout.m_elements;
    layout.m_sliceCount = 1;
    layout.m_axis = -1;
    return layout;
}

std::string SliceLayout::describe() const
{
    if (m_groups) {
        return "per group of " + std::to_string(m_blockSize);
    }
    return m_axis < 0 ? std::string("per tensor")
                      : "per channel along axis " + std::to_string(m_axis);
}

std::int64_t SliceLayout::sliceSize(std::int64_t s) const
{
    if (m_groups) {
        const std::int64_t begin = (s % m_blocksPerRow) * m_blockSize;
        return std::min(m_blockSize, m_rowLength - begin);
    }
    return m_outer * m_inner;
}

std::int64_t SliceLayout::sliceStart(std::int64_t s) const
{
    if (m_groups) {
        return (s / m_blocksPerRow) * m_rowLength + (s % m_blocksPerRow) * m_blockSize;
    }
    return s * m_inner;
}

std::int64_t SliceLayout::sliceOf(std::int64_t index) const
{
    if (m_groups) {
        return (index / m_rowLength) * m_blocksPerRow + (index % m_rowLength) / m_blockSize;
    }
    return m_inner > 0 ? (index / m_inner) % m_extent : 0;
}

std::vector<float> SliceLayout::gather(std::span<const float> all, std::int64_t s) const
{
    std::vector<float> part(static_cast<std::size_t>(sliceSize(s)));
    gatherInto(all, s, part);
    return part;
}

void SliceLayout::gatherInto(std::span<const float> all, std::int64_t s, std::span<float> out) const
{
    std::int64_t k = 0;
    forEachRun(s, [&](std::int64_t begin, std::int64_t length) {
        std::copy_n(all.begin() + begin, length, out.begin() + k);
        k += length;
    });
}

namespace {

constexpr std::int64_t kRangeGrain = 1 << 14; // values per work item

void widen(SliceRange& range, const float* x, std::int64_t n)
{
    for (std::int64_t i = 0; i < n; ++i) {
        if (std::isfinite(x[i])) {
            range.min = range.count == 0 ? x[i] : std::min(range.min, x[i]);
            range.max = range.count == 0 ? x[i] : std::max(range.max, x[i]);
            ++range.count;
        }
    }
}

void merge(SliceRange& into, const SliceRange& other)
{
    if (other.count == 0) {
        return;
    }
    into.min = into.count == 0 ? other.min : std::min(into.min, other.min);
    into.max = into.count == 0 ? other.max : std::max(into.max, other.max);
    into.count += other.count;
}

} // namespace

std::vector<SliceRange> sliceRanges(std::span<const float> values, const SliceLayout& layout)
{
    const std::int64_t slices = layout.sliceCount();
    std::vector<SliceRange> ranges(static_cast<std::size_t>(slices));
    if (layout.slicesContiguous()) {
        const std::int64_t perSlice = std::max<std::int64_t>(1, layout.sliceSize(0));
        parallelFor(slices, std::max<std::int64_t>(1, kRangeGrain / perSlice),
                    [&](std::int64_t begin, std::int64_t end, int) {
                        for (std::int64_t s = begin; s < end; ++s) {
                            layout.forEachRun(s, [&](std::int64_t at, std::int64_t length) {
                                widen(ranges[s], values.data() + at, length);
                            });
                        }
                    });
        return ranges;
    }
    // Channels behind other axes: rows of [extent, inner] in memory order, a table per worker.
    std::vector<std::vector<SliceRange>> partial(
        static_cast<std::size_t>(hardwareThreads()),
        std::vector<SliceRange>(static_cast<std::size_t>(slices)));
    const std::int64_t rowSize = layout.extent() * layout.inner();
    parallelFor(layout.outer(),
                std::max<std::int64_t>(1, kRangeGrain / std::max<std::int64_t>(1, rowSize)),
                [&](std::int64_t begin, std::int64_t end, int worker) {
                    for (std::int64_t o = begin; o < end; ++o) {
                        for (std::int64_t c = 0; c < layout.extent(); ++c) {
                            widen(partial[worker][c],
                                  values.data() + (o * layout.extent() + c) * layout.inner(),
                                  layout.inner());
                        }
                    }
                });
    for (const auto& table : partial) {
        for (std::int64_t s = 0; s < slices; ++s) {
            merge(ranges[s], table[s]);
        }
    }
    return ranges;
}

} // namespace quantscope
