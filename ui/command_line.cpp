#include "command_line.h"

#include "quantscope/errors.h"
#include "quantscope/scheme.h"

namespace quantscope {
namespace {

constexpr int kMinBits = 1;
constexpr int kMaxBits = 16;

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

} // namespace

QString guiUsage()
{
    return QStringLiteral(
        "usage: quantscope [FILE | demo:NAME] [--tensor NAME] [--scheme ID] [--bits B]\n"
        "                  [--per-channel AXIS | --group-size G] [--compare ID] [--model-view]\n"
        "                  [--screenshot OUT.png]\n"
        "  --per-channel AXIS, --group-size G\n"
        "                 a scale per index along AXIS, or per G values along the last axis\n"
        "  --model-view   open on the whole-model view: every tensor x every scheme, SQNR along\n"
        "                 the model's depth, the best bits per tensor for a size budget");
}

GuiOptions parseGuiArguments(const QStringList& arguments)
{
    GuiOptions options;
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
    return options;
}

} // namespace quantscope
