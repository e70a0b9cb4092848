#pragma once

#include "quantscope/tensor.h"
#include "quantscope/tensor_file.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace quantscope {

// A graph of an ONNX model: the main graph, or a sub-graph held by a node's attribute (If's
// then_branch, Loop's and Scan's body, ...), which also sees the names of its enclosing graphs.
struct OnnxGraphScope {
    std::optional<std::size_t> parent;
    std::string path; // "" for the main graph, else e.g. "cond_node/then_branch"
};

// A constant tensor found in a graph: an initializer, a sparse initializer, or a Constant node's
// value in any of its attribute forms.
struct OnnxConstant {
    enum class Kind { Tensor, SparseTensor, Values };

    Kind kind = Kind::Tensor;
    std::string name; // as in the model: the initializer's name or the Constant's output
    std::size_t scope = 0;
    std::span<const std::byte> message; // the TensorProto or SparseTensorProto
    // Kind::Values (value_float, value_floats, value_int, value_ints): the values themselves.
    Shape shape;
    std::vector<float> values;
    std::string dtype;
};

// A DequantizeLinear node: y = (x − zero_point) · scale, per tensor, per axis, or blocked.
struct OnnxDequantize {
    std::size_t scope = 0;
    std::string input;
    std::string scale;
    std::string zeroPoint; // empty when absent
    std::int64_t axis = 1;
    std::int64_t blockSize = 0;
};

struct OnnxModelContents {
    std::vector<OnnxGraphScope> scopes;
    std::vector<OnnxConstant> constants; // main graph first, then sub-graphs breadth first
    std::vector<OnnxDequantize> dequantizers;
    std::vector<SkippedTensor> skipped; // constants that cannot be tensors, too-deep sub-graphs
};

// Sub-graphs nest at most this deep; deeper ones are listed as skipped, not read.
constexpr int kMaxOnnxGraphDepth = 32;

// Walks a ModelProto's graph and all its sub-graphs (iteratively). Malformed protobuf in the
// graph structure throws FormatError about the file.
OnnxModelContents scanOnnxModel(std::span<const std::byte> model, const std::string& path);

} // namespace quantscope
