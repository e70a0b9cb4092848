// Lesson 1: uniform symmetric (max-abs) against asymmetric (zero point) quantization, on ReLU-like
// and signed tensors, and the notebook's (max − min)/254 scale.
#include "lesson_catalogue.h"

namespace quantscope {
namespace {

// Facts of a linear design: {scale}, {qmax}, {a} (the clip threshold qmax·scale), {zp}.
void addLinearFacts(LessonFacts& facts, const QuantResult& result, const QString& prefix = {})
{
    if (!result.valid() || !result.codebook.linear) {
        return;
    }
    const LinearMapping& m = *result.codebook.linear;
    facts.push_back(numberFact(prefix + QStringLiteral("scale"), m.scale));
    facts.push_back(integerFact(prefix + QStringLiteral("qmax"), double(m.qmax)));
    facts.push_back(numberFact(prefix + QStringLiteral("a"), m.scale * double(m.qmax)));
    facts.push_back(integerFact(prefix + QStringLiteral("zp"), double(m.zeroPoint)));
}

std::optional<double> gain(const QuantResult& better, const QuantResult& base)
{
    if (better.valid() && base.valid() && better.metrics.sqnrDb && base.metrics.sqnrDb) {
        return *better.metrics.sqnrDb - *base.metrics.sqnrDb;
    }
    return std::nullopt;
}

LessonStep maxAbsStep()
{
    LessonStep step;
    step.title = QObject::tr("Max-abs: the largest value sets the scale");
    step.setup.tensor = demoLessonTensor(QStringLiteral("gaussian"));
    step.setup.scheme = QStringLiteral("symmetric");
    step.setup.params = {{"bits", 8}};
    step.setup.emphasis = {views::kHistogram, views::kTeaching};
    step.text = QObject::tr(
        "<p>Symmetric quantization maps a clip threshold a onto the top code "
        "q<sub>max</sub> = 2<sup>b−1</sup> − 1 = {qmax} and −a onto −{qmax}, with the zero point "
        "at "
        "0. <i>Max-abs</i> takes a = max|x| = {maxabs}, so no value is clipped{clipnote}. The step "
        "between levels is scale = a / {qmax} = <b>{scale}</b>, and every value is rounded to the "
        "nearest multiple of it.</p>"
        "<p>At {bits} bits the {sym.levels} levels (orange markers in the histogram) give SQNR "
        "<b>{sym.sqnr} dB</b> (MSE {sym.mse}). Change the bits: each bit halves the step and adds "
        "about 6 dB.</p>");
    step.facts = [](const LessonContext& ctx) {
        const QuantResult sym = ctx.live("symmetric");
        LessonFacts facts{numberFact(QStringLiteral("maxabs"), ctx.dist->maxAbs()),
                          integerFact(QStringLiteral("bits"), bitsOf(sym.params))};
        addLinearFacts(facts, sym);
        addMetricFacts(facts, QStringLiteral("sym"), sym);
        QString note;
        if (sym.valid() && sym.codebook.linear) {
            const double a = sym.codebook.linear->scale * double(sym.codebook.linear->qmax);
            if (std::abs(a - ctx.dist->maxAbs()) > 1e-6 * ctx.dist->maxAbs()) {
                note =
                    QObject::tr(" (your settings make a = %1)").arg(formatFact(numberFact({}, a)));
            }
        }
        facts.push_back(textFact(QStringLiteral("clipnote"), note));
        return facts;
    };
    return step;
}

LessonStep reluSymmetricStep()
{
    LessonStep step;
    step.title = QObject::tr("ReLU activations leave half the codes unused");
    step.setup.tensor = demoLessonTensor(QStringLiteral("relu"));
    step.setup.scheme = QStringLiteral("symmetric");
    step.setup.params = {{"bits", 4}};
    step.setup.emphasis = {views::kHistogram, views::kMetrics};
    step.text = QObject::tr(
        "<p>After a ReLU no value is negative, and {zeros} of them are exactly 0 (the spike at 0). "
        "Symmetric quantization still keeps the codes −{qmax} … −1 for negative values that never "
        "come: only <b>{sym.used} of its {sym.levels} levels</b> are used (see the metrics), and "
        "the step max|x| / {qmax} = {scale} is twice as coarse as the data need. SQNR "
        "<b>{sym.sqnr} dB</b>.</p>");
    step.facts = [](const LessonContext& ctx) {
        const QuantResult sym = ctx.live("symmetric");
        LessonFacts facts{percentFact(QStringLiteral("zeros"), zeroFraction(*ctx.dist))};
        addLinearFacts(facts, sym);
        addMetricFacts(facts, QStringLiteral("sym"), sym);
        return facts;
    };
    return step;
}

LessonFacts asymmetricFacts(const LessonContext& ctx)
{
    const QuantResult asym = ctx.live("asymmetric");
    const QuantResult sym = ctx.live("symmetric");
    const double lo = std::min(double(ctx.dist->min()), 0.0);
    const double hi = std::max(double(ctx.dist->max()), 0.0);
    LessonFacts facts{numberFact(QStringLiteral("lo"), lo), numberFact(QStringLiteral("hi"), hi)};
    addLinearFacts(facts, asym);
    addLinearFacts(facts, sym, QStringLiteral("sym."));
    addMetricFacts(facts, QStringLiteral("asym"), asym);
    addMetricFacts(facts, QStringLiteral("sym"), sym);
    if (asym.valid() && asym.codebook.linear) {
        const LinearMapping& m = *asym.codebook.linear;
        facts.push_back(integerFact(QStringLiteral("steps"), double(m.qmax - m.qmin)));
        if (sym.valid() && sym.codebook.linear) {
            facts.push_back(
                numberFact(QStringLiteral("ratio"), sym.codebook.linear->scale / m.scale));
        }
    }
    const auto dB = gain(asym, sym);
    facts.push_back(dB ? decibelFact(QStringLiteral("gain"), dB)
                       : textFact(QStringLiteral("gain"), QStringLiteral("—")));
    return facts;
}

LessonStep reluAsymmetricStep()
{
    LessonStep step;
    step.title = QObject::tr("A zero point puts every code on the data");
    step.setup.tensor = demoLessonTensor(QStringLiteral("relu"));
    step.setup.scheme = QStringLiteral("asymmetric");
    step.setup.params = {{"bits", 4}};
    step.setup.compare = QStringLiteral("symmetric");
    step.setup.emphasis = {views::kHistogram, views::kTeaching};
    step.text = QObject::tr(
        "<p>Asymmetric (affine) quantization maps the range [min', max'] = [{lo}, {hi}], widened "
        "to include 0, onto the codes 0 … {qmax}: scale = (max' − min') / {steps} = "
        "<b>{scale}</b>, and the zero point — the code that stands for the value 0 — is "
        "<b>{zp}</b>. The step is {ratio}× finer than symmetric's and all {asym.levels} levels lie "
        "on the data.</p>"
        "<p>SQNR <b>{asym.sqnr} dB</b> against {sym.sqnr} dB for symmetric (purple): {gain} dB "
        "more, about the 6.02 dB one more bit would give.</p>");
    step.facts = asymmetricFacts;
    return step;
}

LessonStep signedAsymmetricStep()
{
    LessonStep step;
    step.title = QObject::tr("Signed weights: the zero point barely matters");
    step.setup.tensor = demoLessonTensor(QStringLiteral("gaussian"));
    step.setup.scheme = QStringLiteral("asymmetric");
    step.setup.params = {{"bits", 4}};
    step.setup.compare = QStringLiteral("symmetric");
    step.setup.emphasis = {views::kTeaching, views::kMetrics};
    step.text = QObject::tr(
        "<p>Weights are centred on 0, so min' ≈ −max': the zero point lands mid-range at "
        "<b>{zp}</b> of 0 … {qmax} and the step is almost symmetric's ({scale} against "
        "{sym.scale}). Asymmetric gains only the one code that symmetric gives up to stay "
        "symmetric: SQNR {asym.sqnr} dB against {sym.sqnr} dB ({gain} dB).</p>"
        "<p>Symmetric keeps the zero point at 0, so integer products need no correction terms — "
        "why weights are usually quantized symmetrically (lesson 6 runs such an integer "
        "layer).</p>");
    step.facts = asymmetricFacts;
    return step;
}

LessonStep notebookScaleStep()
{
    LessonStep step;
    step.title = QObject::tr("The notebook's scale (max − min) / 254 clips");
    step.setup.tensor = demoLessonTensor(QStringLiteral("relu"));
    step.setup.scheme = QStringLiteral("symmetric");
    step.setup.params = {{"bits", 8}};
    step.setup.tensorParams = [](const Distribution& dist) {
        return Params{{"step", (double(dist.max()) - double(dist.min())) / 254.0}};
    };
    step.setup.emphasis = {views::kTransfer, views::param(QStringLiteral("step"))};
    step.text = QObject::tr(
        "<p>The notebook among the source documents computes its 'basic symmetric' scale as "
        "(max − min) / 254 and rounds into −127 … 127. That is max-abs only when min = −max. On "
        "ReLU activations min = {min}, so the step (set here with the <i>step</i> slider) is "
        "({max} − {min}) / 254 = {nbstep}, half the max-abs step, and the grid ends at "
        "{qmax} · {scale} = {a}: <b>{sym.clipped}</b> of the values saturate there — the "
        "notebook's "
        "own 1.788 came back as 0.846.</p>"
        "<p>The flat top of the transfer curve is the clipping. SQNR <b>{sym.sqnr} dB</b>; with "
        "the step on <i>auto</i> (max-abs) it would be {maxabs.sqnr} dB.</p>");
    step.facts = [](const LessonContext& ctx) {
        const QuantResult sym = ctx.live("symmetric");
        Params automatic = sym.params;
        automatic.erase("step");
        const QuantResult maxAbs = ctx.design("symmetric", automatic);
        LessonFacts facts{numberFact(QStringLiteral("min"), ctx.dist->min()),
                          numberFact(QStringLiteral("max"), ctx.dist->max()),
                          numberFact(QStringLiteral("nbstep"),
                                     (double(ctx.dist->max()) - double(ctx.dist->min())) / 254.0)};
        addLinearFacts(facts, sym);
        addMetricFacts(facts, QStringLiteral("sym"), sym);
        addMetricFacts(facts, QStringLiteral("maxabs"), maxAbs);
        return facts;
    };
    return step;
}

} // namespace

Lesson makeLinearLesson()
{
    return {QStringLiteral("linear"),
            QObject::tr("Symmetric, asymmetric and max-abs"),
            {maxAbsStep(), reluSymmetricStep(), reluAsymmetricStep(), signedAsymmetricStep(),
             notebookScaleStep()}};
}

} // namespace quantscope
