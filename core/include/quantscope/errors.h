#pragma once

#include <stdexcept>
#include <string>

namespace quantscope {

// Bad input data or files: the message is one line naming the file (or tensor) and the problem.
class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Bad parameters or arguments supplied by the caller.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Long work stopped because its progress callback asked for it.
class Cancelled : public std::runtime_error {
public:
    Cancelled()
        : std::runtime_error("cancelled")
    {
    }
};

} // namespace quantscope
