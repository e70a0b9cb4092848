#pragma once

#include "quantscope/metrics.h"

#include <QWidget>

class QCPBars;
class QCPGraph;
class QCustomPlot;
class QLabel;
class QMouseEvent;

namespace quantscope {

class ExplorerController;

// Where the error comes from: the values binned by |x|, bars for each bin's share of the total
// squared error (the current result), lines for the RMS error within each bin (current and
// compared). Block formats lose their small values to the block's scale; outliers to
// saturation: both show here.
class ErrorProfileView : public QWidget {
    Q_OBJECT

public:
    explicit ErrorProfileView(QWidget* parent = nullptr);

    void setController(ExplorerController* controller);

    QCustomPlot* plot() const { return m_plot; }
    QCPBars* shareBars() const { return m_share; }
    QCPGraph* rmsGraph() const { return m_rms; }
    QCPGraph* compareRmsGraph() const { return m_compareRms; }
    QString hoverText(double absX) const;

private:
    void refresh();
    void onMouseMove(QMouseEvent* event);

    ExplorerController* m_controller = nullptr;
    QCustomPlot* m_plot;
    QCPBars* m_share;
    QCPGraph* m_rms;
    QCPGraph* m_compareRms;
    ErrorProfile m_profile;
};

} // namespace quantscope
