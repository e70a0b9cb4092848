#include "quantscope/schemes/log_quant.h"

#include "quantscope/scheme.h"
#include "schemes/scheme_factories.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace quantscope {
namespace {

constexpr int kBinsPerOctave = 16;
constexpr int kBinCount = 1024;
constexpr int kInitialOffset = -640;                         // the histogram covers 2^-40 … 2^24
constexpr int kTopExponent = kInitialOffset + kBinCount - 1; // the top bin holds all above
constexpr int kGridFirstMin = 40; // the original's lowest fsr (narrowed bins)
constexpr int kMaxHalfStep = 16;
constexpr int kFallbackStep = 16;                              // one octave
constexpr double kFloatExponentLimit = 128.0 * kBinsPerOctave; // 2^128 > FLT_MAX

// log2(x)·16 >= e: for whole e exactly the bin membership floor(log2(x)·16) >= e of the original
// (scaling by 16 is exact in double).
bool reachesExponent(float x, double e)
{
    return x > 0.0f && std::log2(static_cast<double>(x)) * kBinsPerOctave >= e;
}

// The smallest float32 whose exponent reaches e.
double exponentThreshold(double e)
{
    return exactThreshold(std::exp2(e / kBinsPerOctave),
                          [e](float x) { return reachesExponent(x, e); });
}

int binOf(float magnitude)
{
    const double exponent = std::floor(std::log2(static_cast<double>(magnitude)) * kBinsPerOctave);
    return static_cast<int>(std::clamp(exponent - kInitialOffset, 0.0, kBinCount - 1.0));
}

// The values the histogram counts: x > 0, or |x| != 0 in sign + magnitude mode.
class Magnitudes {
public:
    Magnitudes(const Distribution& dist, bool signMagnitude)
        : m_dist(dist)
        , m_signMagnitude(signMagnitude)
        , m_firstPositive(dist.upperIndex(0.0))
        , m_zeroBegin(dist.lowerIndex(0.0))
    {
        const auto sorted = dist.sorted();
        const std::int64_t positives = dist.count() - m_firstPositive;
        const std::int64_t negatives = signMagnitude ? m_zeroBegin : 0;
        m_total = positives + negatives;
        if (m_total == 0) {
            return;
        }
        m_min = std::numeric_limits<float>::max();
        m_max = 0.0f;
        if (positives > 0) {
            m_min = sorted[m_firstPositive];
            m_max = sorted.back();
        }
        if (negatives > 0) {
            m_min = std::min(m_min, -sorted[m_zeroBegin - 1]);
            m_max = std::max(m_max, -sorted.front());
        }
    }

    std::int64_t total() const { return m_total; }
    float min() const { return m_min; } // precondition: total() > 0
    float max() const { return m_max; }

    // Counted values with magnitude < t, for t > 0.
    std::int64_t below(double t) const
    {
        if (!m_signMagnitude) {
            return m_dist.lowerIndex(t) - m_firstPositive;
        }
        const std::int64_t zeros = m_firstPositive - m_zeroBegin;
        return m_dist.lowerIndex(t) - m_dist.upperIndex(-t) - zeros;
    }

private:
    const Distribution& m_dist;
    bool m_signMagnitude;
    std::int64_t m_firstPositive;
    std::int64_t m_zeroBegin;
    std::int64_t m_total = 0;
    float m_min = 0.0f;
    float m_max = 0.0f;
};

// The cumulative log histogram: how many counted values have a (clamped) exponent below e, for e
// a multiple of 1/2 (halves only when an odd step needs them). Only the occupied bins are built,
// each by one exact threshold and one binary search.
class LogCounts {
public:
    LogCounts(const Magnitudes& magnitudes, bool halfExponents)
        : m_total(magnitudes.total())
    {
        const int firstBin = binOf(magnitudes.min());
        const int lastBin = binOf(magnitudes.max());
        m_base = kInitialOffset + firstBin;
        m_width = lastBin - firstBin + 1;
        m_below.assign(2 * static_cast<std::size_t>(m_width) + 1, m_total);
        m_below.front() = 0;
        for (int j = 1; j < 2 * m_width; ++j) {
            if (j % 2 != 0 && !halfExponents) {
                continue;
            }
            const double e = m_base + 0.5 * j;
            m_below[j] = e > kTopExponent ? m_total : magnitudes.below(exponentThreshold(e));
        }
    }

    std::int64_t total() const { return m_total; }
    // Bins of the original after narrowing: bin 0 is the empty bin just below the data.
    int narrowedLength() const { return m_width + 1; }
    int narrowedOffset() const { return m_base - 1; }

    std::int64_t below(double e) const
    {
        if (e <= m_base) {
            return 0;
        }
        if (e > kTopExponent || e >= m_base + m_width) {
            return m_total;
        }
        return m_below[static_cast<std::size_t>((e - m_base) * 2.0)];
    }

private:
    std::int64_t m_total;
    int m_base = 0;
    int m_width = 0;
    std::vector<std::int64_t> m_below; // index j: exponent m_base + j/2
};

// E = −Σ_i r_i · p_i · ln p_i over the nonzero levels (p_i > 0 only).
double weightedEntropy(const LogCounts& counts, int levels, int first, int step)
{
    const double half = 0.5 * step;
    const double total = static_cast<double>(counts.total());
    double entropy = 0.0;
    for (int i = 1; i < levels; ++i) {
        const std::int64_t from = counts.below(first + (2 * i - 3) * half);
        if (from == counts.total()) {
            break; // this level and all above are empty
        }
        const std::int64_t to =
            i == levels - 1 ? counts.total() : counts.below(first + (2 * i - 1) * half);
        if (to > from) {
            const double p = static_cast<double>(to - from) / total;
            const double level = std::exp2((first + (i - 1) * step) / double(kBinsPerOctave));
            entropy -= level * p * std::log(p);
        }
    }
    return entropy;
}

} // namespace

LogQuantGrid searchLogQuantGrid(const Distribution& dist, int magnitudeLevels,
                                std::optional<int> fixedStep, bool signMagnitude)
{
    LogQuantGrid grid;
    grid.signMagnitude = signMagnitude;
    grid.magnitudeLevels = std::max(2, magnitudeLevels);
    const Magnitudes magnitudes(dist, signMagnitude);
    if (magnitudes.total() == 0) {
        grid.magnitudeLevels = 1;
        return grid;
    }
    const int levels = grid.magnitudeLevels;
    const bool oddStep = fixedStep && *fixedStep % 2 != 0;
    const LogCounts counts(magnitudes, oddStep);
    const int length = counts.narrowedLength();
    const int offset = counts.narrowedOffset();

    std::vector<int> steps;
    if (fixedStep) {
        steps.push_back(std::max(1, *fixedStep));
    } else {
        for (int half = 1; half <= kMaxHalfStep; ++half) {
            steps.push_back(2 * half);
        }
    }

    // The first maximum with E > 0, as the original (which starts from max_ent = 0).
    bool found = false;
    auto consider = [&](int fsr, int step) {
        const double entropy = weightedEntropy(counts, levels, fsr + offset, step);
        if (entropy > grid.weightedEntropy) {
            found = true;
            grid.weightedEntropy = entropy;
            grid.firstExponent = fsr + offset;
            grid.step = step;
        }
    };
    for (int step : steps) {
        // The top level's lower boundary fsr + (step/2)·(2L − 5) must stay inside the data.
        const int fsrMax = static_cast<int>(std::floor(length - 1 - 0.5 * step * (2 * levels - 5)));
        for (int fsr = kGridFirstMin; fsr <= fsrMax; ++fsr) {
            consider(fsr, step);
        }
    }
    if (!found) {
        for (int step : steps) {
            for (int fsr = 1; fsr < length; ++fsr) {
                consider(fsr, step);
            }
        }
    }
    if (!found) {
        const double centre = 0.5 * (std::log2(static_cast<double>(magnitudes.min())) +
                                     std::log2(static_cast<double>(magnitudes.max())));
        grid.firstExponent = static_cast<int>(std::lround(centre * kBinsPerOctave));
        grid.step = fixedStep ? std::max(1, *fixedStep) : kFallbackStep;
        grid.weightedEntropy = weightedEntropy(counts, levels, grid.firstExponent, grid.step);
    }
    return grid;
}

Codebook logQuantCodebook(const LogQuantGrid& grid)
{
    std::vector<double> magnitudes;
    std::vector<double> boundaries;
    for (int j = 0; j + 1 < grid.magnitudeLevels; ++j) {
        const double lowerExponent = grid.firstExponent + (j - 0.5) * grid.step;
        if (lowerExponent >= kFloatExponentLimit) {
            break;
        }
        const double threshold = exponentThreshold(lowerExponent);
        if (!reachesExponent(static_cast<float>(threshold), lowerExponent)) {
            break; // no float32 value reaches this level
        }
        if (!boundaries.empty() && threshold <= boundaries.back()) {
            // Two boundaries on the same float (deep in the subnormals): the lower level is
            // unreachable.
            magnitudes.pop_back();
            boundaries.pop_back();
        }
        magnitudes.push_back(
            std::exp2((grid.firstExponent + j * grid.step) / double(kBinsPerOctave)));
        boundaries.push_back(threshold);
    }

    std::vector<double> levels;
    std::vector<double> thresholds;
    if (grid.signMagnitude) {
        // x maps to −r_j when x <= −t_j, so the smallest value of the level above is next(−t_j).
        for (std::size_t j = magnitudes.size(); j-- > 0;) {
            levels.push_back(-magnitudes[j]);
            thresholds.push_back(std::nextafter(-static_cast<float>(boundaries[j]),
                                                std::numeric_limits<float>::infinity()));
        }
    }
    levels.push_back(0.0);
    levels.insert(levels.end(), magnitudes.begin(), magnitudes.end());
    thresholds.insert(thresholds.end(), boundaries.begin(), boundaries.end());

    Codebook codebook = makeCodebook(std::move(levels), std::move(thresholds));
    codebook.weightedEntropy = grid.weightedEntropy;
    return codebook;
}

namespace {

class WeqLogScheme final : public Scheme {
public:
    std::string id() const override { return "weq-log"; }
    std::string displayName() const override { return "Log-domain activations (Park 2017)"; }
    std::string description() const override
    {
        return "Levels 2^((first + i·step)/16) plus 0, first level and step chosen by maximizing "
               "the weighted entropy of the log histogram";
    }
    std::vector<ParamSpec> paramSpecs() const override
    {
        return {
            {"levels", ParamKind::Levels, 2, 256, 16,
             "Levels including the zero level (sign + magnitude: of the whole signed codebook)"},
            {"step",
             ParamKind::Step,
             2,
             32,
             8,
             "Level spacing in sixteenths of an octave (odd: boundaries on half sixteenths); "
             "unset: searched over the even steps 2 … 32",
             {},
             true},
            {"signed",
             ParamKind::Choice,
             0,
             1,
             0,
             "Negative values: 0 as after ReLU, or a sign bit with |x| quantized; unset: sign + "
             "magnitude when the tensor has negative values",
             {"relu: x <= 0 -> 0", "sign + magnitude"},
             true},
        };
    }

    // The levels follow from the first exponent and the step, sixteenths of an octave: 16 bits.
    double codebookSideBits(const Codebook&) const override { return 16.0; }

protected:
    Codebook designResolved(const Distribution& dist, const Params& params) const override
    {
        const int levels = params.getInt("levels");
        const bool signMagnitude =
            params.has("signed") ? params.getInt("signed") == 1 : dist.min() < 0.0f;
        // The sign bit halves the magnitude levels: b bits give 2^(b−1) magnitudes (zero among
        // them), 2^b − 1 signed levels. At least one nonzero magnitude is kept.
        const int magnitudeLevels = signMagnitude ? std::max(2, (levels + 1) / 2) : levels;
        std::optional<int> step;
        if (params.has("step")) {
            step = params.getInt("step");
        }
        return logQuantCodebook(searchLogQuantGrid(dist, magnitudeLevels, step, signMagnitude));
    }
};

} // namespace

std::unique_ptr<Scheme> makeWeqLogScheme()
{
    return std::make_unique<WeqLogScheme>();
}

} // namespace quantscope
