#include "json_writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace quantscope::cli {

namespace {

// Length of the well-formed UTF-8 sequence starting at text[i], or 0 when it is not one
// (overlong forms, surrogates and code points above U+10FFFF are rejected, as RFC 3629 asks).
std::size_t utf8SequenceLength(std::string_view text, std::size_t i)
{
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    std::size_t length = 0;
    unsigned char low = 0x80; // bounds of the second byte
    unsigned char high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        low = lead == 0xe0 ? 0xa0 : 0x80;
        high = lead == 0xed ? 0x9f : 0xbf;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        low = lead == 0xf0 ? 0x90 : 0x80;
        high = lead == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (i + length > text.size() || byte(i + 1) < low || byte(i + 1) > high) {
        return 0;
    }
    for (std::size_t k = 2; k < length; ++k) {
        if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) {
            return 0;
        }
    }
    return length;
}

} // namespace

std::string jsonString(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x80) {
            // JSON text is UTF-8: valid sequences pass through, a stray byte (a file name in
            // another encoding) becomes U+FFFD so the document stays readable.
            const std::size_t length = utf8SequenceLength(text, i);
            if (length == 0) {
                out += "\\ufffd";
            } else {
                out.append(text.substr(i, length));
                i += length - 1;
            }
            continue;
        }
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
