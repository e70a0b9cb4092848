#include "quantscope/scheme.h"

#include "quantscope/errors.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace quantscope {
namespace {

std::string formatNumber(double value)
{
    std::ostringstream out;
    out << value;
    return out.str();
}

const ParamSpec* findSpec(const std::vector<ParamSpec>& specs, ParamKind kind)
{
    auto it =
        std::find_if(specs.begin(), specs.end(), [&](const auto& s) { return s.kind == kind; });
    return it == specs.end() ? nullptr : &*it;
}

} // namespace

Params Scheme::resolve(const Params& given) const
{
    const std::vector<ParamSpec> specs = paramSpecs();
    const bool hasBits = findSpec(specs, ParamKind::Bits) != nullptr;
    const ParamSpec* levelsSpec = findSpec(specs, ParamKind::Levels);
    // Every scheme takes `bits`: level-count schemes read it as 2^bits levels.
    const bool bitsAsLevels = !hasBits && levelsSpec != nullptr;

    for (const auto& entry : given.values()) {
        const std::string& name = entry.first;
        const bool known =
            std::any_of(specs.begin(), specs.end(), [&](const auto& s) { return s.name == name; });
        if (!known && !(name == "bits" && bitsAsLevels)) {
            std::string names;
            for (const auto& spec : specs) {
                names += (names.empty() ? "" : ", ") + spec.name;
            }
            throw UsageError("scheme '" + id() + "' has no parameter '" + name +
                             "' (parameters: " + names + ")");
        }
    }

    Params resolved;
    for (const auto& spec : specs) {
        double value = spec.defaultValue;
        if (given.has(spec.name)) {
            value = given.get(spec.name);
        } else if (&spec == levelsSpec && bitsAsLevels && given.has("bits")) {
            const double bits = given.get("bits");
            if (!(bits >= 1 && bits <= 30) || bits != std::round(bits)) {
                throw UsageError("bits must be an integer from 1 to 30, got " + formatNumber(bits));
            }
            value = std::ldexp(1.0, static_cast<int>(bits));
        } else if (spec.optional) {
            continue;
        }
        if (!std::isfinite(value) || value < spec.minimum || value > spec.maximum ||
            (spec.isInteger() && value != std::round(value))) {
            throw UsageError("parameter '" + spec.name + "' of scheme '" + id() + "' must be " +
                             (spec.isInteger() ? "an integer" : "a number") + " in [" +
                             formatNumber(spec.minimum) + ", " + formatNumber(spec.maximum) +
                             "], got " + formatNumber(value));
        }
        resolved.set(spec.name, value);
    }
    return resolved;
}

Codebook Scheme::design(const Distribution& dist, const Params& given) const
{
    const Params params = resolve(given);
    if (dist.empty()) {
        return makeCodebook({0.0}, {});
    }
    return designResolved(dist, params);
}

} // namespace quantscope
