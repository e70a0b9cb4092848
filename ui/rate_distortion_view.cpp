#include "rate_distortion_view.h"

#include "plot_style.h"

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

constexpr double kHoverPixels = 8.0;
constexpr double kMargin = 0.06;
constexpr double kBitsPad = 0.3;
constexpr int kLegendEntryPadding = 12; // an entry's own margins
constexpr int kLegendIconWidth = 16;
constexpr int kLegendIconHeight = 8;
// Side information can make a point's bits per weight large (a table per small group); the axis
// stops at twice the largest bit width.
constexpr double kMaxShownBits = ExplorerController::kRateDistortionMaxBits;

} // namespace

RateDistortionView::RateDistortionView(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
{
    setObjectName(QStringLiteral("rateDistortionView"));
    m_plot->setObjectName(QStringLiteral("rateDistortionPlot"));
    style::applyPlotStyle(m_plot);
    // Bits are few and discrete: no zooming needed, and a drag would lose the curves.
    m_plot->setInteractions({});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_title = new QLabel(tr("<b>Rate–distortion</b> SQNR against bits per weight"), this);
    m_title->setObjectName(QStringLiteral("rateDistortionTitle"));
    m_title->setWordWrap(true);
    layout->addWidget(m_title);
    layout->addWidget(m_plot, 1);
    m_plot->xAxis->setLabel(tr("bits per weight (codes + scales)"));
    m_plot->yAxis->setLabel(tr("SQNR (dB)"));
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setRange(1 - kBitsPad, ExplorerController::kRateDistortionMaxBits + kBitsPad);
    // The legend sits under the plot in as many columns as fit, never over the curves.
    m_plot->legend->setVisible(true);
    m_plot->legend->setIconSize(kLegendIconWidth, kLegendIconHeight);
    QFont small = m_plot->font();
    small.setPointSizeF(7.0);
    m_plot->legend->setFont(small);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setRowSpacing(0);
    m_plot->legend->setColumnSpacing(6);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->axisRect()->insetLayout()->take(m_plot->legend);
    m_plot->plotLayout()->addElement(1, 0, m_plot->legend);
    m_plot->plotLayout()->setRowStretchFactor(1, 0.001);
    m_plot->plotLayout()->setRowSpacing(0);
    m_plot->legend->setMargins(QMargins(4, 0, 4, 2));

    m_current = m_plot->addGraph();
    m_current->setName(tr("current"));
    m_current->setLineStyle(QCPGraph::lsNone);
    m_current->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(style::kMarker, 2), Qt::NoBrush, 13));
    m_current->removeFromLegend();
    // Its own layer keeps the mark above curves added later.
    m_plot->addLayer(QStringLiteral("marks"), m_plot->layer(QStringLiteral("main")),
                     QCustomPlot::limAbove);
    m_current->setLayer(QStringLiteral("marks"));
    connect(m_plot, &QCustomPlot::mouseMove, this, &RateDistortionView::onMouseMove);
}

void RateDistortionView::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    fitLegend();
}

void RateDistortionView::fitLegend()
{
    // As many columns as the widest entry allows.
    int widest = 0;
    for (int i = 0; i < m_plot->legend->itemCount(); ++i) {
        if (const QCPAbstractLegendItem* item = m_plot->legend->item(i)) { // cells may be empty
            widest = std::max(widest, item->minimumOuterSizeHint().width());
        }
    }
    const int entry = widest + m_plot->legend->columnSpacing();
    const QMargins margins = m_plot->legend->margins();
    const int room = m_plot->width() - margins.left() - margins.right() - kLegendEntryPadding;
    const int columns = std::max(1, room / std::max(1, entry));
    if (columns != m_plot->legend->wrap()) {
        m_plot->legend->setWrap(columns);
        // A new wrap only applies when the grid is refilled.
        m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    }
}

void RateDistortionView::setController(ExplorerController* controller)
{
    if (m_controller != nullptr) {
        disconnect(m_controller, nullptr, this, nullptr);
    }
    m_controller = controller;
    if (controller == nullptr) {
        return;
    }
    connect(controller, &ExplorerController::rateDistortionChanged, this,
            [this] { setRateDistortion(m_controller->rateDistortion()); });
    connect(controller, &ExplorerController::resultChanged, this,
            &RateDistortionView::refreshCurrent);
    connect(controller, &ExplorerController::loadFinished, this, [this] {
        setRateDistortion(m_controller->rateDistortion());
        refreshCurrent();
    });
    setRateDistortion(controller->rateDistortion());
    refreshCurrent();
}

void RateDistortionView::refreshCurrent()
{
    const auto& result = m_controller->result();
    std::optional<double> sqnr;
    if (result && result->valid()) {
        sqnr = result->metrics.sqnrDb;
    }
    setCurrent(m_controller->schemeId(), result && result->valid() ? result->bitsPerWeight : 0.0,
               sqnr);
}

void RateDistortionView::setRateDistortion(const RateDistortion& curves)
{
    for (QCPGraph* graph : m_graphs) {
        m_plot->removeGraph(graph);
    }
    m_graphs.clear();
    m_curves = curves;
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    double left = 1.0;
    double right = ExplorerController::kRateDistortionMaxBits;
    for (std::size_t i = 0; i < m_curves.curves.size(); ++i) {
        const RateDistortion::Curve& curve = m_curves.curves[i];
        QCPGraph* graph = m_plot->addGraph();
        const QColor color = style::schemeColor(int(i));
        graph->setName(QString::fromStdString(curve.schemeId));
        graph->setPen(QPen(color, 1.2));
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, color, 4));
        // Points in order of bits per weight, joined; several block formats may share one.
        std::vector<std::size_t> order(curve.bits.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return curve.bitsPerWeight[a] < curve.bitsPerWeight[b];
        });
        QVector<double> keys;
        QVector<double> values;
        for (std::size_t k : order) {
            keys.push_back(curve.bitsPerWeight[k]);
            values.push_back(curve.sqnrDb[k]);
            left = std::min(left, curve.bitsPerWeight[k]);
            right = std::max(right, curve.bitsPerWeight[k]);
        }
        graph->setData(keys, values, true);
        for (double v : values) {
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
        m_graphs.push_back(graph);
    }
    if (lo <= hi) {
        const double pad = std::max((hi - lo) * kMargin, 1.0);
        m_plot->yAxis->setRange(lo - pad, hi + pad);
    }
    m_plot->xAxis->setRange(left - kBitsPad, std::min(right, 2.0 * kMaxShownBits) + kBitsPad);
    QString title = tr("<b>Rate–distortion</b> SQNR against bits per weight");
    if (!m_curves.granularity.isPerTensor()) {
        title += tr(", %1").arg(QString::fromStdString(m_curves.granularity.describe()));
    }
    QStringList leftOut;
    for (const auto& id : m_curves.leftOut) {
        leftOut << QString::fromStdString(id);
    }
    if (!leftOut.isEmpty()) {
        title += tr(" (%1 slow per-slice schemes not swept)").arg(leftOut.size());
    }
    m_title->setText(title);
    m_title->setToolTip(leftOut.isEmpty()
                            ? QString()
                            : tr("Not swept per slice (a Distribution and a design per slice take "
                                 "seconds): %1; the comparison table has them")
                                  .arg(leftOut.join(QStringLiteral(", "))));
    m_plot->legend->setWrap(0); // refit to the new names
    fitLegend();
    emphasizeCurrent();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void RateDistortionView::setCurrent(const QString& schemeId, double bitsPerWeight,
                                    std::optional<double> sqnrDb)
{
    m_currentScheme = schemeId;
    m_current->data()->clear();
    if (sqnrDb && std::isfinite(*sqnrDb)) {
        m_current->addData(bitsPerWeight, *sqnrDb);
    }
    emphasizeCurrent();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void RateDistortionView::emphasizeCurrent()
{
    for (std::size_t i = 0; i < m_graphs.size(); ++i) {
        QPen pen = m_graphs[i]->pen();
        const bool current = QString::fromStdString(m_curves.curves[i].schemeId) == m_currentScheme;
        pen.setWidthF(current ? 3.0 : 1.2);
        m_graphs[i]->setPen(pen);
    }
}

QCPGraph* RateDistortionView::curveGraph(const QString& schemeId) const
{
    for (std::size_t i = 0; i < m_graphs.size(); ++i) {
        if (QString::fromStdString(m_curves.curves[i].schemeId) == schemeId) {
            return m_graphs[i];
        }
    }
    return nullptr;
}

QString RateDistortionView::hoverText(double pixelX, double pixelY) const
{
    QStringList lines;
    for (const RateDistortion::Curve& curve : m_curves.curves) {
        for (std::size_t j = 0; j < curve.bits.size(); ++j) {
            const double dx = m_plot->xAxis->coordToPixel(curve.bitsPerWeight[j]) - pixelX;
            const double dy = m_plot->yAxis->coordToPixel(curve.sqnrDb[j]) - pixelY;
            if (std::hypot(dx, dy) <= kHoverPixels) {
                lines << tr("%1 at %2 bits (%3 bits per weight): SQNR %4 dB")
                             .arg(QString::fromStdString(curve.displayName))
                             .arg(curve.bits[j])
                             .arg(curve.bitsPerWeight[j], 0, 'f', 3)
                             .arg(curve.sqnrDb[j], 0, 'f', 3);
            }
        }
    }
    return lines.join(QLatin1Char('\n'));
}

void RateDistortionView::onMouseMove(QMouseEvent* event)
{
    const QString text = hoverText(event->position().x(), event->position().y());
    if (text.isEmpty()) {
        QToolTip::hideText();
    } else {
        QToolTip::showText(event->globalPosition().toPoint(), text, m_plot);
    }
}

} // namespace quantscope
