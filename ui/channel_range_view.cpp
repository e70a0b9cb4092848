#include "channel_range_view.h"

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

constexpr double kMargin = 0.05;
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

QString number(double value)
{
    return QString::number(value, 'g', 7);
}

QCPGraph* makeStep(QCustomPlot* plot, const QPen& pen, const QString& name)
{
    QCPGraph* graph = plot->addGraph();
    graph->setName(name);
    graph->setPen(pen);
    graph->setLineStyle(QCPGraph::lsStepCenter);
    graph->setAdaptiveSampling(true);
    return graph;
}

// The quantizer's range over each channel of `channels`: one range for a codebook; the slices'
// own ranges when they are these channels; else the envelope of the blocks in each channel.
void quantizerRanges(const QuantResult& result, const SliceLayout& channels,
                     std::vector<double>& low, std::vector<double>& high,
                     std::vector<double>& scale)
{
    const auto n = static_cast<std::size_t>(channels.sliceCount());
    low.assign(n, kNan);
    high.assign(n, kNan);
    scale.assign(n, kNan);
    if (result.hasCodebook()) {
        std::fill(low.begin(), low.end(), result.codebook.levels.front());
        std::fill(high.begin(), high.end(), result.codebook.levels.back());
        if (result.codebook.linear) {
            std::fill(scale.begin(), scale.end(), result.codebook.linear->scale);
        }
        return;
    }
    if (!result.slices) {
        return;
    }
    const SliceLayout& layout = result.slices->layout();
    const auto& blocks = result.slices->blocks;
    const bool same = layout.isPerChannel() && layout.axis() == channels.axis() &&
                      layout.sliceCount() == channels.sliceCount();
    for (std::int64_t b = 0; b < std::int64_t(blocks.size()); ++b) {
        const std::int64_t c = same ? b : channels.sliceOf(layout.sliceStart(b));
        low[c] = std::isnan(low[c]) ? blocks[b].low : std::min(low[c], double(blocks[b].low));
        high[c] = std::isnan(high[c]) ? blocks[b].high : std::max(high[c], double(blocks[b].high));
        if (same) {
            scale[c] = blocks[b].scale;
        }
    }
}

} // namespace

ChannelRangeView::ChannelRangeView(QWidget* parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_plot(new QCustomPlot(this))
{
    setObjectName(QStringLiteral("channelRangeView"));
    m_plot->setObjectName(QStringLiteral("channelRangePlot"));
    m_title->setObjectName(QStringLiteral("channelRangeTitle"));
    m_title->setWordWrap(true);
    style::applyPlotStyle(m_plot);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_plot, 1);
    m_plot->xAxis->setLabel(tr("channel"));
    m_plot->yAxis->setLabel(tr("value"));

    m_max = makeStep(m_plot, QPen(style::kData, 1), tr("channel max"));
    m_min = makeStep(m_plot, QPen(style::kData, 1), tr("channel min"));
    m_max->setBrush(style::kDataFill);
    m_max->setChannelFillGraph(m_min);
    m_rangeHigh = makeStep(m_plot, QPen(style::kPrimaryBoundary, 1), tr("quantizer range"));
    m_rangeLow = makeStep(m_plot, QPen(style::kPrimaryBoundary, 1), tr("quantizer range (low)"));
    m_outliers = m_plot->addGraph();
    m_outliers->setName(tr("outlier channels"));
    m_outliers->setLineStyle(QCPGraph::lsNone);
    m_outliers->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(style::kError, 1.5), Qt::NoBrush, 7));
    m_plot->legend->setVisible(true);
    QFont small = m_plot->font();
    small.setPointSizeF(7.5);
    m_plot->legend->setFont(small);
    m_rangeLow->removeFromLegend();
    m_min->removeFromLegend();
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    connect(m_plot, &QCustomPlot::mouseMove, this, &ChannelRangeView::onMouseMove);
    connect(m_plot, &QCustomPlot::mousePress, this,
            [this](QMouseEvent* event) { m_pressX = event->position().x(); });
    connect(m_plot, &QCustomPlot::mouseRelease, this, &ChannelRangeView::onMouseRelease);
}

void ChannelRangeView::setController(ExplorerController* controller)
{
    m_controller = followResults(this, m_controller, controller, &ChannelRangeView::refresh);
    if (m_controller != nullptr) {
        connect(m_controller, &ExplorerController::channelRangesChanged, this,
                &ChannelRangeView::refresh);
        refresh();
    }
}

void ChannelRangeView::refresh()
{
    for (QCPGraph* graph : {m_min, m_max, m_rangeLow, m_rangeHigh, m_outliers}) {
        graph->data()->clear();
    }
    m_low.clear();
    m_high.clear();
    m_scale.clear();
    const auto tensor = m_controller->tensor();
    const ChannelRanges& ranges = m_controller->channelRanges();
    if (!tensor || tensor->shape().size() < 2 || ranges.ranges.empty()) {
        m_title->setText(tr("<b>Channel ranges</b> — a tensor of one axis has no channels"));
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const SliceLayout channels = SliceLayout::perChannel(tensor->shape(), ranges.axis);
    const auto& result = m_controller->result();
    if (result && result->valid()) {
        quantizerRanges(*result, channels, m_low, m_high, m_scale);
    }

    const auto count = static_cast<int>(ranges.ranges.size());
    QVector<double> keys(count);
    QVector<double> mins(count);
    QVector<double> maxs(count);
    std::vector<double> peaks;
    for (int c = 0; c < count; ++c) {
        const SliceRange& r = ranges.ranges[c];
        keys[c] = c;
        mins[c] = r.count > 0 ? r.min : kNan;
        maxs[c] = r.count > 0 ? r.max : kNan;
        if (r.count > 0) {
            peaks.push_back(std::max(std::abs(double(r.min)), std::abs(double(r.max))));
        }
    }
    m_min->setData(keys, mins, true);
    m_max->setData(keys, maxs, true);
    if (!m_low.empty()) {
        m_rangeLow->setData(keys, QVector<double>(m_low.begin(), m_low.end()), true);
        m_rangeHigh->setData(keys, QVector<double>(m_high.begin(), m_high.end()), true);
    }
    int outliers = 0;
    if (!peaks.empty()) {
        std::nth_element(peaks.begin(), peaks.begin() + peaks.size() / 2, peaks.end());
        const double limit = kOutlierFactor * peaks[peaks.size() / 2];
        for (int c = 0; c < count; ++c) {
            const SliceRange& r = ranges.ranges[c];
            const double peak = std::max(std::abs(double(r.min)), std::abs(double(r.max)));
            if (r.count > 0 && limit > 0 && peak > limit) {
                m_outliers->addData(c, std::abs(r.max) >= std::abs(r.min) ? r.max : r.min);
                ++outliers;
            }
        }
    }
    m_title->setText(tr("<b>Channel ranges</b> along axis %1: each channel's min and max (band) "
                        "and the quantizer's range (orange); %2 outlier channels (max |x| > "
                        "%3 × the median)")
                         .arg(ranges.axis)
                         .arg(outliers)
                         .arg(kOutlierFactor));
    m_plot->xAxis->setRange(-0.5, count - 0.5);
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (const QVector<double>* series : {&mins, &maxs}) {
        for (double v : *series) {
            if (!std::isnan(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
    }
    for (const std::vector<double>* series : {&m_low, &m_high}) {
        for (double v : *series) {
            if (!std::isnan(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
    }
    if (lo <= hi) {
        const double pad = std::max((hi - lo) * kMargin, 1e-12);
        m_plot->yAxis->setRange(lo - pad, hi + pad);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

int ChannelRangeView::channelAt(double pixelX) const
{
    const auto count = static_cast<int>(m_controller->channelRanges().ranges.size());
    const int c = static_cast<int>(std::lround(m_plot->xAxis->pixelToCoord(pixelX)));
    return c >= 0 && c < count ? c : -1;
}

QString ChannelRangeView::hoverText(double pixelX) const
{
    const int c = channelAt(pixelX);
    if (c < 0) {
        return {};
    }
    const ChannelRanges& ranges = m_controller->channelRanges();
    const SliceRange& r = ranges.ranges[c];
    QString text = tr("channel %1 (axis %2): ").arg(c).arg(ranges.axis);
    text += r.count > 0 ? tr("min %1, max %2").arg(number(r.min), number(r.max))
                        : tr("no finite values");
    if (c < int(m_low.size()) && !std::isnan(m_low[c])) {
        text += tr("\nquantizer range [%1, %2]").arg(number(m_low[c]), number(m_high[c]));
        if (!std::isnan(m_scale[c])) {
            text += tr(", scale %1").arg(number(m_scale[c]));
        }
    }
    return text;
}

void ChannelRangeView::onMouseMove(QMouseEvent* event)
{
    const QString text = hoverText(event->position().x());
    if (text.isEmpty()) {
        QToolTip::hideText();
    } else {
        QToolTip::showText(event->globalPosition().toPoint(), text, m_plot);
    }
}

void ChannelRangeView::onMouseRelease(QMouseEvent* event)
{
    // Only a click (not the end of a drag) on a channel the histogram can show.
    constexpr double kClickPixels = 4.0;
    if (std::abs(event->position().x() - m_pressX) > kClickPixels) {
        return;
    }
    const int c = channelAt(event->position().x());
    const auto layout = m_controller->focusLayout();
    if (c >= 0 && layout && layout->isPerChannel() &&
        layout->axis() == m_controller->channelRanges().axis &&
        layout->sliceCount() == std::int64_t(m_controller->channelRanges().ranges.size())) {
        m_controller->setFocusSlice(c);
    }
}

} // namespace quantscope
