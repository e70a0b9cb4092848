// The malformed corpus (tests/data/malformed, made by make_corpus.py with expected.json): a file
// whose container is broken gives an InputError whose one-line message names the file, never a
// crash, another exception or success; a file with one bad tensor opens, lists that tensor as
// skipped with a one-line reason, and reads every other tensor.
#include "quantscope/errors.h"
#include "quantscope/tensor_file.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace quantscope;

namespace {

const QString kCorpus = QStringLiteral(QUANTSCOPE_TEST_DATA "/malformed");

QJsonObject expectations()
{
    QFile file(kCorpus + "/expected.json");
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    return QJsonDocument::fromJson(file.readAll()).object();
}

QStringList names(const QJsonValue& array)
{
    QStringList list;
    for (const QJsonValue& value : array.toArray()) {
        list << value.toString();
    }
    return list;
}

} // namespace

class TestIoMalformed : public QObject {
    Q_OBJECT

private slots:
    void everyFileIsExpected();
    void refused_data();
    void refused();
    void skipped_data();
    void skipped();
};

void TestIoMalformed::everyFileIsExpected()
{
    const QJsonObject expected = expectations();
    QVERIFY(expected.size() > 50);
    const QStringList files = QDir(kCorpus).entryList(QDir::Files, QDir::Name);
    for (const QString& file : files) {
        if (file.startsWith("ok_") || file.endsWith(".py") || file == "expected.json") {
            continue;
        }
        QVERIFY2(expected.contains(file), qPrintable(file + " is not in expected.json"));
    }
}

void TestIoMalformed::refused_data()
{
    QTest::addColumn<QString>("path");
    const QJsonObject expected = expectations();
    for (auto it = expected.begin(); it != expected.end(); ++it) {
        if (it.value().toObject().value("refused").toBool()) {
            QTest::newRow(it.key().toUtf8().constData()) << kCorpus + "/" + it.key();
        }
    }
}

void TestIoMalformed::refused()
{
    QFETCH(QString, path);
    try {
        const auto file = openTensorFile(path.toStdString());
        for (const TensorInfo& info : file->tensors()) {
            file->load(info.name);
        }
        QFAIL("no error");
    } catch (const InputError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(QFileInfo(path).fileName()), error.what());
        QVERIFY2(!message.contains('\n'), error.what());
    }
}

void TestIoMalformed::skipped_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QStringList>("skippedNames");
    QTest::addColumn<QStringList>("tensorNames");
    const QJsonObject expected = expectations();
    for (auto it = expected.begin(); it != expected.end(); ++it) {
        const QJsonObject entry = it.value().toObject();
        if (!entry.value("refused").toBool()) {
            QTest::newRow(it.key().toUtf8().constData())
                << kCorpus + "/" + it.key() << names(entry.value("skipped"))
                << names(entry.value("tensors"));
        }
    }
}

void TestIoMalformed::skipped()
{
    QFETCH(QString, path);
    QFETCH(QStringList, skippedNames);
    QFETCH(QStringList, tensorNames);
    std::unique_ptr<TensorFile> file;
    try {
        file = openTensorFile(path.toStdString());
    } catch (const std::exception& error) {
        QFAIL(error.what());
    }

    QStringList skipped;
    for (const SkippedTensor& tensor : file->skipped()) {
        skipped << QString::fromStdString(tensor.name);
        const QString reason = QString::fromStdString(tensor.reason);
        QVERIFY2(!reason.isEmpty() && !reason.contains('\n'), qPrintable(reason));
    }
    QCOMPARE(skipped, skippedNames);

    QStringList listed;
    for (const TensorInfo& info : file->tensors()) {
        listed << QString::fromStdString(info.name);
        try {
            QCOMPARE(file->load(info.name).size(), elementCount(info.shape));
        } catch (const std::exception& error) {
            QFAIL(error.what());
        }
    }
    QCOMPARE(listed, tensorNames);
}

QTEST_APPLESS_MAIN(TestIoMalformed)
#include "tst_io_malformed.moc"
