#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace quantscope {

using Shape = std::vector<std::int64_t>;

// Number of elements of a shape; throws InputError when the product overflows int64.
std::int64_t elementCount(const Shape& shape);
std::string shapeToString(const Shape& shape);

// A named tensor of float32 values. The values are either owned or a view into storage kept
// alive by `owner` (e.g. a memory-mapped file), so large tensors are never copied needlessly.
class Tensor {
public:
    Tensor() = default;
    Tensor(std::string name, Shape shape, std::vector<float> values, std::string sourceDtype);
    Tensor(std::string name, Shape shape, std::shared_ptr<const void> owner,
           std::span<const float> values, std::string sourceDtype);

    const std::string& name() const { return m_name; }
    const Shape& shape() const { return m_shape; }
    const std::string& sourceDtype() const { return m_sourceDtype; }
    std::span<const float> values() const { return m_values; }
    std::int64_t size() const { return static_cast<std::int64_t>(m_values.size()); }

private:
    std::string m_name;
    Shape m_shape;
    std::string m_sourceDtype;
    std::shared_ptr<const void> m_owner;
    std::span<const float> m_values;
};

} // namespace quantscope
