#include "transfer_view.h"

#include "explorer_controller.h"
#include "plot_style.h"
#include "result_subscription.h"

#include <qcustomplot.h>

#include <QLabel>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace quantscope {
namespace {

constexpr double kMargin = 0.05; // share of the span added around the curves

QString number(double value)
{
    return QString::number(value, 'g', 9);
}

// The thresholds inside (lo, hi] split the data range into segments, each mapped to one level.
struct Segment {
    double from;
    double to;
    double level;
};

std::vector<Segment> segments(const Codebook& codebook, double lo, double hi)
{
    std::vector<Segment> out;
    if (codebook.levels.empty() || !(hi >= lo)) {
        return out;
    }
    const int first = codebook.levelIndex(lo);
    const int last = codebook.levelIndex(hi);
    double from = lo;
    for (int k = first; k < last; ++k) {
        out.push_back({from, codebook.thresholds[k], codebook.levels[k]});
        from = codebook.thresholds[k];
    }
    out.push_back({from, hi, codebook.levels[last]});
    return out;
}

void showResult(const std::optional<QuantResult>& result, QCPGraph* step, QCPGraph* error)
{
    step->data()->clear();
    error->data()->clear();
    if (!result || !result->valid() || !result->hasCodebook()) {
        return;
    }
    const auto range = resultDataRange(*result);
    if (!range) {
        return;
    }
    QVector<double> stepKeys;
    QVector<double> stepValues;
    QVector<double> errorKeys;
    QVector<double> errorValues;
    for (const Segment& s : segments(result->codebook, range->first, range->second)) {
        // lsStepLeft holds each value until the next key; the error falls linearly in a segment.
        stepKeys.push_back(s.from);
        stepValues.push_back(s.level);
        errorKeys << s.from << s.to;
        errorValues << s.level - s.from << s.level - s.to;
    }
    stepKeys.push_back(range->second);
    stepValues.push_back(stepValues.back());
    step->setData(stepKeys, stepValues, true);
    error->setData(errorKeys, errorValues, true);
}

void fitValueAxis(QCPAxis* axis, std::initializer_list<const QCPGraph*> graphs)
{
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (const QCPGraph* graph : graphs) {
        for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
            lo = std::min(lo, it->value);
            hi = std::max(hi, it->value);
        }
    }
    if (!(lo <= hi)) {
        axis->setRange(-1, 1);
        return;
    }
    const double pad = hi > lo ? (hi - lo) * kMargin : std::max(std::abs(lo) * kMargin, 1e-6);
    axis->setRange(lo - pad, hi + pad);
}

QCPGraph* makeGraph(QCustomPlot* plot, QCPAxisRect* rect, const QPen& pen, const QString& name,
                    QCPGraph::LineStyle line)
{
    QCPGraph* graph = plot->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    graph->setPen(pen);
    graph->setName(name);
    graph->setLineStyle(line);
    return graph;
}

} // namespace

std::optional<std::pair<double, double>> resultDataRange(const QuantResult& result)
{
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (const LevelStats& level : result.levels) {
        if (level.count > 0) {
            lo = std::min(lo, level.minValue);
            hi = std::max(hi, level.maxValue);
        }
    }
    if (!(lo <= hi)) {
        return std::nullopt;
    }
    return std::make_pair(lo, hi);
}

TransferView::TransferView(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
{
    setObjectName(QStringLiteral("transferView"));
    m_plot->setObjectName(QStringLiteral("transferPlot"));
    style::applyPlotStyle(m_plot);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("transferTitle"));
    m_title->setWordWrap(true); // a long title must not widen the plots' column
    layout->addWidget(m_title);
    layout->addWidget(m_plot, 1);

    QCPAxisRect* top = m_plot->axisRect();
    m_errorRect = new QCPAxisRect(m_plot);
    m_plot->plotLayout()->addElement(1, 0, m_errorRect);
    m_plot->plotLayout()->setRowStretchFactor(0, 2);
    m_plot->plotLayout()->setRowStretchFactor(1, 1);
    auto* margins = new QCPMarginGroup(m_plot);
    top->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    m_errorRect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    m_errorRect->setRangeDrag(Qt::Horizontal);
    m_errorRect->setRangeZoom(Qt::Horizontal);
    for (QCPAxis* axis : m_errorRect->axes()) {
        axis->setTickLabelFont(m_plot->xAxis->tickLabelFont());
        axis->setLabelFont(m_plot->xAxis->labelFont());
        axis->grid()->setPen(m_plot->xAxis->grid()->pen());
    }
    m_plot->yAxis->setLabel(tr("Q(x)"));
    m_errorRect->axis(QCPAxis::atBottom)->setLabel(tr("x"));
    m_errorRect->axis(QCPAxis::atLeft)->setLabel(tr("Q(x) − x"));
    m_errorRect->axis(QCPAxis::atLeft)->ticker()->setTickCount(3); // a short axis

    m_identity = makeGraph(m_plot, top, QPen(style::kIdentity, 1, Qt::DashLine), tr("identity"),
                           QCPGraph::lsLine);
    m_compareStep = makeGraph(m_plot, top, QPen(style::kCompare, 1.5), tr("compare Q(x)"),
                              QCPGraph::lsStepLeft);
    m_step = makeGraph(m_plot, top, QPen(style::kPrimary, 1.5), tr("Q(x)"), QCPGraph::lsStepLeft);
    m_compareError = makeGraph(m_plot, m_errorRect, QPen(style::kCompare, 1), tr("compare error"),
                               QCPGraph::lsLine);
    m_error =
        makeGraph(m_plot, m_errorRect, QPen(style::kPrimary, 1), tr("error"), QCPGraph::lsLine);

    // Both rects show the same x range, whichever one is dragged or zoomed.
    QCPAxis* errorX = m_errorRect->axis(QCPAxis::atBottom);
    connect(m_plot->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
            [this, errorX](const QCPRange& range) {
                if (!m_syncingRange) {
                    m_syncingRange = true;
                    errorX->setRange(range);
                    m_syncingRange = false;
                }
            });
    connect(errorX, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
            [this](const QCPRange& range) {
                if (!m_syncingRange) {
                    m_syncingRange = true;
                    m_plot->xAxis->setRange(range);
                    m_syncingRange = false;
                }
            });
    connect(m_plot, &QCustomPlot::mouseMove, this, &TransferView::onMouseMove);
}

void TransferView::setController(ExplorerController* controller)
{
    m_controller =
        followResults(this, m_controller, controller, &TransferView::refreshFromController);
    if (m_controller != nullptr) {
        connect(m_controller, &ExplorerController::focusChanged, this,
                &TransferView::refreshFromController);
        refreshFromController();
    }
}

void TransferView::refreshFromController()
{
    // One slice shown: its own staircase; block-scaled results have none for all values.
    const FocusSlice& focus = m_controller->focus();
    const bool focused = focus.index >= 0;
    const auto& primary = focused ? focus.result : m_controller->result();
    const auto& compare = m_controller->compareResult();
    setResult(primary ? &*primary : nullptr, !focused && compare ? &*compare : nullptr);
    QString title = tr("<b>Transfer</b> x → Q(x) (top) and error Q(x) − x (bottom)");
    if (focused) {
        title += tr(" — %1 %2").arg(m_controller->focusSliceKind()).arg(focus.index);
    } else if (primary && primary->valid() && !primary->hasCodebook()) {
        title += tr(" — each %1 has its own; pick one under the histogram's Show")
                     .arg(m_controller->focusSliceKind());
    }
    m_title->setText(title);
}

void TransferView::setResult(const QuantResult* primary, const QuantResult* compare)
{
    if (m_title->text().isEmpty()) {
        m_title->setText(tr("<b>Transfer</b> x → Q(x) (top) and error Q(x) − x (bottom)"));
    }
    m_primary = primary ? std::optional<QuantResult>(*primary) : std::nullopt;
    m_compare = compare ? std::optional<QuantResult>(*compare) : std::nullopt;
    showResult(m_primary, m_step, m_error);
    showResult(m_compare, m_compareStep, m_compareError);

    std::optional<std::pair<double, double>> range;
    for (const auto* result : {&m_primary, &m_compare}) {
        if (*result && (*result)->valid() && (*result)->hasCodebook()) {
            if (const auto r = resultDataRange(**result)) {
                range = range ? std::make_pair(std::min(range->first, r->first),
                                               std::max(range->second, r->second))
                              : *r;
            }
        }
    }
    m_identity->data()->clear();
    if (range) {
        m_identity->setData({range->first, range->second}, {range->first, range->second}, true);
        const double span = range->second - range->first;
        const double pad =
            span > 0 ? span * kMargin : std::max(std::abs(range->first), 1.0) * kMargin;
        m_plot->xAxis->setRange(range->first - pad, range->second + pad);
    }
    fitValueAxis(m_plot->yAxis, {m_step, m_compareStep, m_identity});
    fitValueAxis(m_errorRect->axis(QCPAxis::atLeft), {m_error, m_compareError});
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QString TransferView::hoverText(double x) const
{
    QStringList lines;
    for (const auto* result : {&m_primary, &m_compare}) {
        if (!*result || !(*result)->valid() || (*result)->codebook.levels.empty()) {
            continue;
        }
        const double q = (*result)->codebook.quantize(x);
        lines << tr("%1: x = %2, Q(x) = %3, error = %4")
                     .arg(QString::fromStdString((*result)->schemeId), number(x), number(q),
                          number(q - x));
    }
    return lines.join(QLatin1Char('\n'));
}

void TransferView::onMouseMove(QMouseEvent* event)
{
    const double x = m_plot->xAxis->pixelToCoord(event->position().x());
    const QString text = hoverText(x);
    if (text.isEmpty()) {
        QToolTip::hideText();
    } else {
        QToolTip::showText(event->globalPosition().toPoint(), text, m_plot);
    }
}

} // namespace quantscope
