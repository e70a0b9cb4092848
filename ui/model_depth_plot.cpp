#include "model_depth_plot.h"

#include "plot_style.h"

#include <qcustomplot.h>

#include <QLabel>
#include <QRegularExpression>
#include <QVBoxLayout>

#include <cmath>

namespace quantscope {
namespace {

constexpr int kMaxLayerLabels = 24;
constexpr int kLegendColumns = 6;
const QColor kLayerShade(235, 240, 248);

} // namespace

QString layerOf(const QString& tensorName)
{
    const QStringList parts = tensorName.split(QRegularExpression(QStringLiteral("[./]")));
    static const QRegularExpression digits(QStringLiteral("^\\d+$"));
    for (int i = 0; i < parts.size(); ++i) {
        if (digits.match(parts[i]).hasMatch()) {
            return tensorName.left(int(parts.mid(0, i + 1).join(QLatin1Char('.')).size()));
        }
    }
    // No layer number: the name without its last part ("lm_head.weight" -> "lm_head").
    return parts.size() > 1 ? tensorName.left(tensorName.size() - parts.back().size() - 1)
                            : tensorName;
}

ModelDepthPlot::ModelDepthPlot(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
{
    m_plot->setObjectName(QStringLiteral("modelDepthPlot"));
    style::applyPlotStyle(m_plot);
    m_plot->xAxis->setLabel(tr("tensors in file order, grouped by layer"));
    m_plot->yAxis->setLabel(tr("SQNR (dB)"));
    // The legend sits in a row of its own above the plot: with a curve per scheme it would
    // cover the data anywhere inside.
    m_plot->legend->setVisible(true);
    QFont small = m_plot->font();
    small.setPointSizeF(7.5);
    m_plot->legend->setFont(small);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setWrap(kLegendColumns);
    m_plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
    m_plot->legend->setRowSpacing(0);
    m_plot->axisRect()->insetLayout()->take(m_plot->legend);
    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(0, 0, m_plot->legend);
    m_plot->plotLayout()->setRowStretchFactor(0, 0.001);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("<b>Depth</b> SQNR of every tensor along the model"), this));
    layout->addWidget(m_plot, 1);
}

void ModelDepthPlot::setReport(const ModelReport* report, int bits, const QString& highlighted)
{
    m_report = report;
    m_bits = bits;
    m_highlighted = highlighted;
    rebuild();
}

int ModelDepthPlot::pointCount(const QString& scheme) const
{
    for (int i = 0; i < m_plot->graphCount(); ++i) {
        if (m_plot->graph(i)->name() == scheme) {
            return m_plot->graph(i)->dataCount();
        }
    }
    return 0;
}

void ModelDepthPlot::rebuild()
{
    m_plot->clearGraphs();
    m_plot->clearItems();
    if (m_report == nullptr) {
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    std::vector<const TensorReport*> tensors;
    for (const TensorReport& tensor : m_report->tensors) {
        if (tensor.skipReason.empty()) {
            tensors.push_back(&tensor);
        }
    }
    double low = qInf();
    double high = -qInf();
    for (std::size_t s = 0; s < m_report->schemes.size(); ++s) {
        const QString scheme = QString::fromStdString(m_report->schemes[s]);
        QCPGraph* graph = m_plot->addGraph();
        graph->setName(scheme);
        const bool bold = scheme == m_highlighted;
        graph->setPen(QPen(style::schemeColor(int(s)), bold ? 2.5 : 1.0));
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, bold ? 5 : 3));
        for (std::size_t x = 0; x < tensors.size(); ++x) {
            const ReportResult* result = tensors[x]->find(m_report->schemes[s], m_bits);
            if (result != nullptr && result->metrics && result->metrics->sqnrDb) {
                const double sqnr = *result->metrics->sqnrDb;
                graph->addData(double(x), sqnr);
                low = std::min(low, sqnr);
                high = std::max(high, sqnr);
            }
        }
        if (bold) {
            graph->setLayer(QStringLiteral("overlay")); // above the others
        }
    }

    // Layers: consecutive tensors sharing a prefix, shaded alternately, labelled at their middle.
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    std::vector<std::pair<std::size_t, std::size_t>> layers; // [first, last]
    QStringList names;
    for (std::size_t x = 0; x < tensors.size(); ++x) {
        const QString layer = layerOf(QString::fromStdString(tensors[x]->name));
        if (names.isEmpty() || names.back() != layer) {
            names << layer;
            layers.push_back({x, x});
        }
        layers.back().second = x;
    }
    const int labelEvery = std::max(1, int(layers.size()) / kMaxLayerLabels + 1);
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const auto [first, last] = layers[l];
        if (l % 2 == 1) {
            auto* band = new QCPItemRect(m_plot);
            band->setLayer(QStringLiteral("background"));
            band->topLeft->setTypeX(QCPItemPosition::ptPlotCoords);
            band->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
            band->bottomRight->setTypeX(QCPItemPosition::ptPlotCoords);
            band->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
            band->topLeft->setCoords(double(first) - 0.5, 0.0);
            band->bottomRight->setCoords(double(last) + 0.5, 1.0);
            band->setPen(Qt::NoPen);
            band->setBrush(kLayerShade);
        }
        if (int(l) % labelEvery == 0) {
            ticker->addTick(0.5 * double(first + last), names[int(l)]);
        }
    }
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setTickLabelRotation(layers.size() > 8 ? 30 : 0);
    m_plot->xAxis->setRange(-0.5, std::max<double>(double(tensors.size()) - 0.5, 0.5));
    if (low <= high) {
        const double pad = std::max(1.0, 0.05 * (high - low));
        m_plot->yAxis->setRange(low - pad, high + pad);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace quantscope
