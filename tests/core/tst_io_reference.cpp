// Model files written by the reference libraries (python3-onnx, python3-numpy) must list the
// names, shapes and dtypes those libraries report, load the same values (QDQ weights: the values
// numpy dequantizes), and skip exactly the tensors that hold no numbers.
#include "quantscope/tensor_file.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <map>

using namespace quantscope;

class TestIoReference : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void matchesReference_data();
    void matchesReference();
    void cliInfoMatchesReference();
    void dequantizedTensorsNoteTheirScales();

private:
    QTemporaryDir m_dir;
    QJsonObject m_expected;
};

namespace {

// The interpreter that has the modules: Debian's python3 may be shadowed on PATH by one without.
QString findPython()
{
    QStringList candidates{"/usr/bin/python3", "python3"};
    if (const QString custom = qEnvironmentVariable("QUANTSCOPE_PYTHON"); !custom.isEmpty()) {
        candidates.prepend(custom);
    }
    for (const QString& candidate : candidates) {
        QProcess probe;
        probe.start(candidate, {"-c", "import onnx, numpy"});
        if (probe.waitForFinished(60000) && probe.exitStatus() == QProcess::NormalExit &&
            probe.exitCode() == 0) {
            return candidate;
        }
    }
    return {};
}

Shape toShape(const QJsonArray& array)
{
    Shape shape;
    for (const auto& dim : array) {
        shape.push_back(dim.toInteger());
    }
    return shape;
}

} // namespace

void TestIoReference::initTestCase()
{
    const QString python = findPython();
    if (python.isEmpty()) {
        QSKIP("python3 with the onnx and numpy modules is not installed");
    }
    QVERIFY(m_dir.isValid());
    QProcess script;
    script.start(python,
                 {QStringLiteral(QUANTSCOPE_TEST_DATA "/io/make_reference.py"), m_dir.path()});
    QVERIFY(script.waitForFinished(120000));
    QVERIFY2(script.exitCode() == 0, script.readAllStandardError().constData());
    QFile file(m_dir.filePath("expected.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    m_expected = QJsonDocument::fromJson(file.readAll()).object();
    QVERIFY(!m_expected.isEmpty());
}

void TestIoReference::matchesReference_data()
{
    QTest::addColumn<QString>("file");
    for (const QString& file : m_expected.keys()) {
        QTest::newRow(file.toUtf8().constData()) << file;
    }
}

void TestIoReference::matchesReference()
{
    QFETCH(QString, file);
    const QJsonObject fileReference = m_expected.value(file).toObject();
    const QJsonArray expected = fileReference.value("tensors").toArray();
    const auto opened = openTensorFile(m_dir.filePath(file).toStdString());
    QStringList skipped;
    for (const SkippedTensor& tensor : opened->skipped()) {
        skipped << QString::fromStdString(tensor.name);
    }
    QStringList expectedSkipped;
    for (const auto& name : fileReference.value("skipped").toArray()) {
        expectedSkipped << name.toString();
    }
    QCOMPARE(skipped, expectedSkipped);
    const auto& tensors = opened->tensors();
    QCOMPARE(tensors.size(), static_cast<std::size_t>(expected.size()));
    std::map<std::string, const TensorInfo*> byName;
    for (const TensorInfo& info : tensors) {
        byName[info.name] = &info;
    }
    for (const auto& item : expected) {
        const QJsonObject reference = item.toObject();
        const std::string name = reference.value("name").toString().toStdString();
        QVERIFY2(byName.count(name) == 1, name.c_str());
        const TensorInfo& info = *byName[name];
        QCOMPARE(info.shape, toShape(reference.value("shape").toArray()));
        QCOMPARE(QString::fromStdString(info.dtype), reference.value("dtype").toString());
        const Tensor tensor = opened->load(name);
        const QJsonArray values = reference.value("values").toArray();
        QCOMPARE(tensor.size(), static_cast<std::int64_t>(values.size()));
        // Every source value is exactly representable or rounds the same way in both: exact.
        for (qsizetype i = 0; i < values.size(); ++i) {
            QCOMPARE(tensor.values()[static_cast<std::size_t>(i)],
                     static_cast<float>(values[i].toDouble()));
        }
    }
}

void TestIoReference::cliInfoMatchesReference()
{
    if (!QFile::exists(QStringLiteral(QUANTSCOPE_CLI))) {
        QSKIP("quantscope-cli is not built in this configuration");
    }
    for (const QString& file : {QStringLiteral("model.onnx"), QStringLiteral("model.safetensors"),
                                QStringLiteral("subgraphs.onnx"), QStringLiteral("qdq.onnx")}) {
        QProcess cli;
        cli.start(QStringLiteral(QUANTSCOPE_CLI), {"info", m_dir.filePath(file), "--json"});
        QVERIFY(cli.waitForFinished(60000));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        const QJsonArray listed = QJsonDocument::fromJson(cli.readAllStandardOutput())
                                      .object()
                                      .value("tensors")
                                      .toArray();
        const QJsonArray expected = m_expected.value(file).toObject().value("tensors").toArray();
        QCOMPARE(listed.size(), expected.size());
        std::map<QString, QJsonObject> byName;
        for (const auto& item : listed) {
            byName[item.toObject().value("name").toString()] = item.toObject();
        }
        for (const auto& item : expected) {
            const QJsonObject reference = item.toObject();
            const QJsonObject entry = byName[reference.value("name").toString()];
            QCOMPARE(entry.value("shape").toArray(), reference.value("shape").toArray());
            QCOMPARE(entry.value("dtype").toString(), reference.value("dtype").toString());
        }
    }
}

void TestIoReference::dequantizedTensorsNoteTheirScales()
{
    const auto opened = openTensorFile(m_dir.filePath("qdq.onnx").toStdString());
    std::map<std::string, std::string> notes;
    for (const TensorInfo& info : opened->tensors()) {
        notes[info.name] = info.note;
    }
    QCOMPARE(notes["q_tensor"], std::string("scale 0.05"));
    QCOMPARE(
        notes["q_axis"],
        std::string("3 scales 0.02 .. 0.5: 0.1, 0.02, 0.5; 3 zero points 3 .. 128: 128, 100, 3"));
    QCOMPARE(notes["q_block"], std::string("6 scales 0.125 .. 4: 0.5, 0.25, 2, 1.5, 0.125, 4"));
    QCOMPARE(notes["s_t"], std::string()); // a plain tensor has no note
}

QTEST_APPLESS_MAIN(TestIoReference)
#include "tst_io_reference.moc"
