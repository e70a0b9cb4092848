#include "block_scale_view.h"

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
#include <numeric>

namespace quantscope {
namespace {

constexpr double kLogFloor = 0.5; // bars start just below one block

QCPBars* makeBars(QCustomPlot* plot, const QColor& line, const QColor& fill, const QString& name)
{
    auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
    bars->setName(name);
    bars->setPen(QPen(line, 1));
    bars->setBrush(fill);
    bars->setWidthType(QCPBars::wtPlotCoords);
    bars->setBaseValue(kLogFloor);
    bars->setAntialiased(false);
    bars->setAntialiasedFill(false);
    return bars;
}

void showBars(const Histogram& histogram, QCPBars* bars)
{
    bars->data()->clear();
    if (histogram.counts.empty()) {
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

} // namespace

BlockScaleView::BlockScaleView(QWidget* parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_plot(new QCustomPlot(this))
{
    setObjectName(QStringLiteral("blockScaleView"));
    m_plot->setObjectName(QStringLiteral("blockScalePlot"));
    m_title->setObjectName(QStringLiteral("blockScaleTitle"));
    m_title->setWordWrap(true);
    style::applyPlotStyle(m_plot);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_plot, 1);
    m_plot->xAxis->setLabel(tr("log2(scale)"));
    m_plot->yAxis->setLabel(tr("blocks"));
    // Log counts: the few blocks an outlier pushes to a large scale must show beside the many.
    m_plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
    m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog));
    m_bars = makeBars(m_plot, style::kPrimary, style::kPrimaryFill, tr("scales"));
    m_compareBars = makeBars(m_plot, style::kCompare, style::kCompareFill, tr("compare"));
    connect(m_plot, &QCustomPlot::mouseMove, this, &BlockScaleView::onMouseMove);
}

void BlockScaleView::setController(ExplorerController* controller)
{
    m_controller = followResults(this, m_controller, controller, &BlockScaleView::refresh);
    if (m_controller != nullptr) {
        refresh();
    }
}

void BlockScaleView::refresh()
{
    const auto& result = m_controller->result();
    const auto& compare = m_controller->compareResult();
    const auto histogramOf = [](const std::optional<QuantResult>& r) {
        return r && r->valid() && r->slices ? r->slices->scaleHistogram : Histogram{};
    };
    m_primary = histogramOf(result);
    m_compare = m_controller->compareSchemeId().isEmpty() ? Histogram{} : histogramOf(compare);
    const std::int64_t zeros =
        result && result->valid() && result->slices ? result->slices->zeroScales : 0;
    showBars(m_primary, m_bars);
    showBars(m_compare, m_compareBars);

    QString title = tr("<b>Block scales</b> log2 of each block's (channel's, group's) scale");
    if (result && result->valid() && result->slices) {
        title +=
            tr(": %1 %2s").arg(result->slices->blocks.size()).arg(m_controller->focusSliceKind());
        if (zeros > 0) {
            title += tr(", %1 with scale 0").arg(zeros);
        }
    } else if (result && result->valid()) {
        title += tr(" — one scale for the whole tensor; choose a block-scaled scheme or a "
                    "per-channel or per-group granularity");
    }
    m_title->setText(title);

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
        m_plot->xAxis->setRange(lo - 0.5, hi + 0.5);
    }
    m_plot->yAxis->setRange(kLogFloor, top * 2.0);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QString BlockScaleView::hoverText(double log2Scale) const
{
    if (m_primary.counts.empty() || log2Scale < m_primary.edges.front() ||
        log2Scale >= m_primary.edges.back()) {
        return {};
    }
    const auto bin =
        std::size_t(std::upper_bound(m_primary.edges.begin(), m_primary.edges.end(), log2Scale) -
                    m_primary.edges.begin() - 1);
    const double total =
        double(std::accumulate(m_primary.counts.begin(), m_primary.counts.end(), std::int64_t{0}));
    const double a = m_primary.edges[bin];
    const double b = m_primary.edges[bin + 1];
    return tr("scale 2^%1 … 2^%2 (%3 … %4): %5 blocks (%6%)")
        .arg(a, 0, 'g', 4)
        .arg(b, 0, 'g', 4)
        .arg(std::exp2(a), 0, 'g', 4)
        .arg(std::exp2(b), 0, 'g', 4)
        .arg(m_primary.counts[bin])
        .arg(100.0 * double(m_primary.counts[bin]) / total, 0, 'f', 2);
}

void BlockScaleView::onMouseMove(QMouseEvent* event)
{
    const QString text = hoverText(m_plot->xAxis->pixelToCoord(event->position().x()));
    if (text.isEmpty()) {
        QToolTip::hideText();
    } else {
        QToolTip::showText(event->globalPosition().toPoint(), text, m_plot);
    }
}

} // namespace quantscope
