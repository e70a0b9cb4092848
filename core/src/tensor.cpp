#include "quantscope/tensor.h"

#include "quantscope/errors.h"

namespace quantscope {

std::int64_t elementCount(const Shape& shape)
{
    std::int64_t count = 1;
    for (std::int64_t dim : shape) {
        if (dim < 0) {
            throw InputError("negative dimension " + std::to_string(dim) + " in shape " +
                             shapeToString(shape));
        }
        if (__builtin_mul_overflow(count, dim, &count)) {
            throw InputError("shape " + shapeToString(shape) + " has too many elements");
        }
    }
    return count;
}

std::string shapeToString(const Shape& shape)
{
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        text += (i ? ", " : "") + std::to_string(shape[i]);
    }
    return text + "]";
}

Tensor::Tensor(std::string name, Shape shape, std::vector<float> values, std::string sourceDtype)
    : m_name(std::move(name))
    , m_shape(std::move(shape))
    , m_sourceDtype(std::move(sourceDtype))
{
    auto owned = std::make_shared<std::vector<float>>(std::move(values));
    m_values = *owned;
    m_owner = std::move(owned);
}

Tensor::Tensor(std::string name, Shape shape, std::shared_ptr<const void> owner,
               std::span<const float> values, std::string sourceDtype)
    : m_name(std::move(name))
    , m_shape(std::move(shape))
    , m_sourceDtype(std::move(sourceDtype))
    , m_owner(std::move(owner))
    , m_values(values)
{
}

} // namespace quantscope
