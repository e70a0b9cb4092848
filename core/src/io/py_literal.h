#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace quantscope {

// A Python literal of the kind a .npy header holds: a dict of str keys whose values are str,
// int, bool, None or tuples/lists of those.
struct PyLiteral {
    enum class Kind { String, Integer, Boolean, None, Sequence, Dict };

    Kind kind = Kind::None;
    std::string text;             // String
    std::int64_t integer = 0;     // Integer
    bool boolean = false;         // Boolean
    std::vector<PyLiteral> items; // Sequence (tuple or list)
    // Dict, in source order: keys[i] maps to values[i]. (Two vectors rather than a vector of
    // pairs: a std::pair of the still-incomplete PyLiteral does not compile with clang 14.)
    std::vector<std::string> keys;
    std::vector<PyLiteral> values;

    // The value of the last entry named `key` (as Python keeps the last duplicate), or null.
    const PyLiteral* find(std::string_view key) const;
};

// Parses one literal surrounded by optional whitespace. Throws InputError with a message
// (without a path) saying what is wrong and where.
PyLiteral parsePyLiteral(std::string_view text);

} // namespace quantscope
