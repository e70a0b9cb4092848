#include "main_window.h"

#include "block_scale_view.h"
#include "channel_range_view.h"
#include "comparison_table.h"
#include "emphasis_frame.h"
#include "error_histogram_view.h"
#include "error_profile_view.h"
#include "explorer_controller.h"
#include "export_actions.h"
#include "histogram_view.h"
#include "integer_pipeline_view.h"
#include "lesson_panel.h"
#include "metrics_view.h"
#include "model_view.h"
#include "rate_distortion_view.h"
#include "scheme_panel.h"
#include "teaching_panel.h"
#include "tensor_browser.h"
#include "transfer_view.h"

#include "lesson.h"

#include "quantscope/demo.h"

#include <QAction>
#include <QCloseEvent>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>

namespace quantscope {
namespace {

const QString kDefaultSource = QStringLiteral("demo:gaussian");
const QString kDemoPrefix = QStringLiteral("demo:");
constexpr int kStatusMessageMs = 10000;
constexpr int kLeftWidth = 370;
constexpr int kCentreWidth = 640;
constexpr int kRightWidth = 430;
constexpr int kHistogramHeight = 480;
constexpr int kLowerPlotsHeight = 320;
constexpr int kMinRateDistortionHeight = 230; // the plot and its legend stay readable
constexpr int kMinSchemeHeight = 120;
constexpr int kMinHistogramHeight = 120;
constexpr int kComparisonHeight = 400;
constexpr int kTeachingHeight = 400;

QString localFileOf(const QMimeData* mime)
{
    if (mime == nullptr || !mime->hasUrls()) {
        return {};
    }
    for (const QUrl& url : mime->urls()) {
        if (url.isLocalFile()) {
            return url.toLocalFile();
        }
    }
    return {};
}

} // namespace

MainWindow::MainWindow(bool persistent, QWidget* parent)
    : QMainWindow(parent)
    , m_persistent(persistent)
    , m_controller(new ExplorerController(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("QuantScope"));
    setAcceptDrops(true);

    m_schemePanel = new SchemePanel(m_controller, this);
    m_schemePanel->setObjectName(QStringLiteral("schemePanel"));
    m_metrics = new MetricsView(m_controller, this);
    m_histogram = new HistogramView(m_controller, this);
    m_histogram->setObjectName(QStringLiteral("histogramView"));
    m_tensorBrowser = new TensorBrowser(this);
    m_tensorBrowser->setController(m_controller);
    m_lessonPanel = new LessonPanel(m_controller, this);

    buildLayout();
    buildStatusBar();
    buildMenus();

    connect(m_controller, &ExplorerController::loadFailed, this, &MainWindow::showError);
    connect(m_controller, &ExplorerController::loadFinished, this, &MainWindow::onLoadFinished);
    connect(m_tensorBrowser, &TensorBrowser::tensorCountChanged, this,
            &MainWindow::onTensorCountChanged);
    connect(m_schemePanel, &SchemePanel::editorsRebuilt, this, &MainWindow::fitLeftColumn,
            Qt::QueuedConnection);
    connect(m_lessonPanel, &LessonPanel::emphasisChanged, this, &MainWindow::emphasize);

    resize(1280, 800);
    if (m_persistent) {
        restoreSettings();
    }
}

MainWindow::~MainWindow() = default;

QWidget* MainWindow::buildErrorBanner()
{
    m_errorBanner = new QWidget(this);
    m_errorBanner->setObjectName(QStringLiteral("errorBannerFrame"));
    m_errorBanner->setAttribute(Qt::WA_StyledBackground);
    m_errorBanner->setStyleSheet(
        QStringLiteral("#errorBannerFrame { background: #fde2e2; border: 1px solid #e0a0a0; }"));
    m_errorText = new QLabel(m_errorBanner);
    m_errorText->setObjectName(QStringLiteral("errorBanner"));
    m_errorText->setStyleSheet(QStringLiteral("color: #8a1020;"));
    m_errorText->setWordWrap(true);
    m_errorText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* dismiss = new QToolButton(m_errorBanner);
    dismiss->setObjectName(QStringLiteral("dismissError"));
    dismiss->setText(QStringLiteral("✕"));
    dismiss->setToolTip(tr("Dismiss"));
    dismiss->setAutoRaise(true);
    auto* layout = new QHBoxLayout(m_errorBanner);
    layout->setContentsMargins(6, 2, 2, 2);
    layout->addWidget(m_errorText, 1);
    layout->addWidget(dismiss);
    connect(dismiss, &QToolButton::clicked, m_errorBanner, &QWidget::hide);
    m_errorBanner->hide();
    return m_errorBanner;
}

void MainWindow::buildLayout()
{
    // The scheme panel scrolls rather than squeezing its sliders when a scheme has many.
    auto* schemeScroll = new QScrollArea(this);
    schemeScroll->setObjectName(QStringLiteral("schemeScroll"));
    schemeScroll->setWidget(m_schemePanel);
    schemeScroll->setWidgetResizable(true);
    schemeScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    schemeScroll->setFrameShape(QFrame::NoFrame);
    m_schemeScroll = schemeScroll;

    m_leftSplitter = new QSplitter(Qt::Vertical, this);
    m_leftSplitter->setObjectName(QStringLiteral("leftSplitter"));
    m_leftSplitter->setChildrenCollapsible(false);
    m_leftSplitter->addWidget(schemeScroll);
    m_leftSplitter->addWidget(m_metrics);
    auto* rateDistortion = new RateDistortionView(this);
    rateDistortion->setObjectName(QStringLiteral("rateDistortionView"));
    rateDistortion->setController(m_controller);
    rateDistortion->setMinimumHeight(kMinRateDistortionHeight);
    m_rateDistortion = rateDistortion;
    m_leftSplitter->addWidget(rateDistortion);
    // A taller window gives the plot the room; the panel and the metrics keep their height.
    m_leftSplitter->setStretchFactor(0, 0);
    m_leftSplitter->setStretchFactor(1, 0);
    m_leftSplitter->setStretchFactor(2, 1);
    m_leftSplitter->installEventFilter(this);

    m_plotTabs = new QTabWidget(this);
    m_plotTabs->setObjectName(QStringLiteral("plotTabs"));
    auto* transfer = new TransferView(this);
    transfer->setObjectName(QStringLiteral("transferView"));
    transfer->setController(m_controller);
    m_plotTabs->addTab(transfer, tr("Transfer && error"));
    auto* errorHistogram = new ErrorHistogramView(this);
    errorHistogram->setObjectName(QStringLiteral("errorHistogramView"));
    errorHistogram->setController(m_controller);
    m_plotTabs->addTab(errorHistogram, tr("Error histogram"));
    auto* errorProfile = new ErrorProfileView(this);
    errorProfile->setController(m_controller);
    m_plotTabs->addTab(errorProfile, tr("Error vs |x|"));
    auto* channelRanges = new ChannelRangeView(this);
    channelRanges->setController(m_controller);
    m_plotTabs->addTab(channelRanges, tr("Channel ranges"));
    auto* blockScales = new BlockScaleView(this);
    blockScales->setController(m_controller);
    m_plotTabs->addTab(blockScales, tr("Block scales"));
    m_pipelineView = new IntegerPipelineView(this);
    m_plotTabs->addTab(m_pipelineView, tr("Integer W·A + B"));
    m_lessonPanel->setPipelineView(m_pipelineView);
    // The tensors of a file with several: a tab here, so opening a model squeezes no plot.
    m_plotTabs->addTab(m_tensorBrowser, tr("Tensors"));
    m_plotTabs->setTabVisible(m_plotTabs->indexOf(m_tensorBrowser), false);

    m_plotSplitter = new QSplitter(Qt::Vertical, this);
    m_plotSplitter->setObjectName(QStringLiteral("plotSplitter"));
    m_plotSplitter->addWidget(m_histogram);
    m_plotSplitter->addWidget(m_plotTabs);
    m_plotSplitter->setStretchFactor(0, 3);
    m_plotSplitter->setStretchFactor(1, 2);
    m_plotSplitter->setSizes({kHistogramHeight, kLowerPlotsHeight});

    auto* comparison = new ComparisonTable(this);
    comparison->setObjectName(QStringLiteral("comparisonTable"));
    comparison->setController(m_controller);
    auto* teaching = new TeachingPanel(this);
    teaching->setObjectName(QStringLiteral("teachingPanel"));
    teaching->setController(m_controller);
    m_rightSplitter = new QSplitter(Qt::Vertical, this);
    m_rightSplitter->setObjectName(QStringLiteral("rightSplitter"));
    m_rightSplitter->addWidget(comparison);
    m_rightSplitter->addWidget(teaching);
    m_rightSplitter->setSizes({kComparisonHeight, kTeachingHeight});
    m_rightSplitter->setStretchFactor(0, 0);
    m_rightSplitter->setStretchFactor(1, 1);
    m_rightSplitter->setChildrenCollapsible(false);

    m_mainSplitter = new QSplitter(Qt::Horizontal, this);
    m_mainSplitter->setObjectName(QStringLiteral("mainSplitter"));
    // A running lesson's panel sits above the plots it talks about.
    auto* centre = new QWidget(this);
    auto* centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(0, 0, 0, 0);
    centreLayout->setSpacing(4);
    centreLayout->addWidget(m_lessonPanel);
    centreLayout->addWidget(m_plotSplitter, 1);

    m_mainSplitter->addWidget(m_leftSplitter);
    m_mainSplitter->addWidget(centre);
    m_mainSplitter->addWidget(m_rightSplitter);
    // A wider window goes mostly to the plots, some to the comparison table's columns.
    m_mainSplitter->setStretchFactor(0, 0);
    m_mainSplitter->setStretchFactor(1, 3);
    m_mainSplitter->setStretchFactor(2, 1);
    m_mainSplitter->setSizes({kLeftWidth, kCentreWidth, kRightWidth});

    m_modelView = new ModelView(m_controller, this);
    connect(m_modelView, &ModelView::openInExplorer, this,
            [this](const QString& tensor, const QString& scheme, int bits) {
                m_controller->setScheme(scheme);
                m_controller->setBits(bits);
                if (!m_controller->tensor() ||
                    m_controller->tensor()->name() != tensor.toStdString()) {
                    m_controller->selectTensor(tensor);
                }
                showExplorer();
            });
    m_pages = new QTabWidget(this);
    m_pages->setObjectName(QStringLiteral("pages"));
    m_pages->setDocumentMode(true);
    m_pages->addTab(m_mainSplitter, tr("Explorer"));
    m_pages->addTab(m_modelView, tr("Model"));
    m_pages->setTabToolTip(1, tr("Every tensor of the file with every scheme, and a bit budget"));

    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(buildErrorBanner());
    layout->addWidget(m_pages, 1);
    setCentralWidget(central);
}

void MainWindow::fitLeftColumn()
{
    const int panel = m_schemePanel->sizeHint().height();
    const int metrics = m_metrics->sizeHint().height();
    m_schemeScroll->setMaximumHeight(panel);
    m_metrics->setMaximumHeight(metrics);
    const int available = m_leftSplitter->height() - 2 * m_leftSplitter->handleWidth();
    if (available <= 0) {
        return;
    }
    // Short windows scroll the scheme panel rather than squeeze the plot below kMin….
    const int scheme =
        std::clamp(available - metrics - kMinRateDistortionHeight, kMinSchemeHeight, panel);
    m_leftSplitter->setSizes({scheme, metrics, std::max(0, available - scheme - metrics)});
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_leftSplitter && event->type() == QEvent::Resize) {
        fitLeftColumn();
    }
    return QMainWindow::eventFilter(watched, event);
}

bool MainWindow::tensorTabShown() const
{
    return m_plotTabs->isTabVisible(m_plotTabs->indexOf(m_tensorBrowser));
}

void MainWindow::onTensorCountChanged(int count)
{
    const int index = m_plotTabs->indexOf(m_tensorBrowser);
    const bool several = count > 1;
    m_plotTabs->setTabText(index, several ? tr("Tensors (%1)").arg(count) : tr("Tensors"));
    m_plotTabs->setTabVisible(index, several);
    if (several) {
        m_plotTabs->setCurrentIndex(index); // a new file: pick a tensor first
    }
}

void MainWindow::buildStatusBar()
{
    m_tensorLabel = new QLabel(this);
    m_tensorLabel->setObjectName(QStringLiteral("tensorLabel"));
    statusBar()->addWidget(m_tensorLabel, 1);

    m_loadRow = new QWidget(this);
    m_loadRow->setObjectName(QStringLiteral("loadRow"));
    m_progress = new QProgressBar(m_loadRow);
    m_progress->setObjectName(QStringLiteral("loadProgress"));
    m_progress->setRange(0, 100);
    m_progress->setMaximumWidth(220);
    m_cancel = new QPushButton(tr("Cancel"), m_loadRow);
    m_cancel->setObjectName(QStringLiteral("cancelLoad"));
    m_cancel->setToolTip(tr("Stop loading; the previous tensor stays"));
    auto* loadLayout = new QHBoxLayout(m_loadRow);
    loadLayout->setContentsMargins(0, 0, 0, 0);
    loadLayout->addWidget(new QLabel(tr("Loading and sorting…"), m_loadRow));
    loadLayout->addWidget(m_progress);
    loadLayout->addWidget(m_cancel);
    statusBar()->addPermanentWidget(m_loadRow);
    m_loadRow->hide();

    m_exportRow = new QWidget(this);
    m_exportRow->setObjectName(QStringLiteral("exportRow"));
    m_exportProgress = new QProgressBar(m_exportRow);
    m_exportProgress->setObjectName(QStringLiteral("exportProgress"));
    m_exportProgress->setRange(0, 100);
    m_exportProgress->setMaximumWidth(160);
    auto* cancelExport = new QPushButton(tr("Cancel"), m_exportRow);
    cancelExport->setObjectName(QStringLiteral("cancelExport"));
    auto* exportLayout = new QHBoxLayout(m_exportRow);
    exportLayout->setContentsMargins(0, 0, 0, 0);
    exportLayout->addWidget(new QLabel(tr("Exporting…"), m_exportRow));
    exportLayout->addWidget(m_exportProgress);
    exportLayout->addWidget(cancelExport);
    statusBar()->addPermanentWidget(m_exportRow);
    m_exportRow->hide();
    // The bar keeps the height of its progress rows: showing one must not resize the plots above
    // (every plot would redraw while a large tensor loads, taking CPU from the sort).
    statusBar()->setMinimumHeight(
        std::max(m_loadRow->sizeHint().height(), m_exportRow->sizeHint().height()) +
        statusBar()->contentsMargins().top() + statusBar()->contentsMargins().bottom());

    connect(m_cancel, &QPushButton::clicked, m_controller, &ExplorerController::cancelLoad);
    connect(m_controller, &ExplorerController::loadStarted, this, [this] {
        m_progress->setValue(0);
        m_loadRow->show();
    });
    connect(m_controller, &ExplorerController::loadProgress, m_progress, &QProgressBar::setValue);
    connect(m_controller, &ExplorerController::busyChanged, this,
            [this](bool) { m_loadRow->setVisible(m_controller->isLoading()); });
    connect(cancelExport, &QPushButton::clicked, this, [this] {
        if (m_exportActions) {
            m_exportActions->tensorExport()->cancel();
        }
    });
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open…"), this, &MainWindow::openFileDialog);
    open->setObjectName(QStringLiteral("openAction"));
    open->setShortcut(QKeySequence::Open);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    rebuildRecentMenu();
    QMenu* exportMenu = file->addMenu(tr("&Export"));
    exportMenu->setObjectName(QStringLiteral("exportMenu"));
    m_exportActions = new ExportActions(m_controller, this, exportMenu);
    connect(m_exportActions, &ExportActions::failed, this, &MainWindow::showError);
    connect(m_exportActions, &ExportActions::succeeded, this, [this](const QString& message) {
        statusBar()->showMessage(message, kStatusMessageMs);
    });
    TensorExport* tensorExport = m_exportActions->tensorExport();
    connect(tensorExport, &TensorExport::progress, m_exportProgress, &QProgressBar::setValue);
    connect(tensorExport, &TensorExport::finished, m_exportRow, &QWidget::hide);
    connect(exportMenu->findChild<QAction*>(QStringLiteral("exportTensorAction")),
            &QAction::triggered, this, [this] {
                if (m_exportActions->tensorExport()->isRunning()) {
                    m_exportProgress->setValue(0);
                    m_exportRow->show();
                }
            });
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* demos = menuBar()->addMenu(tr("&Demos"));
    demos->setObjectName(QStringLiteral("demosMenu"));
    for (const DemoInfo& demo : demoTensors()) {
        const QString source = kDemoPrefix + QString::fromStdString(demo.name);
        QAction* action = demos->addAction(QString::fromStdString(demo.name));
        action->setToolTip(QString::fromStdString(demo.description));
        action->setStatusTip(QString::fromStdString(demo.description));
        connect(action, &QAction::triggered, this, [this, source] { openSource(source); });
    }

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* explorer = view->addAction(tr("&Explorer"), this, &MainWindow::showExplorer);
    explorer->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    QAction* model = view->addAction(tr("&Model"), this, &MainWindow::showModelView);
    model->setObjectName(QStringLiteral("modelViewAction"));
    model->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
    view->addSeparator();
    QAction* tensors = view->addAction(tr("&Tensors"), this,
                                       [this] { m_plotTabs->setCurrentWidget(m_tensorBrowser); });
    tensors->setObjectName(QStringLiteral("showTensorsAction"));
    connect(view, &QMenu::aboutToShow, this,
            [this, tensors] { tensors->setEnabled(tensorTabShown()); });
    QAction* pipeline = view->addAction(tr("&Integer W·A + B"), this,
                                        [this] { m_plotTabs->setCurrentWidget(m_pipelineView); });
    pipeline->setObjectName(QStringLiteral("showPipelineAction"));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->setObjectName(QStringLiteral("helpMenu"));
    QMenu* lessons = help->addMenu(tr("&Lessons"));
    lessons->setObjectName(QStringLiteral("lessonsMenu"));
    const auto& all = allLessons();
    for (std::size_t i = 0; i < all.size(); ++i) {
        const QString id = all[i].id;
        QAction* action = lessons->addAction(tr("&%1. %2").arg(i + 1).arg(all[i].title), this,
                                             [this, id] { startLesson(id); });
        action->setObjectName(QStringLiteral("lesson_") + id);
        action->setStatusTip(
            tr("%1 steps · quantscope --lesson %2").arg(all[i].steps.size()).arg(id));
    }
    lessons->addSeparator();
    QAction* end = lessons->addAction(tr("&End the lesson"), m_lessonPanel, &LessonPanel::stop);
    end->setObjectName(QStringLiteral("endLessonAction"));
    connect(lessons, &QMenu::aboutToShow, this,
            [this, end] { end->setEnabled(m_lessonPanel->lesson() != nullptr); });
}

void MainWindow::startLesson(const QString& idOrNumber, int step)
{
    showExplorer(); // lessons happen in the explorer
    m_lessonPanel->start(idOrNumber, step);
}

void MainWindow::emphasize(const QStringList& objectNames)
{
    for (const QPointer<QWidget>& frame : m_emphasisFrames) {
        delete frame.data();
    }
    m_emphasisFrames.clear();
    // The pipeline view needs room: it takes most of the centre while a step is about it.
    const bool pipeline = std::any_of(objectNames.begin(), objectNames.end(), [](const QString& n) {
        return n.startsWith(QLatin1String("integerPipeline"));
    });
    if (pipeline && m_plotSizesBeforePipeline.isEmpty()) {
        m_plotSizesBeforePipeline = m_plotSplitter->sizes();
        const int total = m_plotSizesBeforePipeline.value(0) + m_plotSizesBeforePipeline.value(1);
        // Steps about the integers alone hide the histogram; it comes back afterwards.
        const bool histogramToo = objectNames.contains(m_histogram->objectName());
        const int histogram = histogramToo ? std::max(kMinHistogramHeight, total / 4) : 0;
        m_plotSplitter->setSizes({histogram, total - histogram});
    } else if (!pipeline && !m_plotSizesBeforePipeline.isEmpty()) {
        m_plotSplitter->setSizes(m_plotSizesBeforePipeline);
        m_plotSizesBeforePipeline.clear();
    }
    for (const QString& name : objectNames) {
        QWidget* target = findChild<QWidget*>(name);
        if (target == nullptr) {
            continue;
        }
        // A view on a tab is brought to the front.
        for (QWidget* w = target; w != nullptr && w != this; w = w->parentWidget()) {
            if (m_plotTabs->indexOf(w) >= 0) {
                m_plotTabs->setCurrentWidget(w);
            }
        }
        m_emphasisFrames.push_back(new EmphasisFrame(target));
    }
}

QList<QWidget*> MainWindow::emphasizedWidgets() const
{
    QList<QWidget*> widgets;
    for (const QPointer<QWidget>& frame : m_emphasisFrames) {
        if (frame) {
            widgets << frame->parentWidget();
        }
    }
    return widgets;
}

bool MainWindow::isBusy() const
{
    // The whole-model view reports in the background while it is shown.
    return m_controller->isBusy() || m_lessonPanel->isBusy() ||
           (m_modelView->isVisible() && m_modelView->isBusy());
}

void MainWindow::applyOptions(const GuiOptions& options)
{
    if (options.size) {
        resize(*options.size);
    }
    if (!options.scheme.isEmpty()) {
        m_controller->setScheme(options.scheme);
    }
    if (options.bits) {
        m_controller->setBits(*options.bits);
    }
    if (options.granularity) {
        m_controller->setGranularity(*options.granularity);
    }
    if (!options.compare.isEmpty() || !m_persistent) {
        m_controller->setCompareScheme(options.compare);
    }
    if (!options.lesson.isEmpty()) {
        startLesson(options.lesson, options.lessonStep); // it opens the tensors it needs
        return;
    }
    QString source = options.source;
    QString tensor = options.tensor;
    if (source.isEmpty() && m_persistent) {
        const QSettings settings;
        source = settings.value(QStringLiteral("lastSource")).toString();
        if (tensor.isEmpty()) {
            tensor = settings.value(QStringLiteral("lastTensor")).toString();
        }
    }
    if (options.modelView) {
        showModelView();
    }
    openSource(source.isEmpty() ? kDefaultSource : source, tensor);
}

void MainWindow::showModelView()
{
    m_pages->setCurrentWidget(m_modelView);
}

void MainWindow::showExplorer()
{
    m_pages->setCurrentIndex(0);
}

void MainWindow::openSource(const QString& source, const QString& tensor)
{
    m_controller->openSource(source, tensor);
}

void MainWindow::openFileDialog()
{
    const QString dir = QFileInfo(m_controller->source()).isFile()
                            ? QFileInfo(m_controller->source()).path()
                            : QString();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open a tensor file"), dir,
        tr("Tensor files (*.npy *.npz *.safetensors *.gguf *.onnx *.pt *.pth *.bin);;"
           "All files (*)"));
    if (!path.isEmpty()) {
        openSource(path);
    }
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (!localFileOf(event->mimeData()).isEmpty()) {
        event->acceptProposedAction();
    }
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const QString path = localFileOf(event->mimeData());
    if (!path.isEmpty()) {
        event->acceptProposedAction();
        openSource(path);
    }
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    for (const QString& path : m_recentFiles) {
        QAction* action = m_recentMenu->addAction(QFileInfo(path).fileName());
        action->setToolTip(path);
        action->setStatusTip(path);
        connect(action, &QAction::triggered, this, [this, path] { openSource(path); });
    }
    m_recentMenu->setEnabled(!m_recentFiles.isEmpty());
}

void MainWindow::addRecentFile(const QString& path)
{
    m_recentFiles.removeAll(path);
    m_recentFiles.prepend(path);
    while (m_recentFiles.size() > kMaxRecentFiles) {
        m_recentFiles.removeLast();
    }
    rebuildRecentMenu();
    if (m_persistent) {
        QSettings().setValue(QStringLiteral("recentFiles"), m_recentFiles);
    }
}

void MainWindow::showError(const QString& message)
{
    m_errorText->setText(message);
    m_errorBanner->show();
    statusBar()->showMessage(message, kStatusMessageMs);
}

void MainWindow::onLoadFinished()
{
    m_errorBanner->hide();
    const auto tensor = m_controller->tensor();
    const auto dist = m_controller->distribution();
    if (!tensor || !dist) {
        return;
    }
    const QString source = m_controller->source();
    if (!source.isEmpty() && !source.startsWith(kDemoPrefix)) {
        addRecentFile(source);
    }
    QString text = tr("%1%2 [%3], %4 · %5 values")
                       .arg(source.isEmpty() ? QString() : source + QStringLiteral(" — "),
                            QString::fromStdString(tensor->name()),
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
    const QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("windowState")).toByteArray());
    m_leftSplitter->restoreState(settings.value(QStringLiteral("leftSplitter")).toByteArray());
    m_mainSplitter->restoreState(settings.value(QStringLiteral("mainSplitter")).toByteArray());
    m_plotSplitter->restoreState(settings.value(QStringLiteral("plotSplitter")).toByteArray());
    m_rightSplitter->restoreState(settings.value(QStringLiteral("rightSplitter")).toByteArray());
    m_plotTabs->setCurrentIndex(settings.value(QStringLiteral("plotTab"), 0).toInt());
    m_recentFiles = settings.value(QStringLiteral("recentFiles")).toStringList();
    rebuildRecentMenu();
    const QString scheme = settings.value(QStringLiteral("scheme")).toString();
    if (!scheme.isEmpty()) {
        m_controller->setScheme(scheme);
    }
    const int bits = settings.value(QStringLiteral("bits"), 0).toInt();
    if (bits > 0) {
        m_controller->setBits(bits);
    }
    m_controller->setCompareScheme(settings.value(QStringLiteral("compare")).toString());
    const int kind = settings.value(QStringLiteral("granularity"), 0).toInt();
    if (kind == static_cast<int>(Granularity::Kind::PerChannel)) {
        m_controller->setGranularity(
            Granularity::perChannel(settings.value(QStringLiteral("channelAxis"), 0).toInt()));
    } else if (kind == static_cast<int>(Granularity::Kind::PerGroup)) {
        m_controller->setGranularity(Granularity::perGroup(
            std::max(1, settings.value(QStringLiteral("groupSize"), 128).toInt())));
    }
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("windowState"), saveState());
    settings.setValue(QStringLiteral("leftSplitter"), m_leftSplitter->saveState());
    settings.setValue(QStringLiteral("mainSplitter"), m_mainSplitter->saveState());
    settings.setValue(QStringLiteral("plotSplitter"), m_plotSplitter->saveState());
    settings.setValue(QStringLiteral("rightSplitter"), m_rightSplitter->saveState());
    settings.setValue(QStringLiteral("plotTab"), m_plotTabs->currentIndex());
    settings.setValue(QStringLiteral("scheme"), m_controller->schemeId());
    settings.setValue(QStringLiteral("bits"), m_controller->bits());
    settings.setValue(QStringLiteral("compare"), m_controller->compareSchemeId());
    const Granularity& granularity = m_controller->granularity();
    settings.setValue(QStringLiteral("granularity"), static_cast<int>(granularity.kind));
    settings.setValue(QStringLiteral("channelAxis"), qint64(granularity.axis));
    settings.setValue(QStringLiteral("groupSize"), qint64(granularity.groupSize));
    settings.setValue(QStringLiteral("recentFiles"), m_recentFiles);
    if (!m_controller->source().isEmpty()) {
        settings.setValue(QStringLiteral("lastSource"), m_controller->source());
    }
    if (const auto tensor = m_controller->tensor()) {
        settings.setValue(QStringLiteral("lastTensor"), QString::fromStdString(tensor->name()));
    }
}

} // namespace quantscope
