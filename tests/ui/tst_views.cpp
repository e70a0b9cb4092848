// The plot views, comparison table and teaching panel show exactly the core's numbers.
#include "comparison_model.h"
#include "comparison_table.h"
#include "error_histogram_view.h"
#include "explorer_controller.h"
#include "histogram_view.h"
#include "integer_pipeline_view.h"
#include "rate_distortion_view.h"
#include "teaching_panel.h"
#include "transfer_view.h"

#include "quantscope/errors.h"
#include "quantscope/quantize.h"
#include "quantscope/scheme.h"
#include "quantscope/schemes/dsq.h"
#include "quantscope/schemes/linear.h"
#include "quantscope/schemes/weighted_entropy.h"

#include <qcustomplot.h>

#include <QLineEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTableView>
#include <QTableWidget>
#include <QtTest>

#include <cmath>
#include <optional>

using namespace quantscope;

namespace {

constexpr int kValueCount = 1000;
constexpr int kBusyTimeoutMs = 30000;

// Deterministic, asymmetric, with a heavier positive tail: every scheme has work to do.
std::vector<float> testValues()
{
    std::vector<float> values;
    values.reserve(kValueCount);
    for (int i = 0; i < kValueCount; ++i) {
        const double t = i * 0.37;
        const double v = 1.5 * std::sin(t) + 0.4 * std::cos(3.1 * t) + (i % 17 == 0 ? 3.0 : 0.0);
        values.push_back(float(v));
    }
    return values;
}

const Distribution& testDistribution()
{
    static const std::vector<float> values = testValues();
    static const Distribution dist(values);
    return dist;
}

std::vector<std::pair<double, double>> points(const QCPGraph* graph)
{
    std::vector<std::pair<double, double>> out;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
        out.emplace_back(it->key, it->value);
    }
    return out;
}

// Loads the test values into `controller` and waits until every computation is done.
void loadAndSettle(ExplorerController& controller)
{
    controller.setTensor(Tensor("test", {kValueCount}, testValues(), "float32"));
    QTRY_VERIFY_WITH_TIMEOUT(controller.distribution() != nullptr, kBusyTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!controller.isBusy(), kBusyTimeoutMs);
    QVERIFY(!controller.comparison().rows.empty());
    QVERIFY(!controller.rateDistortion().curves.empty());
}

} // namespace

class TestViews : public QObject {
    Q_OBJECT

private slots:
    void transferStepsAreCodebookLevels_data();
    void transferStepsAreCodebookLevels();
    void transferCompareOverlayAndHover();
    void errorHistogramMatchesDirectPass();
    void comparisonModelHoldsEveryScheme();
    void comparisonModelShowsErrors();
    void ggmlOnPartialBlocksShowsWhy();
    void comparisonTableDoubleClickSelectsScheme();
    void rateDistortionPlotsControllerCurves();
    void teachingPanelShowsSymmetricScale();
    void teachingPanelShowsWeqSweeps();
    void teachingPanelShowsDsqSoftCurve();
    void teachingPanelShowsWeqLogHistogram();
    void teachingPanelExplainsTheStep();
    void pipelineViewShowsEveryInteger();
    void pipelineViewFollowsEditedInputs();
    void histogramBoundariesBecomeTicks_data();
    void histogramBoundariesBecomeTicks();
    void histogramLogCountsKeepEmptyBins();
    void spikyTensorsOpenWithLogCounts();
};

void TestViews::transferStepsAreCodebookLevels_data()
{
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<int>("bits");
    QTest::newRow("symmetric 3") << "symmetric" << 3;
    QTest::newRow("asymmetric 4") << "asymmetric" << 4;
    QTest::newRow("weq 3") << "weq" << 3;
    QTest::newRow("lloyd-max 2") << "lloyd-max" << 2;
    QTest::newRow("dsq 3") << "dsq" << 3;
    QTest::newRow("symmetric 8") << "symmetric" << 8;
}

void TestViews::transferStepsAreCodebookLevels()
{
    QFETCH(QString, scheme);
    QFETCH(int, bits);
    const Distribution& dist = testDistribution();
    const QuantResult result = designResult(
        dist, scheme.toStdString(), ExplorerController::paramsAtBits(scheme.toStdString(), bits));
    QVERIFY2(result.valid(), result.error.c_str());
    const Codebook& cb = result.codebook;
    const double lo = dist.min();
    const double hi = dist.max();

    TransferView view;
    view.setResult(&result);

    // Reference: the thresholds inside (lo, hi], found by a plain scan.
    std::vector<double> inside;
    for (double t : cb.thresholds) {
        if (t > lo && t <= hi) {
            inside.push_back(t);
        }
    }
    const auto step = points(view.stepGraph());
    QCOMPARE(step.size(), inside.size() + 2);
    QCOMPARE(step.front().first, lo);
    QCOMPARE(step.back().first, hi);
    for (std::size_t i = 0; i < inside.size(); ++i) {
        QCOMPARE(step[i + 1].first, inside[i]);
    }
    for (std::size_t i = 0; i + 1 < step.size(); ++i) {
        // The value held from this key on is the level of the key itself.
        const int k = cb.levelIndex(step[i].first);
        QCOMPARE(step[i].second, cb.levels[k]);
    }

    // The error sawtooth: Q(x) − x at both ends of each segment.
    const auto error = points(view.errorGraph());
    QCOMPARE(error.size(), 2 * (inside.size() + 1));
    for (std::size_t s = 0; s + 1 < step.size(); ++s) {
        const double level = step[s].second;
        QCOMPARE(error[2 * s].first, step[s].first);
        QCOMPARE(error[2 * s].second, level - step[s].first);
        QCOMPARE(error[2 * s + 1].first, step[s + 1].first);
        QCOMPARE(error[2 * s + 1].second, level - step[s + 1].first);
    }

    const auto identity = points(view.identityGraph());
    QCOMPARE(identity.size(), std::size_t(2));
    QCOMPARE(identity[0], std::make_pair(lo, lo));
    QCOMPARE(identity[1], std::make_pair(hi, hi));
    QVERIFY(view.compareStepGraph()->data()->isEmpty());
}

void TestViews::transferCompareOverlayAndHover()
{
    const Distribution& dist = testDistribution();
    const QuantResult a = designResult(dist, "symmetric", {{"bits", 2}});
    const QuantResult b =
        designResult(dist, "lloyd-max", ExplorerController::paramsAtBits("lloyd-max", 2));
    QVERIFY(a.valid() && b.valid());
    TransferView view;
    view.setResult(&a, &b);
    QVERIFY(!view.stepGraph()->data()->isEmpty());
    for (const auto& [key, value] : points(view.compareStepGraph())) {
        QCOMPARE(value, b.codebook.quantize(key));
    }
    const double x = 0.3;
    const QString text = view.hoverText(x);
    QVERIFY2(text.contains(QString::number(a.codebook.quantize(x), 'g', 9)), qPrintable(text));
    QVERIFY2(text.contains(QString::number(b.codebook.quantize(x) - x, 'g', 9)), qPrintable(text));
    QVERIFY(text.contains(QLatin1String("lloyd-max")));
}

void TestViews::errorHistogramMatchesDirectPass()
{
    const Distribution& dist = testDistribution();
    const QuantResult result = designResult(dist, "weq", {{"levels", 8}});
    QVERIFY(result.valid());
    const Histogram& h = result.errorHistogram;
    QVERIFY(h.counts.size() > 10);

    // Reference: bin Q(x) − x of every value directly.
    std::vector<std::int64_t> expected(h.counts.size(), 0);
    for (float x : dist.sorted()) {
        const double e = result.codebook.quantize(x) - double(x);
        auto bin = std::upper_bound(h.edges.begin(), h.edges.end(), e) - h.edges.begin() - 1;
        bin = std::clamp<std::ptrdiff_t>(bin, 0, std::ptrdiff_t(expected.size()) - 1);
        ++expected[bin];
    }

    ErrorHistogramView view;
    const QuantResult other = designResult(dist, "symmetric", {{"bits", 3}});
    view.setResult(&result, &other);
    QCOMPARE(view.bars()->data()->size(), int(expected.size()));
    int i = 0;
    for (auto it = view.bars()->data()->constBegin(); it != view.bars()->data()->constEnd();
         ++it, ++i) {
        QCOMPARE(it->key, 0.5 * (h.edges[i] + h.edges[i + 1]));
        QCOMPARE(std::int64_t(it->value), expected[i]);
    }
    QCOMPARE(view.compareBars()->data()->size(), int(other.errorHistogram.counts.size()));
    const double middle = 0.5 * (h.edges[3] + h.edges[4]);
    QVERIFY(view.hoverText(middle).contains(QStringLiteral(": %1 values").arg(expected[3])));
}

void TestViews::comparisonModelHoldsEveryScheme()
{
    ExplorerController controller;
    controller.setBits(3);
    ComparisonTable table;
    table.setController(&controller);
    loadAndSettle(controller);

    const ComparisonModel* model = table.model();
    const auto& schemes = allSchemes();
    QCOMPARE(model->rowCount(), int(schemes.size()));
    const Distribution& dist = *controller.distribution();
    const Tensor& tensor = *controller.tensor();
    for (int row = 0; row < model->rowCount(); ++row) {
        const Scheme& scheme = *schemes[row];
        QCOMPARE(model->index(row, ComparisonModel::Scheme).data().toString(),
                 QString::fromStdString(scheme.id()));
        const auto sortValue = [&](int column) {
            return model->index(row, column).data(ComparisonModel::kSortRole).toDouble();
        };
        // A scheme without a 3-bit variant (nvfp4, mx) shows why.
        bool takesThree = true;
        try {
            scheme.resolve({{"bits", 3}});
        } catch (const UsageError&) {
            takesThree = false;
        }
        if (!takesThree) {
            QVERIFY(!model->index(row, ComparisonModel::SqnrDb)
                         .data(ComparisonModel::kSortRole)
                         .isValid());
            QVERIFY(model->index(row, ComparisonModel::Mse)
                        .data(Qt::ToolTipRole)
                        .toString()
                        .contains("3-bit"));
            continue;
        }
        QuantizeOptions options;
        options.distribution = &dist;
        std::optional<QuantizedTensor> quantized;
        try {
            quantized = quantizeTensor(tensor, scheme, {{"bits", 3}}, options);
        } catch (const UsageError& e) {
            // A scheme that cannot take the tensor's shape (ggml's types quantize whole blocks
            // of each row) shows why in its row.
            QVERIFY(!model->index(row, ComparisonModel::SqnrDb)
                         .data(ComparisonModel::kSortRole)
                         .isValid());
            QVERIFY(model->index(row, ComparisonModel::Mse)
                        .data(Qt::ToolTipRole)
                        .toString()
                        .contains(QString::fromStdString(e.what())));
            continue;
        }
        const QuantizedTensor& q = *quantized;
        const Metrics& m = q.metrics;
        if (scheme.asBlockScheme() == nullptr) {
            // Codebook schemes: exactly design + computeMetrics on the Distribution.
            QCOMPARE(computeMetrics(dist, scheme.design(dist, {{"bits", 3}})).mse, m.mse);
        }
        QCOMPARE(sortValue(ComparisonModel::BitsPerWeight), q.bitsPerWeight);
        QCOMPARE(sortValue(ComparisonModel::Mse), m.mse);
        QCOMPARE(sortValue(ComparisonModel::Rmse), m.rmse);
        QCOMPARE(sortValue(ComparisonModel::MaxAbsError), m.maxAbsError);
        QCOMPARE(sortValue(ComparisonModel::MeanError), m.meanError);
        QCOMPARE(sortValue(ComparisonModel::EntropyBits), m.entropyBits);
        QCOMPARE(sortValue(ComparisonModel::LevelsUsed), double(m.levelsUsed));
        QCOMPARE(sortValue(ComparisonModel::ClippedPercent), m.clippedFraction * 100.0);
        QVERIFY(m.sqnrDb.has_value());
        QCOMPARE(sortValue(ComparisonModel::SqnrDb), *m.sqnrDb);
        QCOMPARE(model->index(row, ComparisonModel::SqnrDb).data().toString(),
                 QString::number(*m.sqnrDb, 'f', 2));
        // Only the current scheme's row is highlighted.
        const bool current = scheme.id() == controller.schemeId().toStdString();
        QCOMPARE(model->index(row, 0).data(Qt::BackgroundRole).isValid(), current);
    }

    // Sorting by SQNR orders the rows by value, not by text.
    QSortFilterProxyModel* proxy = table.proxy();
    // Error rows stay at the bottom in either order.
    for (const Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
        proxy->sort(ComparisonModel::SqnrDb, order);
        double previous = order == Qt::AscendingOrder ? -std::numeric_limits<double>::infinity()
                                                      : std::numeric_limits<double>::infinity();
        bool errors = false;
        for (int row = 0; row < proxy->rowCount(); ++row) {
            const QVariant value =
                proxy->index(row, ComparisonModel::SqnrDb).data(ComparisonModel::kSortRole);
            if (!value.isValid()) {
                errors = true;
                continue;
            }
            QVERIFY2(!errors,
                     qPrintable(QStringLiteral("a number after an error row %1").arg(row)));
            QVERIFY2(order == Qt::AscendingOrder ? value.toDouble() >= previous
                                                 : value.toDouble() <= previous,
                     qPrintable(QStringLiteral("row %1").arg(row)));
            previous = value.toDouble();
        }
        QVERIFY(errors);
    }
}

void TestViews::comparisonModelShowsErrors()
{
    SchemeSweep sweep;
    sweep.bits = 4;
    SchemeSweep::Row good{"symmetric", "Symmetric", Metrics{}, 4.0, {}};
    good.metrics->sqnrDb = 9.5;
    good.metrics->mse = 0.25;
    SchemeSweep::Row bad{"broken", "Broken", std::nullopt, 0.0, "cannot design at 4 bits"};
    sweep.rows = {bad, good};
    ComparisonModel model;
    model.setSweep(sweep);
    // The cell stays short (the table fits its panel); the tooltip gives the reason.
    QCOMPARE(model.index(0, ComparisonModel::Mse).data().toString(), QStringLiteral("n/a"));
    QVERIFY(!model.index(0, ComparisonModel::SqnrDb).data(ComparisonModel::kSortRole).isValid());
    QVERIFY(model.index(0, ComparisonModel::SqnrDb)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QLatin1String("cannot design")));
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(ComparisonModel::kSortRole);
    proxy.sort(ComparisonModel::SqnrDb, Qt::AscendingOrder);
    QCOMPARE(proxy.index(0, 0).data().toString(), QStringLiteral("symmetric"));
    QCOMPARE(proxy.index(1, 0).data().toString(), QStringLiteral("broken"));
}

// ggml's types take rows of whole blocks: on a tensor of 1000 values the explorer shows why
// instead of a result, and on rows of 1024 it quantizes.
void TestViews::ggmlOnPartialBlocksShowsWhy()
{
    ExplorerController controller;
    loadAndSettle(controller);
    controller.setSchemeParams(QStringLiteral("ggml"), {{"type", 7.0}}); // q4_K
    QTRY_VERIFY_WITH_TIMEOUT(!controller.isBusy() && controller.result().has_value() &&
                                 controller.result()->params.has("type"),
                             kBusyTimeoutMs);
    QVERIFY(!controller.result()->valid());
    QVERIFY2(QString::fromStdString(controller.result()->error).contains("whole blocks of 256"),
             controller.result()->error.c_str());

    const std::vector<float> values = testValues();
    std::vector<float> rows(2 * 1024);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        rows[i] = values[i % values.size()];
    }
    controller.setTensor(Tensor("rows", {2, 1024}, std::move(rows), "float32"));
    QTRY_VERIFY_WITH_TIMEOUT(!controller.isBusy() && controller.result().has_value() &&
                                 controller.result()->valid(),
                             kBusyTimeoutMs);
    QCOMPARE(controller.result()->params.getInt("type"), 7);
}

void TestViews::comparisonTableDoubleClickSelectsScheme()
{
    ExplorerController controller;
    ComparisonTable table;
    table.setController(&controller);
    table.resize(900, 400);
    table.show();
    QVERIFY(QTest::qWaitForWindowExposed(&table));
    loadAndSettle(controller);
    QTableView* view = table.view();
    int target = -1;
    for (int row = 0; row < table.proxy()->rowCount(); ++row) {
        if (table.proxy()->index(row, 0).data().toString() == QLatin1String("lloyd-max")) {
            target = row;
        }
    }
    QVERIFY(target >= 0);
    const QRect rect = view->visualRect(table.proxy()->index(target, 1));
    // A double click as a user makes it: press and release, then the double click.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, rect.center());
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, rect.center());
    QCOMPARE(controller.schemeId(), QStringLiteral("lloyd-max"));
    const QModelIndex source = table.proxy()->mapToSource(table.proxy()->index(target, 0));
    QVERIFY(table.model()->index(source.row(), 0).data(Qt::BackgroundRole).isValid());
}

void TestViews::rateDistortionPlotsControllerCurves()
{
    ExplorerController controller;
    controller.setBits(3);
    RateDistortionView view;
    view.setController(&controller);
    loadAndSettle(controller);
    const Distribution& dist = *controller.distribution();
    for (const RateDistortion::Curve& curve : controller.rateDistortion().curves) {
        const QCPGraph* graph = view.curveGraph(QString::fromStdString(curve.schemeId));
        QVERIFY(graph != nullptr);
        const auto shown = points(graph);
        QCOMPARE(shown.size(), curve.bits.size());
        for (std::size_t i = 0; i < shown.size(); ++i) {
            // Against bits per weight: the bits plus the side information.
            QCOMPARE(shown[i].first, curve.bitsPerWeight[i]);
            QVERIFY(curve.bitsPerWeight[i] >= curve.bits[i] - 1); // symmetric 1-bit: 0 + a scale
            QCOMPARE(shown[i].second, curve.sqnrDb[i]);
        }
    }
    // Independently: symmetric at 5 bits from the core.
    const Metrics five = computeMetrics(dist, schemeById("symmetric").design(dist, {{"bits", 5}}));
    const auto symmetric = points(view.curveGraph(QStringLiteral("symmetric")));
    QCOMPARE(symmetric.size(), std::size_t(ExplorerController::kRateDistortionMaxBits));
    QCOMPARE(symmetric[4].second, *five.sqnrDb);

    const auto current = points(view.currentPointGraph());
    QCOMPARE(current.size(), std::size_t(1));
    QCOMPARE(current[0].first, controller.result()->bitsPerWeight);
    QCOMPARE(controller.result()->bitsPerWeight, 3.0 + 32.0 / kValueCount);
    // The block formats' points: MXFP4, MXFP6, MXFP8 at 4.25, 6.25, 8.25 bits per weight.
    const auto mx = points(view.curveGraph(QStringLiteral("mx")));
    QCOMPARE(mx.size(), std::size_t(3));
    QCOMPARE(mx[0].first, 4.0 + 8.0 * 32 / kValueCount); // 32 blocks (the last one short)
    QCOMPARE(current[0].second, *controller.result()->metrics.sqnrDb);
    QCOMPARE(view.curveGraph(QStringLiteral("symmetric"))->pen().widthF(), 3.0);
}

void TestViews::teachingPanelShowsSymmetricScale()
{
    auto dist = std::make_shared<const Distribution>(testValues());
    constexpr double kClip = 0.5;
    const QuantResult result = designResult(*dist, "symmetric", {{"bits", 4}, {"clip", kClip}});
    QVERIFY(result.valid());
    const double scale = symmetricMapping(kClip * dist->maxAbs(), 4).scale;
    QCOMPARE(result.codebook.linear->scale, scale);
    // 2^(4−1) − 1 = 7 steps on each side of zero.
    QVERIFY(std::abs(scale - float(kClip * dist->maxAbs()) / 7.0) < 1e-6 * scale);

    TeachingPanel panel;
    panel.setResult(&result, dist);
    const QString text = panel.formulaText();
    QVERIFY2(text.contains(QString::number(scale, 'g', TeachingPanel::kDigits)), qPrintable(text));
    QVERIFY2(text.contains(QString::number(dist->maxAbs(), 'g', TeachingPanel::kDigits)),
             qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("−7, 7")), qPrintable(text));
    QVERIFY(panel.miniPlot()->isHidden());

    const QuantResult asym = designResult(*dist, "asymmetric", {{"bits", 4}});
    panel.setResult(&asym, dist);
    const std::int64_t zeroPoint = asym.codebook.linear->zeroPoint;
    QVERIFY(panel.formulaText().contains(QStringLiteral("<b>%1</b>").arg(zeroPoint)));
    QVERIFY(panel.formulaText().contains(
        QStringLiteral("round(x / scale) + %1, 0, 15)").arg(zeroPoint)));
}

void TestViews::teachingPanelShowsWeqSweeps()
{
    auto dist = std::make_shared<const Distribution>(testValues());
    constexpr int kLevels = 8;
    const QuantResult result = designResult(*dist, "weq", {{"levels", kLevels}});
    QVERIFY(result.valid());
    const WeightedEntropyDesign design = designWeightedEntropy(*dist, kLevels);

    TeachingPanel panel;
    QSignalSpy shown(&panel, &TeachingPanel::weqSweepsShown);
    panel.setResult(&result, dist);
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, kBusyTimeoutMs);
    const auto objective = points(panel.objectiveGraph());
    QCOMPARE(objective.size(), design.sweepObjectives.size() + 1);
    QCOMPARE(objective.front().second, design.initialObjective);
    QCOMPARE(objective.back().second, design.objective);
    QCOMPARE(objective.back().second, *result.codebook.weightedEntropy);
    QVERIFY(panel.formulaText().contains(
        QString::number(design.objective, 'g', TeachingPanel::kDigits)));
    QVERIFY(!panel.formulaText().contains(QStringLiteral("Computing")));

    // The same result again reuses the finished design at once.
    panel.setResult(&result, dist);
    QCOMPARE(shown.count(), 2);

    // A short mini plot drops its legend, which would cover the curve; a tall one keeps it.
    auto* plot = panel.findChild<QCustomPlot*>(QStringLiteral("teachingPlot"));
    panel.resize(400, 400);
    panel.show();
    QTRY_VERIFY(plot->isVisible());
    plot->setFixedHeight(90);
    plot->replot();
    QVERIFY(!plot->legend->visible());
    plot->setFixedHeight(240);
    plot->replot();
    QVERIFY(plot->legend->visible());
}

void TestViews::teachingPanelShowsDsqSoftCurve()
{
    auto dist = std::make_shared<const Distribution>(testValues());
    constexpr double kAlpha = 0.4;
    const QuantResult result = designResult(*dist, "dsq", {{"bits", 2}, {"alpha", kAlpha}});
    QVERIFY(result.valid());
    TeachingPanel panel;
    panel.setResult(&result, dist);
    QVERIFY(!panel.miniPlot()->isHidden());
    const auto soft = points(panel.softGraph());
    QCOMPARE(int(soft.size()), TeachingPanel::kSoftSamples);
    QCOMPARE(soft.front().first, double(dist->min()));
    QCOMPARE(soft.back().first, double(dist->max()));
    for (const auto& [x, y] : soft) {
        QCOMPARE(y, dsqSoft(x, dist->min(), dist->max(), 2, kAlpha));
    }
    for (const auto& [x, y] : points(panel.hardGraph())) {
        QCOMPARE(y, result.codebook.quantize(x));
    }
    // Δ = (max − min) / 3 for 4 levels.
    const double delta = (double(dist->max()) - double(dist->min())) / 3.0;
    QVERIFY(panel.formulaText().contains(QString::number(delta, 'g', TeachingPanel::kDigits)));
}

// weq-log's log histogram: the values per 1/16 octave, counted directly, and the levels' exponents.
void TestViews::teachingPanelShowsWeqLogHistogram()
{
    auto dist = std::make_shared<const Distribution>(testValues());
    const QuantResult result = designResult(*dist, "weq-log", {{"levels", 8}, {"signed", 0}});
    QVERIFY(result.valid());
    TeachingPanel panel;
    panel.setResult(&result, dist);
    QVERIFY(!panel.miniPlot()->isHidden());
    const auto counts = points(panel.logCountGraph());
    QVERIFY(!counts.empty());
    std::int64_t total = 0;
    for (const auto& [exponent, count] : counts) {
        std::int64_t direct = 0;
        for (float v : testValues()) {
            // The bin of v: floor(16·log2 v) = 16·exponent.
            direct += v > 0.0f && std::floor(16.0 * std::log2(double(v))) == 16.0 * exponent;
        }
        QCOMPARE(count, double(direct));
        total += direct;
    }
    const std::vector<float> values = testValues();
    const auto positives =
        std::count_if(values.begin(), values.end(), [](float v) { return v > 0.0f; });
    QCOMPARE(total, std::int64_t(positives)); // every positive value in a bin
    std::vector<double> exponents;
    for (double level : result.codebook.levels) {
        if (level > 0.0) {
            exponents.push_back(std::log2(level));
        }
    }
    const auto levels = points(panel.logLevelGraph());
    QCOMPARE(levels.size(), exponents.size());
    for (std::size_t i = 0; i < levels.size(); ++i) {
        QCOMPARE(levels[i].first, exponents[i]);
    }
    QVERIFY(panel.formulaText().contains(QStringLiteral("ReLU mode")));
}

// A set step is the scale; the clip threshold (symmetric) or the range (asymmetric) follows.
void TestViews::teachingPanelExplainsTheStep()
{
    auto dist = std::make_shared<const Distribution>(testValues());
    constexpr double kStep = 0.125;
    const QuantResult sym = designResult(*dist, "symmetric", {{"bits", 4}, {"step", kStep}});
    TeachingPanel panel;
    panel.setResult(&sym, dist);
    QVERIFY2(panel.formulaText().contains(QStringLiteral("scale = step = <b>0.125</b>")),
             qPrintable(panel.formulaText()));
    QVERIFY(panel.formulaText().contains(QStringLiteral("<b>0.875</b>"))); // a = 7·0.125
    const QuantResult asym = designResult(*dist, "asymmetric", {{"bits", 4}, {"step", kStep}});
    panel.setResult(&asym, dist);
    const LinearMapping& m = *asym.codebook.linear;
    QVERIFY(panel.formulaText().contains(
        QStringLiteral("[%1, %2]")
            .arg(QString::number(double(m.qmin - m.zeroPoint) * kStep, 'g', TeachingPanel::kDigits),
                 QString::number(double(m.qmax - m.zeroPoint) * kStep, 'g',
                                 TeachingPanel::kDigits))));
}

// Seed 002's example, every integer in the table and the steps below it.
void TestViews::pipelineViewShowsEveryInteger()
{
    IntegerPipelineView view;
    QVERIFY(view.result().has_value());
    const IntegerLinearResult& r = *view.result();
    QTableWidget* table = view.table();
    QCOMPARE(table->columnCount(), 5);
    const std::int64_t weightCodes[] = {-87, 31, 4, -46, 127};
    const std::int64_t activationCodes[] = {7, 24, 5, 111, 90};
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(table->item(IntegerPipelineView::WeightCodeRow, i)->text(),
                 QString::number(weightCodes[i]));
        QCOMPARE(table->item(IntegerPipelineView::ActivationCodeRow, i)->text(),
                 QString::number(activationCodes[i]));
        QCOMPARE(table->item(IntegerPipelineView::ProductRow, i)->text(),
                 QString::number(weightCodes[i] * activationCodes[i]));
    }
    QCOMPARE(r.accumulators.at(0), std::int64_t{9056});
    const QString chain = view.chainText();
    for (const char* number : {"2577", "9056", "98", "6479", "0.386394 %"}) {
        QVERIFY2(chain.contains(QLatin1String(number)), number);
    }
}

void TestViews::pipelineViewFollowsEditedInputs()
{
    IntegerPipelineView view;
    QSignalSpy changed(&view, &IntegerPipelineView::problemChanged);
    view.bitsSpin()->setValue(4);
    QCOMPARE(changed.count(), 1);
    IntegerLinearProblem expected = seed002Example();
    expected.options.bits = 4;
    const IntegerLinearResult four = runIntegerLinear(expected.input, expected.options);
    QCOMPARE(view.result()->accumulators, four.accumulators);
    QCOMPARE(view.result()->requantized, four.requantized);
    QCOMPARE(view.table()->item(IntegerPipelineView::WeightCodeRow, 4)->text(),
             QStringLiteral("7")); // 2^(4−1) − 1

    // Not numbers: an error line, the last good inputs stay.
    view.weightsEdit()->setText(QStringLiteral("1, two, 3"));
    QVERIFY(!view.errorText().isEmpty());
    QCOMPARE(view.problem().input.weights, expected.input.weights);
    // Sizes that do not match: the core's message.
    view.weightsEdit()->setText(QStringLiteral("1 2 3"));
    QVERIFY(view.errorText().contains(QStringLiteral("activations")));
    QVERIFY(!view.result().has_value());
    // − as minus, spaces as separators, an empty range for "auto".
    view.weightsEdit()->setText(QStringLiteral("−1 2 3 4 5"));
    view.activationRangeEdit()->clear();
    QVERIFY(view.errorText().isEmpty());
    QCOMPARE(view.problem().input.weights.front(), -1.0);
    QVERIFY(!view.problem().options.activationRange.has_value());
    QCOMPARE(view.result()->activationRange, 5.234234); // max|A|
}

void TestViews::histogramBoundariesBecomeTicks_data()
{
    QTest::addColumn<int>("bits");
    QTest::addColumn<bool>("ticks");
    QTest::newRow("3 bits: full lines") << 3 << false;
    QTest::newRow("6 bits (63 levels): full lines") << 6 << false;
    QTest::newRow("7 bits (127 levels): ticks") << 7 << true;
    QTest::newRow("8 bits (255 levels): ticks") << 8 << true;
}

void TestViews::histogramBoundariesBecomeTicks()
{
    QFETCH(int, bits);
    QFETCH(bool, ticks);
    constexpr double kFullHeight = 1.0;
    ExplorerController controller;
    controller.setBits(bits);
    controller.setCompareScheme(QStringLiteral("asymmetric"));
    HistogramView view(&controller);
    view.resize(800, 400);
    loadAndSettle(controller);
    const Codebook& cb = controller.result()->codebook;
    QCOMPARE(cb.levelCount(), (1 << bits) - 1);

    const auto bottom = points(view.boundaryGraph());
    const auto top = points(view.boundaryTopGraph());
    QCOMPARE(bottom.size(), cb.thresholds.size());
    QCOMPARE(top.size(), ticks ? cb.thresholds.size() : std::size_t(0));
    for (std::size_t i = 0; i < bottom.size(); ++i) {
        QCOMPARE(bottom[i].first, cb.thresholds[i]);
        QVERIFY(ticks ? bottom[i].second < 0.1 * kFullHeight : bottom[i].second == kFullHeight);
        if (ticks) {
            QCOMPARE(top[i], bottom[i]);
        }
    }
    // Levels stay markers at their mass in either case.
    const auto levels = points(view.levelGraph());
    QCOMPARE(levels.size(), cb.levels.size());
    for (std::size_t k = 0; k < levels.size(); ++k) {
        QCOMPARE(levels[k].first, cb.levels[k]);
        QCOMPARE(levels[k].second,
                 double(controller.result()->levels[k].count) / double(kValueCount));
    }
    const Codebook& other = controller.compareResult()->codebook;
    QCOMPARE(points(view.compareBoundaryGraph()).size(), other.thresholds.size());
    QCOMPARE(points(view.compareBoundaryTopGraph()).size(),
             ticks ? other.thresholds.size() : std::size_t(0));

    // Hovering over a boundary names its exact value.
    view.plot()->replot();
    const std::size_t middle = cb.thresholds.size() / 2;
    const double pixel = view.plot()->xAxis->coordToPixel(cb.thresholds[middle]);
    const QString text = view.hoverText(pixel);
    QVERIFY2(text.contains(QStringLiteral("boundary %1: %2")
                               .arg(middle)
                               .arg(QString::number(cb.thresholds[middle], 'g', 9))),
             qPrintable(text));
}

void TestViews::histogramLogCountsKeepEmptyBins()
{
    ExplorerController controller;
    HistogramView view(&controller);
    view.resize(800, 400);
    loadAndSettle(controller);
    view.setLogCounts(true);
    const Histogram& shown = view.shownHistogram();
    const auto empty = std::count(shown.counts.begin(), shown.counts.end(), 0);
    QVERIFY2(empty > 0, "the test data should leave some bins empty");
    const auto graph = points(view.histogramGraph());
    QCOMPARE(graph.size(), shown.counts.size() + 1);
    const QCPRange range = view.plot()->yAxis->range();
    QVERIFY(range.lower > 0);
    for (std::size_t i = 0; i < shown.counts.size(); ++i) {
        // Non-empty bins are exact; empty ones sit on the axis floor instead of at log(0).
        QCOMPARE(graph[i].second, shown.counts[i] > 0 ? double(shown.counts[i]) : range.lower);
    }
}

void TestViews::spikyTensorsOpenWithLogCounts()
{
    // Bins: one of 60 beside ones of 5 (spike) versus an even spread (no spike).
    Histogram spiky;
    spiky.counts = {60, 5, 5, 4, 3};
    Histogram even;
    even.counts = {10, 12, 9, 11, 8};
    QVERIFY(HistogramView::isSpiky(spiky));
    QVERIFY(!HistogramView::isSpiky(even));

    ExplorerController controller;
    HistogramView view(&controller);
    controller.openSource(QStringLiteral("demo:relu"));
    QTRY_VERIFY_WITH_TIMEOUT(!controller.isLoading() && controller.distribution(), 30000);
    QCOMPARE(view.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
    controller.openSource(QStringLiteral("demo:gaussian"));
    QTRY_VERIFY_WITH_TIMEOUT(!controller.isLoading() && controller.tensor()->name() == "gaussian",
                             30000);
    QCOMPARE(view.plot()->yAxis->scaleType(), QCPAxis::stLinear);
}

QTEST_MAIN(TestViews)
#include "tst_views.moc"
