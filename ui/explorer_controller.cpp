#include "explorer_controller.h"

#include "quantscope/errors.h"
#include "quantscope/quantize.h"
#include "quantscope/scheme.h"

#include <QCoreApplication>
#include <QThread>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <exception>

namespace quantscope {
namespace {

constexpr int kProgressSteps = 1000;
// Reading the values is a small part of a load; the sort dominates.
constexpr double kReadShare = 0.1;

// A shared pointer whose object, when its last owner lets go on the UI thread, is freed on the
// thread pool: a tensor and its Distribution can take gigabytes, and unmapping them there
// would stall the window for tens of milliseconds whenever a tensor is replaced.
template <typename T> std::shared_ptr<const T> makeReleasedOffUiThread(T&& value)
{
    return std::shared_ptr<const T>(new T(std::forward<T>(value)), [](const T* object) {
        const QCoreApplication* app = QCoreApplication::instance();
        if (app != nullptr && QThread::currentThread() == app->thread()) {
            ExplorerController::workPool()->start([object] { delete object; });
        } else {
            delete object;
        }
    });
}

// Builds the Distribution and overview histogram, reporting progress to `promise` and
// stopping (Cancelled) when the promise is cancelled.
void buildDistribution(LoadedTensor& out, QPromise<LoadedTensor>& promise)
{
    const ProgressCallback progress = [&promise](double fraction) {
        promise.setProgressValue(
            static_cast<int>((kReadShare + (1.0 - kReadShare) * fraction) * kProgressSteps));
        return !promise.isCanceled();
    };
    out.distribution = makeReleasedOffUiThread(Distribution(out.tensor->values(), progress));
    out.histogram = autoHistogram(*out.distribution);
}

LoadedTensor loadTensor(QPromise<LoadedTensor>& promise, std::shared_ptr<const TensorFile> file,
                        const QString& source, const QString& tensorName)
{
    promise.setProgressRange(0, kProgressSteps);
    LoadedTensor out;
    out.source = source;
    try {
        if (!file) {
            file = openTensorFile(source.toStdString());
        }
        out.file = file;
        out.tensors = file->tensors();
        out.skipped = file->skipped();
        requireReadableTensors(*file);
        const std::string name =
            tensorName.isEmpty() ? out.tensors.front().name : tensorName.toStdString();
        out.tensor = makeReleasedOffUiThread(file->load(name));
        promise.setProgressValue(static_cast<int>(kReadShare * kProgressSteps));
        if (promise.isCanceled()) {
            throw Cancelled();
        }
        buildDistribution(out, promise);
    } catch (const Cancelled&) {
        out.cancelled = true;
    } catch (const std::exception& e) {
        out.error = QString::fromStdString(e.what());
    }
    return out;
}

// Per-slice designs from Distributions take seconds on large tensors: swept last, or (for
// rate–distortion) left out.
bool slowAt(const Scheme& scheme, const Granularity& granularity)
{
    return !granularityFor(scheme, granularity).isPerTensor() && !scheme.vectorizedSlices();
}

// `scheme` at `bits` on the tensor: metrics and bits per weight, or why it cannot.
std::optional<QuantizedTensor> measure(const Scheme& scheme, const Tensor& tensor,
                                       const Distribution& dist, int bits,
                                       const Granularity& granularity, std::string& error)
{
    try {
        QuantizeOptions options;
        options.granularity = granularityFor(scheme, granularity);
        options.distribution = &dist;
        return quantizeTensor(tensor, scheme, {{"bits", double(bits)}}, options);
    } catch (const std::exception& e) {
        error = e.what();
    }
    return std::nullopt;
}

// Every scheme at `bits`. With slow per-slice rows, a first result holds the fast rows (the slow
// ones pending), the second all of them; a cancel stops between schemes.
void sweepAtBits(QPromise<SchemeSweep>& promise, std::shared_ptr<const Tensor> tensor,
                 std::shared_ptr<const Distribution> dist, int bits, Granularity granularity)
{
    SchemeSweep sweep;
    sweep.bits = bits;
    sweep.granularity = granularity;
    const auto run = [&](const Scheme& scheme, SchemeSweep::Row& row) {
        if (const auto q = measure(scheme, *tensor, *dist, bits, granularity, row.error)) {
            row.metrics = q->metrics;
            row.bitsPerWeight = q->bitsPerWeight;
        }
        row.pending = false;
    };
    bool pending = false;
    for (const auto& scheme : allSchemes()) {
        SchemeSweep::Row row;
        row.schemeId = scheme->id();
        row.displayName = scheme->displayName();
        row.pending = slowAt(*scheme, granularity);
        pending = pending || row.pending;
        if (!row.pending) {
            run(*scheme, row);
        }
        sweep.rows.push_back(std::move(row));
    }
    if (pending) {
        promise.addResult(sweep);
        for (SchemeSweep::Row& row : sweep.rows) {
            if (promise.isCanceled()) {
                return;
            }
            if (row.pending) {
                run(schemeById(row.schemeId), row);
            }
        }
    }
    promise.addResult(std::move(sweep));
}

RateDistortion computeRateDistortion(std::shared_ptr<const Tensor> tensor,
                                     std::shared_ptr<const Distribution> dist, int maxBits,
                                     Granularity granularity)
{
    RateDistortion out;
    out.granularity = granularity;
    for (const auto& scheme : allSchemes()) {
        if (slowAt(*scheme, granularity)) {
            out.leftOut.push_back(scheme->id());
            continue;
        }
        RateDistortion::Curve curve;
        curve.schemeId = scheme->id();
        curve.displayName = scheme->displayName();
        for (int bits = 1; bits <= maxBits; ++bits) {
            std::string error; // a bit width the scheme does not offer: the curve skips it
            const auto q = measure(*scheme, *tensor, *dist, bits, granularity, error);
            if (q && q->metrics.sqnrDb) {
                curve.bits.push_back(bits);
                curve.bitsPerWeight.push_back(q->bitsPerWeight);
                curve.sqnrDb.push_back(*q->metrics.sqnrDb);
            }
        }
        if (!curve.bits.empty()) {
            out.curves.push_back(std::move(curve));
        }
    }
    return out;
}

} // namespace

QThreadPool* ExplorerController::workPool()
{
    static QThreadPool pool;
    return &pool;
}

QThreadPool* ExplorerController::interactivePool()
{
    static QThreadPool pool;
    return &pool;
}

ExplorerController::ExplorerController(QObject* parent)
    : QObject(parent)
    , m_schemeId(QStringLiteral("symmetric"))
    , m_params(paramsAtBits("symmetric", 8))
{
    m_designTimer.setSingleShot(true);
    m_designTimer.setInterval(0);
    connect(&m_designTimer, &QTimer::timeout, this, &ExplorerController::startDesign);
    connect(&m_loadWatcher, &QFutureWatcher<LoadedTensor>::finished, this,
            &ExplorerController::onLoadFinished);
    connect(&m_loadWatcher, &QFutureWatcher<LoadedTensor>::progressValueChanged, this,
            [this](int value) { emit loadProgress(value * 100 / kProgressSteps); });
    connect(&m_designWatcher, &QFutureWatcher<DesignJob>::finished, this,
            &ExplorerController::onDesignFinished);
    // A design arrives in up to two steps: the metrics first, then the error views of a block or
    // per-slice result (one more pass over the values).
    connect(&m_designWatcher, &QFutureWatcher<DesignJob>::resultReadyAt, this, [this](int index) {
        if (index >= m_designWatcher.future().resultCount()) {
            return;
        }
        DesignJob job = m_designWatcher.resultAt(index);
        // A result computed on a previous tensor is of no use; the new tensor asked for its own.
        if (job.distribution != m_loaded.distribution) {
            return;
        }
        m_result = std::move(job.primary);
        m_compareResult = std::move(job.compare);
        emit resultChanged();
        if (index == 0 && m_focusIndex >= 0) {
            startFocus(); // the slice's codebook follows the new design
        }
    });
    connect(&m_comparisonWatcher, &QFutureWatcher<SchemeSweep>::finished, this,
            &ExplorerController::onComparisonFinished);
    // The fast rows of a sweep with slow per-slice rows arrive first.
    connect(&m_comparisonWatcher, &QFutureWatcher<SchemeSweep>::resultReadyAt, this,
            [this](int index) {
                if (!m_comparisonPending && !m_comparisonWatcher.isCanceled()) {
                    m_comparison = m_comparisonWatcher.resultAt(index);
                    emit comparisonChanged();
                }
            });
    connect(&m_rateDistortionWatcher, &QFutureWatcher<RateDistortion>::finished, this, [this] {
        m_rateDistortionRunning = false;
        if (m_rateDistortionPending) {
            startRateDistortion();
        } else if (!m_rateDistortionWatcher.isCanceled()) {
            m_rateDistortion = m_rateDistortionWatcher.result();
            emit rateDistortionChanged();
        }
        updateBusy();
    });
    connect(&m_focusWatcher, &QFutureWatcher<FocusJob>::finished, this,
            &ExplorerController::onFocusFinished);
    connect(&m_channelRangesWatcher, &QFutureWatcher<ChannelRanges>::finished, this, [this] {
        m_channelRangesRunning = false;
        m_channelRanges = m_channelRangesWatcher.result();
        emit channelRangesChanged();
        updateBusy();
    });
}

ExplorerController::~ExplorerController()
{
    // Background work reads the distribution through shared pointers, so it may finish on its
    // own; only a load is worth stopping early.
    m_loadWatcher.cancel();
    m_loadWatcher.waitForFinished();
    m_designWatcher.waitForFinished();
    m_comparisonWatcher.cancel();
    m_comparisonWatcher.waitForFinished();
    m_rateDistortionWatcher.waitForFinished();
    m_focusWatcher.waitForFinished();
    m_channelRangesWatcher.waitForFinished();
}

void ExplorerController::openSource(const QString& source, const QString& tensorName)
{
    startLoad(
        [source, tensorName](QPromise<LoadedTensor>& promise) {
            promise.addResult(loadTensor(promise, nullptr, source, tensorName));
        },
        source);
}

void ExplorerController::selectTensor(const QString& name)
{
    const auto file = m_loaded.file;
    const QString source = m_loaded.source;
    startLoad(
        [file, source, name](QPromise<LoadedTensor>& promise) {
            promise.addResult(loadTensor(promise, file, source, name));
        },
        source);
}

void ExplorerController::setTensor(Tensor tensor)
{
    auto shared = makeReleasedOffUiThread(std::move(tensor));
    startLoad(
        [shared](QPromise<LoadedTensor>& promise) {
            promise.setProgressRange(0, kProgressSteps);
            LoadedTensor out;
            out.tensor = shared;
            out.tensors = {{shared->name(), shared->shape(), shared->sourceDtype()}};
            try {
                buildDistribution(out, promise);
            } catch (const Cancelled&) {
                out.cancelled = true;
            } catch (const std::exception& e) {
                out.error = QString::fromStdString(e.what());
            }
            promise.addResult(std::move(out));
        },
        QString::fromStdString(shared->name()));
}

void ExplorerController::startLoad(std::function<void(QPromise<LoadedTensor>&)> work,
                                   const QString& source)
{
    // A load still running is abandoned: it notices the cancel at its next progress report.
    m_loadWatcher.cancel();
    m_loadWatcher.setFuture(QtConcurrent::run(interactivePool(), std::move(work)));
    m_loading = true;
    emit loadStarted(source);
    updateBusy();
}

void ExplorerController::cancelLoad()
{
    m_loadWatcher.cancel();
}

void ExplorerController::onLoadFinished()
{
    m_loading = false;
    const QFuture<LoadedTensor> future = m_loadWatcher.future();
    if (future.isCanceled() || future.resultCount() == 0) {
        emit loadFailed(tr("Loading cancelled"));
        updateBusy();
        return;
    }
    LoadedTensor loaded = future.result();
    if (loaded.cancelled) {
        emit loadFailed(tr("Loading cancelled"));
    } else if (!loaded.error.isEmpty()) {
        emit loadFailed(loaded.error);
    } else {
        m_loaded = std::move(loaded);
        m_result.reset();
        m_compareResult.reset();
        m_comparison = {};
        m_rateDistortion = {};
        m_focusIndex = -1;
        m_focus = {};
        m_channelRanges = {};
        emit loadFinished();
        emit focusChanged();
        requestDesign();
        requestComparison();
        startRateDistortion();
        startChannelRanges();
    }
    updateBusy();
}

void ExplorerController::setScheme(const QString& id)
{
    if (id == m_schemeId || findScheme(id.toStdString()) == nullptr) {
        return;
    }
    const int currentBits = bits();
    m_schemeId = id;
    m_params = paramsAtBits(id.toStdString(), currentBits);
    emit schemeChanged(id);
    emit paramsChanged();
    requestDesign();
}

void ExplorerController::setSchemeParams(const QString& id, const Params& params)
{
    if (findScheme(id.toStdString()) == nullptr) {
        return;
    }
    const int oldBits = bits();
    const bool bitsGiven = params.has("bits") || params.has("levels");
    Params next = paramsAtBits(id.toStdString(), bitsGiven ? bitsOf(params) : oldBits);
    for (const auto& [name, value] : params.values()) {
        next.set(name, value);
    }
    const bool newScheme = id != m_schemeId;
    m_schemeId = id;
    m_params = next;
    if (newScheme) {
        emit schemeChanged(id);
    }
    emit paramsChanged();
    requestDesign();
    if (bits() != oldBits) {
        requestComparison();
    }
}

void ExplorerController::setParam(const QString& name, double value)
{
    const std::string key = name.toStdString();
    if (m_params.has(key) && m_params.get(key) == value) {
        return;
    }
    const int oldBits = bits();
    m_params.set(key, value);
    emit paramsChanged();
    requestDesign();
    if (bits() != oldBits) {
        requestComparison();
    }
}

void ExplorerController::setBits(int bits)
{
    const Params wanted = paramsAtBits(m_schemeId.toStdString(), bits);
    for (const auto& [name, value] : wanted.values()) {
        setParam(QString::fromStdString(name), value);
    }
}

void ExplorerController::setParamAuto(const QString& name)
{
    const std::string key = name.toStdString();
    if (!m_params.has(key)) {
        return;
    }
    m_params.erase(key);
    emit paramsChanged();
    requestDesign();
}

void ExplorerController::setCompareScheme(const QString& id)
{
    const QString next = findScheme(id.toStdString()) != nullptr ? id : QString();
    if (next == m_compareId) {
        return;
    }
    m_compareId = next;
    m_compareResult.reset();
    emit compareSchemeChanged(next);
    requestDesign();
}

Params ExplorerController::paramsAtBits(const std::string& schemeId, int bits)
{
    Params params;
    const Scheme* scheme = findScheme(schemeId);
    if (scheme == nullptr) {
        return params;
    }
    for (const auto& spec : scheme->paramSpecs()) {
        if (spec.kind == ParamKind::Bits) {
            params.set(spec.name, std::clamp(double(bits), spec.minimum, spec.maximum));
            return params;
        }
    }
    for (const auto& spec : scheme->paramSpecs()) {
        if (spec.kind == ParamKind::Levels) {
            params.set(spec.name, std::clamp(std::ldexp(1.0, bits), spec.minimum, spec.maximum));
            return params;
        }
    }
    // A scheme's own variant (an MX element format); none: its current parameters stay.
    return scheme->paramsForBits(bits).value_or(params);
}

void ExplorerController::setGranularity(const Granularity& granularity)
{
    if (granularity == m_granularity) {
        return;
    }
    const std::int64_t oldAxis = channelAxis();
    m_granularity = granularity;
    m_focusIndex = -1;
    m_focus = {};
    emit granularityChanged();
    emit focusChanged();
    requestDesign();
    requestComparison();
    if (m_loaded.distribution) {
        startRateDistortion();
        if (channelAxis() != oldAxis) {
            startChannelRanges();
        }
    }
}

bool ExplorerController::schemeUsesGranularity() const
{
    const Scheme* scheme = findScheme(m_schemeId.toStdString());
    return scheme != nullptr && !m_granularity.isPerTensor() &&
           scheme->asBlockScheme() == nullptr && scheme->takesGranularity();
}

std::int64_t ExplorerController::channelAxis() const
{
    if (m_granularity.kind != Granularity::Kind::PerChannel || !m_loaded.tensor) {
        return 0;
    }
    const auto rank = static_cast<std::int64_t>(m_loaded.tensor->shape().size());
    const std::int64_t axis = m_granularity.axis;
    return axis < 0 ? axis + rank : axis;
}

std::optional<SliceLayout> ExplorerController::focusLayout() const
{
    if (m_result && m_result->valid() && m_result->slices) {
        return m_result->slices->layout();
    }
    if (m_loaded.tensor && m_loaded.tensor->shape().size() >= 2) {
        return SliceLayout::perChannel(m_loaded.tensor->shape(), 0);
    }
    return std::nullopt;
}

QString ExplorerController::focusSliceKind() const
{
    if (m_result && m_result->valid() && m_result->slices) {
        if (m_result->slices->ownBlocks) {
            return tr("block");
        }
        return m_result->slices->layout().isGroups() ? tr("group") : tr("channel");
    }
    return tr("channel");
}

void ExplorerController::setFocusSlice(std::int64_t index)
{
    const auto layout = focusLayout();
    if (!layout || index < 0 || index >= layout->sliceCount()) {
        index = -1;
    }
    if (index == m_focusIndex) {
        return;
    }
    m_focusIndex = index;
    if (index < 0) {
        m_focus = {};
        emit focusChanged();
        updateBusy();
        return;
    }
    startFocus();
}

void ExplorerController::startFocus()
{
    if (m_focusRunning) {
        m_focusPending = true;
        return;
    }
    m_focusPending = false;
    const auto layout = focusLayout();
    if (m_focusIndex < 0 || !layout || !m_result || !m_result->valid() || !m_loaded.tensor ||
        m_focusIndex >= layout->sliceCount()) {
        m_focusIndex = -1;
        m_focus = {};
        emit focusChanged();
        updateBusy();
        return;
    }
    const auto tensor = m_loaded.tensor;
    const auto dist = m_loaded.distribution;
    const QuantResult whole = *m_result;
    const std::int64_t index = m_focusIndex;
    const SliceLayout sliceLayout = *layout;
    m_focusRunning = true;
    m_focusWatcher.setFuture(
        QtConcurrent::run(interactivePool(), [tensor, dist, whole, index, sliceLayout] {
            FocusJob job;
            job.distribution = dist;
            job.focus.index = index;
            auto sliceDist =
                std::make_shared<const Distribution>(sliceLayout.gather(tensor->values(), index));
            job.focus.histogram = autoHistogram(*sliceDist);
            Codebook codebook = whole.codebook;
            if (whole.slices) {
                try {
                    codebook = sliceCodebook(*tensor, whole.slices->slices, index).first;
                } catch (const std::exception&) {
                    codebook = {}; // the histogram alone
                }
            }
            job.focus.result = sliceResult(whole, codebook, *sliceDist);
            job.focus.distribution = std::move(sliceDist);
            return job;
        }));
    updateBusy();
}

void ExplorerController::onFocusFinished()
{
    m_focusRunning = false;
    FocusJob job = m_focusWatcher.result();
    if (m_focusPending) {
        startFocus();
        return;
    }
    if (job.distribution == m_loaded.distribution && job.focus.index == m_focusIndex) {
        m_focus = std::move(job.focus);
        emit focusChanged();
    }
    updateBusy();
}

void ExplorerController::startChannelRanges()
{
    const auto tensor = m_loaded.tensor;
    if (!tensor || tensor->shape().size() < 2 || m_channelRangesRunning) {
        return;
    }
    const std::int64_t axis = channelAxis();
    m_channelRangesRunning = true;
    m_channelRangesWatcher.setFuture(QtConcurrent::run(workPool(), [tensor, axis] {
        ChannelRanges out;
        out.axis = axis;
        try {
            out.ranges =
                sliceRanges(tensor->values(), SliceLayout::perChannel(tensor->shape(), axis));
        } catch (const std::exception&) {
            out.ranges.clear(); // an axis this tensor lacks: nothing to show
        }
        return out;
    }));
    updateBusy();
}

void ExplorerController::requestDesign()
{
    m_designTimer.start();
    updateBusy();
}

void ExplorerController::startDesign()
{
    if (!m_loaded.distribution) {
        updateBusy();
        return;
    }
    if (m_designRunning) {
        m_designPending = true;   // the latest state is designed when the running one ends
        m_designWatcher.cancel(); // its error views, if still to come, are no longer wanted
        return;
    }
    m_designPending = false;
    const auto tensor = m_loaded.tensor;
    const auto dist = m_loaded.distribution;
    const std::string scheme = m_schemeId.toStdString();
    const Params params = m_params;
    const std::string compare = m_compareId.toStdString();
    const Params compareParams = paramsAtBits(compare, bits());
    const Granularity granularity = m_granularity;
    m_designRunning = true;
    m_designWatcher.setFuture(
        QtConcurrent::run(interactivePool(), [tensor, dist, scheme, params, compare, compareParams,
                                              granularity](QPromise<DesignJob>& promise) {
            DesignJob job;
            job.distribution = dist;
            job.primary = quantizeResult(*tensor, *dist, scheme, params, granularity);
            if (!compare.empty()) {
                job.compare = quantizeResult(*tensor, *dist, compare, compareParams, granularity);
            }
            promise.addResult(job);
            const bool more =
                needsErrorViews(*job.primary) || (job.compare && needsErrorViews(*job.compare));
            if (!more || promise.isCanceled()) {
                return; // a newer request skips the views of this one
            }
            addErrorViews(*job.primary, *tensor, *dist);
            if (job.compare) {
                addErrorViews(*job.compare, *tensor, *dist);
            }
            promise.addResult(std::move(job));
        }));
    updateBusy();
}

void ExplorerController::onDesignFinished()
{
    m_designRunning = false;
    if (m_designPending) {
        startDesign();
    }
    updateBusy();
}

void ExplorerController::requestComparison()
{
    if (!m_loaded.distribution) {
        return;
    }
    if (m_comparisonRunning) {
        m_comparisonPending = true;
        m_comparisonWatcher.cancel(); // a sweep with slow rows stops between schemes
        return;
    }
    startComparison();
}

void ExplorerController::startComparison()
{
    m_comparisonPending = false;
    const auto tensor = m_loaded.tensor;
    const auto dist = m_loaded.distribution;
    const int b = bits();
    const Granularity granularity = m_granularity;
    m_comparisonRunning = true;
    m_comparisonWatcher.setFuture(QtConcurrent::run(
        workPool(), [tensor, dist, b, granularity](QPromise<SchemeSweep>& promise) {
            sweepAtBits(promise, tensor, dist, b, granularity);
        }));
    updateBusy();
}

void ExplorerController::onComparisonFinished()
{
    m_comparisonRunning = false;
    // With a newer request waiting this result is already stale: go straight to the next.
    if (m_comparisonPending) {
        startComparison();
    } else if (!m_comparisonWatcher.isCanceled() &&
               m_comparisonWatcher.future().resultCount() > 0) {
        const QFuture<SchemeSweep> future = m_comparisonWatcher.future();
        m_comparison = future.resultAt(future.resultCount() - 1);
        emit comparisonChanged();
    }
    updateBusy();
}

void ExplorerController::startRateDistortion()
{
    if (m_rateDistortionRunning) {
        m_rateDistortionPending = true;
        return;
    }
    m_rateDistortionPending = false;
    const auto tensor = m_loaded.tensor;
    const auto dist = m_loaded.distribution;
    const Granularity granularity = m_granularity;
    m_rateDistortionRunning = true;
    m_rateDistortionWatcher.setFuture(QtConcurrent::run(workPool(), [tensor, dist, granularity] {
        return computeRateDistortion(tensor, dist, kRateDistortionMaxBits, granularity);
    }));
    updateBusy();
}

bool ExplorerController::isBusy() const
{
    return m_loading || m_designTimer.isActive() || m_designPending || m_designRunning ||
           m_comparisonPending || m_comparisonRunning || m_rateDistortionRunning ||
           m_rateDistortionPending || m_focusRunning || m_focusPending || m_channelRangesRunning;
}

void ExplorerController::updateBusy()
{
    const bool busy = isBusy();
    if (busy != m_busy) {
        m_busy = busy;
        emit busyChanged(busy);
    }
}

} // namespace quantscope
