#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStringList>
#include <QtGlobal>

namespace quantscope::test {

// What a run of quantscope-cli (QUANTSCOPE_CLI) gave.
struct CliResult {
    int exitCode = -1; // -1 when the process crashed or did not finish
    QByteArray out;
    QByteArray err;
};

inline CliResult runCli(const QStringList& args, int timeoutMs = 120000)
{
    QProcess process;
    process.start(QStringLiteral(QUANTSCOPE_CLI), args);
    CliResult result;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return result;
    }
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    if (process.exitStatus() == QProcess::NormalExit) {
        result.exitCode = process.exitCode();
    }
    return result;
}

// The JSON object `text` holds; empty (with a warning) when it is none.
inline QJsonObject parseObject(const QByteArray& text)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        qWarning("not a JSON object (%s): %s", qPrintable(error.errorString()), text.constData());
        return {};
    }
    return document.object();
}

} // namespace quantscope::test
