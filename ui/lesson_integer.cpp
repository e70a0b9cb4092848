// Lesson 6: the integer pipeline of one operation W·A + B (seed 002): quantized weights and
// activations, the int32 accumulator with the bias at the product scale, requantization to the
// next layer's 8 bits, and dequantization — every integer shown in the pipeline view.
#include "lesson_catalogue.h"

namespace quantscope {
namespace {

QString integerList(const std::vector<std::int64_t>& values)
{
    QStringList items;
    for (std::int64_t v : values) {
        items << QString::number(v).replace(QLatin1Char('-'), QStringLiteral("−"));
    }
    return QStringLiteral("[") + items.join(QStringLiteral(", ")) + QStringLiteral("]");
}

LessonTensor exampleTensor(const QString& name, const std::vector<double>& values)
{
    return {name, [name, values] {
                std::vector<float> data(values.begin(), values.end());
                const auto count = std::int64_t(data.size());
                return Tensor(name.toStdString(), {count}, std::move(data), "float32");
            }};
}

LessonTensor weightTensor()
{
    return exampleTensor(QObject::tr("W of the W·A + B example"), seed002Example().input.weights);
}

LessonTensor activationTensor()
{
    return exampleTensor(QObject::tr("A of the W·A + B example"),
                         seed002Example().input.activations);
}

// Every number of the pipeline for the view's inputs (the first output of the first batch row).
LessonFacts pipelineFacts(const LessonContext& ctx)
{
    const IntegerLinearProblem problem = ctx.pipeline ? *ctx.pipeline : seed002Example();
    IntegerLinearResult r;
    try {
        r = runIntegerLinear(problem.input, problem.options);
    } catch (const std::exception& e) {
        const QString error = QObject::tr("(the pipeline's inputs are not valid: %1)")
                                  .arg(QString::fromStdString(e.what()).toHtmlEscaped());
        return {textFact(QStringLiteral("error"), error)};
    }
    const std::int64_t acc = r.accumulators.at(0);
    const std::int64_t biasCode = r.biasCodes.at(0);
    LessonFacts facts{
        textFact(QStringLiteral("error"), QString()),
        integerFact(QStringLiteral("bits"), r.bits),
        integerFact(QStringLiteral("qmax"), double(r.qmax)),
        numberFact(QStringLiteral("a"), r.weightRange),
        preciseFact(QStringLiteral("sw"), r.weightMultiplier),
        textFact(QStringLiteral("wq"), integerList(r.weightCodes)),
        numberFact(QStringLiteral("aa"), r.activationRange),
        preciseFact(QStringLiteral("sa"), r.activationMultiplier),
        textFact(QStringLiteral("aq"), integerList(r.activationCodes)),
        preciseFact(QStringLiteral("swsa"), r.accumulatorMultiplier),
        numberFact(QStringLiteral("b"), problem.input.bias.empty() ? 0.0 : problem.input.bias[0]),
        integerFact(QStringLiteral("bq"), double(biasCode)),
        integerFact(QStringLiteral("dot"), double(acc - biasCode)),
        integerFact(QStringLiteral("acc"), double(acc)),
        preciseFact(QStringLiteral("accf"), r.accumulatorDequantized.at(0)),
        preciseFact(QStringLiteral("float"), r.floatResult.at(0)),
        numberFact(QStringLiteral("a2"), r.outputRange),
        preciseFact(QStringLiteral("s2"), r.outputMultiplier),
        preciseFact(QStringLiteral("coeff"), r.requantCoefficient),
        integerFact(QStringLiteral("yq"), double(r.requantized.at(0))),
        preciseFact(QStringLiteral("y"), r.dequantized.at(0)),
        textFact(QStringLiteral("int32"),
                 r.exceedsInt32 ? QObject::tr(" — beyond int32: hardware would wrap") : QString())};
    double maxActivation = 0.0;
    for (double v : problem.input.activations) {
        maxActivation = std::max(maxActivation, std::abs(v));
    }
    facts.push_back(numberFact(QStringLiteral("amax"), maxActivation));
    const auto& relative = r.relativeError.at(0);
    facts.push_back(relative ? precisePercentFact(QStringLiteral("err"), *relative)
                             : textFact(QStringLiteral("err"), QStringLiteral("—")));
    return facts;
}

LessonSetup pipelineSetup(const std::optional<LessonTensor>& tensor, const QStringList& emphasis)
{
    LessonSetup setup;
    setup.tensor = tensor;
    setup.emphasis = emphasis;
    return setup;
}

LessonStep weightsStep()
{
    LessonStep step;
    step.title = QObject::tr("Quantize the weights");
    step.setup = pipelineSetup(weightTensor(), {views::kPipeline, views::kHistogram});
    step.setup.scheme = QStringLiteral("symmetric");
    step.setup.params = {{"bits", 8}};
    step.setup.pipeline = seed002Example();
    step.text = QObject::tr(
        "{error}<p>The source document computes W·A + B for five weights W, five activations A "
        "and a bias B with integers only. First the weights, symmetric at {bits} bits: "
        "a = max|W| = {a} maps to q<sub>max</sub> = {qmax}, so the multiplier is s<sub>w</sub> = "
        "{qmax}/a = <b>{sw}</b> and the codes round(w·s<sub>w</sub>) are <b>{wq}</b>.</p>"
        "<p>The histogram shows the same five weights with the explorer's symmetric scheme: its "
        "scale {scale} is the step between levels, 1/s<sub>w</sub>.</p>");
    step.facts = [](const LessonContext& ctx) {
        LessonFacts facts = pipelineFacts(ctx);
        const QuantResult sym = ctx.live("symmetric");
        if (sym.valid() && sym.codebook.linear) {
            facts.push_back(numberFact(QStringLiteral("scale"), sym.codebook.linear->scale));
        }
        return facts;
    };
    return step;
}

LessonStep activationsStep()
{
    LessonStep step;
    step.title = QObject::tr("Quantize the activations with a calibrated range");
    step.setup = pipelineSetup(activationTensor(),
                               {views::kPipeline, views::param(QStringLiteral("range"))});
    step.setup.scheme = QStringLiteral("symmetric");
    step.setup.params = {{"bits", 8}, {"range", 6.0}};
    step.text = QObject::tr(
        "{error}<p>Activations change with every input, so their range is calibrated beforehand "
        "on sample data — the document assumes the activations stay within [0, 6]: "
        "a<sub>A</sub> = {aa}, s<sub>a</sub> = {qmax}/a<sub>A</sub> = <b>{sa}</b>, codes "
        "<b>{aq}</b>. An activation beyond a<sub>A</sub> would saturate at {qmax}; here the "
        "largest is {amax}.</p>"
        "<p>The explorer shows the five activations with <i>range</i> = a<sub>A</sub>.</p>");
    step.facts = pipelineFacts;
    return step;
}

LessonStep accumulateStep()
{
    LessonStep step;
    step.title = QObject::tr("Multiply and accumulate in int32");
    step.setup = pipelineSetup(std::nullopt, {views::kPipeline});
    step.text = QObject::tr(
        "{error}<p>Each product w<sub>q</sub>·a<sub>q</sub> of two 8-bit codes needs 16 bits, "
        "their sum more: the accumulator is int32. Σ w<sub>q</sub>·a<sub>q</sub> = <b>{dot}</b>. "
        "It stands for the float sum times s<sub>w</sub>·s<sub>a</sub> = {swsa}, so the bias "
        "joins at that scale: b<sub>q</sub> = round({b} · {swsa}) = <b>{bq}</b>, kept in 32 "
        "bits.</p>"
        "<p>The accumulator holds <b>{acc}</b>{int32}; divided by s<sub>w</sub>·s<sub>a</sub> it "
        "is {accf}, against the float result {float}.</p>");
    step.facts = pipelineFacts;
    return step;
}

LessonStep requantizeStep()
{
    LessonStep step;
    step.title = QObject::tr("Requantize to 8 bits and dequantize");
    step.setup = pipelineSetup(std::nullopt, {views::kPipeline});
    step.text = QObject::tr(
        "{error}<p>The next layer expects 8-bit codes of its own range, calibrated as "
        "a<sub>2</sub> = {a2}: s<sub>2</sub> = {qmax}/a<sub>2</sub> = {s2}. The accumulator is "
        "multiplied by s<sub>2</sub>/(s<sub>w</sub>·s<sub>a</sub>) = <b>{coeff}</b> (in hardware a "
        "fixed-point multiplier and a shift), clipped to ±{qmax} and truncated: <b>{yq}</b>.</p>"
        "<p>Dequantized, {yq}/s<sub>2</sub> = <b>{y}</b> against the float result {float}: an "
        "error of <b>{err}</b>.</p>");
    step.facts = pipelineFacts;
    return step;
}

LessonStep experimentStep()
{
    LessonStep step;
    step.title = QObject::tr("Your turn");
    step.setup = pipelineSetup(std::nullopt, {views::kPipelineInputs});
    step.text = QObject::tr(
        "{error}<p>Edit the inputs in the pipeline view. Set the activation range below the "
        "largest activation ({amax}) and watch it saturate; lower the bits to 4 and the error "
        "grows; raise a<sub>2</sub> and the output codes get coarser. Now: {bits} bits, "
        "accumulator {acc}, output code {yq}, result <b>{y}</b> against {float} — an error of "
        "<b>{err}</b>.</p>");
    step.facts = pipelineFacts;
    return step;
}

} // namespace

Lesson makeIntegerLesson()
{
    return {
        QStringLiteral("integer"),
        QObject::tr("The integer pipeline W·A + B"),
        {weightsStep(), activationsStep(), accumulateStep(), requantizeStep(), experimentStep()}};
}

} // namespace quantscope
