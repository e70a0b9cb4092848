#include "screenshot.h"

#include "explorer_controller.h"
#include "main_window.h"

#include <qcustomplot.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QImage>
#include <QPixmap>
#include <QSaveFile>
#include <QThread>
#include <QThreadPool>

namespace quantscope {
namespace {

constexpr int kSettleRounds = 3; // idle rounds in a row: work started by results of the last
constexpr int kPollMs = 10;

} // namespace

QString renderScreenshot(MainWindow& window, const QString& path, QSize size, int timeoutMs)
{
    ExplorerController* controller = window.controller();
    QString failure;
    const auto failed = QObject::connect(controller, &ExplorerController::loadFailed, &window,
                                         [&](const QString& message) { failure = message; });
    QElapsedTimer clock;
    clock.start();
    window.resize(size);
    window.show();
    // Wait until loading, designs and everything views compute on the work pools (the teaching
    // panel's sweeps, a lesson's numbers) are done, then let queued replots and layout run.
    int settled = 0;
    while (settled < kSettleRounds && failure.isEmpty() && clock.elapsed() < timeoutMs) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, kPollMs);
        if (window.isBusy()) {
            settled = 0;
            QThread::msleep(kPollMs);
            continue;
        }
        ExplorerController::workPool()->waitForDone();
        ExplorerController::interactivePool()->waitForDone();
        QThreadPool::globalInstance()->waitForDone();
        ++settled;
    }
    QObject::disconnect(failed);
    if (!failure.isEmpty()) {
        return failure;
    }
    if (settled < kSettleRounds) {
        return QStringLiteral("%1: timed out waiting for the window to finish").arg(path);
    }
    QCoreApplication::processEvents();
    for (QCustomPlot* plot : window.findChildren<QCustomPlot*>()) {
        plot->replot(QCustomPlot::rpImmediateRefresh);
    }
    const QImage image = window.grab().toImage();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !image.save(&file, "PNG") || !file.commit()) {
        return QStringLiteral("%1: cannot write the screenshot (%2)").arg(path, file.errorString());
    }
    return {};
}

} // namespace quantscope
