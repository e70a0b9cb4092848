#include "quantscope/scheme.h"

#include "blocks/codebook_slices.h"
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
    Params effective = given;
    // Every scheme takes `bits`: one without a bits parameter reads it as its bits-bit variant
    // (2^bits levels, an element format); parameters given explicitly win.
    if (given.has("bits") && findSpec(specs, ParamKind::Bits) == nullptr) {
        const double bits = given.get("bits");
        if (!(bits >= 1 && bits <= 30) || bits != std::round(bits)) {
            throw UsageError("bits must be an integer from 1 to 30, got " + formatNumber(bits));
        }
        const std::optional<Params> variant = paramsForBits(static_cast<int>(bits));
        if (!variant) {
            throw UsageError("scheme '" + id() + "' has no " + formatNumber(bits) + "-bit variant");
        }
        effective.erase("bits");
        for (const auto& [name, value] : variant->values()) {
            if (!effective.has(name)) {
                effective.set(name, value);
            }
        }
    }

    for (const auto& entry : effective.values()) {
        const std::string& name = entry.first;
        const bool known =
            std::any_of(specs.begin(), specs.end(), [&](const auto& s) { return s.name == name; });
        if (!known) {
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
        if (effective.has(spec.name)) {
            value = effective.get(spec.name);
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

std::optional<Params> Scheme::paramsForBits(int bits) const
{
    const std::vector<ParamSpec> specs = paramSpecs();
    if (const ParamSpec* spec = findSpec(specs, ParamKind::Bits)) {
        return Params{{spec->name, double(bits)}};
    }
    if (const ParamSpec* spec = findSpec(specs, ParamKind::Levels)) {
        return Params{{spec->name, std::ldexp(1.0, bits)}};
    }
    return std::nullopt;
}

std::optional<int> Scheme::bitsOf(const Params& resolved) const
{
    const std::vector<ParamSpec> specs = paramSpecs();
    if (const ParamSpec* spec = findSpec(specs, ParamKind::Bits);
        spec && resolved.has(spec->name)) {
        return resolved.getInt(spec->name);
    }
    if (const ParamSpec* spec = findSpec(specs, ParamKind::Levels);
        spec && resolved.has(spec->name)) {
        return codeBits(resolved.getInt(spec->name));
    }
    return std::nullopt;
}

double Scheme::codebookSideBits(const Codebook& codebook) const
{
    constexpr double kFloatBits = 32.0;
    if (codebook.linear) {
        // An affine mapping also stores its zero point, a code like the others.
        const bool affine = codebook.linear->qmin == 0;
        return kFloatBits + (affine ? codeBits(codebook.levelCount()) : 0);
    }
    return kFloatBits * codebook.levelCount();
}

std::unique_ptr<BlockQuantizer> Scheme::sliceQuantizer(const Params& resolved) const
{
    return makeCodebookSliceQuantizer(*this, resolved);
}

int codeBits(int levels)
{
    int bits = 0;
    while (bits < 31 && (std::int64_t{1} << bits) < levels) {
        ++bits;
    }
    return bits;
}

double codebookBitsPerWeight(const Scheme& scheme, const Codebook& codebook, std::int64_t count)
{
    const double side = scheme.codebookSideBits(codebook);
    return codeBits(codebook.levelCount()) + (count > 0 ? side / double(count) : 0.0);
}

Codebook Scheme::design(const Distribution& dist, const Params& given) const
{
    if (asBlockScheme() != nullptr) {
        throw UsageError("scheme '" + id() +
                         "' scales each block of the tensor on its own: it has no single codebook");
    }
    const Params params = resolve(given);
    if (dist.empty()) {
        return makeCodebook({0.0}, {});
    }
    return designResolved(dist, params);
}

} // namespace quantscope
