#include "command_line.h"
#include "main_window.h"
#include "screenshot.h"

#include "quantscope/errors.h"

#include <QApplication>
#include <QIcon>

#include <cstdio>
#include <optional>

using namespace quantscope;

namespace {

constexpr int kExitBadInput = 1;
constexpr int kExitBadUsage = 2;

bool asksForTextOnly(int argc, char* argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QString arg = QString::fromLocal8Bit(argv[i]);
        if (arg == QLatin1String("--help") || arg == QLatin1String("-h") ||
            arg == QLatin1String("--version") || arg == QLatin1String("--list-lessons")) {
            return true;
        }
    }
    return false;
}

std::optional<GuiOptions> parse(const QStringList& arguments)
{
    try {
        return parseGuiArguments(arguments);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "quantscope: %s (see quantscope --help)\n", e.what());
        return std::nullopt;
    }
}

} // namespace

int main(int argc, char* argv[])
{
    // Help, version and the lesson list need no display: answer them before any Qt GUI object
    // (and its platform plugin) exists.
    if (asksForTextOnly(argc, argv)) {
        QStringList arguments;
        for (int i = 0; i < argc; ++i) {
            arguments << QString::fromLocal8Bit(argv[i]);
        }
        const auto options = parse(arguments);
        if (!options) {
            return kExitBadUsage;
        }
        if (options->showHelp) {
            std::printf("%s\n", qPrintable(guiUsage()));
        } else if (options->showVersion) {
            std::printf("%s\n", qPrintable(guiVersion()));
        } else {
            std::printf("%s", qPrintable(lessonList()));
        }
        return 0;
    }

    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("QuantScope"));
    QApplication::setApplicationName(QStringLiteral("QuantScope"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/quantscope.svg")));
    QApplication::setDesktopFileName(QStringLiteral("quantscope"));

    // Qt's own options (-platform, -style, …) are gone from QApplication::arguments().
    const auto options = parse(QApplication::arguments());
    if (!options) {
        return kExitBadUsage;
    }

    // A screenshot shows exactly what the command line asks for, not the saved session.
    const bool screenshot = !options->screenshot.isEmpty();
    MainWindow window(!screenshot);
    window.applyOptions(*options);
    if (screenshot) {
        const QString error =
            renderScreenshot(window, options->screenshot, options->size.value_or(kScreenshotSize));
        if (!error.isEmpty()) {
            std::fprintf(stderr, "quantscope: %s\n", qPrintable(error));
            return kExitBadInput;
        }
        return 0;
    }
    window.show();
    return app.exec();
}
