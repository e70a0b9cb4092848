#include "teaching_panel.h"

#include "explorer_controller.h"
#include "plot_style.h"
#include "result_subscription.h"

#include "quantscope/block_scheme.h"
#include "quantscope/scheme.h"
#include "quantscope/schemes/calibration.h"
#include "quantscope/schemes/dsq.h"
#include "quantscope/schemes/mx.h"
#include "quantscope/schemes/nvfp4.h"

#include <qcustomplot.h>

#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <vector>

namespace quantscope {
namespace {

constexpr int kMiniPlotHeight = 80;
// Below this height the mini plot drops its legend (it would cover the curve; the axis label
// names it) and keeps three value ticks, which still read apart.
constexpr int kRoomyPlotHeight = 160;
constexpr int kFewTicks = 3;
constexpr int kUsualTicks = 5;
constexpr int kMinTextHeight = 100; // the formula text never shrinks below this
constexpr int kMaxLogBins = 1024;   // the original's histogram has 1024 bins
constexpr int kSixteenths = 16;     // weq-log exponents are in sixteenths of an octave
constexpr int kMaxListedClusters = 8;

QString num(double value)
{
    return QString::number(value, 'g', TeachingPanel::kDigits);
}

QString escaped(const std::string& text)
{
    return QString::fromStdString(text).toHtmlEscaped();
}

// Parameters with every default filled in; the requested ones when resolving fails.
Params resolved(const QuantResult& result)
{
    try {
        return schemeById(result.schemeId).resolve(result.params);
    } catch (const std::exception&) {
        return result.params;
    }
}

QString codebookSummary(const QuantResult& result)
{
    const Codebook& cb = result.codebook;
    if (cb.levels.empty()) {
        return {};
    }
    return QObject::tr("%1 levels (%2 used), from %3 to %4.")
        .arg(cb.levelCount())
        .arg(result.metrics.levelsUsed)
        .arg(num(cb.levels.front()), num(cb.levels.back()));
}

QString explainSymmetric(const QuantResult& result, const Distribution& dist)
{
    const LinearMapping& m = *result.codebook.linear;
    const Params p = resolved(result);
    const int bits = bitsOf(p);
    if (p.has("step")) {
        return QObject::tr("<p><b>Symmetric linear</b>, b = %1 bits, zero point 0:</p>"
                           "<p>scale = step = <b>%2</b> (set directly)</p>"
                           "<p>the clip threshold follows: a = scale · (2<sup>b−1</sup> − 1) = "
                           "%2 · %3 = <b>%4</b>; values beyond ±a saturate</p>"
                           "<p>q = clamp(round(x / scale), −%3, %3), &nbsp; Q(x) = q · scale</p>")
            .arg(bits)
            .arg(num(m.scale))
            .arg(m.qmax)
            .arg(num(m.scale * double(m.qmax)));
    }
    QString numerator;
    QString value;
    if (p.has("range")) {
        numerator = QStringLiteral("a");
        value = num(p.get("range"));
    } else {
        numerator = QStringLiteral("clip·max|x|");
        value = QStringLiteral("%1·%2").arg(num(p.get("clip", 1.0)), num(dist.maxAbs()));
    }
    return QObject::tr("<p><b>Symmetric linear</b>, b = %1 bits, zero point 0:</p>"
                       "<p>scale = %2 / (2<sup>b−1</sup> − 1) = %3 / %4 = <b>%5</b></p>"
                       "<p>q = clamp(round(x / scale), −%4, %4), &nbsp; Q(x) = q · scale</p>")
        .arg(bits)
        .arg(numerator, value)
        .arg(m.qmax)
        .arg(num(m.scale));
}

QString explainAsymmetric(const QuantResult& result, const Distribution& dist)
{
    const LinearMapping& m = *result.codebook.linear;
    const Params p = resolved(result);
    const int bits = bitsOf(p);
    if (p.has("step")) {
        return QObject::tr("<p><b>Asymmetric linear</b>, b = %1 bits:</p>"
                           "<p>scale = step = <b>%2</b> (set directly); the zero point stays "
                           "where the data's range puts it: <b>%3</b></p>"
                           "<p>the range follows: [(q<sub>min</sub> − zp)·scale, "
                           "(q<sub>max</sub> − zp)·scale] = [%4, %5]; values beyond it "
                           "saturate</p>")
            .arg(bits)
            .arg(num(m.scale))
            .arg(m.zeroPoint)
            .arg(num(double(m.qmin - m.zeroPoint) * m.scale),
                 num(double(m.qmax - m.zeroPoint) * m.scale));
    }
    const double lo = std::min(double(dist.min()), 0.0);
    const double hi = std::max(double(dist.max()), 0.0);
    return QObject::tr("<p><b>Asymmetric linear</b>, b = %1 bits, range widened to include 0:</p>"
                       "<p>min' = min(min x, 0) = %2, &nbsp; max' = max(max x, 0) = %3</p>"
                       "<p>scale = (max' − min') / (q<sub>max</sub> − q<sub>min</sub>) = "
                       "%4 / %5 = <b>%6</b></p>"
                       "<p>zero point = q<sub>min</sub> − round(min' / scale) = <b>%7</b></p>"
                       "<p>q = clamp(round(x / scale) %8 %9, %10, %11), &nbsp; "
                       "Q(x) = (q %12 %9) · scale</p>")
        .arg(bits)
        .arg(num(lo), num(hi), num(hi - lo))
        .arg(m.qmax - m.qmin)
        .arg(num(m.scale))
        .arg(m.zeroPoint)
        .arg(m.zeroPoint < 0 ? QStringLiteral("−") : QStringLiteral("+"))
        .arg(std::abs(m.zeroPoint))
        .arg(m.qmin)
        .arg(m.qmax)
        .arg(m.zeroPoint < 0 ? QStringLiteral("+") : QStringLiteral("−"));
}

QString explainWeqLog(const QuantResult& result)
{
    QString text = QObject::tr("<p><b>Log-domain levels</b>: base 2<sup>1/16</sup>; levels 0 and "
                               "2<sup>(first + i·step)/16</sup>.</p>");
    const bool sign = !result.codebook.levels.empty() && result.codebook.levels.front() < 0.0;
    text += result.params.has("signed")
                ? (sign ? QObject::tr("<p>sign + magnitude (set): ±levels of |x|</p>")
                        : QObject::tr("<p>ReLU mode (set): x ≤ 0 → 0</p>"))
                : (sign ? QObject::tr("<p>sign + magnitude, chosen because the tensor has "
                                      "negative values: ±levels of |x|</p>")
                        : QObject::tr("<p>ReLU mode, chosen because no value is negative: "
                                      "x ≤ 0 → 0</p>"));
    std::vector<double> positive;
    for (double level : result.codebook.levels) {
        if (level > 0) {
            positive.push_back(level);
        }
    }
    if (!positive.empty()) {
        const double first = std::round(kSixteenths * std::log2(positive.front()));
        text += QObject::tr("<p>first level = 2<sup>%1/16</sup> = <b>%2</b></p>")
                    .arg(num(first), num(positive.front()));
    }
    if (positive.size() > 1) {
        const double step = std::round(kSixteenths * std::log2(positive[1] / positive[0]));
        text += QObject::tr("<p>step = %1/16 octave: each level ×%2 the previous</p>")
                    .arg(num(step), num(std::exp2(step / kSixteenths)));
    }
    if (result.codebook.weightedEntropy) {
        text += QObject::tr("<p>weighted entropy of the grid E = %1</p>")
                    .arg(num(*result.codebook.weightedEntropy));
    }
    return text;
}

// The quantizer the dsq scheme designed: unset clips are the data range.
DsqQuantizer dsqQuantizer(const QuantResult& result, const Distribution& dist)
{
    return dsqQuantizerFor(dist, resolved(result));
}

QString explainDsq(const QuantResult& result, const DsqQuantizer& q)
{
    return QObject::tr("<p><b>DSQ</b>: N = 2<sup>%1</sup> = %2 levels on [%3, %4], "
                       "Δ = (upper − lower)/(N − 1) = <b>%5</b></p>"
                       "<p>soft step φ(x) = s·tanh(k·(x − m<sub>i</sub>)), "
                       "k = ln(2/α − 1)/Δ = %6, s = 1/tanh(kΔ/2) = %7 (α = %8)</p>"
                       "<p>The plot shows the soft curve used in training beside the hard "
                       "staircase the codebook applies. %9</p>")
        .arg(q.bits)
        .arg(q.levelCount())
        .arg(num(q.lower), num(q.upper), num(q.delta()), num(q.sharpness()), num(q.scale()),
             num(q.alpha), codebookSummary(result));
}

bool isCalibrator(const std::string& id)
{
    return id == "percentile" || id == "entropy" || id == "histogram-l2";
}

// The spread of the blocks' scales: smallest, median and largest non-zero scale.
QString scaleSpread(const SliceResult& slices)
{
    if (slices.maxScale <= 0.0f) {
        return QObject::tr("every scale is 0");
    }
    return QObject::tr("scales from %1 to %2 (median %3)")
        .arg(num(slices.minScale), num(slices.maxScale), num(slices.medianScale));
}

QString explainMx(const QuantResult& result)
{
    const Params p = resolved(result);
    const MxElementFormat& format =
        mxElementFormats().at(static_cast<std::size_t>(p.getInt("format")));
    const SliceResult& slices = *result.slices;
    const bool ceil = p.getInt("rule") == 1;
    return QObject::tr("<p><b>OCP MX</b> %1: blocks of %2 values along the last axis share one "
                       "8-bit E8M0 scale</p>"
                       "<p>X = %3, clamped to 2<sup>−127</sup> … 2<sup>127</sup>; elements "
                       "round(x / X) to %4 (largest %5), ties to even, saturating</p>"
                       "<p>%6 blocks, %7</p>"
                       "<p>storage: %8 bits per element + 8 per block = <b>%9</b> bits per "
                       "weight</p>")
        .arg(QString::fromStdString(format.name))
        .arg(slices.layout().groupSize())
        .arg(ceil ? QObject::tr("2<sup>ceil(log2(max|x| / %1))</sup>").arg(num(format.maxNormal))
                  : QObject::tr("2<sup>floor(log2 max|x|) − %1</sup>").arg(format.emax))
        .arg(format.exponentBits == 0
                 ? QObject::tr("q · 2<sup>−6</sup>")
                 : QObject::tr("E%1M%2").arg(format.exponentBits).arg(format.mantissaBits))
        .arg(num(format.maxNormal))
        .arg(slices.blocks.size())
        .arg(scaleSpread(slices))
        .arg(format.bits)
        .arg(num(result.bitsPerWeight));
}

QString explainNvfp4(const QuantResult& result)
{
    const SliceResult& slices = *result.slices;
    double amax = 0.0;
    double tensorScale = 0.0;
    for (const auto& [name, value] : slices.designNumbers) {
        if (name == "tensor_max_abs") {
            amax = value;
        } else if (name == "tensor_scale") {
            tensorScale = value;
        }
    }
    return QObject::tr("<p><b>NVFP4</b>: s = max|x| / (448 · 6) = %1 / 2688 = <b>%2</b> "
                       "(FP32)</p>"
                       "<p>each block of 16: s<sub>b</sub> = E4M3((max|x<sub>b</sub>| / 6) / s), "
                       "elements E2M1(x / (s<sub>b</sub>·s)), ties to even, saturating at ±6</p>"
                       "<p>%3 blocks, effective %4</p>"
                       "<p>storage: 4 bits per element + 8 per block + 32 = <b>%5</b> bits per "
                       "weight</p>")
        .arg(num(amax), num(tensorScale))
        .arg(slices.blocks.size())
        .arg(scaleSpread(slices))
        .arg(num(result.bitsPerWeight));
}

QString explainSlices(const QuantResult& result, const QString& kind)
{
    const Scheme* scheme = findScheme(result.schemeId);
    const SliceResult& slices = *result.slices;
    return QObject::tr("<p><b>%1</b>, %2: every %3 gets its own scale or codebook, designed from "
                       "its values</p><p>%4 %3s, %5</p><p><b>%6</b> bits per weight with every "
                       "scale and table</p>")
        .arg(scheme ? escaped(scheme->displayName()) : escaped(result.schemeId),
             QString::fromStdString(slices.layout().describe()), kind)
        .arg(slices.blocks.size())
        .arg(scaleSpread(slices))
        .arg(num(result.bitsPerWeight));
}

QString explainCalibrator(const QuantResult& result)
{
    const Params p = resolved(result);
    const LinearMapping& m = *result.codebook.linear;
    if (result.schemeId == "percentile") {
        return QObject::tr(
                   "<p><b>Percentile calibration</b> (TensorRT): a 2048-bin histogram of "
                   "|x| over [0, max|x|]; the threshold T is the left edge of the bin where "
                   "the cumulative share reaches %1 %</p>"
                   "<p>T = %2, scale = T / %3 = <b>%4</b></p>")
            .arg(num(p.get("percentile")), num(m.scale * double(m.qmax)))
            .arg(m.qmax)
            .arg(num(m.scale));
    }
    if (result.schemeId == "entropy") {
        return QObject::tr("<p><b>Entropy calibration</b> (TensorRT's KL): for each candidate "
                           "threshold from bin 128 of the 2048-bin |x| histogram, P folds the "
                           "values beyond it into its last bin and Q merges the bins into %1 "
                           "groups; T is the last minimum of KL(P‖Q)</p>"
                           "<p>T = %2, scale = T / %3 = <b>%4</b></p>")
            .arg(1 << (bitsOf(p) - 1))
            .arg(num(m.scale * double(m.qmax)))
            .arg(m.qmax)
            .arg(num(m.scale));
    }
    return QObject::tr("<p><b>Histogram L2</b> (PyTorch HistogramObserver): from the 2048-bin "
                       "histogram over [min, max], the lower or upper bound moves by quantile "
                       "steps of 10<sup>−5</sup> while the L2 error of %1 levels over the "
                       "histogram falls</p><p>range [%2, %3], scale <b>%4</b>, zero point "
                       "<b>%5</b></p>")
        .arg(1 << bitsOf(p))
        .arg(num(double(m.qmin - m.zeroPoint) * m.scale),
             num(double(m.qmax - m.zeroPoint) * m.scale), num(m.scale))
        .arg(m.zeroPoint);
}

QCPGraph* makeGraph(QCustomPlot* plot, const QPen& pen, QCPGraph::LineStyle line,
                    const QString& name)
{
    QCPGraph* graph = plot->addGraph();
    graph->setPen(pen);
    graph->setLineStyle(line);
    graph->setName(name);
    return graph;
}

} // namespace

TeachingPanel::TeachingPanel(QWidget* parent)
    : QWidget(parent)
    , m_formula(new QLabel(this))
    , m_plot(new QCustomPlot(this))
{
    setObjectName(QStringLiteral("teachingPanel"));
    m_formula->setObjectName(QStringLiteral("teachingFormula"));
    m_plot->setObjectName(QStringLiteral("teachingPlot"));
    m_formula->setTextFormat(Qt::RichText);
    m_formula->setWordWrap(true);
    m_formula->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_formula->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    style::applyPlotStyle(m_plot);
    m_plot->setMinimumHeight(kMiniPlotHeight);
    m_plot->legend->setVisible(true);
    QFont small = m_plot->font();
    small.setPointSizeF(7.5);
    m_plot->legend->setFont(small);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    connect(m_plot, &QCustomPlot::beforeReplot, this, [this] {
        const bool roomy = m_plot->height() >= kRoomyPlotHeight;
        m_plot->legend->setVisible(roomy);
        m_plot->yAxis->ticker()->setTickCount(roomy ? kUsualTicks : kFewTicks);
    });
    m_hard = makeGraph(m_plot, QPen(style::kPrimary, 1.5), QCPGraph::lsStepLeft, tr("hard"));
    m_soft = makeGraph(m_plot, QPen(style::kCompare, 1.5), QCPGraph::lsLine, tr("soft"));
    m_objective =
        makeGraph(m_plot, QPen(style::kPrimary, 1.5), QCPGraph::lsLine, tr("objective E"));
    m_objective->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
    m_logCounts = makeGraph(m_plot, QPen(style::kData, 1.2), QCPGraph::lsStepLeft,
                            tr("values per 1/16 octave"));
    m_logCounts->setBrush(style::kDataFill);
    m_logLevels = makeGraph(m_plot, QPen(style::kPrimary, 1.5), QCPGraph::lsImpulse, tr("levels"));
    m_calibrationHistogram =
        makeGraph(m_plot, QPen(style::kData, 1), QCPGraph::lsStepLeft, tr("histogram"));
    m_calibrationHistogram->setBrush(style::kDataFill);
    m_threshold = makeGraph(m_plot, QPen(style::kPrimary, 2), QCPGraph::lsImpulse, tr("chosen"));
    m_divergence = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
    m_divergence->setPen(QPen(style::kCompare, 1.2));
    m_divergence->setName(tr("KL(P‖Q)"));
    m_plot->hide();

    // The text scrolls when the panel is short, so tables (weq's clusters) stay readable.
    m_formulaScroll = new QScrollArea(this);
    m_formulaScroll->setObjectName(QStringLiteral("teachingScroll"));
    m_formulaScroll->setWidget(m_formula);
    m_formulaScroll->setWidgetResizable(true);
    m_formulaScroll->setFrameShape(QFrame::NoFrame);
    m_formulaScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // However many rows the comparison table above has, a few lines of text stay visible.
    m_formulaScroll->setMinimumHeight(kMinTextHeight);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 0);
    layout->setSpacing(2);
    // The text first: the plot keeps its minimum height when the panel is short.
    layout->addWidget(m_formulaScroll, 4);
    layout->addWidget(m_plot, 1);
    connect(&m_weqWatcher, &QFutureWatcher<WeightedEntropyDesign>::finished, this,
            &TeachingPanel::onWeqDesigned);
    connect(&m_calibrationWatcher, &QFutureWatcher<Calibration>::finished, this, [this] {
        if (m_calibrationPending) {
            // The state moved on while this one ran: compute the latest instead.
            auto [result, dist] = std::move(*m_calibrationPending);
            m_calibrationPending.reset();
            startCalibration(result, dist);
            return;
        }
        const Calibration calibration = m_calibrationWatcher.result();
        // Only while the panel still explains that calibrator.
        if (m_result && m_result->valid() && m_result->schemeId == calibration.schemeId) {
            showCalibration(calibration);
        }
    });
}

TeachingPanel::~TeachingPanel()
{
    m_weqWatcher.waitForFinished();
    m_calibrationWatcher.waitForFinished();
}

void TeachingPanel::setController(ExplorerController* controller)
{
    m_controller =
        followResults(this, m_controller, controller, &TeachingPanel::refreshFromController);
    if (m_controller != nullptr) {
        refreshFromController();
    }
}

void TeachingPanel::refreshFromController()
{
    const auto& result = m_controller->result();
    setResult(result ? &*result : nullptr, m_controller->distribution());
}

QString TeachingPanel::formulaText() const
{
    return m_formula->text();
}

void TeachingPanel::setResult(const QuantResult* result, std::shared_ptr<const Distribution> dist)
{
    m_result = result ? std::optional<QuantResult>(*result) : std::nullopt;
    m_weqWanted = {};
    for (QCPGraph* graph : {m_soft, m_hard, m_objective, m_logCounts, m_logLevels,
                            m_calibrationHistogram, m_threshold, m_divergence}) {
        graph->data()->clear();
        graph->setVisible(false);
        graph->removeFromLegend();
    }
    m_plot->yAxis2->setVisible(false);
    m_plot->yAxis->setScaleType(QCPAxis::stLinear);
    m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    m_plot->hide();
    if (!m_result || !dist) {
        m_baseText = tr("<p>Open a tensor to see how the scheme maps it.</p>");
    } else if (!m_result->valid()) {
        m_baseText = tr("<p><b>%1</b> cannot design this codebook: %2</p>")
                         .arg(escaped(m_result->schemeId), escaped(m_result->error));
    } else {
        m_baseText = explain(*m_result, *dist);
        if (isCalibrator(m_result->schemeId) && m_result->hasCodebook() && !dist->empty()) {
            startCalibration(*m_result, dist);
        }
        if (m_result->schemeId == "weq" && m_result->hasCodebook()) {
            m_weqWanted = {dist, int(resolved(*m_result).get("levels", 0))};
            if (m_weqDesign && m_weqShownFor == m_weqWanted) {
                showWeqDesign();
                return;
            }
            if (!m_weqBusy) {
                startWeqDesign();
            }
            m_formula->setText(m_baseText + tr("<p><i>Computing the sweeps…</i></p>"));
            return;
        }
    }
    m_formula->setText(m_baseText);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QString TeachingPanel::explain(const QuantResult& result, const Distribution& dist)
{
    const Scheme* scheme = findScheme(result.schemeId);
    const std::string& id = result.schemeId;
    if (result.slices) {
        if (id == "mx") {
            return explainMx(result);
        }
        if (id == "nvfp4") {
            return explainNvfp4(result);
        }
        return explainSlices(result, m_controller ? m_controller->focusSliceKind()
                                                  : QStringLiteral("slice"));
    }
    if (isCalibrator(id) && result.codebook.linear) {
        return explainCalibrator(result);
    }
    if (id == "symmetric" && result.codebook.linear) {
        return explainSymmetric(result, dist);
    }
    if (id == "asymmetric" && result.codebook.linear && !dist.empty()) {
        return explainAsymmetric(result, dist);
    }
    if (id == "weq-log") {
        showLogHistogram(result, dist);
        return explainWeqLog(result);
    }
    if (id == "dsq" && !dist.empty()) {
        showDsq(result, dist);
        return explainDsq(result, dsqQuantizer(result, dist));
    }
    if (id == "weq") {
        return tr("<p><b>Weighted entropy</b>: the importance of a weight w is "
                  "w<sup>2</sup>; the values are ordered by magnitude and cut into magnitude "
                  "clusters, each giving the levels ±rep. The cuts maximise "
                  "E = −Σ wp(k)·ln(p(k)/2), where p is a cluster's share of the values and wp "
                  "its share of the importance.</p><p>%1</p>")
            .arg(codebookSummary(result));
    }
    const QString name = scheme ? escaped(scheme->displayName()) : escaped(id);
    const QString description = scheme ? escaped(scheme->description()) : QString();
    QString text =
        tr("<p><b>%1</b>: %2.</p><p>%3</p>").arg(name, description, codebookSummary(result));
    if (result.codebook.weightedEntropy) {
        text += tr("<p>weighted entropy E = %1</p>").arg(num(*result.codebook.weightedEntropy));
    }
    return text;
}

void TeachingPanel::showDsq(const QuantResult& result, const Distribution& dist)
{
    const DsqQuantizer q = dsqQuantizer(result, dist);
    const double from = std::min(double(dist.min()), q.lower);
    const double to = std::max(double(dist.max()), q.upper);
    if (!(to > from)) {
        return;
    }
    const CurveSamples soft = sampleDsqSoft(q, from, to, kSoftSamples);
    m_soft->setData(QVector<double>(soft.x.begin(), soft.x.end()),
                    QVector<double>(soft.y.begin(), soft.y.end()), true);
    // The hard staircase from the codebook itself, over the same range.
    const Codebook& cb = result.codebook;
    QVector<double> keys{from};
    QVector<double> values{cb.quantize(from)};
    for (std::size_t k = 0; k < cb.thresholds.size(); ++k) {
        if (cb.thresholds[k] > from && cb.thresholds[k] <= to) {
            keys.push_back(cb.thresholds[k]);
            values.push_back(cb.levels[k + 1]);
        }
    }
    keys.push_back(to);
    values.push_back(values.back());
    m_hard->setData(keys, values, true);
    for (QCPGraph* graph : {m_hard, m_soft}) {
        graph->setVisible(true);
        graph->addToLegend();
    }
    m_plot->xAxis->setLabel(tr("x"));
    m_plot->yAxis->setLabel(tr("Q(x)"));
    m_plot->rescaleAxes(true);
    m_plot->show();
}

void TeachingPanel::showLogHistogram(const QuantResult& result, const Distribution& dist)
{
    // The magnitudes the scheme works on: |x| with a sign bit, else the positive values.
    const bool sign = result.codebook.levels.front() < 0.0;
    const std::int64_t positives = dist.count() - dist.upperIndex(0.0);
    const std::int64_t negatives = sign ? dist.lowerIndex(0.0) : 0;
    if (positives + negatives == 0) {
        return;
    }
    const auto smallest = [&](bool positive) {
        return positive ? double(dist.sorted()[dist.upperIndex(0.0)])
                        : -double(dist.sorted()[dist.lowerIndex(0.0) - 1]);
    };
    double lo = std::numeric_limits<double>::infinity();
    double hi = 0.0;
    if (positives > 0) {
        lo = smallest(true);
        hi = dist.max();
    }
    if (negatives > 0) {
        lo = std::min(lo, smallest(false));
        hi = std::max(hi, -double(dist.min()));
    }
    const int first = int(std::floor(kSixteenths * std::log2(lo)));
    const int last =
        std::min(int(std::floor(kSixteenths * std::log2(hi))), first + kMaxLogBins - 1);
    QVector<double> keys;
    QVector<double> counts;
    double peak = 0.0;
    for (int e = first; e <= last + 1; ++e) {
        const double a = std::exp2(double(e) / kSixteenths);
        const double b = std::exp2(double(e + 1) / kSixteenths);
        double count = double(dist.lowerIndex(b) - dist.lowerIndex(a));
        if (sign) {
            count += double(dist.upperIndex(-a) - dist.upperIndex(-b));
        }
        keys.push_back(double(e) / kSixteenths);
        counts.push_back(e <= last ? count : 0.0);
        peak = std::max(peak, count);
    }
    m_logCounts->setData(keys, counts, true);
    QVector<double> levelKeys;
    QVector<double> levelValues;
    for (double level : result.codebook.levels) {
        if (level > 0.0) {
            levelKeys.push_back(std::log2(level));
            levelValues.push_back(peak);
        }
    }
    m_logLevels->setData(levelKeys, levelValues, true);
    for (QCPGraph* graph : {m_logCounts, m_logLevels}) {
        graph->setVisible(true);
        graph->addToLegend();
    }
    m_plot->xAxis->setLabel(sign ? tr("log₂ |x|") : tr("log₂ x"));
    m_plot->yAxis->setLabel(tr("count"));
    m_plot->rescaleAxes(true);
    m_plot->show();
}

void TeachingPanel::startCalibration(const QuantResult& result,
                                     std::shared_ptr<const Distribution> dist)
{
    if (m_calibrationWatcher.isRunning()) {
        m_calibrationPending.emplace(result, std::move(dist));
        return;
    }
    const std::string id = result.schemeId;
    const Params params = resolved(result);
    m_calibrationWatcher.setFuture(QtConcurrent::run(ExplorerController::workPool(), [id, params,
                                                                                      dist] {
        // The calibrator's own steps again, for their intermediate results.
        Calibration c;
        c.schemeId = id;
        const int bits = bitsOf(params);
        if (id == "histogram-l2") {
            c.histogram = rangeHistogram(*dist);
            const auto [low, high] = histogramL2Range(c.histogram, dist->min(), dist->max(), bits);
            c.bounds = {low, high};
            return c;
        }
        c.histogram = absHistogram(*dist);
        if (id == "percentile") {
            c.bounds = {percentileThreshold(c.histogram, params.get("percentile"))};
            return c;
        }
        const EntropyCalibration e = entropyCalibration(c.histogram, bits);
        c.bounds = {e.threshold};
        for (std::size_t k = 0; k < e.divergences.size(); ++k) {
            c.candidates.push_back(c.histogram.edges[e.firstCandidate + k]);
            c.divergences.push_back(e.divergences[k]);
        }
        return c;
    }));
}

void TeachingPanel::showCalibration(const Calibration& calibration)
{
    const Histogram& h = calibration.histogram;
    QVector<double> keys;
    QVector<double> counts;
    double top = 1.0;
    for (std::size_t i = 0; i < h.counts.size(); ++i) {
        keys.push_back(h.edges[i]);
        counts.push_back(std::max(double(h.counts[i]), 0.5)); // log axis: empty bins just below 1
        top = std::max(top, double(h.counts[i]));
    }
    m_calibrationHistogram->setData(keys, counts, true);
    m_plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
    m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog));
    m_plot->yAxis->setRange(0.5, top * 2.0);
    QVector<double> bounds(calibration.bounds.begin(), calibration.bounds.end());
    m_threshold->setData(bounds, QVector<double>(bounds.size(), top * 2.0), true);
    m_calibrationHistogram->setVisible(true);
    m_threshold->setVisible(true);
    m_calibrationHistogram->addToLegend();
    m_threshold->addToLegend();
    if (!calibration.divergences.empty()) {
        QVector<double> kl;
        double klTop = 0.0;
        for (double d : calibration.divergences) {
            kl.push_back(std::isfinite(d) ? d : std::nan(""));
            if (std::isfinite(d)) {
                klTop = std::max(klTop, d);
            }
        }
        m_divergence->setData(
            QVector<double>(calibration.candidates.begin(), calibration.candidates.end()), kl,
            true);
        m_divergence->setVisible(true);
        m_divergence->addToLegend();
        m_plot->yAxis2->setVisible(true);
        m_plot->yAxis2->setLabel(tr("KL(P‖Q)"));
        m_plot->yAxis2->setRange(0, klTop > 0 ? klTop * 1.1 : 1.0);
    }
    m_plot->xAxis->setLabel(calibration.schemeId == "histogram-l2" ? tr("x") : tr("|x|"));
    m_plot->yAxis->setLabel(tr("count"));
    if (!h.edges.empty()) {
        m_plot->xAxis->setRange(h.edges.front(), h.edges.back());
    }
    m_plot->show();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    emit calibrationShown();
}

void TeachingPanel::startWeqDesign()
{
    m_weqRunning = m_weqWanted;
    m_weqBusy = true;
    const WeqJob job = m_weqRunning;
    m_weqWatcher.setFuture(
        QtConcurrent::run(ExplorerController::workPool(), [job]() -> WeightedEntropyDesign {
            try {
                return designWeightedEntropy(*job.dist, job.levels);
            } catch (const std::exception&) {
                return {}; // levels out of range: the panel already shows the result's error
            }
        }));
}

void TeachingPanel::onWeqDesigned()
{
    m_weqBusy = false;
    m_weqDesign = m_weqWatcher.result();
    m_weqShownFor = m_weqRunning;
    if (!m_weqWanted.dist) {
        return; // no longer weq
    }
    if (m_weqShownFor == m_weqWanted) {
        showWeqDesign();
    } else {
        startWeqDesign(); // the state moved on while this one ran
    }
}

void TeachingPanel::showWeqDesign()
{
    const WeightedEntropyDesign& d = *m_weqDesign;
    QString text = m_baseText;
    text += tr("<p>L = %1 levels → %2 magnitude clusters%3; n = %4 values.</p>")
                .arg(d.levels)
                .arg(d.clusterCount())
                .arg(d.hasZeroLevel ? tr(" (cluster 0 is the zero level)") : QString())
                .arg(d.count);
    text += tr("<p>E: start %1 → <b>%2</b> after %3 sweeps%4</p>")
                .arg(num(d.initialObjective), num(d.objective))
                .arg(d.sweepObjectives.size())
                .arg(d.converged ? tr(" (converged)") : tr(" (sweep budget reached)"));
    if (d.clusterCount() <= kMaxListedClusters && d.count > 0) {
        QStringList rows;
        for (int k = 0; k < d.clusterCount(); ++k) {
            const std::int64_t begin = k == 0 ? 0 : d.slices[k - 1];
            const std::int64_t size = d.slices[k] - begin;
            rows << tr("<tr><td>%1</td><td align=right>%2</td><td align=right>%3</td>"
                       "<td align=right>%4%</td></tr>")
                        .arg(k)
                        .arg(num(d.boundaries[k]), num(d.representatives[k]))
                        .arg(100.0 * double(size) / double(d.count), 0, 'f', 2);
        }
        text += tr("<table cellspacing=4><tr><th>cluster</th><th>from |w|</th><th>rep</th>"
                   "<th>values</th></tr>%1</table>")
                    .arg(rows.join(QString()));
    }
    m_formula->setText(text);

    QVector<double> keys{0.0};
    QVector<double> values{d.initialObjective};
    for (std::size_t i = 0; i < d.sweepObjectives.size(); ++i) {
        keys.push_back(double(i + 1));
        values.push_back(d.sweepObjectives[i]);
    }
    m_objective->setData(keys, values, true);
    m_objective->setVisible(true);
    m_objective->addToLegend();
    m_plot->xAxis->setLabel(tr("sweep"));
    m_plot->yAxis->setLabel(tr("E"));
    m_plot->rescaleAxes(true);
    m_plot->show();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    emit weqSweepsShown();
}

} // namespace quantscope
