#pragma once

#include "explorer_controller.h"

#include <QWidget>

#include <optional>
#include <vector>

class QCPGraph;
class QCustomPlot;
class QLabel;
class QMouseEvent;
class QResizeEvent;

namespace quantscope {

// SQNR against the true bits per weight (codes plus scales and tables) at bits 1..8, one curve
// per scheme in distinct colours with a legend under the plot (as many columns as fit, so it never
// covers a curve); the current scheme's curve is drawn bold and its current point marked.
// Hovering near a point shows scheme, bits, bits per weight and SQNR.
class RateDistortionView : public QWidget {
    Q_OBJECT

public:
    explicit RateDistortionView(QWidget* parent = nullptr);

    void setController(ExplorerController* controller);
    void setRateDistortion(const RateDistortion& curves);
    // The marked point: `schemeId` at `bitsPerWeight` with `sqnrDb` (the current result's own,
    // which differ from the curve when parameters other than bits are changed). No SQNR: no mark.
    void setCurrent(const QString& schemeId, double bitsPerWeight, std::optional<double> sqnrDb);

    QCustomPlot* plot() const { return m_plot; }
    // The graph of a scheme's curve (null when it has none).
    QCPGraph* curveGraph(const QString& schemeId) const;
    QCPGraph* currentPointGraph() const { return m_current; }
    QString hoverText(double pixelX, double pixelY) const;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void fitLegend();
    void refreshCurrent();
    void onMouseMove(QMouseEvent* event);
    void emphasizeCurrent();

    ExplorerController* m_controller = nullptr;
    QLabel* m_title;
    QCustomPlot* m_plot;
    QCPGraph* m_current;
    RateDistortion m_curves;
    std::vector<QCPGraph*> m_graphs; // parallel to m_curves.curves
    QString m_currentScheme;
};

} // namespace quantscope
