#include "io/py_literal.h"

#include "quantscope/errors.h"

#include <limits>

namespace quantscope {

namespace {

// Deep enough for any real header, shallow enough that hostile input cannot exhaust the stack.
constexpr int kMaxNesting = 32;

class LiteralParser {
public:
    explicit LiteralParser(std::string_view text)
        : m_text(text)
    {
    }

    PyLiteral parseAll()
    {
        PyLiteral value = parseValue(0);
        skipSpace();
        if (m_pos != m_text.size())
            fail("unexpected text after the literal");
        return value;
    }

private:
    [[noreturn]] void fail(const std::string& problem) const
    {
        throw InputError(problem + " at offset " + std::to_string(m_pos));
    }

    void skipSpace()
    {
        while (m_pos < m_text.size() &&
               (m_text[m_pos] == ' ' || m_text[m_pos] == '\t' || m_text[m_pos] == '\n' ||
                m_text[m_pos] == '\r' || m_text[m_pos] == '\f' || m_text[m_pos] == '\v'))
            ++m_pos;
    }

    char peek()
    {
        skipSpace();
        if (m_pos == m_text.size())
            fail("unexpected end of header");
        return m_text[m_pos];
    }

    void expect(char c)
    {
        if (peek() != c)
            fail(std::string("expected '") + c + "'");
        ++m_pos;
    }

    PyLiteral parseValue(int depth)
    {
        if (depth > kMaxNesting)
            fail("nesting too deep");
        const char c = peek();
        if (c == '\'' || c == '"') {
            PyLiteral value;
            value.kind = PyLiteral::Kind::String;
            value.text = parseString();
            return value;
        }
        if (c == '(' || c == '[')
            return parseSequence(c == '(' ? ')' : ']', depth);
        if (c == '{')
            return parseDict(depth);
        if (c == '-' || c == '+' || (c >= '0' && c <= '9'))
            return parseInteger();
        return parseKeyword();
    }

    std::string parseString()
    {
        const char quote = m_text[m_pos++];
        std::string text;
        while (m_pos < m_text.size() && m_text[m_pos] != quote) {
            if (m_text[m_pos] == '\\' && m_pos + 1 < m_text.size())
                ++m_pos; // an escaped character stands for itself; .npy headers need no more
            text += m_text[m_pos++];
        }
        if (m_pos == m_text.size())
            fail("unterminated string");
        ++m_pos;
        return text;
    }

    PyLiteral parseInteger()
    {
        bool negative = false;
        if (m_text[m_pos] == '-' || m_text[m_pos] == '+')
            negative = m_text[m_pos++] == '-';
        if (m_pos == m_text.size() || m_text[m_pos] < '0' || m_text[m_pos] > '9')
            fail("expected a digit");
        // Accumulate negatively so that INT64_MIN is representable.
        std::int64_t value = 0;
        constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
        while (m_pos < m_text.size() && m_text[m_pos] >= '0' && m_text[m_pos] <= '9') {
            const int digit = m_text[m_pos++] - '0';
            if (value < (kMin + digit) / 10)
                fail("integer too large");
            value = value * 10 - digit;
        }
        if (!negative && value == kMin)
            fail("integer too large");
        // Python 2 wrote long integers with an L suffix, e.g. (3L, 4L).
        if (m_pos < m_text.size() && (m_text[m_pos] == 'L' || m_text[m_pos] == 'l'))
            ++m_pos;
        PyLiteral literal;
        literal.kind = PyLiteral::Kind::Integer;
        literal.integer = negative ? value : -value;
        return literal;
    }

    PyLiteral parseKeyword()
    {
        const std::size_t start = m_pos;
        while (m_pos < m_text.size() &&
               ((m_text[m_pos] >= 'A' && m_text[m_pos] <= 'Z') ||
                (m_text[m_pos] >= 'a' && m_text[m_pos] <= 'z') || m_text[m_pos] == '_'))
            ++m_pos;
        const std::string_view word = m_text.substr(start, m_pos - start);
        PyLiteral literal;
        if (word == "True" || word == "False") {
            literal.kind = PyLiteral::Kind::Boolean;
            literal.boolean = word == "True";
        } else if (word == "None") {
            literal.kind = PyLiteral::Kind::None;
        } else {
            m_pos = start;
            fail("unexpected character '" + std::string(1, m_text[start]) + "'");
        }
        return literal;
    }

    // Tuples and lists alike; a trailing comma is allowed, as in (3,) and (2, 3,).
    PyLiteral parseSequence(char close, int depth)
    {
        ++m_pos;
        PyLiteral literal;
        literal.kind = PyLiteral::Kind::Sequence;
        while (peek() != close) {
            literal.items.push_back(parseValue(depth + 1));
            if (peek() == ',')
                ++m_pos;
            else if (peek() != close)
                fail(std::string("expected ',' or '") + close + "'");
        }
        ++m_pos;
        return literal;
    }

    PyLiteral parseDict(int depth)
    {
        ++m_pos;
        PyLiteral literal;
        literal.kind = PyLiteral::Kind::Dict;
        while (peek() != '}') {
            if (peek() != '\'' && peek() != '"')
                fail("expected a string key");
            literal.keys.push_back(parseString());
            expect(':');
            literal.values.push_back(parseValue(depth + 1));
            if (peek() == ',')
                ++m_pos;
            else if (peek() != '}')
                fail("expected ',' or '}'");
        }
        ++m_pos;
        return literal;
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
};

} // namespace

const PyLiteral* PyLiteral::find(std::string_view key) const
{
    for (std::size_t i = keys.size(); i-- > 0;) {
        if (keys[i] == key)
            return &values[i];
    }
    return nullptr;
}

PyLiteral parsePyLiteral(std::string_view text)
{
    return LiteralParser(text).parseAll();
}

} // namespace quantscope
