// The structure of an ONNX model: graphs and sub-graphs, their initializers, Constant nodes and
// DequantizeLinear nodes. Decoded from the protobuf wire format (see protobuf_wire.h).
#include "io/onnx_model.h"

#include "io/onnx_tensor.h"
#include "io/protobuf_wire.h"

#include <bit>
#include <deque>

namespace quantscope {

namespace {

// Field numbers from onnx.proto.
constexpr std::uint32_t kModelGraph = 7;
constexpr std::uint32_t kGraphNode = 1;
constexpr std::uint32_t kGraphInitializer = 5;
constexpr std::uint32_t kGraphSparseInitializer = 15;
constexpr std::uint32_t kNodeInput = 1;
constexpr std::uint32_t kNodeOutput = 2;
constexpr std::uint32_t kNodeName = 3;
constexpr std::uint32_t kNodeOpType = 4;
constexpr std::uint32_t kNodeAttribute = 5;
constexpr std::uint32_t kNodeDomain = 7;
constexpr std::uint32_t kAttributeName = 1;
constexpr std::uint32_t kAttributeFloat = 2;
constexpr std::uint32_t kAttributeInt = 3;
constexpr std::uint32_t kAttributeString = 4;
constexpr std::uint32_t kAttributeTensor = 5;
constexpr std::uint32_t kAttributeGraph = 6;
constexpr std::uint32_t kAttributeFloats = 7;
constexpr std::uint32_t kAttributeInts = 8;
constexpr std::uint32_t kAttributeStrings = 9;
constexpr std::uint32_t kAttributeGraphs = 11;
constexpr std::uint32_t kAttributeSparseTensor = 22;
constexpr std::uint32_t kSparseValues = 1;

std::string_view text(std::span<const std::byte> bytes)
{
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// One attribute of a node, with the few value kinds QuantScope reads.
struct Attribute {
    std::string_view name;
    std::optional<float> f;
    std::optional<std::int64_t> i;
    bool hasString = false;
    std::optional<std::span<const std::byte>> tensor;
    std::optional<std::span<const std::byte>> sparseTensor;
    std::vector<std::span<const std::byte>> graphs; // g, or each of graphs
    bool graphList = false;
    std::vector<float> floats;
    std::vector<std::int64_t> ints;
    bool hasFloats = false;
    bool hasInts = false;
};

Attribute readAttribute(std::span<const std::byte> bytes, const std::string& path)
{
    Attribute attribute;
    WireReader reader(bytes, path);
    WireField field;
    while (reader.next(field)) {
        const bool delimited = field.type == WireField::LengthDelimited;
        switch (field.number) {
        case kAttributeName:
            attribute.name = delimited ? text(field.bytes) : std::string_view();
            break;
        case kAttributeFloat:
            attribute.f = std::bit_cast<float>(static_cast<std::uint32_t>(field.scalar));
            break;
        case kAttributeInt:
            attribute.i = static_cast<std::int64_t>(field.scalar);
            break;
        case kAttributeString:
        case kAttributeStrings:
            attribute.hasString = true;
            break;
        case kAttributeTensor:
            if (delimited) {
                attribute.tensor = field.bytes;
            }
            break;
        case kAttributeSparseTensor:
            if (delimited) {
                attribute.sparseTensor = field.bytes;
            }
            break;
        case kAttributeGraph:
        case kAttributeGraphs:
            if (delimited) {
                attribute.graphs.push_back(field.bytes);
                attribute.graphList = field.number == kAttributeGraphs;
            }
            break;
        case kAttributeFloats:
            attribute.hasFloats = true;
            if (delimited) {
                WireReader packed(field.bytes, path);
                while (!packed.atEnd()) {
                    attribute.floats.push_back(
                        std::bit_cast<float>(static_cast<std::uint32_t>(packed.fixed(4))));
                }
            } else {
                attribute.floats.push_back(
                    std::bit_cast<float>(static_cast<std::uint32_t>(field.scalar)));
            }
            break;
        case kAttributeInts:
            attribute.hasInts = true;
            if (delimited) {
                WireReader packed(field.bytes, path);
                while (!packed.atEnd()) {
                    attribute.ints.push_back(static_cast<std::int64_t>(packed.varint()));
                }
            } else {
                attribute.ints.push_back(static_cast<std::int64_t>(field.scalar));
            }
            break;
        default:
            break;
        }
    }
    return attribute;
}

// The name in a TensorProto; empty when it has none or is malformed before it (its listing
// then reports the problem).
std::string_view tensorName(std::span<const std::byte> tensor)
{
    return readOnnxTensorHeader(tensor, {}).name;
}

// The name a SparseTensorProto carries on its values tensor.
std::string_view sparseName(std::span<const std::byte> sparse, const std::string& path)
{
    WireReader reader(sparse, path);
    WireField field;
    while (reader.next(field)) {
        if (field.number == kSparseValues && field.type == WireField::LengthDelimited) {
            return tensorName(field.bytes);
        }
    }
    return {};
}

struct PendingGraph {
    std::span<const std::byte> bytes;
    std::size_t scope;
    int depth;
};

class ModelScanner {
public:
    ModelScanner(const std::string& path)
        : m_path(path)
    {
    }

    OnnxModelContents scan(std::span<const std::byte> model)
    {
        WireReader reader(model, m_path);
        WireField field;
        while (reader.next(field)) {
            if (field.number == kModelGraph && field.type == WireField::LengthDelimited) {
                m_contents.scopes.push_back({std::nullopt, ""});
                m_pending.push_back({field.bytes, m_contents.scopes.size() - 1, 0});
            }
        }
        // Breadth first, so that the main graph's names come before any sub-graph's.
        while (!m_pending.empty()) {
            const PendingGraph graph = m_pending.front();
            m_pending.pop_front();
            readGraph(graph);
        }
        return std::move(m_contents);
    }

private:
    void readGraph(const PendingGraph& graph)
    {
        WireReader reader(graph.bytes, m_path);
        WireField field;
        std::size_t nodeIndex = 0;
        while (reader.next(field)) {
            if (field.type != WireField::LengthDelimited) {
                continue;
            }
            if (field.number == kGraphInitializer) {
                addTensor(OnnxConstant::Kind::Tensor, field.bytes, tensorName(field.bytes),
                          graph.scope);
            } else if (field.number == kGraphSparseInitializer) {
                addTensor(OnnxConstant::Kind::SparseTensor, field.bytes,
                          sparseName(field.bytes, m_path), graph.scope);
            } else if (field.number == kGraphNode) {
                readNode(field.bytes, graph, nodeIndex++);
            }
        }
    }

    void readNode(std::span<const std::byte> node, const PendingGraph& graph, std::size_t nodeIndex)
    {
        WireReader reader(node, m_path);
        WireField field;
        std::string_view opType;
        std::string_view nodeName;
        std::string_view domain;
        std::vector<std::string_view> inputs;
        std::vector<std::string_view> outputs;
        std::vector<Attribute> attributes;
        while (reader.next(field)) {
            if (field.type != WireField::LengthDelimited) {
                continue;
            }
            switch (field.number) {
            case kNodeInput:
                inputs.push_back(text(field.bytes));
                break;
            case kNodeOutput:
                outputs.push_back(text(field.bytes));
                break;
            case kNodeName:
                nodeName = text(field.bytes);
                break;
            case kNodeOpType:
                opType = text(field.bytes);
                break;
            case kNodeDomain:
                domain = text(field.bytes);
                break;
            case kNodeAttribute:
                attributes.push_back(readAttribute(field.bytes, m_path));
                break;
            default:
                break;
            }
        }
        const std::string label = nodeName.empty()
                                      ? std::string(opType) + "#" + std::to_string(nodeIndex)
                                      : std::string(nodeName);
        for (const Attribute& attribute : attributes) {
            for (std::size_t g = 0; g < attribute.graphs.size(); ++g) {
                std::string path = subgraphPath(graph.scope, label, attribute.name);
                if (attribute.graphList) {
                    path += "[" + std::to_string(g) + "]";
                }
                addSubgraph(attribute.graphs[g], graph, std::move(path));
            }
        }
        const bool standard = domain.empty() || domain == "ai.onnx";
        if (opType == "Constant" && standard && !outputs.empty()) {
            readConstant(attributes, std::string(outputs.front()), graph.scope);
        } else if (opType == "DequantizeLinear" && (standard || domain == "com.microsoft") &&
                   inputs.size() >= 2) {
            OnnxDequantize dequantize;
            dequantize.scope = graph.scope;
            dequantize.input = inputs[0];
            dequantize.scale = inputs[1];
            dequantize.zeroPoint = inputs.size() >= 3 ? inputs[2] : std::string_view();
            for (const Attribute& attribute : attributes) {
                if (attribute.name == "axis" && attribute.i) {
                    dequantize.axis = *attribute.i;
                } else if (attribute.name == "block_size" && attribute.i) {
                    dequantize.blockSize = *attribute.i;
                }
            }
            m_contents.dequantizers.push_back(std::move(dequantize));
        }
    }

    void readConstant(const std::vector<Attribute>& attributes, const std::string& name,
                      std::size_t scope)
    {
        for (const Attribute& attribute : attributes) {
            const std::string_view kind = attribute.name;
            if (kind == "value" && attribute.tensor) {
                addTensor(OnnxConstant::Kind::Tensor, *attribute.tensor, name, scope);
            } else if (kind == "sparse_value" && attribute.sparseTensor) {
                addTensor(OnnxConstant::Kind::SparseTensor, *attribute.sparseTensor, name, scope);
            } else if (kind == "value_float" && attribute.f) {
                addValues(name, scope, {}, {*attribute.f}, "float32");
            } else if (kind == "value_floats" && attribute.hasFloats) {
                addValues(name, scope, {static_cast<std::int64_t>(attribute.floats.size())},
                          attribute.floats, "float32");
            } else if (kind == "value_int" && attribute.i) {
                addValues(name, scope, {}, {static_cast<float>(*attribute.i)}, "int64");
            } else if (kind == "value_ints" && attribute.hasInts) {
                addValues(name, scope, {static_cast<std::int64_t>(attribute.ints.size())},
                          {attribute.ints.begin(), attribute.ints.end()}, "int64");
            } else if ((kind == "value_string" || kind == "value_strings") && attribute.hasString) {
                m_contents.skipped.push_back({name, "string constant (no numbers)"});
            } else {
                continue;
            }
            return;
        }
        m_contents.skipped.push_back({name, "Constant node without a value attribute"});
    }

    void addTensor(OnnxConstant::Kind kind, std::span<const std::byte> message,
                   std::string_view name, std::size_t scope)
    {
        OnnxConstant constant;
        constant.kind = kind;
        constant.name = std::string(name);
        constant.scope = scope;
        constant.message = message;
        m_contents.constants.push_back(std::move(constant));
    }

    void addValues(const std::string& name, std::size_t scope, Shape shape,
                   std::vector<float> values, std::string dtype)
    {
        OnnxConstant constant;
        constant.kind = OnnxConstant::Kind::Values;
        constant.name = name;
        constant.scope = scope;
        constant.shape = std::move(shape);
        constant.values = std::move(values);
        constant.dtype = std::move(dtype);
        m_contents.constants.push_back(std::move(constant));
    }

    std::string subgraphPath(std::size_t scope, const std::string& node,
                             std::string_view attribute) const
    {
        const std::string& parent = m_contents.scopes[scope].path;
        return (parent.empty() ? "" : parent + "/") + node + "/" + std::string(attribute);
    }

    void addSubgraph(std::span<const std::byte> bytes, const PendingGraph& parent, std::string path)
    {
        if (parent.depth + 1 > kMaxOnnxGraphDepth) {
            m_contents.skipped.push_back({path, "sub-graph nested deeper than " +
                                                    std::to_string(kMaxOnnxGraphDepth) +
                                                    " levels: not read"});
            return;
        }
        m_contents.scopes.push_back({parent.scope, std::move(path)});
        m_pending.push_back({bytes, m_contents.scopes.size() - 1, parent.depth + 1});
    }

    const std::string& m_path;
    OnnxModelContents m_contents;
    std::deque<PendingGraph> m_pending;
};

} // namespace

OnnxModelContents scanOnnxModel(std::span<const std::byte> model, const std::string& path)
{
    return ModelScanner(path).scan(model);
}

} // namespace quantscope
