// Lesson 2: the step of a uniform quantizer trades rounding error against clipping error; the
// MSE-optimal clip balances them.
#include "lesson_catalogue.h"

#include "quantscope/metrics.h"

#include <algorithm>
#include <cmath>

namespace quantscope {
namespace {

constexpr int kBits = 4;
constexpr double kFinerStep = 3.0;    // the second step's step: max-abs step / 3
constexpr double kTooFineStep = 12.0; // the third's: max-abs step / 12

// Sum of (x − r)² over the values of `stats`, all mapped to the level r.
double squaredErrorTo(const RangeStats& stats, double r)
{
    return std::max(0.0, stats.sumSquares.value() - 2.0 * r * stats.sum.value() +
                             r * r * double(stats.count));
}

// The part of the MSE from values beyond the grid's reach (see Metrics::clippedFraction).
double clippingMse(const Distribution& dist, const Codebook& codebook)
{
    if (dist.empty() || codebook.levels.empty()) {
        return 0.0;
    }
    const auto [low, high] = granularRange(codebook);
    const double below = squaredErrorTo(dist.rangeStats(-INFINITY, low), codebook.levels.front());
    const RangeStats aboveStats = dist.indexStats(dist.upperIndex(high), dist.count());
    const double above = squaredErrorTo(aboveStats, codebook.levels.back());
    return (below + above) / double(dist.count());
}

// The max-abs step at `bits`, for tensorParams.
double maxAbsStep(const Distribution& dist, int bits)
{
    return dist.maxAbs() / double((1 << (bits - 1)) - 1);
}

LessonFacts stepFacts(const LessonContext& ctx)
{
    const QuantResult sym = ctx.live("symmetric");
    Params automatic = sym.params;
    automatic.erase("step");
    const QuantResult maxAbs = ctx.design("symmetric", automatic);
    LessonFacts facts{integerFact(QStringLiteral("bits"), bitsOf(sym.params))};
    addMetricFacts(facts, QStringLiteral("sym"), sym);
    addMetricFacts(facts, QStringLiteral("auto"), maxAbs);
    if (sym.valid() && sym.codebook.linear && maxAbs.valid() && maxAbs.codebook.linear) {
        const double step = sym.codebook.linear->scale;
        const double qmax = double(sym.codebook.linear->qmax);
        facts.push_back(numberFact(QStringLiteral("step"), step));
        facts.push_back(numberFact(QStringLiteral("half"), 0.5 * step));
        facts.push_back(numberFact(QStringLiteral("model"), step * step / 12.0));
        facts.push_back(integerFact(QStringLiteral("qmax"), qmax));
        facts.push_back(numberFact(QStringLiteral("a"), qmax * step));
        facts.push_back(numberFact(QStringLiteral("ratio"), maxAbs.codebook.linear->scale / step));
        facts.push_back(numberFact(QStringLiteral("maxerr"), sym.metrics.maxAbsError));
        const RangeStats central = ctx.dist->rangeStats(-1.5 * step, 1.5 * step);
        facts.push_back(percentFact(QStringLiteral("central"),
                                    double(central.count) / double(ctx.dist->count())));
    }
    return facts;
}

LessonStep roundingStep()
{
    LessonStep step;
    step.title = QObject::tr("Rounding error: half a step at most");
    step.setup.tensor = demoLessonTensor(QStringLiteral("laplacian"));
    step.setup.scheme = QStringLiteral("symmetric");
    step.setup.params = {{"bits", kBits}};
    step.setup.emphasis = {views::kErrorHistogram, views::param(QStringLiteral("step"))};
    step.text = QObject::tr(
        "<p>With max-abs at {bits} bits the step is max|x| / {qmax} = <b>{step}</b>. Every value "
        "is rounded to the nearest level, so its error lies within ±step/2 = ±{half} and is spread "
        "evenly: the error histogram is flat, and the MSE is close to step²/12 = {model} (exact: "
        "{sym.mse}). Nothing is clipped.</p>"
        "<p>But Laplacian weights crowd near 0 while the step is set by the single largest "
        "value: <b>{central}</b> of them fall on the three central levels.</p>");
    step.facts = stepFacts;
    return step;
}

LessonStep finerStep()
{
    LessonStep step;
    step.title = QObject::tr("A smaller step: finer rounding, some clipping");
    step.setup.tensor = demoLessonTensor(QStringLiteral("laplacian"));
    step.setup.scheme = QStringLiteral("symmetric");
    step.setup.params = {{"bits", kBits}};
    step.setup.tensorParams = [](const Distribution& dist) {
        return Params{{"step", maxAbsStep(dist, kBits) / kFinerStep}};
    };
    step.setup.emphasis = {views::param(QStringLiteral("step")), views::kHistogram,
                           views::kTransfer};
    step.text = QObject::tr(
        "<p>The <i>step</i> slider now sets the scale directly: step = <b>{step}</b>, {ratio}× "
        "finer than max-abs. The grid still has {qmax} levels on each side, so it reaches only "
        "±{qmax}·step = ±{a}; the <b>{sym.clipped}</b> of values beyond saturate to the outermost "
        "levels (clipping), erring by up to {maxerr}.</p>"
        "<p>Rounding errors shrank and clipping errors appeared: SQNR <b>{sym.sqnr} dB</b> against "
        "{auto.sqnr} dB with the max-abs step. Drag the step slider: left clips more, right rounds "
        "more coarsely.</p>");
    step.facts = stepFacts;
    return step;
}

LessonStep tooFineStep()
{
    LessonStep step;
    step.title = QObject::tr("Too small a step: clipping dominates");
    step.setup.tensor = demoLessonTensor(QStringLiteral("laplacian"));
    step.setup.scheme = QStringLiteral("symmetric");
    step.setup.params = {{"bits", kBits}};
    step.setup.tensorParams = [](const Distribution& dist) {
        return Params{{"step", maxAbsStep(dist, kBits) / kTooFineStep}};
    };
    step.setup.emphasis = {views::kErrorHistogram, views::param(QStringLiteral("step"))};
    step.text = QObject::tr(
        "<p>At step {step} ({ratio}× finer than max-abs) the grid ends at ±{a} and "
        "<b>{sym.clipped}</b> of the values clip. The error histogram grows long tails — the "
        "clipped values — and the largest error is {maxerr}. SQNR <b>{sym.sqnr} dB</b> "
        "(max-abs: {auto.sqnr} dB): past a point a finer step loses more to clipping than it "
        "gains in rounding.</p>");
    step.facts = stepFacts;
    return step;
}

LessonStep optimalClipStep()
{
    LessonStep step;
    step.title = QObject::tr("The MSE-optimal clip");
    step.setup.tensor = demoLessonTensor(QStringLiteral("laplacian"));
    step.setup.scheme = QStringLiteral("symmetric-mse");
    step.setup.params = {{"bits", kBits}};
    step.setup.compare = QStringLiteral("symmetric");
    step.setup.emphasis = {views::kHistogram, views::kComparison};
    step.text = QObject::tr(
        "<p><i>symmetric-mse</i> searches the clip threshold a that minimises the exact MSE: "
        "a = <b>{a}</b>, {frac} of max|x|, so the step is {step}. It clips {opt.clipped} of the "
        "values, and its MSE {opt.mse} splits into {rounding} from rounding and {clipping} from "
        "clipping — the balance the search finds.</p>"
        "<p>SQNR <b>{opt.sqnr} dB</b> against {auto.sqnr} dB for max-abs (purple): {gain} dB more "
        "at the same {bits} bits.</p>");
    step.facts = [](const LessonContext& ctx) {
        const QuantResult opt = ctx.live("symmetric-mse");
        const QuantResult maxAbs = ctx.live("symmetric", bitsOf(opt.params));
        LessonFacts facts{integerFact(QStringLiteral("bits"), bitsOf(opt.params))};
        addMetricFacts(facts, QStringLiteral("opt"), opt);
        addMetricFacts(facts, QStringLiteral("auto"), maxAbs);
        if (opt.valid() && opt.codebook.linear) {
            const double step = opt.codebook.linear->scale;
            const double a = step * double(opt.codebook.linear->qmax);
            const double clipping = clippingMse(*ctx.dist, opt.codebook);
            facts.push_back(numberFact(QStringLiteral("step"), step));
            facts.push_back(numberFact(QStringLiteral("a"), a));
            facts.push_back(percentFact(QStringLiteral("frac"), a / ctx.dist->maxAbs()));
            facts.push_back(numberFact(QStringLiteral("clipping"), clipping));
            facts.push_back(numberFact(QStringLiteral("rounding"), opt.metrics.mse - clipping));
        }
        if (opt.valid() && maxAbs.valid() && opt.metrics.sqnrDb && maxAbs.metrics.sqnrDb) {
            facts.push_back(
                decibelFact(QStringLiteral("gain"), *opt.metrics.sqnrDb - *maxAbs.metrics.sqnrDb));
        }
        return facts;
    };
    return step;
}

LessonStep everyBitWidthStep()
{
    LessonStep step;
    step.title = QObject::tr("Every bit width");
    step.setup.emphasis = {views::kRateDistortion};
    step.text = QObject::tr(
        "<p>Max-abs gains about 6 dB per bit: {max2} dB at 2 bits, {max4} dB at 4, {max8} dB at "
        "8. The optimal clip adds {gain2} dB at 2 bits and {gain4} dB at 4 but only {gain8} dB at "
        "8, where the step is so fine that clipping the tails no longer pays. The rate–distortion "
        "plot draws every scheme this way; the ringed point is the current one.</p>");
    step.facts = [](const LessonContext& ctx) {
        LessonFacts facts;
        for (int bits : {2, 4, 8}) {
            const QuantResult maxAbs = ctx.design("symmetric", {{"bits", double(bits)}});
            const QuantResult opt = ctx.design("symmetric-mse", {{"bits", double(bits)}});
            const QString b = QString::number(bits);
            facts.push_back(decibelFact(QStringLiteral("max") + b, maxAbs.metrics.sqnrDb));
            if (maxAbs.metrics.sqnrDb && opt.metrics.sqnrDb) {
                facts.push_back(decibelFact(QStringLiteral("gain") + b,
                                            *opt.metrics.sqnrDb - *maxAbs.metrics.sqnrDb));
            }
        }
        return facts;
    };
    return step;
}

} // namespace

Lesson makeClippingLesson()
{
    return {QStringLiteral("clipping"),
            QObject::tr("Step and clipping"),
            {roundingStep(), finerStep(), tooFineStep(), optimalClipStep(), everyBitWidthStep()}};
}

} // namespace quantscope
