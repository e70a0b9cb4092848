// Lesson 4: weighted-entropy weight quantization (Park, Ahn, Yoo, CVPR 2017): importance w²,
// magnitude clusters, the objective and its sweeps, against uniform levels and outliers.
#include "lesson_catalogue.h"

#include "quantscope/schemes/weighted_entropy.h"

#include <cmath>

namespace quantscope {
namespace {

constexpr int kEvenLevels = 8;
constexpr int kOddLevels = 7;
constexpr double kTailSigmas = 2.0;
constexpr double kOutlierShare = 0.25; // an outlier: |w| above this share of max|w|

int weqLevels(const LessonContext& ctx)
{
    return int(std::lround(ctx.paramsFor("weq").get("levels", kEvenLevels)));
}

LessonStep importanceStep()
{
    LessonStep step;
    step.title = QObject::tr("Importance: w²");
    step.setup.tensor = demoLessonTensor(QStringLiteral("gaussian"));
    step.setup.scheme = QStringLiteral("weq");
    step.setup.params = {{"levels", kEvenLevels}};
    step.setup.emphasis = {views::kHistogram};
    step.text = QObject::tr(
        "<p>Weighted-entropy quantization (Park, Ahn and Yoo, CVPR 2017) rates a weight's "
        "importance by w². Large weights are rare but matter: the weights beyond 2σ = {t} are "
        "only <b>{count}</b> of the tensor but carry <b>{importance}</b> of Σw².</p>"
        "<p>The method orders the weights by magnitude, cuts them into clusters, and places the "
        "cuts to maximise the weighted entropy E = −Σ<sub>k</sub> wp(k)·ln(p(k)/2), where p(k) is "
        "a cluster's share of the weights and wp(k) its share of Σw² / n: clusters should be "
        "evenly used (entropy) and important (weight).</p>");
    step.facts = [](const LessonContext& ctx) {
        const Distribution& dist = *ctx.dist;
        const double t = kTailSigmas * dist.stddev();
        const RangeStats all = dist.indexStats(0, dist.count());
        const RangeStats low = dist.rangeStats(-INFINITY, -t);
        const RangeStats high = dist.indexStats(dist.upperIndex(t), dist.count());
        const double n = double(dist.count());
        const double total = all.sumSquares.value();
        return LessonFacts{
            numberFact(QStringLiteral("t"), t),
            percentFact(QStringLiteral("count"), double(low.count + high.count) / n),
            percentFact(QStringLiteral("importance"),
                        total > 0 ? (low.sumSquares.value() + high.sumSquares.value()) / total
                                  : 0.0)};
    };
    return step;
}

// Facts of the authors' search at the explorer's level count.
LessonFacts clusterFacts(const LessonContext& ctx)
{
    const int levels = weqLevels(ctx);
    const WeightedEntropyDesign d = designWeightedEntropy(*ctx.dist, levels);
    LessonFacts facts{integerFact(QStringLiteral("levels"), levels),
                      integerFact(QStringLiteral("clusters"), d.clusterCount()),
                      numberFact(QStringLiteral("e0"), d.initialObjective),
                      numberFact(QStringLiteral("e"), d.objective),
                      integerFact(QStringLiteral("sweeps"), double(d.sweepObjectives.size())),
                      textFact(QStringLiteral("converged"),
                               d.converged ? QObject::tr(", where no boundary move raises it")
                                           : QObject::tr(" (the sweep budget ran out)"))};
    if (d.clusterCount() == 0 || d.count == 0) {
        return facts;
    }
    const int firstMagnitude = d.hasZeroLevel ? 1 : 0;
    if (d.hasZeroLevel) {
        facts.push_back(textFact(
            QStringLiteral("zeronote"),
            QObject::tr("with odd L cluster 0 is the zero level and holds <b>%1</b> of the weights "
                        "(|w| &lt; %2)")
                .arg(formatFact(percentFact({}, double(d.slices[0]) / double(d.count))),
                     formatFact(numberFact({}, d.boundaries.size() > 1 ? d.boundaries[1] : 0.0)))));
    } else {
        facts.push_back(textFact(QStringLiteral("zeronote"),
                                 QObject::tr("with even L there is no zero level: the smallest "
                                             "weights round to ±rep of cluster 0")));
    }
    if (firstMagnitude < d.clusterCount()) {
        facts.push_back(numberFact(QStringLiteral("rfirst"), d.representatives[firstMagnitude]));
    }
    facts.push_back(numberFact(QStringLiteral("rlast"), d.representatives.back()));
    facts.push_back(numberFact(QStringLiteral("blast"), d.boundaries.back()));
    return facts;
}

LessonStep clustersStep()
{
    LessonStep step;
    step.title = QObject::tr("Magnitude clusters");
    step.setup.tensor = demoLessonTensor(QStringLiteral("gaussian"));
    step.setup.scheme = QStringLiteral("weq");
    step.setup.params = {{"levels", kOddLevels}};
    step.setup.emphasis = {views::kTeaching, views::kHistogram};
    step.text = QObject::tr(
        "<p>L = {levels} levels make {clusters} magnitude clusters, each giving the two levels "
        "±rep; {zeronote}. A cluster's representative is sqrt(mean w²) of its weights: from "
        "{rfirst} to {rlast}, the last cluster starting at |w| = {blast}. The teaching panel "
        "lists every cluster with its share of the weights.</p>");
    step.facts = clusterFacts;
    return step;
}

LessonStep sweepsStep()
{
    LessonStep step;
    step.title = QObject::tr("The search: sweeps of bisections");
    step.setup.tensor = demoLessonTensor(QStringLiteral("gaussian"));
    step.setup.scheme = QStringLiteral("weq");
    step.setup.params = {{"levels", kOddLevels}};
    step.setup.emphasis = {views::kTeaching};
    step.text = QObject::tr(
        "<p>The search starts from clusters of equal counts (E = {e0}) and moves one boundary at "
        "a time — a bisection over the sorted weights between its neighbours — sweeping over "
        "all boundaries while E still rises: <b>{sweeps}</b> sweeps raise E to <b>{e}</b>"
        "{converged}. The plot in the teaching panel shows E after each sweep; change the levels "
        "to watch it again.</p>");
    step.facts = clusterFacts;
    return step;
}

LessonStep againstUniformStep()
{
    LessonStep step;
    step.title = QObject::tr("Against uniform levels and the exact optimum");
    step.setup.tensor = demoLessonTensor(QStringLiteral("gaussian"));
    step.setup.scheme = QStringLiteral("weq");
    step.setup.params = {{"levels", kOddLevels}};
    step.setup.compare = QStringLiteral("symmetric");
    step.setup.emphasis = {views::kComparison, views::kHistogram};
    step.text = QObject::tr(
        "<p><i>weq-opt</i> finds the exact maximum of the same objective by dynamic programming: "
        "E = {eopt} against the sweeps' {e}. In SQNR weq reaches <b>{weq.sqnr} dB</b>, symmetric "
        "{sym.sqnr} dB (purple) and Lloyd-Max {lm.sqnr} dB at {bits} bits: weighted entropy is "
        "not an MSE criterion — it gives levels to the important large weights rather than to "
        "where the values crowd.</p>");
    step.facts = [](const LessonContext& ctx) {
        const QuantResult weq = ctx.live("weq");
        const int bits = bitsOf(weq.params);
        const int levels = weqLevels(ctx);
        LessonFacts facts{
            integerFact(QStringLiteral("bits"), bits),
            numberFact(QStringLiteral("e"), designWeightedEntropy(*ctx.dist, levels).objective),
            numberFact(QStringLiteral("eopt"),
                       designWeightedEntropyOptimal(*ctx.dist, levels).objective)};
        addMetricFacts(facts, QStringLiteral("weq"), weq);
        addMetricFacts(facts, QStringLiteral("sym"), ctx.live("symmetric", bits));
        addMetricFacts(facts, QStringLiteral("lm"), ctx.live("lloyd-max", bits));
        return facts;
    };
    return step;
}

LessonStep outliersStep()
{
    LessonStep step;
    step.title = QObject::tr("Outliers");
    step.setup.tensor = demoLessonTensor(QStringLiteral("outliers"));
    step.setup.scheme = QStringLiteral("weq");
    step.setup.params = {{"levels", 16}};
    step.setup.compare = QStringLiteral("symmetric");
    step.setup.emphasis = {views::kHistogram, views::kMetrics};
    step.text = QObject::tr(
        "<p>A few outliers ({outliers} weights with |w| > {cut}, up to {maxabs}) ruin max-abs: "
        "the step becomes so coarse that almost every weight rounds to 0 — symmetric (purple) "
        "reaches {sym.sqnr} dB with {sym.used} levels used. weq's clusters follow the importance "
        "instead: <b>{weq.sqnr} dB</b> with {weq.used} levels used at {bits} bits. (Check <i>Log "
        "counts</i> to see the outliers in the histogram.)</p>");
    step.facts = [](const LessonContext& ctx) {
        const QuantResult weq = ctx.live("weq");
        const int bits = bitsOf(weq.params);
        const double cut = kOutlierShare * ctx.dist->maxAbs();
        const std::int64_t outliers =
            ctx.dist->lowerIndex(-cut) + (ctx.dist->count() - ctx.dist->upperIndex(cut));
        LessonFacts facts{integerFact(QStringLiteral("bits"), bits),
                          integerFact(QStringLiteral("outliers"), double(outliers)),
                          numberFact(QStringLiteral("cut"), cut),
                          numberFact(QStringLiteral("maxabs"), ctx.dist->maxAbs())};
        addMetricFacts(facts, QStringLiteral("weq"), weq);
        addMetricFacts(facts, QStringLiteral("sym"), ctx.live("symmetric", bits));
        return facts;
    };
    return step;
}

} // namespace

Lesson makeWeqLesson()
{
    return {QStringLiteral("weq"),
            QObject::tr("Weighted-entropy weight quantization"),
            {importanceStep(), clustersStep(), sweepsStep(), againstUniformStep(), outliersStep()}};
}

} // namespace quantscope
