#pragma once

#include "quantscope/codebook.h"
#include "quantscope/distribution.h"
#include "quantscope/params.h"

#include <memory>
#include <string>
#include <vector>

namespace quantscope {

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
    Params resolve(const Params& given) const;

protected:
    // `params` is resolved: every non-optional spec has a value within its range.
    virtual Codebook designResolved(const Distribution& dist, const Params& params) const = 0;
};

// Every scheme, in a stable order.
const std::vector<std::unique_ptr<Scheme>>& allSchemes();
std::vector<std::string> schemeIds();
// nullptr when unknown.
const Scheme* findScheme(const std::string& id);
// Throws UsageError naming the known ids when unknown.
const Scheme& schemeById(const std::string& id);

} // namespace quantscope
