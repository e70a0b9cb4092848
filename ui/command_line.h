#pragma once

#include "quantscope/granularity.h"

#include <QSize>
#include <QString>
#include <QStringList>

#include <optional>

namespace quantscope {

// `quantscope [FILE] [--tensor NAME] [--scheme ID] [--bits B] [--per-channel AXIS |
//             --group-size G] [--compare ID] [--model-view] [--lesson ID [--lesson-step N]]
//             [--size WxH] [--screenshot OUT]`,
// `quantscope --list-lessons | --help | --version`.
struct GuiOptions {
    QString source; // a path or demo:NAME; empty: demo:gaussian (or the last file)
    QString tensor;
    QString scheme;
    std::optional<int> bits;
    std::optional<Granularity> granularity;
    QString compare;
    QString lesson;     // a lesson id or number; opens the window on it
    int lessonStep = 0; // 0-based
    std::optional<QSize> size;
    QString screenshot;     // render the window to this PNG and exit
    bool modelView = false; // open on the whole-model view
    bool showHelp = false;
    bool showVersion = false;
    bool listLessons = false;
};

// Throws UsageError with a one-line message on unknown options, schemes, lessons or bad values.
GuiOptions parseGuiArguments(const QStringList& arguments);
QString guiUsage();
QString guiVersion();
// One line per lesson: its id, then its title.
QString lessonList();

} // namespace quantscope
