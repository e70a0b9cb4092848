#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableView;

namespace quantscope {

class BitBudgetPanel;
class ExplorerController;
class ModelDepthPlot;
class ModelReportJob;
class ModelTableModel;
class ModelTableProxy;

// The whole model: every tensor × every scheme at the chosen bits as a heatmap table (sortable,
// filterable, with the model totals on top), SQNR along the model's depth, and the optimal bits
// per tensor under a bits-per-weight budget. Computed in the background for the explorer's file
// when the view is shown, filling in as tensors finish; the explorer stays usable meanwhile.
class ModelView : public QWidget {
    Q_OBJECT

public:
    explicit ModelView(ExplorerController* controller, QWidget* parent = nullptr);
    ~ModelView() override;

    // True while the report or the allocation is computing.
    bool isBusy() const;
    void setBits(int bits);
    int bits() const;

    ModelReportJob* job() const { return m_job; }
    ModelTableModel* tableModel() const { return m_model; }
    QTableView* table() const { return m_table; }
    ModelDepthPlot* depthPlot() const { return m_depth; }
    BitBudgetPanel* budgetPanel() const { return m_budget; }

signals:
    // A double-clicked cell: open this tensor in the explorer with this scheme and bits.
    void openInExplorer(const QString& tensor, const QString& scheme, int bits);
    void busyChanged(bool busy);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void startIfStale();
    void onTensorReported();
    void onFinished(bool cancelled);
    void refreshPlots();
    void exportTable();
    void exportPlot(QWidget* plotOwner);

    ExplorerController* m_controller;
    ModelReportJob* m_job;
    ModelTableModel* m_model;
    ModelTableProxy* m_proxy;
    QLabel* m_status;
    QProgressBar* m_progress;
    QPushButton* m_cancel;
    QLineEdit* m_filter;
    QSpinBox* m_bits;
    QTableView* m_table;
    ModelDepthPlot* m_depth;
    BitBudgetPanel* m_budget;
};

} // namespace quantscope
