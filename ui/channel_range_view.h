#pragma once

#include <QWidget>

#include <vector>

class QCPGraph;
class QCustomPlot;
class QLabel;
class QMouseEvent;

namespace quantscope {

class ExplorerController;

// Each channel's smallest and largest value (a band, one column per channel along the channel
// axis: the per-channel axis, else 0) with the quantizer's range over it: one range for a
// per-tensor codebook, each channel's own range per channel, the envelope of a channel's groups
// or blocks otherwise. Channels whose max |x| stands far above the median are marked. Hovering
// names the channel; clicking shows it in the histogram when the histogram's slices are these
// channels.
class ChannelRangeView : public QWidget {
    Q_OBJECT

public:
    // A channel whose max |x| exceeds this many times the median channel's is an outlier.
    static constexpr double kOutlierFactor = 4.0;

    explicit ChannelRangeView(QWidget* parent = nullptr);

    void setController(ExplorerController* controller);

    QCustomPlot* plot() const { return m_plot; }
    QCPGraph* minGraph() const { return m_min; }
    QCPGraph* maxGraph() const { return m_max; }
    QCPGraph* rangeLowGraph() const { return m_rangeLow; }
    QCPGraph* rangeHighGraph() const { return m_rangeHigh; }
    QCPGraph* outlierGraph() const { return m_outliers; }
    // The channel under horizontal pixel `pixelX` and what hovering there says.
    int channelAt(double pixelX) const;
    QString hoverText(double pixelX) const;

private:
    void refresh();
    void onMouseMove(QMouseEvent* event);
    void onMouseRelease(QMouseEvent* event);

    ExplorerController* m_controller = nullptr;
    QLabel* m_title;
    QCustomPlot* m_plot;
    QCPGraph* m_min;
    QCPGraph* m_max;
    QCPGraph* m_rangeLow;
    QCPGraph* m_rangeHigh;
    QCPGraph* m_outliers;
    // Per channel, for hovering: the quantizer's range and scale (NaN when not per channel).
    std::vector<double> m_low;
    std::vector<double> m_high;
    std::vector<double> m_scale;
    double m_pressX = 0.0;
};

} // namespace quantscope
