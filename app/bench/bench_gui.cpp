// bench_gui: the explorer's responsiveness, measured on the real window (run offscreen).
//  1. slider → replot: on a 10^7-element tensor, the median time from a slider value change to the
//     moment every plot has replotted the new design (target < 30 ms): symmetric's bits, then
//     MXFP4's block size (a pass over the values each move);
//  2. load: while a 10^8-element tensor loads and its Distribution builds, the longest gap between
//     ticks of a 5 ms timer on the UI thread (target < 50 ms), and the time until its first full
//     plot (histogram and design of the new tensor replotted) against the time a Distribution
//     build of the same tensor takes alone (target < 1.5x); then the same while a small tensor
//     replaces it (the large one is freed).
// usage: bench_gui [--slider-elements N] [--load-elements N] [--moves M]
#include "explorer_controller.h"
#include "main_window.h"
#include "param_editor.h"
#include "scheme_panel.h"
#include "screenshot.h"

#include "quantscope/demo.h"
#include "quantscope/distribution.h"

#include <qcustomplot.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QSlider>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <optional>
#include <vector>

using namespace quantscope;

namespace {

constexpr qint64 kSliderElements = 10'000'000;
constexpr qint64 kLoadElements = 100'000'000;
constexpr qint64 kReplacementElements = 1'000'000;
constexpr int kMoves = 41;
constexpr int kTickMs = 5;
constexpr double kSliderTargetMs = 30.0;
constexpr double kGapTargetMs = 50.0;
constexpr double kFirstPlotTargetRatio = 1.5;

qint64 optionValue(const QStringList& args, const QString& name, qint64 fallback)
{
    const int at = int(args.indexOf(name));
    return at >= 0 && at + 1 < args.size() ? args[at + 1].toLongLong() : fallback;
}

// Runs the event loop until `done` holds (checked after every event batch). It sleeps while no
// event comes (a timer wakes it at least every 50 ms): a busy loop here would take a core from
// the work it measures.
template <typename Done> void waitUntil(Done done)
{
    QTimer wake;
    wake.start(50);
    while (!done()) {
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
}

double threadCpuMs()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) * 1e3 + double(now.tv_nsec) / 1e6;
}

// Times every event delivered on the UI thread, so a long gap can be traced to its receiver.
class TimedApplication : public QApplication {
public:
    using QApplication::QApplication;

    bool notify(QObject* receiver, QEvent* event) override
    {
        if (m_depth++ > 0) {
            const bool handled = QApplication::notify(receiver, event);
            --m_depth;
            return handled;
        }
        QElapsedTimer timer;
        timer.start();
        const double cpuStart = threadCpuMs();
        const QEvent::Type type = event->type();
        const QString name = QString::fromLatin1(receiver->metaObject()->className()) +
                             QLatin1Char('/') + receiver->objectName();
        const bool handled = QApplication::notify(receiver, event);
        --m_depth;
        const double ms = double(timer.nsecsElapsed()) / 1e6;
        if (ms > m_slowestMs) {
            m_slowestMs = ms;
            m_slowest = QStringLiteral("%1 (event type %2, %3 ms of it on the CPU)")
                            .arg(name)
                            .arg(int(type))
                            .arg(threadCpuMs() - cpuStart, 0, 'f', 1);
        }
        return handled;
    }
    // The slowest event since the last call, then forgets it.
    QString takeSlowest()
    {
        const QString text =
            QStringLiteral("%1 ms in %2").arg(m_slowestMs, 0, 'f', 1).arg(m_slowest);
        m_slowestMs = 0.0;
        m_slowest.clear();
        return text;
    }

private:
    int m_depth = 0;
    double m_slowestMs = 0.0;
    QString m_slowest;
};

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0.0 : values[values.size() / 2];
}

// Moves `param`'s slider of `scheme` through `positions` in turn.
void benchSlider(MainWindow& window, qint64 elements, int moves, const QString& scheme,
                 const QString& param, const std::vector<int>& positions)
{
    ExplorerController* controller = window.controller();
    controller->setScheme(scheme);
    if (!controller->tensor() || controller->tensor()->size() != elements) {
        controller->setTensor(makeDemoTensor("gaussian", elements));
    }
    waitUntil([&] { return !controller->isBusy() && controller->result(); });
    QSlider* slider = window.schemePanel()->editor(param)->slider();

    // A move is done when the result for it has arrived and every plot has drawn it.
    QElapsedTimer clock;
    qint64 lastReplotNs = 0;
    QObject scope; // the connections below capture locals: they end with this function
    const QList<QCustomPlot*> plots = window.findChildren<QCustomPlot*>();
    for (QCustomPlot* plot : plots) {
        QObject::connect(plot, &QCustomPlot::afterReplot, &scope,
                         [&] { lastReplotNs = clock.nsecsElapsed(); });
    }
    bool resultArrived = false;
    QObject::connect(controller, &ExplorerController::resultChanged, &scope,
                     [&] { resultArrived = true; });

    std::vector<double> latencies;
    for (int move = 0; move < moves; ++move) {
        const int position = positions[std::size_t(move) % positions.size()];
        resultArrived = false;
        lastReplotNs = 0;
        clock.start();
        slider->setValue(position == slider->value() ? positions.front() : position);
        waitUntil([&] { return resultArrived && lastReplotNs > 0; });
        // Replots queued by the result run in this pass; wait for the design to settle too.
        QCoreApplication::processEvents();
        QCoreApplication::processEvents();
        latencies.push_back(double(lastReplotNs) / 1e6);
        waitUntil([&] { return !controller->isBusy(); }); // the comparison, not timed
    }
    const double med = median(latencies);
    std::printf("%s %s slider -> replot on %lld elements: median %.2f ms, min %.2f ms, max "
                "%.2f ms over %d moves (target < %.0f ms: %s)\n",
                qPrintable(scheme), qPrintable(param), static_cast<long long>(elements), med,
                *std::min_element(latencies.begin(), latencies.end()),
                *std::max_element(latencies.begin(), latencies.end()), moves, kSliderTargetMs,
                med < kSliderTargetMs ? "met" : "MISSED");
}

void benchLoad(MainWindow& window, qint64 elements)
{
    ExplorerController* controller = window.controller();
    std::printf("building a %lld-element tensor...\n", static_cast<long long>(elements));
    std::fflush(stdout);
    Tensor tensor = makeDemoTensor("gaussian", elements);
    QElapsedTimer prepareClock;
    prepareClock.start();
    std::optional<Distribution> alone(std::in_place, tensor.values());
    const double prepareSeconds = double(prepareClock.nsecsElapsed()) / 1e9;
    alone.reset();

    QElapsedTimer clock;
    qint64 lastTick = 0;
    double loadGapMs = 0.0;
    double afterGapMs = 0.0;
    bool loaded = false;
    int ticksLoading = 0;
    int ticksAfter = 0;
    QTimer ticker;
    ticker.setInterval(kTickMs);
    ticker.setTimerType(Qt::PreciseTimer);
    QObject::connect(&ticker, &QTimer::timeout, &ticker, [&] {
        const qint64 now = clock.nsecsElapsed();
        const double gap = double(now - lastTick) / 1e6;
        double& longest = loaded ? afterGapMs : loadGapMs;
        longest = std::max(longest, gap);
        ++(loaded ? ticksAfter : ticksLoading);
        lastTick = now;
    });
    QObject::connect(controller, &ExplorerController::loadFinished, &ticker,
                     [&] { loaded = true; });
    // The first full plot: a replot after the first design of the new tensor arrived.
    bool designed = false;
    qint64 firstPlotNs = 0;
    QObject scope;
    QObject::connect(controller, &ExplorerController::resultChanged, &scope,
                     [&] { designed = designed || loaded; });
    for (QCustomPlot* plot : window.findChildren<QCustomPlot*>()) {
        QObject::connect(plot, &QCustomPlot::afterReplot, &scope, [&] {
            if (designed && firstPlotNs == 0) {
                firstPlotNs = clock.nsecsElapsed();
            }
        });
    }
    auto* app = static_cast<TimedApplication*>(QCoreApplication::instance());
    app->takeSlowest();
    const double uiCpuStart = threadCpuMs();
    clock.start();
    ticker.start();
    controller->setTensor(std::move(tensor));
    waitUntil([&] { return loaded; });
    const double loadSeconds = double(clock.nsecsElapsed()) / 1e9;
    const QString slowestLoading = app->takeSlowest();
    waitUntil([&] { return firstPlotNs > 0; });
    const double firstPlotSeconds = double(firstPlotNs) / 1e9;
    const double uiCpuMs = threadCpuMs() - uiCpuStart;
    waitUntil([&] { return !controller->isBusy(); });
    const QString slowestAfter = app->takeSlowest();
    const double totalSeconds = double(clock.nsecsElapsed()) / 1e9;
    ticker.stop();
    std::printf("load of %lld elements: %.2f s to the Distribution, %.2f s to the first full plot, "
                "%.1f s until every design, the comparison and rate-distortion were done\n",
                static_cast<long long>(elements), loadSeconds, firstPlotSeconds, totalSeconds);
    const double ratio = firstPlotSeconds / prepareSeconds;
    std::printf("first full plot %.2f s = %.2fx the %.2f s a Distribution build takes alone "
                "(target < %.1fx: %s); the UI thread used %.0f ms of CPU until then\n",
                firstPlotSeconds, ratio, prepareSeconds, kFirstPlotTargetRatio,
                ratio < kFirstPlotTargetRatio ? "met" : "MISSED", uiCpuMs);
    std::printf(
        "longest UI-thread gap (%d ms timer): %.1f ms while loading (target < %.0f ms: "
        "%s), %.1f ms afterwards (designs and replots of the new tensor); %d and %d ticks\n",
        kTickMs, loadGapMs, kGapTargetMs, loadGapMs < kGapTargetMs ? "met" : "MISSED", afterGapMs,
        ticksLoading, ticksAfter);
    std::printf("slowest UI event while loading: %s\nslowest UI event afterwards: %s\n",
                qPrintable(slowestLoading), qPrintable(slowestAfter));
}

} // namespace

int main(int argc, char* argv[])
{
    TimedApplication app(argc, argv);
    const QStringList args = QApplication::arguments();
    const qint64 sliderElements =
        optionValue(args, QStringLiteral("--slider-elements"), kSliderElements);
    const qint64 loadElements = optionValue(args, QStringLiteral("--load-elements"), kLoadElements);
    const int moves = int(optionValue(args, QStringLiteral("--moves"), kMoves));

    MainWindow window(false); // no settings: the same state on every run
    window.resize(kScreenshotSize);
    window.show();
    // 3..6 bits, then MXFP4 blocks of 16..128: a new design every move.
    benchSlider(window, sliderElements, std::max(1, moves), QStringLiteral("symmetric"),
                QStringLiteral("bits"), {3, 4, 5, 6});
    window.controller()->setScheme(QStringLiteral("mx"));
    window.controller()->setParam(QStringLiteral("format"), 0);
    benchSlider(window, sliderElements, std::max(1, moves), QStringLiteral("mx"),
                QStringLiteral("block"), {16, 32, 64, 128});
    benchLoad(window, loadElements);
    // Replacing the large tensor frees it: that must not stall the UI either.
    std::printf("replacing it with a small tensor:\n");
    benchLoad(window, kReplacementElements);
    return 0;
}
