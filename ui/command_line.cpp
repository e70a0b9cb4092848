#include "command_line.h"

#include "lesson.h"

#include "quantscope/errors.h"
#include "quantscope/scheme.h"

#include <QRegularExpression>

#include <algorithm>

namespace quantscope {
namespace {

constexpr int kMinBits = 1;
constexpr int kMaxBits = 16;
constexpr int kMinSide = 320;
constexpr int kMaxSide = 16384;

void checkScheme(const QString& id, const char* option)
{
    if (!id.isEmpty()) {
        try {
            schemeById(id.toStdString());
        } catch (const UsageError& e) {
            throw UsageError(std::string(option) + ": " + e.what());
        }
    }
}

QSize parseSize(const QString& text)
{
    static const QRegularExpression pattern(QStringLiteral("^(\\d+)[xX](\\d+)$"));
    const QRegularExpressionMatch match = pattern.match(text);
    const int width = match.hasMatch() ? match.captured(1).toInt() : 0;
    const int height = match.hasMatch() ? match.captured(2).toInt() : 0;
    if (width < kMinSide || height < kMinSide || width > kMaxSide || height > kMaxSide) {
        throw UsageError("--size must be WIDTHxHEIGHT between " + std::to_string(kMinSide) +
                         " and " + std::to_string(kMaxSide) + ", got '" + text.toStdString() + "'");
    }
    return {width, height};
}

} // namespace

QString guiUsage()
{
    return QStringLiteral(
        "usage: quantscope [FILE | demo:NAME] [--tensor NAME] [--scheme ID] [--bits B]\n"
        "                  [--per-channel AXIS | --group-size G] [--compare ID] [--model-view]\n"
        "                  [--lesson ID [--lesson-step N]] [--size WxH] [--screenshot OUT.png]\n"
        "       quantscope --list-lessons | --help | --version\n"
        "\n"
        "  --per-channel AXIS, --group-size G\n"
        "                     a scale per index along AXIS, or per G values along the last axis\n"
        "  --model-view       open on the whole-model view: every tensor x every scheme, SQNR\n"
        "                     along the model's depth, the best bits per tensor for a budget\n"
        "  --lesson ID        open on a guided lesson (an id or number from --list-lessons)\n"
        "  --lesson-step N    start the lesson at step N (from 1)\n"
        "  --size WxH         the window's size (default 1280x800; screenshots 1440x900)\n"
        "  --screenshot OUT   render the window to a PNG once everything is computed, and exit");
}

QString guiVersion()
{
    return QStringLiteral("quantscope " QUANTSCOPE_VERSION);
}

QString lessonList()
{
    int width = 0;
    for (const Lesson& lesson : allLessons()) {
        width = std::max(width, int(lesson.id.size()));
    }
    QString text;
    for (const Lesson& lesson : allLessons()) {
        text += lesson.id.leftJustified(width + 2) + lesson.title + QLatin1Char('\n');
    }
    return text;
}

GuiOptions parseGuiArguments(const QStringList& arguments)
{
    GuiOptions options;
    bool stepGiven = false;
    // arguments[0] is the program.
    for (int i = 1; i < arguments.size(); ++i) {
        const QString& arg = arguments[i];
        const auto value = [&]() -> QString {
            if (i + 1 >= arguments.size()) {
                throw UsageError(arg.toStdString() + " needs a value");
            }
            return arguments[++i];
        };
        if (arg == QLatin1String("--tensor")) {
            options.tensor = value();
        } else if (arg == QLatin1String("--scheme")) {
            options.scheme = value();
        } else if (arg == QLatin1String("--compare")) {
            options.compare = value();
        } else if (arg == QLatin1String("--screenshot")) {
            options.screenshot = value();
        } else if (arg == QLatin1String("--bits")) {
            const QString text = value();
            bool ok = false;
            const int bits = text.toInt(&ok);
            if (!ok || bits < kMinBits || bits > kMaxBits) {
                throw UsageError("--bits must be an integer from 1 to 16, got '" +
                                 text.toStdString() + "'");
            }
            options.bits = bits;
        } else if (arg == QLatin1String("--lesson")) {
            options.lesson = value();
            if (findLesson(options.lesson) == nullptr) {
                throw UsageError("--lesson: unknown lesson '" + options.lesson.toStdString() +
                                 "' (lessons: " + lessonIds().toStdString() + ")");
            }
        } else if (arg == QLatin1String("--lesson-step")) {
            const QString text = value();
            bool ok = false;
            const int step = text.toInt(&ok);
            if (!ok || step < 1) {
                throw UsageError("--lesson-step must be a step number from 1, got '" +
                                 text.toStdString() + "'");
            }
            options.lessonStep = step - 1;
            stepGiven = true;
        } else if (arg == QLatin1String("--size")) {
            options.size = parseSize(value());
        } else if (arg == QLatin1String("--per-channel") || arg == QLatin1String("--group-size")) {
            if (options.granularity) {
                throw UsageError("give at most one of --per-channel and --group-size");
            }
            const QString text = value();
            bool ok = false;
            const int number = text.toInt(&ok);
            const bool channel = arg == QLatin1String("--per-channel");
            if (!ok || (!channel && number < 1)) {
                throw UsageError(arg.toStdString() + " needs " +
                                 (channel ? "an axis (an integer)" : "a group size of at least 1") +
                                 ", got '" + text.toStdString() + "'");
            }
            options.granularity =
                channel ? Granularity::perChannel(number) : Granularity::perGroup(number);
        } else if (arg == QLatin1String("--model-view")) {
            options.modelView = true;
        } else if (arg == QLatin1String("--help") || arg == QLatin1String("-h")) {
            options.showHelp = true;
        } else if (arg == QLatin1String("--version")) {
            options.showVersion = true;
        } else if (arg == QLatin1String("--list-lessons")) {
            options.listLessons = true;
        } else if (arg.startsWith(QLatin1Char('-')) && arg.size() > 1) {
            throw UsageError("unknown option '" + arg.toStdString() + "'");
        } else if (options.source.isEmpty()) {
            options.source = arg;
        } else {
            throw UsageError("more than one file given ('" + options.source.toStdString() + "', '" +
                             arg.toStdString() + "')");
        }
    }
    checkScheme(options.scheme, "--scheme");
    checkScheme(options.compare, "--compare");
    if (stepGiven) {
        if (options.lesson.isEmpty()) {
            throw UsageError("--lesson-step needs --lesson");
        }
        const int steps = int(findLesson(options.lesson)->steps.size());
        if (options.lessonStep >= steps) {
            throw UsageError("--lesson-step: lesson '" + options.lesson.toStdString() + "' has " +
                             std::to_string(steps) + " steps");
        }
    }
    return options;
}

} // namespace quantscope
