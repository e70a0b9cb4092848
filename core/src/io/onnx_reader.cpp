// ONNX models: every initializer (dense or sparse) and every Constant node's value, in the main
// graph and in every sub-graph (If, Loop, Scan, ...); integer initializers that feed a
// DequantizeLinear with constant scales are listed as the float tensors they stand for. Read
// from the memory-mapped model without parsing anything eagerly (see onnx_model.h,
// onnx_tensor.h).
#include "io/element_type.h"
#include "io/format_readers.h"
#include "io/io_error.h"
#include "io/listed_tensor_file.h"
#include "io/onnx_model.h"
#include "io/onnx_tensor.h"
#include "io/protobuf_wire.h"
#include "quantscope/errors.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

namespace quantscope {

namespace {

// SparseTensorProto fields.
constexpr std::uint32_t kSparseValues = 1;
constexpr std::uint32_t kSparseIndices = 2;
constexpr std::uint32_t kSparseDims = 3;
// Scales and zero points shown in a tensor's note.
constexpr std::size_t kNotedValues = 6;

std::string formatValue(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", value);
    return text;
}

// "scale 0.02" or "64 scales 0.001 .. 0.03: 0.0012, 0.0013, ..." for a tooltip.
template <typename T> std::string describeValues(const char* what, const std::vector<T>& values)
{
    if (values.size() == 1) {
        return std::string(what) + " " + formatValue(values.front());
    }
    const auto [low, high] = std::minmax_element(values.begin(), values.end());
    std::string text = std::to_string(values.size()) + " " + what + "s " + formatValue(*low) +
                       " .. " + formatValue(*high) + ":";
    for (std::size_t i = 0; i < values.size() && i < kNotedValues; ++i) {
        text += (i > 0 ? ", " : " ") + formatValue(values[i]);
    }
    return text + (values.size() > kNotedValues ? ", ..." : "");
}

// A DequantizeLinear applied to a listed integer tensor: y = (q − zero_point) · scale, with one
// scale for the tensor, one per index along `axis`, or one per `blockSize` indices along `axis`.
struct Dequantization {
    std::vector<float> scales;
    std::vector<std::int32_t> zeroPoints; // empty: zero
    std::int64_t axis = 0;
    std::int64_t blockSize = 0; // 0: per tensor or per axis
    bool perTensor = true;
};

// The dense tensor a SparseTensorProto stands for.
struct SparseTensor {
    std::optional<OnnxTensorData> values;
    std::vector<std::int64_t> offsets; // flat offset of each value
    Shape shape;
};

// How one listed tensor is read.
struct Source {
    const OnnxConstant* constant = nullptr;
    std::optional<OnnxTensorData> data;           // Kind::Tensor
    std::optional<SparseTensor> sparse;           // Kind::SparseTensor
    std::optional<Dequantization> dequantization; // a QDQ weight
};

std::vector<float> dequantize(const Shape& shape, const std::vector<std::int32_t>& codes,
                              const Dequantization& dq)
{
    std::vector<float> values(codes.size());
    const auto zeroPoint = [&](std::size_t s) {
        return dq.zeroPoints.empty() ? 0 : dq.zeroPoints[s];
    };
    if (dq.perTensor) {
        for (std::size_t i = 0; i < codes.size(); ++i) {
            values[i] = static_cast<float>(codes[i] - zeroPoint(0)) * dq.scales[0];
        }
        return values;
    }
    // Indices split as [outer, along the axis, inner]; the scale index keeps outer and inner
    // and maps the axis index to its block (a block of 1 for per-axis).
    const auto axis = static_cast<std::size_t>(dq.axis);
    std::size_t outer = 1;
    std::size_t inner = 1;
    for (std::size_t d = 0; d < shape.size(); ++d) {
        (d < axis ? outer : inner) *= d == axis ? 1 : static_cast<std::size_t>(shape[d]);
    }
    const auto extent = static_cast<std::size_t>(shape[axis]);
    const std::size_t block = dq.blockSize > 0 ? static_cast<std::size_t>(dq.blockSize) : 1;
    const std::size_t blocks = (extent + block - 1) / block;
    std::size_t i = 0;
    for (std::size_t o = 0; o < outer; ++o) {
        for (std::size_t a = 0; a < extent; ++a) {
            const std::size_t row = dq.blockSize > 0 ? (o * blocks + a / block) * inner : a;
            for (std::size_t in = 0; in < inner; ++in, ++i) {
                const std::size_t s = dq.blockSize > 0 ? row + in : row;
                values[i] = static_cast<float>(codes[i] - zeroPoint(s)) * dq.scales[s];
            }
        }
    }
    return values;
}

class OnnxFile : public ListedTensorFile {
public:
    explicit OnnxFile(std::shared_ptr<const MappedFile> file)
        : ListedTensorFile(file)
        , m_file(std::move(file))
        , m_contents(scanOnnxModel(m_file->bytes(), path()))
    {
        for (std::size_t i = 0; i < m_contents.constants.size(); ++i) {
            const OnnxConstant& constant = m_contents.constants[i];
            m_byScopeAndName.emplace(std::pair(constant.scope, constant.name), i);
        }
        const std::map<std::size_t, const OnnxDequantize*> dequantizers = dequantizedConstants();
        for (std::size_t i = 0; i < m_contents.constants.size(); ++i) {
            const auto dq = dequantizers.find(i);
            list(m_contents.constants[i], dq == dequantizers.end() ? nullptr : dq->second);
        }
        for (SkippedTensor& skipped : m_contents.skipped) {
            addSkipped(std::move(skipped.name), std::move(skipped.reason));
        }
    }

protected:
    Tensor loadIndex(std::size_t index) const override
    {
        const Source& source = m_sources[index];
        const TensorInfo& info = tensors()[index];
        const OnnxConstant& constant = *source.constant;
        if (constant.kind == OnnxConstant::Kind::Values) {
            return Tensor(info.name, info.shape, constant.values, info.dtype);
        }
        if (source.sparse) {
            std::vector<float> dense(static_cast<std::size_t>(elementCount(info.shape)), 0.0f);
            const std::vector<float> values = source.sparse->values->floats();
            for (std::size_t k = 0; k < values.size(); ++k) {
                dense[static_cast<std::size_t>(source.sparse->offsets[k])] = values[k];
            }
            return Tensor(info.name, info.shape, std::move(dense), info.dtype);
        }
        if (source.dequantization) {
            return Tensor(info.name, info.shape,
                          dequantize(info.shape, source.data->integers(), *source.dequantization),
                          info.dtype);
        }
        return source.data->toTensor(info.name);
    }

private:
    // The constant a name means in `scope`: its own, else the nearest enclosing graph's.
    std::optional<std::size_t> lookup(std::size_t scope, const std::string& name) const
    {
        for (std::optional<std::size_t> s = scope; s; s = m_contents.scopes[*s].parent) {
            const auto found = m_byScopeAndName.find(std::pair(*s, name));
            if (found != m_byScopeAndName.end()) {
                return found->second;
            }
        }
        return std::nullopt;
    }

    // For each constant fed to a DequantizeLinear whose scale is a constant too, that node (the
    // first one, when several dequantize the same constant).
    std::map<std::size_t, const OnnxDequantize*> dequantizedConstants() const
    {
        std::map<std::size_t, const OnnxDequantize*> result;
        for (const OnnxDequantize& dq : m_contents.dequantizers) {
            const auto input = lookup(dq.scope, dq.input);
            if (input && lookup(dq.scope, dq.scale) &&
                m_contents.constants[*input].kind == OnnxConstant::Kind::Tensor) {
                result.emplace(*input, &dq);
            }
        }
        return result;
    }

    // A constant's values as float32 (small ones: scales and zero points).
    std::vector<float> constantFloats(std::size_t index, const std::string& user) const
    {
        const OnnxConstant& constant = m_contents.constants[index];
        if (constant.kind == OnnxConstant::Kind::Values) {
            return constant.values;
        }
        if (constant.kind != OnnxConstant::Kind::Tensor) {
            failTensor(path(), user,
                       "DequantizeLinear parameter '" + constant.name + "' is a sparse tensor");
        }
        return OnnxTensorData(constant.message, m_file, tensorName(constant)).floats();
    }

    Shape constantShape(std::size_t index) const
    {
        const OnnxConstant& constant = m_contents.constants[index];
        return constant.kind == OnnxConstant::Kind::Values
                   ? constant.shape
                   : readOnnxTensorHeader(constant.message, path()).shape;
    }

    std::string tensorName(const OnnxConstant& constant) const
    {
        return constant.name.empty()
                   ? "unnamed_" + std::to_string(&constant - m_contents.constants.data())
                   : constant.name;
    }

    // The listed name: as in the model, qualified by its sub-graph path when the name is taken.
    std::string uniqueName(const OnnxConstant& constant) const
    {
        std::string name = tensorName(constant);
        const std::string& scopePath = m_contents.scopes[constant.scope].path;
        if (hasTensor(name) && !scopePath.empty()) {
            name = scopePath + "/" + name;
        }
        return name;
    }

    void list(const OnnxConstant& constant, const OnnxDequantize* dq)
    {
        const std::string name = uniqueName(constant);
        listOrSkip(name, [&] {
            Source source;
            source.constant = &constant;
            TensorInfo info;
            info.name = name;
            switch (constant.kind) {
            case OnnxConstant::Kind::Values:
                info.shape = constant.shape;
                info.dtype = constant.dtype;
                break;
            case OnnxConstant::Kind::Tensor:
                source.data.emplace(constant.message, m_file, name);
                info.shape = source.data->shape();
                info.dtype = source.data->type().name;
                if (dq && source.data->type().integer && source.data->type().bits <= 32) {
                    source.dequantization = dequantization(*dq, info);
                }
                break;
            case OnnxConstant::Kind::SparseTensor:
                source.sparse = sparseTensor(constant.message, name);
                info.shape = source.sparse->shape;
                info.dtype = source.sparse->values->type().name + " (sparse)";
                break;
            }
            if (addTensor(info)) {
                m_sources.push_back(std::move(source));
            }
        });
    }

    // Checks a DequantizeLinear's parameters against tensor `info` and says in its dtype and
    // note what is stored.
    Dequantization dequantization(const OnnxDequantize& dq, TensorInfo& info) const
    {
        const std::string& name = info.name;
        Dequantization result;
        const std::size_t scaleIndex = *lookup(dq.scope, dq.scale);
        result.scales = constantFloats(scaleIndex, name);
        const Shape scaleShape = constantShape(scaleIndex);
        if (!dq.zeroPoint.empty()) {
            const auto zeroIndex = lookup(dq.scope, dq.zeroPoint);
            if (!zeroIndex) {
                failTensor(path(), name,
                           "DequantizeLinear zero point '" + dq.zeroPoint + "' is not a constant");
            }
            const std::vector<float> zeroPoints = constantFloats(*zeroIndex, name);
            if (zeroPoints.size() != result.scales.size()) {
                failTensor(path(), name,
                           "DequantizeLinear has " + std::to_string(result.scales.size()) +
                               " scales but " + std::to_string(zeroPoints.size()) + " zero points");
            }
            result.zeroPoints.assign(zeroPoints.begin(), zeroPoints.end());
        }
        const auto rank = static_cast<std::int64_t>(info.shape.size());
        const std::string stored = info.dtype + " via DequantizeLinear, ";
        result.perTensor = dq.blockSize == 0 && result.scales.size() == 1 && scaleShape.size() <= 1;
        if (result.perTensor) {
            info.dtype = stored + "per-tensor";
        } else {
            result.axis = dq.axis < 0 ? dq.axis + rank : dq.axis;
            if (result.axis < 0 || result.axis >= rank) {
                failTensor(path(), name,
                           "DequantizeLinear axis " + std::to_string(dq.axis) +
                               " is outside a tensor of rank " + std::to_string(rank));
            }
            result.blockSize = dq.blockSize;
            Shape expected{info.shape[static_cast<std::size_t>(result.axis)]};
            if (dq.blockSize > 0) {
                expected = info.shape;
                auto& extent = expected[static_cast<std::size_t>(result.axis)];
                extent = (extent + dq.blockSize - 1) / dq.blockSize;
                info.dtype = stored + "blocked " + std::to_string(dq.blockSize) + " along axis " +
                             std::to_string(result.axis);
            } else {
                info.dtype = stored + "per-axis " + std::to_string(result.axis);
            }
            if (scaleShape != expected) {
                failTensor(path(), name,
                           "DequantizeLinear scale shape " + shapeToString(scaleShape) +
                               " does not fit shape " + shapeToString(info.shape) + " (expected " +
                               shapeToString(expected) + ")");
            }
        }
        info.note = describeValues("scale", result.scales);
        if (!result.zeroPoints.empty()) {
            info.note += "; " + describeValues("zero point", result.zeroPoints);
        }
        return result;
    }

    SparseTensor sparseTensor(std::span<const std::byte> message, const std::string& name) const
    {
        SparseTensor sparse;
        std::optional<OnnxTensorData> indices;
        WireReader reader(message, path());
        WireField field;
        while (reader.next(field)) {
            if (field.number == kSparseValues && field.type == WireField::LengthDelimited) {
                sparse.values.emplace(field.bytes, m_file, name);
            } else if (field.number == kSparseIndices && field.type == WireField::LengthDelimited) {
                indices.emplace(field.bytes, m_file, name);
            } else if (field.number == kSparseDims) {
                if (field.type == WireField::LengthDelimited) {
                    WireReader packed(field.bytes, path());
                    while (!packed.atEnd()) {
                        sparse.shape.push_back(static_cast<std::int64_t>(packed.varint()));
                    }
                } else {
                    sparse.shape.push_back(static_cast<std::int64_t>(field.scalar));
                }
            }
        }
        if (!sparse.values || !indices || !indices->type().integer) {
            failTensor(path(), name, "sparse tensor without values or integer indices");
        }
        const std::int64_t count = checkedElementCount(path(), name, sparse.shape);
        const std::int64_t nonZero = sparse.values->count();
        const std::vector<std::int64_t> raw = indices->integers64();
        // Indices are [NNZ] flat offsets or [NNZ, rank] coordinates.
        const bool coordinates = indices->shape().size() == 2;
        const auto rank = static_cast<std::int64_t>(sparse.shape.size());
        if (static_cast<std::int64_t>(raw.size()) != nonZero * (coordinates ? rank : 1)) {
            failTensor(path(), name,
                       "sparse tensor has " + std::to_string(nonZero) +
                           " values but indices of shape " + shapeToString(indices->shape()));
        }
        for (std::int64_t k = 0; k < nonZero; ++k) {
            std::int64_t offset = coordinates ? 0 : raw[static_cast<std::size_t>(k)];
            for (std::int64_t d = 0; coordinates && d < rank; ++d) {
                const std::int64_t index = raw[static_cast<std::size_t>(k * rank + d)];
                const std::int64_t extent = sparse.shape[static_cast<std::size_t>(d)];
                if (index < 0 || index >= extent) {
                    offset = -1;
                    break;
                }
                offset = offset * extent + index;
            }
            if (offset < 0 || offset >= count) {
                failTensor(path(), name,
                           "sparse index outside shape " + shapeToString(sparse.shape));
            }
            sparse.offsets.push_back(offset);
        }
        return sparse;
    }

    std::shared_ptr<const MappedFile> m_file;
    OnnxModelContents m_contents;
    std::map<std::pair<std::size_t, std::string>, std::size_t> m_byScopeAndName;
    std::vector<Source> m_sources;
};

} // namespace

std::unique_ptr<TensorFile> openOnnx(std::shared_ptr<const MappedFile> file)
{
    return std::make_unique<OnnxFile>(std::move(file));
}

} // namespace quantscope
