#pragma once

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
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

// One tensor of a .safetensors file: its dtype as the format spells it ("F32", "BF16", "I64"),
// shape and raw little-endian bytes.
struct SafetensorsEntry {
    QString name;
    QString dtype;
    QList<qint64> shape;
    QByteArray data;
};

// A .safetensors file: 8-byte header length, JSON header (padded to 8 bytes), the data.
inline QByteArray safetensorsBytes(const QList<SafetensorsEntry>& entries)
{
    QJsonObject header;
    QByteArray data;
    for (const SafetensorsEntry& entry : entries) {
        QJsonArray shape;
        for (qint64 dim : entry.shape) {
            shape.append(dim);
        }
        header[entry.name] =
            QJsonObject{{"dtype", entry.dtype},
                        {"shape", shape},
                        {"data_offsets", QJsonArray{data.size(), data.size() + entry.data.size()}}};
        data += entry.data;
    }
    QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
    while (json.size() % 8 != 0) {
        json.append(' ');
    }
    QByteArray bytes(8, '\0');
    for (int i = 0; i < 8; ++i) {
        bytes[i] = static_cast<char>((static_cast<quint64>(json.size()) >> (8 * i)) & 0xff);
    }
    return bytes + json + data;
}

} // namespace quantscope::test
