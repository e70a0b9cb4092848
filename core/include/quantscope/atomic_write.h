#pragma once

#include <string>
#include <string_view>

namespace quantscope {

// Writes `contents` to `path` atomically: readers see the old file or the complete new one, and
// a failure leaves nothing behind. Throws InputError "PATH: cannot write (reason)".
void writeFileAtomically(const std::string& path, std::string_view contents);

} // namespace quantscope
