// The scheme panel drives the controller and the histogram: slider moves (mouse-free, through
// QTest) redesign the codebook, and the plotted boundaries and levels are exactly the core's.
#include "explorer_controller.h"
#include "histogram_view.h"
#include "param_editor.h"
#include "scheme_panel.h"

#include "quantscope/demo.h"
#include "quantscope/scheme.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSlider>
#include <QSpinBox>
#include <QTest>

#include <cmath>

using namespace quantscope;

namespace {

constexpr int kDesignTimeoutMs = 20000;
constexpr std::int64_t kElements = 1 << 16;
// A value-units slider spans max|x|·2^-20 … 2·max|x| over ParamEditor::kSliderSteps positions.
constexpr double kSpanLow = 0x1.0p-20;
constexpr double kSpanHigh = 2.0;
constexpr double kSliderRelTolerance = 1e-12;

QVector<double> graphKeys(const QCPGraph* graph)
{
    QVector<double> keys;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
        keys.push_back(it->key);
    }
    return keys;
}

QVector<double> toVector(const std::vector<double>& values)
{
    return QVector<double>(values.begin(), values.end());
}

// The controller, panel and histogram of the explorer, on a fixed demo tensor.
struct Explorer {
    ExplorerController controller;
    SchemePanel panel{&controller};
    HistogramView histogram{&controller};

    explicit Explorer(const QString& scheme)
    {
        controller.setScheme(scheme);
        controller.setTensor(makeDemoTensor("gaussian", kElements));
    }
    bool idle() const { return !controller.isBusy() && controller.result().has_value(); }
};

} // namespace

class TestExplorer : public QObject {
    Q_OBJECT

private slots:
    void sliderChangesCodebookAndPlot_data();
    void sliderChangesCodebookAndPlot();
    void switchingSchemeRebuildsEditors_data();
    void switchingSchemeRebuildsEditors();
    void bitsControlSetsTheSchemeParameter_data();
    void bitsControlSetsTheSchemeParameter();
    void compareSchemeIsDesignedAtTheSameBits();
    void stepSliderSetsTheScale();
    void weqLogChoosesTheSignedModeFromTheData();
};

enum class Move { SetValue, KeyDown, KeyPageDown, KeyLeft };

void TestExplorer::sliderChangesCodebookAndPlot_data()
{
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<QString>("param");
    QTest::addColumn<int>("move");
    QTest::addColumn<int>("target"); // slider position for SetValue
    QTest::addColumn<double>("expected");

    QTest::newRow("symmetric bits=4") << "symmetric"
                                      << "bits" << int(Move::SetValue) << 4 << 4.0;
    QTest::newRow("symmetric bits key down") << "symmetric"
                                             << "bits" << int(Move::KeyDown) << 0 << 7.0;
    QTest::newRow("asymmetric bits=2") << "asymmetric"
                                       << "bits" << int(Move::SetValue) << 2 << 2.0;
    QTest::newRow("weq levels=5") << "weq"
                                  << "levels" << int(Move::SetValue) << 5 << 5.0;
    // The controller starts at 8 bits, so weq at 256 levels; one step left is 255.
    QTest::newRow("weq levels key left") << "weq"
                                         << "levels" << int(Move::KeyLeft) << 0 << 255.0;
    // clip: 0.01..1 over 1000 slider steps, PageDown = 100 steps from 1.0.
    QTest::newRow("symmetric clip page down")
        << "symmetric"
        << "clip" << int(Move::KeyPageDown) << 0 << 0.01 + (1.0 - 0.01) * 900 / 1000;
}

void TestExplorer::sliderChangesCodebookAndPlot()
{
    QFETCH(QString, scheme);
    QFETCH(QString, param);
    QFETCH(int, move);
    QFETCH(int, target);
    QFETCH(double, expected);

    Explorer explorer(scheme);
    QTRY_VERIFY_WITH_TIMEOUT(explorer.idle(), kDesignTimeoutMs);
    auto* slider = explorer.panel.findChild<QSlider*>(QStringLiteral("param_%1_slider").arg(param));
    QVERIFY(slider != nullptr);
    switch (Move(move)) {
    case Move::SetValue:
        slider->setValue(target);
        break;
    case Move::KeyDown:
        QTest::keyClick(slider, Qt::Key_Down);
        break;
    case Move::KeyPageDown:
        QTest::keyClick(slider, Qt::Key_PageDown);
        break;
    case Move::KeyLeft:
        QTest::keyClick(slider, Qt::Key_Left);
        break;
    }
    const std::string name = param.toStdString();
    ExplorerController& controller = explorer.controller;
    QCOMPARE(controller.params().get(name), expected);
    QTRY_VERIFY_WITH_TIMEOUT(explorer.idle() && controller.result()->params.has(name) &&
                                 controller.result()->params.get(name) == expected,
                             kDesignTimeoutMs);

    const QuantResult& result = *controller.result();
    QVERIFY2(result.valid(), result.error.c_str());
    const Codebook reference =
        schemeById(scheme.toStdString()).design(*controller.distribution(), controller.params());
    QCOMPARE(toVector(result.codebook.thresholds), toVector(reference.thresholds));
    QCOMPARE(toVector(result.codebook.levels), toVector(reference.levels));
    QCOMPARE(graphKeys(explorer.histogram.boundaryGraph()), toVector(reference.thresholds));
    QCOMPARE(graphKeys(explorer.histogram.levelGraph()), toVector(reference.levels));
    // The spin box beside the slider shows the same value.
    auto* spin =
        explorer.panel.findChild<QDoubleSpinBox*>(QStringLiteral("param_%1_spin").arg(param));
    QVERIFY(spin != nullptr);
    QCOMPARE(spin->value(), expected);
}

void TestExplorer::switchingSchemeRebuildsEditors_data()
{
    QTest::addColumn<QString>("scheme");
    for (const auto& scheme : allSchemes()) {
        QTest::newRow(scheme->id().c_str()) << QString::fromStdString(scheme->id());
    }
}

void TestExplorer::switchingSchemeRebuildsEditors()
{
    QFETCH(QString, scheme);
    ExplorerController controller;
    SchemePanel panel(&controller);
    // Start from a scheme other than the wanted one, so the combo change is real.
    const QString other = scheme == QLatin1String("symmetric") ? QStringLiteral("asymmetric")
                                                               : QStringLiteral("symmetric");
    controller.setScheme(other);
    QComboBox* combo = panel.schemeCombo();
    combo->setCurrentIndex(combo->findData(scheme));
    QCOMPARE(controller.schemeId(), scheme);

    const std::vector<ParamSpec> specs = schemeById(scheme.toStdString()).paramSpecs();
    QCOMPARE(panel.editors().size(), specs.size());
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const ParamSpec& spec = specs[i];
        const QString name = QString::fromStdString(spec.name);
        ParamEditor* editor = panel.editors()[i];
        QCOMPARE(QString::fromStdString(editor->spec().name), name);
        QVERIFY(editor->toolTip().contains(QString::fromStdString(spec.help)));
        if (spec.kind == ParamKind::Choice) {
            auto* choice =
                editor->findChild<QComboBox*>(QStringLiteral("param_%1_combo").arg(name));
            QVERIFY(choice != nullptr);
            QCOMPARE(choice->count(), int(spec.choices.size()));
            continue;
        }
        QSlider* slider = editor->slider();
        QVERIFY(slider != nullptr);
        QCOMPARE(slider->objectName(), QStringLiteral("param_%1_slider").arg(name));
        QCOMPARE(slider->focusPolicy(), Qt::StrongFocus);
        auto* spin = editor->findChild<QDoubleSpinBox*>(QStringLiteral("param_%1_spin").arg(name));
        QVERIFY(spin != nullptr);
        QCOMPARE(spin->minimum(), spec.minimum);
        QCOMPARE(spin->maximum(), spec.maximum);
        if (spec.isInteger()) {
            QCOMPARE(slider->minimum(), int(spec.minimum));
            QCOMPARE(slider->maximum(), int(spec.maximum));
        }
        QVERIFY(spin->toolTip().contains(QString::fromStdString(spec.help)));
        if (spec.optional) {
            QVERIFY(editor->findChild<QWidget*>(QStringLiteral("param_%1_auto").arg(name)));
        }
    }
    // Keyboard: from the compare choice, Tab visits every editor's controls in order (new
    // editors would otherwise land at the end of the focus chain).
    QList<QWidget*> expectedOrder;
    for (ParamEditor* editor : panel.editors()) {
        expectedOrder += editor->focusControls();
    }
    QList<QWidget*> tabOrder;
    for (QWidget* w = panel.compareCombo()->nextInFocusChain();
         w != panel.compareCombo() && tabOrder.size() < expectedOrder.size();
         w = w->nextInFocusChain()) {
        if ((w->focusPolicy() & Qt::TabFocus) && w->focusProxy() == nullptr) {
            tabOrder.push_back(w);
        }
    }
    QCOMPARE(tabOrder, expectedOrder);

    // No editor of the previous scheme survives.
    for (const ParamSpec& spec : schemeById(other.toStdString()).paramSpecs()) {
        if (panel.editor(QString::fromStdString(spec.name)) == nullptr) {
            QVERIFY(panel.findChild<QSlider*>(
                        QStringLiteral("param_%1_slider").arg(QString::fromStdString(spec.name))) ==
                    nullptr);
        }
    }
}

void TestExplorer::bitsControlSetsTheSchemeParameter_data()
{
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<int>("bits");
    QTest::addColumn<QString>("param");
    QTest::addColumn<double>("expected");
    QTest::newRow("symmetric 3 bits") << "symmetric" << 3 << "bits" << 3.0;
    QTest::newRow("weq 3 bits = 8 levels") << "weq" << 3 << "levels" << 8.0;
    QTest::newRow("weq 5 bits = 32 levels") << "weq" << 5 << "levels" << 32.0;
}

void TestExplorer::bitsControlSetsTheSchemeParameter()
{
    QFETCH(QString, scheme);
    QFETCH(int, bits);
    QFETCH(QString, param);
    QFETCH(double, expected);
    ExplorerController controller;
    SchemePanel panel(&controller);
    controller.setScheme(scheme);
    QVERIFY(panel.bitsSpin()->isEnabled());
    panel.bitsSpin()->setValue(bits);
    QCOMPARE(controller.params().get(param.toStdString()), expected);
    QCOMPARE(controller.bits(), bits);
    // The parameter's own editor follows.
    QCOMPARE(panel.editor(param)->value(), expected);
    // And a change of the parameter moves the bits control.
    const int next = param == QLatin1String("bits") ? bits + 1 : 1 << (bits + 1);
    panel.editor(param)->slider()->setValue(next);
    QCOMPARE(panel.bitsSpin()->value(), bits + 1);
}

void TestExplorer::compareSchemeIsDesignedAtTheSameBits()
{
    Explorer explorer(QStringLiteral("weq"));
    explorer.panel.bitsSpin()->setValue(3);
    QComboBox* compare = explorer.panel.compareCombo();
    compare->setCurrentIndex(compare->findData(QStringLiteral("symmetric")));
    ExplorerController& controller = explorer.controller;
    QCOMPARE(controller.compareSchemeId(), QStringLiteral("symmetric"));
    QTRY_VERIFY_WITH_TIMEOUT(explorer.idle() && controller.compareResult().has_value(),
                             kDesignTimeoutMs);
    const QuantResult& compared = *controller.compareResult();
    QVERIFY2(compared.valid(), compared.error.c_str());
    QCOMPARE(compared.params.get("bits"), 3.0);
    const Codebook reference =
        schemeById("symmetric").design(*controller.distribution(), {{"bits", 3.0}});
    QCOMPARE(graphKeys(explorer.histogram.compareBoundaryGraph()), toVector(reference.thresholds));
    QCOMPARE(graphKeys(explorer.histogram.compareLevelGraph()), toVector(reference.levels));
}

// The step of a uniform scheme: on auto the editor shows the scale the scheme chose; unticked, the
// slider sets the scale exactly (logarithmically over the data's magnitudes), clip and range are
// greyed out, and a smaller step clips more.
void TestExplorer::stepSliderSetsTheScale()
{
    Explorer explorer(QStringLiteral("symmetric"));
    ExplorerController& controller = explorer.controller;
    QTRY_VERIFY_WITH_TIMEOUT(explorer.idle(), kDesignTimeoutMs);
    ParamEditor* step = explorer.panel.editor(QStringLiteral("step"));
    QVERIFY(step != nullptr);
    QVERIFY(step->isAuto());
    QVERIFY(step->isLogarithmic());
    const double maxAbs = controller.distribution()->maxAbs();
    QCOMPARE(step->sliderLow(), maxAbs * kSpanLow);
    QCOMPARE(step->sliderHigh(), maxAbs * kSpanHigh);
    const double autoScale = controller.result()->codebook.linear->scale;
    QCOMPARE(step->value(), autoScale);
    QVERIFY(!step->slider()->isEnabled());

    // Unticking auto starts from the scale the scheme chose: the grid does not move.
    explorer.panel.findChild<QCheckBox*>(QStringLiteral("param_step_auto"))->setChecked(false);
    QCOMPARE(controller.params().get("step"), autoScale);
    QTRY_VERIFY_WITH_TIMEOUT(explorer.idle() && controller.result()->params.has("step"),
                             kDesignTimeoutMs);
    QCOMPARE(controller.result()->codebook.linear->scale, autoScale);
    QVERIFY(explorer.panel.editor(QStringLiteral("clip"))->isOverridden());
    QVERIFY(explorer.panel.editor(QStringLiteral("range"))->isOverridden());
    QVERIFY(!explorer.panel.editor(QStringLiteral("clip"))->slider()->isEnabled());

    double previousClipped = -1.0;
    const int start = step->slider()->value();
    for (int position : {start - 20, start - 80, start - 140, start - 200}) {
        step->slider()->setValue(position);
        const double expected =
            maxAbs * kSpanLow *
            std::pow(kSpanHigh / kSpanLow, double(position) / ParamEditor::kSliderSteps);
        const double set = controller.params().get("step");
        QVERIFY2(std::abs(set - expected) <= kSliderRelTolerance * expected,
                 qPrintable(QString::number(set)));
        QTRY_VERIFY_WITH_TIMEOUT(explorer.idle() && controller.result()->params.get("step") == set,
                                 kDesignTimeoutMs);
        const QuantResult& result = *controller.result();
        QCOMPARE(result.codebook.linear->scale, set); // exactly the slider's value
        QVERIFY2(result.metrics.clippedFraction >= previousClipped,
                 qPrintable(QString::number(result.metrics.clippedFraction)));
        previousClipped = result.metrics.clippedFraction;
    }
    QVERIFY(previousClipped > 0.0);

    // Back on auto: max-abs again, clip editable.
    explorer.panel.findChild<QCheckBox*>(QStringLiteral("param_step_auto"))->setChecked(true);
    QVERIFY(!controller.params().has("step"));
    QVERIFY(!explorer.panel.editor(QStringLiteral("clip"))->isOverridden());
    QTRY_VERIFY_WITH_TIMEOUT(explorer.idle() && !controller.result()->params.has("step"),
                             kDesignTimeoutMs);
    QCOMPARE(controller.result()->codebook.linear->scale, autoScale);
}

// weq-log on a tensor with negative values takes sign + magnitude by itself (the paper's layer
// follows a ReLU); on a non-negative one the ReLU mode. The signed control shows the choice and
// overrides it.
void TestExplorer::weqLogChoosesTheSignedModeFromTheData()
{
    Explorer explorer(QStringLiteral("weq-log"));
    ExplorerController& controller = explorer.controller;
    QTRY_VERIFY_WITH_TIMEOUT(explorer.idle(), kDesignTimeoutMs);
    ParamEditor* sign = explorer.panel.editor(QStringLiteral("signed"));
    QVERIFY(sign != nullptr && sign->isAuto());
    const Distribution& dist = *controller.distribution();
    QVERIFY(dist.min() < 0.0f);
    const Codebook signMagnitude =
        schemeById("weq-log").design(dist, {{"levels", 256.0}, {"signed", 1.0}});
    QCOMPARE(toVector(controller.result()->codebook.levels), toVector(signMagnitude.levels));
    auto* combo = explorer.panel.findChild<QComboBox*>(QStringLiteral("param_signed_combo"));
    QCOMPARE(combo->currentIndex(), 1);
    QVERIFY(!combo->isEnabled());

    // The user's choice wins.
    explorer.panel.findChild<QCheckBox*>(QStringLiteral("param_signed_auto"))->setChecked(false);
    combo->setCurrentIndex(0);
    QCOMPARE(controller.params().get("signed"), 0.0);
    QTRY_VERIFY_WITH_TIMEOUT(explorer.idle() && controller.result()->params.has("signed"),
                             kDesignTimeoutMs);
    QCOMPARE(controller.result()->codebook.levels.front(), 0.0);

    // A tensor without negative values: the ReLU mode on auto.
    explorer.panel.findChild<QCheckBox*>(QStringLiteral("param_signed_auto"))->setChecked(true);
    std::vector<float> positive(1000);
    for (std::size_t i = 0; i < positive.size(); ++i) {
        positive[i] = float(std::exp2(-8.0 + 12.0 * double(i) / double(positive.size())));
    }
    controller.setTensor(Tensor("positive", {1000}, positive, "float32"));
    QTRY_VERIFY_WITH_TIMEOUT(explorer.idle() && controller.tensor()->name() == "positive",
                             kDesignTimeoutMs);
    QCOMPARE(controller.result()->codebook.levels.front(), 0.0);
    QCOMPARE(combo->currentIndex(), 0);
}

QTEST_MAIN(TestExplorer)
#include "tst_explorer.moc"
