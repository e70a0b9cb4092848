#pragma once

#include "command_line.h"

#include <QMainWindow>
#include <QPointer>
#include <QStringList>

class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QSplitter;
class QTabWidget;

namespace quantscope {

class ExplorerController;
class ExportActions;
class HistogramView;
class IntegerPipelineView;
class LessonPanel;
class MetricsView;
class ModelView;
class SchemePanel;
class TensorBrowser;

// The explorer window: scheme panel, metrics and rate–distortion on the left, a running lesson
// above the histogram in the centre, with the transfer and error plots, the integer pipeline and
// (for files with several tensors) the tensor browser in tabs below it, the comparison table above
// the teaching panel on the right. The controller does the work. Only
// `persistent` windows read and write QSettings (last file, scheme, bits, layout, recent files), so
// screenshots and tests are deterministic.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    static constexpr int kMaxRecentFiles = 8;

    explicit MainWindow(bool persistent = true, QWidget* parent = nullptr);
    ~MainWindow() override;

    ExplorerController* controller() const { return m_controller; }
    HistogramView* histogramView() const { return m_histogram; }
    SchemePanel* schemePanel() const { return m_schemePanel; }
    MetricsView* metricsView() const { return m_metrics; }
    TensorBrowser* tensorBrowser() const { return m_tensorBrowser; }
    // Whether the tensor browser's tab is offered (files with several tensors).
    bool tensorTabShown() const;
    ModelView* modelView() const { return m_modelView; }
    // Shows the whole-model view (its report starts for the open file).
    void showModelView();
    void showExplorer();
    ExportActions* exportActions() const { return m_exportActions; }
    LessonPanel* lessonPanel() const { return m_lessonPanel; }
    IntegerPipelineView* pipelineView() const { return m_pipelineView; }
    // The widgets the running lesson step points at (outlined).
    QList<QWidget*> emphasizedWidgets() const;
    // True while anything the window shows is still being computed (for screenshots).
    bool isBusy() const;
    // The non-modal error line above the plots (hidden when there is no error).
    QLabel* errorBanner() const { return m_errorText; }
    const QStringList& recentFiles() const { return m_recentFiles; }

    // Scheme, bits and compare scheme first, then the file (so the first design is the wanted one).
    void applyOptions(const GuiOptions& options);
    void openSource(const QString& source, const QString& tensor = {});
    // Help › Lessons: starts lesson `idOrNumber` at `step` (0-based).
    void startLesson(const QString& idOrNumber, int step = 0);
    // File › Open: asks for a file (modal dialog; not used by tests).
    void openFileDialog();

protected:
    void closeEvent(QCloseEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    QWidget* buildErrorBanner();
    void buildStatusBar();
    void buildLayout();
    // The scheme panel and the metrics take the height they need, the rate–distortion plot the
    // rest (at least kMinRateDistortionHeight).
    void fitLeftColumn();
    void onTensorCountChanged(int count);
    void buildMenus();
    void rebuildRecentMenu();
    void addRecentFile(const QString& path);
    void showError(const QString& message);
    void emphasize(const QStringList& objectNames);
    void onLoadFinished();
    void restoreSettings();
    void saveSettings() const;

    bool m_persistent;
    ExplorerController* m_controller;
    SchemePanel* m_schemePanel;
    MetricsView* m_metrics;
    HistogramView* m_histogram;
    TensorBrowser* m_tensorBrowser;
    ExportActions* m_exportActions = nullptr;
    LessonPanel* m_lessonPanel;
    IntegerPipelineView* m_pipelineView = nullptr;
    QList<QPointer<QWidget>> m_emphasisFrames;
    QWidget* m_errorBanner;
    QLabel* m_errorText;
    QWidget* m_loadRow;
    QProgressBar* m_progress;
    QPushButton* m_cancel;
    QWidget* m_exportRow;
    QProgressBar* m_exportProgress;
    QWidget* m_schemeScroll;
    QWidget* m_rateDistortion;
    QSplitter* m_leftSplitter;
    QSplitter* m_mainSplitter;
    QSplitter* m_plotSplitter;
    QSplitter* m_rightSplitter; // the comparison table above the teaching panel
    QTabWidget* m_plotTabs;     // below the histogram: transfer, error histogram, pipeline, tensors
    QList<int> m_plotSizesBeforePipeline; // restored when a lesson leaves the pipeline view
    QTabWidget* m_pages;                  // the explorer and the whole-model view
    ModelView* m_modelView;
    QLabel* m_tensorLabel;
    QMenu* m_recentMenu = nullptr;
    QStringList m_recentFiles;
};

} // namespace quantscope
