#pragma once

#include <string>
#include <string_view>

namespace quantscope {

// Names taken from a file, made safe for a one-line message: control and non-ASCII bytes become
// \xNN and very long names are cut.
std::string printableName(std::string_view name);

// Throw InputError "PATH: problem" / "PATH: tensor 'NAME': problem".
[[noreturn]] void failFile(const std::string& path, const std::string& problem);
[[noreturn]] void failTensor(const std::string& path, std::string_view tensor,
                             const std::string& problem);

} // namespace quantscope
