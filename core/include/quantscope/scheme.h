#pragma once

#include "quantscope/codebook.h"
#include "quantscope/distribution.h"
#include "quantscope/params.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace quantscope {

class BlockQuantizer;
class BlockScheme;

// A named setting of a scheme that stands on its own (an element format, a ggml type): reports
// and bit allocations choose among these instead of among bit widths.
struct SchemeVariant {
    std::string name;
    Params params;
};

// A quantization scheme: turns a Distribution and parameters into a Codebook.
class Scheme {
public:
    virtual ~Scheme() = default;

    virtual std::string id() const = 0;          // stable, used by the CLI and settings
    virtual std::string displayName() const = 0; // for menus and tables
    virtual std::string description() const = 0; // one line
    virtual std::vector<ParamSpec> paramSpecs() const = 0;

    // Fills defaults, maps `bits` to `levels` for level-count schemes, checks names and ranges
    // (UsageError), then designs. An empty distribution gives the single level 0.
    Codebook design(const Distribution& dist, const Params& given) const;
    // A `bits` the scheme has no parameter for is read through paramsForBits().
    Params resolve(const Params& given) const;

    // Block-scaled schemes (block_scheme.h) return themselves: they have no single codebook and
    // quantize through quantizeTensor(). Null for codebook schemes.
    virtual const BlockScheme* asBlockScheme() const { return nullptr; }

    // The parameters of the scheme's `bits`-bit variant (the others at their defaults): `bits`
    // itself, 2^bits `levels`, or a scheme's own choice (an element format); empty when there is
    // none.
    virtual std::optional<Params> paramsForBits(int bits) const;
    // The bit width resolved parameters stand for; empty when the scheme has none.
    virtual std::optional<int> bitsOf(const Params& resolved) const;
    // The scheme's storage formats when it is chosen by format rather than by bits (MX element
    // formats, ggml types); empty for schemes chosen by bits.
    virtual std::vector<SchemeVariant> variants() const { return {}; }

    // Bits stored beside the codes of one codebook: a 32-bit scale (and a b-bit zero point) for
    // a linear codebook, else a table of 32-bit levels. Schemes whose levels are a fixed grid
    // times a scale override it.
    virtual double codebookSideBits(const Codebook& codebook) const;

    // Quantizes each slice of a tensor (per channel, per group) with its own codebook: by
    // default a Distribution and a design per slice; linear and minifloat schemes use a
    // vectorized kernel. `resolved` comes from resolve().
    virtual std::unique_ptr<BlockQuantizer> sliceQuantizer(const Params& resolved) const;
    // Whether the scheme may be designed per channel or per group (calibrators that, like
    // their references, calibrate one range per tensor say no).
    virtual bool takesGranularity() const { return true; }
    // Whether sliceQuantizer() is a vectorized kernel, cheap enough for sweeps over every scheme
    // and bit width; per-slice designs from Distributions cost seconds on large tensors.
    virtual bool vectorizedSlices() const { return false; }

protected:
    // `params` is resolved: every non-optional spec has a value within its range.
    virtual Codebook designResolved(const Distribution& dist, const Params& params) const = 0;
};

// Bits of one code of a codebook with `levels` levels: ceil(log2 levels), 0 for one level.
int codeBits(int levels);
// Storage per value of `codebook` designed by `scheme` for `count` values, its table or scale
// included.
double codebookBitsPerWeight(const Scheme& scheme, const Codebook& codebook, std::int64_t count);

// Every scheme, in a stable order.
const std::vector<std::unique_ptr<Scheme>>& allSchemes();
std::vector<std::string> schemeIds();
// nullptr when unknown.
const Scheme* findScheme(const std::string& id);
// Throws UsageError naming the known ids when unknown.
const Scheme& schemeById(const std::string& id);

} // namespace quantscope
