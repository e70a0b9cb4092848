#include "quantscope/metrics.h"
#include "quantscope/scheme.h"
#include "quantscope/schemes/linear.h"
#include "schemes/scheme_factories.h"

#include <cmath>

namespace quantscope {
namespace {

// Clip thresholds a = max|x|·i/kGridPoints, i = 1..kGridPoints, then golden-section refinement
// around the best grid point. The MSE as a function of a is ragged (levels cross data values),
// so the best value seen anywhere is kept, never only the last bracket.
constexpr int kGridPoints = 64;
constexpr int kGoldenSteps = 40; // at most; the search stops at float32 resolution of a
const double kInverseGolden = (std::sqrt(5.0) - 1.0) / 2.0;

class SymmetricMseScheme final : public Scheme {
public:
    std::string id() const override { return "symmetric-mse"; }
    std::string displayName() const override { return "Symmetric linear (MSE clip)"; }
    std::string description() const override
    {
        return "Symmetric linear levels with the clip threshold a chosen to minimise the exact "
               "MSE (grid over (0, max|x|], then golden-section search)";
    }
    std::vector<ParamSpec> paramSpecs() const override
    {
        return {{"bits", ParamKind::Bits, 2, 16, 8, "Bit width: codes −(2^(b−1)−1) … 2^(b−1)−1"}};
    }

protected:
    Codebook designResolved(const Distribution& dist, const Params& params) const override
    {
        const int bits = params.getInt("bits");
        const double maxAbs = dist.maxAbs();
        auto codebookAt = [&](double a) { return linearCodebook(symmetricMapping(a, bits)); };
        if (!(maxAbs > 0.0)) {
            return codebookAt(maxAbs);
        }
        double bestClip = maxAbs;
        double bestMse = computeMetrics(dist, codebookAt(maxAbs)).mse;
        auto consider = [&](double a) {
            const double mse = computeMetrics(dist, codebookAt(a)).mse;
            if (mse < bestMse) {
                bestMse = mse;
                bestClip = a;
            }
            return mse;
        };
        const double gridStep = maxAbs / kGridPoints;
        for (int i = 1; i < kGridPoints; ++i) {
            consider(gridStep * i);
        }
        double lo = std::max(bestClip - gridStep, 0.0);
        double hi = std::min(bestClip + gridStep, maxAbs);
        double left = hi - kInverseGolden * (hi - lo);
        double right = lo + kInverseGolden * (hi - lo);
        double leftMse = consider(left);
        double rightMse = consider(right);
        // a is used as a float32: a finer bracket changes nothing.
        const double resolution = maxAbs * 0x1.0p-24;
        for (int step = 0; step < kGoldenSteps && hi - lo > resolution; ++step) {
            if (leftMse <= rightMse) {
                hi = right;
                right = left;
                rightMse = leftMse;
                left = hi - kInverseGolden * (hi - lo);
                leftMse = consider(left);
            } else {
                lo = left;
                left = right;
                leftMse = rightMse;
                right = lo + kInverseGolden * (hi - lo);
                rightMse = consider(right);
            }
        }
        return codebookAt(bestClip);
    }
};

} // namespace

std::unique_ptr<Scheme> makeSymmetricMseScheme()
{
    return std::make_unique<SymmetricMseScheme>();
}

} // namespace quantscope
