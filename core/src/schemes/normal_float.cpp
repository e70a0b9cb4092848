#include "quantscope/schemes/normal_float.h"

#include "quantscope/scheme.h"
#include "schemes/level_codebook.h"
#include "schemes/scheme_factories.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace quantscope {
namespace {

// Acklam's coefficients: central region |p − 0.5| <= 0.5 − kTailStart, and the lower tail.
constexpr double kCentralNumerator[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                        -2.759285104469687e+02, 1.383577518672690e+02,
                                        -3.066479806614716e+01, 2.506628277459239e+00};
constexpr double kCentralDenominator[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                          -1.556989798598866e+02, 6.680131188771972e+01,
                                          -1.328068155288572e+01, 1.0};
constexpr double kTailNumerator[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                     -2.400758277161838e+00, -2.549732539343734e+00,
                                     4.374664141464968e+00,  2.938163982698783e+00};
constexpr double kTailDenominator[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                       2.445134137142996e+00, 3.754408661907416e+00, 1.0};
constexpr double kTailStart = 0.02425;

template <std::size_t N> double polynomial(const double (&coefficients)[N], double x)
{
    double result = 0.0;
    for (double c : coefficients) {
        result = result * x + c;
    }
    return result;
}

// p in (0, 0.5]: the lower half, where 0.5·erfc(−x/√2) − p has no cancellation.
double lowerHalfQuantile(double p)
{
    double x;
    if (p < kTailStart) {
        const double q = std::sqrt(-2.0 * std::log(p));
        x = polynomial(kTailNumerator, q) / polynomial(kTailDenominator, q);
    } else {
        const double q = p - 0.5;
        const double r = q * q;
        x = q * polynomial(kCentralNumerator, r) / polynomial(kCentralDenominator, r);
    }
    // One Halley step on Φ(x) − p.
    const double error = 0.5 * std::erfc(-x / std::numbers::sqrt2) - p;
    const double u = error * std::sqrt(2.0 * std::numbers::pi) * std::exp(0.5 * x * x);
    return x - u / (1.0 + 0.5 * x * u);
}

class NormalFloatScheme final : public Scheme {
public:
    std::string id() const override { return "normal-float"; }
    std::string displayName() const override { return "NormalFloat (QLoRA NF4)"; }
    std::string description() const override
    {
        return "Levels at normal quantiles (QLoRA's NF construction, an exact 0) scaled by "
               "max|x|; nearest level";
    }
    std::vector<ParamSpec> paramSpecs() const override
    {
        return {{"bits", ParamKind::Bits, 2, 8, 4, "Bit width: 2^b levels"}};
    }

    // The levels are the fixed NF table times one float32 absmax scale.
    double codebookSideBits(const Codebook&) const override { return 32.0; }

protected:
    Codebook designResolved(const Distribution& dist, const Params& params) const override
    {
        // Float32 values times a float32 absmax, as bitsandbytes dequantizes.
        const float absmax = float(dist.maxAbs());
        std::vector<double> levels;
        for (double value : normalFloatValues(params.getInt("bits"))) {
            levels.push_back(double(float(value) * absmax));
        }
        return nearestLevelCodebook(std::move(levels), TieRule::Up);
    }
};

} // namespace

double inverseNormalCdf(double p)
{
    if (std::isnan(p)) {
        return p;
    }
    if (p <= 0.0) {
        return -std::numeric_limits<double>::infinity();
    }
    if (p >= 1.0) {
        return std::numeric_limits<double>::infinity();
    }
    // For p >= 0.5, 1 − p is exact (Sterbenz), so the upper half mirrors the lower.
    return p <= 0.5 ? lowerHalfQuantile(p) : -lowerHalfQuantile(1.0 - p);
}

std::vector<double> normalFloatValues(int bits)
{
    const int half = 1 << (bits - 1);
    // torch.linspace in float32: start + i·step for the first half, end − (n − 1 − i)·step for
    // the rest.
    auto linspace = [](int points) {
        const float start = float(kNormalFloatOffset);
        const float end = 0.5f;
        const float step = (end - start) / float(points - 1);
        std::vector<float> p(points);
        for (int i = 0; i < points; ++i) {
            p[i] = i < points / 2 ? start + float(i) * step : end - float(points - 1 - i) * step;
        }
        return p;
    };
    std::vector<float> values;
    const std::vector<float> positive = linspace(half + 1);
    for (int i = 0; i < half; ++i) {
        values.push_back(float(inverseNormalCdf(positive[i])));
    }
    const std::vector<float> negative = linspace(half);
    for (int i = 0; i + 1 < half; ++i) {
        values.push_back(float(-inverseNormalCdf(negative[i])));
    }
    values.push_back(0.0f);
    std::sort(values.begin(), values.end());
    const float largest = values.back();
    std::vector<double> normalised;
    for (float v : values) {
        normalised.push_back(double(v / largest));
    }
    return normalised;
}

std::unique_ptr<Scheme> makeNormalFloatScheme()
{
    return std::make_unique<NormalFloatScheme>();
}

} // namespace quantscope
