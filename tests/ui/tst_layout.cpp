// The explorer's layout at the window sizes people use (1280×800, the default on a fresh X
// server; 1440×900; 1920×1080): nothing covers or cuts off a view, no column leaves an empty gap,
// and a model file with many tensors squeezes no plot.
#include "comparison_model.h"
#include "comparison_table.h"
#include "explorer_controller.h"
#include "histogram_view.h"
#include "main_window.h"
#include "metrics_view.h"
#include "param_editor.h"
#include "rate_distortion_view.h"
#include "scheme_panel.h"
#include "teaching_panel.h"
#include "tensor_browser.h"

#include "quantscope/scheme.h"

#include <qcustomplot.h>

#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace quantscope;

namespace {

constexpr int kTimeoutMs = 60000;
// The rate–distortion plot keeps at least this height (its axes, curves and legend readable).
constexpr int kMinRateDistortionHeight = 230;
// Between the scheme panel's last slider and the metrics: a margin, not a gap.
constexpr int kMaxColumnGap = 24;
constexpr int kMinHistogramHeight = 200;
// A short window still shows this much of the teaching text (several table rows).
constexpr int kMinTeachingTextHeight = 100;

const QSize kSizes[] = {{1280, 800}, {1440, 900}, {1920, 1080}};

bool settled(const MainWindow& window)
{
    return !window.isBusy() && window.controller()->result().has_value() &&
           !window.controller()->comparison().rows.empty() &&
           !window.controller()->rateDistortion().curves.empty();
}

void addSizes()
{
    QTest::addColumn<QSize>("size");
    for (const QSize& size : kSizes) {
        QTest::newRow(qPrintable(QStringLiteral("%1x%2").arg(size.width()).arg(size.height())))
            << size;
    }
}

// A .safetensors file of `count` float32 tensors t0, t1, … of `elements` values each; tensor i
// holds i·0.5 + (0 … elements−1)·0.001, so its range is [i·0.5, i·0.5 + (elements−1)·0.001].
QString writeModel(const QString& path, int count, int elements)
{
    QByteArray header = "{";
    QByteArray data;
    for (int i = 0; i < count; ++i) {
        std::vector<float> values(elements);
        for (int j = 0; j < elements; ++j) {
            values[j] = float(i * 0.5 + j * 0.001);
        }
        const qint64 begin = data.size();
        data.append(reinterpret_cast<const char*>(values.data()), qsizetype(elements * 4));
        header += QStringLiteral(R"(%1"t%2":{"dtype":"F32","shape":[%3],"data_offsets":[%4,%5]})")
                      .arg(i == 0 ? "" : ",")
                      .arg(i)
                      .arg(elements)
                      .arg(begin)
                      .arg(data.size())
                      .toUtf8();
    }
    header += "}";
    QByteArray bytes(8, '\0');
    for (int i = 0; i < 8; ++i) {
        bytes[i] = char((quint64(header.size()) >> (8 * i)) & 0xff);
    }
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes + header + data) < 0) {
        return {};
    }
    return path;
}

QString expectedRange(int i, int elements)
{
    return QStringLiteral("[%1, %2]")
        .arg(float(i * 0.5), 0, 'g', 6)
        .arg(float(i * 0.5 + (elements - 1) * 0.001), 0, 'g', 6);
}

// The comparison table shows whole columns, no horizontal scroll bar, every row.
void checkComparisonFits(MainWindow& window, const QSize& size)
{
    auto* table = window.findChild<ComparisonTable*>();
    QTableView* view = table->view();
    QVERIFY(!view->horizontalScrollBar()->isVisible());
    int shown = 0;
    int width = 0;
    for (int column = 0; column < ComparisonModel::ColumnCount; ++column) {
        if (!view->isColumnHidden(column)) {
            ++shown;
            width += view->columnWidth(column);
        }
    }
    QVERIFY2(width <= view->viewport()->width(),
             qPrintable(QStringLiteral("%1 > %2").arg(width).arg(view->viewport()->width())));
    for (int column :
         {int(ComparisonModel::Scheme), int(ComparisonModel::SqnrDb), int(ComparisonModel::Mse)}) {
        QVERIFY2(!view->isColumnHidden(column), qPrintable(QString::number(column)));
    }
    // Every column's text fits its width: nothing is elided (the last one stretches to the
    // panel's edge, and the panel is at least as wide as its text).
    for (int column = 0; column < ComparisonModel::ColumnCount; ++column) {
        if (view->isColumnHidden(column)) {
            continue;
        }
        for (int row = 0; row < view->model()->rowCount(); ++row) {
            const QString text = view->model()->index(row, column).data().toString();
            QFont bold = view->font();
            bold.setBold(true);
            QVERIFY2(QFontMetrics(bold).horizontalAdvance(text) < view->columnWidth(column),
                     qPrintable(text));
        }
    }
    // And every row is in view: the table is as tall as its rows.
    QVERIFY(view->verticalScrollBar()->maximum() == 0);
    // Wider windows show more columns, 1920 pixels all of the first five.
    if (size.width() >= 1920) {
        QVERIFY2(shown >= 5, qPrintable(QString::number(shown)));
    }
}

} // namespace

class TestLayout : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void rateDistortionLegendLeavesTheCurvesFree_data() { addSizes(); }
    void rateDistortionLegendLeavesTheCurvesFree();
    void comparisonTableFitsItsPanel_data() { addSizes(); }
    void comparisonTableFitsItsPanel();
    void leftColumnHasNoGap_data() { addSizes(); }
    void leftColumnHasNoGap();
    void multiTensorFileSqueezesNoPlot_data() { addSizes(); }
    void multiTensorFileSqueezesNoPlot();
    void tensorRangesAreScannedAndCancelled();
    void weqClusterTableStaysReadable();
    void comparisonRowFollowsTheSliders();

private:
    QTemporaryDir m_dir;
};

void TestLayout::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("QuantScopeTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_layout"));
    QSettings().clear();
    QVERIFY(m_dir.isValid());
}

void TestLayout::rateDistortionLegendLeavesTheCurvesFree()
{
    QFETCH(QSize, size);
    MainWindow window(false);
    window.resize(size);
    window.show();
    window.openSource(QStringLiteral("demo:gaussian"));
    QTRY_VERIFY_WITH_TIMEOUT(settled(window), kTimeoutMs);
    auto* view = window.findChild<RateDistortionView*>();
    QCustomPlot* plot = view->plot();
    plot->replot(QCustomPlot::rpImmediateRefresh);
    const QRect legend = plot->legend->outerRect();
    const QRect curves = plot->axisRect()->rect();
    QVERIFY(legend.isValid() && curves.isValid());
    QVERIFY2(!legend.intersects(curves),
             qPrintable(QStringLiteral("legend %1,%2 %3x%4 over the axes")
                            .arg(legend.x())
                            .arg(legend.y())
                            .arg(legend.width())
                            .arg(legend.height())));
    QVERIFY(plot->rect().contains(legend));
    // Every scheme's entry is there and shows its whole name.
    int entries = 0;
    for (int i = 0; i < plot->legend->itemCount(); ++i) {
        if (QCPAbstractLegendItem* item = plot->legend->item(i)) {
            ++entries;
            QVERIFY(item->outerRect().width() >= item->minimumOuterSizeHint().width());
        }
    }
    QCOMPARE(entries, int(window.controller()->rateDistortion().curves.size()));
    QVERIFY(view->height() >= kMinRateDistortionHeight);
}

void TestLayout::comparisonTableFitsItsPanel()
{
    QFETCH(QSize, size);
    MainWindow window(false);
    window.resize(size);
    window.show();
    window.openSource(QStringLiteral("demo:laplacian"));
    QTRY_VERIFY_WITH_TIMEOUT(settled(window), kTimeoutMs);
    QCoreApplication::processEvents();
    checkComparisonFits(window, size);
    if (QTest::currentTestFailed()) {
        return;
    }
    // A block scheme's teaching text is long and narrow: the table keeps its columns whole.
    window.controller()->setScheme(QStringLiteral("mx"));
    QTRY_VERIFY_WITH_TIMEOUT(settled(window), kTimeoutMs);
    QCoreApplication::processEvents();
    checkComparisonFits(window, size);
}

void TestLayout::leftColumnHasNoGap()
{
    QFETCH(QSize, size);
    MainWindow window(false);
    window.resize(size);
    window.show();
    window.openSource(QStringLiteral("demo:gaussian"));
    QTRY_VERIFY_WITH_TIMEOUT(settled(window), kTimeoutMs);
    for (const char* scheme : {"symmetric", "dsq", "weq", "asymmetric", "weq-log"}) {
        window.controller()->setScheme(QString::fromLatin1(scheme));
        QTRY_VERIFY_WITH_TIMEOUT(settled(window), kTimeoutMs);
        QTest::qWait(20); // the queued fit of the column
        SchemePanel* panel = window.schemePanel();
        QVERIFY(!panel->editors().empty());
        const QWidget* last = panel->editors().back();
        const int lastBottom = last->mapTo(&window, QPoint(0, last->height())).y();
        const int metricsTop = window.metricsView()->mapTo(&window, QPoint(0, 0)).y();
        QVERIFY2(metricsTop - lastBottom <= kMaxColumnGap,
                 qPrintable(
                     QStringLiteral("%1: gap of %2 px").arg(scheme).arg(metricsTop - lastBottom)));
        QVERIFY2(metricsTop >= lastBottom, scheme); // and nothing overlaps
        auto* rd = window.findChild<RateDistortionView*>();
        QVERIFY2(rd->height() >= kMinRateDistortionHeight, scheme);
    }
}

// A model with many tensors opens its browser as a tab of the lower plots: the histogram and the
// rate–distortion plot keep their room.
void TestLayout::multiTensorFileSqueezesNoPlot()
{
    QFETCH(QSize, size);
    constexpr int kTensors = 40;
    constexpr int kElements = 256;
    const QString path =
        writeModel(m_dir.filePath(QStringLiteral("many.safetensors")), kTensors, kElements);
    QVERIFY(!path.isEmpty());
    MainWindow window(false);
    window.resize(size);
    window.show();
    window.openSource(QStringLiteral("demo:gaussian"));
    QTRY_VERIFY_WITH_TIMEOUT(settled(window), kTimeoutMs);
    auto* rd = window.findChild<RateDistortionView*>();
    const int rdBefore = rd->height();
    const int histogramBefore = window.histogramView()->height();

    window.openSource(path);
    QTRY_VERIFY_WITH_TIMEOUT(settled(window) && window.controller()->source() == path, kTimeoutMs);
    QVERIFY(window.tensorTabShown());
    QVERIFY(window.tensorBrowser()->isVisible()); // its tab comes to the front
    QCOMPARE(rd->height(), rdBefore);
    QCOMPARE(window.histogramView()->height(), histogramBefore);
    QVERIFY(rd->height() >= kMinRateDistortionHeight);
    QVERIFY(window.histogramView()->height() >= kMinHistogramHeight);
}

// Every tensor's range comes from a background scan; opening another file stops it and drops
// what it would have reported.
void TestLayout::tensorRangesAreScannedAndCancelled()
{
    constexpr int kTensors = 12;
    constexpr int kElements = 1000;
    const QString small =
        writeModel(m_dir.filePath(QStringLiteral("small.safetensors")), kTensors, kElements);
    constexpr int kLargeTensors = 8;
    constexpr int kLargeElements = 1 << 20;
    const QString large = writeModel(m_dir.filePath(QStringLiteral("large.safetensors")),
                                     kLargeTensors, kLargeElements);
    QVERIFY(!small.isEmpty() && !large.isEmpty());

    MainWindow window(false);
    window.show();
    TensorBrowser* browser = window.tensorBrowser();
    window.openSource(small);
    QTRY_VERIFY_WITH_TIMEOUT(settled(window) && window.controller()->source() == small, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!browser->isScanning(), kTimeoutMs);
    QCOMPARE(browser->visibleRowCount(), kTensors);
    for (int row = 0; row < kTensors; ++row) {
        QCOMPARE(browser->text(row, TensorBrowser::NameColumn), QStringLiteral("t%1").arg(row));
        QCOMPARE(browser->text(row, TensorBrowser::RangeColumn), expectedRange(row, kElements));
    }

    // The moment the large file has opened (its scan just started), the small one is opened
    // again: the large scan is cancelled and none of its ranges lands in the new rows.
    bool scanningLarge = false;
    const auto reopen = connect(window.controller(), &ExplorerController::loadFinished, this, [&] {
        if (window.controller()->source() == large) {
            scanningLarge = browser->isScanning();
            window.openSource(small);
        }
    });
    window.openSource(large);
    QTRY_VERIFY_WITH_TIMEOUT(settled(window) && window.controller()->source() == small, kTimeoutMs);
    disconnect(reopen);
    QVERIFY(scanningLarge);
    QTRY_VERIFY_WITH_TIMEOUT(!browser->isScanning(), kTimeoutMs);
    QCOMPARE(browser->visibleRowCount(), kTensors);
    for (int row = 0; row < kTensors; ++row) {
        QCOMPARE(browser->text(row, TensorBrowser::RangeColumn), expectedRange(row, kElements));
    }
}

// With weq the teaching panel lists the clusters: all of them at the usual sizes, and on a short
// window the text scrolls instead of shrinking to a row.
void TestLayout::weqClusterTableStaysReadable()
{
    for (const QSize size : {QSize(1280, 800), QSize(1440, 900), QSize(1280, 600)}) {
        MainWindow window(false);
        window.resize(size);
        window.show();
        window.controller()->setSchemeParams(QStringLiteral("weq"), {{"levels", 7.0}});
        window.openSource(QStringLiteral("demo:gaussian"));
        auto* teaching = window.findChild<TeachingPanel*>();
        QTRY_VERIFY_WITH_TIMEOUT(settled(window) && teaching->formulaText().contains("cluster"),
                                 kTimeoutMs);
        QCoreApplication::processEvents();
        QScrollArea* scroll = teaching->formulaScroll();
        QVERIFY2(scroll->viewport()->height() >= kMinTeachingTextHeight,
                 qPrintable(QStringLiteral("%1 px at %2x%3")
                                .arg(scroll->viewport()->height())
                                .arg(size.width())
                                .arg(size.height())));
        const int hidden = scroll->widget()->height() - scroll->viewport()->height();
        if (size.height() >= 800) {
            QVERIFY2(hidden <= 0, qPrintable(QStringLiteral("%1 px hidden at %2x%3")
                                                 .arg(hidden)
                                                 .arg(size.width())
                                                 .arg(size.height())));
        } else {
            QCOMPARE(scroll->verticalScrollBar()->maximum(), std::max(0, hidden));
        }
    }
}

// The comparison row of the current scheme shows the user's parameters (the metrics panel's
// numbers); the other rows stay at their defaults.
void TestLayout::comparisonRowFollowsTheSliders()
{
    MainWindow window(false);
    window.show();
    window.openSource(QStringLiteral("demo:gaussian"));
    QTRY_VERIFY_WITH_TIMEOUT(settled(window), kTimeoutMs);
    constexpr double kClip = 0.46;
    window.controller()->setParam(QStringLiteral("clip"), kClip);
    QTRY_VERIFY_WITH_TIMEOUT(settled(window) &&
                                 window.controller()->result()->params.get("clip", 1.0) == kClip,
                             kTimeoutMs);
    auto* table = window.findChild<ComparisonTable*>();
    const ComparisonModel* model = table->model();
    const Distribution& dist = *window.controller()->distribution();
    const QuantResult& live = *window.controller()->result();
    bool sawCurrent = false;
    for (int row = 0; row < model->rowCount(); ++row) {
        const QString id = model->index(row, 0).data(ComparisonModel::kSchemeIdRole).toString();
        const double mse =
            model->index(row, ComparisonModel::Mse).data(ComparisonModel::kSortRole).toDouble();
        if (id == QLatin1String("symmetric")) {
            sawCurrent = true;
            QCOMPARE(mse, live.metrics.mse);
            QCOMPARE(
                mse,
                computeMetrics(
                    dist, schemeById("symmetric").design(dist, {{"bits", 8.0}, {"clip", kClip}}))
                    .mse);
            QCOMPARE(model->index(row, 0).data().toString(), QStringLiteral("symmetric*"));
            QVERIFY(model->index(row, 0).data(Qt::ToolTipRole).toString().contains("clip 0.46"));
        } else if (id == QLatin1String("asymmetric")) {
            QCOMPARE(
                mse,
                computeMetrics(dist, schemeById("asymmetric").design(dist, {{"bits", 8.0}})).mse);
        }
    }
    QVERIFY(sawCurrent);
    QVERIFY(table->title()->text().contains(QStringLiteral("follows your settings")));
    // The metrics panel shows the same MSE as the row.
    QCOMPARE(window.metricsView()->text(0, 0), QString::number(live.metrics.mse, 'g', 6));
}

QTEST_MAIN(TestLayout)
#include "tst_layout.moc"
