#pragma once

#include "quant_result.h"

#include "quantscope/distribution.h"
#include "quantscope/histogram.h"
#include "quantscope/params.h"
#include "quantscope/tensor.h"
#include "quantscope/tensor_file.h"

#include <QFutureWatcher>
#include <QObject>
#include <QPromise>
#include <QString>
#include <QThreadPool>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace quantscope {

// A tensor with its Distribution and overview histogram, built off the UI thread.
struct LoadedTensor {
    QString source; // file path or demo:NAME; empty for a tensor handed in directly
    std::shared_ptr<const TensorFile> file;
    std::vector<TensorInfo> tensors;    // every readable tensor of the file
    std::vector<SkippedTensor> skipped; // the file's tensors that cannot be read, with reasons
    std::shared_ptr<const Tensor> tensor;
    std::shared_ptr<const Distribution> distribution;
    Histogram histogram; // automatic bins over the data range
    QString error;       // one line; empty on success
    bool cancelled = false;
};

// Metrics of every scheme: at the current bits (the comparison) and at bits 1..8 (rate–distortion).
struct SchemeSweep {
    struct Row {
        std::string schemeId;
        std::string displayName;
        std::optional<Metrics> metrics; // empty when the scheme cannot design at these bits
        std::string error;
    };
    int bits = 0;
    std::vector<Row> rows;
};
struct RateDistortion {
    struct Curve {
        std::string schemeId;
        std::string displayName;
        std::vector<int> bits;
        std::vector<double> sqnrDb;
    };
    std::vector<Curve> curves;
};

// The explorer's state and work, without widgets: owns the loaded tensor and its Distribution,
// the scheme and its parameters, and designs codebooks and metrics on request. All heavy work
// runs on the thread pool; requests arriving while work runs are coalesced so the latest wins.
// Views subscribe to the signals and read the state through the getters.
class ExplorerController : public QObject {
    Q_OBJECT

public:
    static constexpr int kRateDistortionMaxBits = 8;

    explicit ExplorerController(QObject* parent = nullptr);
    ~ExplorerController() override;

    // Loading: a file path or demo:NAME (first tensor unless `tensorName`), another tensor of the
    // current file, or a tensor handed in directly.
    void openSource(const QString& source, const QString& tensorName = {});
    void selectTensor(const QString& name);
    void setTensor(Tensor tensor);
    void cancelLoad();

    bool isLoading() const { return m_loading; }
    // True while anything (load, design, comparison) is still being computed.
    bool isBusy() const;

    const QString& source() const { return m_loaded.source; }
    // The open file (null for a tensor handed in directly).
    std::shared_ptr<const TensorFile> file() const { return m_loaded.file; }
    const std::vector<TensorInfo>& fileTensors() const { return m_loaded.tensors; }
    const std::vector<SkippedTensor>& fileSkipped() const { return m_loaded.skipped; }
    std::shared_ptr<const Tensor> tensor() const { return m_loaded.tensor; }
    std::shared_ptr<const Distribution> distribution() const { return m_loaded.distribution; }
    const Histogram& histogram() const { return m_loaded.histogram; }

    void setScheme(const QString& id);
    // An unknown name or out-of-range value shows up as the result's error.
    void setParam(const QString& name, double value);
    void setParamAuto(const QString& name); // optional parameter left to the scheme
    // The bit width in the scheme's own terms: `bits`, or 2^bits `levels`.
    void setBits(int bits);
    void setCompareScheme(const QString& id); // empty: compare mode off

    const QString& schemeId() const { return m_schemeId; }
    const Params& params() const { return m_params; }
    const QString& compareSchemeId() const { return m_compareId; }
    int bits() const { return bitsOf(m_params); }

    // The latest finished designs for the current state (empty before the first one).
    const std::optional<QuantResult>& result() const { return m_result; }
    const std::optional<QuantResult>& compareResult() const { return m_compareResult; }
    const SchemeSweep& comparison() const { return m_comparison; }
    const RateDistortion& rateDistortion() const { return m_rateDistortion; }

    // The threads of all long work (loading, sorting, designs, sweeps, exports). Qt's global pool
    // stays free: Qt 6 paints large images with its helper threads and waits for them, so a
    // global pool busy with seconds of sorting would stall every replot.
    static QThreadPool* workPool();

    // Parameters for `schemeId` at `bits`, everything else at its default.
    static Params paramsAtBits(const std::string& schemeId, int bits);

signals:
    void loadStarted(const QString& source);
    void loadProgress(int percent);
    void loadFinished();
    void loadFailed(const QString& message);
    void schemeChanged(const QString& id);
    void paramsChanged();
    void compareSchemeChanged(const QString& id);
    void resultChanged();
    void comparisonChanged();
    void rateDistortionChanged();
    void busyChanged(bool busy);

private:
    struct DesignJob {
        std::shared_ptr<const Distribution> distribution; // the one designed on
        std::optional<QuantResult> primary;
        std::optional<QuantResult> compare;
    };

    void startLoad(std::function<void(QPromise<LoadedTensor>&)> work, const QString& source);
    void onLoadFinished();
    void requestDesign();
    void startDesign();
    void onDesignFinished();
    void requestComparison();
    void startComparison();
    void onComparisonFinished();
    void startRateDistortion();
    void updateBusy();

    LoadedTensor m_loaded;
    QString m_schemeId;
    Params m_params;
    QString m_compareId;
    std::optional<QuantResult> m_result;
    std::optional<QuantResult> m_compareResult;
    SchemeSweep m_comparison;
    RateDistortion m_rateDistortion;

    QFutureWatcher<LoadedTensor> m_loadWatcher;
    QFutureWatcher<DesignJob> m_designWatcher;
    QFutureWatcher<SchemeSweep> m_comparisonWatcher;
    QFutureWatcher<RateDistortion> m_rateDistortionWatcher;
    QTimer m_designTimer; // zero-interval: one design per burst of requests
    bool m_designPending = false;
    bool m_comparisonPending = false;
    // Set when work starts, cleared when its result has been taken: a watcher's isRunning()
    // turns false before its finished signal is delivered.
    bool m_loading = false;
    bool m_designRunning = false;
    bool m_comparisonRunning = false;
    bool m_rateDistortionRunning = false;
    bool m_busy = false;
};

} // namespace quantscope
