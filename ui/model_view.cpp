#include "model_view.h"

#include "bit_budget_panel.h"
#include "explorer_controller.h"
#include "export_actions.h"
#include "model_depth_plot.h"
#include "model_report_job.h"
#include "model_table_model.h"

#include "quantscope/atomic_write.h"
#include "quantscope/report_io.h"

#include <qcustomplot.h>

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace quantscope {
namespace {

constexpr int kPlotRefreshMs = 150; // plots redraw at most this often while tensors arrive
constexpr int kMinBits = 2;
constexpr int kMaxBits = 8;
constexpr int kTableHeight = 420;
constexpr int kPlotsHeight = 320;

} // namespace

ModelView::ModelView(ExplorerController* controller, QWidget* parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_job(new ModelReportJob(this))
    , m_model(new ModelTableModel(m_job, this))
    , m_proxy(new ModelTableProxy(this))
    , m_status(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_filter(new QLineEdit(this))
    , m_bits(new QSpinBox(this))
    , m_table(new QTableView(this))
    , m_depth(new ModelDepthPlot(this))
    , m_budget(new BitBudgetPanel(this))
{
    setObjectName(QStringLiteral("modelView"));
    m_status->setObjectName(QStringLiteral("modelStatus"));
    m_progress->setObjectName(QStringLiteral("modelProgress"));
    m_progress->setMaximumWidth(200);
    m_cancel->setObjectName(QStringLiteral("modelCancel"));
    m_cancel->setToolTip(tr("Stop the report; the tensors done so far stay"));
    m_filter->setObjectName(QStringLiteral("modelFilter"));
    m_filter->setPlaceholderText(tr("Filter tensors by name"));
    m_filter->setClearButtonEnabled(true);
    m_bits->setObjectName(QStringLiteral("modelBits"));
    m_bits->setRange(kMinBits, kMaxBits);
    m_bits->setPrefix(tr("bits "));
    m_bits->setToolTip(tr("The bit width the table and the depth plot show"));
    m_bits->setValue(m_model->bits());

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ModelTableModel::kSortRole);
    m_proxy->setFilterKeyColumn(ModelTableModel::NameColumn);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_table->setObjectName(QStringLiteral("modelTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ModelTableModel::NameColumn, Qt::AscendingOrder); // file order
    m_table->setSelectionBehavior(QAbstractItemView::SelectItems);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->setToolTip(tr("Double-click a cell to explore that tensor with that scheme"));

    auto* exportButton = new QToolButton(this);
    exportButton->setObjectName(QStringLiteral("modelExport"));
    exportButton->setText(tr("Export"));
    exportButton->setPopupMode(QToolButton::InstantPopup);
    auto* exportMenu = new QMenu(exportButton);
    exportMenu->addAction(tr("Table as CSV or JSON…"), this, &ModelView::exportTable);
    exportMenu->addAction(tr("Depth plot as image…"), this, [this] { exportPlot(m_depth); });
    exportMenu->addAction(tr("Allocation plot as image…"), this, [this] { exportPlot(m_budget); });
    exportButton->setMenu(exportMenu);

    auto* top = new QHBoxLayout;
    top->addWidget(m_status, 1);
    top->addWidget(m_progress);
    top->addWidget(m_cancel);
    top->addWidget(m_filter);
    top->addWidget(m_bits);
    top->addWidget(exportButton);

    auto* plots = new QSplitter(Qt::Horizontal, this);
    plots->addWidget(m_depth);
    plots->addWidget(m_budget);
    plots->setSizes({1, 1});
    auto* split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(QStringLiteral("modelSplitter"));
    split->addWidget(m_table);
    split->addWidget(plots);
    split->setSizes({kTableHeight, kPlotsHeight});

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(split, 1);

    auto* refreshTimer = new QTimer(this);
    refreshTimer->setSingleShot(true);
    refreshTimer->setInterval(kPlotRefreshMs);
    connect(refreshTimer, &QTimer::timeout, this, &ModelView::refreshPlots);

    connect(m_filter, &QLineEdit::textChanged, m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);
    connect(m_bits, &QSpinBox::valueChanged, this, &ModelView::setBits);
    connect(m_cancel, &QPushButton::clicked, m_job, &ModelReportJob::cancel);
    connect(m_job, &ModelReportJob::started, this, [this] {
        m_progress->setValue(0);
        m_progress->show();
        m_cancel->show();
        m_status->setText(tr("Reporting %1…").arg(m_job->source()));
        refreshPlots();
        emit busyChanged(true);
    });
    connect(m_job, &ModelReportJob::progress, this, [this](int done, int total) {
        m_progress->setRange(0, total);
        m_progress->setValue(done);
        m_status->setText(
            tr("Reporting %1: %2 of %3 tensors").arg(m_job->source()).arg(done).arg(total));
    });
    connect(m_job, &ModelReportJob::tensorReported, refreshTimer, qOverload<>(&QTimer::start));
    connect(m_job, &ModelReportJob::finished, this, &ModelView::onFinished);
    connect(m_job, &ModelReportJob::failed, this,
            [this](const QString& message) { m_status->setText(message); });
    connect(m_budget, &BitBudgetPanel::allocationChanged, this,
            [this] { emit busyChanged(isBusy()); });
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        const QModelIndex source = m_proxy->mapToSource(index);
        const TensorReport* tensor = m_model->tensorAt(source.row());
        if (tensor != nullptr && source.column() >= ModelTableModel::FirstSchemeColumn) {
            emit openInExplorer(QString::fromStdString(tensor->name),
                                m_model->schemeAt(source.column()), m_model->bits());
        }
    });
    connect(m_controller, &ExplorerController::loadFinished, this, &ModelView::startIfStale);
    connect(m_controller, &ExplorerController::schemeChanged, this, &ModelView::refreshPlots);
    m_progress->hide();
    m_cancel->hide();
    m_status->setText(tr("The report starts when a model file is open"));
}

ModelView::~ModelView() = default;

bool ModelView::isBusy() const
{
    return m_job->isRunning() || m_budget->isBusy();
}

void ModelView::setBits(int bits)
{
    const QSignalBlocker block(m_bits);
    m_bits->setValue(bits);
    m_model->setBits(m_bits->value());
    refreshPlots();
}

int ModelView::bits() const
{
    return m_model->bits();
}

void ModelView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    startIfStale();
}

void ModelView::startIfStale()
{
    const auto file = m_controller->file();
    // Only while shown: a large checkpoint is not reported unless the user looks at it.
    if (!isVisible() || !file || m_controller->source() == m_job->source()) {
        return;
    }
    m_job->start(file, m_controller->source());
    m_table->resizeColumnsToContents();
}

void ModelView::onFinished(bool cancelled)
{
    m_progress->hide();
    m_cancel->hide();
    const auto& tensors = m_job->report().tensors;
    int reported = 0;
    QStringList skipped;
    for (const SkippedTensor& tensor : m_job->report().skipped) {
        skipped << QString::fromStdString(tensor.name + ": " + tensor.reason);
    }
    for (const TensorReport& tensor : tensors) {
        if (tensor.skipReason.empty()) {
            ++reported;
        } else {
            skipped << QString::fromStdString(tensor.name + ": " + tensor.skipReason);
        }
    }
    QString text = (cancelled ? tr("%1: stopped after %2 tensors") : tr("%1: %2 tensors"))
                       .arg(m_job->source())
                       .arg(reported);
    if (!skipped.isEmpty()) {
        text += tr(", %1 skipped").arg(skipped.size());
    }
    m_status->setText(text);
    m_status->setToolTip(skipped.join(QLatin1Char('\n')));
    m_table->resizeColumnsToContents();
    refreshPlots();
    emit busyChanged(isBusy());
}

void ModelView::refreshPlots()
{
    m_depth->setReport(&m_job->report(), m_model->bits(), m_controller->schemeId());
    m_budget->setReport(&m_job->report());
}

void ModelView::exportTable()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the model report"), {},
                                                      tr("CSV (*.csv);;JSON (*.json)"));
    if (path.isEmpty()) {
        return;
    }
    try {
        const bool json = path.endsWith(QStringLiteral(".json"), Qt::CaseInsensitive);
        writeFileAtomically(path.toStdString(),
                            json ? reportToJson(m_job->report(), m_budget->allocation())
                                 : reportToCsv(m_job->report()));
        m_status->setText(tr("Wrote %1").arg(path));
    } catch (const std::exception& e) {
        m_status->setText(QString::fromUtf8(e.what()));
    }
}

void ModelView::exportPlot(QWidget* plotOwner)
{
    QCustomPlot* plot = plotOwner->findChild<QCustomPlot*>();
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the plot"), {},
                                                      tr("PNG (*.png);;SVG (*.svg);;PDF (*.pdf)"));
    if (plot == nullptr || path.isEmpty()) {
        return;
    }
    const QString error = quantscope::exportPlot(plot, path);
    m_status->setText(error.isEmpty() ? tr("Wrote %1").arg(path) : error);
}

} // namespace quantscope
