#pragma once

#include "quantscope/histogram.h"

#include <QWidget>

class QCPBars;
class QCustomPlot;
class QMouseEvent;

namespace quantscope {

class ExplorerController;
struct QuantResult;

// The histogram of the error Q(x) − x as bars; in compare mode the second scheme's error
// histogram is overlaid. Hovering shows a bin's range and count.
class ErrorHistogramView : public QWidget {
    Q_OBJECT

public:
    explicit ErrorHistogramView(QWidget* parent = nullptr);

    void setController(ExplorerController* controller);
    // Shows the error histograms of `primary` and `compare` (either may be null).
    void setResult(const QuantResult* primary, const QuantResult* compare = nullptr);

    QCustomPlot* plot() const { return m_plot; }
    QCPBars* bars() const { return m_bars; }
    QCPBars* compareBars() const { return m_compareBars; }
    QString hoverText(double error) const;

private:
    void refreshFromController();
    void onMouseMove(QMouseEvent* event);

    ExplorerController* m_controller = nullptr;
    QCustomPlot* m_plot;
    QCPBars* m_bars;
    QCPBars* m_compareBars;
    Histogram m_primary;
    Histogram m_compare;
    QString m_primaryName;
    QString m_compareName;
};

} // namespace quantscope
