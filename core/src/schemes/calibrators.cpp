#include "quantscope/scheme.h"
#include "quantscope/schemes/calibration.h"
#include "quantscope/schemes/linear.h"
#include "schemes/scheme_factories.h"

namespace quantscope {
namespace {

// The references calibrate one range per tensor (pytorch-quantization's HistogramCalibrator and
// PyTorch's HistogramObserver refuse per-channel axes): so do these.

const ParamSpec kCalibratorBits{
    "bits", ParamKind::Bits, 2, 16, 8, "Bit width of the linear quantizer on the calibrated range"};

class PercentileScheme final : public Scheme {
public:
    std::string id() const override { return "percentile"; }
    std::string displayName() const override { return "Percentile calibration (TensorRT)"; }
    std::string description() const override
    {
        return "Symmetric linear up to the percentile of |x| on a 2048-bin histogram "
               "(pytorch-quantization's HistogramCalibrator)";
    }
    std::vector<ParamSpec> paramSpecs() const override
    {
        return {kCalibratorBits,
                {"percentile", ParamKind::Real, 50, 100, 99.99,
                 "Share of |x| (in %) kept inside the range; the threshold is the left edge of "
                 "the histogram bin where the cumulative share reaches it"}};
    }

    bool takesGranularity() const override { return false; }

protected:
    Codebook designResolved(const Distribution& dist, const Params& params) const override
    {
        const double threshold = percentileThreshold(absHistogram(dist), params.get("percentile"));
        return linearCodebook(symmetricMapping(threshold, params.getInt("bits")));
    }
};

class EntropyScheme final : public Scheme {
public:
    std::string id() const override { return "entropy"; }
    std::string displayName() const override { return "Entropy (KL) calibration (TensorRT)"; }
    std::string description() const override
    {
        return "Symmetric linear up to the |x| threshold minimising KL(P‖Q) between the 2048-bin "
               "histogram and its 2^(b−1)-level merge, candidates from bin 128 on";
    }
    std::vector<ParamSpec> paramSpecs() const override { return {kCalibratorBits}; }

    bool takesGranularity() const override { return false; }

protected:
    Codebook designResolved(const Distribution& dist, const Params& params) const override
    {
        const int bits = params.getInt("bits");
        const double threshold = entropyCalibration(absHistogram(dist), bits).threshold;
        return linearCodebook(symmetricMapping(threshold, bits));
    }
};

class HistogramL2Scheme final : public Scheme {
public:
    std::string id() const override { return "histogram-l2"; }
    std::string displayName() const override { return "Histogram L2 (PyTorch HistogramObserver)"; }
    std::string description() const override
    {
        return "Affine linear on the [min, max] PyTorch's HistogramObserver finds by shrinking "
               "the 2048-bin histogram while its L2 error falls";
    }
    std::vector<ParamSpec> paramSpecs() const override { return {kCalibratorBits}; }

    bool takesGranularity() const override { return false; }

protected:
    Codebook designResolved(const Distribution& dist, const Params& params) const override
    {
        const int bits = params.getInt("bits");
        const auto [low, high] =
            histogramL2Range(rangeHistogram(dist), dist.min(), dist.max(), bits);
        return linearCodebook(affineMapping(low, high, bits));
    }
};

} // namespace

std::unique_ptr<Scheme> makePercentileScheme()
{
    return std::make_unique<PercentileScheme>();
}

std::unique_ptr<Scheme> makeEntropyScheme()
{
    return std::make_unique<EntropyScheme>();
}

std::unique_ptr<Scheme> makeHistogramL2Scheme()
{
    return std::make_unique<HistogramL2Scheme>();
}

} // namespace quantscope
