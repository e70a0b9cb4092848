#pragma once

#include "quantscope/tensor.h"

#include <string>
#include <vector>

namespace quantscope {

struct DemoInfo {
    std::string name;
    std::string description;
};

// The built-in demo tensors (about 10^6 elements each, fixed seeds, identical on every machine).
const std::vector<DemoInfo>& demoTensors();
// Throws UsageError naming the demos when unknown.
Tensor makeDemoTensor(const std::string& name, std::int64_t elements = 1 << 20);

} // namespace quantscope
