#include "metrics_view.h"

#include "explorer_controller.h"
#include "plot_style.h"

#include "quantscope/scheme.h"

#include <QGridLayout>
#include <QLabel>

namespace quantscope {
namespace {

const char* const kMetricNames[] = {
    "MSE",         "RMSE",    "SQNR (dB)",        "max |error|",    "mean error", "entropy (bits)",
    "levels used", "clipped", "weighted entropy", "bits per weight"};
constexpr int kMetricCount = int(std::size(kMetricNames));

// Levels used out of those available: the codebook's, or the codes a block format can write.
QString levelsText(const QuantResult& r)
{
    if (r.hasCodebook()) {
        return QStringLiteral("%1 / %2").arg(r.metrics.levelsUsed).arg(r.codebook.levelCount());
    }
    if (r.slices && r.slices->codeRange) {
        const auto [low, high] = *r.slices->codeRange;
        return QStringLiteral("%1 / %2").arg(r.metrics.levelsUsed).arg(qint64(high) - low + 1);
    }
    return QString::number(r.metrics.levelsUsed);
}

QStringList metricTexts(const QuantResult& r)
{
    const Metrics& m = r.metrics;
    const auto g = [](double v) { return QString::number(v, 'g', 6); };
    return {g(m.mse),
            g(m.rmse),
            m.sqnrDb ? QString::number(*m.sqnrDb, 'f', 2) : QStringLiteral("∞"),
            g(m.maxAbsError),
            g(m.meanError),
            QString::number(m.entropyBits, 'f', 4),
            levelsText(r),
            QStringLiteral("%1%").arg(m.clippedFraction * 100.0, 0, 'f', 4),
            m.weightedEntropy ? g(*m.weightedEntropy) : QStringLiteral("—"),
            QString::number(r.bitsPerWeight, 'f', 4)};
}

} // namespace

MetricsView::MetricsView(ExplorerController* controller, QWidget* parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_grid(new QGridLayout(this))
{
    setObjectName(QStringLiteral("metricsView"));
    m_grid->setContentsMargins(4, 4, 4, 4);
    m_grid->setVerticalSpacing(2);
    for (int column = 0; column < 2; ++column) {
        m_header[column] = new QLabel(this);
        m_header[column]->setStyleSheet(
            QStringLiteral("font-weight: bold; color: %1")
                .arg((column == 0 ? style::kPrimary : style::kCompare).name()));
        m_grid->addWidget(m_header[column], 0, column + 1);
    }
    for (int row = 0; row < kMetricCount; ++row) {
        m_grid->addWidget(new QLabel(tr(kMetricNames[row]), this), row + 1, 0);
        for (int column = 0; column < 2; ++column) {
            auto* cell = new QLabel(this);
            cell->setTextInteractionFlags(Qt::TextSelectableByMouse);
            cell->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_grid->addWidget(cell, row + 1, column + 1);
            m_cells[column].push_back(cell);
        }
    }
    m_grid->setColumnStretch(1, 1);
    m_grid->setColumnStretch(2, 1);
    m_grid->setRowStretch(kMetricCount + 1, 1); // rows stay together at the top
    connect(controller, &ExplorerController::resultChanged, this, &MetricsView::refresh);
    connect(controller, &ExplorerController::compareSchemeChanged, this, &MetricsView::refresh);
    refresh();
}

QString MetricsView::text(int row, int column) const
{
    return m_cells[column].at(row)->text();
}

void MetricsView::fill(int column, const std::optional<QuantResult>& result)
{
    const bool shown = result.has_value();
    m_header[column]->setVisible(shown);
    for (QLabel* cell : m_cells[column]) {
        cell->setVisible(shown);
        cell->clear();
    }
    if (!shown) {
        return;
    }
    const Scheme* scheme = findScheme(result->schemeId);
    m_header[column]->setText(scheme ? QString::fromStdString(scheme->id()) : QString());
    if (!result->valid()) {
        m_cells[column][0]->setText(QString::fromStdString(result->error));
        m_cells[column][0]->setWordWrap(true);
        return;
    }
    const QStringList texts = metricTexts(*result);
    for (int row = 0; row < kMetricCount; ++row) {
        m_cells[column][row]->setText(texts[row]);
    }
}

void MetricsView::refresh()
{
    fill(0, m_controller->result());
    fill(1,
         m_controller->compareSchemeId().isEmpty() ? std::nullopt : m_controller->compareResult());
}

} // namespace quantscope
