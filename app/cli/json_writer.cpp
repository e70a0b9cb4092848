#include "json_writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace quantscope::cli {

std::string jsonString(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        default:
            if (byte < 0x20 || byte == 0x7f) {
                char escaped[8];
                std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
                out += escaped;
            } else {
                // UTF-8 bytes pass through unchanged: JSON text is UTF-8.
                out += c;
            }
        }
    }
    out += '"';
    return out;
}

std::string jsonNumber(double number)
{
    if (!std::isfinite(number)) {
        return "null";
    }
    if (number == 0.0) {
        return "0"; // also for -0.0, which some JSON readers reject or print oddly
    }
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, number);
    return std::string(buffer, result.ptr);
}

void JsonWriter::newline()
{
    m_out << '\n';
    for (std::size_t i = 0; i < m_stack.size(); ++i) {
        m_out << "  ";
    }
}

void JsonWriter::beforeValue()
{
    if (m_afterKey) {
        m_afterKey = false;
        return;
    }
    if (m_stack.empty()) {
        return;
    }
    Level& level = m_stack.back();
    if (!level.empty) {
        m_out << ',';
        if (!level.multiline) {
            m_out << ' ';
        }
    }
    level.empty = false;
    if (level.multiline) {
        newline();
    }
}

void JsonWriter::close(char bracket)
{
    const Level level = m_stack.back();
    m_stack.pop_back();
    if (level.multiline && !level.empty) {
        newline();
    }
    m_out << bracket;
    if (m_stack.empty()) {
        m_out << '\n'; // the document is complete
    }
}

void JsonWriter::beginObject()
{
    beforeValue();
    m_out << '{';
    m_stack.push_back({true, true, true});
}

void JsonWriter::endObject()
{
    close('}');
}

void JsonWriter::beginArray()
{
    beforeValue();
    m_out << '[';
    m_stack.push_back({false, true, true});
}

void JsonWriter::endArray()
{
    close(']');
}

void JsonWriter::key(std::string_view name)
{
    beforeValue();
    m_out << jsonString(name) << ": ";
    m_afterKey = true;
}

void JsonWriter::value(std::string_view text)
{
    beforeValue();
    m_out << jsonString(text);
}

void JsonWriter::value(double number)
{
    beforeValue();
    m_out << jsonNumber(number);
}

void JsonWriter::value(std::optional<double> number)
{
    if (number) {
        value(*number);
    } else {
        null();
    }
}

void JsonWriter::value(std::int64_t number)
{
    beforeValue();
    m_out << number;
}

void JsonWriter::value(bool flag)
{
    beforeValue();
    m_out << (flag ? "true" : "false");
}

void JsonWriter::null()
{
    beforeValue();
    m_out << "null";
}

void JsonWriter::value(std::span<const double> numbers)
{
    inlineArray(numbers);
}

void JsonWriter::value(std::span<const std::int64_t> numbers)
{
    inlineArray(numbers);
}

void JsonWriter::value(std::span<const std::optional<double>> numbers)
{
    inlineArray(numbers);
}

} // namespace quantscope::cli
