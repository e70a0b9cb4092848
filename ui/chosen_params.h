#pragma once

#include "quant_result.h"

#include "quantscope/distribution.h"

#include <optional>
#include <string>

namespace quantscope {

// The value a scheme chose for an optional parameter left on "auto", read off its design: the
// linear scale for `step`, the clip threshold for `range`, DSQ's clip range and Δ, weq-log's
// level spacing and sign mode, minifloat's exponent bits. Empty when it cannot be told (or the
// design failed), so an editor can show where "auto" sits and start from there.
std::optional<double> chosenParamValue(const QuantResult& result, const Distribution& dist,
                                       const std::string& name);

} // namespace quantscope
