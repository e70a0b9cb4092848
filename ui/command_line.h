#pragma once

#include "quantscope/granularity.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace quantscope {

// `quantscope [FILE] [--tensor NAME] [--scheme ID] [--bits B] [--per-channel AXIS |
// --group-size G] [--compare ID] [--model-view] [--screenshot OUT]`
struct GuiOptions {
    QString source; // a path or demo:NAME; empty: demo:gaussian (or the last file)
    QString tensor;
    QString scheme;
    std::optional<int> bits;
    std::optional<Granularity> granularity;
    QString compare;
    QString screenshot;     // render the window to this PNG and exit
    bool modelView = false; // open on the whole-model view
    bool showHelp = false;
};

// Throws UsageError with a one-line message on unknown options, schemes or bad bit widths.
GuiOptions parseGuiArguments(const QStringList& arguments);
QString guiUsage();

} // namespace quantscope
