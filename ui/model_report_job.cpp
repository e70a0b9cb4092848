#include "model_report_job.h"

#include "explorer_controller.h"

#include "quantscope/errors.h"
#include "quantscope/report_runner.h"
#include "quantscope/scheme.h"

#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace quantscope {

ModelReportJob::ModelReportJob(QObject* parent)
    : QObject(parent)
{
    connect(&m_watcher, &QFutureWatcher<QString>::finished, this, [this] {
        m_running = false;
        const QString error = m_watcher.future().resultCount() > 0 ? m_watcher.result() : QString();
        if (!error.isEmpty()) {
            emit failed(error);
        }
        emit finished(m_cancel && *m_cancel);
    });
}

ModelReportJob::~ModelReportJob()
{
    cancel();
    m_watcher.waitForFinished();
}

void ModelReportJob::start(std::shared_ptr<const TensorFile> file, const QString& source)
{
    cancel();
    m_watcher.waitForFinished(); // between tensors: at most one tensor's work
    ++m_generation;
    m_source = source;
    m_report = ModelReport();
    m_report.file = source.toStdString();
    for (const auto& scheme : allSchemes()) {
        m_report.schemes.push_back(scheme->id());
    }
    m_report.bits = ReportOptions().bits;
    m_report.skipped = file->skipped();
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    m_running = true;
    emit started();

    const int generation = m_generation;
    const auto cancelFlag = m_cancel;
    m_watcher.setFuture(QtConcurrent::run(
        ExplorerController::workPool(), [this, file, source, generation, cancelFlag]() -> QString {
            ReportOptions options;
            options.threads = 1; // the pool's other threads stay free for the explorer
            ReportCallbacks callbacks;
            callbacks.tensorDone = [this, generation](const TensorReport& tensor) {
                QMetaObject::invokeMethod(
                    this,
                    [this, generation, tensor] {
                        if (generation == m_generation) {
                            onTensorReported(tensor);
                        }
                    },
                    Qt::QueuedConnection);
            };
            callbacks.progress = [this, generation, cancelFlag](const ReportProgress& progress) {
                QMetaObject::invokeMethod(
                    this,
                    [this, generation, done = int(progress.tensorsDone),
                     total = int(progress.tensorsTotal)] {
                        if (generation == m_generation) {
                            emit this->progress(done, total);
                        }
                    },
                    Qt::QueuedConnection);
                return !*cancelFlag;
            };
            try {
                runModelReport(*file, source.toStdString(), options, callbacks);
            } catch (const Cancelled&) {
            } catch (const std::exception& e) {
                return QString::fromStdString(e.what());
            }
            return {};
        }));
}

void ModelReportJob::cancel()
{
    if (m_cancel) {
        *m_cancel = true;
    }
}

void ModelReportJob::onTensorReported(const TensorReport& tensor)
{
    auto& tensors = m_report.tensors;
    const auto at = std::upper_bound(
        tensors.begin(), tensors.end(), tensor.index,
        [](std::int64_t index, const TensorReport& other) { return index < other.index; });
    const int row = int(at - tensors.begin());
    tensors.insert(at, tensor);
    emit tensorReported(row);
}

} // namespace quantscope
