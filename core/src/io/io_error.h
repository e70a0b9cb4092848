#pragma once

#include "quantscope/errors.h"

#include <string>
#include <string_view>

namespace quantscope {

// Names taken from a file, made safe for a one-line message: control and non-ASCII bytes become
// \xNN and very long names are cut.
std::string printableName(std::string_view name);

// What the readers throw: an InputError whose message names the file (and tensor), keeping the
// bare problem too, so that a reader can list a bad tensor as skipped with that reason.
class FormatError : public InputError {
public:
    FormatError(const std::string& message, std::string problem, bool aboutTensor)
        : InputError(message)
        , m_problem(std::move(problem))
        , m_aboutTensor(aboutTensor)
    {
    }
    const std::string& problem() const { return m_problem; }
    // True for one tensor's problem (failTensor), false for the container's (failFile).
    bool aboutTensor() const { return m_aboutTensor; }

private:
    std::string m_problem;
    bool m_aboutTensor;
};

// Throw FormatError "PATH: problem" / "PATH: tensor 'NAME': problem".
[[noreturn]] void failFile(const std::string& path, const std::string& problem);
[[noreturn]] void failTensor(const std::string& path, std::string_view tensor,
                             const std::string& problem);

} // namespace quantscope
