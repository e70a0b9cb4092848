#include "error_profile_view.h"

#include "explorer_controller.h"
#include "plot_style.h"
#include "result_subscription.h"

#include <qcustomplot.h>

#include <QLabel>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace quantscope {
namespace {

constexpr double kHeadroom = 1.1;

double totalSquaredError(const ErrorProfile& profile)
{
    return std::accumulate(profile.sumSquaredError.begin(), profile.sumSquaredError.end(), 0.0);
}

// RMS error per bin (NaN where a bin is empty, so the line breaks).
void showRms(const ErrorProfile& profile, QCPGraph* graph)
{
    graph->data()->clear();
    for (std::size_t k = 0; k < profile.counts.size(); ++k) {
        const double center = 0.5 * (profile.edges[k] + profile.edges[k + 1]);
        const double rms = profile.counts[k] > 0
                               ? std::sqrt(profile.sumSquaredError[k] / double(profile.counts[k]))
                               : std::nan("");
        graph->addData(center, rms);
    }
}

} // namespace

ErrorProfileView::ErrorProfileView(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
{
    setObjectName(QStringLiteral("errorProfileView"));
    m_plot->setObjectName(QStringLiteral("errorProfilePlot"));
    style::applyPlotStyle(m_plot);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* title = new QLabel(tr("<b>Error against |x|</b> each |x| bin's share of the "
                                "squared error (bars) and its RMS error (lines)"),
                             this);
    title->setWordWrap(true); // a long title must not widen the plots' column
    layout->addWidget(title);
    layout->addWidget(m_plot, 1);
    m_plot->xAxis->setLabel(tr("|x|"));
    m_plot->yAxis->setLabel(tr("share of squared error (%)"));
    m_plot->yAxis2->setVisible(true);
    m_plot->yAxis2->setLabel(tr("RMS error"));
    m_share = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    m_share->setName(tr("share of squared error"));
    m_share->setPen(QPen(style::kPrimary, 1));
    m_share->setBrush(style::kPrimaryFill);
    m_share->setWidthType(QCPBars::wtPlotCoords);
    m_share->setAntialiased(false);
    m_share->setAntialiasedFill(false);
    m_rms = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
    m_rms->setName(tr("RMS error"));
    m_rms->setPen(QPen(style::kError, 1.5));
    m_compareRms = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
    m_compareRms->setName(tr("compare RMS error"));
    m_compareRms->setPen(QPen(style::kCompare, 1.5));
    connect(m_plot, &QCustomPlot::mouseMove, this, &ErrorProfileView::onMouseMove);
}

void ErrorProfileView::setController(ExplorerController* controller)
{
    m_controller = followResults(this, m_controller, controller, &ErrorProfileView::refresh);
    if (m_controller != nullptr) {
        refresh();
    }
}

void ErrorProfileView::refresh()
{
    const auto& result = m_controller->result();
    const auto& compare = m_controller->compareResult();
    m_profile = result && result->valid() ? result->errorProfile : ErrorProfile{};
    const ErrorProfile compareProfile =
        compare && compare->valid() && !m_controller->compareSchemeId().isEmpty()
            ? compare->errorProfile
            : ErrorProfile{};
    m_share->data()->clear();
    const double total = totalSquaredError(m_profile);
    double top = 1.0;
    if (!m_profile.counts.empty()) {
        for (std::size_t k = 0; k < m_profile.counts.size(); ++k) {
            const double share = total > 0 ? 100.0 * m_profile.sumSquaredError[k] / total : 0.0;
            m_share->addData(0.5 * (m_profile.edges[k] + m_profile.edges[k + 1]), share);
            top = std::max(top, share);
        }
        m_share->setWidth(m_profile.edges[1] - m_profile.edges[0]);
        m_plot->xAxis->setRange(m_profile.edges.front(), m_profile.edges.back());
    }
    showRms(m_profile, m_rms);
    showRms(compareProfile, m_compareRms);
    m_plot->yAxis->setRange(0, top * kHeadroom);
    bool found = false;
    const QCPRange rms = m_rms->getValueRange(found);
    bool compareFound = false;
    const QCPRange compareRms = m_compareRms->getValueRange(compareFound);
    const double high = std::max(found ? rms.upper : 0.0, compareFound ? compareRms.upper : 0.0);
    m_plot->yAxis2->setRange(0, high > 0 ? high * kHeadroom : 1.0);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QString ErrorProfileView::hoverText(double absX) const
{
    if (m_profile.counts.empty() || absX < m_profile.edges.front() ||
        absX > m_profile.edges.back()) {
        return {};
    }
    const auto k = std::min(
        m_profile.counts.size() - 1,
        std::size_t(std::upper_bound(m_profile.edges.begin(), m_profile.edges.end(), absX) -
                    m_profile.edges.begin() - 1));
    const double total = totalSquaredError(m_profile);
    const double rms = m_profile.counts[k] > 0
                           ? std::sqrt(m_profile.sumSquaredError[k] / double(m_profile.counts[k]))
                           : 0.0;
    return tr("|x| in [%1, %2): %3 values, %4% of the squared error, RMS error %5")
        .arg(m_profile.edges[k], 0, 'g', 6)
        .arg(m_profile.edges[k + 1], 0, 'g', 6)
        .arg(m_profile.counts[k])
        .arg(total > 0 ? 100.0 * m_profile.sumSquaredError[k] / total : 0.0, 0, 'f', 2)
        .arg(rms, 0, 'g', 6);
}

void ErrorProfileView::onMouseMove(QMouseEvent* event)
{
    const QString text = hoverText(m_plot->xAxis->pixelToCoord(event->position().x()));
    if (text.isEmpty()) {
        QToolTip::hideText();
    } else {
        QToolTip::showText(event->globalPosition().toPoint(), text, m_plot);
    }
}

} // namespace quantscope
