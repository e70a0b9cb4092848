// Lesson 5: log-domain activation quantization (Park, Ahn, Yoo, CVPR 2017): the log histogram,
// the first level and the step, against uniform levels, and the sign bit for signed tensors.
#include "lesson_catalogue.h"

#include <cmath>

namespace quantscope {
namespace {

constexpr int kLevels = 16;
constexpr double kSixteenths = 16.0;

// The values that are positive but map to the level 0, as a fraction of all values.
double zeroedPositiveFraction(const Distribution& dist, const Codebook& codebook)
{
    const int zero = codebook.levelIndex(0.0);
    if (codebook.levels[zero] != 0.0 || zero >= int(codebook.thresholds.size())) {
        return 0.0;
    }
    const std::int64_t positive = dist.upperIndex(0.0);
    const std::int64_t firstAbove = dist.lowerIndex(codebook.thresholds[zero]);
    return double(std::max<std::int64_t>(0, firstAbove - positive)) / double(dist.count());
}

LessonStep octavesStep()
{
    LessonStep step;
    step.title = QObject::tr("Activations span many octaves");
    step.setup.tensor = demoLessonTensor(QStringLiteral("relu"));
    step.setup.scheme = QStringLiteral("weq-log");
    step.setup.params = {{"levels", kLevels}};
    step.setup.emphasis = {views::kTeaching, views::kHistogram};
    step.text = QObject::tr(
        "<p>ReLU activations: {zeros} are exactly 0, and the rest spread from {minpos} to {max} "
        "— <b>{octaves} octaves</b>. Uniform levels fine enough for the small values would need "
        "thousands of levels; the paper's activation layer spaces its levels by a constant ratio "
        "instead.</p>"
        "<p>The teaching panel shows the <b>log histogram</b> the search works on: the positive "
        "values counted in bins of 1/16 octave (bin ⌊16·log<sub>2</sub> x⌋, the grid of the "
        "original code), with the levels marked.</p>");
    step.facts = [](const LessonContext& ctx) {
        const Distribution& dist = *ctx.dist;
        LessonFacts facts{percentFact(QStringLiteral("zeros"), zeroFraction(dist)),
                          numberFact(QStringLiteral("max"), dist.max())};
        const std::int64_t firstPositive = dist.upperIndex(0.0);
        if (firstPositive < dist.count()) {
            const double minPositive = dist.sorted()[firstPositive];
            facts.push_back(numberFact(QStringLiteral("minpos"), minPositive));
            facts.push_back(
                numberFact(QStringLiteral("octaves"), std::log2(double(dist.max()) / minPositive)));
        }
        return facts;
    };
    return step;
}

// The grid read off the live codebook: first level, step, ratio, top level, E.
LessonFacts gridFacts(const LessonContext& ctx)
{
    const QuantResult log = ctx.live("weq-log");
    LessonFacts facts;
    addMetricFacts(facts, QStringLiteral("log"), log);
    if (!log.valid()) {
        return facts;
    }
    std::vector<double> positive;
    for (double level : log.codebook.levels) {
        if (level > 0.0) {
            positive.push_back(level);
        }
    }
    if (positive.size() >= 2) {
        const double first = std::round(kSixteenths * std::log2(positive[0]));
        const double step = std::round(kSixteenths * std::log2(positive[1] / positive[0]));
        facts.push_back(integerFact(QStringLiteral("first"), first));
        facts.push_back(numberFact(QStringLiteral("firstv"), positive[0]));
        facts.push_back(integerFact(QStringLiteral("step"), step));
        facts.push_back(numberFact(QStringLiteral("ratio"), std::exp2(step / kSixteenths)));
        facts.push_back(numberFact(QStringLiteral("top"), positive.back()));
        facts.push_back(
            numberFact(QStringLiteral("lowest"), std::exp2((first - 0.5 * step) / kSixteenths)));
        // Rounding in the log domain: at most half a step, a factor 2^(step/32).
        facts.push_back(
            percentFact(QStringLiteral("relerr"), std::exp2(step / (2.0 * kSixteenths)) - 1.0));
    }
    if (log.codebook.weightedEntropy) {
        facts.push_back(numberFact(QStringLiteral("E"), *log.codebook.weightedEntropy));
    }
    facts.push_back(
        percentFact(QStringLiteral("zeroed"), zeroedPositiveFraction(*ctx.dist, log.codebook)));
    return facts;
}

LessonStep gridStep()
{
    LessonStep step;
    step.title = QObject::tr("The first level and the step");
    step.setup.tensor = demoLessonTensor(QStringLiteral("relu"));
    step.setup.scheme = QStringLiteral("weq-log");
    step.setup.params = {{"levels", kLevels}};
    step.setup.emphasis = {views::kTeaching, views::param(QStringLiteral("step"))};
    step.text = QObject::tr(
        "<p>The levels are 0 and 2<sup>(first + i·step)/16</sup>. The search tries every step "
        "from 2 to 32 sixteenths of an octave with every first level, and keeps the grid of the "
        "largest weighted entropy E = −Σ<sub>i</sub> level<sub>i</sub>·p<sub>i</sub>·ln "
        "p<sub>i</sub> (here {E}): first level 2<sup>{first}/16</sup> = <b>{firstv}</b>, step "
        "<b>{step}/16</b> octave, so each level is ×{ratio} the one below, up to {top}.</p>"
        "<p>Positive values below the first boundary {lowest} fall to 0: {zeroed} of all values. "
        "Untick the step's <i>auto</i> to set it yourself; the search then picks only the first "
        "level.</p>");
    step.facts = gridFacts;
    return step;
}

LessonStep againstUniformStep()
{
    LessonStep step;
    step.title = QObject::tr("Relative precision against uniform levels");
    step.setup.tensor = demoLessonTensor(QStringLiteral("relu"));
    step.setup.scheme = QStringLiteral("weq-log");
    step.setup.params = {{"levels", kLevels}};
    step.setup.compare = QStringLiteral("asymmetric");
    step.setup.emphasis = {views::kHistogram, views::kComparison};
    step.text = QObject::tr(
        "<p>Every positive value above the first boundary lands within a factor "
        "2<sup>step/32</sup> of its level: a relative error of at most {relerr}, however small the "
        "activation. Asymmetric levels (purple) are {asymstep} apart: the {asymzeroed} of values "
        "below {asymhalf} become 0, a relative error of 100%.</p>"
        "<p>SQNR, which weighs the large values most, says {log.sqnr} dB for the log grid and "
        "{asym.sqnr} dB for asymmetric at {bits} bits.</p>");
    step.facts = [](const LessonContext& ctx) {
        LessonFacts facts = gridFacts(ctx);
        const int bits = bitsOf(ctx.paramsFor("weq-log"));
        const QuantResult asym = ctx.live("asymmetric", bits);
        facts.push_back(integerFact(QStringLiteral("bits"), bits));
        addMetricFacts(facts, QStringLiteral("asym"), asym);
        if (asym.valid() && asym.codebook.linear) {
            facts.push_back(numberFact(QStringLiteral("asymstep"), asym.codebook.linear->scale));
            facts.push_back(
                numberFact(QStringLiteral("asymhalf"), 0.5 * asym.codebook.linear->scale));
            facts.push_back(percentFact(QStringLiteral("asymzeroed"),
                                        zeroedPositiveFraction(*ctx.dist, asym.codebook)));
        }
        return facts;
    };
    return step;
}

LessonStep signStep()
{
    LessonStep step;
    step.title = QObject::tr("A sign bit for signed tensors");
    step.setup.tensor = demoLessonTensor(QStringLiteral("gaussian"));
    step.setup.scheme = QStringLiteral("weq-log");
    step.setup.params = {{"levels", kLevels}};
    step.setup.emphasis = {views::param(QStringLiteral("signed")), views::kHistogram};
    step.text = QObject::tr(
        "<p>These weights have negative values. {mode} SQNR <b>{log.sqnr} dB</b>; with a sign "
        "bit {signed.sqnr} dB, in the ReLU mode, where every negative weight becomes 0, "
        "{relu.sqnr} dB. The <i>signed</i> control overrides the automatic choice.</p>");
    step.facts = [](const LessonContext& ctx) {
        const Params params = ctx.paramsFor("weq-log");
        const QuantResult log = ctx.live("weq-log");
        Params relu = params;
        relu.set("signed", 0);
        Params sign = params;
        sign.set("signed", 1);
        const int codes = int(std::lround(params.get("levels", kLevels)));
        QString mode;
        if (params.has("signed") && params.getInt("signed") == 0) {
            mode = QObject::tr("You chose the ReLU mode: no bit goes to the sign.");
        } else {
            mode = QObject::tr("The scheme spends one bit on the sign (%1): %2 codes become %3 "
                               "magnitudes (0 among them), mirrored into %4 levels.")
                       .arg(params.has("signed") ? QObject::tr("set by hand")
                                                 : QObject::tr("chosen automatically"))
                       .arg(codes)
                       .arg(std::max(2, (codes + 1) / 2))
                       .arg(log.valid() ? log.codebook.levelCount() : 0);
        }
        LessonFacts facts{textFact(QStringLiteral("mode"), mode)};
        addMetricFacts(facts, QStringLiteral("log"), log);
        addMetricFacts(facts, QStringLiteral("signed"), ctx.design("weq-log", sign));
        addMetricFacts(facts, QStringLiteral("relu"), ctx.design("weq-log", relu));
        return facts;
    };
    return step;
}

} // namespace

Lesson makeWeqLogLesson()
{
    return {QStringLiteral("weq-log"),
            QObject::tr("Log-domain activation quantization"),
            {octavesStep(), gridStep(), againstUniformStep(), signStep()}};
}

} // namespace quantscope
