#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace quantscope::cli {

// One option a command accepts, spelled `--name` (with `--name VALUE` or `--name=VALUE` when it
// takes a value).
struct OptionSpec {
    std::string name;
    bool takesValue = false;
    bool repeatable = false;
};

// The arguments of one command: options by name and the positional arguments in order.
// Unknown options, missing values and repeated single options are UsageErrors; `--help` and `-h`
// are always accepted; `--` ends the options.
class Arguments {
public:
    Arguments(std::string command, const std::vector<std::string>& args,
              const std::vector<OptionSpec>& specs);

    bool helpRequested() const { return m_help; }
    bool has(const std::string& name) const { return m_values.count(name) != 0; }
    // The value of a single option, or nothing when it was not given.
    std::optional<std::string> value(const std::string& name) const;
    // Every value of a repeatable option, in order.
    std::vector<std::string> values(const std::string& name) const;
    const std::vector<std::string>& positional() const { return m_positional; }

    // Exactly `count` positional arguments, else a UsageError naming `what` they are.
    void expectPositional(std::size_t count, std::string_view what) const;
    // At most one of the named options, else a UsageError.
    void exclusive(const std::vector<std::string>& names) const;

private:
    std::string m_command;
    std::map<std::string, std::vector<std::string>> m_values;
    std::vector<std::string> m_positional;
    bool m_help = false;
};

// Numbers from the command line; a UsageError names `what` (e.g. "--bits") and the bad text.
double parseReal(std::string_view text, std::string_view what);
std::int64_t parseInteger(std::string_view text, std::string_view what);

} // namespace quantscope::cli
