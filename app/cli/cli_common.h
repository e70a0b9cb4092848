#pragma once

#include "arguments.h"

#include "quantscope/granularity.h"
#include "quantscope/tensor.h"

#include <optional>
#include <string>
#include <vector>

namespace quantscope::cli {

// The tensor a command works on: `tensorName` if given, else the file's only tensor.
// `file` may be `demo:NAME`.
Tensor loadTensor(const std::string& file, const std::string& tensorName);

// --per-channel AXIS or --group-size G (at most one), parsed before any file is read.
Granularity granularityFromArguments(const Arguments& arguments);

// Refuses output paths in missing directories or that would clobber the input or each other
// (UsageError / InputError naming `command` or the path), before anything is written.
void checkOutputPaths(const std::string& command, const std::string& input,
                      const std::vector<std::string>& outputs);

// A number for text output: `precision` significant digits; "nan", "inf", "-" for absent.
std::string formatNumber(double value, int precision = 6);
std::string formatNumber(std::optional<double> value, int precision = 6);

// "a, b, c"
std::string joinNames(const std::vector<std::string>& names);

// Every scheme id and its description, one per line, for `--help`.
std::string schemeHelp();

} // namespace quantscope::cli
