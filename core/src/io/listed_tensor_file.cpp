#include "io/listed_tensor_file.h"

#include "io/element_type.h"
#include "io/io_error.h"
#include "quantscope/errors.h"

namespace quantscope {

Tensor ListedTensorFile::load(const std::string& name) const
{
    const auto found = m_indexByName.find(name);
    if (found == m_indexByName.end()) {
        throw UsageError(printableName(m_path) + ": no tensor named '" + printableName(name) + "'");
    }
    const TensorInfo& info = m_tensors[found->second];
    if (checkedElementCount(m_path, name, info.shape) == 0) {
        failTensor(m_path, name, "is empty (shape " + shapeToString(info.shape) + ")");
    }
    return loadIndex(found->second);
}

void ListedTensorFile::addTensor(TensorInfo info)
{
    if (!m_indexByName.emplace(info.name, m_tensors.size()).second) {
        failTensor(m_path, info.name, "duplicate tensor name");
    }
    m_tensors.push_back(std::move(info));
}

} // namespace quantscope
