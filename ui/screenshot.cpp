#include "screenshot.h"

#include "explorer_controller.h"
#include "main_window.h"
#include "model_view.h"

#include <qcustomplot.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QImage>
#include <QPixmap>
#include <QSaveFile>
#include <QThread>
#include <QThreadPool>
#include <QTimer>

namespace quantscope {
namespace {

constexpr int kSettleRounds = 3; // work started by results that arrived in the previous round
constexpr int kPollMs = 20;

} // namespace

QString renderScreenshot(MainWindow& window, const QString& path, QSize size, int timeoutMs)
{
    ExplorerController* controller = window.controller();
    QString failure;
    QEventLoop loop;
    const auto failed = QObject::connect(controller, &ExplorerController::loadFailed, &loop,
                                         [&](const QString& message) {
                                             failure = message;
                                             loop.quit();
                                         });
    const auto idle =
        QObject::connect(controller, &ExplorerController::busyChanged, &loop, [&](bool busy) {
            if (!busy) {
                loop.quit();
            }
        });
    bool timedOut = false;
    QTimer::singleShot(timeoutMs, &loop, [&] {
        timedOut = true;
        loop.quit();
    });
    window.resize(size);
    window.show();
    if (controller->isBusy()) {
        loop.exec();
    }
    QObject::disconnect(failed);
    QObject::disconnect(idle);
    if (!failure.isEmpty()) {
        return failure;
    }
    if (timedOut) {
        return QStringLiteral("%1: timed out waiting for the window to finish").arg(path);
    }
    // The whole-model view reports in the background while it is shown.
    QElapsedTimer waited;
    waited.start();
    while (window.modelView()->isVisible() && window.modelView()->isBusy()) {
        if (waited.elapsed() > timeoutMs) {
            return QStringLiteral("%1: timed out waiting for the model report").arg(path);
        }
        QCoreApplication::processEvents(QEventLoop::AllEvents, kPollMs);
        QThread::msleep(kPollMs);
    }
    // Views may run work of their own on the thread pool (e.g. the teaching panel's sweeps):
    // let it finish and its results arrive, then let queued replots and layout run.
    for (int round = 0; round < kSettleRounds; ++round) {
        QThreadPool::globalInstance()->waitForDone();
        QCoreApplication::processEvents();
    }
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
