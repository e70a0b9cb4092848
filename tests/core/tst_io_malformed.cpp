// Every file of the malformed corpus (tests/data/malformed, made by make_corpus.py) must give an
// InputError whose one-line message names the file: never a crash, another exception or success.
#include "quantscope/errors.h"
#include "quantscope/tensor_file.h"

#include <QDir>
#include <QtTest>

using namespace quantscope;

class TestIoMalformed : public QObject {
    Q_OBJECT

private slots:
    void rejected_data();
    void rejected();
};

void TestIoMalformed::rejected_data()
{
    QTest::addColumn<QString>("path");
    const QDir corpus(QStringLiteral(QUANTSCOPE_TEST_DATA "/malformed"));
    const QStringList files = corpus.entryList(QDir::Files, QDir::Name);
    QVERIFY(files.size() > 50);
    for (const QString& file : files) {
        if (file.startsWith("ok_") || file.endsWith(".py")) {
            continue; // valid files the malformed ones refer to, and the generator
        }
        QTest::newRow(file.toUtf8().constData()) << corpus.filePath(file);
    }
}

void TestIoMalformed::rejected()
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

QTEST_APPLESS_MAIN(TestIoMalformed)
#include "tst_io_malformed.moc"
