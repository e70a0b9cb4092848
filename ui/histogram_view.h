#pragma once

#include "quant_result.h"

#include "quantscope/histogram.h"

#include <QWidget>

#include <memory>

class QCheckBox;
class QLabel;
class QSpinBox;
class QCPAxis;
class QCPGraph;
class QCustomPlot;
class QMouseEvent;
class QTimer;

namespace quantscope {

class ExplorerController;

// The tensor's histogram with the codebook drawn over it: boundaries as vertical lines, levels
// as markers on stems whose height is the level's mass (share of the values it receives).
// Zooming re-bins the visible range from the Distribution; hovering shows exact values. It shows
// all values or one channel, group or block (the slice spin box): then that slice's values with
// its own codebook (block-scaled and per-slice schemes have no single codebook for all values).
class HistogramView : public QWidget {
    Q_OBJECT

public:
    explicit HistogramView(ExplorerController* controller, QWidget* parent = nullptr);

    QCustomPlot* plot() const { return m_plot; }
    QCPGraph* histogramGraph() const { return m_histogram; }
    QCPGraph* boundaryGraph() const { return m_boundaries; }
    QCPGraph* levelGraph() const { return m_levels; }
    QCPGraph* compareBoundaryGraph() const { return m_compareBoundaries; }
    QCPGraph* compareLevelGraph() const { return m_compareLevels; }
    // With many levels the boundaries shrink to ticks at the bottom (boundaryGraph) and the top
    // (these graphs, on a reversed unit axis); otherwise these stay empty.
    QCPGraph* boundaryTopGraph() const { return m_boundaryTop; }
    QCPGraph* compareBoundaryTopGraph() const { return m_compareBoundaryTop; }
    // What hovering at horizontal pixel `pixelX` of the plot shows (empty: nothing there).
    QString hoverText(double pixelX) const;
    const Histogram& shownHistogram() const { return m_shown; }

    // The slice shown: -1 for all values (the controller's focus).
    QSpinBox* sliceSpin() const { return m_slice; }
    QLabel* noteLabel() const { return m_note; }

    void setLogCounts(bool log);
    // Whether one bin dominates so much that a linear count axis hides the rest.
    static bool isSpiky(const Histogram& histogram);
    void resetZoom();

private:
    void onDistributionChanged();
    void onResultChanged();
    void onFocusChanged();
    void syncSliceChoice();
    // What is shown: the focused slice's, or the whole tensor's.
    std::shared_ptr<const Distribution> shownDistribution() const;
    const Histogram& fullHistogram() const;
    const std::optional<QuantResult>& primaryResult() const;
    void rebinVisibleRange();
    void showHistogram(const Histogram& histogram);
    void showCodebook(const std::optional<QuantResult>& result, QCPGraph* boundaries,
                      QCPGraph* boundaryTop, QCPGraph* levels);
    void updateMassAxis();
    void onMouseMove(QMouseEvent* event);

    ExplorerController* m_controller;
    QCustomPlot* m_plot;
    QCheckBox* m_logCounts;
    QSpinBox* m_slice;
    QLabel* m_note;
    QCPAxis* m_unitAxis;    // hidden 0..1 axis: boundaries span the full height
    QCPAxis* m_unitAxisTop; // the same, reversed: ticks hanging from the top
    QCPGraph* m_histogram;
    QCPGraph* m_boundaries;
    QCPGraph* m_levels;
    QCPGraph* m_compareBoundaries;
    QCPGraph* m_compareLevels;
    QCPGraph* m_boundaryTop;
    QCPGraph* m_compareBoundaryTop;
    QTimer* m_rebinTimer;
    Histogram m_shown;
    int m_binCount = 0;
    bool m_settingRange = false;
};

} // namespace quantscope
