// The guided lessons run start to end in the explorer, and the numbers their paragraphs show are
// the core's, checked against direct passes over the demo tensors, the core's own entry points and
// the source document's printed values. Also the command line that lists and opens them.
#include "explorer_controller.h"
#include "integer_pipeline_view.h"
#include "lesson.h"
#include "lesson_panel.h"
#include "main_window.h"
#include "param_editor.h"
#include "scheme_panel.h"
#include "screenshot.h"

#include "quantscope/demo.h"
#include "quantscope/errors.h"
#include "quantscope/quantize.h"
#include "quantscope/scheme.h"
#include "quantscope/schemes/lloyd_max.h"
#include "quantscope/schemes/log_quant.h"
#include "quantscope/schemes/weighted_entropy.h"

#include <QAction>
#include <QElapsedTimer>
#include <QImage>
#include <QMenu>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSlider>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <limits>
#include <set>

using namespace quantscope;

namespace {

constexpr int kTimeoutMs = 60000;
constexpr int kProcessTimeoutMs = 30000;
// A direct pass over a demo tensor (double sums) against the Distribution's compensated sums.
constexpr double kDirectRelTolerance = 1e-9;
// Quantities computed in float32 on one side and double on the other.
constexpr double kFloat32RelTolerance = 1e-6;
// Seed 002 prints with 6 decimals.
constexpr double kSeedPrintTolerance = 5e-7;

std::vector<float> demoValues(const char* name)
{
    const Tensor tensor = makeDemoTensor(name);
    return {tensor.values().begin(), tensor.values().end()};
}

bool closeTo(double actual, double expected, double relTolerance)
{
    return std::abs(actual - expected) <= relTolerance * std::max(std::abs(expected), 1e-300);
}

// Signal-to-noise of Q over the values, by a plain pass.
double directSqnrDb(const std::vector<float>& values, const Codebook& codebook)
{
    double signal = 0.0;
    double noise = 0.0;
    for (float v : values) {
        const double e = codebook.quantize(v) - double(v);
        signal += double(v) * double(v);
        noise += e * e;
    }
    return 10.0 * std::log10(signal / noise);
}

// Symmetric linear codes beyond ±qmax, the plain way (float32 arithmetic, as the scheme).
double directClippedFraction(const std::vector<float>& values, double scale, int qmax)
{
    const float inverse = 1.0f / float(scale);
    std::int64_t beyond = 0;
    for (float v : values) {
        beyond += std::abs(std::nearbyint(v * inverse)) > float(qmax);
    }
    return double(beyond) / double(values.size());
}

// MXFP4 of one block by the OCP MX v1.0 rule, plainly: scale 2^(floor(log2 amax) − 2), E2M1
// elements rounded to nearest (ties to even code) and saturated at 6. Returns the scale.
double directMxfp4Block(const float* block, int size, std::vector<double>& out)
{
    static const double grid[] = {0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0};
    double amax = 0.0;
    for (int i = 0; i < size; ++i) {
        amax = std::max(amax, std::abs(double(block[i])));
    }
    const double scale = amax == 0.0 ? 1.0 : std::ldexp(1.0, std::ilogb(amax) - 2);
    for (int i = 0; i < size; ++i) {
        const double m = std::abs(double(block[i])) / scale;
        int best = 0;
        for (int g = 1; g < 8; ++g) {
            const double d = std::abs(m - grid[g]) - std::abs(m - grid[best]);
            if (d < 0.0 || (d == 0.0 && g % 2 == 0)) {
                best = g;
            }
        }
        out.push_back(std::copysign(grid[best] * scale, double(block[i])));
    }
    return amax == 0.0 ? 0.0 : scale;
}

double sqnrDb(const std::vector<float>& values, const std::vector<double>& quantized)
{
    double signal = 0.0;
    double noise = 0.0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        signal += double(values[i]) * double(values[i]);
        noise += (quantized[i] - double(values[i])) * (quantized[i] - double(values[i]));
    }
    return 10.0 * std::log10(signal / noise);
}

class LessonWindow {
public:
    LessonWindow()
        : m_window(false)
    {
        m_window.resize(1440, 900);
        m_window.show();
    }
    MainWindow& window() { return m_window; }
    LessonPanel& panel() { return *m_window.lessonPanel(); }
    ExplorerController& controller() { return *m_window.controller(); }

    // Starts (or moves to) a step and waits until its paragraph is computed.
    bool show(const QString& lesson, int step)
    {
        if (panel().lesson() == nullptr || panel().lesson()->id != lesson) {
            m_window.startLesson(lesson, step);
        } else {
            panel().showStep(step);
        }
        return settle();
    }
    bool settle()
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < kTimeoutMs) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
            if (!m_window.isBusy() && controller().result() && !panel().shownFacts().empty()) {
                return true;
            }
            QTest::qWait(10);
        }
        return false;
    }

    // The fact `name` as the paragraph shows it; the test fails when it is missing or not shown.
    double fact(const QString& name)
    {
        const LessonFacts& facts = panel().shownFacts();
        const auto it = std::find_if(facts.begin(), facts.end(),
                                     [&](const LessonFact& f) { return f.name == name; });
        if (it == facts.end()) {
            QTest::qFail(qPrintable(QStringLiteral("no fact %1").arg(name)), __FILE__, __LINE__);
            return std::numeric_limits<double>::quiet_NaN();
        }
        if (!panel().shownText().contains(formatFact(*it))) {
            QTest::qFail(qPrintable(QStringLiteral("fact %1 = %2 not in the text: %3")
                                        .arg(name, formatFact(*it), panel().shownText())),
                         __FILE__, __LINE__);
        }
        return it->value;
    }
    QString factText(const QString& name)
    {
        const LessonFacts& facts = panel().shownFacts();
        const auto it = std::find_if(facts.begin(), facts.end(),
                                     [&](const LessonFact& f) { return f.name == name; });
        return it == facts.end() ? QString() : formatFact(*it);
    }

private:
    MainWindow m_window;
};

#define CHECK_FACT(lw, name, expected, tolerance)                                                  \
    do {                                                                                           \
        const double actual_ = (lw).fact(QStringLiteral(name));                                    \
        const double expected_ = (expected);                                                       \
        QVERIFY2(closeTo(actual_, expected_, tolerance),                                           \
                 qPrintable(QStringLiteral("%1: %2 vs %3")                                         \
                                .arg(QStringLiteral(name))                                         \
                                .arg(actual_, 0, 'g', 17)                                          \
                                .arg(expected_, 0, 'g', 17)));                                     \
    } while (false)

} // namespace

class TestLessons : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void catalogue();
    void everyStepRunsStartToEnd_data();
    void everyStepRunsStartToEnd();
    void linearNumbers();
    void clippingNumbers();
    void lloydMaxNumbers();
    void weqNumbers();
    void weqLogNumbers();
    void integerNumbers();
    void dsqNumbers();
    void blocksNumbers();
    void numbersFollowTheSliders();
    void navigationMenuAndEmphasis();
    void commandLineWorksWithoutADisplay();
    void screenshotOfALessonStep();
};

void TestLessons::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("QuantScopeTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_lessons"));
    QSettings().clear();
}

void TestLessons::catalogue()
{
    const auto& lessons = allLessons();
    QVERIFY(lessons.size() >= 7);
    std::set<QString> ids;
    for (std::size_t i = 0; i < lessons.size(); ++i) {
        const Lesson& lesson = lessons[i];
        QVERIFY(ids.insert(lesson.id).second);
        QVERIFY(!lesson.title.isEmpty());
        QVERIFY2(lesson.steps.size() >= 3 && lesson.steps.size() <= 6, qPrintable(lesson.id));
        QVERIFY2(lesson.steps.front().setup.tensor.has_value(), qPrintable(lesson.id));
        for (const LessonStep& step : lesson.steps) {
            QVERIFY(!step.title.isEmpty() && !step.text.isEmpty() && step.facts);
            QVERIFY(!step.setup.emphasis.isEmpty());
            QVERIFY(step.setup.scheme.isEmpty() || findScheme(step.setup.scheme.toStdString()));
        }
        QCOMPARE(findLesson(lesson.id), &lesson);
        QCOMPARE(findLesson(QString::number(i + 1)), &lesson);
    }
    for (const char* id :
         {"linear", "clipping", "lloyd-max", "weq", "weq-log", "integer", "dsq", "blocks"}) {
        QVERIFY2(findLesson(QString::fromLatin1(id)) != nullptr, id);
    }
    QVERIFY(findLesson(QStringLiteral("0")) == nullptr);
    QVERIFY(findLesson(QStringLiteral("no-such-lesson")) == nullptr);
    QCOMPARE(fillFacts(QStringLiteral("a {x} b {y}"), {numberFact(QStringLiteral("x"), 0.123456)}),
             QStringLiteral("a 0.1235 b {y}"));
}

void TestLessons::everyStepRunsStartToEnd_data()
{
    QTest::addColumn<QString>("lesson");
    for (const Lesson& lesson : allLessons()) {
        QTest::newRow(qPrintable(lesson.id)) << lesson.id;
    }
}

// Start to end with Next, as a student would: each step sets up its tensor and scheme, points at
// its views, and shows a paragraph with every number filled in.
void TestLessons::everyStepRunsStartToEnd()
{
    QFETCH(QString, lesson);
    LessonWindow lw;
    QVERIFY(lw.show(lesson, 0));
    const Lesson& l = *findLesson(lesson);
    auto* next = lw.panel().findChild<QPushButton*>(QStringLiteral("lessonNext"));
    for (int step = 0; step < int(l.steps.size()); ++step) {
        if (step > 0) {
            QVERIFY(next->isEnabled());
            QTest::mouseClick(next, Qt::LeftButton);
            QVERIFY(lw.settle());
        }
        QCOMPARE(lw.panel().stepIndex(), step);
        const LessonSetup& setup = l.steps[step].setup;
        const QString text = lw.panel().shownText();
        QVERIFY2(!text.contains(QLatin1Char('{')), qPrintable(text)); // every number filled
        for (const char* failure :
             {"cannot design", "cannot be computed", "could not be loaded", "not valid"}) {
            QVERIFY2(!text.contains(QLatin1String(failure)), qPrintable(text));
        }
        QVERIFY(text.contains(l.steps[step].title.toHtmlEscaped()));
        if (!setup.scheme.isEmpty()) {
            QCOMPARE(lw.controller().schemeId(), setup.scheme);
            QVERIFY(lw.controller().result()->valid());
        }
        QCOMPARE(lw.controller().compareSchemeId(), setup.compare);
        QStringList emphasized;
        for (QWidget* widget : lw.window().emphasizedWidgets()) {
            emphasized << widget->objectName();
        }
        for (const QString& name : setup.emphasis) {
            QVERIFY2(emphasized.contains(name), qPrintable(name + " not emphasised"));
            QVERIFY2(lw.window().findChild<QWidget*>(name)->isVisible(), qPrintable(name));
        }
    }
    QVERIFY(!next->isEnabled());
}

void TestLessons::linearNumbers()
{
    LessonWindow lw;
    const std::vector<float> gaussian = demoValues("gaussian");
    const std::vector<float> relu = demoValues("relu");
    const Distribution gaussianDist(gaussian);
    const Distribution reluDist(relu);

    // Max-abs at 8 bits: scale = max|x| / 127 in float32.
    QVERIFY(lw.show(QStringLiteral("linear"), 0));
    double maxAbs = 0.0;
    for (float v : gaussian) {
        maxAbs = std::max(maxAbs, std::abs(double(v)));
    }
    CHECK_FACT(lw, "maxabs", maxAbs, kFloat32RelTolerance);
    CHECK_FACT(lw, "qmax", 127, 0.0);
    CHECK_FACT(lw, "scale", double(float(maxAbs) / 127.0f), kFloat32RelTolerance);
    const Codebook sym8 = schemeById("symmetric").design(gaussianDist, {{"bits", 8.0}});
    CHECK_FACT(lw, "sym.sqnr", directSqnrDb(gaussian, sym8), 1e-3); // shown with 2 decimals

    // ReLU activations, symmetric at 4 bits: the exact zeros and the codes used.
    QVERIFY(lw.show(QStringLiteral("linear"), 1));
    const auto zeros = std::count(relu.begin(), relu.end(), 0.0f);
    CHECK_FACT(lw, "zeros", double(zeros) / double(relu.size()), kDirectRelTolerance);
    const Codebook sym4 = schemeById("symmetric").design(reluDist, {{"bits", 4.0}});
    std::set<std::int64_t> codes;
    for (float v : relu) {
        codes.insert(std::int64_t(std::nearbyint(v * (1.0f / float(sym4.linear->scale)))));
    }
    CHECK_FACT(lw, "sym.used", double(std::min<std::size_t>(codes.size(), 8)), 0.0);
    CHECK_FACT(lw, "sym.levels", 15, 0.0);

    // Asymmetric on the same tensor: zero point 0 (min' = 0), scale max/15, about 6 dB more.
    QVERIFY(lw.show(QStringLiteral("linear"), 2));
    const double reluMax = *std::max_element(relu.begin(), relu.end());
    CHECK_FACT(lw, "zp", 0, 0.0);
    CHECK_FACT(lw, "scale", double(float(reluMax) / 15.0f), kFloat32RelTolerance);
    const Codebook asym4 = schemeById("asymmetric").design(reluDist, {{"bits", 4.0}});
    const double gain = directSqnrDb(relu, asym4) - directSqnrDb(relu, sym4);
    CHECK_FACT(lw, "gain", gain, 1e-3);
    QVERIFY(gain > 5.0 && gain < 7.0);

    // The notebook's scale (max − min)/254 on the ReLU tensor: the values above 127·step clip.
    QVERIFY(lw.show(QStringLiteral("linear"), 4));
    const double notebookStep = (reluMax - 0.0) / 254.0;
    CHECK_FACT(lw, "nbstep", notebookStep, kDirectRelTolerance);
    CHECK_FACT(lw, "scale", notebookStep, 0.0); // the step control sets it exactly
    CHECK_FACT(lw, "sym.clipped", directClippedFraction(relu, notebookStep, 127),
               kDirectRelTolerance);
}

void TestLessons::clippingNumbers()
{
    LessonWindow lw;
    const std::vector<float> values = demoValues("laplacian");
    const Distribution dist(values);
    double maxAbs = 0.0;
    for (float v : values) {
        maxAbs = std::max(maxAbs, std::abs(double(v)));
    }

    QVERIFY(lw.show(QStringLiteral("clipping"), 0));
    const double step = double(float(maxAbs) / 7.0f);
    CHECK_FACT(lw, "step", step, kFloat32RelTolerance);
    CHECK_FACT(lw, "model", step * step / 12.0, kFloat32RelTolerance);
    const auto central = std::count_if(values.begin(), values.end(),
                                       [&](float v) { return std::abs(v) < 1.5 * step; });
    CHECK_FACT(lw, "central", double(central) / double(values.size()), 1e-5);
    QCOMPARE(lw.controller().result()->metrics.clippedFraction, 0.0); // "nothing is clipped"

    // A third of the max-abs step: the step is exact and the clipped share is the direct count.
    QVERIFY(lw.show(QStringLiteral("clipping"), 1));
    const double finer = maxAbs / 7.0 / 3.0;
    CHECK_FACT(lw, "step", finer, kDirectRelTolerance);
    CHECK_FACT(lw, "sym.clipped", directClippedFraction(values, finer, 7), kDirectRelTolerance);
    QVERIFY(lw.fact(QStringLiteral("sym.clipped")) > 0.0);

    // The MSE-optimal clip: its MSE split into rounding and clipping, the clipping part summed
    // directly over the values beyond the grid.
    QVERIFY(lw.show(QStringLiteral("clipping"), 3));
    const Codebook opt = schemeById("symmetric-mse").design(dist, {{"bits", 4.0}});
    double clipping = 0.0;
    double total = 0.0;
    const float inverse = 1.0f / float(opt.linear->scale);
    for (float v : values) {
        const double e = opt.quantize(v) - double(v);
        total += e * e;
        if (std::abs(std::nearbyint(v * inverse)) > 7.0f) {
            clipping += e * e;
        }
    }
    const double n = double(values.size());
    CHECK_FACT(lw, "clipping", clipping / n, 1e-6);
    CHECK_FACT(lw, "rounding", (total - clipping) / n, 1e-6);
    CHECK_FACT(lw, "a", opt.linear->scale * 7.0, kDirectRelTolerance);
    CHECK_FACT(lw, "opt.sqnr", directSqnrDb(values, opt), 1e-3);
}

void TestLessons::lloydMaxNumbers()
{
    LessonWindow lw;
    const std::vector<float> values = demoValues("laplacian");
    const Distribution dist(values);
    QVERIFY(lw.show(QStringLiteral("lloyd-max"), 1));
    const LloydMaxResult run = lloydMax(dist, 8);
    CHECK_FACT(lw, "iterations", run.iterations, 0.0);
    const Codebook lm = schemeById("lloyd-max").design(dist, {{"bits", 3.0}});
    const Codebook sym = schemeById("symmetric").design(dist, {{"bits", 3.0}});
    CHECK_FACT(lw, "first", lm.levels.front(), kDirectRelTolerance);
    CHECK_FACT(lw, "last", lm.levels.back(), kDirectRelTolerance);
    CHECK_FACT(lw, "lm.sqnr", directSqnrDb(values, lm), 1e-3);
    CHECK_FACT(lw, "gain", directSqnrDb(values, lm) - directSqnrDb(values, sym), 1e-3);

    // Centroids: the mean error of Lloyd-Max is ~0; the direct mean of Q(x) − x.
    QVERIFY(lw.show(QStringLiteral("lloyd-max"), 2));
    double bias = 0.0;
    for (float v : values) {
        bias += lm.quantize(v) - double(v);
    }
    bias /= double(values.size());
    QVERIFY(std::abs(lw.fact(QStringLiteral("lmbias")) - bias) <= 1e-12);
}

void TestLessons::weqNumbers()
{
    LessonWindow lw;
    const std::vector<float> values = demoValues("gaussian");
    const Distribution dist(values);

    // The tails beyond 2σ: their share of the count and of Σw², by a direct pass.
    QVERIFY(lw.show(QStringLiteral("weq"), 0));
    double sum = 0.0;
    double sumSquares = 0.0;
    for (float v : values) {
        sum += v;
        sumSquares += double(v) * double(v);
    }
    const double n = double(values.size());
    const double sigma = std::sqrt(sumSquares / n - (sum / n) * (sum / n));
    double tailCount = 0.0;
    double tailSquares = 0.0;
    for (float v : values) {
        if (std::abs(double(v)) > 2.0 * sigma) {
            tailCount += 1.0;
            tailSquares += double(v) * double(v);
        }
    }
    CHECK_FACT(lw, "t", 2.0 * sigma, 1e-9);
    CHECK_FACT(lw, "count", tailCount / n, 1e-5);
    CHECK_FACT(lw, "importance", tailSquares / sumSquares, 1e-5);

    // Seven levels: four magnitude clusters, the zero cluster's share counted directly.
    QVERIFY(lw.show(QStringLiteral("weq"), 1));
    const WeightedEntropyDesign design = designWeightedEntropy(dist, 7);
    CHECK_FACT(lw, "clusters", 4, 0.0);
    const double b1 = design.boundaries[1];
    const auto zeroCluster =
        std::count_if(values.begin(), values.end(), [&](float v) { return std::abs(v) < b1; });
    QVERIFY(lw.panel().shownText().contains(formatFact(percentFact({}, double(zeroCluster) / n))));
    CHECK_FACT(lw, "rlast", design.representatives.back(), kDirectRelTolerance);

    QVERIFY(lw.show(QStringLiteral("weq"), 2));
    CHECK_FACT(lw, "e0", design.initialObjective, kDirectRelTolerance);
    CHECK_FACT(lw, "e", design.objective, kDirectRelTolerance);
    CHECK_FACT(lw, "sweeps", double(design.sweepObjectives.size()), 0.0);

    QVERIFY(lw.show(QStringLiteral("weq"), 3));
    CHECK_FACT(lw, "eopt", designWeightedEntropyOptimal(dist, 7).objective, kDirectRelTolerance);
    QVERIFY(lw.fact(QStringLiteral("eopt")) >= lw.fact(QStringLiteral("e")));
}

void TestLessons::weqLogNumbers()
{
    LessonWindow lw;
    const std::vector<float> values = demoValues("relu");
    const Distribution dist(values);
    QVERIFY(lw.show(QStringLiteral("weq-log"), 0));
    float minPositive = std::numeric_limits<float>::infinity();
    float max = 0.0f;
    for (float v : values) {
        if (v > 0.0f) {
            minPositive = std::min(minPositive, v);
        }
        max = std::max(max, v);
    }
    CHECK_FACT(lw, "minpos", minPositive, 0.0);
    CHECK_FACT(lw, "octaves", std::log2(double(max) / double(minPositive)), kDirectRelTolerance);

    // The grid: the core's search on its own, in the ReLU mode (no negative value here).
    QVERIFY(lw.show(QStringLiteral("weq-log"), 1));
    const LogQuantGrid grid = searchLogQuantGrid(dist, 16, std::nullopt, false);
    CHECK_FACT(lw, "first", grid.firstExponent, 0.0);
    CHECK_FACT(lw, "step", grid.step, 0.0);
    CHECK_FACT(lw, "firstv", std::exp2(grid.firstExponent / 16.0), kDirectRelTolerance);
    CHECK_FACT(lw, "E", grid.weightedEntropy, kDirectRelTolerance);
    const double lowest = std::exp2((grid.firstExponent - 0.5 * grid.step) / 16.0);
    const auto zeroed = std::count_if(values.begin(), values.end(),
                                      [&](float v) { return v > 0.0f && v < lowest; });
    CHECK_FACT(lw, "zeroed", double(zeroed) / double(values.size()), 1e-4);

    // Signed weights: the scheme spends a bit on the sign by itself.
    QVERIFY(lw.show(QStringLiteral("weq-log"), 3));
    QVERIFY(lw.factText(QStringLiteral("mode")).contains(QStringLiteral("automatically")));
    QVERIFY(lw.controller().result()->codebook.levels.front() < 0.0);
    QVERIFY(lw.fact(QStringLiteral("log.sqnr")) > lw.fact(QStringLiteral("relu.sqnr")) + 6.0);
}

// Seed 002's printed numbers: bias 2577, accumulator 9056, requantized 98, 115.748031, 0.386394 %.
void TestLessons::integerNumbers()
{
    LessonWindow lw;
    QVERIFY(lw.show(QStringLiteral("integer"), 0));
    QCOMPARE(lw.factText(QStringLiteral("wq")), QStringLiteral("[−87, 31, 4, −46, 127]"));
    CHECK_FACT(lw, "sw", 127.0 / 34.53, 0.0);
    // The explorer's symmetric scheme on the five weights: scale = 1 / s_w (in float32).
    CHECK_FACT(lw, "scale", double(34.53f / 127.0f), kFloat32RelTolerance);

    QVERIFY(lw.show(QStringLiteral("integer"), 1));
    QCOMPARE(lw.factText(QStringLiteral("aq")), QStringLiteral("[7, 24, 5, 111, 90]"));
    CHECK_FACT(lw, "sa", 127.0 / 6.0, 0.0);

    QVERIFY(lw.show(QStringLiteral("integer"), 2));
    CHECK_FACT(lw, "bq", 2577, 0.0);
    CHECK_FACT(lw, "acc", 9056, 0.0);
    CHECK_FACT(lw, "dot", 9056 - 2577, 0.0);
    CHECK_FACT(lw, "float", 116.19701015660002, 0.0);

    QVERIFY(lw.show(QStringLiteral("integer"), 3));
    CHECK_FACT(lw, "yq", 98, 0.0);
    QVERIFY(std::abs(lw.fact(QStringLiteral("y")) - 115.748031) <= kSeedPrintTolerance);
    QCOMPARE(lw.factText(QStringLiteral("err")), QStringLiteral("0.386394%"));

    // Edited inputs flow into the paragraph: a_A below the largest activation saturates it.
    QVERIFY(lw.show(QStringLiteral("integer"), 4));
    IntegerLinearProblem problem = seed002Example();
    problem.options.activationRange = 5.0;
    lw.window().pipelineView()->setProblem(problem);
    QVERIFY(lw.settle());
    const IntegerLinearResult expected = runIntegerLinear(problem.input, problem.options);
    QCOMPARE(expected.activationCodes[3], std::int64_t{127}); // 5.234 > 5 saturates
    CHECK_FACT(lw, "acc", double(expected.accumulators[0]), 0.0);
    CHECK_FACT(lw, "yq", double(expected.requantized[0]), 0.0);
}

void TestLessons::dsqNumbers()
{
    LessonWindow lw;
    const std::vector<float> values = demoValues("gaussian");
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    const double delta = (double(*hi) - double(*lo)) / 3.0;
    QVERIFY(lw.show(QStringLiteral("dsq"), 0));
    CHECK_FACT(lw, "n", 4, 0.0);
    CHECK_FACT(lw, "delta", delta, kDirectRelTolerance);
    CHECK_FACT(lw, "lower", *lo, 0.0);
    QVERIFY(lw.show(QStringLiteral("dsq"), 1));
    const double k = std::log(2.0 / 0.5 - 1.0) / delta;
    CHECK_FACT(lw, "k", k, kDirectRelTolerance);
    CHECK_FACT(lw, "s", 1.0 / std::tanh(k * delta / 2.0), kDirectRelTolerance);

    // A sharper α brings the soft curve nearer the staircase.
    const double softGap = lw.fact(QStringLiteral("gap"));
    QVERIFY(lw.show(QStringLiteral("dsq"), 2));
    QVERIFY(lw.fact(QStringLiteral("gap")) < softGap);

    // The step control: Δ half the full-range one, centred on the data.
    QVERIFY(lw.show(QStringLiteral("dsq"), 4));
    CHECK_FACT(lw, "delta", 0.5 * delta, kDirectRelTolerance);
    const double centre = 0.5 * (double(*lo) + double(*hi));
    CHECK_FACT(lw, "lower", centre - 1.5 * 0.5 * delta, kDirectRelTolerance);
}

// Block formats on the outlier demo: the per-tensor numbers by direct passes, MXFP4 by a plain
// implementation of the OCP rule, and the bits per weight each format stores.
void TestLessons::blocksNumbers()
{
    constexpr int kMxBlock = 32;
    LessonWindow lw;
    const std::vector<float> values = demoValues("outliers");
    double sumSquares = 0.0;
    double sum = 0.0;
    for (float v : values) {
        sum += v;
        sumSquares += double(v) * double(v);
    }
    const double n = double(values.size());
    const double threshold = 8.0 * std::sqrt(sumSquares / n - (sum / n) * (sum / n));
    const auto outliers = std::count_if(values.begin(), values.end(),
                                        [&](float v) { return std::abs(v) > threshold; });
    QVERIFY(lw.show(QStringLiteral("blocks"), 0));
    CHECK_FACT(lw, "outliers", double(outliers), 0.0);
    QCOMPARE(outliers, 64); // the demo's own count; none of its normal values is that far out
    const Codebook sym4 = schemeById("symmetric").design(Distribution(values), {{"bits", 4.0}});
    CHECK_FACT(lw, "sym.sqnr", directSqnrDb(values, sym4), 1e-6);
    CHECK_FACT(lw, "sym.bpw", 4.0 + 32.0 / n, 1e-12); // 4-bit codes and one float32 scale

    QVERIFY(lw.show(QStringLiteral("blocks"), 1));
    std::vector<double> mx;
    std::vector<float> scales;
    for (std::size_t at = 0; at < values.size(); at += kMxBlock) {
        scales.push_back(float(directMxfp4Block(&values[at], kMxBlock, mx)));
    }
    CHECK_FACT(lw, "mx.sqnr", sqnrDb(values, mx), 1e-9);
    CHECK_FACT(lw, "mx.bpw", 4.25, 0.0);
    CHECK_FACT(lw, "mx.blocks", double(scales.size()), 0.0);
    std::vector<float> sorted = scales;
    std::sort(sorted.begin(), sorted.end());
    const float median = sorted[sorted.size() / 2];
    CHECK_FACT(lw, "mx.median", median, 0.0);
    const auto hot =
        std::count_if(scales.begin(), scales.end(), [&](float s) { return s >= 4.0f * median; });
    CHECK_FACT(lw, "mx.hot", double(hot), 0.0);
    QVERIFY(hot >= 1 && hot <= 64); // at most one block per outlier
    QVERIFY(lw.fact(QStringLiteral("mx.sqnr")) > lw.fact(QStringLiteral("sym.sqnr")) + 10.0);

    QVERIFY(lw.show(QStringLiteral("blocks"), 2));
    CHECK_FACT(lw, "nv.bpw", 4.5 + 32.0 / n, 1e-12);
    double amax = 0.0;
    for (float v : values) {
        amax = std::max(amax, std::abs(double(v)));
    }
    CHECK_FACT(lw, "nv.tensor_scale", float(amax / (448.0 * 6.0)), kFloat32RelTolerance);

    // Q4_K: the ggml scheme's own values (tested against ggml's), by a direct pass.
    QVERIFY(lw.show(QStringLiteral("blocks"), 3));
    const Tensor tensor = makeDemoTensor("outliers");
    QuantizeOptions options;
    options.apply = true;
    const QuantizedTensor q4k =
        quantizeTensor(tensor, schemeById("ggml"), {{"bits", 4.0}}, options);
    const std::vector<double> q4kValues(q4k.applied->dequantized.begin(),
                                        q4k.applied->dequantized.end());
    CHECK_FACT(lw, "q4k.sqnr", sqnrDb(values, q4kValues), 1e-9);
    CHECK_FACT(lw, "q4k.bpw", 4.5, 0.0);

    // The cost table: per-group int4 stores a float32 scale per 128 values.
    QVERIFY(lw.show(QStringLiteral("blocks"), 4));
    CHECK_FACT(lw, "sym5.bpw", 5.0 + 32.0 / n, 1e-12);
    CHECK_FACT(lw, "group.bpw", 4.25, 1e-12);
    CHECK_FACT(lw, "mx.sqnr", sqnrDb(values, mx), 1e-9);
    QVERIFY(lw.fact(QStringLiteral("group.sqnr")) > lw.fact(QStringLiteral("sym5.sqnr")));
}

// Moving a slider during a step recomputes the paragraph for the new state.
void TestLessons::numbersFollowTheSliders()
{
    LessonWindow lw;
    QVERIFY(lw.show(QStringLiteral("clipping"), 1));
    const std::vector<float> values = demoValues("laplacian");
    ParamEditor* step = lw.window().schemePanel()->editor(QStringLiteral("step"));
    QVERIFY(step != nullptr && !step->isAuto());
    const double before = lw.fact(QStringLiteral("sym.clipped"));
    step->slider()->setValue(step->slider()->value() - 100); // a smaller step
    const double set = lw.controller().params().get("step");
    QTRY_VERIFY_WITH_TIMEOUT(lw.settle() && lw.fact(QStringLiteral("step")) == set, kTimeoutMs);
    const double after = lw.fact(QStringLiteral("sym.clipped"));
    QCOMPARE(after, directClippedFraction(values, set, 7));
    QVERIFY(after > before);

    // Another scheme: the paragraph says so and keeps the step's scheme's numbers.
    lw.controller().setScheme(QStringLiteral("lloyd-max"));
    QVERIFY(lw.settle());
    QTRY_VERIFY_WITH_TIMEOUT(lw.panel().shownText().contains(QStringLiteral("You are exploring")),
                             kTimeoutMs);
    QVERIFY(!lw.panel().shownText().contains(QLatin1Char('{')));
    // ↺ sets the step up again.
    QTest::mouseClick(lw.panel().findChild<QWidget*>(QStringLiteral("lessonRestart")),
                      Qt::LeftButton);
    QVERIFY(lw.settle());
    QCOMPARE(lw.controller().schemeId(), QStringLiteral("symmetric"));
}

void TestLessons::navigationMenuAndEmphasis()
{
    LessonWindow lw;
    auto* menu = lw.window().findChild<QMenu*>(QStringLiteral("lessonsMenu"));
    QVERIFY(menu != nullptr);
    int lessonActions = 0;
    for (const QAction* action : menu->actions()) {
        lessonActions += action->objectName().startsWith(QStringLiteral("lesson_"));
    }
    QCOMPARE(lessonActions, int(allLessons().size()));
    lw.window().findChild<QAction*>(QStringLiteral("lesson_clipping"))->trigger();
    QVERIFY(lw.settle());
    QVERIFY(lw.panel().isVisible());
    QCOMPARE(lw.panel().lesson()->id, QStringLiteral("clipping"));
    QCOMPARE(lw.panel().stepIndex(), 0);
    auto* previous = lw.panel().findChild<QPushButton*>(QStringLiteral("lessonPrevious"));
    QVERIFY(!previous->isEnabled());
    // Step 1 points at the error histogram (its tab comes to the front) and the step slider.
    auto* errorHistogram = lw.window().findChild<QWidget*>(QStringLiteral("errorHistogramView"));
    QVERIFY(errorHistogram->isVisible());
    QVERIFY(lw.window().emphasizedWidgets().contains(errorHistogram));
    QTest::mouseClick(lw.panel().findChild<QPushButton*>(QStringLiteral("lessonNext")),
                      Qt::LeftButton);
    QVERIFY(lw.settle());
    QCOMPARE(lw.panel().stepIndex(), 1);
    QVERIFY(lw.window().emphasizedWidgets().contains(
        lw.window().schemePanel()->editor(QStringLiteral("step"))));
    QVERIFY(!lw.window().emphasizedWidgets().contains(errorHistogram));
    QTest::mouseClick(previous, Qt::LeftButton);
    QVERIFY(lw.settle());
    QCOMPARE(lw.panel().stepIndex(), 0);
    // Every slider stays free during a lesson.
    for (ParamEditor* editor : lw.window().schemePanel()->editors()) {
        QVERIFY(editor->isEnabled());
    }
    QTest::mouseClick(lw.panel().findChild<QWidget*>(QStringLiteral("lessonClose")),
                      Qt::LeftButton);
    QVERIFY(lw.panel().isHidden());
    QVERIFY(lw.panel().lesson() == nullptr);
    QVERIFY(lw.window().emphasizedWidgets().isEmpty());
}

// --help, --version and --list-lessons answer without a display: with a Qt platform plugin that
// does not exist, creating the application would abort.
void TestLessons::commandLineWorksWithoutADisplay()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("no-such-platform"));
    environment.remove(QStringLiteral("DISPLAY"));
    environment.remove(QStringLiteral("WAYLAND_DISPLAY"));
    const auto run = [&](const QStringList& args) {
        QProcess process;
        process.setProcessEnvironment(environment);
        process.start(QStringLiteral(QUANTSCOPE_GUI), args);
        process.waitForFinished(kProcessTimeoutMs);
        const int code = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        return std::make_tuple(code, QString::fromUtf8(process.readAllStandardOutput()),
                               QString::fromUtf8(process.readAllStandardError()));
    };
    {
        const auto [code, out, err] = run({QStringLiteral("--help")});
        QCOMPARE(code, 0);
        QVERIFY(out.startsWith(QStringLiteral("usage: quantscope")));
        QVERIFY(out.contains(QStringLiteral("--lesson")));
    }
    {
        const auto [code, out, err] = run({QStringLiteral("--version")});
        QCOMPARE(code, 0);
        QCOMPARE(out.trimmed(), guiVersion());
        QVERIFY(out.startsWith(QStringLiteral("quantscope ")));
    }
    {
        const auto [code, out, err] = run({QStringLiteral("--list-lessons")});
        QCOMPARE(code, 0);
        const QStringList lines = out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), qsizetype(allLessons().size()));
        for (std::size_t i = 0; i < allLessons().size(); ++i) {
            const Lesson& lesson = allLessons()[i];
            QCOMPARE(lines[i].section(QLatin1Char(' '), 0, 0), lesson.id);
            QCOMPARE(lines[i].mid(lesson.id.size()).trimmed(), lesson.title);
        }
    }
    {
        const auto [code, out, err] =
            run({QStringLiteral("--lesson"), QStringLiteral("nope"), QStringLiteral("--help")});
        QCOMPARE(code, 2);
        QVERIFY(err.contains(QStringLiteral("unknown lesson 'nope'")));
        QVERIFY(err.contains(QStringLiteral("weq-log")));
        QVERIFY(!err.trimmed().contains(QLatin1Char('\n')));
    }
    QVERIFY_THROWS_EXCEPTION(
        UsageError, parseGuiArguments({QStringLiteral("quantscope"),
                                       QStringLiteral("--lesson-step"), QStringLiteral("2")}));
    QVERIFY_THROWS_EXCEPTION(
        UsageError, parseGuiArguments({QStringLiteral("quantscope"), QStringLiteral("--lesson"),
                                       QStringLiteral("dsq"), QStringLiteral("--lesson-step"),
                                       QStringLiteral("9")}));
    const GuiOptions options = parseGuiArguments(
        {QStringLiteral("quantscope"), QStringLiteral("--lesson"), QStringLiteral("6"),
         QStringLiteral("--lesson-step"), QStringLiteral("3"), QStringLiteral("--size"),
         QStringLiteral("1280x800")});
    QCOMPARE(options.lesson, QStringLiteral("6"));
    QCOMPARE(options.lessonStep, 2);
    QCOMPARE(*options.size, QSize(1280, 800));
}

void TestLessons::screenshotOfALessonStep()
{
    QTemporaryDir dir;
    MainWindow window(false);
    window.applyOptions(parseGuiArguments({QStringLiteral("quantscope"), QStringLiteral("--lesson"),
                                           QStringLiteral("integer"),
                                           QStringLiteral("--lesson-step"), QStringLiteral("5")}));
    QVERIFY(dir.isValid());
    QVERIFY(window.lessonPanel()->lesson() != nullptr);
    const QString path = dir.filePath(QStringLiteral("lesson.png"));
    QCOMPARE(renderScreenshot(window, path, QSize(1280, 800)), QString());
    QVERIFY(QImage(path).width() > 0);
    // Everything was computed before the grab: the paragraph holds the document's numbers.
    QVERIFY(window.lessonPanel()->shownText().contains(QStringLiteral("9056")));
    QVERIFY(window.lessonPanel()->shownText().contains(QStringLiteral("0.386394%")));
    QVERIFY(window.pipelineView()->isVisible());
}

QTEST_MAIN(TestLessons)
#include "tst_lessons.moc"
