#include "bit_budget_panel.h"

#include "explorer_controller.h"
#include "plot_style.h"

#include "quantscope/errors.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace quantscope {
namespace {

constexpr double kMinBudget = 1.0;
constexpr double kMaxBudget = 9.0;
constexpr double kDefaultBudget = 4.5;
constexpr int kSliderSteps = 100; // per bit
const QString kDefaultScheme = QStringLiteral("symmetric");

} // namespace

BitBudgetPanel::BitBudgetPanel(QWidget* parent)
    : QWidget(parent)
    , m_scheme(new QComboBox(this))
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_spin(new QDoubleSpinBox(this))
    , m_summary(new QLabel(this))
    , m_plot(new QCustomPlot(this))
{
    m_scheme->setObjectName(QStringLiteral("budgetScheme"));
    m_scheme->setToolTip(tr("The scheme whose bit width is chosen per tensor"));
    m_scheme->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_slider->setObjectName(QStringLiteral("budgetSlider"));
    m_slider->setRange(int(kMinBudget * kSliderSteps), int(kMaxBudget * kSliderSteps));
    m_slider->setToolTip(tr("Average bits per weight the model may use"));
    m_spin->setObjectName(QStringLiteral("budgetSpin"));
    m_spin->setRange(kMinBudget, kMaxBudget);
    m_spin->setDecimals(2);
    m_spin->setSingleStep(0.05);
    m_spin->setSuffix(tr(" bpw"));
    m_summary->setObjectName(QStringLiteral("budgetSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_plot->setObjectName(QStringLiteral("allocationPlot"));
    style::applyPlotStyle(m_plot);
    m_plot->xAxis->setLabel(tr("tensors in file order"));
    m_plot->yAxis->setLabel(tr("bits"));

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Budget"), this));
    controls->addWidget(m_slider, 1);
    controls->addWidget(m_spin);
    controls->addWidget(m_scheme);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(
        new QLabel(tr("<b>Bit budget</b> the best bits per tensor for a model size"), this));
    layout->addLayout(controls);
    layout->addWidget(m_summary);
    layout->addWidget(m_plot, 1);

    connect(m_slider, &QSlider::valueChanged, this,
            [this](int value) { setBudget(double(value) / kSliderSteps); });
    connect(m_spin, &QDoubleSpinBox::valueChanged, this, &BitBudgetPanel::setBudget);
    connect(m_scheme, &QComboBox::currentTextChanged, this, &BitBudgetPanel::request);
    connect(&m_watcher, &QFutureWatcher<Outcome>::finished, this, &BitBudgetPanel::onFinished);
    setBudget(kDefaultBudget);
}

BitBudgetPanel::~BitBudgetPanel()
{
    m_watcher.waitForFinished();
}

double BitBudgetPanel::budget() const
{
    return m_spin->value();
}

QString BitBudgetPanel::scheme() const
{
    return m_scheme->currentText();
}

void BitBudgetPanel::setReport(const ModelReport* report)
{
    m_report = report;
    QStringList schemes;
    for (const std::string& id : report ? report->schemes : std::vector<std::string>{}) {
        schemes << QString::fromStdString(id);
    }
    QStringList shown;
    for (int i = 0; i < m_scheme->count(); ++i) {
        shown << m_scheme->itemText(i);
    }
    if (shown != schemes) {
        const QSignalBlocker block(m_scheme);
        const QString current = m_scheme->currentText();
        m_scheme->clear();
        m_scheme->addItems(schemes);
        m_scheme->setCurrentText(current.isEmpty() ? kDefaultScheme : current);
    }
    request();
}

void BitBudgetPanel::setScheme(const QString& scheme)
{
    m_scheme->setCurrentText(scheme);
}

void BitBudgetPanel::setBudget(double bitsPerWeight)
{
    const QSignalBlocker blockSlider(m_slider);
    const QSignalBlocker blockSpin(m_spin);
    m_slider->setValue(int(std::lround(bitsPerWeight * kSliderSteps)));
    m_spin->setValue(bitsPerWeight);
    request();
}

void BitBudgetPanel::request()
{
    if (m_watcher.isRunning()) {
        m_pending = true; // the latest request runs when this one is done
        return;
    }
    start();
}

void BitBudgetPanel::start()
{
    m_pending = false;
    if (m_report == nullptr || m_report->tensors.empty() || scheme().isEmpty()) {
        m_allocation.reset();
        m_error.clear();
        showAllocation();
        return;
    }
    // A copy: the report grows on the UI thread while the allocation runs.
    m_watcher.setFuture(QtConcurrent::run(
        ExplorerController::workPool(),
        [report = *m_report, scheme = scheme().toStdString(), budget = budget()]() -> Outcome {
            try {
                return {allocateBits(report, scheme, budget), {}};
            } catch (const std::exception& e) {
                return {std::nullopt, QString::fromUtf8(e.what())};
            }
        }));
}

void BitBudgetPanel::onFinished()
{
    const Outcome outcome = m_watcher.result();
    m_allocation = outcome.allocation;
    m_error = outcome.error;
    if (m_pending) {
        start();
        return;
    }
    showAllocation();
    emit allocationChanged();
}

void BitBudgetPanel::showAllocation()
{
    m_plot->clearPlottables();
    if (!m_allocation) {
        m_summary->setText(m_error.isEmpty() ? tr("No tensors reported yet")
                                             : m_error.section(QStringLiteral(": "), 1));
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const BitAllocation& a = *m_allocation;
    const auto sqnr = [](const std::optional<double>& value) {
        return value ? QString::number(*value, 'f', 2) : QStringLiteral("∞");
    };
    QString text = tr("<b>%1 bpw</b> on average · model SQNR <b>%2 dB</b> · %3 MB")
                       .arg(a.averageBits, 0, 'f', 3)
                       .arg(sqnr(a.sqnrDb))
                       .arg(a.bytes / 1e6, 0, 'g', 4);
    if (a.uniformBits) {
        text += tr("<br>uniform %1 bits: %2 dB · gain <b>%3 dB</b>")
                    .arg(*a.uniformBits)
                    .arg(sqnr(a.uniformSqnrDb))
                    .arg(a.sqnrDb && a.uniformSqnrDb
                             ? QString::number(*a.sqnrDb - *a.uniformSqnrDb, 'f', 2)
                             : QStringLiteral("—"));
    } else {
        text += tr("<br>no uniform bit width fits this budget");
    }
    m_summary->setText(text);
    auto* bars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    bars->setName(tr("bits"));
    bars->setWidth(0.8);
    bars->setPen(Qt::NoPen);
    bars->setBrush(style::kDataFill);
    QVector<double> x;
    QVector<double> bits;
    for (std::size_t i = 0; i < a.tensors.size(); ++i) {
        x << double(i);
        bits << a.tensors[i].bpw;
    }
    bars->setData(x, bits, true);
    m_plot->xAxis->setRange(-0.5, std::max<double>(double(x.size()) - 0.5, 0.5));
    m_plot->yAxis->setRange(0, kMaxBudget);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace quantscope
