#include "explorer_controller.h"

#include "quantscope/errors.h"
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

SchemeSweep sweepAtBits(std::shared_ptr<const Distribution> dist, int bits)
{
    SchemeSweep sweep;
    sweep.bits = bits;
    for (const auto& scheme : allSchemes()) {
        SchemeSweep::Row row;
        row.schemeId = scheme->id();
        row.displayName = scheme->displayName();
        try {
            const Params params =
                schemeTakesBits(row.schemeId) ? Params{{"bits", double(bits)}} : Params{};
            row.metrics = computeMetrics(*dist, scheme->design(*dist, params));
        } catch (const std::exception& e) {
            row.error = e.what();
        }
        sweep.rows.push_back(std::move(row));
    }
    return sweep;
}

RateDistortion computeRateDistortion(std::shared_ptr<const Distribution> dist, int maxBits)
{
    RateDistortion out;
    for (const auto& scheme : allSchemes()) {
        if (!schemeTakesBits(scheme->id())) {
            continue;
        }
        RateDistortion::Curve curve;
        curve.schemeId = scheme->id();
        curve.displayName = scheme->displayName();
        for (int bits = 1; bits <= maxBits; ++bits) {
            try {
                const Metrics m =
                    computeMetrics(*dist, scheme->design(*dist, {{"bits", double(bits)}}));
                if (m.sqnrDb) {
                    curve.bits.push_back(bits);
                    curve.sqnrDb.push_back(*m.sqnrDb);
                }
            } catch (const std::exception&) {
                // The scheme does not offer this bit width; the curve skips it.
            }
        }
        out.curves.push_back(std::move(curve));
    }
    return out;
}

} // namespace

QThreadPool* ExplorerController::workPool()
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
    connect(&m_comparisonWatcher, &QFutureWatcher<SchemeSweep>::finished, this,
            &ExplorerController::onComparisonFinished);
    connect(&m_rateDistortionWatcher, &QFutureWatcher<RateDistortion>::finished, this, [this] {
        m_rateDistortionRunning = false;
        if (!m_rateDistortionWatcher.isCanceled()) {
            m_rateDistortion = m_rateDistortionWatcher.result();
            emit rateDistortionChanged();
        }
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
    m_comparisonWatcher.waitForFinished();
    m_rateDistortionWatcher.waitForFinished();
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
    m_loadWatcher.setFuture(QtConcurrent::run(workPool(), std::move(work)));
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
        emit loadFinished();
        requestDesign();
        requestComparison();
        startRateDistortion();
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
    return params;
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
        m_designPending = true; // the latest state is designed when the running one ends
        return;
    }
    m_designPending = false;
    const auto dist = m_loaded.distribution;
    const std::string scheme = m_schemeId.toStdString();
    const Params params = m_params;
    const std::string compare = m_compareId.toStdString();
    const Params compareParams = paramsAtBits(compare, bits());
    m_designRunning = true;
    m_designWatcher.setFuture(
        QtConcurrent::run(workPool(), [dist, scheme, params, compare, compareParams] {
            DesignJob job;
            job.distribution = dist;
            job.primary = designResult(*dist, scheme, params);
            if (!compare.empty()) {
                job.compare = designResult(*dist, compare, compareParams);
            }
            return job;
        }));
    updateBusy();
}

void ExplorerController::onDesignFinished()
{
    m_designRunning = false;
    DesignJob job = m_designWatcher.result();
    // A result computed on a previous tensor is of no use; the new tensor asked for its own.
    if (job.distribution == m_loaded.distribution) {
        m_result = std::move(job.primary);
        m_compareResult = std::move(job.compare);
        emit resultChanged();
    }
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
        return;
    }
    startComparison();
}

void ExplorerController::startComparison()
{
    m_comparisonPending = false;
    const auto dist = m_loaded.distribution;
    const int b = bits();
    m_comparisonRunning = true;
    m_comparisonWatcher.setFuture(
        QtConcurrent::run(workPool(), [dist, b] { return sweepAtBits(dist, b); }));
    updateBusy();
}

void ExplorerController::onComparisonFinished()
{
    m_comparisonRunning = false;
    // With a newer request waiting this result is already stale: go straight to the next.
    if (m_comparisonPending) {
        startComparison();
    } else {
        m_comparison = m_comparisonWatcher.result();
        emit comparisonChanged();
    }
    updateBusy();
}

void ExplorerController::startRateDistortion()
{
    const auto dist = m_loaded.distribution;
    m_rateDistortionRunning = true;
    m_rateDistortionWatcher.setFuture(QtConcurrent::run(
        workPool(), [dist] { return computeRateDistortion(dist, kRateDistortionMaxBits); }));
    updateBusy();
}

bool ExplorerController::isBusy() const
{
    return m_loading || m_designTimer.isActive() || m_designPending || m_designRunning ||
           m_comparisonPending || m_comparisonRunning || m_rateDistortionRunning;
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
