#pragma once

#include "quantscope/bit_allocation.h"
#include "quantscope/model_report.h"

#include <QFutureWatcher>
#include <QWidget>

#include <optional>

class QComboBox;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QSlider;

namespace quantscope {

// A bits-per-weight budget and the optimal per-tensor bit widths of one scheme under it, live:
// the bits of each tensor as bars, the model's SQNR and size against the uniform choice. The
// allocation runs on the work pool; slider bursts are coalesced.
class BitBudgetPanel : public QWidget {
    Q_OBJECT

public:
    explicit BitBudgetPanel(QWidget* parent = nullptr);
    ~BitBudgetPanel() override;

    // The report changed (more tensors, or a new file): recompute.
    void setReport(const ModelReport* report);
    void setScheme(const QString& scheme);
    void setBudget(double bitsPerWeight);

    double budget() const;
    QString scheme() const;
    bool isBusy() const { return m_watcher.isRunning() || m_pending; }
    const std::optional<BitAllocation>& allocation() const { return m_allocation; }
    QLabel* summary() const { return m_summary; }
    QCustomPlot* plot() const { return m_plot; }

signals:
    void allocationChanged();

private:
    void request();
    void start();
    void onFinished();
    void showAllocation();

    const ModelReport* m_report = nullptr;
    QComboBox* m_scheme;
    QSlider* m_slider;
    QDoubleSpinBox* m_spin;
    QLabel* m_summary;
    QCustomPlot* m_plot;
    struct Outcome {
        std::optional<BitAllocation> allocation;
        QString error;
    };
    QFutureWatcher<Outcome> m_watcher;
    std::optional<BitAllocation> m_allocation;
    QString m_error;
    bool m_pending = false;
};

} // namespace quantscope
