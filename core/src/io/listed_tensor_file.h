#pragma once

#include "quantscope/tensor_file.h"

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

namespace quantscope {

// The part every model-format reader shares: the tensor list built while opening (duplicate
// names rejected), lookup by name, and the empty-tensor check before a reader loads by index.
class ListedTensorFile : public TensorFile {
public:
    const std::string& path() const override { return m_path; }
    const std::vector<TensorInfo>& tensors() const override { return m_tensors; }
    Tensor load(const std::string& name) const override;

protected:
    explicit ListedTensorFile(std::string path)
        : m_path(std::move(path))
    {
    }

    // Throws InputError on a duplicate name.
    void addTensor(TensorInfo info);
    // `index` is valid and the tensor has at least one element.
    virtual Tensor loadIndex(std::size_t index) const = 0;

private:
    std::string m_path;
    std::vector<TensorInfo> m_tensors;
    std::unordered_map<std::string, std::size_t> m_indexByName;
};

} // namespace quantscope
