#pragma once

#include "quantscope/distribution.h"
#include "quantscope/histogram.h"

#include <utility>
#include <vector>

namespace quantscope {

// Activation calibrators: a clip range chosen from a histogram of the values, then a linear
// quantizer on it. Each follows its reference implementation step by step.

constexpr int kCalibrationBins = 2048;

// The |x| histogram TensorRT's calibrators (pytorch-quantization's HistogramCalibrator) collect:
// torch.histc(|x|, bins, min = 0, max = max|x|), i.e. a value's bin is
// int(|x| · bins / max|x|) in float32 (the last bin closed); edges as torch.linspace(0, max|x|,
// bins + 1) in float32. Counted from the Distribution in O(bins log n).
Histogram absHistogram(const Distribution& dist, int bins = kCalibrationBins);
// The histogram PyTorch's HistogramObserver collects on its first batch:
// torch.histc(x, bins, min, max) over the data range (PyTorch 1.13 passes int(min), int(max),
// a truncation later releases drop; this follows the data range). A constant tensor puts
// everything in the middle bin of [x − 1, x + 1], as histc does.
Histogram rangeHistogram(const Distribution& dist, int bins = kCalibrationBins);

// pytorch-quantization's _compute_amax_percentile: the cumulative share of the histogram
// (np.cumsum(hist / total)), the first bin where it reaches percentile / 100, and that bin's
// left edge. `percentile` in [0, 100].
double percentileThreshold(const Histogram& absHistogram, double percentile);

// TensorRT's entropy calibration (pytorch-quantization's _compute_amax_entropy): bin 0 takes
// bin 1's count; for each candidate i = startBin … bins, the reference P is bins [0, i) with
// everything beyond folded into bin i − 1, the candidate Q merges those bins into 2^(b−1) groups
// and spreads each group's count evenly over its non-empty bins; the threshold is edge i of the
// last candidate minimising KL(P‖Q).
struct EntropyCalibration {
    double threshold = 0.0;
    int thresholdBin = 0;            // i
    int firstCandidate = 0;          // startBin
    std::vector<double> divergences; // KL(P‖Q) per candidate from firstCandidate on
};
EntropyCalibration entropyCalibration(const Histogram& absHistogram, int bits, int startBin = 128);

// PyTorch's HistogramObserver._non_linear_param_search (2048 bins, quint8 defaults): starting
// from the histogram's [min, max], move whichever of the lower or upper bound drops more bins
// by quantile steps of 1e-5 while the approximated L2 error of a 2^bits-level quantizer on the
// histogram keeps falling. Returns the new min and max (float32, as PyTorch's tensors).
// `histogram` is rangeHistogram's, over [min, max].
std::pair<float, float> histogramL2Range(const Histogram& histogram, float min, float max,
                                         int bits);

} // namespace quantscope
