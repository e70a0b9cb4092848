// Lesson 7: DSQ (Gong et al., ICCV 2019): the hard uniform quantizer, the tanh soft step that
// replaces it in training, and how α sharpens the soft curve into the hard one.
#include "lesson_catalogue.h"

#include "quantscope/scheme.h"
#include "quantscope/schemes/dsq.h"

#include <cmath>

namespace quantscope {
namespace {

constexpr int kBits = 2;
constexpr int kSamples = 2001; // points over [lower, upper] for the curve distances

// Mean |soft(x) − hard(x)| and mean |soft(x) − x| over equally spaced points of [lower, upper].
std::pair<double, double> curveDistances(const DsqQuantizer& q)
{
    if (!(q.upper > q.lower)) {
        return {0.0, 0.0};
    }
    const CurveSamples soft = sampleDsqSoft(q, q.lower, q.upper, kSamples);
    double toHard = 0.0;
    double toIdentity = 0.0;
    for (std::size_t i = 0; i < soft.x.size(); ++i) {
        toHard += std::abs(soft.y[i] - q.hard(soft.x[i]));
        toIdentity += std::abs(soft.y[i] - soft.x[i]);
    }
    return {toHard / double(soft.x.size()), toIdentity / double(soft.x.size())};
}

LessonFacts dsqFacts(const LessonContext& ctx)
{
    const QuantResult dsq = ctx.live("dsq");
    LessonFacts facts;
    addMetricFacts(facts, QStringLiteral("dsq"), dsq);
    DsqQuantizer q;
    try {
        q = dsqQuantizerFor(*ctx.dist, schemeById("dsq").resolve(dsq.params));
    } catch (const std::exception&) {
        return facts; // the metrics facts carry the design's error
    }
    const auto [toHard, toIdentity] = curveDistances(q);
    facts.push_back(integerFact(QStringLiteral("n"), q.levelCount()));
    facts.push_back(numberFact(QStringLiteral("lower"), q.lower));
    facts.push_back(numberFact(QStringLiteral("upper"), q.upper));
    facts.push_back(numberFact(QStringLiteral("delta"), q.delta()));
    facts.push_back(numberFact(QStringLiteral("alpha"), q.alpha));
    facts.push_back(numberFact(QStringLiteral("k"), q.sharpness()));
    facts.push_back(numberFact(QStringLiteral("s"), q.scale()));
    // dφ/dx = s·k at a midpoint; the output moves by Δ/2 per unit of φ.
    facts.push_back(
        numberFact(QStringLiteral("slope"), 0.5 * q.delta() * q.scale() * q.sharpness()));
    facts.push_back(numberFact(QStringLiteral("gap"), toHard));
    facts.push_back(numberFact(QStringLiteral("idgap"), toIdentity));
    return facts;
}

LessonStep dsqStep(const QString& title, double alpha, const QStringList& emphasis,
                   const QString& text)
{
    LessonStep step;
    step.title = title;
    step.setup.tensor = demoLessonTensor(QStringLiteral("gaussian"));
    step.setup.scheme = QStringLiteral("dsq");
    step.setup.params = {{"bits", kBits}, {"alpha", alpha}};
    step.setup.emphasis = emphasis;
    step.text = text;
    step.facts = dsqFacts;
    return step;
}

} // namespace

Lesson makeDsqLesson()
{
    LessonStep narrower = dsqStep(
        QObject::tr("The step control"), 0.2,
        {views::param(QStringLiteral("step")), views::kHistogram},
        QObject::tr("<p>The grid itself is uniform, so its spacing can be set directly: with the "
                    "<i>step</i> Δ = <b>{delta}</b> the range follows, (N − 1)·Δ long and centred "
                    "on the data: [{lower}, {upper}]. Values outside clip to the end levels: "
                    "{dsq.clipped} of them. SQNR <b>{dsq.sqnr} dB</b>. Set <i>lower</i> (or "
                    "<i>upper</i>) to anchor the grid there instead.</p>"));
    narrower.setup.tensorParams = [](const Distribution& dist) {
        const double fullRange = (double(dist.max()) - double(dist.min())) / ((1 << kBits) - 1);
        return Params{{"step", 0.5 * fullRange}};
    };
    return {
        QStringLiteral("dsq"),
        QObject::tr("DSQ: soft quantization"),
        {dsqStep(QObject::tr("The hard quantizer"), 0.2, {views::kTransfer},
                 QObject::tr("<p>DSQ (Gong et al., ICCV 2019) trains a network through a soft "
                             "quantizer and runs it with the hard one. The hard quantizer is the "
                             "uniform staircase of the transfer curve: N = {n} levels from "
                             "{lower} to {upper}, Δ = (upper − lower)/(N − 1) = <b>{delta}</b>. "
                             "Its slope is 0 everywhere but at the jumps, so no gradient passes "
                             "through it in training. SQNR {dsq.sqnr} dB.</p>")),
         dsqStep(QObject::tr("The soft step"), 0.5,
                 {views::kTeaching, views::param(QStringLiteral("alpha"))},
                 QObject::tr("<p>Inside each interval DSQ replaces the jump by "
                             "φ(x) = s·tanh(k·(x − m)) around the interval's midpoint m, with "
                             "k = ln(2/α − 1)/Δ = <b>{k}</b> and s = 1/tanh(kΔ/2) = {s}, so "
                             "the curve meets the levels at the interval's ends. At α = {alpha} "
                             "the soft curve (teaching panel) has slope {slope} at a midpoint "
                             "and stays {gap} from the staircase on average.</p>")),
         dsqStep(QObject::tr("Sharpening: α → 0"), 0.02,
                 {views::kTeaching, views::param(QStringLiteral("alpha"))},
                 QObject::tr("<p>As α falls, k grows: at α = {alpha}, k = <b>{k}</b>, the slope "
                             "at a midpoint is {slope} and the soft curve is only {gap} from "
                             "the staircase on average. Training with a small α trains with "
                             "(almost) the real quantizer while gradients still pass near the "
                             "midpoints. Drag α and watch the curve.</p>")),
         dsqStep(QObject::tr("Annealing, and what inference sees"), 0.9,
                 {views::kTeaching, views::kMetrics},
                 QObject::tr("<p>At α = {alpha} the curve is nearly the identity: {idgap} from "
                             "it on average, {gap} from the staircase. DSQ anneals α during "
                             "training from soft to sharp. The codebook used at inference — the "
                             "hard levels and their SQNR <b>{dsq.sqnr} dB</b> — does not depend "
                             "on α at all.</p>")),
         narrower}};
}

} // namespace quantscope
