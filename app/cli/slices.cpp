#include "slices.h"

#include "quantscope/errors.h"

namespace quantscope::cli {

SliceLayout SliceLayout::perChannel(const Shape& shape, std::int64_t axis)
{
    const auto rank = static_cast<std::int64_t>(shape.size());
    if (axis < -rank || axis >= rank) {
        throw UsageError("--per-channel " + std::to_string(axis) + ": the tensor has " +
                         std::to_string(rank) + " axes (shape " + shapeToString(shape) + ")");
    }
    SliceLayout layout;
    layout.m_perChannel = true;
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
        throw UsageError("--group-size must be at least 1, got " + std::to_string(groupSize));
    }
    SliceLayout layout;
    const std::int64_t total = elementCount(shape);
    layout.m_extent = shape.empty() ? 1 : shape.back();
    layout.m_inner = groupSize;
    if (layout.m_extent > 0) {
        const std::int64_t rows = total / layout.m_extent;
        layout.m_sliceCount = rows * ((layout.m_extent + groupSize - 1) / groupSize);
    }
    return layout;
}

std::string SliceLayout::describe() const
{
    return m_perChannel ? "per channel along axis " + std::to_string(m_axis)
                        : "per group of " + std::to_string(m_inner);
}

std::vector<float> SliceLayout::gather(std::span<const float> all, std::int64_t s) const
{
    std::vector<float> part;
    forEachIndex(s, [&](std::int64_t index) { part.push_back(all[index]); });
    return part;
}

} // namespace quantscope::cli
