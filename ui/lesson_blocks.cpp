// Lesson 8: block formats. One scale per block of 16 to 256 values (OCP MXFP4, NVIDIA NVFP4,
// llama.cpp's Q4_K) against one scale for the whole tensor, on weights with a few outliers.
#include "lesson_catalogue.h"

#include "quantscope/granularity.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace quantscope {
namespace {

constexpr int kBits = 4;
// A value this many standard deviations from 0 counts as an outlier in the text.
constexpr double kOutlierSigmas = 8.0;
// A block whose scale is this many times the median scale holds an outlier.
constexpr double kHotBlockRatio = 4.0;
// Per-group linear quantization with a float32 scale per 128 values: as many bits per weight as
// MXFP4.
constexpr std::int64_t kGroupSize = 128;

LessonTensor outlierTensor()
{
    return demoLessonTensor(QStringLiteral("outliers"));
}

// How many values lie beyond kOutlierSigmas standard deviations, and that threshold.
LessonFacts outlierFacts(const Distribution& dist)
{
    const double threshold = kOutlierSigmas * dist.stddev();
    const RangeStats inside = dist.rangeStats(-threshold, threshold);
    return {integerFact(QStringLiteral("outliers"), double(dist.count() - inside.count)),
            numberFact(QStringLiteral("sigmas"), kOutlierSigmas),
            numberFact(QStringLiteral("maxabs"), dist.maxAbs())};
}

// The spread of a block result's scales: {prefix.blocks}, {prefix.hot} (blocks with a scale of
// kHotBlockRatio × the median or more), {prefix.median}, {prefix.maxscale}.
void addBlockFacts(LessonFacts& facts, const QString& prefix, const QuantResult& result)
{
    if (!result.valid() || !result.slices) {
        return;
    }
    const SliceResult& slices = *result.slices;
    const float median = slices.medianScale;
    const auto hot =
        std::count_if(slices.blocks.begin(), slices.blocks.end(), [&](const BlockInfo& b) {
            return median > 0.0f && b.scale >= kHotBlockRatio * median;
        });
    const QString p = prefix + QLatin1Char('.');
    facts.push_back(integerFact(p + QStringLiteral("blocks"), double(slices.blocks.size())));
    facts.push_back(integerFact(p + QStringLiteral("hot"), double(hot)));
    facts.push_back(numberFact(p + QStringLiteral("median"), median));
    facts.push_back(numberFact(p + QStringLiteral("maxscale"), slices.maxScale));
    for (const auto& [name, value] : slices.designNumbers) {
        facts.push_back(numberFact(p + QString::fromStdString(name), value));
    }
}

// A step on the outlier tensor with `scheme` (compared with `compare`, which may be empty).
LessonStep outlierStep(const QString& title, const QString& scheme, Params params,
                       const QString& compare, QStringList emphasis)
{
    LessonStep step;
    step.title = title;
    step.setup.tensor = outlierTensor();
    step.setup.scheme = scheme;
    step.setup.params = std::move(params);
    step.setup.compare = compare;
    step.setup.emphasis = std::move(emphasis);
    return step;
}

LessonStep perTensorStep()
{
    LessonStep step =
        outlierStep(QObject::tr("One scale for the whole tensor"), QStringLiteral("symmetric"),
                    {{"bits", kBits}}, QString(), {views::kHistogram, views::kMetrics});
    step.text = QObject::tr(
        "<p>These weights are N(0, 0.02²) with <b>{outliers}</b> values beyond {sigmas} standard "
        "deviations, up to {maxabs}: a few outliers, as in the weights of large language models. "
        "Symmetric {bits}-bit quantization gives the whole tensor one scale, set by the largest "
        "value: {sym.levels} levels spaced <b>{step}</b> apart. <b>{zeroed}</b> of the weights lie "
        "within ±{half} and become 0. SQNR <b>{sym.sqnr} dB</b> at {sym.bpw} bits per weight: a "
        "handful of values decide the step for a million.</p>");
    step.facts = [](const LessonContext& ctx) {
        const QuantResult sym = ctx.live("symmetric");
        LessonFacts facts = outlierFacts(*ctx.dist);
        facts.push_back(integerFact(QStringLiteral("bits"), bitsOf(sym.params)));
        addMetricFacts(facts, QStringLiteral("sym"), sym);
        if (sym.valid() && sym.codebook.linear) {
            const double half = 0.5 * sym.codebook.linear->scale;
            const RangeStats zeroed = ctx.dist->rangeStats(-half, half);
            facts.push_back(numberFact(QStringLiteral("step"), sym.codebook.linear->scale));
            facts.push_back(numberFact(QStringLiteral("half"), half));
            facts.push_back(percentFact(QStringLiteral("zeroed"),
                                        double(zeroed.count) / double(ctx.dist->count())));
        }
        return facts;
    };
    return step;
}

LessonStep mxStep()
{
    LessonStep step = outlierStep(
        QObject::tr("MXFP4: one scale per 32 values"), QStringLiteral("mx"), {{"bits", kBits}},
        QStringLiteral("symmetric"), {views::kBlockScales, views::kMetrics});
    step.text = QObject::tr(
        "<p>OCP Microscaling (MX) cuts every row into blocks of 32 values. Each block stores a "
        "power-of-two scale (E8M0, 8 bits) and its values as FP4 E2M1: 0, ±0.5, ±1, ±1.5, ±2, ±3, "
        "±4, ±6 times the scale. Of the {mx.blocks} blocks only <b>{mx.hot}</b> hold an outlier "
        "and get a large scale (up to {mx.maxscale}); the others get {mx.median} (the median), "
        "fitted to their own values. The block-scale view shows the spread.</p>"
        "<p>SQNR <b>{mx.sqnr} dB</b> against {sym.sqnr} dB with one scale per tensor, for "
        "{mx.bpw} bits per weight: 4 per value plus 8 per block of 32.</p>");
    step.facts = [](const LessonContext& ctx) {
        const QuantResult mx = ctx.live("mx", kBits);
        LessonFacts facts;
        addMetricFacts(facts, QStringLiteral("mx"), mx);
        addBlockFacts(facts, QStringLiteral("mx"), mx);
        addMetricFacts(facts, QStringLiteral("sym"), ctx.live("symmetric", kBits));
        return facts;
    };
    return step;
}

LessonStep nvfp4Step()
{
    LessonStep step =
        outlierStep(QObject::tr("NVFP4: smaller blocks, finer scales"), QStringLiteral("nvfp4"), {},
                    QStringLiteral("mx"), {views::kErrorProfile, views::kMetrics});
    step.text = QObject::tr(
        "<p>NVIDIA's NVFP4 keeps the E2M1 values but changes the scales: blocks of 16, so an "
        "outlier spoils half as many neighbours, and each block's scale is an FP8 E4M3 number "
        "(3 mantissa bits, not just a power of two) times one FP32 scale for the tensor "
        "({nv.tensor_scale}). A block's largest value then lands close to the top level 6 "
        "instead of anywhere between 4 and 8.</p>"
        "<p>SQNR <b>{nv.sqnr} dB</b> against {mx.sqnr} dB for MXFP4, at {nv.bpw} bits per weight "
        "(4 + 8/16). The error plot shows where the error comes from: against |x|, the small "
        "values of every block are rounded on their block's own fine grid.</p>");
    step.facts = [](const LessonContext& ctx) {
        const QuantResult nv = ctx.live("nvfp4");
        LessonFacts facts;
        addMetricFacts(facts, QStringLiteral("nv"), nv);
        addBlockFacts(facts, QStringLiteral("nv"), nv);
        addMetricFacts(facts, QStringLiteral("mx"), ctx.live("mx", kBits));
        return facts;
    };
    return step;
}

LessonStep q4kStep()
{
    LessonStep step = outlierStep(QObject::tr("Q4_K: scales of scales"), QStringLiteral("ggml"),
                                  {{"bits", kBits}}, QStringLiteral("nvfp4"),
                                  {views::kHistogram, views::kMetrics});
    step.text = QObject::tr(
        "<p>llama.cpp's Q4_K cuts each row into super-blocks of 256 values with two fp16 numbers "
        "d and dmin; each of their 8 groups of 32 stores a 6-bit scale s and a 6-bit minimum m, "
        "so x ≈ d·s·q − dmin·m with codes q from 0 to 15. The minimum makes every group "
        "asymmetric, and ggml searches each group's scale and minimum for the least squared error "
        "instead of taking its max |x|. Pick a super-block under Show to see the levels it "
        "uses.</p>"
        "<p>SQNR <b>{q4k.sqnr} dB</b> against {nv.sqnr} dB for NVFP4 and {mx.sqnr} dB for "
        "MXFP4, at {q4k.bpw} bits per weight: 4 per value plus (8·12 + 2·16) bits per 256.</p>");
    step.facts = [](const LessonContext& ctx) {
        LessonFacts facts;
        addMetricFacts(facts, QStringLiteral("q4k"), ctx.live("ggml", kBits));
        addMetricFacts(facts, QStringLiteral("nv"), ctx.live("nvfp4"));
        addMetricFacts(facts, QStringLiteral("mx"), ctx.live("mx", kBits));
        return facts;
    };
    return step;
}

LessonStep costStep()
{
    LessonStep step = outlierStep(QObject::tr("Bits for scales or bits for codes"),
                                  QStringLiteral("mx"), {{"bits", kBits}}, QStringLiteral("nvfp4"),
                                  {views::kRateDistortion, views::kComparison});
    step.text = QObject::tr(
        "<p>Scales cost bits too; what matters is the SQNR per bit stored (the rate–distortion "
        "plot uses these true bits per weight):</p>"
        "<table cellspacing='0' cellpadding='2'>"
        "<tr><th align='left'>format</th><th align='right'>bits/weight</th>"
        "<th align='right'>SQNR</th></tr>"
        "<tr><td>symmetric 4-bit, one scale</td><td align='right'>{sym4.bpw}</td>"
        "<td align='right'>{sym4.sqnr} dB</td></tr>"
        "<tr><td>symmetric 5-bit, one scale</td><td align='right'>{sym5.bpw}</td>"
        "<td align='right'>{sym5.sqnr} dB</td></tr>"
        "<tr><td>symmetric 4-bit, float32 scale per 128</td><td align='right'>{group.bpw}</td>"
        "<td align='right'>{group.sqnr} dB</td></tr>"
        "<tr><td>MXFP4</td><td align='right'>{mx.bpw}</td>"
        "<td align='right'>{mx.sqnr} dB</td></tr>"
        "<tr><td>NVFP4</td><td align='right'>{nv.bpw}</td>"
        "<td align='right'>{nv.sqnr} dB</td></tr>"
        "<tr><td>Q4_K</td><td align='right'>{q4k.bpw}</td>"
        "<td align='right'>{q4k.sqnr} dB</td></tr>"
        "</table>"
        "<p>A fifth bit for every value buys far less than a scale per block: with outliers, "
        "where the scale is spent matters more than how many levels there are.</p>");
    step.facts = [](const LessonContext& ctx) {
        LessonFacts facts;
        addMetricFacts(facts, QStringLiteral("sym4"),
                       ctx.design("symmetric", {{"bits", double(kBits)}}));
        addMetricFacts(facts, QStringLiteral("sym5"),
                       ctx.design("symmetric", {{"bits", double(kBits + 1)}}));
        addMetricFacts(
            facts, QStringLiteral("group"),
            ctx.design("symmetric", {{"bits", double(kBits)}}, Granularity::perGroup(kGroupSize)));
        addMetricFacts(facts, QStringLiteral("mx"), ctx.design("mx", {{"bits", double(kBits)}}));
        addMetricFacts(facts, QStringLiteral("nv"), ctx.design("nvfp4", {}));
        addMetricFacts(facts, QStringLiteral("q4k"), ctx.design("ggml", {{"bits", double(kBits)}}));
        return facts;
    };
    return step;
}

} // namespace

Lesson makeBlocksLesson()
{
    return {QStringLiteral("blocks"),
            QObject::tr("Block formats: a scale per block"),
            {perTensorStep(), mxStep(), nvfp4Step(), q4kStep(), costStep()}};
}

} // namespace quantscope
