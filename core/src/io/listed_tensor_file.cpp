#include "io/listed_tensor_file.h"

#include "io/element_type.h"
#include "quantscope/errors.h"

namespace quantscope {

Tensor ListedTensorFile::load(const std::string& name) const
{
    const auto found = m_indexByName.find(name);
    if (found == m_indexByName.end()) {
        for (const SkippedTensor& skipped : m_skipped) {
            if (skipped.name == name) {
                failTensor(m_path, name, skipped.reason);
            }
        }
        throw UsageError(printableName(m_path) + ": no tensor named '" + printableName(name) + "'");
    }
    return loadIndex(found->second);
}

void ListedTensorFile::releaseCachedPages() const
{
    if (m_mapped) {
        m_mapped->releasePages();
    }
}

bool ListedTensorFile::addTensor(TensorInfo info)
{
    if (checkedElementCount(m_path, info.name, info.shape) == 0) {
        addSkipped(info.name, "empty (shape " + shapeToString(info.shape) + ")");
        return false;
    }
    if (!m_indexByName.emplace(info.name, m_tensors.size()).second) {
        addSkipped(info.name, "duplicate name (an earlier tensor has it)");
        return false;
    }
    m_tensors.push_back(std::move(info));
    return true;
}

void ListedTensorFile::addSkipped(std::string name, std::string reason)
{
    m_skipped.push_back({std::move(name), std::move(reason)});
}

} // namespace quantscope
