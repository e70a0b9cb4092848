#pragma once

#include "quant_result.h"

#include <QWidget>

#include <optional>

class QCPAxisRect;
class QCPGraph;
class QCustomPlot;
class QLabel;
class QMouseEvent;

namespace quantscope {

class ExplorerController;

// The transfer curve x → Q(x) over the data range as a staircase with the identity line, and
// below it the error Q(x) − x (a sawtooth). In compare mode the second scheme is overlaid in its
// own colour. Hovering shows x, Q(x) and the error of each scheme. With one slice shown (the
// controller's focus) it is that slice's staircase.
class TransferView : public QWidget {
    Q_OBJECT

public:
    explicit TransferView(QWidget* parent = nullptr);

    // Follows the controller's current and compared results.
    void setController(ExplorerController* controller);
    // Shows copies of `primary` and `compare` (either may be null). The data range is taken
    // from the results' level statistics.
    void setResult(const QuantResult* primary, const QuantResult* compare = nullptr);

    QCustomPlot* plot() const { return m_plot; }
    QCPGraph* stepGraph() const { return m_step; }
    QCPGraph* compareStepGraph() const { return m_compareStep; }
    QCPGraph* identityGraph() const { return m_identity; }
    QCPGraph* errorGraph() const { return m_error; }
    QCPGraph* compareErrorGraph() const { return m_compareError; }
    // The text the tooltip shows at value x (empty without a result).
    QString hoverText(double x) const;

private:
    void refreshFromController();
    void onMouseMove(QMouseEvent* event);

    ExplorerController* m_controller = nullptr;
    QLabel* m_title;
    QCustomPlot* m_plot;
    QCPAxisRect* m_errorRect;
    QCPGraph* m_step;
    QCPGraph* m_compareStep;
    QCPGraph* m_identity;
    QCPGraph* m_error;
    QCPGraph* m_compareError;
    std::optional<QuantResult> m_primary;
    std::optional<QuantResult> m_compare;
    bool m_syncingRange = false;
};

// The data range [lo, hi] a result's values span (from its used levels); nullopt when empty.
std::optional<std::pair<double, double>> resultDataRange(const QuantResult& result);

} // namespace quantscope
