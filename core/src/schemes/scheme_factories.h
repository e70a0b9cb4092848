#pragma once

#include "quantscope/scheme.h"

#include <memory>

namespace quantscope {

// One factory per scheme; the registry (scheme_registry.cpp) lists them in display order.
std::unique_ptr<Scheme> makeSymmetricScheme();
std::unique_ptr<Scheme> makeAsymmetricScheme();
std::unique_ptr<Scheme> makeWeqScheme();
std::unique_ptr<Scheme> makeWeqOptScheme();
std::unique_ptr<Scheme> makeWeqLogScheme();
std::unique_ptr<Scheme> makeDsqScheme();
std::unique_ptr<Scheme> makeLloydMaxScheme();
std::unique_ptr<Scheme> makeSymmetricMseScheme();
std::unique_ptr<Scheme> makeMinifloatScheme();
std::unique_ptr<Scheme> makeNormalFloatScheme();
std::unique_ptr<Scheme> makePowerOfTwoScheme();
std::unique_ptr<Scheme> makePercentileScheme();
std::unique_ptr<Scheme> makeEntropyScheme();
std::unique_ptr<Scheme> makeHistogramL2Scheme();
std::unique_ptr<Scheme> makeMxScheme();
std::unique_ptr<Scheme> makeNvfp4Scheme();
std::unique_ptr<Scheme> makeGgmlScheme();

} // namespace quantscope
