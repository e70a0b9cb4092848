#include "quantscope/params.h"

#include "quantscope/errors.h"

#include <cmath>

namespace quantscope {

double Params::get(const std::string& name) const
{
    auto it = m_values.find(name);
    if (it == m_values.end()) {
        throw UsageError("missing parameter '" + name + "'");
    }
    return it->second;
}

double Params::get(const std::string& name, double fallback) const
{
    auto it = m_values.find(name);
    return it == m_values.end() ? fallback : it->second;
}

int Params::getInt(const std::string& name) const
{
    return static_cast<int>(std::lround(get(name)));
}

} // namespace quantscope
