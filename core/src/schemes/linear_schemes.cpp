#include "blocks/linear_slices.h"
#include "quantscope/schemes/linear.h"
#include "schemes/scheme_factories.h"

namespace quantscope {
namespace {

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
        return {
            {"bits", ParamKind::Bits, 1, 16, 8, "Bit width: codes −(2^(b−1)−1) … 2^(b−1)−1"},
            {"clip", ParamKind::Real, 0.01, 1.0, 1.0,
             "Clip threshold a as a fraction of max|x|; values beyond it saturate"},
            {"range",
             ParamKind::Real,
             0.0,
             1e30,
             1.0,
             "Absolute clip threshold a, e.g. a calibrated activation range (overrides clip)",
             {},
             true},
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
        const double a =
            params.has("range") ? params.get("range") : params.get("clip") * dist.maxAbs();
        return linearCodebook(symmetricMapping(a, params.getInt("bits")));
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
        return {{"bits", ParamKind::Bits, 1, 16, 8, "Bit width: codes 0 … 2^b − 1"}};
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
        return linearCodebook(asymmetricMapping(dist, params.getInt("bits")));
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
