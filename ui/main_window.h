#pragma once

#include "command_line.h"

#include <QMainWindow>
#include <QStringList>

class QDockWidget;
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
class MetricsView;
class ModelView;
class SchemePanel;
class TensorBrowser;

// The explorer window: scheme panel, metrics and rate–distortion on the left, the histogram large
// in the centre with the transfer and error plots below it, the comparison table above the
// teaching panel on the right, the file's tensors in a dock. The controller does the work. Only
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
    ModelView* modelView() const { return m_modelView; }
    // Shows the whole-model view (its report starts for the open file).
    void showModelView();
    void showExplorer();
    QDockWidget* tensorDock() const { return m_tensorDock; }
    ExportActions* exportActions() const { return m_exportActions; }
    // The non-modal error line above the plots (hidden when there is no error).
    QLabel* errorBanner() const { return m_errorText; }
    const QStringList& recentFiles() const { return m_recentFiles; }

    // Scheme, bits and compare scheme first, then the file (so the first design is the wanted one).
    void applyOptions(const GuiOptions& options);
    void openSource(const QString& source, const QString& tensor = {});
    // File › Open: asks for a file (modal dialog; not used by tests).
    void openFileDialog();

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    QWidget* buildErrorBanner();
    void buildStatusBar();
    void buildLayout();
    void buildMenus();
    void rebuildRecentMenu();
    void addRecentFile(const QString& path);
    void showError(const QString& message);
    void onLoadFinished();
    void restoreSettings();
    void saveSettings() const;

    bool m_persistent;
    ExplorerController* m_controller;
    SchemePanel* m_schemePanel;
    MetricsView* m_metrics;
    HistogramView* m_histogram;
    TensorBrowser* m_tensorBrowser;
    QDockWidget* m_tensorDock;
    ExportActions* m_exportActions = nullptr;
    QWidget* m_errorBanner;
    QLabel* m_errorText;
    QWidget* m_loadRow;
    QProgressBar* m_progress;
    QPushButton* m_cancel;
    QWidget* m_exportRow;
    QProgressBar* m_exportProgress;
    QSplitter* m_leftSplitter;
    QSplitter* m_mainSplitter;
    QSplitter* m_plotSplitter;
    QSplitter* m_rightSplitter; // the comparison table above the teaching panel
    QTabWidget* m_plotTabs;     // below the histogram: transfer, error histogram
    QTabWidget* m_pages;        // the explorer and the whole-model view
    ModelView* m_modelView;
    QLabel* m_tensorLabel;
    QMenu* m_recentMenu = nullptr;
    QStringList m_recentFiles;
};

} // namespace quantscope
