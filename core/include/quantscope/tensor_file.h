#pragma once

#include "quantscope/tensor.h"

#include <memory>
#include <string>
#include <vector>

namespace quantscope {

struct TensorInfo {
    std::string name;
    Shape shape;
    std::string dtype; // the source dtype, e.g. "float16", "int8", "Q4_0"
    std::string note;  // details a browser shows on hover (e.g. stored scales), may be empty
};

// A tensor of the file that cannot be read (empty, unsupported dtype, inconsistent size, ...):
// listed with a one-line reason; the rest of the file opens.
struct SkippedTensor {
    std::string name;
    std::string reason;
};

// A file holding one or more tensors. Listing is cheap; tensors are loaded on demand.
class TensorFile {
public:
    virtual ~TensorFile() = default;
    virtual const std::string& path() const = 0;
    virtual const std::vector<TensorInfo>& tensors() const = 0;
    virtual const std::vector<SkippedTensor>& skipped() const;
    // Drops the file data this process holds resident (memory-mapped pages already read); tensors
    // stay valid and read them again when needed. For batch runs over files larger than memory.
    virtual void releaseCachedPages() const {}
    // Throws InputError naming the file and tensor on bad data, UsageError on an unknown name.
    virtual Tensor load(const std::string& name) const = 0;
};

// Opens a file by its content (and extension), or `demo:NAME`. Throws InputError.
std::unique_ptr<TensorFile> openTensorFile(const std::string& path);

// Throws InputError when the file lists no tensor (saying why when all were skipped).
void requireReadableTensors(const TensorFile& file);

// The tensor a command means: `name` if given, else the only one; several without a name is a
// UsageError listing the names.
const TensorInfo& pickTensor(const TensorFile& file, const std::string& name);

} // namespace quantscope
