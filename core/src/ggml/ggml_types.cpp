// The ggml type table (ids and block sizes of ggml.h / ggml-common.h) and the kernel of each.
#include "quantscope/ggml_types.h"

#include "ggml/dequantize.h"
#include "quantscope/errors.h"

#include <algorithm>
#include <array>
#include <string>

namespace quantscope {

namespace {

struct TypeKernel {
    GgmlType type;
    ggml::DequantizeKernel kernel;
};

using namespace ggml;

// By id; gaps are ids ggml removed (4, 5, 31-33, 36-38).
const std::array<TypeKernel, 35> kTypes = {{
    {{0, "f32", "float32", 1, 4}, convertF32},
    {{1, "f16", "float16", 1, 2}, convertF16},
    {{2, "q4_0", "Q4_0 (block 32)", 32, 18}, dequantizeQ4_0},
    {{3, "q4_1", "Q4_1 (block 32)", 32, 20}, dequantizeQ4_1},
    {{6, "q5_0", "Q5_0 (block 32)", 32, 22}, dequantizeQ5_0},
    {{7, "q5_1", "Q5_1 (block 32)", 32, 24}, dequantizeQ5_1},
    {{8, "q8_0", "Q8_0 (block 32)", 32, 34}, dequantizeQ8_0},
    {{9, "q8_1", "Q8_1 (block 32)", 32, 36}, dequantizeQ8_1},
    {{10, "q2_K", "Q2_K (block 256)", 256, 84}, dequantizeQ2_K},
    {{11, "q3_K", "Q3_K (block 256)", 256, 110}, dequantizeQ3_K},
    {{12, "q4_K", "Q4_K (block 256)", 256, 144}, dequantizeQ4_K},
    {{13, "q5_K", "Q5_K (block 256)", 256, 176}, dequantizeQ5_K},
    {{14, "q6_K", "Q6_K (block 256)", 256, 210}, dequantizeQ6_K},
    {{15, "q8_K", "Q8_K (block 256)", 256, 292}, dequantizeQ8_K},
    {{16, "iq2_xxs", "IQ2_XXS (block 256)", 256, 66}, dequantizeIQ2_XXS},
    {{17, "iq2_xs", "IQ2_XS (block 256)", 256, 74}, dequantizeIQ2_XS},
    {{18, "iq3_xxs", "IQ3_XXS (block 256)", 256, 98}, dequantizeIQ3_XXS},
    {{19, "iq1_s", "IQ1_S (block 256)", 256, 50}, dequantizeIQ1_S},
    {{20, "iq4_nl", "IQ4_NL (block 32)", 32, 18}, dequantizeIQ4_NL},
    {{21, "iq3_s", "IQ3_S (block 256)", 256, 110}, dequantizeIQ3_S},
    {{22, "iq2_s", "IQ2_S (block 256)", 256, 82}, dequantizeIQ2_S},
    {{23, "iq4_xs", "IQ4_XS (block 256)", 256, 136}, dequantizeIQ4_XS},
    {{24, "i8", "int8", 1, 1}, convertI8},
    {{25, "i16", "int16", 1, 2}, convertI16},
    {{26, "i32", "int32", 1, 4}, convertI32},
    {{27, "i64", "int64", 1, 8}, convertI64},
    {{28, "f64", "float64", 1, 8}, convertF64},
    {{29, "iq1_m", "IQ1_M (block 256)", 256, 56}, dequantizeIQ1_M},
    {{30, "bf16", "bfloat16", 1, 2}, convertBF16},
    {{34, "tq1_0", "TQ1_0 (block 256)", 256, 54}, dequantizeTQ1_0},
    {{35, "tq2_0", "TQ2_0 (block 256)", 256, 66}, dequantizeTQ2_0},
    {{39, "mxfp4", "MXFP4 (block 32)", 32, 17}, dequantizeMXFP4},
    {{40, "nvfp4", "NVFP4 (block 64)", 64, 36}, dequantizeNVFP4},
    {{41, "q1_0", "Q1_0 (block 128)", 128, 18}, dequantizeQ1_0},
    {{42, "q2_0", "Q2_0 (block 64)", 64, 18}, dequantizeQ2_0},
}};

const std::array<GgmlType, kTypes.size()> kTypeList = [] {
    std::array<GgmlType, kTypes.size()> list{};
    std::transform(kTypes.begin(), kTypes.end(), list.begin(),
                   [](const TypeKernel& entry) { return entry.type; });
    return list;
}();

} // namespace

std::span<const GgmlType> ggmlTypes()
{
    return kTypeList;
}

const GgmlType* findGgmlType(std::uint32_t id)
{
    const auto it = std::find_if(kTypeList.begin(), kTypeList.end(),
                                 [id](const GgmlType& type) { return type.id == id; });
    return it == kTypeList.end() ? nullptr : &*it;
}

const GgmlType* findGgmlType(std::string_view name)
{
    const auto it = std::find_if(kTypeList.begin(), kTypeList.end(),
                                 [name](const GgmlType& type) { return type.name == name; });
    return it == kTypeList.end() ? nullptr : &*it;
}

void dequantizeGgml(const GgmlType& type, std::span<const std::byte> blocks, std::span<float> out)
{
    const auto it = std::find_if(kTypes.begin(), kTypes.end(),
                                 [&](const TypeKernel& entry) { return entry.type.id == type.id; });
    if (it == kTypes.end()) {
        throw UsageError("dequantizeGgml: unknown ggml type " + std::to_string(type.id));
    }
    const GgmlType& known = it->type;
    const std::size_t count = blocks.size() / known.blockBytes;
    if (blocks.size() % known.blockBytes != 0 || out.size() % known.blockElements != 0 ||
        out.size() / known.blockElements != count) {
        throw UsageError("dequantizeGgml: " + std::to_string(blocks.size()) + " bytes of " +
                         std::string(known.name) + " do not make " + std::to_string(out.size()) +
                         " values");
    }
    it->kernel(blocks.data(), count, out.data());
}

} // namespace quantscope
