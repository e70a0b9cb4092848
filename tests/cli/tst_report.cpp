// `quantscope-cli report` on a sharded safetensors checkpoint (float32, bfloat16 and an integer
// tensor): the same numbers as `quantize` on each tensor, shards that merge into the whole report,
// a bit allocation within its budget, and errors that write nothing.
#include "../support/cli_runner.h"
#include "../support/test_files.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

#include <bit>
#include <cmath>
#include <random>

using namespace quantscope::test;

namespace {

QByteArray float32Bytes(int count, unsigned seed, float scale)
{
    std::mt19937 random(seed);
    std::normal_distribution<float> normal(0.0f, scale);
    QByteArray bytes;
    for (int i = 0; i < count; ++i) {
        const float value = normal(random);
        bytes.append(reinterpret_cast<const char*>(&value), sizeof value);
    }
    return bytes;
}

// bfloat16: the high half of each float32.
QByteArray bfloat16Bytes(int count, unsigned seed, float scale)
{
    const QByteArray floats = float32Bytes(count, seed, scale);
    QByteArray bytes;
    for (int i = 0; i < count; ++i) {
        float value;
        std::memcpy(&value, floats.constData() + 4 * i, 4);
        const auto bits = static_cast<quint16>(std::bit_cast<quint32>(value) >> 16);
        bytes.append(reinterpret_cast<const char*>(&bits), sizeof bits);
    }
    return bytes;
}

const QStringList kSchemes = {"symmetric", "lloyd-max"};

} // namespace

class TestReport : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void equalsQuantize();
    void integerTensorSkipped();
    void granularityAndFormatsEqualQuantize();
    void shardsMergeIntoWhole();
    void allocationWithinBudget();
    void csvRows();
    void errorsWriteNothing();

private:
    QJsonObject whole();

    QTemporaryDir m_dir;
    QString m_index;
};

void TestReport::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QByteArray positions;
    for (qint64 i = 0; i < 8; ++i) {
        positions.append(reinterpret_cast<const char*>(&i), sizeof i);
    }
    writeFile(m_dir, "model-00001-of-00002.safetensors",
              safetensorsBytes({{"model.embed", "F32", {64, 16}, float32Bytes(1024, 1, 1.0f)},
                                {"model.norm", "BF16", {16}, bfloat16Bytes(16, 2, 0.1f)}}));
    writeFile(m_dir, "model-00002-of-00002.safetensors",
              safetensorsBytes({{"layer.0.weight", "BF16", {32, 32}, bfloat16Bytes(1024, 3, 0.05f)},
                                {"layer.0.bias", "F32", {32}, float32Bytes(32, 4, 0.01f)},
                                {"positions", "I64", {8}, positions}}));
    QJsonObject weightMap;
    for (const char* name : {"model.embed", "model.norm"}) {
        weightMap[name] = "model-00001-of-00002.safetensors";
    }
    for (const char* name : {"layer.0.weight", "layer.0.bias", "positions"}) {
        weightMap[name] = "model-00002-of-00002.safetensors";
    }
    m_index = writeFile(m_dir, "model.safetensors.index.json",
                        QJsonDocument(QJsonObject{{"weight_map", weightMap}}).toJson());
}

QJsonObject TestReport::whole()
{
    const CliResult result =
        runCli({"report", m_index, "--schemes", kSchemes.join(','), "--bits", "3,8", "--json"});
    if (result.exitCode != 0) {
        qWarning("%s", result.err.constData());
    }
    return parseObject(result.out);
}

void TestReport::equalsQuantize()
{
    const QJsonObject report = whole();
    const QJsonArray tensors = report["tensors"].toArray();
    QCOMPARE(tensors.size(), 4);
    for (const auto& item : tensors) {
        const QJsonObject tensor = item.toObject();
        const QJsonArray results = tensor["results"].toArray();
        QCOMPARE(results.size(), 4);
        for (const auto& entry : results) {
            const QJsonObject result = entry.toObject();
            const CliResult single =
                runCli({"quantize", m_index, "--tensor", tensor["name"].toString(), "--scheme",
                        result["scheme"].toString(), "--bits",
                        QString::number(result["bits"].toInt()), "--json"});
            QCOMPARE(single.exitCode, 0);
            const QJsonObject metrics = parseObject(single.out)["metrics"].toObject();
            for (const QString& key : metrics.keys()) {
                QCOMPARE(result[key].toDouble(), metrics[key].toDouble());
            }
            QCOMPARE(result["bpw"].toDouble(), parseObject(single.out)["bpw"].toDouble());
        }
    }
}

void TestReport::integerTensorSkipped()
{
    const QJsonArray skipped = whole()["skipped"].toArray();
    QCOMPARE(skipped.size(), 1);
    QCOMPARE(skipped[0].toObject()["name"].toString(), QStringLiteral("positions"));
    QCOMPARE(skipped[0].toObject()["reason"].toString(),
             QStringLiteral("integer data (int64), not a weight to quantize"));
    const QJsonArray totals = whole()["totals"].toArray();
    QCOMPARE(totals.size(), 4);
    // Bytes at 3 bits of the 1024 + 16 + 1024 + 32 reported parameters, and a float32 scale for
    // each of the 4 tensors.
    QCOMPARE(totals[0].toObject()["bytes"].toDouble(), (2096 * 3 + 4 * 32) / 8.0);
}

void TestReport::granularityAndFormatsEqualQuantize()
{
    // Symmetric per group of 16 values, and MX in every one of its element formats.
    const CliResult result = runCli({"report", m_index, "--schemes", "symmetric,mx", "--bits", "4",
                                     "--group-size", "16", "--json"});
    QCOMPARE(result.exitCode, 0);
    const QJsonObject report = parseObject(result.out);
    QCOMPARE(report["granularity"].toString(), QStringLiteral("per group of 16"));
    for (const auto& item : report["tensors"].toArray()) {
        const QJsonObject tensor = item.toObject();
        QStringList settings;
        for (const auto& entry : tensor["results"].toArray()) {
            const QJsonObject r = entry.toObject();
            QStringList args{"quantize", m_index,
                             "--tensor", tensor["name"].toString(),
                             "--scheme", r["scheme"].toString(),
                             "--json"};
            if (r.contains("variant")) {
                args << "--set"
                     << "format=" + r["variant"].toString();
            } else {
                args << "--bits" << QString::number(r["bits"].toInt()) << "--group-size"
                     << "16";
            }
            settings << (r.contains("variant") ? r["variant"].toString() : "4 bits");
            const CliResult single = runCli(args);
            QCOMPARE(single.exitCode, 0);
            const QJsonObject quantized = parseObject(single.out);
            QCOMPARE(r["mse"].toDouble(), quantized["metrics"].toObject()["mse"].toDouble());
            QCOMPARE(r["bpw"].toDouble(), quantized["bpw"].toDouble());
        }
        QCOMPARE(settings, (QStringList{"4 bits", "fp4", "fp6-e2m3", "fp6-e3m2", "fp8-e4m3",
                                        "fp8-e5m2", "int8"}));
    }
}

void TestReport::shardsMergeIntoWhole()
{
    const CliResult expected =
        runCli({"report", m_index, "--schemes", kSchemes.join(','), "--bits", "3,8", "--json"});
    QStringList parts;
    for (int i = 1; i <= 3; ++i) {
        const QString part = m_dir.filePath(QStringLiteral("part%1.json").arg(i));
        const CliResult result =
            runCli({"report", m_index, "--schemes", kSchemes.join(','), "--bits", "3,8", "--shard",
                    QStringLiteral("%1/3").arg(i), "--json", "--out", part});
        QCOMPARE(result.exitCode, 0);
        parts << part;
    }
    const CliResult merged =
        runCli(QStringList{"report", "--merge"} + parts + QStringList{"--json"});
    QCOMPARE(merged.exitCode, 0);
    QCOMPARE(merged.out, expected.out);

    const CliResult missing = runCli({"report", "--merge", parts[0], parts[2], "--json"});
    QCOMPARE(missing.exitCode, 1);
    QVERIFY2(missing.err.contains("2/3"), missing.err.constData());
}

void TestReport::allocationWithinBudget()
{
    const CliResult result = runCli({"report", m_index, "--schemes", "symmetric", "--bits", "2-8",
                                     "--budget", "4.5", "--scheme", "symmetric", "--json"});
    QCOMPARE(result.exitCode, 0);
    const QJsonObject allocation = parseObject(result.out)["allocation"].toObject();
    QCOMPARE(allocation["scheme"].toString(), QStringLiteral("symmetric"));
    QVERIFY(allocation["average_bits"].toDouble() <= 4.5);
    QVERIFY(allocation["proven_optimal"].toBool());
    QCOMPARE(allocation["tensors"].toArray().size(), 4);
    QCOMPARE(allocation["uniform"].toObject()["bits"].toInt(), 4);
    // Never worse than the uniform choice, which is one of the allocations it considered.
    QVERIFY(allocation["gain_db"].toDouble() >= 0.0);
}

void TestReport::csvRows()
{
    const CliResult result =
        runCli({"report", m_index, "--schemes", kSchemes.join(','), "--bits", "3,8", "--csv"});
    QCOMPARE(result.exitCode, 0);
    QCOMPARE(result.out.count('\n'), 1 + 4 * 2 * 2);
    QVERIFY(result.out.startsWith("tensor,shape,dtype,count,scheme,bits,variant,bpw,mse,"));
}

void TestReport::errorsWriteNothing()
{
    const QString out = m_dir.filePath(QStringLiteral("never.json"));
    QCOMPARE(runCli({"report", m_index, "--budget", "4", "--out", out}).exitCode, 2);
    QCOMPARE(runCli({"report", m_index, "--shard", "3/2", "--out", out}).exitCode, 2);
    QCOMPARE(runCli({"report", m_index, "--schemes", "nope", "--out", out}).exitCode, 2);
    QCOMPARE(runCli({"report", m_index, "--tensors", "(", "--out", out}).exitCode, 2);
    QCOMPARE(runCli({"report", m_index, "--budget", "0.5", "--scheme", "symmetric", "--out", out})
                 .exitCode,
             1);
    QVERIFY(!QFile::exists(out));
    QCOMPARE(runCli({"report", m_index, "--out", m_dir.filePath("no/dir/r.json")}).exitCode, 1);
}

QTEST_APPLESS_MAIN(TestReport)
#include "tst_report.moc"
