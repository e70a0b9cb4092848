#include "quantscope/schemes/minifloat.h"

#include "blocks/block_kernels.h"
#include "blocks/grid_codebook.h"
#include "quantscope/block_scheme.h"
#include "quantscope/errors.h"
#include "quantscope/scheme.h"
#include "schemes/level_codebook.h"
#include "schemes/scheme_factories.h"

#include <algorithm>
#include <cmath>

namespace quantscope {
namespace {

constexpr int kMinExponentBits = 1;
constexpr int kMaxExponentBits = 5;
constexpr double kScaleBits = 32.0; // one float32 scale per codebook

// The format's scale for values with max |x| = amax: amax onto the largest value, in float32;
// 1 when that is 0 (all values 0).
float minifloatScale(double amax, double formatMax)
{
    const float scale = float(amax) / float(formatMax);
    return scale > 0.0f && std::isfinite(scale) ? scale : 1.0f;
}

// Per slice: each block's own scale max|x| / format max on the shared element grid, through the
// vectorized grid kernel. The same levels as designing the scheme per slice; codes are the
// signed element indices.
class MinifloatSliceQuantizer final : public BlockQuantizer {
public:
    explicit MinifloatSliceQuantizer(const MinifloatFormat& format)
        : m_format(format)
        , m_magnitudes(minifloatMagnitudes(format))
    {
        m_grid.mantissaBits = format.mantissaBits;
        m_grid.minExponent = 1 - format.bias();
        m_grid.maxNormal = static_cast<float>(m_magnitudes.back());
        m_grid.overload = static_cast<float>(overloadOf(m_magnitudes));
    }

    BlockRunStats quantize(const BlockRun& run) const override
    {
        const std::size_t n = run.values.size();
        const auto blockSize = static_cast<std::size_t>(run.blockSize);
        const std::size_t blocks = (n + blockSize - 1) / blockSize;
        thread_local std::vector<float> scale;
        scale.resize(blocks);
        kernels::blockMaxAbs(run.values.data(), n, blockSize, scale.data());
        for (std::size_t b = 0; b < blocks; ++b) {
            scale[b] = minifloatScale(scale[b], m_magnitudes.back());
            const auto top = static_cast<float>(m_magnitudes.back()) * scale[b];
            if (!run.blocks.empty()) {
                run.blocks[b] = {scale[b], -top, top};
            }
            if (!run.codebooks.empty()) {
                const float s = scale[b];
                run.codebooks[b] = gridCodebook(
                    m_magnitudes, s, [&](float x) { return roundOnGrid(x / s, m_magnitudes); });
            }
        }
        BlockRunStats stats;
        stats.clipped =
            kernels::quantizeOnGrid(run.values.data(), n, blockSize, scale.data(), scale.data(),
                                    true, m_grid, run.dequantized.data(), run.codes.data());
        stats.storageBits = double(m_format.bits()) * double(n) + kScaleBits * double(blocks);
        return stats;
    }

    std::optional<std::pair<std::int32_t, std::int32_t>> codeRange() const override
    {
        const auto top = static_cast<std::int32_t>(m_magnitudes.size() - 1);
        return std::pair{-top, top};
    }

private:
    MinifloatFormat m_format;
    std::vector<double> m_magnitudes;
    kernels::ElementGrid m_grid;
};

MinifloatFormat formatOf(const Params& params)
{
    std::optional<int> exponentBits;
    if (params.has("exponent")) {
        exponentBits = params.getInt("exponent");
    }
    return minifloatFormat(params.getInt("bits"), exponentBits);
}

class MinifloatScheme final : public Scheme {
public:
    std::string id() const override { return "minifloat"; }
    std::string displayName() const override { return "Minifloat (FP8/FP6/FP4)"; }
    std::string description() const override
    {
        return "Floating-point levels with subnormals and a per-tensor scale max|x| / format max; "
               "OCP E4M3, E5M2, E3M2, E2M3, E2M1";
    }
    std::vector<ParamSpec> paramSpecs() const override
    {
        return {
            {"bits", ParamKind::Bits, 3, 8, 8, "Bit width: sign + exponent + mantissa"},
            {"exponent",
             ParamKind::Step,
             kMinExponentBits,
             kMaxExponentBits,
             4,
             "Exponent bits; unset: max(1, min(b − 2, round(b/2))), i.e. E4M3, E3M2, E2M1",
             {},
             true},
        };
    }

    // The levels are the format's grid times one float32 scale.
    double codebookSideBits(const Codebook&) const override { return kScaleBits; }

    std::unique_ptr<BlockQuantizer> sliceQuantizer(const Params& resolved) const override
    {
        return std::make_unique<MinifloatSliceQuantizer>(formatOf(resolved));
    }
    bool vectorizedSlices() const override { return true; }

protected:
    Codebook designResolved(const Distribution& dist, const Params& params) const override
    {
        const MinifloatFormat format = formatOf(params);
        const std::vector<double> magnitudes = minifloatMagnitudes(format);
        const int top = int(magnitudes.size()) - 1;

        // The scale maps max|x| onto the format's largest value, in float32 as a kernel would.
        const float scale = minifloatScale(dist.maxAbs(), minifloatMax(format));
        // Level index of x: −top … top shifted to 0 … 2·top.
        auto levelIndex = [&](float x) {
            const float y = x / scale;
            const int index = roundMinifloatMagnitude(y, magnitudes);
            return top + (y < 0.0f ? -index : index);
        };

        std::vector<double> levels;
        for (int k = -top; k <= top; ++k) {
            const float magnitude = float(magnitudes[std::abs(k)]) * scale;
            levels.push_back(k < 0 ? -double(magnitude) : double(magnitude));
        }
        std::vector<double> thresholds;
        for (int k = 1; k < int(levels.size()); ++k) {
            const double guess = 0.5 * (levels[k - 1] + levels[k]);
            thresholds.push_back(
                exactThreshold(guess, [&](float x) { return levelIndex(x) >= k; }));
        }
        return compactCodebook(levels, thresholds);
    }
};

} // namespace

std::string MinifloatFormat::name() const
{
    return "E" + std::to_string(exponentBits) + "M" + std::to_string(mantissaBits);
}

MinifloatFormat minifloatFormat(int bits, std::optional<int> exponentBits)
{
    const int e = exponentBits.value_or(std::max(1, std::min(bits - 2, (bits + 1) / 2)));
    if (e < kMinExponentBits || e > kMaxExponentBits || bits - 1 - e < 0) {
        throw UsageError("a " + std::to_string(bits) + "-bit float cannot have " +
                         std::to_string(e) + " exponent bits (1 … " +
                         std::to_string(std::min(kMaxExponentBits, bits - 1)) + ")");
    }
    return {e, bits - 1 - e};
}

std::vector<double> minifloatMagnitudes(const MinifloatFormat& format)
{
    const int e = format.exponentBits;
    const int m = format.mantissaBits;
    const int mantissas = 1 << m;
    int exponents = 1 << e;
    int lastExponentMantissas = mantissas;
    if (e == 5 && m == 2) {
        --exponents; // IEEE-like: the top exponent is inf/NaN
    } else if (e == 4 && m == 3) {
        --lastExponentMantissas; // S.1111.111 is NaN
    }
    std::vector<double> values;
    for (int field = 0; field < exponents; ++field) {
        const int count = field + 1 == exponents ? lastExponentMantissas : mantissas;
        for (int mantissa = 0; mantissa < count; ++mantissa) {
            const double fraction = double(mantissa) / mantissas;
            // Subnormals (field 0) share the exponent of field 1, without the implicit 1.
            values.push_back(field == 0 ? std::ldexp(fraction, 1 - format.bias())
                                        : std::ldexp(1.0 + fraction, field - format.bias()));
        }
    }
    return values;
}

double minifloatMax(const MinifloatFormat& format)
{
    return minifloatMagnitudes(format).back();
}

int roundMinifloatMagnitude(double y, std::span<const double> magnitudes)
{
    const double a = std::abs(y);
    if (std::isnan(a)) {
        return 0;
    }
    const auto above = std::lower_bound(magnitudes.begin(), magnitudes.end(), a);
    if (above == magnitudes.end()) {
        return int(magnitudes.size()) - 1; // saturate
    }
    const int upper = int(above - magnitudes.begin());
    if (*above == a || upper == 0) {
        return upper;
    }
    const int lower = upper - 1;
    const double midpoint = 0.5 * (magnitudes[lower] + magnitudes[upper]);
    if (a != midpoint) {
        return a < midpoint ? lower : upper;
    }
    return lower % 2 == 0 ? lower : upper;
}

double roundToMinifloat(double y, std::span<const double> magnitudes)
{
    const double magnitude = magnitudes[roundMinifloatMagnitude(y, magnitudes)];
    return std::signbit(y) ? -magnitude : magnitude;
}

std::unique_ptr<Scheme> makeMinifloatScheme()
{
    return std::make_unique<MinifloatScheme>();
}

} // namespace quantscope
