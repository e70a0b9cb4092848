#include "arguments.h"

#include "quantscope/errors.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace quantscope::cli {

Arguments::Arguments(std::string command, const std::vector<std::string>& args,
                     const std::vector<OptionSpec>& specs)
    : m_command(std::move(command))
{
    bool optionsEnded = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (optionsEnded || arg.size() < 2 || arg[0] != '-') {
            m_positional.push_back(arg);
            continue;
        }
        if (arg == "--") {
            optionsEnded = true;
            continue;
        }
        if (arg == "--help" || arg == "-h") {
            m_help = true;
            continue;
        }
        if (arg.rfind("--", 0) != 0) {
            throw UsageError(m_command + ": unknown option '" + arg + "'");
        }
        const auto equals = arg.find('=');
        const std::string name = arg.substr(2, equals == std::string::npos ? equals : equals - 2);
        const auto spec = std::find_if(specs.begin(), specs.end(),
                                       [&](const OptionSpec& s) { return s.name == name; });
        if (spec == specs.end()) {
            throw UsageError(m_command + ": unknown option '--" + name + "'");
        }
        if (!spec->repeatable && has(name)) {
            throw UsageError(m_command + ": option '--" + name + "' given twice");
        }
        if (!spec->takesValue) {
            if (equals != std::string::npos) {
                throw UsageError(m_command + ": option '--" + name + "' takes no value");
            }
            m_values[name];
            continue;
        }
        if (equals != std::string::npos) {
            m_values[name].push_back(arg.substr(equals + 1));
        } else if (i + 1 < args.size()) {
            m_values[name].push_back(args[++i]);
        } else {
            throw UsageError(m_command + ": option '--" + name + "' needs a value");
        }
    }
}

std::optional<std::string> Arguments::value(const std::string& name) const
{
    const auto it = m_values.find(name);
    if (it == m_values.end() || it->second.empty()) {
        return std::nullopt;
    }
    return it->second.back();
}

std::vector<std::string> Arguments::values(const std::string& name) const
{
    const auto it = m_values.find(name);
    return it == m_values.end() ? std::vector<std::string>{} : it->second;
}

void Arguments::expectPositional(std::size_t count, std::string_view what) const
{
    if (m_positional.size() < count) {
        throw UsageError(m_command + ": missing " + std::string(what));
    }
    if (m_positional.size() > count) {
        throw UsageError(m_command + ": unexpected argument '" + m_positional[count] + "'");
    }
}

void Arguments::exclusive(const std::vector<std::string>& names) const
{
    std::vector<std::string> given;
    for (const auto& name : names) {
        if (has(name)) {
            given.push_back("--" + name);
        }
    }
    if (given.size() > 1) {
        throw UsageError(m_command + ": " + given[0] + " and " + given[1] +
                         " cannot be used together");
    }
}

double parseReal(std::string_view text, std::string_view what)
{
    double result = 0.0;
    const char* end = text.data() + text.size();
    const char* begin = text.data();
    if (begin != end && *begin == '+') {
        ++begin; // from_chars rejects a leading '+', people write it
    }
    const auto [ptr, ec] = std::from_chars(begin, end, result);
    if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(result)) {
        throw UsageError("bad number for " + std::string(what) + ": '" + std::string(text) + "'");
    }
    return result;
}

std::int64_t parseInteger(std::string_view text, std::string_view what)
{
    std::int64_t result = 0;
    const char* end = text.data() + text.size();
    const char* begin = text.data();
    if (begin != end && *begin == '+') {
        ++begin;
    }
    const auto [ptr, ec] = std::from_chars(begin, end, result);
    if (text.empty() || ec != std::errc() || ptr != end) {
        throw UsageError("bad integer for " + std::string(what) + ": '" + std::string(text) + "'");
    }
    return result;
}

} // namespace quantscope::cli
