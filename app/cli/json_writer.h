#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace quantscope::cli {

// A streaming JSON writer: objects are indented one member per line, arrays of scalars stay on
// one line. Doubles are printed in their shortest round-trip form; NaN, ±inf and absent values
// become null, so the output is always valid JSON.
class JsonWriter {
public:
    explicit JsonWriter(std::ostream& out)
        : m_out(out)
    {
    }

    JsonWriter(const JsonWriter&) = delete;
    JsonWriter& operator=(const JsonWriter&) = delete;

    void beginObject();
    void endObject();
    void beginArray();
    void endArray();
    void key(std::string_view name);

    void value(std::string_view text);
    void value(const char* text) { value(std::string_view(text)); }
    void value(const std::string& text) { value(std::string_view(text)); }
    void value(double number);
    void value(std::optional<double> number);
    void value(std::int64_t number);
    void value(int number) { value(static_cast<std::int64_t>(number)); }
    void value(bool flag);
    void null();
    void value(std::span<const double> numbers);
    void value(std::span<const std::int64_t> numbers);
    void value(std::span<const std::optional<double>> numbers);

    // key + value in one call.
    template <typename T> void member(std::string_view name, const T& v)
    {
        key(name);
        value(v);
    }

private:
    struct Level {
        bool isObject = false;
        bool empty = true;
        bool multiline = true;
    };
    void beforeValue();
    // An array of scalars, written on one line.
    template <typename Range> void inlineArray(const Range& numbers)
    {
        beforeValue();
        m_out << '[';
        m_stack.push_back({false, true, false});
        for (const auto& number : numbers) {
            value(number);
        }
        close(']');
    }
    void newline();
    void close(char bracket);

    std::ostream& m_out;
    std::vector<Level> m_stack;
    bool m_afterKey = false;
};

// A JSON string literal (quoted and escaped).
std::string jsonString(std::string_view text);
// The shortest decimal form that reads back as the same double; "null" when not finite.
std::string jsonNumber(double number);

} // namespace quantscope::cli
