#include "quantscope/schemes/dsq.h"

#include "quantscope/errors.h"
#include "quantscope/scheme.h"
#include "schemes/scheme_factories.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace quantscope {
namespace {

// Below this kΔ/2 the soft step is the straight line through the interval (the α → 1 limit);
// computing s = 1/tanh(kΔ/2) there would lose all precision.
constexpr double kLinearLimit = 1e-12;

ParamSpec clipSpec(const std::string& name, const std::string& help)
{
    constexpr double kMaxRange = std::numeric_limits<float>::max();
    ParamSpec spec{name, ParamKind::Real, -kMaxRange, kMaxRange, 0.0, help, {}, true};
    spec.valueUnits = true;
    return spec;
}

ParamSpec stepSpec()
{
    ParamSpec spec{"step",
                   ParamKind::Real,
                   1e-30,
                   1e30,
                   1.0,
                   "Δ, the spacing of the levels in value units; the range follows, (2^b − 1)·Δ "
                   "long: from lower when set, down from upper when set, else centred on the data",
                   {},
                   true};
    spec.valueUnits = true;
    return spec;
}

} // namespace

int DsqQuantizer::levelCount() const
{
    return 1 << std::clamp(bits, 1, 30);
}

double DsqQuantizer::delta() const
{
    return upper > lower ? (upper - lower) / (levelCount() - 1) : 0.0;
}

double DsqQuantizer::sharpness() const
{
    const double d = delta();
    return d > 0.0 ? std::log(2.0 / alpha - 1.0) / d : 0.0;
}

double DsqQuantizer::scale() const
{
    const double half = 0.5 * sharpness() * delta();
    return half > 0.0 ? 1.0 / std::tanh(half) : std::numeric_limits<double>::infinity();
}

double DsqQuantizer::soft(double x) const
{
    const double d = delta();
    if (d == 0.0 || std::isnan(x)) {
        return lower;
    }
    const double clipped = std::clamp(x, lower, upper);
    const int last = levelCount() - 2; // index of the last interval
    const int i = std::clamp(static_cast<int>(std::floor((clipped - lower) / d)), 0, last);
    const double offset = clipped - (lower + (i + 0.5) * d); // from the interval's midpoint
    const double k = sharpness();
    double phi;
    if (!std::isfinite(k)) {
        phi = offset > 0.0 ? 1.0 : (offset < 0.0 ? -1.0 : 0.0); // α → 0: the hard step
    } else if (0.5 * k * d < kLinearLimit) {
        phi = std::clamp(2.0 * offset / d, -1.0, 1.0);
    } else {
        phi = std::clamp(scale() * std::tanh(k * offset), -1.0, 1.0);
    }
    return lower + d * (i + 0.5 * (phi + 1.0));
}

int DsqQuantizer::hardIndex(double x) const
{
    const double d = delta();
    if (d == 0.0 || std::isnan(x)) {
        return 0;
    }
    const double position = std::nearbyint((x - lower) / d); // half to even
    return static_cast<int>(std::clamp(position, 0.0, double(levelCount() - 1)));
}

double DsqQuantizer::hard(double x) const
{
    const int index = hardIndex(x);
    return index == levelCount() - 1 ? upper : lower + index * delta();
}

namespace {

std::string formatNumber(double value)
{
    std::ostringstream out;
    out << value;
    return out.str();
}

} // namespace

DsqQuantizer dsqQuantizerFor(const Distribution& dist, const Params& params)
{
    DsqQuantizer quantizer;
    quantizer.bits = params.getInt("bits");
    quantizer.alpha = params.get("alpha", quantizer.alpha);
    const bool hasLower = params.has("lower");
    const bool hasUpper = params.has("upper");
    if (params.has("step")) {
        if (hasLower && hasUpper) {
            throw UsageError("scheme 'dsq': lower, upper and step all set over-determine the "
                             "grid; leave one of them unset");
        }
        const double span = params.get("step") * (quantizer.levelCount() - 1);
        if (hasLower) {
            quantizer.lower = params.get("lower");
            quantizer.upper = quantizer.lower + span;
        } else if (hasUpper) {
            quantizer.upper = params.get("upper");
            quantizer.lower = quantizer.upper - span;
        } else {
            const double centre = 0.5 * (double(dist.min()) + double(dist.max()));
            quantizer.lower = centre - 0.5 * span;
            quantizer.upper = centre + 0.5 * span;
        }
        return quantizer;
    }
    quantizer.lower = hasLower ? params.get("lower") : dist.min();
    quantizer.upper = hasUpper ? params.get("upper") : dist.max();
    if (quantizer.lower > quantizer.upper) {
        throw UsageError("scheme 'dsq': lower (" + formatNumber(quantizer.lower) +
                         ") must not exceed upper (" + formatNumber(quantizer.upper) + ")");
    }
    return quantizer;
}

double dsqSoft(double x, double lower, double upper, int bits, double alpha)
{
    return DsqQuantizer{lower, upper, bits, alpha}.soft(x);
}

CurveSamples sampleDsqSoft(const DsqQuantizer& quantizer, double from, double to, int samples)
{
    CurveSamples curve;
    if (samples <= 0) {
        return curve;
    }
    curve.x.reserve(samples);
    curve.y.reserve(samples);
    const double spacing = samples > 1 ? (to - from) / (samples - 1) : 0.0;
    for (int i = 0; i < samples; ++i) {
        const double x = i == samples - 1 && samples > 1 ? to : from + i * spacing;
        curve.x.push_back(x);
        curve.y.push_back(quantizer.soft(x));
    }
    return curve;
}

namespace {

class DsqScheme final : public Scheme {
public:
    std::string id() const override { return "dsq"; }
    std::string displayName() const override { return "DSQ soft quantization (Gong 2019)"; }
    std::string description() const override
    {
        return "Uniform 2^b levels on a clip range; the codebook is the hard limit of DSQ's tanh "
               "soft steps, whose sharpness α the soft curve shows";
    }
    std::vector<ParamSpec> paramSpecs() const override
    {
        return {
            {"bits", ParamKind::Bits, 1, 8, 4, "Bit width: 2^b uniform levels from lower to upper"},
            {"alpha", ParamKind::Real, 0.001, 0.999, 0.2,
             "Softness of the training-time curve (→ 0: hard steps, → 1: identity)"},
            clipSpec("lower", "Lower clip (lowest level); unset: the data minimum"),
            clipSpec("upper", "Upper clip (highest level); unset: the data maximum"),
            stepSpec(),
        };
    }

    // The hard quantizer is uniform between two float32 clips.
    double codebookSideBits(const Codebook&) const override { return 64.0; }

protected:
    Codebook designResolved(const Distribution& dist, const Params& params) const override
    {
        const DsqQuantizer quantizer = dsqQuantizerFor(dist, params);
        if (quantizer.delta() == 0.0) {
            return makeCodebook({quantizer.lower}, {});
        }

        std::vector<double> levels{quantizer.lower};
        std::vector<double> thresholds;
        for (int j = 1; j < quantizer.levelCount(); ++j) {
            const double threshold =
                exactThreshold(quantizer.lower + (j - 0.5) * quantizer.delta(),
                               [&](float x) { return quantizer.hardIndex(x) >= j; });
            if (!thresholds.empty() && threshold <= thresholds.back()) {
                // A range narrower than the float spacing: level j − 1 holds no float value.
                thresholds.pop_back();
                levels.pop_back();
            }
            thresholds.push_back(threshold);
            levels.push_back(j == quantizer.levelCount() - 1
                                 ? quantizer.upper
                                 : quantizer.lower + j * quantizer.delta());
        }
        return makeCodebook(std::move(levels), std::move(thresholds));
    }
};

} // namespace

std::unique_ptr<Scheme> makeDsqScheme()
{
    return std::make_unique<DsqScheme>();
}

} // namespace quantscope
