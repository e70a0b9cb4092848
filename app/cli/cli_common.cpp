#include "cli_common.h"

#include "quantscope/scheme.h"
#include "quantscope/tensor_file.h"

#include <cmath>
#include <cstdio>

namespace quantscope::cli {

Tensor loadTensor(const std::string& file, const std::string& tensorName)
{
    const auto tensorFile = openTensorFile(file);
    const TensorInfo& info = pickTensor(*tensorFile, tensorName);
    return tensorFile->load(info.name);
}

std::string formatNumber(double value, int precision)
{
    if (std::isnan(value)) {
        return "nan";
    }
    if (std::isinf(value)) {
        return value > 0 ? "inf" : "-inf";
    }
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    return buffer;
}

std::string formatNumber(std::optional<double> value, int precision)
{
    return value ? formatNumber(*value, precision) : std::string("-");
}

std::string joinNames(const std::vector<std::string>& names)
{
    std::string joined;
    for (const auto& name : names) {
        joined += (joined.empty() ? "" : ", ") + name;
    }
    return joined;
}

std::string schemeHelp()
{
    std::string text;
    for (const auto& scheme : allSchemes()) {
        std::string params;
        for (const auto& spec : scheme->paramSpecs()) {
            params += (params.empty() ? "" : ", ") + spec.name;
        }
        text += "  " + scheme->id() + " - " + scheme->description() + " (" + params + ")\n";
    }
    return text;
}

} // namespace quantscope::cli
