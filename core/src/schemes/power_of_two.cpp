#include "quantscope/scheme.h"
#include "schemes/level_codebook.h"
#include "schemes/scheme_factories.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace quantscope {
namespace {

// Powers of two float32 can hold, subnormals included.
constexpr int kSmallestExponent = -149;
constexpr int kLargestExponent = 127;

enum Rounding { Geometric = 0, Arithmetic = 1 };

// Where |x| moves from 2^j up to 2^(j+1).
double boundaryAbove(int j, Rounding rounding)
{
    return rounding == Geometric ? std::ldexp(std::numbers::sqrt2, j) : std::ldexp(1.5, j);
}

// The exponent max|x| itself rounds to: the largest level is what the largest value becomes
// unclipped, so no value is clipped further than its own rounding.
int topExponent(double maxAbs, Rounding rounding)
{
    int exponent = 0;
    std::frexp(maxAbs, &exponent); // maxAbs = f·2^exponent, f in [0.5, 1)
    int j = exponent - 1;          // 2^j <= maxAbs < 2^(j+1)
    if (maxAbs >= boundaryAbove(j, rounding)) {
        ++j;
    }
    return std::clamp(j, kSmallestExponent, kLargestExponent);
}

class PowerOfTwoScheme final : public Scheme {
public:
    std::string id() const override { return "power-of-two"; }
    std::string displayName() const override { return "Power of two (log weights)"; }
    std::string description() const override
    {
        return "Sign + magnitude levels 2^(e−k), k = 0 … 2^(b−1) − 2, plus 0, with "
               "2^e = max|x| rounded to a power of two; shift-only multiplies";
    }
    std::vector<ParamSpec> paramSpecs() const override
    {
        return {
            {"bits", ParamKind::Bits, 2, 8, 4, "Bit width: 2^(b−1) − 1 magnitudes, sign, zero"},
            {"rounding",
             ParamKind::Choice,
             0,
             1,
             Geometric,
             "Between 2^j and 2^(j+1): at the geometric midpoint √2·2^j (round(log2|x|), "
             "LogQuant's rule) or the arithmetic one 1.5·2^j (nearest value, lower MSE)",
             {"geometric: round log2|x|", "arithmetic: nearest value"}},
        };
    }

    // The levels follow from one power-of-two exponent (8 bits, as E8M0).
    double codebookSideBits(const Codebook&) const override { return 8.0; }

protected:
    Codebook designResolved(const Distribution& dist, const Params& params) const override
    {
        const double maxAbs = dist.maxAbs();
        if (!(maxAbs > 0.0)) {
            return makeCodebook({0.0}, {});
        }
        const auto rounding = static_cast<Rounding>(params.getInt("rounding"));
        const int top = topExponent(maxAbs, rounding);
        const int magnitudes = (1 << (params.getInt("bits") - 1)) - 1;
        const int bottom = std::max(kSmallestExponent, top - (magnitudes - 1));

        // Magnitude boundaries ascending: half the smallest level (below it: 0), then between
        // neighbouring powers.
        std::vector<double> positiveLevels;
        std::vector<double> positiveBoundaries = {std::ldexp(1.0, bottom - 1)};
        for (int j = bottom; j <= top; ++j) {
            positiveLevels.push_back(std::ldexp(1.0, j));
            if (j < top) {
                positiveBoundaries.push_back(boundaryAbove(j, rounding));
            }
        }
        std::vector<double> levels;
        std::vector<double> boundaries;
        for (auto it = positiveLevels.rbegin(); it != positiveLevels.rend(); ++it) {
            levels.push_back(-*it);
        }
        for (auto it = positiveBoundaries.rbegin(); it != positiveBoundaries.rend(); ++it) {
            boundaries.push_back(-*it);
        }
        levels.push_back(0.0);
        levels.insert(levels.end(), positiveLevels.begin(), positiveLevels.end());
        boundaries.insert(boundaries.end(), positiveBoundaries.begin(), positiveBoundaries.end());
        return boundaryCodebook(std::move(levels), boundaries, TieRule::AwayFromZero);
    }
};

} // namespace

std::unique_ptr<Scheme> makePowerOfTwoScheme()
{
    return std::make_unique<PowerOfTwoScheme>();
}

} // namespace quantscope
