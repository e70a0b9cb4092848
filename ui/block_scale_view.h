#pragma once

#include "quantscope/histogram.h"

#include <QWidget>

#include <cstdint>

class QCPBars;
class QCustomPlot;
class QLabel;
class QMouseEvent;

namespace quantscope {

class ExplorerController;
struct QuantResult;

// How the blocks' scales spread: a histogram of log2(scale) over the blocks (MX's E8M0 exponents
// fall on integers, one bar each), for the current and the compared result when they scale per
// block, channel or group. Blocks with scale 0 (all zero, or an NVFP4 scale that rounds to 0)
// are counted apart.
class BlockScaleView : public QWidget {
    Q_OBJECT

public:
    explicit BlockScaleView(QWidget* parent = nullptr);

    void setController(ExplorerController* controller);

    QCustomPlot* plot() const { return m_plot; }
    QCPBars* bars() const { return m_bars; }
    QCPBars* compareBars() const { return m_compareBars; }
    const Histogram& histogram() const { return m_primary; }
    QString hoverText(double log2Scale) const;

private:
    void refresh();
    void onMouseMove(QMouseEvent* event);

    ExplorerController* m_controller = nullptr;
    QLabel* m_title;
    QCustomPlot* m_plot;
    QCPBars* m_bars;
    QCPBars* m_compareBars;
    Histogram m_primary;
    Histogram m_compare;
};

} // namespace quantscope
