#pragma once

#include "command_line.h"

#include <QMainWindow>

class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QSplitter;

namespace quantscope {

class ExplorerController;
class HistogramView;
class MetricsView;
class SchemePanel;

// The explorer window: scheme panel and metrics on the left, the plots on the right, the
// controller doing the work. `persistent` windows restore and save QSettings.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(bool persistent = true, QWidget* parent = nullptr);
    ~MainWindow() override;

    ExplorerController* controller() const { return m_controller; }
    HistogramView* histogramView() const { return m_histogram; }
    SchemePanel* schemePanel() const { return m_schemePanel; }
    MetricsView* metricsView() const { return m_metrics; }
    // The non-modal error line above the plots (hidden when there is no error).
    QLabel* errorBanner() const { return m_errorBanner; }

    // Scheme, bits and compare scheme first, then the file (so the first design is the wanted one).
    void applyOptions(const GuiOptions& options);
    void openSource(const QString& source, const QString& tensor = {});

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void showError(const QString& message);
    void onLoadFinished();
    void restoreSettings();
    void saveSettings() const;

    bool m_persistent;
    ExplorerController* m_controller;
    SchemePanel* m_schemePanel;
    MetricsView* m_metrics;
    HistogramView* m_histogram;
    QLabel* m_errorBanner;
    QProgressBar* m_progress;
    QPushButton* m_cancel;
    QSplitter* m_mainSplitter;
    QSplitter* m_plotSplitter;
    QLabel* m_tensorLabel;
};

} // namespace quantscope
