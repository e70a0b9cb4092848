#pragma once

#include "io/io_error.h"
#include "io/mapped_file.h"
#include "quantscope/tensor_file.h"

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

namespace quantscope {

// The part every model-format reader shares: the tensor list built while opening, the tensors
// skipped with their reasons, and lookup by name.
class ListedTensorFile : public TensorFile {
public:
    const std::string& path() const override { return m_path; }
    const std::vector<TensorInfo>& tensors() const override { return m_tensors; }
    const std::vector<SkippedTensor>& skipped() const override { return m_skipped; }
    Tensor load(const std::string& name) const override;
    void releaseCachedPages() const override;

protected:
    explicit ListedTensorFile(std::string path)
        : m_path(std::move(path))
    {
    }
    // A file read from `mapped`, whose pages releaseCachedPages drops.
    explicit ListedTensorFile(std::shared_ptr<const MappedFile> mapped)
        : m_path(mapped->path())
        , m_mapped(std::move(mapped))
    {
    }

    // Lists a tensor, or skips it (returning false) when it is empty or its name is taken.
    bool addTensor(TensorInfo info);
    void addSkipped(std::string name, std::string reason);
    bool hasTensor(const std::string& name) const { return m_indexByName.count(name) != 0; }

    // Runs `list`, which checks and lists tensor `name`; a problem of that tensor (failTensor)
    // skips it with the reason instead of failing the file. Problems of the container propagate.
    template <typename List> void listOrSkip(const std::string& name, List list)
    {
        try {
            list();
        } catch (const FormatError& error) {
            if (!error.aboutTensor()) {
                throw;
            }
            addSkipped(name, error.problem());
        }
    }

    // `index` is valid and the tensor has at least one element.
    virtual Tensor loadIndex(std::size_t index) const = 0;

private:
    std::string m_path;
    std::shared_ptr<const MappedFile> m_mapped;
    std::vector<TensorInfo> m_tensors;
    std::vector<SkippedTensor> m_skipped;
    std::unordered_map<std::string, std::size_t> m_indexByName;
};

} // namespace quantscope
