#pragma once

#include "quantscope/model_report.h"
#include "quantscope/tensor_file.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

namespace quantscope {

// A whole-model report computed on the work pool: tensors arrive one by one (tensorReported)
// while the report runs; cancel() stops it between tensors. The report so far is readable at
// any time on the UI thread.
class ModelReportJob : public QObject {
    Q_OBJECT

public:
    explicit ModelReportJob(QObject* parent = nullptr);
    ~ModelReportJob() override;

    // Starts over on `file` (named `source`), cancelling a running report.
    void start(std::shared_ptr<const TensorFile> file, const QString& source);
    void cancel();

    bool isRunning() const { return m_running; }
    const QString& source() const { return m_source; }
    // Tensors so far in file order (all of them once finished), with the file's skipped ones.
    const ModelReport& report() const { return m_report; }

signals:
    void started();
    void tensorReported(int row); // the row in report().tensors
    void progress(int tensorsDone, int tensorsTotal);
    void finished(bool cancelled);
    void failed(const QString& message);

private:
    void onTensorReported(const TensorReport& tensor);

    QString m_source;
    ModelReport m_report;
    QFutureWatcher<QString> m_watcher;
    std::shared_ptr<std::atomic<bool>> m_cancel; // of the running report
    bool m_running = false;
    int m_generation = 0; // tensors of a replaced report are dropped
};

} // namespace quantscope
