#pragma once

#include "quantscope/simd_targets.h"

#include <hwy/highway.h>

// HWY_DYNAMIC_DISPATCH after the process's SIMD targets are chosen (chooseSimdTargets), so every
// kernel runs on the same target from the first call on.
#define QUANTSCOPE_DISPATCH(FUNCTION)                                                              \
    (::quantscope::chooseSimdTargets(), HWY_DYNAMIC_DISPATCH(FUNCTION))
