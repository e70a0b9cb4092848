// Block-scaled schemes and granularity in the explorer: the views show exactly the core's
// numbers for the whole tensor, one chosen block or channel, the channels' ranges, the block
// scales and the error against |x|.
#include "block_scale_view.h"
#include "channel_range_view.h"
#include "error_profile_view.h"
#include "explorer_controller.h"
#include "export_actions.h"
#include "histogram_view.h"
#include "scheme_panel.h"
#include "teaching_panel.h"
#include "transfer_view.h"

#include "quantscope/npy.h"
#include "quantscope/quantize.h"
#include "quantscope/scheme.h"
#include "quantscope/schemes/calibration.h"
#include "quantscope/schemes/linear.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QLabel>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <map>
#include <numeric>

using namespace quantscope;

namespace {

constexpr int kBusyTimeoutMs = 30000;
constexpr std::int64_t kRows = 40;
constexpr std::int64_t kColumns = 64;
constexpr int kOutlierChannel = 5;
constexpr double kShareTolerance = 1e-9; // percent

// A [40, 64] matrix of smooth values; row kOutlierChannel is twenty times larger.
Tensor testMatrix()
{
    std::vector<float> values;
    for (std::int64_t r = 0; r < kRows; ++r) {
        for (std::int64_t c = 0; c < kColumns; ++c) {
            const double v = std::sin(0.31 * double(r * kColumns + c)) * (1.0 + 0.05 * r);
            values.push_back(float(r == kOutlierChannel ? 20.0 * v : v));
        }
    }
    return Tensor("matrix", Shape{kRows, kColumns}, std::move(values), "float32");
}

void settle(ExplorerController& controller)
{
    QTRY_VERIFY_WITH_TIMEOUT(controller.distribution() != nullptr, kBusyTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!controller.isBusy() && controller.result().has_value(),
                             kBusyTimeoutMs);
}

QVector<double> keys(const QCPGraph* graph)
{
    QVector<double> out;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
        out.push_back(it->key);
    }
    return out;
}

QVector<double> values(const QCPGraph* graph)
{
    QVector<double> out;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
        out.push_back(it->value);
    }
    return out;
}

} // namespace

class TestBlockViews : public QObject {
    Q_OBJECT

private slots:
    void blockSchemeHasNoSingleCodebook();
    void focusShowsOneBlockWithItsCodebook();
    void perChannelGranularityScalesEachChannel();
    void channelRangesAndOutliers();
    void blockScalesCountTheExponents();
    void errorProfileSharesAddUp();
    void schemePanelSetsTheGranularity();
    void teachingPanelShowsTheCalibratedThreshold();
    void exportWritesTheBlockPass();
};

void TestBlockViews::blockSchemeHasNoSingleCodebook()
{
    ExplorerController controller;
    HistogramView histogram(&controller);
    TransferView transfer;
    transfer.setController(&controller);
    controller.setScheme(QStringLiteral("mx"));
    controller.setParam(QStringLiteral("format"), 0); // MXFP4
    controller.setTensor(testMatrix());
    settle(controller);
    const QuantResult& result = *controller.result();
    QVERIFY(result.valid());
    QVERIFY(!result.hasCodebook());
    QVERIFY(result.slices != nullptr);
    QCOMPARE(result.slices->blocks.size(), std::size_t(kRows * 2));
    QCOMPARE(result.bitsPerWeight, 4.25);
    QuantizeOptions options;
    options.distribution = controller.distribution().get();
    const QuantizedTensor core =
        quantizeTensor(*controller.tensor(), schemeById("mx"), controller.params(), options);
    QCOMPARE(result.metrics.mse, core.metrics.mse);
    QCOMPARE(result.metrics.levelsUsed, core.metrics.levelsUsed);
    // No levels for all values; the histogram says where to look.
    QVERIFY(histogram.boundaryGraph()->data()->isEmpty());
    QVERIFY(histogram.levelGraph()->data()->isEmpty());
    QVERIFY(!histogram.noteLabel()->isHidden());
    QVERIFY(transfer.stepGraph()->data()->isEmpty());
    QCOMPARE(controller.focusSliceKind(), QStringLiteral("block"));
    QCOMPARE(controller.focusLayout()->sliceCount(), kRows * 2);
}

// One block shown: its values, its own levels (the grid times its scale) in the histogram and
// its staircase in the transfer plot.
void TestBlockViews::focusShowsOneBlockWithItsCodebook()
{
    ExplorerController controller;
    HistogramView histogram(&controller);
    TransferView transfer;
    transfer.setController(&controller);
    controller.setScheme(QStringLiteral("nvfp4"));
    controller.setTensor(testMatrix());
    settle(controller);
    constexpr int kBlock = 2 * kOutlierChannel * 2; // a block of the outlier row
    histogram.sliceSpin()->setValue(kBlock);
    QTRY_VERIFY_WITH_TIMEOUT(!controller.isBusy() && controller.focus().index == kBlock,
                             kBusyTimeoutMs);
    const FocusSlice& focus = controller.focus();
    QVERIFY(focus.result.has_value());
    const SliceQuantizer slices =
        makeSliceQuantizer(schemeById("nvfp4"), {}, Granularity::perTensor(),
                           controller.tensor()->shape(), controller.distribution()->maxAbs());
    const auto [codebook, info] = sliceCodebook(*controller.tensor(), slices, kBlock);
    QCOMPARE(focus.result->codebook.levels, codebook.levels);
    QCOMPARE(focus.distribution->count(), std::int64_t(16));
    QCOMPARE(std::accumulate(focus.histogram.counts.begin(), focus.histogram.counts.end(),
                             std::int64_t{0}),
             std::int64_t(16));
    QCOMPARE(keys(histogram.levelGraph()),
             QVector<double>(codebook.levels.begin(), codebook.levels.end()));
    QCOMPARE(keys(histogram.boundaryGraph()),
             QVector<double>(codebook.thresholds.begin(), codebook.thresholds.end()));
    QVERIFY(!transfer.stepGraph()->data()->isEmpty());
    QVERIFY(histogram.noteLabel()->isHidden());
    // Back to all values.
    histogram.sliceSpin()->setValue(-1);
    QCOMPARE(controller.focus().index, -1);
    QVERIFY(histogram.levelGraph()->data()->isEmpty());
}

// Per channel along axis 0, symmetric 8 bits: each row's scale is max|x| of the row / 127.
void TestBlockViews::perChannelGranularityScalesEachChannel()
{
    ExplorerController controller;
    controller.setGranularity(Granularity::perChannel(0));
    controller.setTensor(testMatrix());
    settle(controller);
    const QuantResult& result = *controller.result();
    QVERIFY(result.slices != nullptr);
    QVERIFY(result.slices->layout().isPerChannel());
    const Tensor& tensor = *controller.tensor();
    for (std::int64_t r = 0; r < kRows; ++r) {
        const auto row = tensor.values().subspan(std::size_t(r * kColumns), kColumns);
        double amax = 0.0;
        for (float v : row) {
            amax = std::max(amax, double(std::abs(v)));
        }
        QCOMPARE(result.slices->blocks[r].scale, float(symmetricMapping(amax, 8).scale));
    }
    QCOMPARE(result.bitsPerWeight, 8.0 + 32.0 * kRows / double(kRows * kColumns));
    // The comparison follows the granularity.
    QVERIFY(controller.comparison().granularity == Granularity::perChannel(0));
    // Calibrators keep their one range per tensor.
    controller.setScheme(QStringLiteral("percentile"));
    settle(controller);
    QVERIFY(controller.result()->hasCodebook());
    QVERIFY(!controller.schemeUsesGranularity());
}

void TestBlockViews::channelRangesAndOutliers()
{
    ExplorerController controller;
    ChannelRangeView view;
    view.setController(&controller);
    controller.setGranularity(Granularity::perChannel(0));
    controller.setTensor(testMatrix());
    settle(controller);
    QTRY_VERIFY_WITH_TIMEOUT(!controller.channelRanges().ranges.empty(), kBusyTimeoutMs);
    const std::vector<SliceRange> ranges = sliceRanges(
        controller.tensor()->values(), SliceLayout::perChannel(controller.tensor()->shape(), 0));
    const QVector<double> mins = values(view.minGraph());
    const QVector<double> maxs = values(view.maxGraph());
    QCOMPARE(mins.size(), qsizetype(kRows));
    for (std::int64_t c = 0; c < kRows; ++c) {
        QCOMPARE(mins[c], double(ranges[c].min));
        QCOMPARE(maxs[c], double(ranges[c].max));
        // Per channel: each channel's own range, ±127 · its scale.
        QCOMPARE(values(view.rangeHighGraph())[c],
                 double(controller.result()->slices->blocks[c].high));
    }
    QCOMPARE(keys(view.outlierGraph()), QVector<double>{double(kOutlierChannel)});
    const double pixel = view.plot()->xAxis->coordToPixel(kOutlierChannel);
    QCOMPARE(view.channelAt(pixel), kOutlierChannel);
    QVERIFY(view.hoverText(pixel).startsWith(QStringLiteral("channel 5 (axis 0)")));
    QVERIFY(view.hoverText(pixel).contains(QStringLiteral("scale")));
}

// MX scales are powers of two: one bar per exponent, counting the blocks exactly.
void TestBlockViews::blockScalesCountTheExponents()
{
    ExplorerController controller;
    BlockScaleView view;
    view.setController(&controller);
    controller.setScheme(QStringLiteral("mx"));
    controller.setTensor(testMatrix());
    settle(controller);
    std::map<int, std::int64_t> exponents;
    for (const BlockInfo& block : controller.result()->slices->blocks) {
        ++exponents[int(std::log2(block.scale))];
    }
    const Histogram& h = view.histogram();
    QCOMPARE(h.edges[1] - h.edges[0], 1.0);
    for (std::size_t k = 0; k < h.counts.size(); ++k) {
        const int exponent = int(std::lround(0.5 * (h.edges[k] + h.edges[k + 1])));
        QCOMPARE(h.counts[k], exponents.count(exponent) ? exponents[exponent] : 0);
    }
    QCOMPARE(std::accumulate(h.counts.begin(), h.counts.end(), std::int64_t{0}), kRows * 2);
    // The outlier row's blocks sit at the top exponent.
    QCOMPARE(exponents.rbegin()->second, std::int64_t(2));
    QVERIFY(view.hoverText(exponents.rbegin()->first).contains(QStringLiteral(": 2 blocks")));
}

void TestBlockViews::errorProfileSharesAddUp()
{
    ExplorerController controller;
    ErrorProfileView view;
    view.setController(&controller);
    controller.setScheme(QStringLiteral("mx"));
    controller.setTensor(testMatrix());
    settle(controller);
    double total = 0.0;
    for (auto it = view.shareBars()->data()->constBegin();
         it != view.shareBars()->data()->constEnd(); ++it) {
        total += it->value;
    }
    QVERIFY(std::abs(total - 100.0) < kShareTolerance);
    const ErrorProfile& profile = controller.result()->errorProfile;
    QCOMPARE(std::accumulate(profile.counts.begin(), profile.counts.end(), std::int64_t{0}),
             kRows * kColumns);
    QVERIFY(view.hoverText(0.5 * (profile.edges[0] + profile.edges[1])).contains("values"));
}

void TestBlockViews::schemePanelSetsTheGranularity()
{
    ExplorerController controller;
    SchemePanel panel(&controller);
    controller.setTensor(testMatrix());
    settle(controller);
    panel.granularityCombo()->setCurrentIndex(2);
    QVERIFY(controller.granularity() == Granularity::perGroup(128));
    panel.granularitySpin()->setValue(16);
    QVERIFY(controller.granularity() == Granularity::perGroup(16));
    panel.granularityCombo()->setCurrentIndex(1);
    QVERIFY(controller.granularity() == Granularity::perChannel(0));
    panel.granularitySpin()->setValue(-1);
    QVERIFY(controller.granularity() == Granularity::perChannel(-1));
    QVERIFY(panel.granularityNote()->isHidden());
    controller.setScheme(QStringLiteral("mx"));
    QVERIFY(!panel.granularityNote()->isHidden());
    QVERIFY(panel.granularityNote()->text().contains(QStringLiteral("own blocks")));
    panel.granularityCombo()->setCurrentIndex(0);
    QVERIFY(controller.granularity().isPerTensor());
    QVERIFY(panel.granularityNote()->isHidden());
}

void TestBlockViews::teachingPanelShowsTheCalibratedThreshold()
{
    ExplorerController controller;
    TeachingPanel panel;
    panel.setController(&controller);
    QSignalSpy shown(&panel, &TeachingPanel::calibrationShown);
    controller.setScheme(QStringLiteral("percentile"));
    controller.setTensor(testMatrix());
    settle(controller);
    QTRY_VERIFY_WITH_TIMEOUT(shown.count() > 0, kBusyTimeoutMs);
    const double expected = percentileThreshold(absHistogram(*controller.distribution()), 99.99);
    QCOMPARE(keys(panel.thresholdGraph()).size(), qsizetype(1));
    QCOMPARE(float(keys(panel.thresholdGraph())[0]), float(expected));
    QCOMPARE(panel.calibrationHistogramGraph()->data()->size(), kCalibrationBins);
    QVERIFY(panel.formulaText().contains(QStringLiteral("Percentile")));
}

void TestBlockViews::exportWritesTheBlockPass()
{
    ExplorerController controller;
    controller.setScheme(QStringLiteral("mx"));
    controller.setTensor(testMatrix());
    settle(controller);
    QTemporaryDir dir;
    const QString dequantized = dir.filePath(QStringLiteral("mx.npy"));
    const QString codes = dir.filePath(QStringLiteral("mx_codes.npy"));
    TensorExport exporter;
    QSignalSpy finished(&exporter, &TensorExport::finished);
    QVERIFY(exporter.start(controller.tensor(), *controller.result(), dequantized, codes));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kBusyTimeoutMs);
    QCOMPARE(finished.at(0).at(0).toString(), QString());
    QuantizeOptions options;
    options.apply = true;
    const QuantizedTensor core =
        quantizeTensor(*controller.tensor(), schemeById("mx"), controller.params(), options);
    const Tensor written = readNpy(dequantized.toStdString());
    QCOMPARE(std::vector<float>(written.values().begin(), written.values().end()),
             core.applied->dequantized);
    const Tensor writtenCodes = readNpy(codes.toStdString());
    for (std::size_t i = 0; i < core.applied->codes.size(); ++i) {
        QCOMPARE(std::int32_t(writtenCodes.values()[i]), core.applied->codes[i]);
    }
}

QTEST_MAIN(TestBlockViews)
#include "tst_block_views.moc"
