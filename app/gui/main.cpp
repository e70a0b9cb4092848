#include "command_line.h"
#include "main_window.h"
#include "screenshot.h"

#include "quantscope/errors.h"

#include <QApplication>
#include <QIcon>

#include <cstdio>

using namespace quantscope;

namespace {

constexpr int kExitBadInput = 1;
constexpr int kExitBadUsage = 2;

} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("QuantScope"));
    QApplication::setApplicationName(QStringLiteral("QuantScope"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/quantscope.svg")));
    QApplication::setDesktopFileName(QStringLiteral("quantscope"));

    GuiOptions options;
    try {
        options = parseGuiArguments(QApplication::arguments());
    } catch (const UsageError& e) {
        std::fprintf(stderr, "quantscope: %s (see quantscope --help)\n", e.what());
        return kExitBadUsage;
    }
    if (options.showHelp) {
        std::printf("%s\n", qPrintable(guiUsage()));
        return 0;
    }

    // A screenshot shows exactly what the command line asks for, not the saved session.
    const bool screenshot = !options.screenshot.isEmpty();
    MainWindow window(!screenshot);
    window.applyOptions(options);
    if (screenshot) {
        const QString error = renderScreenshot(window, options.screenshot);
        if (!error.isEmpty()) {
            std::fprintf(stderr, "quantscope: %s\n", qPrintable(error));
            return kExitBadInput;
        }
        return 0;
    }
    window.show();
    return app.exec();
}
