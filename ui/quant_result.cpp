#include "quant_result.h"

#include "quantscope/scheme.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <exception>
#include <limits>

namespace quantscope {
namespace {

constexpr int kErrorHistogramBins = 101;
constexpr int kErrorProfileBins = 64;
constexpr double kMinScaleBinWidth = 1.0 / 16; // a sixteenth of an octave

QuantResult failed(const std::string& schemeId, const Params& params,
                   const Granularity& granularity, const std::string& error)
{
    QuantResult result;
    result.schemeId = schemeId;
    result.params = params;
    result.granularity = granularity;
    result.error = error;
    return result;
}

// Metrics, level statistics and the error views of a codebook on `dist`.
void measureCodebook(QuantResult& result, const Distribution& dist)
{
    result.metrics = computeMetrics(dist, result.codebook);
    result.levels = levelStats(dist, result.codebook);
    result.errorHistogram =
        errorHistogram(dist, result.codebook, result.levels, kErrorHistogramBins);
    result.errorProfile = errorProfile(dist, result.codebook, kErrorProfileBins);
}

} // namespace

int bitsOf(const Params& params)
{
    if (params.has("bits")) {
        return params.getInt("bits");
    }
    if (params.has("levels")) {
        const double levels = params.get("levels");
        return levels > 1 ? static_cast<int>(std::ceil(std::log2(levels))) : 1;
    }
    return 8;
}

int bitsOf(const std::string& schemeId, const Params& params)
{
    if (const Scheme* scheme = findScheme(schemeId)) {
        try {
            if (const auto bits = scheme->bitsOf(scheme->resolve(params))) {
                return *bits;
            }
        } catch (const std::exception&) {
            // Parameters the scheme refuses: read them as they are.
        }
    }
    return bitsOf(params);
}

bool schemeTakesBits(const std::string& schemeId)
{
    const Scheme* scheme = findScheme(schemeId);
    if (scheme == nullptr) {
        return false;
    }
    for (const auto& spec : scheme->paramSpecs()) {
        if (spec.kind == ParamKind::Bits || spec.kind == ParamKind::Levels) {
            return true;
        }
    }
    return false;
}

QuantResult designResult(const Distribution& dist, const std::string& schemeId,
                         const Params& params)
{
    QuantResult result;
    result.schemeId = schemeId;
    result.params = params;
    try {
        const Scheme& scheme = schemeById(schemeId);
        result.codebook = scheme.design(dist, params);
        result.bitsPerWeight =
            codebookBitsPerWeight(scheme, result.codebook, dist.count() + dist.nonFiniteCount());
        measureCodebook(result, dist);
    } catch (const std::exception& e) {
        result = failed(schemeId, params, {}, e.what());
    }
    return result;
}

Granularity granularityFor(const Scheme& scheme, const Granularity& wanted)
{
    return scheme.asBlockScheme() != nullptr || !scheme.takesGranularity()
               ? Granularity::perTensor()
               : wanted;
}

QuantResult quantizeResult(const Tensor& tensor, const Distribution& dist,
                           const std::string& schemeId, const Params& params,
                           const Granularity& wanted)
{
    const Scheme* scheme = findScheme(schemeId);
    if (scheme == nullptr || !quantizesInBlocks(*scheme, granularityFor(*scheme, wanted))) {
        return designResult(dist, schemeId, params);
    }
    const Granularity granularity = granularityFor(*scheme, wanted);
    QuantResult result;
    result.schemeId = schemeId;
    result.params = params;
    result.granularity = granularity;
    try {
        QuantizeOptions options;
        options.granularity = granularity;
        options.distribution = &dist;
        options.keepBlocks = true;
        QuantizedTensor quantized = quantizeTensor(tensor, *scheme, params, options);
        result.metrics = quantized.metrics;
        result.bitsPerWeight = quantized.bitsPerWeight;
        auto slices = std::make_shared<SliceResult>();
        slices->minError = quantized.minError;
        slices->maxError = quantized.maxError;
        slices->slices = makeSliceQuantizer(*scheme, quantized.params, granularity, tensor.shape(),
                                            dist.empty() ? 0.0 : dist.maxAbs());
        slices->ownBlocks = scheme->asBlockScheme() != nullptr;
        slices->blocks = std::move(quantized.blocks);
        slices->designNumbers = std::move(quantized.designNumbers);
        slices->codeRange = quantized.codeRange;
        slices->scaleHistogram = blockScaleHistogram(slices->blocks, slices->zeroScales);
        std::vector<float> scales;
        scales.reserve(slices->blocks.size());
        for (const BlockInfo& block : slices->blocks) {
            if (block.scale > 0.0f) {
                scales.push_back(block.scale);
            }
        }
        if (!scales.empty()) {
            const auto middle = scales.begin() + std::ptrdiff_t(scales.size() / 2);
            std::nth_element(scales.begin(), middle, scales.end());
            slices->medianScale = *middle;
            const auto [lo, hi] = std::minmax_element(scales.begin(), scales.end());
            slices->minScale = *lo;
            slices->maxScale = *hi;
        }
        result.slices = std::move(slices);
    } catch (const std::exception& e) {
        result = failed(schemeId, params, granularity, e.what());
    }
    return result;
}

bool needsErrorViews(const QuantResult& result)
{
    return result.valid() && result.slices != nullptr && result.errorProfile.counts.empty();
}

void addErrorViews(QuantResult& result, const Tensor& tensor, const Distribution& dist)
{
    if (!needsErrorViews(result)) {
        return;
    }
    try {
        const Scheme& scheme = schemeById(result.schemeId);
        QuantizeOptions options;
        options.granularity = result.granularity;
        options.distribution = &dist;
        QuantizedTensor first;
        first.layout = result.slices->layout();
        first.metrics = result.metrics;
        first.minError = result.slices->minError;
        first.maxError = result.slices->maxError;
        ErrorViews views = errorViews(tensor, scheme, result.params, options, first,
                                      kErrorProfileBins, kErrorHistogramBins);
        result.errorProfile = std::move(views.profile);
        result.errorHistogram = std::move(views.histogram);
    } catch (const std::exception&) {
        // The views stay empty; the metrics stand.
    }
}

QuantResult sliceResult(const QuantResult& whole, const Codebook& codebook,
                        const Distribution& dist)
{
    QuantResult result;
    result.schemeId = whole.schemeId;
    result.params = whole.params;
    result.granularity = whole.granularity;
    result.bitsPerWeight = whole.bitsPerWeight;
    result.codebook = codebook;
    // A block format that does not describe one block as a codebook leaves only the values.
    if (result.hasCodebook()) {
        measureCodebook(result, dist);
    }
    return result;
}

Histogram blockScaleHistogram(const std::vector<BlockInfo>& blocks, std::int64_t& zeroScales)
{
    // Hundreds of thousands of blocks per slider tick: scales that are normal powers of two
    // (all of MX's) are counted by their exponent field in one pass, without a logarithm; the
    // others keep their log2. Bins by truncation of non-negative positions, not floor calls.
    zeroScales = 0;
    std::array<std::int64_t, 256> powersOfTwoByField{};
    std::vector<double> otherLogs;
    for (const BlockInfo& block : blocks) {
        if (!(block.scale > 0.0f)) {
            ++zeroScales;
            continue;
        }
        const auto bits = std::bit_cast<std::uint32_t>(block.scale);
        const unsigned field = (bits >> 23) & 0xffu;
        if ((bits & 0x7fffffu) == 0 && field > 0) {
            ++powersOfTwoByField[field];
        } else {
            otherLogs.push_back(std::log2(double(block.scale)));
        }
    }
    constexpr int kExponentBias = 127;
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (int field = 1; field < 256; ++field) {
        if (powersOfTwoByField[std::size_t(field)] > 0) {
            lo = std::min(lo, double(field - kExponentBias));
            hi = std::max(hi, double(field - kExponentBias));
        }
    }
    bool wholeExponents = true; // subnormal powers of two have whole logs too
    for (double v : otherLogs) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        wholeExponents = wholeExponents && v == double(static_cast<std::int64_t>(v));
    }
    Histogram h;
    if (!(lo <= hi)) {
        return h;
    }
    double width = 1.0;
    double start = lo - 0.5;
    if (!wholeExponents) {
        width = std::max(kMinScaleBinWidth, (hi - lo) / kMaxScaleBins);
        start = lo - 0.5 * width;
    }
    const int bins = static_cast<int>((hi - start) / width) + 1;
    for (int k = 0; k <= bins; ++k) {
        h.edges.push_back(start + width * k);
    }
    h.counts.assign(std::size_t(bins), 0);
    const auto binOf = [&](double v) {
        return std::size_t(std::min(bins - 1, static_cast<int>((v - start) / width)));
    };
    for (int field = 1; field < 256; ++field) {
        h.counts[binOf(double(field - kExponentBias))] += powersOfTwoByField[std::size_t(field)];
    }
    for (double v : otherLogs) {
        ++h.counts[binOf(v)];
    }
    return h;
}

Histogram errorHistogram(const Distribution& dist, const Codebook& codebook,
                         const std::vector<LevelStats>& levels, int bins)
{
    Histogram out;
    if (bins <= 0 || dist.empty() || levels.size() != codebook.levels.size()) {
        return out;
    }
    // Error range from each used level's extreme values.
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (std::size_t k = 0; k < levels.size(); ++k) {
        if (levels[k].count > 0) {
            lo = std::min(lo, codebook.levels[k] - levels[k].maxValue);
            hi = std::max(hi, codebook.levels[k] - levels[k].minValue);
        }
    }
    if (!(lo <= hi)) {
        return out;
    }
    if (hi - lo <= 0.0) {
        // A single error value: one bin around it holds everything.
        const double half = std::max(std::abs(lo) * 1e-6, 1e-12);
        lo -= half;
        hi += half;
    }
    const double width = (hi - lo) / bins;
    out.edges.resize(bins + 1);
    for (int i = 0; i <= bins; ++i) {
        out.edges[i] = lo + width * i;
    }
    out.edges.back() = hi;
    out.counts.assign(bins, 0);

    const auto& t = codebook.thresholds;
    for (std::size_t k = 0; k < levels.size(); ++k) {
        if (levels[k].count == 0) {
            continue;
        }
        const double r = codebook.levels[k];
        // Sorted indices of the level's values: [t[k-1], t[k]).
        const std::int64_t levelBegin = k == 0 ? 0 : dist.lowerIndex(t[k - 1]);
        const std::int64_t levelEnd = k + 1 == levels.size() ? dist.count() : dist.lowerIndex(t[k]);
        const double eMin = r - levels[k].maxValue;
        const double eMax = r - levels[k].minValue;
        int first = std::clamp(static_cast<int>(std::floor((eMin - lo) / width)), 0, bins - 1);
        int last = std::clamp(static_cast<int>(std::floor((eMax - lo) / width)), 0, bins - 1);
        // Error e = r − x lies in bin i when x lies in (r − e_{i+1}, r − e_i]; walk the bins
        // from high x (low error) downwards so each value is counted once.
        std::int64_t upper = levelEnd;
        for (int i = first; i <= last; ++i) {
            const std::int64_t lower =
                i == last ? levelBegin
                          : std::clamp(dist.upperIndex(r - out.edges[i + 1]), levelBegin, upper);
            out.counts[i] += upper - lower;
            upper = lower;
        }
    }
    return out;
}

} // namespace quantscope
