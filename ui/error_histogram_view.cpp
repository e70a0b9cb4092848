#include "error_histogram_view.h"

#include "explorer_controller.h"
#include "plot_style.h"
#include "quant_result.h"
#include "result_subscription.h"

#include <qcustomplot.h>

#include <QLabel>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

namespace quantscope {
namespace {

constexpr double kHeadroom = 1.08;

QString number(double value)
{
    return QString::number(value, 'g', 9);
}

QCPBars* makeBars(QCustomPlot* plot, const QColor& line, const QColor& fill, const QString& name)
{
    auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
    bars->setName(name);
    bars->setPen(QPen(line, 1));
    bars->setBrush(fill);
    bars->setWidthType(QCPBars::wtPlotCoords);
    // Axis-aligned rectangles gain nothing from antialiasing, which costs ~20 ms per replot.
    bars->setAntialiased(false);
    bars->setAntialiasedFill(false);
    return bars;
}

// Bars centred on the bins; equal-width bins, so one width fits all.
void showHistogram(const Histogram& histogram, QCPBars* bars)
{
    bars->data()->clear();
    if (histogram.counts.empty() || histogram.edges.size() != histogram.counts.size() + 1) {
        return;
    }
    QVector<double> keys;
    QVector<double> values;
    for (std::size_t i = 0; i < histogram.counts.size(); ++i) {
        keys.push_back(0.5 * (histogram.edges[i] + histogram.edges[i + 1]));
        values.push_back(double(histogram.counts[i]));
    }
    bars->setWidth(histogram.edges[1] - histogram.edges[0]);
    bars->setData(keys, values, true);
}

QString binText(const Histogram& histogram, const QString& name, double error)
{
    if (histogram.counts.empty() || error < histogram.edges.front() ||
        error > histogram.edges.back()) {
        return {};
    }
    const auto it = std::upper_bound(histogram.edges.begin(), histogram.edges.end(), error);
    const auto bin = std::clamp<std::ptrdiff_t>(std::distance(histogram.edges.begin(), it) - 1, 0,
                                                std::ptrdiff_t(histogram.counts.size()) - 1);
    return QObject::tr("%1 error in [%2, %3): %4 values")
        .arg(name, number(histogram.edges[bin]), number(histogram.edges[bin + 1]))
        .arg(histogram.counts[bin]);
}

} // namespace

ErrorHistogramView::ErrorHistogramView(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
{
    setObjectName(QStringLiteral("errorHistogramView"));
    m_plot->setObjectName(QStringLiteral("errorHistogramPlot"));
    style::applyPlotStyle(m_plot);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("<b>Error histogram</b> Q(x) − x"), this));
    layout->addWidget(m_plot, 1);
    m_plot->xAxis->setLabel(tr("Q(x) − x"));
    m_plot->yAxis->setLabel(tr("count"));
    // The translucent compare bars go on top, so both stay visible where they overlap.
    m_bars = makeBars(m_plot, style::kPrimary, style::kPrimaryFill, tr("error"));
    m_compareBars = makeBars(m_plot, style::kCompare, style::kCompareFill, tr("compare"));
    connect(m_plot, &QCustomPlot::mouseMove, this, &ErrorHistogramView::onMouseMove);
}

void ErrorHistogramView::setController(ExplorerController* controller)
{
    m_controller =
        followResults(this, m_controller, controller, &ErrorHistogramView::refreshFromController);
    if (m_controller != nullptr) {
        refreshFromController();
    }
}

void ErrorHistogramView::refreshFromController()
{
    const auto& primary = m_controller->result();
    const auto& compare = m_controller->compareResult();
    setResult(primary ? &*primary : nullptr, compare ? &*compare : nullptr);
}

void ErrorHistogramView::setResult(const QuantResult* primary, const QuantResult* compare)
{
    const auto take = [](const QuantResult* r) {
        return r != nullptr && r->valid() ? r->errorHistogram : Histogram{};
    };
    m_primary = take(primary);
    m_compare = take(compare);
    m_primaryName = primary ? QString::fromStdString(primary->schemeId) : QString();
    m_compareName = compare ? QString::fromStdString(compare->schemeId) : QString();
    showHistogram(m_primary, m_bars);
    showHistogram(m_compare, m_compareBars);

    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    double top = 1.0;
    for (const Histogram* h : {&m_primary, &m_compare}) {
        if (!h->counts.empty()) {
            lo = std::min(lo, h->edges.front());
            hi = std::max(hi, h->edges.back());
            top = std::max(top, double(*std::max_element(h->counts.begin(), h->counts.end())));
        }
    }
    if (lo < hi) {
        m_plot->xAxis->setRange(lo, hi);
    }
    m_plot->yAxis->setRange(0, top * kHeadroom);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QString ErrorHistogramView::hoverText(double error) const
{
    QStringList lines;
    for (const QString& line :
         {binText(m_primary, m_primaryName, error), binText(m_compare, m_compareName, error)}) {
        if (!line.isEmpty()) {
            lines << line;
        }
    }
    return lines.join(QLatin1Char('\n'));
}

void ErrorHistogramView::onMouseMove(QMouseEvent* event)
{
    const QString text = hoverText(m_plot->xAxis->pixelToCoord(event->position().x()));
    if (text.isEmpty()) {
        QToolTip::hideText();
    } else {
        QToolTip::showText(event->globalPosition().toPoint(), text, m_plot);
    }
}

} // namespace quantscope
