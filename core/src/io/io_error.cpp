#include "io/io_error.h"

namespace quantscope {

std::string printableName(std::string_view name)
{
    constexpr std::size_t kMaxShown = 200;
    std::string text;
    for (std::size_t i = 0; i < name.size() && i < kMaxShown; ++i) {
        const auto byte = static_cast<unsigned char>(name[i]);
        if (byte >= 0x20 && byte < 0x7F && byte != '\\') {
            text += static_cast<char>(byte);
        } else {
            constexpr char kHex[] = "0123456789abcdef";
            text += "\\x";
            text += kHex[byte >> 4];
            text += kHex[byte & 0xF];
        }
    }
    if (name.size() > kMaxShown) {
        text += "...";
    }
    return text;
}

void failFile(const std::string& path, const std::string& problem)
{
    throw FormatError(printableName(path) + ": " + problem, problem, false);
}

void failTensor(const std::string& path, std::string_view tensor, const std::string& problem)
{
    throw FormatError(printableName(path) + ": tensor '" + printableName(tensor) + "': " + problem,
                      problem, true);
}

} // namespace quantscope
