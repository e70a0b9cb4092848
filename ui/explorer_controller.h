#pragma once

#include "quant_result.h"

#include "quantscope/distribution.h"
#include "quantscope/granularity.h"
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

// Metrics of every scheme: at the current bits and granularity (the comparison) and at bits
// 1..8 (rate–distortion, against the true bits per weight).
struct SchemeSweep {
    struct Row {
        std::string schemeId;
        std::string displayName;
        std::optional<Metrics> metrics; // empty when the scheme cannot design at these bits
        double bitsPerWeight = 0.0;
        std::string error;
        bool pending = false; // a per-slice design still being computed
    };
    int bits = 0;
    Granularity granularity;
    std::vector<Row> rows;
};
struct RateDistortion {
    struct Curve {
        std::string schemeId;
        std::string displayName;
        std::vector<int> bits;
        std::vector<double> bitsPerWeight;
        std::vector<double> sqnrDb;
    };
    Granularity granularity;
    std::vector<Curve> curves;
    // Schemes whose per-slice designs are too slow to sweep at this granularity.
    std::vector<std::string> leftOut;
};

// The slices the histogram can show one of: the result's channels, groups or blocks, or for a
// per-tensor codebook the channels along axis 0.
struct FocusSlice {
    std::int64_t index = -1;
    std::shared_ptr<const Distribution> distribution; // of the slice's values
    Histogram histogram;
    std::optional<QuantResult> result; // the slice's own codebook and metrics
};

// Each channel's range, for the range view.
struct ChannelRanges {
    std::int64_t axis = 0;
    std::vector<SliceRange> ranges;
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
    // The scheme and all its parameters at once: `params` over the scheme's defaults at the bit
    // width `params` stands for (or the current one).
    void setSchemeParams(const QString& id, const Params& params);
    // An unknown name or out-of-range value shows up as the result's error.
    void setParam(const QString& name, double value);
    void setParamAuto(const QString& name); // optional parameter left to the scheme
    // The bit width in the scheme's own terms: `bits`, or 2^bits `levels`.
    void setBits(int bits);
    void setCompareScheme(const QString& id); // empty: compare mode off
    // Per tensor, per channel or per group, for every scheme that takes it (block-scaled
    // schemes keep their own blocks, calibrators their one range).
    void setGranularity(const Granularity& granularity);
    // Shows one slice (a channel, group or block; see focusLayout()) in the histogram and the
    // transfer plot; -1 shows all values.
    void setFocusSlice(std::int64_t index);

    const QString& schemeId() const { return m_schemeId; }
    const Params& params() const { return m_params; }
    const QString& compareSchemeId() const { return m_compareId; }
    const Granularity& granularity() const { return m_granularity; }
    int bits() const { return bitsOf(m_schemeId.toStdString(), m_params); }
    // Whether the current scheme quantizes at the chosen granularity.
    bool schemeUsesGranularity() const;

    // The latest finished designs for the current state (empty before the first one).
    const std::optional<QuantResult>& result() const { return m_result; }
    const std::optional<QuantResult>& compareResult() const { return m_compareResult; }
    const SchemeSweep& comparison() const { return m_comparison; }
    const RateDistortion& rateDistortion() const { return m_rateDistortion; }
    // The slices setFocusSlice() picks from (empty when the tensor has none to offer) and what
    // one of them is called ("channel", "group", "block").
    std::optional<SliceLayout> focusLayout() const;
    QString focusSliceKind() const;
    const FocusSlice& focus() const { return m_focus; }
    const ChannelRanges& channelRanges() const { return m_channelRanges; }
    // The axis the range view shows: the per-channel axis, else 0.
    std::int64_t channelAxis() const;

    // The threads of all long work (loading, sorting, designs, sweeps, exports). Qt's global pool
    // stays free: Qt 6 paints large images with its helper threads and waits for them, so a
    // global pool busy with seconds of sorting would stall every replot.
    static QThreadPool* workPool();
    // The threads of the work the user waits for (a load, the current design, a chosen slice):
    // their own, so they never queue behind the background sweeps of workPool(), which may still
    // be finishing a long design for the previous tensor.
    static QThreadPool* interactivePool();

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
    void granularityChanged();
    void resultChanged();
    void focusChanged();
    void channelRangesChanged();
    void comparisonChanged();
    void rateDistortionChanged();
    void busyChanged(bool busy);

private:
    struct DesignJob {
        std::shared_ptr<const Distribution> distribution; // the one designed on
        std::optional<QuantResult> primary;
        std::optional<QuantResult> compare;
    };
    struct FocusJob {
        std::shared_ptr<const Distribution> distribution; // of the whole tensor
        FocusSlice focus;
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
    void startFocus();
    void onFocusFinished();
    void startChannelRanges();
    void updateBusy();

    LoadedTensor m_loaded;
    QString m_schemeId;
    Params m_params;
    QString m_compareId;
    Granularity m_granularity;
    std::int64_t m_focusIndex = -1;
    FocusSlice m_focus;
    ChannelRanges m_channelRanges;
    std::optional<QuantResult> m_result;
    std::optional<QuantResult> m_compareResult;
    SchemeSweep m_comparison;
    RateDistortion m_rateDistortion;

    QFutureWatcher<LoadedTensor> m_loadWatcher;
    QFutureWatcher<DesignJob> m_designWatcher;
    QFutureWatcher<SchemeSweep> m_comparisonWatcher;
    QFutureWatcher<RateDistortion> m_rateDistortionWatcher;
    QFutureWatcher<FocusJob> m_focusWatcher;
    QFutureWatcher<ChannelRanges> m_channelRangesWatcher;
    QTimer m_designTimer; // zero-interval: one design per burst of requests
    bool m_designPending = false;
    bool m_comparisonPending = false;
    // Set when work starts, cleared when its result has been taken: a watcher's isRunning()
    // turns false before its finished signal is delivered.
    bool m_loading = false;
    bool m_designRunning = false;
    bool m_comparisonRunning = false;
    bool m_rateDistortionRunning = false;
    bool m_rateDistortionPending = false;
    bool m_focusRunning = false;
    bool m_focusPending = false;
    bool m_channelRangesRunning = false;
    bool m_busy = false;
};

} // namespace quantscope
