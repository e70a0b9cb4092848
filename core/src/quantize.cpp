#include "quantscope/quantize.h"

#include "blocks/block_kernels.h"
#include "blocks/block_pass.h"
#include "quantscope/errors.h"
#include "quantscope/parallel.h"

#include <algorithm>
#include <cmath>

namespace quantscope {
namespace {

constexpr std::int64_t kMaxAbsGrain = 1 << 16;

std::int64_t lastAxisLength(const Shape& shape)
{
    return shape.empty() ? 1 : shape.back();
}

// The error histogram's range: the errors seen, widened when they are all equal.
std::pair<double, double> errorRange(double low, double high)
{
    if (high > low) {
        return {low, high};
    }
    const double half = std::max(std::abs(low) * 1e-6, 1e-12);
    return {low - half, high + half};
}

// max |x| of the tensor: from its Distribution when the caller has one, else a pass.
double tensorMaxAbs(const Tensor& tensor, const QuantizeOptions& options)
{
    if (options.distribution != nullptr) {
        return options.distribution->empty() ? 0.0 : options.distribution->maxAbs();
    }
    return maxAbsOf(tensor.values());
}

} // namespace

bool quantizesInBlocks(const Scheme& scheme, const Granularity& granularity)
{
    return scheme.asBlockScheme() != nullptr || !granularity.isPerTensor();
}

double maxAbsOf(std::span<const float> values)
{
    std::vector<float> partial(static_cast<std::size_t>(hardwareThreads()), 0.0f);
    parallelFor(static_cast<std::int64_t>(values.size()), kMaxAbsGrain,
                [&](std::int64_t begin, std::int64_t end, int worker) {
                    const auto n = static_cast<std::size_t>(end - begin);
                    const float* x = values.data() + begin;
                    float amax = 0.0f;
                    if (kernels::allFinite(x, n)) {
                        kernels::blockMaxAbs(x, n, n, &amax);
                    } else {
                        std::vector<float> finite(n);
                        kernels::replaceNonFinite(x, n, finite.data());
                        kernels::blockMaxAbs(finite.data(), n, n, &amax);
                    }
                    partial[worker] = std::max(partial[worker], amax);
                });
    return double(*std::max_element(partial.begin(), partial.end()));
}

SliceQuantizer makeSliceQuantizer(const Scheme& scheme, const Params& resolved,
                                  const Granularity& granularity, const Shape& shape, double maxAbs)
{
    if (const BlockScheme* block = scheme.asBlockScheme()) {
        const BlockStructure structure = block->blockStructure(resolved);
        if (!granularity.isPerTensor()) {
            throw UsageError("scheme '" + scheme.id() + "' scales its own blocks of " +
                             std::to_string(structure.size) +
                             " along the last axis; it takes no per-channel or per-group "
                             "granularity");
        }
        if (structure.wholeBlocksOnly && lastAxisLength(shape) % structure.size != 0) {
            throw UsageError("scheme '" + scheme.id() + "' quantizes whole blocks of " +
                             std::to_string(structure.size) + " along the last axis, which has " +
                             std::to_string(lastAxisLength(shape)) + " values (shape " +
                             shapeToString(shape) + ")");
        }
        return {SliceLayout::perGroup(shape, structure.size),
                block->makeQuantizer(resolved, {shape, maxAbs})};
    }
    if (granularity.isPerTensor()) {
        throw UsageError("scheme '" + scheme.id() +
                         "' designs one codebook per tensor from its Distribution");
    }
    if (!scheme.takesGranularity()) {
        throw UsageError("scheme '" + scheme.id() +
                         "' calibrates one range per tensor; it takes no per-channel or "
                         "per-group granularity");
    }
    return {SliceLayout::forGranularity(shape, granularity), scheme.sliceQuantizer(resolved)};
}

std::pair<Codebook, BlockInfo> sliceCodebook(const Tensor& tensor, const SliceQuantizer& slices,
                                             std::int64_t s)
{
    if (s < 0 || s >= slices.layout.sliceCount()) {
        throw UsageError("slice " + std::to_string(s) + " does not exist (the tensor has " +
                         std::to_string(slices.layout.sliceCount()) + ")");
    }
    const std::vector<float> stored = slices.layout.gather(tensor.values(), s);
    std::vector<float> values(stored.size());
    kernels::replaceNonFinite(stored.data(), stored.size(), values.data());
    std::vector<float> dequantized(stored.size());
    std::vector<std::int32_t> codes(stored.size());
    Codebook codebook;
    BlockInfo info;
    slices.quantizer->quantize(
        {values, stored, std::max<std::int64_t>(1, std::int64_t(stored.size())), dequantized, codes,
         std::span<BlockInfo>(&info, 1), std::span<Codebook>(&codebook, 1)});
    return {std::move(codebook), info};
}

ErrorViews errorViews(const Tensor& tensor, const Scheme& scheme, const Params& given,
                      const QuantizeOptions& options, const QuantizedTensor& first, int profileBins,
                      int histogramBins)
{
    ErrorViews views;
    if (!first.layout || first.metrics.count == 0) {
        return views;
    }
    const double maxAbs = tensorMaxAbs(tensor, options);
    const SliceQuantizer slices = makeSliceQuantizer(scheme, scheme.resolve(given),
                                                     options.granularity, tensor.shape(), maxAbs);
    PassOptions pass;
    pass.metrics = false;
    pass.views.profileBins = profileBins;
    pass.views.profileMaxAbs = maxAbs;
    pass.views.errorBins = histogramBins;
    std::tie(pass.views.errorLow, pass.views.errorHigh) =
        errorRange(first.minError, first.maxError);
    PassResult result = runBlockPass(tensor.values(), slices.layout, *slices.quantizer, pass);
    views.profile = std::move(result.profile);
    views.histogram = std::move(result.errorHistogram);
    return views;
}

QuantizedTensor quantizeTensor(const Tensor& tensor, const Scheme& scheme, const Params& given,
                               const QuantizeOptions& options)
{
    QuantizedTensor out;
    out.params = scheme.resolve(given);
    const auto n = tensor.size();

    if (!quantizesInBlocks(scheme, options.granularity)) {
        std::optional<Distribution> own;
        const Distribution* dist = options.distribution;
        if (dist == nullptr) {
            own.emplace(tensor.values());
            dist = &*own;
        }
        Codebook codebook = scheme.design(*dist, out.params);
        out.metrics = computeMetrics(*dist, codebook);
        out.nonFinite = dist->nonFiniteCount();
        out.bitsPerWeight = codebookBitsPerWeight(scheme, codebook, n);
        if (options.apply) {
            out.applied = applyCodebook(tensor.values(), codebook);
        }
        out.codebook = std::move(codebook);
        return out;
    }

    const double maxAbs = tensorMaxAbs(tensor, options);
    const SliceQuantizer slices =
        makeSliceQuantizer(scheme, out.params, options.granularity, tensor.shape(), maxAbs);
    PassOptions pass;
    pass.apply = options.apply;
    pass.keepBlocks = options.keepBlocks;
    pass.keepCodebooks = options.keepCodebooks;
    pass.views.profileBins = options.errorProfileBins;
    pass.views.profileMaxAbs = maxAbs;
    PassResult result = runBlockPass(tensor.values(), slices.layout, *slices.quantizer, pass);

    if (options.errorHistogramBins > 0 && result.metrics.count > 0) {
        PassOptions second;
        second.metrics = false;
        second.views.errorBins = options.errorHistogramBins;
        std::tie(second.views.errorLow, second.views.errorHigh) =
            errorRange(result.minError, result.maxError);
        out.errorHistogram =
            runBlockPass(tensor.values(), slices.layout, *slices.quantizer, second).errorHistogram;
    }
    out.metrics = result.metrics;
    out.minError = result.minError;
    out.maxError = result.maxError;
    out.nonFinite = result.nonFinite;
    out.bitsPerWeight =
        n > 0 ? (result.storageBits + slices.quantizer->tensorBits()) / double(n) : 0.0;
    out.layout = slices.layout;
    out.codeRange = slices.quantizer->codeRange();
    out.codebooks = std::move(result.codebooks);
    out.blocks = std::move(result.blocks);
    out.designNumbers = slices.quantizer->designNumbers();
    out.applied = std::move(result.applied);
    out.errorProfile = std::move(result.profile);
    return out;
}

} // namespace quantscope
