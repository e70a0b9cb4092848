#pragma once

#include <map>
#include <string>
#include <vector>

namespace quantscope {

enum class ParamKind {
    Bits,   // bit width: at most 2^bits levels
    Levels, // number of levels
    Step,   // an integer step (e.g. sixteenths of an octave)
    Real,   // a real number
    Choice, // an index into `choices`
};

// One tunable parameter of a scheme; the GUI builds a slider and spin box from it.
struct ParamSpec {
    std::string name;
    ParamKind kind = ParamKind::Real;
    double minimum = 0.0;
    double maximum = 1.0;
    double defaultValue = 0.0;
    std::string help; // one line, shown as tooltip and in `--help`
    std::vector<std::string> choices;
    bool optional = false; // may be left unset ("auto"); the scheme then chooses
    // A size in the tensor's value units (a step, a clip threshold): a slider spans it
    // logarithmically over the data's magnitudes rather than the whole [minimum, maximum].
    bool valueUnits = false;
    // Parameters this one takes precedence over: while it is set they have no effect.
    std::vector<std::string> overrides;

    bool isInteger() const { return kind != ParamKind::Real; }
};

// Parameter values by name.
class Params {
public:
    Params() = default;
    Params(std::initializer_list<std::pair<const std::string, double>> values)
        : m_values(values)
    {
    }

    void set(const std::string& name, double value) { m_values[name] = value; }
    void erase(const std::string& name) { m_values.erase(name); }
    bool has(const std::string& name) const { return m_values.count(name) != 0; }
    double get(const std::string& name) const; // throws UsageError when missing
    double get(const std::string& name, double fallback) const;
    int getInt(const std::string& name) const;
    const std::map<std::string, double>& values() const { return m_values; }

private:
    std::map<std::string, double> m_values;
};

} // namespace quantscope
