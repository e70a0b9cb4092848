// The explorer window as a whole: bad files, the comparison table, the tensor browser, drag and
// drop, exports and the screenshot mode, all offscreen and without touching the user's settings.
#include "comparison_model.h"
#include "comparison_table.h"
#include "explorer_controller.h"
#include "export_actions.h"
#include "histogram_view.h"
#include "main_window.h"
#include "scheme_panel.h"
#include "screenshot.h"
#include "tensor_browser.h"

#include "quantscope/apply.h"
#include "quantscope/demo.h"
#include "quantscope/errors.h"
#include "quantscope/metrics.h"
#include "quantscope/npy.h"
#include "quantscope/quantize.h"
#include "quantscope/scheme.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMimeData>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <cstring>

using namespace quantscope;

namespace {

constexpr int kTimeoutMs = 60000;
// A real window has text, plots in several colours and widgets; a blank or failed grab has 1–3.
constexpr int kMinDistinctColours = 50;
constexpr std::int64_t kLargeElements = 20'000'000;

bool idle(const MainWindow& window)
{
    return !window.controller()->isBusy() && window.controller()->result().has_value();
}

// A .safetensors file with float32 tensors "alpha" (2x3) and "beta" (4).
QString writeTwoTensorFile(const QString& dir)
{
    const float alpha[] = {-3.0f, -1.0f, 0.0f, 0.5f, 1.0f, 2.0f};
    const float beta[] = {10.0f, 20.0f, 30.0f, 40.0f};
    const QByteArray header = R"({"alpha":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
                              R"("beta":{"dtype":"F32","shape":[4],"data_offsets":[24,40]}})";
    QByteArray bytes(8, '\0');
    const quint64 size = header.size();
    for (int i = 0; i < 8; ++i) {
        bytes[i] = char((size >> (8 * i)) & 0xff);
    }
    bytes += header;
    bytes.append(reinterpret_cast<const char*>(alpha), sizeof alpha);
    bytes.append(reinterpret_cast<const char*>(beta), sizeof beta);
    const QString path = dir + QStringLiteral("/two.safetensors");
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size()) {
        return {};
    }
    return path;
}

int distinctColours(const QImage& image)
{
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 3) {
        for (int x = 0; x < image.width(); x += 3) {
            colours.insert(image.pixel(x, y));
        }
    }
    return int(colours.size());
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void badFileShowsErrorAndKeepsTheTensor_data();
    void badFileShowsErrorAndKeepsTheTensor();
    void cancelKeepsThePreviousTensor();
    void comparisonTableHoldsEverySchemeWithCoreMetrics();
    void tensorBrowserListsAndSelects();
    void tensorBrowserShowsSkippedTensors();
    void droppedFileIsOpened();
    void exportsWriteFiles();
    void tensorExportMatchesApply();
    void screenshotWritesTheWindow();
    void screenshotReportsBadInput();
    void granularityFromTheCommandLine();
    void nonPersistentWindowLeavesSettingsAlone();

private:
    QTemporaryDir m_dir;
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("QuantScopeTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_main_window"));
    QSettings().clear();
    QVERIFY(m_dir.isValid());
}

void TestMainWindow::badFileShowsErrorAndKeepsTheTensor_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("content"); // empty: the file does not exist
    QTest::newRow("missing file") << "missing.npy" << QByteArray();
    QTest::newRow("garbage npy") << "garbage.npy" << QByteArray("\x93NUMPY garbage", 14);
    QTest::newRow("unknown format") << "notes.txt" << QByteArray("hello");
}

void TestMainWindow::badFileShowsErrorAndKeepsTheTensor()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, content);
    const QString path = m_dir.filePath(name);
    if (!content.isEmpty()) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
    }
    MainWindow window(false);
    window.openSource(QStringLiteral("demo:gaussian"));
    QTRY_VERIFY_WITH_TIMEOUT(idle(window), kTimeoutMs);
    const auto before = window.controller()->tensor();
    const int binsBefore = int(window.histogramView()->shownHistogram().counts.size());
    QVERIFY(binsBefore > 0);

    window.openSource(path);
    QTRY_VERIFY_WITH_TIMEOUT(!window.controller()->isLoading(), kTimeoutMs);
    QVERIFY(!window.errorBanner()->isHidden());
    QVERIFY(!window.errorBanner()->parentWidget()->isHidden());
    QVERIFY2(window.errorBanner()->text().contains(name), qPrintable(window.errorBanner()->text()));
    QVERIFY(!window.errorBanner()->text().contains(QLatin1Char('\n')));
    QCOMPARE(window.controller()->tensor(), before);
    QCOMPARE(window.controller()->source(), QStringLiteral("demo:gaussian"));
    QCOMPARE(int(window.histogramView()->shownHistogram().counts.size()), binsBefore);

    // Still usable: a bit-width change redesigns on the previous tensor.
    window.schemePanel()->bitsSpin()->setValue(3);
    QTRY_VERIFY_WITH_TIMEOUT(
        idle(window) && window.controller()->result()->params.get("bits", 0) == 3, kTimeoutMs);
    QVERIFY(window.controller()->result()->valid());
    // The next good load clears the banner.
    window.openSource(QStringLiteral("demo:relu"));
    QTRY_VERIFY_WITH_TIMEOUT(idle(window) && window.controller()->source() == "demo:relu",
                             kTimeoutMs);
    QVERIFY(window.errorBanner()->parentWidget()->isHidden());
}

void TestMainWindow::cancelKeepsThePreviousTensor()
{
    MainWindow window(false);
    window.show();
    window.openSource(QStringLiteral("demo:relu"));
    QTRY_VERIFY_WITH_TIMEOUT(idle(window), kTimeoutMs);
    const auto before = window.controller()->tensor();
    auto* loadRow = window.findChild<QWidget*>(QStringLiteral("loadRow"));
    auto* cancel = window.findChild<QPushButton*>(QStringLiteral("cancelLoad"));
    QVERIFY(loadRow != nullptr && cancel != nullptr);
    QVERIFY(loadRow->isHidden());

    // Large enough that its sort is still running when Cancel is clicked.
    QSignalSpy failed(window.controller(), &ExplorerController::loadFailed);
    window.controller()->setTensor(makeDemoTensor("gaussian", kLargeElements));
    QVERIFY(!loadRow->isHidden());
    QTest::mouseClick(cancel, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!window.controller()->isLoading(), kTimeoutMs);
    QCOMPARE(failed.count(), 1);
    QVERIFY(failed.at(0).at(0).toString().contains(QStringLiteral("cancelled")));
    QCOMPARE(window.controller()->tensor(), before);
    QTRY_VERIFY(loadRow->isHidden());
    QVERIFY(!window.errorBanner()->parentWidget()->isHidden());
}

void TestMainWindow::comparisonTableHoldsEverySchemeWithCoreMetrics()
{
    MainWindow window(false);
    window.controller()->setBits(4);
    window.openSource(QStringLiteral("demo:laplacian"));
    QTRY_VERIFY_WITH_TIMEOUT(idle(window) && !window.controller()->comparison().rows.empty(),
                             kTimeoutMs);
    auto* table = window.findChild<ComparisonTable*>();
    QVERIFY(table != nullptr);
    const ComparisonModel* model = table->model();
    QCOMPARE(model->rowCount(), int(allSchemes().size()));
    const Distribution& dist = *window.controller()->distribution();
    const Tensor& tensor = *window.controller()->tensor();
    QSet<QString> seen;
    for (int row = 0; row < model->rowCount(); ++row) {
        const QString id = model->index(row, 0).data(ComparisonModel::kSchemeIdRole).toString();
        seen.insert(id);
        const Scheme& scheme = schemeById(id.toStdString());
        std::optional<Metrics> expected;
        try {
            if (scheme.asBlockScheme() != nullptr) {
                // Block-scaled: the pass over the tensor (MXFP4, NVFP4 at 4 bits).
                expected = quantizeTensor(tensor, scheme, {{"bits", 4.0}}).metrics;
            } else {
                expected = computeMetrics(dist, scheme.design(dist, {{"bits", 4.0}}));
            }
        } catch (const std::exception&) {
        }
        const QVariant mse =
            model->index(row, ComparisonModel::Mse).data(ComparisonModel::kSortRole);
        QCOMPARE(mse.isValid(), expected.has_value());
        if (!expected) {
            continue;
        }
        QCOMPARE(mse.toDouble(), expected->mse);
        const QVariant sqnr =
            model->index(row, ComparisonModel::SqnrDb).data(ComparisonModel::kSortRole);
        QCOMPARE(sqnr.isValid(), expected->sqnrDb.has_value());
        if (expected->sqnrDb) {
            QCOMPARE(sqnr.toDouble(), *expected->sqnrDb);
        }
        QCOMPARE(model->index(row, ComparisonModel::LevelsUsed)
                     .data(ComparisonModel::kSortRole)
                     .toDouble(),
                 double(expected->levelsUsed));
    }
    QCOMPARE(int(seen.size()), int(allSchemes().size()));
}

void TestMainWindow::tensorBrowserListsAndSelects()
{
    const QString path = writeTwoTensorFile(m_dir.path());
    QVERIFY(!path.isEmpty());
    MainWindow window(false);
    window.show();
    window.openSource(path);
    QTRY_VERIFY_WITH_TIMEOUT(idle(window) && window.controller()->source() == path, kTimeoutMs);
    QVERIFY(window.tensorTabShown());
    TensorBrowser* browser = window.tensorBrowser();
    QCOMPARE(browser->visibleRowCount(), 2);
    QCOMPARE(browser->text(0, TensorBrowser::NameColumn), QStringLiteral("alpha"));
    QCOMPARE(browser->text(0, TensorBrowser::ShapeColumn),
             QString::fromStdString(shapeToString({2, 3})));
    QCOMPARE(browser->text(0, TensorBrowser::DtypeColumn), QStringLiteral("float32"));
    QCOMPARE(browser->text(0, TensorBrowser::ElementsColumn), QStringLiteral("6"));
    QCOMPARE(browser->text(0, TensorBrowser::RangeColumn), QStringLiteral("[-3, 2]"));
    // The ranges of tensors not loaded yet come from the background scan.
    QTRY_VERIFY_WITH_TIMEOUT(!browser->isScanning(), kTimeoutMs);
    QCOMPARE(browser->text(1, TensorBrowser::RangeColumn), QStringLiteral("[10, 40]"));

    browser->filterEdit()->setText(QStringLiteral("BET"));
    QCOMPARE(browser->visibleRowCount(), 1);
    QCOMPARE(browser->text(0, TensorBrowser::NameColumn), QStringLiteral("beta"));
    browser->table()->selectRow(0);
    QTRY_VERIFY_WITH_TIMEOUT(idle(window) && window.controller()->tensor()->name() == "beta",
                             kTimeoutMs);
    QCOMPARE(browser->text(0, TensorBrowser::RangeColumn), QStringLiteral("[10, 40]"));
    browser->filterEdit()->clear();
    QCOMPARE(browser->visibleRowCount(), 2);
    QCOMPARE(browser->text(0, TensorBrowser::RangeColumn), QStringLiteral("[-3, 2]"));

    // A one-tensor source hides the browser again.
    window.openSource(QStringLiteral("demo:gaussian"));
    QTRY_VERIFY_WITH_TIMEOUT(idle(window) && window.controller()->source() == "demo:gaussian",
                             kTimeoutMs);
    QVERIFY(!window.tensorTabShown());
}

void TestMainWindow::tensorBrowserShowsSkippedTensors()
{
    // "alpha" reads; "wave" has a complex dtype and "none" no elements: both are skipped.
    const float alpha[] = {-1.0f, 4.0f};
    const QByteArray header = R"({"alpha":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                              R"("wave":{"dtype":"C64","shape":[1],"data_offsets":[8,16]},)"
                              R"("none":{"dtype":"F32","shape":[0],"data_offsets":[16,16]}})";
    QByteArray bytes(8, '\0');
    for (int i = 0; i < 8; ++i) {
        bytes[i] = char((quint64(header.size()) >> (8 * i)) & 0xff);
    }
    bytes += header;
    bytes.append(reinterpret_cast<const char*>(alpha), sizeof alpha);
    bytes.append(QByteArray(8, '\0'));
    const QString path = m_dir.filePath(QStringLiteral("skips.safetensors"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size());
    file.close();

    MainWindow window(false);
    window.show();
    window.openSource(path);
    QTRY_VERIFY_WITH_TIMEOUT(idle(window) && window.controller()->source() == path, kTimeoutMs);
    QCOMPARE(window.controller()->tensor()->name(), std::string("alpha"));
    QVERIFY(window.tensorTabShown()); // three rows, one readable
    TensorBrowser* browser = window.tensorBrowser();
    QCOMPARE(browser->visibleRowCount(), 3);
    QCOMPARE(browser->text(1, TensorBrowser::NameColumn), QStringLiteral("wave"));
    QCOMPARE(browser->text(1, TensorBrowser::DtypeColumn), QStringLiteral("skipped"));
    QCOMPARE(browser->text(1, TensorBrowser::RangeColumn), QStringLiteral("unsupported dtype C64"));
    QCOMPARE(browser->text(2, TensorBrowser::NameColumn), QStringLiteral("none"));
    QCOMPARE(browser->text(2, TensorBrowser::RangeColumn), QStringLiteral("empty (shape [0])"));
    const QModelIndex skipped = browser->table()->model()->index(1, TensorBrowser::NameColumn);
    QVERIFY(!(skipped.flags() & Qt::ItemIsSelectable));
    QVERIFY(
        skipped.data(Qt::ToolTipRole).toString().contains(QStringLiteral("unsupported dtype C64")));
    // Moving onto a skipped row loads nothing.
    browser->table()->setCurrentIndex(skipped);
    QTest::qWait(50);
    QVERIFY(idle(window));
    QCOMPARE(window.controller()->tensor()->name(), std::string("alpha"));
}

void TestMainWindow::droppedFileIsOpened()
{
    const QString path = writeTwoTensorFile(m_dir.path());
    MainWindow window(false);
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&window, &drop);
    QTRY_VERIFY_WITH_TIMEOUT(idle(window) && window.controller()->source() == path, kTimeoutMs);
    QCOMPARE(window.controller()->tensor()->name(), std::string("alpha"));
    QCOMPARE(window.recentFiles().value(0), path);

    QMimeData text;
    text.setText(QStringLiteral("not a file"));
    QDragEnterEvent refused(QPoint(10, 10), Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
    refused.setAccepted(false);
    QCoreApplication::sendEvent(&window, &refused);
    QVERIFY(!refused.isAccepted());
}

void TestMainWindow::exportsWriteFiles()
{
    MainWindow window(false);
    window.controller()->setBits(4);
    window.controller()->setCompareScheme(QStringLiteral("asymmetric"));
    window.openSource(QStringLiteral("demo:gaussian"));
    window.resize(kScreenshotSize);
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(idle(window) && window.controller()->compareResult() &&
                                 !window.controller()->comparison().rows.empty(),
                             kTimeoutMs);
    QCustomPlot* plot = window.histogramView()->plot();
    const QByteArray magic[] = {QByteArray("\x89PNG"), QByteArray("<?xml"), QByteArray("%PDF")};
    const QString suffixes[] = {QStringLiteral("png"), QStringLiteral("svg"),
                                QStringLiteral("pdf")};
    for (int i = 0; i < 3; ++i) {
        const QString path = m_dir.filePath(QStringLiteral("histogram.") + suffixes[i]);
        QCOMPARE(exportPlot(plot, path), QString());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY2(file.read(magic[i].size()) == magic[i], qPrintable(path));
        QVERIFY(file.size() > 1000);
    }
    QVERIFY(!exportPlot(plot, m_dir.filePath(QStringLiteral("plot.bmpx"))).isEmpty());

    // File › Export › Plot as image lists every plot of the window by a readable name.
    auto* plotMenu = window.findChild<QMenu*>(QStringLiteral("exportPlotMenu"));
    QVERIFY(plotMenu != nullptr);
    emit plotMenu->aboutToShow();
    QStringList names;
    for (const QAction* action : plotMenu->actions()) {
        names << action->text();
    }
    QCOMPARE(names.size(), window.findChildren<QCustomPlot*>().size());
    QVERIFY2(names.contains(QStringLiteral("histogram…")), qPrintable(names.join('|')));
    QVERIFY2(names.contains(QStringLiteral("error histogram…")), qPrintable(names.join('|')));
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("plot.bmpx"))));

    const ExplorerController& controller = *window.controller();
    const QString csvPath = m_dir.filePath(QStringLiteral("metrics.csv"));
    QCOMPARE(exportMetrics(controller, csvPath), QString());
    QFile csv(csvPath);
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3); // header, scheme, compared scheme
    QVERIFY(lines[0].startsWith(QStringLiteral("tensor,scheme,bits,mse,")));
    const QStringList first = lines[1].split(',');
    QCOMPARE(first[1], QStringLiteral("symmetric"));
    QCOMPARE(first[2], QStringLiteral("4"));
    QCOMPARE(first[3].toDouble(), controller.result()->metrics.mse);
    QCOMPARE(lines[2].split(',')[1], QStringLiteral("asymmetric"));

    const QString jsonPath = m_dir.filePath(QStringLiteral("comparison.json"));
    QCOMPARE(exportComparison(controller, jsonPath), QString());
    QFile json(jsonPath);
    QVERIFY(json.open(QIODevice::ReadOnly));
    const QJsonObject root = QJsonDocument::fromJson(json.readAll()).object();
    QCOMPARE(root.value(QStringLiteral("bits")).toInt(), 4);
    const QJsonArray rows = root.value(QStringLiteral("schemes")).toArray();
    QCOMPARE(rows.size(), qsizetype(controller.comparison().rows.size()));
    for (int i = 0; i < rows.size(); ++i) {
        const auto& row = controller.comparison().rows[i];
        const QJsonObject entry = rows[i].toObject();
        QCOMPARE(entry.value(QStringLiteral("scheme")).toString().toStdString(), row.schemeId);
        if (row.metrics) {
            QCOMPARE(entry.value(QStringLiteral("metrics")).toObject().value("mse").toDouble(),
                     row.metrics->mse);
        }
    }
    QVERIFY(!exportComparison(controller, m_dir.filePath(QStringLiteral("c.xlsx"))).isEmpty());
}

void TestMainWindow::tensorExportMatchesApply()
{
    const std::vector<float> values = {-2.0f, -0.7f, 0.0f, 0.2f, 0.9f, 1.5f};
    auto tensor = std::make_shared<const Tensor>("t", Shape{2, 3}, values, "float32");
    const Distribution dist(tensor->values());
    const Codebook codebook = schemeById("symmetric").design(dist, {{"bits", 3.0}});
    const AppliedTensor expected = applyCodebook(tensor->values(), codebook);

    TensorExport exporter;
    QSignalSpy finished(&exporter, &TensorExport::finished);
    const QString dequantized = m_dir.filePath(QStringLiteral("deq.npy"));
    const QString codes = m_dir.filePath(QStringLiteral("codes.npy"));
    QVERIFY(exporter.start(tensor, codebook, dequantized, codes));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
    QCOMPARE(finished.at(0).at(0).toString(), QString());
    const Tensor readBack = readNpy(dequantized.toStdString());
    QCOMPARE(readBack.shape(), tensor->shape());
    QCOMPARE(std::vector<float>(readBack.values().begin(), readBack.values().end()),
             expected.dequantized);
    const NpyHeader codesHeader = readNpyHeader(codes.toStdString());
    QCOMPARE(codesHeader.dtype, std::string("int32"));
    const Tensor codesBack = readNpy(codes.toStdString());
    for (std::size_t i = 0; i < values.size(); ++i) {
        QCOMPARE(codesBack.values()[i], float(expected.codes[i]));
    }

    // A directory that does not exist: the error names the file and nothing is written.
    const QString bad = m_dir.filePath(QStringLiteral("no/such/dir/deq.npy"));
    QVERIFY(exporter.start(tensor, codebook, bad, {}));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, kTimeoutMs);
    QVERIFY(finished.at(1).at(0).toString().contains(QStringLiteral("deq.npy")));

    // The tensor's own values, in its shape.
    const QString plain = m_dir.filePath(QStringLiteral("values.npy"));
    QVERIFY(exporter.startValues(tensor, plain));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, kTimeoutMs);
    QCOMPARE(finished.at(2).at(0).toString(), QString());
    const Tensor plainBack = readNpy(plain.toStdString());
    QCOMPARE(plainBack.shape(), tensor->shape());
    QCOMPARE(std::vector<float>(plainBack.values().begin(), plainBack.values().end()), values);
}

void TestMainWindow::screenshotWritesTheWindow()
{
    MainWindow window(false);
    window.applyOptions(parseGuiArguments(
        {QStringLiteral("quantscope"), QStringLiteral("demo:relu"), QStringLiteral("--scheme"),
         QStringLiteral("weq"), QStringLiteral("--bits"), QStringLiteral("3"),
         QStringLiteral("--compare"), QStringLiteral("symmetric")}));
    const QString path = m_dir.filePath(QStringLiteral("shot.png"));
    QCOMPARE(renderScreenshot(window, path), QString());
    // Everything the window shows was finished before the grab.
    QVERIFY(!window.controller()->isBusy());
    QCOMPARE(window.controller()->schemeId(), QStringLiteral("weq"));
    QCOMPARE(window.controller()->params().get("levels"), 8.0);
    QVERIFY(window.controller()->compareResult().has_value());
    QCOMPARE(int(window.controller()->comparison().rows.size()), int(allSchemes().size()));
    const QImage image(path);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), kScreenshotSize * window.devicePixelRatio());
    QVERIFY2(distinctColours(image) >= kMinDistinctColours,
             qPrintable(QString::number(distinctColours(image))));
}

void TestMainWindow::screenshotReportsBadInput()
{
    MainWindow window(false);
    GuiOptions options;
    options.source = m_dir.filePath(QStringLiteral("does-not-exist.npy"));
    window.applyOptions(options);
    const QString path = m_dir.filePath(QStringLiteral("never.png"));
    const QString error = renderScreenshot(window, path);
    QVERIFY(error.contains(QStringLiteral("does-not-exist.npy")));
    QVERIFY(!error.contains(QLatin1Char('\n')));
    QVERIFY(!QFile::exists(path));

    QVERIFY_THROWS_EXCEPTION(UsageError,
                             parseGuiArguments({QStringLiteral("quantscope"),
                                                QStringLiteral("--bits"), QStringLiteral("0")}));
    QVERIFY_THROWS_EXCEPTION(
        UsageError, parseGuiArguments({QStringLiteral("quantscope"), QStringLiteral("--scheme"),
                                       QStringLiteral("nope")}));
    QVERIFY_THROWS_EXCEPTION(
        UsageError, parseGuiArguments({QStringLiteral("quantscope"), QStringLiteral("--group-size"),
                                       QStringLiteral("0")}));
    QVERIFY_THROWS_EXCEPTION(
        UsageError, parseGuiArguments({QStringLiteral("quantscope"),
                                       QStringLiteral("--per-channel"), QStringLiteral("x")}));
    QVERIFY_THROWS_EXCEPTION(
        UsageError, parseGuiArguments({QStringLiteral("quantscope"),
                                       QStringLiteral("--per-channel"), QStringLiteral("0"),
                                       QStringLiteral("--group-size"), QStringLiteral("32")}));
}

// `quantscope --per-channel AXIS` and `--group-size G`, as in the CLI.
void TestMainWindow::granularityFromTheCommandLine()
{
    const GuiOptions channel = parseGuiArguments(
        {QStringLiteral("quantscope"), QStringLiteral("--per-channel"), QStringLiteral("-1")});
    QVERIFY(channel.granularity == Granularity::perChannel(-1));
    const GuiOptions group =
        parseGuiArguments({QStringLiteral("quantscope"), QStringLiteral("demo:relu"),
                           QStringLiteral("--group-size"), QStringLiteral("64")});
    QVERIFY(group.granularity == Granularity::perGroup(64));
    MainWindow window(false);
    window.applyOptions(group);
    QVERIFY(window.controller()->granularity() == Granularity::perGroup(64));
    QCOMPARE(window.schemePanel()->granularityCombo()->currentIndex(), 2);
    QCOMPARE(window.schemePanel()->granularitySpin()->value(), 64);
    QVERIFY(!parseGuiArguments({QStringLiteral("quantscope")}).granularity.has_value());
}

void TestMainWindow::nonPersistentWindowLeavesSettingsAlone()
{
    QSettings().clear();
    {
        MainWindow window(false);
        window.controller()->setScheme(QStringLiteral("asymmetric"));
        window.show();
        window.close();
    }
    QVERIFY(QSettings().allKeys().isEmpty());
    const QString path = writeTwoTensorFile(m_dir.path());
    {
        MainWindow window(true);
        window.controller()->setScheme(QStringLiteral("asymmetric"));
        window.controller()->setBits(5);
        window.openSource(path, QStringLiteral("beta"));
        QTRY_VERIFY_WITH_TIMEOUT(idle(window) && window.controller()->source() == path, kTimeoutMs);
        window.show();
        window.close();
    }
    QCOMPARE(QSettings().value(QStringLiteral("scheme")).toString(), QStringLiteral("asymmetric"));
    QCOMPARE(QSettings().value(QStringLiteral("recentFiles")).toStringList(), QStringList{path});
    MainWindow restored(true);
    QCOMPARE(restored.controller()->schemeId(), QStringLiteral("asymmetric"));
    QCOMPARE(restored.controller()->bits(), 5);
    QCOMPARE(restored.recentFiles(), QStringList{path});
    // No file on the command line: the last file and tensor come back.
    restored.applyOptions(GuiOptions{});
    QTRY_VERIFY_WITH_TIMEOUT(idle(restored) && restored.controller()->source() == path, kTimeoutMs);
    QCOMPARE(restored.controller()->tensor()->name(), std::string("beta"));
    QSettings().clear();
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
