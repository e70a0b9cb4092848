#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace quantscope::cli {

// Each command parses its own arguments (everything after the command name) and writes its
// report to `out`, which the caller prints only when the command succeeded. Errors are thrown
// as InputError (bad data, exit 1) or UsageError (bad arguments, exit 2).
void runInfo(const std::vector<std::string>& args, std::ostream& out);
void runQuantize(const std::vector<std::string>& args, std::ostream& out);
void runCompare(const std::vector<std::string>& args, std::ostream& out);
void runBench(const std::vector<std::string>& args, std::ostream& out);
void runExport(const std::vector<std::string>& args, std::ostream& out);
void runReport(const std::vector<std::string>& args, std::ostream& out);
void runLinear(const std::vector<std::string>& args, std::ostream& out);

} // namespace quantscope::cli
