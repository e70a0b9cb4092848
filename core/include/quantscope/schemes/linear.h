#pragma once

#include "quantscope/codebook.h"
#include "quantscope/distribution.h"

#include <cstdint>

namespace quantscope {

// Parameters of PyTorch's MinMaxObserver, generalised to `bits`; arithmetic in float32 as
// PyTorch does, so scale, zero point and codes agree with `torch.quantize_per_tensor`.
//
// Symmetric (per_tensor_symmetric, restricted range quant_min = −(2^(b−1)−1)):
//   scale = a / (2^(b−1) − 1) for a clip threshold a (max|x| by default), zero point 0.
// Asymmetric (per_tensor_affine, quint8-like [0, 2^b − 1]): the range widened to include 0,
//   scale = (max' − min') / (qmax − qmin), zero_point = qmin − round(min' / scale).
// Both clamp scale to float32 epsilon, so constant and all-zero tensors stay well defined.
LinearMapping symmetricMapping(double clipThreshold, int bits);
LinearMapping asymmetricMapping(const Distribution& dist, int bits);
// The affine mapping of the range [min, max] (widened to include 0), as PyTorch's
// _calculate_qparams computes it from an observer's min and max.
LinearMapping affineMapping(float min, float max, int bits);

// The same grids with a given step (scale) in value units, kept exactly as given (as PyTorch
// keeps a given q_scale in double while computing codes in float32); the range follows from it.
// Symmetric: ±qmax·step, values beyond saturate. Asymmetric: the zero point asymmetricMapping
// gives for the data is kept, so the range [(qmin − zp)·step, (qmax − zp)·step] scales around 0
// with the step and clips both ends in the data's proportion.
LinearMapping symmetricStepMapping(double step, int bits);
LinearMapping asymmetricStepMapping(const Distribution& dist, int bits, double step);

// q = clamp(round_half_even(x · (1/scale)) + zero_point, qmin, qmax), in float32.
std::int64_t linearCode(float x, const LinearMapping& mapping);
// (q − zero_point) · scale as PyTorch's dequantize computes it.
double linearLevel(std::int64_t code, const LinearMapping& mapping);

// Every code qmin..qmax as a level, thresholds exact for float32 inputs.
Codebook linearCodebook(const LinearMapping& mapping);

} // namespace quantscope
