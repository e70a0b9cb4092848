#include "main_window.h"

#include "explorer_controller.h"
#include "histogram_view.h"
#include "metrics_view.h"
#include "scheme_panel.h"

#include "quantscope/demo.h"

#include <QAction>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QVBoxLayout>

namespace quantscope {
namespace {

const QString kDefaultSource = QStringLiteral("demo:gaussian");

} // namespace

MainWindow::MainWindow(bool persistent, QWidget* parent)
    : QMainWindow(parent)
    , m_persistent(persistent)
    , m_controller(new ExplorerController(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("QuantScope"));

    m_schemePanel = new SchemePanel(m_controller, this);
    m_schemePanel->setObjectName(QStringLiteral("schemePanel"));
    m_metrics = new MetricsView(m_controller, this);
    m_histogram = new HistogramView(m_controller, this);
    m_histogram->setObjectName(QStringLiteral("histogramView"));

    m_errorBanner = new QLabel(this);
    m_errorBanner->setObjectName(QStringLiteral("errorBanner"));
    m_errorBanner->setStyleSheet(QStringLiteral(
        "background: #fde2e2; color: #8a1020; border: 1px solid #e0a0a0; padding: 4px;"));
    m_errorBanner->setWordWrap(true);
    m_errorBanner->hide();

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("loadProgress"));
    m_progress->setRange(0, 100);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelLoad"));
    auto* progressRow = new QWidget(this);
    auto* progressLayout = new QHBoxLayout(progressRow);
    progressLayout->setContentsMargins(0, 0, 0, 0);
    progressLayout->addWidget(new QLabel(tr("Building the distribution…"), progressRow));
    progressLayout->addWidget(m_progress, 1);
    progressLayout->addWidget(m_cancel);
    progressRow->hide();

    auto* left = new QSplitter(Qt::Vertical, this);
    left->setObjectName(QStringLiteral("leftSplitter"));
    left->addWidget(m_schemePanel);
    left->addWidget(m_metrics);

    m_plotSplitter = new QSplitter(Qt::Vertical, this);
    m_plotSplitter->setObjectName(QStringLiteral("plotSplitter"));
    m_plotSplitter->addWidget(m_histogram);

    m_mainSplitter = new QSplitter(Qt::Horizontal, this);
    m_mainSplitter->setObjectName(QStringLiteral("mainSplitter"));
    m_mainSplitter->addWidget(left);
    m_mainSplitter->addWidget(m_plotSplitter);
    m_mainSplitter->setStretchFactor(0, 0);
    m_mainSplitter->setStretchFactor(1, 1);
    m_mainSplitter->setSizes({320, 960});

    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_errorBanner);
    layout->addWidget(progressRow);
    layout->addWidget(m_mainSplitter, 1);
    setCentralWidget(central);

    m_tensorLabel = new QLabel(this);
    m_tensorLabel->setObjectName(QStringLiteral("tensorLabel"));
    statusBar()->addWidget(m_tensorLabel, 1);

    buildMenus();

    connect(m_cancel, &QPushButton::clicked, m_controller, &ExplorerController::cancelLoad);
    connect(m_controller, &ExplorerController::loadStarted, this, [this, progressRow] {
        m_progress->setValue(0);
        progressRow->show();
    });
    connect(m_controller, &ExplorerController::loadProgress, m_progress, &QProgressBar::setValue);
    connect(m_controller, &ExplorerController::busyChanged, this,
            [this, progressRow](bool) { progressRow->setVisible(m_controller->isLoading()); });
    connect(m_controller, &ExplorerController::loadFailed, this, &MainWindow::showError);
    connect(m_controller, &ExplorerController::loadFinished, this, &MainWindow::onLoadFinished);

    resize(1280, 800);
    if (m_persistent) {
        restoreSettings();
    }
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus()
{
    QMenu* demos = menuBar()->addMenu(tr("&Demos"));
    for (const DemoInfo& demo : demoTensors()) {
        const QString source = QStringLiteral("demo:") + QString::fromStdString(demo.name);
        QAction* action = demos->addAction(QString::fromStdString(demo.name));
        action->setToolTip(QString::fromStdString(demo.description));
        action->setStatusTip(QString::fromStdString(demo.description));
        connect(action, &QAction::triggered, this, [this, source] { openSource(source); });
    }
}

void MainWindow::applyOptions(const GuiOptions& options)
{
    if (!options.scheme.isEmpty()) {
        m_controller->setScheme(options.scheme);
    }
    if (options.bits) {
        m_controller->setBits(*options.bits);
    }
    m_controller->setCompareScheme(options.compare);
    QString source = options.source;
    if (source.isEmpty() && m_persistent) {
        source = QSettings().value(QStringLiteral("lastSource")).toString();
    }
    openSource(source.isEmpty() ? kDefaultSource : source, options.tensor);
}

void MainWindow::openSource(const QString& source, const QString& tensor)
{
    m_controller->openSource(source, tensor);
}

void MainWindow::showError(const QString& message)
{
    m_errorBanner->setText(message);
    m_errorBanner->show();
    statusBar()->showMessage(message, 10000);
}

void MainWindow::onLoadFinished()
{
    m_errorBanner->hide();
    const auto tensor = m_controller->tensor();
    const auto dist = m_controller->distribution();
    if (!tensor || !dist) {
        return;
    }
    QString text = tr("%1 — %2 [%3], %4 · %5 values")
                       .arg(m_controller->source(), QString::fromStdString(tensor->name()),
                            QString::fromStdString(shapeToString(tensor->shape())),
                            QString::fromStdString(tensor->sourceDtype()))
                       .arg(tensor->size());
    if (dist->nonFiniteCount() > 0) {
        text += tr(" · %1 non-finite excluded").arg(dist->nonFiniteCount());
    }
    if (!dist->empty()) {
        text += tr(" · range [%1, %2]").arg(dist->min()).arg(dist->max());
    }
    m_tensorLabel->setText(text);
    setWindowTitle(tr("QuantScope — %1").arg(QString::fromStdString(tensor->name())));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_persistent) {
        saveSettings();
    }
    event->accept();
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
    m_mainSplitter->restoreState(settings.value(QStringLiteral("mainSplitter")).toByteArray());
    m_plotSplitter->restoreState(settings.value(QStringLiteral("plotSplitter")).toByteArray());
    const QString scheme = settings.value(QStringLiteral("scheme")).toString();
    if (!scheme.isEmpty()) {
        m_controller->setScheme(scheme);
    }
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainSplitter"), m_mainSplitter->saveState());
    settings.setValue(QStringLiteral("plotSplitter"), m_plotSplitter->saveState());
    settings.setValue(QStringLiteral("scheme"), m_controller->schemeId());
    if (!m_controller->source().isEmpty()) {
        settings.setValue(QStringLiteral("lastSource"), m_controller->source());
    }
}

} // namespace quantscope
