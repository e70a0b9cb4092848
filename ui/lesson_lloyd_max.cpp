// Lesson 3: non-uniform levels. Lloyd-Max (the MSE-optimal scalar quantizer) against uniform
// levels on peaked weights.
#include "lesson_catalogue.h"

#include "quantscope/schemes/lloyd_max.h"

namespace quantscope {
namespace {

constexpr int kBits = 3;

LessonStep uniformStep()
{
    LessonStep step;
    step.title = QObject::tr("Uniform levels on peaked weights");
    step.setup.tensor = demoLessonTensor(QStringLiteral("laplacian"));
    step.setup.scheme = QStringLiteral("symmetric");
    step.setup.params = {{"bits", kBits}};
    step.setup.emphasis = {views::kHistogram, views::kMetrics};
    step.text = QObject::tr(
        "<p>Symmetric uniform levels at {bits} bits: {sym.levels} levels spaced {step} apart, "
        "from −{top} to {top}. The Laplacian weights are peaked: <b>{central}</b> of them fall "
        "on the three central levels, so the codes carry only <b>{entropy} bits</b> of "
        "information (the entropy of the level usage) of the {bits} spent. SQNR "
        "<b>{sym.sqnr} dB</b>.</p>");
    step.facts = [](const LessonContext& ctx) {
        const QuantResult sym = ctx.live("symmetric");
        LessonFacts facts{integerFact(QStringLiteral("bits"), bitsOf(sym.params))};
        addMetricFacts(facts, QStringLiteral("sym"), sym);
        if (sym.valid() && sym.codebook.linear) {
            const double s = sym.codebook.linear->scale;
            const RangeStats central = ctx.dist->rangeStats(-1.5 * s, 1.5 * s);
            facts.push_back(numberFact(QStringLiteral("step"), s));
            facts.push_back(numberFact(QStringLiteral("top"), sym.codebook.levels.back()));
            facts.push_back(percentFact(QStringLiteral("central"),
                                        double(central.count) / double(ctx.dist->count())));
            facts.push_back(numberFact(QStringLiteral("entropy"), sym.metrics.entropyBits));
        }
        return facts;
    };
    return step;
}

// Lloyd-Max's levels and iterations, and its metrics against uniform levels at the same bits.
LessonFacts lloydMaxFacts(const LessonContext& ctx)
{
    const QuantResult lm = ctx.live("lloyd-max");
    const int bits = bitsOf(lm.params);
    const QuantResult sym = ctx.live("symmetric", bits);
    const LloydMaxResult run = lloydMax(*ctx.dist, 1 << bits);
    LessonFacts facts{integerFact(QStringLiteral("bits"), bits),
                      integerFact(QStringLiteral("iterations"), run.iterations)};
    addMetricFacts(facts, QStringLiteral("lm"), lm);
    addMetricFacts(facts, QStringLiteral("sym"), sym);
    if (lm.valid() && !lm.codebook.levels.empty()) {
        const Codebook& cb = lm.codebook;
        facts.push_back(numberFact(QStringLiteral("first"), cb.levels.front()));
        facts.push_back(numberFact(QStringLiteral("last"), cb.levels.back()));
        if (!cb.thresholds.empty()) {
            facts.push_back(numberFact(QStringLiteral("lastt"), cb.thresholds.back()));
        }
        facts.push_back(numberFact(QStringLiteral("lmbias"), lm.metrics.meanError));
        facts.push_back(numberFact(QStringLiteral("lmmax"), lm.metrics.maxAbsError));
    }
    if (sym.valid()) {
        facts.push_back(numberFact(QStringLiteral("symbias"), sym.metrics.meanError));
        facts.push_back(numberFact(QStringLiteral("symmax"), sym.metrics.maxAbsError));
    }
    if (lm.valid() && sym.valid() && lm.metrics.sqnrDb && sym.metrics.sqnrDb) {
        facts.push_back(
            decibelFact(QStringLiteral("gain"), *lm.metrics.sqnrDb - *sym.metrics.sqnrDb));
    }
    return facts;
}

LessonStep lloydStep()
{
    LessonStep step;
    step.title = QObject::tr("Lloyd-Max: levels where the values are");
    step.setup.tensor = demoLessonTensor(QStringLiteral("laplacian"));
    step.setup.scheme = QStringLiteral("lloyd-max");
    step.setup.params = {{"bits", kBits}};
    step.setup.compare = QStringLiteral("symmetric");
    step.setup.emphasis = {views::kHistogram};
    step.text = QObject::tr(
        "<p>Lloyd's algorithm (Lloyd 1957, Max 1960) alternates two rules until the MSE stops "
        "falling: each boundary is the midpoint between its two levels, and each level is the mean "
        "of the values in its cell (its centroid). Here it ran <b>{iterations}</b> iterations; "
        "the levels go from {first} to {last}, dense near 0 and sparse in the tails.</p>"
        "<p>SQNR <b>{lm.sqnr} dB</b> against {sym.sqnr} dB for uniform levels (purple): {gain} dB "
        "more from {lm.levels} levels at the same {bits} bits.</p>");
    step.facts = lloydMaxFacts;
    return step;
}

LessonStep centroidStep()
{
    LessonStep step;
    step.title = QObject::tr("Centroids: no bias in any cell");
    step.setup.tensor = demoLessonTensor(QStringLiteral("laplacian"));
    step.setup.scheme = QStringLiteral("lloyd-max");
    step.setup.params = {{"bits", kBits}};
    step.setup.compare = QStringLiteral("symmetric");
    step.setup.emphasis = {views::kTransfer};
    step.text = QObject::tr(
        "<p>Each level is the mean of its cell, so inside every cell the errors cancel: the mean "
        "error is {lmbias} (uniform levels: {symbias}). The outermost level sits at {last}, the "
        "mean of the tail beyond {lastt}, not at the tail's end, so the largest error is {lmmax} "
        "(uniform: {symmax}). The transfer curve shows the uneven steps.</p>");
    step.facts = lloydMaxFacts;
    return step;
}

LessonStep priceStep()
{
    LessonStep step;
    step.title = QObject::tr("What non-uniform levels cost");
    step.setup.emphasis = {views::kRateDistortion, views::kComparison};
    step.text = QObject::tr(
        "<p>Non-uniform levels cannot be multiplied as integers: a code is an index into a table "
        "of levels, looked up before the arithmetic. What they buy shrinks as bits grow: Lloyd-Max "
        "is {gain2} dB above uniform levels at 2 bits, {gain4} dB at 4 and {gain8} dB at 8 (see "
        "the rate–distortion plot). <i>normal-float</i> (NF4) is a fixed table of this kind, "
        "designed once for Gaussian weights.</p>");
    step.facts = [](const LessonContext& ctx) {
        LessonFacts facts;
        for (int bits : {2, 4, 8}) {
            const QuantResult lm = ctx.design("lloyd-max", {{"bits", double(bits)}});
            const QuantResult sym = ctx.design("symmetric", {{"bits", double(bits)}});
            if (lm.metrics.sqnrDb && sym.metrics.sqnrDb) {
                facts.push_back(decibelFact(QStringLiteral("gain") + QString::number(bits),
                                            *lm.metrics.sqnrDb - *sym.metrics.sqnrDb));
            }
        }
        return facts;
    };
    return step;
}

} // namespace

Lesson makeLloydMaxLesson()
{
    return {QStringLiteral("lloyd-max"),
            QObject::tr("Non-uniform levels: Lloyd-Max"),
            {uniformStep(), lloydStep(), centroidStep(), priceStep()}};
}

} // namespace quantscope
