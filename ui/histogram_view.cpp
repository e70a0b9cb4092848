#include "histogram_view.h"

#include "explorer_controller.h"
#include "plot_style.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

namespace quantscope {
namespace {

constexpr double kLogFloor = 0.5;    // empty bins on a log axis sit just below 1
constexpr double kHeadroom = 1.08;   // space above the tallest bar
constexpr double kHoverPixels = 5.0; // how close the pointer must be to a line or marker
constexpr int kMinVisibleBins = 16;
constexpr double kBoundaryAlphaBudget = 600.0; // alpha = budget / sqrt(levels), clamped
constexpr int kMinBoundaryAlpha = 35;
constexpr int kMaxBoundaryAlpha = 200;
constexpr int kManyLevels = 64;      // above this, boundaries become ticks
constexpr double kTickHeight = 0.04; // share of the plot height a boundary tick covers

QCPGraph* makeOverlay(QCustomPlot* plot, QCPAxis* valueAxis, const QColor& color,
                      const QString& name, bool markers)
{
    QCPGraph* graph = plot->addGraph(plot->xAxis, valueAxis);
    graph->setName(name);
    // Boundaries are full-height impulses; levels are bare markers at their mass.
    graph->setLineStyle(markers ? QCPGraph::lsNone : QCPGraph::lsImpulse);
    graph->setPen(QPen(color, markers ? 1.5 : 1.0));
    if (markers) {
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, color, Qt::white, 6));
    }
    return graph;
}

QString number(double value)
{
    return QString::number(value, 'g', 9);
}

} // namespace

HistogramView::HistogramView(ExplorerController* controller, QWidget* parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_plot(new QCustomPlot(this))
    , m_logCounts(new QCheckBox(tr("Log counts"), this))
    , m_slice(new QSpinBox(this))
    , m_note(new QLabel(this))
    , m_rebinTimer(new QTimer(this))
{
    m_plot->setObjectName(QStringLiteral("histogramPlot"));
    m_logCounts->setObjectName(QStringLiteral("logCountsCheck"));
    m_slice->setObjectName(QStringLiteral("histogramSliceSpin"));
    m_slice->setRange(-1, -1);
    m_slice->setSpecialValueText(tr("all values"));
    m_slice->setToolTip(tr("All values, or one channel, group or block: its values and its own "
                           "levels"));
    m_note->setObjectName(QStringLiteral("histogramNote"));
    m_note->setStyleSheet(QStringLiteral("color: palette(mid); font-style: italic;"));
    m_note->hide();
    style::applyPlotStyle(m_plot);

    auto* reset = new QPushButton(tr("Reset zoom"), this);
    reset->setObjectName(QStringLiteral("histogramResetZoom"));
    auto* title = new QLabel(tr("<b>Histogram</b> — boundaries (lines), levels (markers, "
                                "height = share of values)"),
                             this);
    // A narrow centre column wraps the title rather than widening the column.
    title->setWordWrap(true);
    title->setMinimumWidth(1);
    auto* bar = new QHBoxLayout;
    bar->addWidget(title, 1);
    bar->addWidget(new QLabel(tr("Show"), this));
    bar->addWidget(m_slice);
    bar->addWidget(m_logCounts);
    bar->addWidget(reset);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_note);
    layout->addWidget(m_plot, 1);

    m_plot->xAxis->setLabel(tr("value"));
    m_plot->yAxis->setLabel(tr("count"));
    m_plot->yAxis2->setVisible(true);
    m_plot->yAxis2->setLabel(tr("level mass"));
    m_plot->yAxis2->setTickLabelColor(style::kPrimary);
    m_unitAxis = m_plot->axisRect()->addAxis(QCPAxis::atRight);
    m_unitAxis->setVisible(false);
    m_unitAxis->setRange(0, 1);
    m_unitAxisTop = m_plot->axisRect()->addAxis(QCPAxis::atRight);
    m_unitAxisTop->setVisible(false);
    m_unitAxisTop->setRange(0, 1);
    m_unitAxisTop->setRangeReversed(true);

    m_histogram = m_plot->addGraph();
    m_histogram->setName(tr("histogram"));
    m_histogram->setLineStyle(QCPGraph::lsStepLeft);
    m_histogram->setPen(QPen(style::kData, 1));
    m_histogram->setBrush(style::kDataFill);
    m_boundaries =
        makeOverlay(m_plot, m_unitAxis, style::kPrimaryBoundary, tr("boundaries"), false);
    m_levels = makeOverlay(m_plot, m_plot->yAxis2, style::kPrimary, tr("levels"), true);
    m_compareBoundaries =
        makeOverlay(m_plot, m_unitAxis, style::kCompareBoundary, tr("compare boundaries"), false);
    m_compareLevels =
        makeOverlay(m_plot, m_plot->yAxis2, style::kCompare, tr("compare levels"), true);
    m_boundaryTop =
        makeOverlay(m_plot, m_unitAxisTop, style::kPrimaryBoundary, tr("boundary ticks"), false);
    m_compareBoundaryTop = makeOverlay(m_plot, m_unitAxisTop, style::kCompareBoundary,
                                       tr("compare boundary ticks"), false);

    m_rebinTimer->setSingleShot(true);
    m_rebinTimer->setInterval(0);
    connect(m_rebinTimer, &QTimer::timeout, this, &HistogramView::rebinVisibleRange);
    connect(m_plot->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this] {
        if (!m_settingRange) {
            m_rebinTimer->start();
        }
    });
    connect(m_plot, &QCustomPlot::mouseMove, this, &HistogramView::onMouseMove);
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, &HistogramView::resetZoom);
    connect(reset, &QPushButton::clicked, this, &HistogramView::resetZoom);
    connect(m_logCounts, &QCheckBox::toggled, this, &HistogramView::setLogCounts);

    connect(m_slice, &QSpinBox::valueChanged, controller,
            [this](int value) { m_controller->setFocusSlice(value); });
    connect(controller, &ExplorerController::loadFinished, this,
            &HistogramView::onDistributionChanged);
    connect(controller, &ExplorerController::resultChanged, this, &HistogramView::onResultChanged);
    connect(controller, &ExplorerController::compareSchemeChanged, this,
            &HistogramView::onResultChanged);
    connect(controller, &ExplorerController::focusChanged, this, &HistogramView::onFocusChanged);
    onDistributionChanged();
}

std::shared_ptr<const Distribution> HistogramView::shownDistribution() const
{
    const FocusSlice& focus = m_controller->focus();
    return focus.index >= 0 ? focus.distribution : m_controller->distribution();
}

const Histogram& HistogramView::fullHistogram() const
{
    const FocusSlice& focus = m_controller->focus();
    return focus.index >= 0 ? focus.histogram : m_controller->histogram();
}

const std::optional<QuantResult>& HistogramView::primaryResult() const
{
    const FocusSlice& focus = m_controller->focus();
    return focus.index >= 0 ? focus.result : m_controller->result();
}

void HistogramView::syncSliceChoice()
{
    const auto layout = m_controller->focusLayout();
    const QSignalBlocker block(m_slice);
    const int last = layout ? int(std::min<std::int64_t>(layout->sliceCount(), 1 << 30)) - 1 : -1;
    m_slice->setRange(-1, last);
    m_slice->setPrefix(m_controller->focus().index >= 0 ? m_controller->focusSliceKind() + " "
                                                        : QString());
    m_slice->setValue(int(m_controller->focus().index));
    m_slice->setEnabled(last >= 0);
    // Without one codebook, all values show no levels: say why and where to look.
    const auto& result = m_controller->result();
    const bool noCodebook =
        m_controller->focus().index < 0 && result && result->valid() && result->slices != nullptr;
    m_note->setText(noCodebook ? tr("Each %1 has its own scale: pick one under Show to see its "
                                    "levels")
                                     .arg(m_controller->focusSliceKind())
                               : QString());
    m_note->setVisible(noCodebook);
}

void HistogramView::onFocusChanged()
{
    syncSliceChoice();
    const Histogram& full = fullHistogram();
    m_binCount = std::max(kMinVisibleBins, static_cast<int>(full.counts.size()));
    resetZoom();
    onResultChanged();
}

void HistogramView::setLogCounts(bool log)
{
    if (m_logCounts->isChecked() != log) {
        m_logCounts->setChecked(log); // re-enters through toggled
        return;
    }
    m_plot->yAxis->setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    m_plot->yAxis->setTicker(log ? QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog)
                                 : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    showHistogram(m_shown);
}

void HistogramView::resetZoom()
{
    const Histogram& full = fullHistogram();
    if (full.edges.size() < 2) {
        return;
    }
    m_settingRange = true;
    m_plot->xAxis->setRange(full.edges.front(), full.edges.back());
    m_settingRange = false;
    showHistogram(full);
}

bool HistogramView::isSpiky(const Histogram& histogram)
{
    // One bin holding a large share (e.g. ReLU's exact zeros) flattens everything else on a
    // linear axis: such tensors open with log counts.
    constexpr double kSpikeShare = 0.2;
    constexpr double kSpikeOverNext = 8.0;
    std::vector<std::int64_t> counts = histogram.counts;
    if (counts.size() < 2) {
        return false;
    }
    std::partial_sort(counts.begin(), counts.begin() + 2, counts.end(), std::greater<>());
    const double total = double(std::accumulate(counts.begin(), counts.end(), std::int64_t(0)));
    return double(counts[0]) > kSpikeShare * total &&
           double(counts[0]) > kSpikeOverNext * double(counts[1]);
}

void HistogramView::onDistributionChanged()
{
    const Histogram& full = m_controller->histogram();
    m_binCount = std::max(kMinVisibleBins, static_cast<int>(full.counts.size()));
    for (QCPGraph* graph : {m_boundaries, m_levels, m_compareBoundaries, m_compareLevels,
                            m_boundaryTop, m_compareBoundaryTop}) {
        graph->data()->clear();
    }
    setLogCounts(isSpiky(full));
    resetZoom();
    if (full.edges.size() < 2) {
        m_histogram->data()->clear();
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    }
}

void HistogramView::rebinVisibleRange()
{
    const auto dist = shownDistribution();
    if (!dist || dist->empty()) {
        return;
    }
    const QCPRange range = m_plot->xAxis->range();
    const double lo = std::max(range.lower, double(dist->min()));
    const double hi = std::min(range.upper, double(dist->max()));
    if (!(hi > lo)) {
        return;
    }
    // The same number of bins over the visible part: zooming reveals detail.
    showHistogram(uniformHistogram(*dist, m_binCount, lo, hi));
}

void HistogramView::showHistogram(const Histogram& histogram)
{
    m_shown = histogram;
    const bool log = m_plot->yAxis->scaleType() == QCPAxis::stLogarithmic;
    QVector<double> keys;
    QVector<double> values;
    keys.reserve(int(histogram.edges.size()));
    values.reserve(int(histogram.edges.size()));
    double top = 1.0;
    for (std::size_t i = 0; i < histogram.counts.size(); ++i) {
        const double count = double(histogram.counts[i]);
        keys.push_back(histogram.edges[i]);
        values.push_back(log ? std::max(count, kLogFloor) : count);
        top = std::max(top, count);
    }
    if (!histogram.counts.empty()) {
        // The step line needs the right edge of the last bin.
        keys.push_back(histogram.edges.back());
        values.push_back(values.back());
    }
    m_histogram->setData(keys, values, true);
    if (log) {
        m_plot->yAxis->setRange(kLogFloor, top * 2.0);
    } else {
        m_plot->yAxis->setRange(0, top * kHeadroom);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void HistogramView::showCodebook(const std::optional<QuantResult>& result, QCPGraph* boundaries,
                                 QCPGraph* boundaryTop, QCPGraph* levels)
{
    boundaryTop->data()->clear();
    if (!result || !result->valid() || !result->hasCodebook()) {
        boundaries->data()->clear();
        levels->data()->clear();
        return;
    }
    const Codebook& codebook = result->codebook;
    const bool many = codebook.levelCount() > kManyLevels;
    // Many boundaries would hide the data: fade them as their number grows, and past
    // kManyLevels draw only ticks along the bottom and top edges.
    const int alpha =
        many ? kMaxBoundaryAlpha
             : std::clamp(int(kBoundaryAlphaBudget / std::sqrt(double(codebook.levelCount()))),
                          kMinBoundaryAlpha, kMaxBoundaryAlpha);
    QColor color = boundaries->pen().color();
    color.setAlpha(alpha);
    boundaries->setPen(QPen(color, 1.0));
    boundaryTop->setPen(QPen(color, 1.0));
    QCPScatterStyle marker = levels->scatterStyle();
    marker.setSize(many ? 4 : 7);
    levels->setScatterStyle(marker);
    const QVector<double> thresholds(codebook.thresholds.begin(), codebook.thresholds.end());
    const QVector<double> heights(thresholds.size(), many ? kTickHeight : 1.0);
    boundaries->setData(thresholds, heights, true);
    if (many) {
        boundaryTop->setData(thresholds, heights, true);
    }
    const double total = std::max<double>(1.0, double(result->metrics.count));
    QVector<double> keys(codebook.levels.begin(), codebook.levels.end());
    QVector<double> mass;
    mass.reserve(keys.size());
    for (const LevelStats& level : result->levels) {
        mass.push_back(double(level.count) / total);
    }
    levels->setData(keys, mass, true);
}

void HistogramView::updateMassAxis()
{
    double top = 0.0;
    for (const QCPGraph* graph : {m_levels, m_compareLevels}) {
        for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
            top = std::max(top, it->value);
        }
    }
    m_plot->yAxis2->setRange(0, top > 0 ? top * kHeadroom : 1.0);
}

void HistogramView::onResultChanged()
{
    syncSliceChoice();
    const bool focused = m_controller->focus().index >= 0;
    showCodebook(primaryResult(), m_boundaries, m_boundaryTop, m_levels);
    // A slice's histogram shows that slice's codebook only.
    showCodebook(focused ? std::nullopt : m_controller->compareResult(), m_compareBoundaries,
                 m_compareBoundaryTop, m_compareLevels);
    updateMassAxis();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void HistogramView::onMouseMove(QMouseEvent* event)
{
    const QString text = hoverText(event->position().x());
    if (text.isEmpty()) {
        QToolTip::hideText();
    } else {
        QToolTip::showText(event->globalPosition().toPoint(), text, m_plot);
    }
}

QString HistogramView::hoverText(double px) const
{
    const double x = m_plot->xAxis->pixelToCoord(px);
    const auto near = [&](double key) {
        return std::abs(m_plot->xAxis->coordToPixel(key) - px) <= kHoverPixels;
    };
    QString text;
    const std::optional<QuantResult> none;
    const bool focused = m_controller->focus().index >= 0;
    for (const auto* result :
         {&primaryResult(), focused ? &none : &m_controller->compareResult()}) {
        if (!*result || !(*result)->valid() || !(*result)->hasCodebook() || !text.isEmpty()) {
            continue;
        }
        const Codebook& codebook = (*result)->codebook;
        const QString scheme = QString::fromStdString((*result)->schemeId);
        const int k = codebook.levelIndex(x);
        // The nearer of the thresholds on either side of the level under the pointer.
        int nearest = -1;
        for (int t : {k - 1, k}) {
            if (t >= 0 && t < int(codebook.thresholds.size()) && near(codebook.thresholds[t]) &&
                (nearest < 0 || std::abs(codebook.thresholds[t] - x) <
                                    std::abs(codebook.thresholds[nearest] - x))) {
                nearest = t;
            }
        }
        if (nearest >= 0) {
            text = tr("%1 boundary %2: %3")
                       .arg(scheme)
                       .arg(nearest)
                       .arg(number(codebook.thresholds[nearest]));
        }
        if (text.isEmpty() && near(codebook.levels[k])) {
            const LevelStats& level = (*result)->levels[k];
            const double share =
                double(level.count) / std::max<double>(1, (*result)->metrics.count);
            text = tr("%1 level %2 (code %3): %4\nmass %5 values (%6%)")
                       .arg(scheme)
                       .arg(k)
                       .arg(codebook.codes[k])
                       .arg(number(codebook.levels[k]))
                       .arg(level.count)
                       .arg(share * 100.0, 0, 'f', 3);
        }
    }
    if (text.isEmpty() && m_shown.counts.size() > 0) {
        const auto it = std::upper_bound(m_shown.edges.begin(), m_shown.edges.end(), x);
        const auto bin = std::distance(m_shown.edges.begin(), it) - 1;
        if (bin >= 0 && bin < std::ptrdiff_t(m_shown.counts.size())) {
            text = tr("bin [%1, %2): %3 values")
                       .arg(number(m_shown.edges[bin]))
                       .arg(number(m_shown.edges[bin + 1]))
                       .arg(m_shown.counts[bin]);
        }
    }
    return text;
}

} // namespace quantscope
