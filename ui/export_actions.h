#pragma once

#include "quant_result.h"

#include "quantscope/codebook.h"
#include "quantscope/tensor.h"

#include <QFutureWatcher>
#include <QObject>
#include <QPromise>
#include <QString>

#include <functional>
#include <memory>

class QCustomPlot;
class QMenu;
class QWidget;

namespace quantscope {

class ExplorerController;

// Each writes one file atomically (nothing is left behind on failure) and returns an empty
// string on success, else a one-line error naming the file.
// The plot as PNG, SVG or PDF, chosen by the file's suffix.
QString exportPlot(QCustomPlot* plot, const QString& path);
// The current (and compared) scheme's metrics as CSV or JSON, by suffix.
QString exportMetrics(const ExplorerController& controller, const QString& path);
// Every scheme at the current bits (the comparison) as CSV or JSON, by suffix.
QString exportComparison(const ExplorerController& controller, const QString& path);

// Tensor exports as .npy on the thread pool with progress and cancel: the tensor's own values, or
// the tensor through the current result (dequantized float32 and int32 codes).
class TensorExport : public QObject {
    Q_OBJECT

public:
    explicit TensorExport(QObject* parent = nullptr);
    ~TensorExport() override;

    // Either path may be empty (that file is skipped). Returns false when an export runs.
    bool start(std::shared_ptr<const Tensor> tensor, const Codebook& codebook,
               const QString& dequantizedPath, const QString& codesPath);
    // The result's codebook, or for block-scaled and per-slice results the pass over the tensor
    // with the result's scheme, parameters and granularity.
    bool start(std::shared_ptr<const Tensor> tensor, const QuantResult& result,
               const QString& dequantizedPath, const QString& codesPath);
    // The values as loaded (float32, dequantized for quantized storage), in the tensor's shape.
    bool startValues(std::shared_ptr<const Tensor> tensor, const QString& path);
    void cancel();
    bool isRunning() const { return m_watcher.isRunning(); }

signals:
    void progress(int percent);
    void finished(const QString& error); // empty on success

private:
    // Runs `job` on the work pool; it reports progress and returns an error or an empty string.
    bool launch(std::function<QString(QPromise<QString>&)> job);

    QFutureWatcher<QString> m_watcher;
};

// The File › Export menu: asks for file names, runs the exports above and reports errors through
// `report` (non-modal). `plots` lists the window's plots at the time the menu opens.
class ExportActions : public QObject {
    Q_OBJECT

public:
    ExportActions(ExplorerController* controller, QWidget* window, QMenu* menu);

    TensorExport* tensorExport() const { return m_tensorExport; }

signals:
    void failed(const QString& message);
    void succeeded(const QString& message);

private:
    void fillPlotMenu(QMenu* menu);
    void exportTensor();
    void exportValues();
    QString askPath(const QString& title, const QString& filters, const QString& suffix);

    ExplorerController* m_controller;
    QWidget* m_window;
    TensorExport* m_tensorExport;
};

} // namespace quantscope
