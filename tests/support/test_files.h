#pragma once

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

namespace quantscope::test {

// Writes `bytes` to NAME in `dir` and returns its path; a test cannot go on without it.
inline QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("cannot write test file %s", qPrintable(path));
    return path;
}

} // namespace quantscope::test
