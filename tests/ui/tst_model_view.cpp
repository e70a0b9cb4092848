// The whole-model view on a small multi-tensor file: its cells and totals are the core's numbers,
// sorting and filtering keep the totals on top, the budget panel shows the core's allocation, the
// depth plot has a point per tensor, and a double-click opens the explorer on that cell.
#include "bit_budget_panel.h"
#include "command_line.h"
#include "explorer_controller.h"
#include "main_window.h"
#include "model_depth_plot.h"
#include "model_report_job.h"
#include "model_table_model.h"
#include "model_view.h"

#include "quantscope/bit_allocation.h"
#include "quantscope/distribution.h"
#include "quantscope/metrics.h"
#include "quantscope/scheme.h"
#include "quantscope/tensor_file.h"

#include "../support/test_files.h"

#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <random>

using namespace quantscope;

namespace {

constexpr int kTimeoutMs = 120000;
const QStringList kTensors = {"layers.0.attn.weight", "layers.0.mlp.weight", "layers.1.attn.weight",
                              "layers.1.mlp.weight", "head.weight"};

QByteArray gaussianBytes(int count, unsigned seed, float scale)
{
    std::mt19937 random(seed);
    std::normal_distribution<float> normal(0.0f, scale);
    QByteArray bytes;
    for (int i = 0; i < count; ++i) {
        const float value = normal(random);
        bytes.append(reinterpret_cast<const char*>(&value), sizeof value);
    }
    return bytes;
}

bool reported(const MainWindow& window)
{
    return !window.controller()->isBusy() && !window.modelView()->isBusy() &&
           !window.modelView()->job()->report().tensors.empty();
}

} // namespace

class TestModelView : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void layerNames();
    void commandLine();
    void tableHoldsTheCoreNumbers();
    void sortingAndFilteringKeepTotalsOnTop();
    void budgetShowsTheOptimalAllocation();
    void doubleClickOpensTheExplorer();

private:
    void openModel(MainWindow& window);

    QTemporaryDir m_dir;
    QString m_file;
};

void TestModelView::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("QuantScopeTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_model_view"));
    QSettings().clear();
    QVERIFY(m_dir.isValid());
    QList<test::SafetensorsEntry> entries;
    for (int i = 0; i < kTensors.size(); ++i) {
        entries.append({kTensors[i],
                        "F32",
                        {32, 16},
                        gaussianBytes(512, unsigned(i + 1), 0.02f * float(i + 1))});
    }
    m_file = test::writeFile(m_dir, "model.safetensors", test::safetensorsBytes(entries));
}

void TestModelView::openModel(MainWindow& window)
{
    window.resize(1440, 900);
    window.show();
    window.showModelView();
    window.openSource(m_file);
    QTRY_VERIFY_WITH_TIMEOUT(reported(window), kTimeoutMs);
}

void TestModelView::layerNames()
{
    QCOMPARE(layerOf("model.layers.12.mlp.up_proj.weight"), QStringLiteral("model.layers.12"));
    QCOMPARE(layerOf("blk.3.attn_q.weight"), QStringLiteral("blk.3"));
    QCOMPARE(layerOf("model.embed_tokens.weight"), QStringLiteral("model.embed_tokens"));
    QCOMPARE(layerOf("encoder/4/kernel"), QStringLiteral("encoder/4"));
    QCOMPARE(layerOf("bias"), QStringLiteral("bias"));
}

void TestModelView::commandLine()
{
    const GuiOptions options = parseGuiArguments({"quantscope", "model.gguf", "--model-view"});
    QVERIFY(options.modelView);
    QCOMPARE(options.source, QStringLiteral("model.gguf"));
    QVERIFY(!parseGuiArguments({"quantscope"}).modelView);
}

void TestModelView::tableHoldsTheCoreNumbers()
{
    MainWindow window(false);
    openModel(window);
    ModelView* view = window.modelView();
    view->setBits(3);
    const ModelTableModel* model = view->tableModel();
    QCOMPARE(model->rowCount(), 1 + int(kTensors.size()));
    const auto file = openTensorFile(m_file.toStdString());
    for (int row = 1; row < model->rowCount(); ++row) {
        const TensorReport* tensor = model->tensorAt(row);
        QCOMPARE(QString::fromStdString(tensor->name), kTensors[row - 1]); // file order
        const Distribution dist(file->load(tensor->name).values());
        for (int column = ModelTableModel::FirstSchemeColumn; column < model->columnCount();
             ++column) {
            const Scheme& scheme = schemeById(model->schemeAt(column).toStdString());
            const QVariant shown = model->index(row, column).data(ModelTableModel::kSortRole);
            try {
                const Metrics expected =
                    computeMetrics(dist, scheme.design(dist, Params{{"bits", 3}}));
                QCOMPARE(shown.toDouble(), expected.sqnrDb.value_or(qInf()));
            } catch (const std::exception&) {
                QCOMPARE(shown.toDouble(), -qInf()); // the scheme cannot take this setting
            }
        }
    }
    // The totals row: the parameter-weighted model SQNR of each scheme at 3 bits.
    const std::vector<ReportTotal> totals = reportTotalsAt(view->job()->report(), 3);
    for (int column = ModelTableModel::FirstSchemeColumn; column < model->columnCount(); ++column) {
        const ReportTotal& total = totals[std::size_t(column - ModelTableModel::FirstSchemeColumn)];
        if (total.failedTensors == 0 && total.sqnrDb) {
            QCOMPARE(model->index(0, column).data().toString(),
                     QString::number(*total.sqnrDb, 'f', 1));
        }
    }
    // The depth plot: a point per tensor for a scheme that always has an SQNR.
    QCOMPARE(view->depthPlot()->pointCount("symmetric"), int(kTensors.size()));
}

void TestModelView::sortingAndFilteringKeepTotalsOnTop()
{
    MainWindow window(false);
    openModel(window);
    QTableView* table = window.modelView()->table();
    const int symmetric = ModelTableModel::FirstSchemeColumn;
    for (const Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
        table->sortByColumn(symmetric, order);
        QVERIFY(table->model()->index(0, 0).data(ModelTableModel::kTotalsRole).toBool());
        double previous = order == Qt::AscendingOrder ? -qInf() : qInf();
        for (int row = 1; row < table->model()->rowCount(); ++row) {
            const double value =
                table->model()->index(row, symmetric).data(ModelTableModel::kSortRole).toDouble();
            QVERIFY(order == Qt::AscendingOrder ? value >= previous : value <= previous);
            previous = value;
        }
    }
    window.modelView()->findChild<QLineEdit*>(QStringLiteral("modelFilter"))->setText("MLP");
    QCOMPARE(table->model()->rowCount(), 3); // totals + the two mlp tensors
    QVERIFY(table->model()->index(0, 0).data(ModelTableModel::kTotalsRole).toBool());
}

void TestModelView::budgetShowsTheOptimalAllocation()
{
    MainWindow window(false);
    openModel(window);
    BitBudgetPanel* budget = window.modelView()->budgetPanel();
    budget->setScheme("lloyd-max");
    budget->setBudget(3.5);
    QTRY_VERIFY_WITH_TIMEOUT(!budget->isBusy() && budget->allocation() &&
                                 budget->allocation()->scheme == "lloyd-max" &&
                                 budget->allocation()->budgetBits == 3.5,
                             kTimeoutMs);
    const BitAllocation expected =
        allocateBits(window.modelView()->job()->report(), "lloyd-max", 3.5);
    QCOMPARE(budget->allocation()->sqnrDb, expected.sqnrDb);
    QCOMPARE(budget->allocation()->tensors.size(), expected.tensors.size());
    for (std::size_t i = 0; i < expected.tensors.size(); ++i) {
        QCOMPARE(budget->allocation()->tensors[i].bits, expected.tensors[i].bits);
    }
    QVERIFY(budget->summary()->text().contains(QString::number(*expected.sqnrDb, 'f', 2)));
    // A budget below the cheapest choice says so instead of allocating.
    budget->setBudget(1.0);
    QTRY_VERIFY_WITH_TIMEOUT(!budget->isBusy() && !budget->allocation(), kTimeoutMs);
    QVERIFY(budget->summary()->text().contains(QStringLiteral("below the smallest choice")));
}

void TestModelView::doubleClickOpensTheExplorer()
{
    MainWindow window(false);
    openModel(window);
    ModelView* view = window.modelView();
    view->setBits(5);
    QTableView* table = view->table();
    const int column = ModelTableModel::FirstSchemeColumn + 1; // asymmetric
    const QModelIndex cell = table->model()->index(3, column); // the third tensor (file order)
    emit table->doubleClicked(cell);
    QTRY_VERIFY_WITH_TIMEOUT(!window.controller()->isBusy() && window.controller()->tensor() &&
                                 window.controller()->tensor()->name() == kTensors[2].toStdString(),
                             kTimeoutMs);
    QCOMPARE(window.controller()->schemeId(), view->tableModel()->schemeAt(column));
    QCOMPARE(window.controller()->bits(), 5);
    QVERIFY(!view->isVisible()); // the explorer is shown
}

QTEST_MAIN(TestModelView)
#include "tst_model_view.moc"
