#include "blocks/linear_slices.h"
#include "quantscope/schemes/linear.h"
#include "schemes/scheme_factories.h"

namespace quantscope {
namespace {

// A step in value units: positive, and its float32 inverse finite.
constexpr double kMinStep = 1e-30;
constexpr double kMaxStep = 1e30;

ParamSpec stepSpec(const std::string& help, std::vector<std::string> overrides = {})
{
    ParamSpec spec{"step", ParamKind::Real, kMinStep, kMaxStep, 1.0, help, {}, true};
    spec.valueUnits = true;
    spec.overrides = std::move(overrides);
    return spec;
}

class SymmetricScheme final : public Scheme {
public:
    std::string id() const override { return "symmetric"; }
    std::string displayName() const override { return "Symmetric linear (max-abs)"; }
    std::string description() const override
    {
        return "Uniform levels symmetric around 0, scale = clip·max|x| / (2^(b−1) − 1), "
               "zero point 0";
    }
    std::vector<ParamSpec> paramSpecs() const override
    {
        ParamSpec range{"range",
                        ParamKind::Real,
                        0.0,
                        1e30,
                        1.0,
                        "Absolute clip threshold a, e.g. a calibrated activation range "
                        "(overrides clip)",
                        {},
                        true};
        range.valueUnits = true;
        range.overrides = {"clip"};
        return {
            {"bits", ParamKind::Bits, 1, 16, 8, "Bit width: codes −(2^(b−1)−1) … 2^(b−1)−1"},
            {"clip", ParamKind::Real, 0.01, 1.0, 1.0,
             "Clip threshold a as a fraction of max|x|; values beyond it saturate"},
            range,
            stepSpec("The scale (step between levels) in value units; the clip threshold follows "
                     "as step·(2^(b−1) − 1) (overrides clip and range)",
                     {"clip", "range"}),
        };
    }

    std::unique_ptr<BlockQuantizer> sliceQuantizer(const Params& resolved) const override
    {
        LinearSliceDesign design;
        design.bits = resolved.getInt("bits");
        design.clip = resolved.get("clip");
        if (resolved.has("range")) {
            design.range = resolved.get("range");
        }
        return makeLinearSliceQuantizer(design);
    }
    bool vectorizedSlices() const override { return true; }

protected:
    Codebook designResolved(const Distribution& dist, const Params& params) const override
    {
        const int bits = params.getInt("bits");
        if (params.has("step")) {
            return linearCodebook(symmetricStepMapping(params.get("step"), bits));
        }
        const double a =
            params.has("range") ? params.get("range") : params.get("clip") * dist.maxAbs();
        return linearCodebook(symmetricMapping(a, bits));
    }
};

class AsymmetricScheme final : public Scheme {
public:
    std::string id() const override { return "asymmetric"; }
    std::string displayName() const override { return "Asymmetric linear (zero point)"; }
    std::string description() const override
    {
        return "Affine min-max with a zero point; the range widened to include 0, "
               "codes 0 … 2^b − 1";
    }
    std::vector<ParamSpec> paramSpecs() const override
    {
        return {
            {"bits", ParamKind::Bits, 1, 16, 8, "Bit width: codes 0 … 2^b − 1"},
            stepSpec("The scale (step between levels) in value units; the zero point stays where "
                     "the data's range puts it and the range follows as (2^b − 1)·step"),
        };
    }

    std::unique_ptr<BlockQuantizer> sliceQuantizer(const Params& resolved) const override
    {
        LinearSliceDesign design;
        design.affine = true;
        design.bits = resolved.getInt("bits");
        return makeLinearSliceQuantizer(design);
    }
    bool vectorizedSlices() const override { return true; }

protected:
    Codebook designResolved(const Distribution& dist, const Params& params) const override
    {
        const int bits = params.getInt("bits");
        if (params.has("step")) {
            return linearCodebook(asymmetricStepMapping(dist, bits, params.get("step")));
        }
        return linearCodebook(asymmetricMapping(dist, bits));
    }
};

} // namespace

std::unique_ptr<Scheme> makeSymmetricScheme()
{
    return std::make_unique<SymmetricScheme>();
}

std::unique_ptr<Scheme> makeAsymmetricScheme()
{
    return std::make_unique<AsymmetricScheme>();
}

} // namespace quantscope
