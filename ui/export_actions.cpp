#include "export_actions.h"

#include "explorer_controller.h"

#include "quantscope/apply_to_npy.h"
#include "quantscope/errors.h"
#include "quantscope/npy.h"
#include "quantscope/quantize.h"
#include "quantscope/scheme.h"

#include <qcustomplot.h>

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenu>
#include <QPdfWriter>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <optional>
#include <vector>

namespace quantscope {
namespace {

constexpr int kProgressSteps = 100;
constexpr int kPdfResolution = 96; // plot pixels map 1:1 onto PDF points at this resolution

QString suffixOf(const QString& path)
{
    return QFileInfo(path).suffix().toLower();
}

QString writeAtomically(const QString& path, const QByteArray& bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        return QStringLiteral("%1: cannot write (%2)").arg(path, file.errorString());
    }
    return {};
}

QString csvCell(const QString& text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n'))) {
        return text;
    }
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString number(double value)
{
    return QString::number(value, 'g', 17);
}

QString optionalNumber(const std::optional<double>& value)
{
    return value ? number(*value) : QString();
}

const QStringList kMetricColumns = {QStringLiteral("mse"),
                                    QStringLiteral("rmse"),
                                    QStringLiteral("sqnr_db"),
                                    QStringLiteral("max_abs_error"),
                                    QStringLiteral("mean_error"),
                                    QStringLiteral("entropy_bits"),
                                    QStringLiteral("weighted_entropy"),
                                    QStringLiteral("clipped_fraction"),
                                    QStringLiteral("levels_used")};

QStringList metricCells(const Metrics& m)
{
    return {number(m.mse),
            number(m.rmse),
            optionalNumber(m.sqnrDb),
            number(m.maxAbsError),
            number(m.meanError),
            number(m.entropyBits),
            optionalNumber(m.weightedEntropy),
            number(m.clippedFraction),
            QString::number(m.levelsUsed)};
}

QJsonObject metricsJson(const Metrics& m)
{
    const auto optional = [](const std::optional<double>& v) {
        return v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null);
    };
    return {{QStringLiteral("mse"), m.mse},
            {QStringLiteral("rmse"), m.rmse},
            {QStringLiteral("sqnr_db"), optional(m.sqnrDb)},
            {QStringLiteral("max_abs_error"), m.maxAbsError},
            {QStringLiteral("mean_error"), m.meanError},
            {QStringLiteral("entropy_bits"), m.entropyBits},
            {QStringLiteral("weighted_entropy"), optional(m.weightedEntropy)},
            {QStringLiteral("clipped_fraction"), m.clippedFraction},
            {QStringLiteral("levels_used"), m.levelsUsed}};
}

QJsonObject resultJson(const QuantResult& result)
{
    QJsonObject params;
    for (const auto& [name, value] : result.params.values()) {
        params.insert(QString::fromStdString(name), value);
    }
    QJsonObject out{{QStringLiteral("scheme"), QString::fromStdString(result.schemeId)},
                    {QStringLiteral("params"), params}};
    if (!result.valid()) {
        out.insert(QStringLiteral("error"), QString::fromStdString(result.error));
        return out;
    }
    QJsonArray levels;
    for (double level : result.codebook.levels) {
        levels.append(level);
    }
    out.insert(QStringLiteral("levels"), levels);
    out.insert(QStringLiteral("granularity"),
               QString::fromStdString(result.granularity.describe()));
    out.insert(QStringLiteral("bpw"), result.bitsPerWeight);
    out.insert(QStringLiteral("metrics"), metricsJson(result.metrics));
    return out;
}

QString tensorName(const ExplorerController& controller)
{
    return controller.tensor() ? QString::fromStdString(controller.tensor()->name()) : QString();
}

QString unsupportedSuffix(const QString& path, const QString& wanted)
{
    return QStringLiteral("%1: unsupported file type (use %2)").arg(path, wanted);
}

} // namespace

QString exportPlot(QCustomPlot* plot, const QString& path)
{
    const QString suffix = suffixOf(path);
    const int width = std::max(1, plot->width());
    const int height = std::max(1, plot->height());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        return QStringLiteral("%1: cannot write (%2)").arg(path, file.errorString());
    }
    bool drawn = true;
    if (suffix == QLatin1String("png")) {
        drawn = plot->toPixmap(width, height).save(&file, "PNG");
    } else if (suffix == QLatin1String("svg")) {
        QSvgGenerator svg;
        svg.setOutputDevice(&file);
        svg.setSize(QSize(width, height));
        svg.setViewBox(QRect(0, 0, width, height));
        svg.setTitle(plot->objectName());
        QCPPainter painter(&svg);
        plot->toPainter(&painter, width, height);
        drawn = painter.end();
    } else if (suffix == QLatin1String("pdf")) {
        QPdfWriter pdf(&file);
        pdf.setResolution(kPdfResolution);
        pdf.setPageSize(QPageSize(QSizeF(width, height), QPageSize::Point));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        QCPPainter painter(&pdf);
        const double scale = double(pdf.width()) / width;
        painter.scale(scale, scale);
        plot->toPainter(&painter, width, height);
        drawn = painter.end();
    } else {
        file.cancelWriting();
        return unsupportedSuffix(path, QStringLiteral(".png, .svg or .pdf"));
    }
    if (!drawn || !file.commit()) {
        return QStringLiteral("%1: cannot write the plot (%2)").arg(path, file.errorString());
    }
    return {};
}

QString exportMetrics(const ExplorerController& controller, const QString& path)
{
    std::vector<const QuantResult*> results;
    if (controller.result() && controller.result()->valid()) {
        results.push_back(&*controller.result());
    }
    if (controller.compareResult() && controller.compareResult()->valid()) {
        results.push_back(&*controller.compareResult());
    }
    if (results.empty()) {
        return QStringLiteral("%1: no metrics to export yet").arg(path);
    }
    const QString suffix = suffixOf(path);
    if (suffix == QLatin1String("csv")) {
        QString csv = QStringLiteral("tensor,scheme,bits,") + kMetricColumns.join(',') +
                      QStringLiteral(",bpw\n");
        for (const QuantResult* r : results) {
            QStringList cells{csvCell(tensorName(controller)),
                              csvCell(QString::fromStdString(r->schemeId)),
                              QString::number(bitsOf(r->schemeId, r->params))};
            cells += metricCells(r->metrics);
            cells << number(r->bitsPerWeight);
            csv += cells.join(',') + '\n';
        }
        return writeAtomically(path, csv.toUtf8());
    }
    if (suffix == QLatin1String("json")) {
        QJsonObject root{{QStringLiteral("source"), controller.source()},
                         {QStringLiteral("tensor"), tensorName(controller)},
                         {QStringLiteral("bits"), controller.bits()}};
        root.insert(QStringLiteral("result"), resultJson(*controller.result()));
        if (controller.compareResult()) {
            root.insert(QStringLiteral("compare"), resultJson(*controller.compareResult()));
        }
        return writeAtomically(path, QJsonDocument(root).toJson());
    }
    return unsupportedSuffix(path, QStringLiteral(".csv or .json"));
}

QString exportComparison(const ExplorerController& controller, const QString& path)
{
    const SchemeSweep& sweep = controller.comparison();
    if (sweep.rows.empty()) {
        return QStringLiteral("%1: the comparison is not computed yet").arg(path);
    }
    const QString suffix = suffixOf(path);
    if (suffix == QLatin1String("csv")) {
        QString csv = QStringLiteral("scheme,bits,") + kMetricColumns.join(',') +
                      QStringLiteral(",bpw,error\n");
        for (const auto& row : sweep.rows) {
            QStringList cells{csvCell(QString::fromStdString(row.schemeId)),
                              QString::number(sweep.bits)};
            cells += row.metrics ? metricCells(*row.metrics)
                                 : QStringList(kMetricColumns.size(), QString());
            cells << (row.metrics ? number(row.bitsPerWeight) : QString());
            cells << csvCell(QString::fromStdString(row.error));
            csv += cells.join(',') + '\n';
        }
        return writeAtomically(path, csv.toUtf8());
    }
    if (suffix == QLatin1String("json")) {
        QJsonArray rows;
        for (const auto& row : sweep.rows) {
            QJsonObject entry{{QStringLiteral("scheme"), QString::fromStdString(row.schemeId)},
                              {QStringLiteral("name"), QString::fromStdString(row.displayName)}};
            if (row.metrics) {
                entry.insert(QStringLiteral("metrics"), metricsJson(*row.metrics));
                entry.insert(QStringLiteral("bpw"), row.bitsPerWeight);
            } else {
                entry.insert(QStringLiteral("error"), QString::fromStdString(row.error));
            }
            rows.append(entry);
        }
        const QJsonObject root{{QStringLiteral("source"), controller.source()},
                               {QStringLiteral("tensor"), tensorName(controller)},
                               {QStringLiteral("bits"), sweep.bits},
                               {QStringLiteral("schemes"), rows}};
        return writeAtomically(path, QJsonDocument(root).toJson());
    }
    return unsupportedSuffix(path, QStringLiteral(".csv or .json"));
}

TensorExport::TensorExport(QObject* parent)
    : QObject(parent)
{
    connect(&m_watcher, &QFutureWatcher<QString>::progressValueChanged, this,
            &TensorExport::progress);
    connect(&m_watcher, &QFutureWatcher<QString>::finished, this, [this] {
        const QFuture<QString> future = m_watcher.future();
        emit finished(future.resultCount() > 0 ? future.result() : tr("Export cancelled"));
    });
}

TensorExport::~TensorExport()
{
    m_watcher.cancel();
    m_watcher.waitForFinished();
}

bool TensorExport::launch(std::function<QString(QPromise<QString>&)> job)
{
    if (m_watcher.isRunning()) {
        return false;
    }
    m_watcher.setFuture(QtConcurrent::run(
        ExplorerController::workPool(), [job = std::move(job)](QPromise<QString>& promise) {
            promise.setProgressRange(0, kProgressSteps);
            try {
                const QString error = job(promise);
                if (!promise.isCanceled()) {
                    promise.addResult(error);
                }
            } catch (const std::exception& e) {
                promise.addResult(QString::fromStdString(e.what()));
            }
        }));
    return true;
}

bool TensorExport::start(std::shared_ptr<const Tensor> tensor, const Codebook& codebook,
                         const QString& dequantizedPath, const QString& codesPath)
{
    return launch([tensor, codebook, dequantizedPath, codesPath](QPromise<QString>& promise) {
        const std::span<const float> values = tensor->values();
        const std::int64_t n = tensor->size();
        std::optional<NpyWriter> dequantized;
        std::optional<NpyWriter> codes;
        if (!dequantizedPath.isEmpty()) {
            dequantized.emplace(dequantizedPath.toStdString(), tensor->shape(),
                                NpyWriter::Type::Float32);
        }
        if (!codesPath.isEmpty()) {
            codes.emplace(codesPath.toStdString(), tensor->shape(), NpyWriter::Type::Int32);
        }
        // Step by step, written as they are made: progress shows, a cancel stops within one
        // step (and leaves no file), and memory stays flat.
        const bool finished = appendAppliedCodebook(
            values, codebook, dequantized ? &*dequantized : nullptr, codes ? &*codes : nullptr,
            [&](std::int64_t done) {
                promise.setProgressValue(int(done * (kProgressSteps - 10) / n));
                return !promise.isCanceled();
            });
        if (!finished) {
            return QString();
        }
        if (dequantized) {
            dequantized->commit();
        }
        if (codes) {
            codes->commit();
        }
        promise.setProgressValue(kProgressSteps);
        return QString();
    });
}

bool TensorExport::startValues(std::shared_ptr<const Tensor> tensor, const QString& path)
{
    return launch([tensor, path](QPromise<QString>& promise) {
        writeNpy(path.toStdString(), tensor->shape(), tensor->values());
        promise.setProgressValue(kProgressSteps);
        return QString();
    });
}

bool TensorExport::start(std::shared_ptr<const Tensor> tensor, const QuantResult& result,
                         const QString& dequantizedPath, const QString& codesPath)
{
    if (!result.slices) {
        return start(std::move(tensor), result.codebook, dequantizedPath, codesPath);
    }
    // Per block or slice: the one pass over the tensor writes every code and value.
    const std::string schemeId = result.schemeId;
    const Params params = result.params;
    const Granularity granularity = result.granularity;
    return launch([tensor, schemeId, params, granularity, dequantizedPath,
                   codesPath](QPromise<QString>& promise) {
        QuantizeOptions options;
        options.granularity = granularity;
        options.apply = true;
        const QuantizedTensor quantized =
            quantizeTensor(*tensor, schemeById(schemeId), params, options);
        if (promise.isCanceled()) {
            return QString();
        }
        promise.setProgressValue(kProgressSteps - 10);
        if (!dequantizedPath.isEmpty()) {
            writeNpy(dequantizedPath.toStdString(), tensor->shape(),
                     std::span<const float>(quantized.applied->dequantized));
        }
        if (!codesPath.isEmpty()) {
            writeNpy(codesPath.toStdString(), tensor->shape(),
                     std::span<const std::int32_t>(quantized.applied->codes));
        }
        promise.setProgressValue(kProgressSteps);
        return QString();
    });
}

void TensorExport::cancel()
{
    m_watcher.cancel();
}

ExportActions::ExportActions(ExplorerController* controller, QWidget* window, QMenu* menu)
    : QObject(window)
    , m_controller(controller)
    , m_window(window)
    , m_tensorExport(new TensorExport(this))
{
    QMenu* plots = menu->addMenu(tr("&Plot as image"));
    plots->setObjectName(QStringLiteral("exportPlotMenu"));
    connect(plots, &QMenu::aboutToShow, this, [this, plots] { fillPlotMenu(plots); });
    QAction* wholeWindow = menu->addAction(tr("&Window as PNG…"));
    wholeWindow->setObjectName(QStringLiteral("exportWindowAction"));
    connect(wholeWindow, &QAction::triggered, this, [this] {
        const QString path =
            askPath(tr("Export the window"), tr("PNG (*.png)"), QStringLiteral("png"));
        if (path.isEmpty()) {
            return;
        }
        QSaveFile file(path);
        if (file.open(QIODevice::WriteOnly) && m_window->grab().save(&file, "PNG") &&
            file.commit()) {
            emit succeeded(tr("Wrote %1").arg(path));
        } else {
            emit failed(QStringLiteral("%1: cannot write (%2)").arg(path, file.errorString()));
        }
    });

    const auto report = [this](const QString& error, const QString& path) {
        if (error.isEmpty()) {
            emit succeeded(tr("Wrote %1").arg(path));
        } else {
            emit failed(error);
        }
    };
    QAction* metrics = menu->addAction(tr("&Metrics (CSV, JSON)…"));
    metrics->setObjectName(QStringLiteral("exportMetricsAction"));
    connect(metrics, &QAction::triggered, this, [this, report] {
        const QString path =
            askPath(tr("Export metrics"), tr("CSV (*.csv);;JSON (*.json)"), QStringLiteral("csv"));
        if (!path.isEmpty()) {
            report(exportMetrics(*m_controller, path), path);
        }
    });
    QAction* comparison = menu->addAction(tr("&Comparison table (CSV, JSON)…"));
    comparison->setObjectName(QStringLiteral("exportComparisonAction"));
    connect(comparison, &QAction::triggered, this, [this, report] {
        const QString path = askPath(tr("Export comparison"), tr("CSV (*.csv);;JSON (*.json)"),
                                     QStringLiteral("csv"));
        if (!path.isEmpty()) {
            report(exportComparison(*m_controller, path), path);
        }
    });
    QAction* values = menu->addAction(tr("Tensor &values (.npy)…"));
    values->setObjectName(QStringLiteral("exportValuesAction"));
    values->setToolTip(tr("The selected tensor's values as float32, dequantized when the file "
                          "stores them quantized"));
    connect(values, &QAction::triggered, this, &ExportActions::exportValues);
    QAction* tensor = menu->addAction(tr("&Dequantized tensor and codes (.npy)…"));
    tensor->setObjectName(QStringLiteral("exportTensorAction"));
    connect(tensor, &QAction::triggered, this, &ExportActions::exportTensor);
    connect(m_tensorExport, &TensorExport::finished, this, [this](const QString& error) {
        if (error.isEmpty()) {
            emit succeeded(tr("Tensor exported"));
        } else {
            emit failed(error);
        }
    });
}

QString ExportActions::askPath(const QString& title, const QString& filters, const QString& suffix)
{
    QFileDialog dialog(m_window, title, QString(), filters);
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    dialog.setDefaultSuffix(suffix);
    return dialog.exec() == QDialog::Accepted ? dialog.selectedFiles().value(0) : QString();
}

void ExportActions::fillPlotMenu(QMenu* menu)
{
    menu->clear();
    for (QCustomPlot* plot : m_window->findChildren<QCustomPlot*>()) {
        QString name = plot->objectName();
        if (name.isEmpty()) {
            continue; // a plot inside another widget, not a view of its own
        }
        // "errorHistogramPlot" reads "error histogram".
        name.remove(QStringLiteral("Plot"));
        name.replace(QRegularExpression(QStringLiteral("([a-z])([A-Z])")),
                     QStringLiteral("\\1 \\2"));
        name = name.toLower();
        QAction* action = menu->addAction(name + QStringLiteral("…"));
        connect(action, &QAction::triggered, this, [this, plot, name] {
            const QString path =
                askPath(tr("Export %1 plot").arg(name), tr("PNG (*.png);;SVG (*.svg);;PDF (*.pdf)"),
                        QStringLiteral("png"));
            if (path.isEmpty()) {
                return;
            }
            const QString error = exportPlot(plot, path);
            if (error.isEmpty()) {
                emit succeeded(tr("Wrote %1").arg(path));
            } else {
                emit failed(error);
            }
        });
    }
}

void ExportActions::exportValues()
{
    const auto tensor = m_controller->tensor();
    if (!tensor) {
        emit failed(tr("No tensor to export yet"));
        return;
    }
    if (m_tensorExport->isRunning()) {
        emit failed(tr("An export is still running"));
        return;
    }
    const QString path =
        askPath(tr("Export the values of %1").arg(QString::fromStdString(tensor->name())),
                tr("NumPy (*.npy)"), QStringLiteral("npy"));
    if (!path.isEmpty()) {
        m_tensorExport->startValues(tensor, path);
    }
}

void ExportActions::exportTensor()
{
    const auto tensor = m_controller->tensor();
    const auto& result = m_controller->result();
    if (!tensor || !result || !result->valid()) {
        emit failed(tr("No quantized tensor to export yet"));
        return;
    }
    if (m_tensorExport->isRunning()) {
        emit failed(tr("An export is still running"));
        return;
    }
    const QString dequantized =
        askPath(tr("Export the dequantized tensor"), tr("NumPy (*.npy)"), QStringLiteral("npy"));
    if (dequantized.isEmpty()) {
        return;
    }
    const QFileInfo info(dequantized);
    const QString codes =
        info.dir().filePath(info.completeBaseName() + QStringLiteral("_codes.npy"));
    m_tensorExport->start(tensor, *result, dequantized, codes);
}

} // namespace quantscope
