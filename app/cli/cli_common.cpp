#include "cli_common.h"

#include "quantscope/errors.h"
#include "quantscope/scheme.h"
#include "quantscope/tensor_file.h"

#include <cmath>
#include <cstdio>
#include <filesystem>

namespace quantscope::cli {

Tensor loadTensor(const std::string& file, const std::string& tensorName)
{
    const auto tensorFile = openTensorFile(file);
    const TensorInfo& info = pickTensor(*tensorFile, tensorName);
    return tensorFile->load(info.name);
}

Granularity granularityFromArguments(const Arguments& arguments)
{
    arguments.exclusive({"per-channel", "group-size"});
    if (const auto axis = arguments.value("per-channel")) {
        return Granularity::perChannel(parseInteger(*axis, "--per-channel"));
    }
    if (const auto size = arguments.value("group-size")) {
        return Granularity::perGroup(parseInteger(*size, "--group-size"));
    }
    return Granularity::perTensor();
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

void checkOutputPaths(const std::string& command, const std::string& input,
                      const std::vector<std::string>& outputs)
{
    namespace fs = std::filesystem;
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        std::error_code error;
        if (outputs[i].empty()) {
            throw UsageError(command + ": empty output file name");
        }
        // The commonest failure, caught before anything is written.
        const fs::path parent = fs::absolute(outputs[i]).parent_path();
        if (!fs::is_directory(parent, error)) {
            throw InputError(outputs[i] + ": cannot write (no directory " + parent.string() + ")");
        }
        if (fs::equivalent(outputs[i], input, error)) {
            throw UsageError(command + ": " + outputs[i] + ": would overwrite the input file");
        }
        for (std::size_t j = 0; j < i; ++j) {
            if (fs::absolute(outputs[i]).lexically_normal() ==
                fs::absolute(outputs[j]).lexically_normal()) {
                throw UsageError(command + ": " + outputs[i] + ": given for two outputs");
            }
        }
    }
}

} // namespace quantscope::cli
