#pragma once

#include "quant_result.h"

#include "quantscope/distribution.h"
#include "quantscope/histogram.h"
#include "quantscope/schemes/weighted_entropy.h"

#include <QFutureWatcher>
#include <QWidget>

#include <memory>
#include <optional>

class QCPGraph;
class QCustomPlot;
class QLabel;
class QScrollArea;

namespace quantscope {

class ExplorerController;

// The current scheme's rule with the live numbers: the linear scale and zero point, weq's
// clusters and objective sweep by sweep (mini plot), weq-log's grid over its log histogram (mini
// plot), DSQ's soft curve beside the hard staircase (mini plot), a calibrator's histogram with its
// chosen threshold (mini plot, with the KL divergence of each candidate for entropy), MX's and
// NVFP4's block scales, the scales per channel or group, else a description and the codebook's
// key numbers. Numbers are shown with 7 significant digits; the text scrolls when the panel is
// short.
class TeachingPanel : public QWidget {
    Q_OBJECT

public:
    static constexpr int kDigits = 7;
    static constexpr int kSoftSamples = 400;

    explicit TeachingPanel(QWidget* parent = nullptr);
    ~TeachingPanel() override;

    void setController(ExplorerController* controller);
    // Explains `result` (may be null) designed on `dist`. For weq the sweep history is
    // recomputed off the UI thread; weqSweepsShown() tells when it is plotted.
    void setResult(const QuantResult* result, std::shared_ptr<const Distribution> dist);

    // The rich text shown.
    QString formulaText() const;
    QCustomPlot* miniPlot() const { return m_plot; }
    QCPGraph* softGraph() const { return m_soft; }
    QCPGraph* hardGraph() const { return m_hard; }
    QCPGraph* objectiveGraph() const { return m_objective; }
    // weq-log: the values per 1/16 octave against log2 |x|, and the levels' exponents.
    QCPGraph* logCountGraph() const { return m_logCounts; }
    QCPGraph* logLevelGraph() const { return m_logLevels; }
    QScrollArea* formulaScroll() const { return m_formulaScroll; }
    QCPGraph* calibrationHistogramGraph() const { return m_calibrationHistogram; }
    QCPGraph* thresholdGraph() const { return m_threshold; }
    QCPGraph* divergenceGraph() const { return m_divergence; }

    // What a calibrator computed, for the plot: its histogram, the chosen bounds, and for
    // entropy the divergence of each candidate threshold.
    struct Calibration {
        std::string schemeId;
        Histogram histogram;
        std::vector<double> bounds; // thresholds (percentile, entropy) or new min and max
        std::vector<double> candidates;
        std::vector<double> divergences;
    };

signals:
    void weqSweepsShown();
    void calibrationShown();

private:
    void refreshFromController();
    QString explain(const QuantResult& result, const Distribution& dist);
    void showDsq(const QuantResult& result, const Distribution& dist);
    void showLogHistogram(const QuantResult& result, const Distribution& dist);
    void startCalibration(const QuantResult& result, std::shared_ptr<const Distribution> dist);
    void showCalibration(const Calibration& calibration);
    void onWeqDesigned();
    void showWeqDesign();

    ExplorerController* m_controller = nullptr;
    QLabel* m_formula;
    QCustomPlot* m_plot;
    QCPGraph* m_soft;
    QCPGraph* m_hard;
    QCPGraph* m_objective;
    QCPGraph* m_logCounts;
    QCPGraph* m_logLevels;
    QScrollArea* m_formulaScroll;
    QCPGraph* m_calibrationHistogram;
    QCPGraph* m_threshold;
    QCPGraph* m_divergence;
    QFutureWatcher<Calibration> m_calibrationWatcher;
    std::optional<std::pair<QuantResult, std::shared_ptr<const Distribution>>> m_calibrationPending;
    std::optional<QuantResult> m_result;
    QString m_baseText; // without the weq sweep details

    // A weq design is identified by the distribution and the level count.
    struct WeqJob {
        std::shared_ptr<const Distribution> dist;
        int levels = 0;
        bool operator==(const WeqJob&) const = default;
    };
    void startWeqDesign();

    QFutureWatcher<WeightedEntropyDesign> m_weqWatcher;
    WeqJob m_weqWanted;  // the current result's; empty dist when the scheme is not weq
    WeqJob m_weqRunning; // what the watcher computes
    bool m_weqBusy = false;
    WeqJob m_weqShownFor; // what m_weqDesign belongs to
    std::optional<WeightedEntropyDesign> m_weqDesign;
};

} // namespace quantscope
