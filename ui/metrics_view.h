#pragma once

#include <QWidget>

#include <optional>

class QGridLayout;
class QLabel;

namespace quantscope {

class ExplorerController;
struct QuantResult;

// The exact metrics of the current codebook, and of the compared one beside it.
class MetricsView : public QWidget {
    Q_OBJECT

public:
    explicit MetricsView(ExplorerController* controller, QWidget* parent = nullptr);

    // The shown text of metric `row` (see kMetricNames order) for column 0 (scheme) or 1 (compare).
    QString text(int row, int column) const;

private:
    void refresh();
    void fill(int column, const std::optional<QuantResult>& result);

    ExplorerController* m_controller;
    QGridLayout* m_grid;
    QLabel* m_header[2];
    std::vector<QLabel*> m_cells[2];
};

} // namespace quantscope
