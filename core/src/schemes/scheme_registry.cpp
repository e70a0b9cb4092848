#include "quantscope/errors.h"
#include "quantscope/scheme.h"
#include "schemes/scheme_factories.h"

namespace quantscope {

const std::vector<std::unique_ptr<Scheme>>& allSchemes()
{
    static const std::vector<std::unique_ptr<Scheme>> schemes = [] {
        std::vector<std::unique_ptr<Scheme>> list;
        list.push_back(makeSymmetricScheme());
        list.push_back(makeAsymmetricScheme());
        list.push_back(makeWeqScheme());
        list.push_back(makeWeqOptScheme());
        list.push_back(makeWeqLogScheme());
        list.push_back(makeDsqScheme());
        list.push_back(makeLloydMaxScheme());
        list.push_back(makeSymmetricMseScheme());
        list.push_back(makeMinifloatScheme());
        list.push_back(makeNormalFloatScheme());
        list.push_back(makePowerOfTwoScheme());
        list.push_back(makePercentileScheme());
        list.push_back(makeEntropyScheme());
        list.push_back(makeHistogramL2Scheme());
        list.push_back(makeMxScheme());
        list.push_back(makeNvfp4Scheme());
        list.push_back(makeGgmlScheme());
        return list;
    }();
    return schemes;
}

std::vector<std::string> schemeIds()
{
    std::vector<std::string> ids;
    for (const auto& scheme : allSchemes()) {
        ids.push_back(scheme->id());
    }
    return ids;
}

const Scheme* findScheme(const std::string& id)
{
    for (const auto& scheme : allSchemes()) {
        if (scheme->id() == id) {
            return scheme.get();
        }
    }
    return nullptr;
}

const Scheme& schemeById(const std::string& id)
{
    if (const Scheme* scheme = findScheme(id)) {
        return *scheme;
    }
    std::string known;
    for (const auto& name : schemeIds()) {
        known += (known.empty() ? "" : ", ") + name;
    }
    throw UsageError("unknown scheme '" + id + "' (known: " + known + ")");
}

} // namespace quantscope
