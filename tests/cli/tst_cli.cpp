// End-to-end tests of quantscope-cli: the binary is run with QProcess on files written here, and
// its JSON/CSV output is checked against direct computations over the same data.

#include "quantscope/apply.h"
#include "quantscope/demo.h"
#include "quantscope/distribution.h"
#include "quantscope/npy.h"
#include "quantscope/scheme.h"
#include "quantscope/schemes/mx.h"
#include "quantscope/tensor.h"
#include "quantscope/tensor_file.h"

#include "../support/cli_runner.h"
#include "../support/direct_metrics.h"
#include "../support/test_files.h"

#include <QtTest>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <vector>

using namespace quantscope;
using quantscope::test::CliResult;
using quantscope::test::parseObject;
using quantscope::test::runCli;

Q_DECLARE_METATYPE(std::vector<float>)
Q_DECLARE_METATYPE(quantscope::Shape)
Q_DECLARE_METATYPE(std::vector<int>)

namespace {

// Statistics from the Distribution's compensated sums against a plain double pass over a few
// values: both are accurate to a few ulps.
constexpr double kStatsRelTolerance = 1e-12;
// Exact metrics against a direct pass over the data (both in double on float32 inputs).
constexpr double kMetricRelTolerance = 1e-9;
// Quantities the linear schemes compute in float32, as PyTorch does.
constexpr double kFloat32RelTolerance = 1e-6;
// Seed 002 prints its values with 6 decimals.
constexpr double kSeedPrintTolerance = 5e-7;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

bool closeTo(double actual, double expected, double relTolerance)
{
    return std::abs(actual - expected) <= relTolerance * std::max(1.0, std::abs(expected));
}

std::vector<double> toDoubles(const QJsonValue& value)
{
    std::vector<double> out;
    for (const auto& v : value.toArray()) {
        out.push_back(v.toDouble());
    }
    return out;
}

qint64 product(const Shape& shape)
{
    return std::accumulate(shape.begin(), shape.end(), qint64{1}, std::multiplies<qint64>());
}

// Population statistics of the finite values, the plain way.
struct DirectStats {
    qint64 count = 0;
    qint64 nonFinite = 0;
    double min = 0.0, max = 0.0, mean = 0.0, stddev = 0.0;
};

DirectStats directStats(const std::vector<float>& values)
{
    DirectStats s;
    double sum = 0.0;
    s.min = std::numeric_limits<double>::infinity();
    s.max = -std::numeric_limits<double>::infinity();
    for (float v : values) {
        if (!std::isfinite(v)) {
            ++s.nonFinite;
            continue;
        }
        ++s.count;
        sum += v;
        s.min = std::min<double>(s.min, v);
        s.max = std::max<double>(s.max, v);
    }
    if (s.count == 0) {
        return s;
    }
    s.mean = sum / static_cast<double>(s.count);
    double squares = 0.0;
    for (float v : values) {
        if (std::isfinite(v)) {
            squares += (v - s.mean) * (v - s.mean);
        }
    }
    s.stddev = std::sqrt(squares / static_cast<double>(s.count));
    return s;
}

// A codebook as the JSON reports it, applied the plain way: Q(x) = levels[#thresholds <= x].
struct JsonCodebook {
    std::vector<double> thresholds;
    std::vector<double> levels;

    explicit JsonCodebook(const QJsonObject& object)
        : thresholds(toDoubles(object["thresholds"]))
        , levels(toDoubles(object["levels"]))
    {
    }
    std::size_t index(float x) const
    {
        return static_cast<std::size_t>(
            std::upper_bound(thresholds.begin(), thresholds.end(), static_cast<double>(x)) -
            thresholds.begin());
    }
};

struct DirectMetrics {
    double mse = 0.0, sqnrDb = 0.0, maxAbsError = 0.0, meanError = 0.0, entropyBits = 0.0;
    double clippedFraction = 0.0;
    int levelsUsed = 0;
    double sumSquaredError = 0.0;
};

// Metrics of one codebook per slice; `sliceOf(i)` names the codebook of element i.
template <typename SliceOf>
DirectMetrics directMetrics(const std::vector<float>& values,
                            const std::vector<JsonCodebook>& codebooks, SliceOf sliceOf,
                            const std::vector<std::vector<std::int64_t>>& codesOfLevels)
{
    DirectMetrics m;
    double signal = 0.0, error = 0.0;
    std::int64_t count = 0, clipped = 0;
    std::map<std::int64_t, std::int64_t> population;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const float x = values[i];
        if (!std::isfinite(x)) {
            continue;
        }
        const std::size_t s = sliceOf(i);
        const JsonCodebook& codebook = codebooks[s];
        const std::size_t k = codebook.index(x);
        const double e = codebook.levels[k] - static_cast<double>(x);
        ++count;
        signal += static_cast<double>(x) * x;
        m.sumSquaredError += e * e;
        error += e;
        m.maxAbsError = std::max(m.maxAbsError, std::abs(e));
        // Overload region: beyond an outer level by more than its inner half-cell.
        const double low = codebook.thresholds.empty()
                               ? codebook.levels.front()
                               : 2 * codebook.levels.front() - codebook.thresholds.front();
        const double high = codebook.thresholds.empty()
                                ? codebook.levels.back()
                                : 2 * codebook.levels.back() - codebook.thresholds.back();
        clipped += (x < low || x > high) ? 1 : 0;
        ++population[codesOfLevels[s][k]];
    }
    const auto n = static_cast<double>(count);
    m.mse = m.sumSquaredError / n;
    m.sqnrDb = 10.0 * std::log10(signal / m.sumSquaredError);
    m.meanError = error / n;
    m.clippedFraction = static_cast<double>(clipped) / n;
    for (const auto& [code, c] : population) {
        const double p = static_cast<double>(c) / n;
        m.entropyBits -= p * std::log2(p);
    }
    m.levelsUsed = static_cast<int>(population.size());
    return m;
}

// The integer code of each level of a linear codebook: qmin, qmin + 1, ...
std::vector<std::int64_t> linearCodes(const QJsonObject& codebook)
{
    std::vector<std::int64_t> codes;
    const auto qmin = static_cast<std::int64_t>(codebook["qmin"].toDouble());
    const auto qmax = static_cast<std::int64_t>(codebook["qmax"].toDouble());
    for (std::int64_t q = qmin; q <= qmax; ++q) {
        codes.push_back(q);
    }
    return codes;
}

// A row of a (args, exitCode, mentions) table.
void addCase(const char* name, const QStringList& args, int exitCode, const QString& mentions)
{
    QTest::newRow(name) << args << exitCode << mentions;
}

void writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(bytes), bytes.size());
}

// A safetensors file with float32 tensors.
QByteArray safetensors(const std::vector<std::pair<QString, std::vector<float>>>& tensors)
{
    QList<test::SafetensorsEntry> entries;
    for (const auto& [name, values] : tensors) {
        entries.append({name,
                        "F32",
                        {qint64(values.size())},
                        QByteArray(reinterpret_cast<const char*>(values.data()),
                                   qsizetype(values.size() * sizeof(float)))});
    }
    return test::safetensorsBytes(entries);
}

// Seed 002: W·A + B with symmetric int8 quantization.
const std::vector<float> kSeedWeights = {-23.543f, 8.533f, 1.012f, -12.4756f, 34.53f};
const std::vector<float> kSeedActivations = {0.32432f, 1.123213f, 0.234324f, 5.234234f, 4.234323f};

} // namespace

class TestCli : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    void helpAndUsage_data();
    void helpAndUsage();

    void infoDemo();
    void infoNpy_data();
    void infoNpy();
    void infoEscapesNames();

    void quantizeSymmetricHandChecked();
    void quantizeDemoContract();
    void quantizeAllZeros();
    void quantizeSlices_data();
    void quantizeSlices();
    void quantizeWholeGroupEqualsPerTensor();
    void quantizeBlockScheme();
    void quantizeGgmlTypes();

    void quantizeChoiceByName();
    void quantizeStep();
    void optionSpellings();

    void compareMatchesQuantize();

    void benchReport();
    void benchOnFile();
    void quantizeStreamsLargeOutputs();

    void linearSeed002();

    void errors_data();
    void errors();
    void failedCommandLeavesNoOutput_data();
    void failedCommandLeavesNoOutput();
    void multiTensorFile();
    void exportRoundTrips();
    void skippedTensors();

private:
    QString path(const QString& name) const { return m_dir.filePath(name); }
    QString writeNpyFile(const QString& name, const Shape& shape, const std::vector<float>& v)
    {
        const QString file = path(name);
        writeNpy(file.toStdString(), shape, std::span<const float>(v));
        return file;
    }

    QTemporaryDir m_dir;
};

void TestCli::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFile::exists(QStringLiteral(QUANTSCOPE_CLI)), QUANTSCOPE_CLI);
}

void TestCli::helpAndUsage_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("mentions");

    addCase("top-level help", QStringList{"--help"}, 0, "compare");
    addCase("no command", QStringList{}, 2, "usage");
    addCase("info help lists demos", QStringList{"info", "--help"}, 0, "outliers");
    addCase("info help lists schemes", QStringList{"info", "--help"}, 0, "asymmetric");
    addCase("quantize help", QStringList{"quantize", "--help"}, 0, "--dequant-out");
    addCase("compare help", QStringList{"compare", "-h"}, 0, "--csv");
    addCase("bench help", QStringList{"bench", "--help"}, 0, "--elements");
    addCase("linear help", QStringList{"linear", "--help"}, 0, "--activations");
}

void TestCli::helpAndUsage()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, mentions);
    const CliResult result = runCli(args);
    QCOMPARE(result.exitCode, exitCode);
    const QByteArray text = exitCode == 0 ? result.out : result.err;
    QVERIFY2(text.contains(mentions.toUtf8()), text.constData());
}

void TestCli::infoDemo()
{
    const CliResult result = runCli({"info", "demo:gaussian", "--json"});
    QCOMPARE(result.exitCode, 0);
    QVERIFY(result.err.isEmpty());
    const QJsonObject root = parseObject(result.out);
    QCOMPARE(root["file"].toString(), QStringLiteral("demo:gaussian"));
    const QJsonArray tensors = root["tensors"].toArray();
    QCOMPARE(tensors.size(), 1);
    const QJsonObject t = tensors[0].toObject();
    for (const char* key :
         {"name", "shape", "dtype", "count", "nonfinite", "min", "max", "mean", "std"}) {
        QVERIFY2(t.contains(QLatin1String(key)), key);
    }
    Shape shape;
    for (const auto& d : t["shape"].toArray()) {
        shape.push_back(d.toInteger());
    }
    QCOMPARE(t["count"].toInteger() + t["nonfinite"].toInteger(), product(shape));
    QVERIFY(t["min"].toDouble() <= t["mean"].toDouble());
    QVERIFY(t["mean"].toDouble() <= t["max"].toDouble());
    QVERIFY(t["std"].toDouble() >= 0.0);

    // The same tensor, generated here, computed the plain way.
    const Tensor demo = makeDemoTensor("gaussian");
    QCOMPARE(shape, demo.shape());
    const DirectStats s =
        directStats(std::vector<float>(demo.values().begin(), demo.values().end()));
    QCOMPARE(t["count"].toInteger(), s.count);
    QCOMPARE(t["min"].toDouble(), s.min);
    QCOMPARE(t["max"].toDouble(), s.max);
    // A plain double sum of 10^6 values drifts by ~1e-16 · sqrt(n) relative to the exact sum.
    constexpr double kLargeSumTolerance = 1e-9;
    QVERIFY(closeTo(t["mean"].toDouble(), s.mean, kLargeSumTolerance));
    QVERIFY(closeTo(t["std"].toDouble(), s.stddev, kLargeSumTolerance));

    const CliResult text = runCli({"info", "demo:gaussian"});
    QCOMPARE(text.exitCode, 0);
    QVERIFY(text.out.contains("gaussian"));
    QVERIFY(text.out.contains("nonfinite"));
}

void TestCli::infoNpy_data()
{
    QTest::addColumn<Shape>("shape");
    QTest::addColumn<std::vector<float>>("values");

    QTest::newRow("mixed with NaN and Inf")
        << Shape{2, 3} << std::vector<float>{1.5f, -2.25f, kNaN, 3.0f, kInf, 0.125f};
    QTest::newRow("constant") << Shape{4} << std::vector<float>{0.7f, 0.7f, 0.7f, 0.7f};
    QTest::newRow("one element") << Shape{1, 1, 1} << std::vector<float>{-3.5f};
    QTest::newRow("negative") << Shape{5}
                              << std::vector<float>{-1e-3f, -2.0f, -7.25f, -0.5f, -1e5f};
    QTest::newRow("scalar") << Shape{} << std::vector<float>{42.0f};
}

void TestCli::infoNpy()
{
    QFETCH(Shape, shape);
    QFETCH(std::vector<float>, values);
    const QString file = writeNpyFile(QStringLiteral("info.npy"), shape, values);
    const CliResult result = runCli({"info", file, "--json"});
    QCOMPARE(result.exitCode, 0);
    const QJsonObject root = parseObject(result.out);
    QCOMPARE(root["file"].toString(), file);
    const QJsonObject t = root["tensors"].toArray()[0].toObject();
    QCOMPARE(t["name"].toString(), QStringLiteral("info"));
    QCOMPARE(t["dtype"].toString(), QStringLiteral("float32"));
    QCOMPARE(t["shape"].toArray().size(), static_cast<qsizetype>(shape.size()));
    const DirectStats s = directStats(values);
    QCOMPARE(t["count"].toInteger(), s.count);
    QCOMPARE(t["nonfinite"].toInteger(), s.nonFinite);
    QCOMPARE(t["count"].toInteger() + t["nonfinite"].toInteger(), product(shape));
    QCOMPARE(t["min"].toDouble(), s.min);
    QCOMPARE(t["max"].toDouble(), s.max);
    QVERIFY(closeTo(t["mean"].toDouble(), s.mean, kStatsRelTolerance));
    QVERIFY(closeTo(t["std"].toDouble(), s.stddev, kStatsRelTolerance));
    QVERIFY(t["min"].toDouble() <= t["mean"].toDouble());
    QVERIFY(t["mean"].toDouble() <= t["max"].toDouble());
}

// Quotes, backslashes, tabs, control characters and non-ASCII text in a file name survive the JSON
// round trip; a tensor without finite values has null statistics.
void TestCli::infoEscapesNames()
{
    const QString name = QStringLiteral("we\"ird\\na\tme\u0001 \u00e9\u4e2d.npy");
    const QString file = writeNpyFile(name, Shape{2}, {kNaN, -kInf});
    const CliResult result = runCli({"info", file, "--json"});
    QCOMPARE(result.exitCode, 0);
    const QJsonObject root = parseObject(result.out);
    QCOMPARE(root["file"].toString(), file);
    const QJsonObject t = root["tensors"].toArray()[0].toObject();
    QCOMPARE(t["name"].toString(), name.chopped(4));
    QCOMPARE(t["count"].toInteger(), qint64{0});
    QCOMPARE(t["nonfinite"].toInteger(), qint64{2});
    for (const char* key : {"min", "max", "mean", "std"}) {
        QVERIFY2(t[QLatin1String(key)].isNull(), key);
    }
}

void TestCli::quantizeSymmetricHandChecked()
{
    // max|x| = 1.27, so scale = 0.01 and the codes are x / 0.01 rounded (no ties).
    const std::vector<float> values = {-1.27f, -0.5f, 0.0f, 0.3f, 0.7f, 1.27f, 0.052f, -0.904f};
    const std::vector<std::int32_t> expectedCodes = {-127, -50, 0, 30, 70, 127, 5, -90};
    const QString input = writeNpyFile(QStringLiteral("hand.npy"), Shape{2, 4}, values);
    const QString dequantOut = path(QStringLiteral("hand_dequant.npy"));
    const QString codesOut = path(QStringLiteral("hand_codes.npy"));
    const CliResult result =
        runCli({"quantize", input, "--scheme", "symmetric", "--bits", "8", "--json",
                "--dequant-out", dequantOut, "--codes-out", codesOut});
    QCOMPARE(result.exitCode, 0);
    const QJsonObject root = parseObject(result.out);
    QCOMPARE(root["tensor"].toString(), QStringLiteral("hand"));
    QCOMPARE(root["scheme"].toString(), QStringLiteral("symmetric"));
    QCOMPARE(root["params"].toObject()["bits"].toDouble(), 8.0);

    const QJsonObject codebook = root["codebook"].toObject();
    const double scale = codebook["scale"].toDouble();
    QVERIFY2(closeTo(scale, 1.27f / 127.0, kFloat32RelTolerance),
             qPrintable(QString::number(scale)));
    QCOMPARE(codebook["zero_point"].toInteger(), qint64{0});
    QCOMPARE(codebook["qmin"].toInteger(), qint64{-127});
    QCOMPARE(codebook["qmax"].toInteger(), qint64{127});
    const JsonCodebook cb(codebook);
    QCOMPARE(cb.levels.size(), std::size_t{255});
    QCOMPARE(cb.thresholds.size(), std::size_t{254});
    for (std::size_t k = 0; k < cb.levels.size(); ++k) {
        const double expected = (static_cast<double>(k) - 127.0) * scale;
        QVERIFY2(closeTo(cb.levels[k], expected, kFloat32RelTolerance),
                 qPrintable(QString::number(k)));
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
        QCOMPARE(static_cast<std::int32_t>(cb.index(values[i])) - 127, expectedCodes[i]);
    }

    const QJsonObject metrics = root["metrics"].toObject();
    const DirectMetrics m = directMetrics(values, {cb}, [](std::size_t) { return std::size_t{0}; },
                                          {linearCodes(codebook)});
    QVERIFY(closeTo(metrics["mse"].toDouble(), m.mse, kMetricRelTolerance));
    QVERIFY(closeTo(metrics["rmse"].toDouble(), std::sqrt(m.mse), kMetricRelTolerance));
    QVERIFY(closeTo(metrics["sqnr_db"].toDouble(), m.sqnrDb, kMetricRelTolerance));
    QVERIFY(closeTo(metrics["max_abs_error"].toDouble(), m.maxAbsError, kMetricRelTolerance));
    QVERIFY(closeTo(metrics["mean_error"].toDouble(), m.meanError, kMetricRelTolerance));
    QVERIFY(closeTo(metrics["entropy_bits"].toDouble(), m.entropyBits, kMetricRelTolerance));
    QCOMPARE(metrics["entropy_bits"].toDouble(), 3.0); // eight values, eight distinct codes
    QCOMPARE(metrics["clipped_fraction"].toDouble(), m.clippedFraction);
    QCOMPARE(metrics["levels_used"].toInt(), 8);
    QVERIFY(!metrics.contains("weighted_entropy"));

    // The exports equal the JSON codebook applied here.
    const Tensor dequant = readNpy(dequantOut.toStdString());
    const Tensor codes = readNpy(codesOut.toStdString());
    QCOMPARE(dequant.shape(), (Shape{2, 4}));
    QCOMPARE(codes.shape(), (Shape{2, 4}));
    QCOMPARE(codes.sourceDtype(), std::string("int32"));
    for (std::size_t i = 0; i < values.size(); ++i) {
        QCOMPARE(static_cast<std::int32_t>(codes.values()[i]), expectedCodes[i]);
        QVERIFY(dequant.values()[i] == static_cast<float>(cb.levels[cb.index(values[i])]));
    }

    const CliResult text = runCli({"quantize", input, "--scheme", "symmetric", "--bits", "8"});
    QCOMPARE(text.exitCode, 0);
    QVERIFY(text.out.contains("levels_used"));
    QVERIFY(text.out.contains("scale"));
}

// The DESIGN contract's example command prints the contract's JSON.
void TestCli::quantizeDemoContract()
{
    const CliResult result =
        runCli({"quantize", "demo:gaussian", "--scheme", "symmetric", "--bits", "8", "--json"});
    QCOMPARE(result.exitCode, 0);
    const QJsonObject root = parseObject(result.out);
    for (const char* key : {"tensor", "scheme", "params", "codebook", "metrics"}) {
        QVERIFY2(root.contains(QLatin1String(key)), key);
    }
    const QJsonObject codebook = root["codebook"].toObject();
    for (const char* key : {"thresholds", "levels", "scale", "zero_point", "qmin", "qmax"}) {
        QVERIFY2(codebook.contains(QLatin1String(key)), key);
    }
    const QJsonObject metrics = root["metrics"].toObject();
    for (const char* key : {"mse", "rmse", "sqnr_db", "max_abs_error", "mean_error", "entropy_bits",
                            "clipped_fraction", "levels_used"}) {
        QVERIFY2(metrics.contains(QLatin1String(key)), key);
    }
    const Tensor demo = makeDemoTensor("gaussian");
    double maxAbs = 0.0;
    for (float v : demo.values()) {
        maxAbs = std::max(maxAbs, std::abs(static_cast<double>(v)));
    }
    QVERIFY(closeTo(codebook["scale"].toDouble(), maxAbs / 127.0, kFloat32RelTolerance));
    QCOMPARE(metrics["clipped_fraction"].toDouble(), 0.0);
    // Uniform quantization noise: mse ≈ scale² / 12 for a smooth density.
    constexpr double kNoiseModelTolerance = 0.05;
    const double scale = codebook["scale"].toDouble();
    QVERIFY(closeTo(metrics["mse"].toDouble() / (scale * scale / 12.0), 1.0, kNoiseModelTolerance));
}

void TestCli::quantizeAllZeros()
{
    const QString input = writeNpyFile(QStringLiteral("zeros.npy"), Shape{3}, {0.0f, 0.0f, 0.0f});
    const CliResult result =
        runCli({"quantize", input, "--scheme", "symmetric", "--bits", "4", "--json"});
    QCOMPARE(result.exitCode, 0);
    const QJsonObject metrics = parseObject(result.out)["metrics"].toObject();
    QCOMPARE(metrics["mse"].toDouble(), 0.0);
    QVERIFY(metrics["sqnr_db"].isNull());
    QCOMPARE(metrics["levels_used"].toInt(), 1);
}

// One codebook per slice: each row names the slice of every element (C order), written out by
// hand, so the slicing is checked independently of the code under test.
void TestCli::quantizeSlices_data()
{
    QTest::addColumn<Shape>("shape");
    QTest::addColumn<QStringList>("option");
    QTest::addColumn<std::vector<int>>("sliceOf");

    QTest::newRow("rows, axis 0") << Shape{3, 4} << QStringList{"--per-channel", "0"}
                                  << std::vector<int>{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2};
    QTest::newRow("columns, axis -1") << Shape{3, 4} << QStringList{"--per-channel", "-1"}
                                      << std::vector<int>{0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3};
    QTest::newRow("middle axis") << Shape{2, 3, 2} << QStringList{"--per-channel", "1"}
                                 << std::vector<int>{0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2};
    QTest::newRow("groups of 3, rows of 5") << Shape{2, 5} << QStringList{"--group-size", "3"}
                                            << std::vector<int>{0, 0, 0, 1, 1, 2, 2, 2, 3, 3};
    QTest::newRow("groups of 2, 1-D")
        << Shape{6} << QStringList{"--group-size", "2"} << std::vector<int>{0, 0, 1, 1, 2, 2};
}

void TestCli::quantizeSlices()
{
    QFETCH(Shape, shape);
    QFETCH(QStringList, option);
    QFETCH(std::vector<int>, sliceOf);
    // Magnitudes differing per element, so every slice gets its own scale.
    std::vector<float> values;
    for (std::size_t i = 0; i < sliceOf.size(); ++i) {
        values.push_back(static_cast<float>(std::sin(1.7 * i + 0.3) * (1.0 + i)));
    }
    const QString input = writeNpyFile(QStringLiteral("slices.npy"), shape, values);
    const QString dequantOut = path(QStringLiteral("slices_dequant.npy"));
    const QString codesOut = path(QStringLiteral("slices_codes.npy"));
    const CliResult result =
        runCli(QStringList{"quantize", input, "--scheme", "symmetric", "--bits", "4", "--json",
                           "--dequant-out", dequantOut, "--codes-out", codesOut} +
               option);
    QCOMPARE(result.exitCode, 0);
    const QJsonObject root = parseObject(result.out);
    QVERIFY(!root.contains("codebook"));
    const QJsonArray codebooks = root["codebooks"].toArray();
    const int sliceCount = *std::max_element(sliceOf.begin(), sliceOf.end()) + 1;
    QCOMPARE(codebooks.size(), sliceCount);

    std::vector<double> sliceMax(static_cast<std::size_t>(sliceCount), 0.0);
    for (std::size_t i = 0; i < values.size(); ++i) {
        double& m = sliceMax[static_cast<std::size_t>(sliceOf[i])];
        m = std::max(m, std::abs(static_cast<double>(values[i])));
    }
    std::vector<JsonCodebook> cbs;
    std::vector<std::vector<std::int64_t>> codes;
    for (int s = 0; s < sliceCount; ++s) {
        const QJsonObject cb = codebooks[s].toObject();
        QVERIFY(closeTo(cb["scale"].toDouble(), sliceMax[static_cast<std::size_t>(s)] / 7.0,
                        kFloat32RelTolerance));
        cbs.emplace_back(cb);
        codes.push_back(linearCodes(cb));
    }
    const auto slice = [&](std::size_t i) { return static_cast<std::size_t>(sliceOf[i]); };
    const DirectMetrics m = directMetrics(values, cbs, slice, codes);
    const QJsonObject metrics = root["metrics"].toObject();
    QVERIFY(closeTo(metrics["mse"].toDouble(), m.mse, kMetricRelTolerance));
    QVERIFY(closeTo(metrics["sqnr_db"].toDouble(), m.sqnrDb, kMetricRelTolerance));
    QVERIFY(closeTo(metrics["max_abs_error"].toDouble(), m.maxAbsError, kMetricRelTolerance));
    QVERIFY(closeTo(metrics["mean_error"].toDouble(), m.meanError, kMetricRelTolerance));
    QVERIFY(closeTo(metrics["entropy_bits"].toDouble(), m.entropyBits, kMetricRelTolerance));
    QCOMPARE(metrics["clipped_fraction"].toDouble(), m.clippedFraction);
    QCOMPARE(metrics["levels_used"].toInt(), m.levelsUsed);
    // 4-bit codes and one float32 scale per slice.
    QVERIFY(closeTo(root["bpw"].toDouble(), 4.0 + 32.0 * sliceCount / double(values.size()),
                    kMetricRelTolerance));

    const Tensor dequant = readNpy(dequantOut.toStdString());
    const Tensor codeTensor = readNpy(codesOut.toStdString());
    QCOMPARE(dequant.shape(), shape);
    QCOMPARE(codeTensor.shape(), shape);
    for (std::size_t i = 0; i < values.size(); ++i) {
        const JsonCodebook& cb = cbs[slice(i)];
        const std::size_t k = cb.index(values[i]);
        QVERIFY(dequant.values()[i] == static_cast<float>(cb.levels[k]));
        QCOMPARE(static_cast<std::int64_t>(codeTensor.values()[i]), codes[slice(i)][k]);
    }
}

// A single group spanning the whole tensor is the per-tensor codebook, with the same metrics.
void TestCli::quantizeWholeGroupEqualsPerTensor()
{
    const std::vector<float> values = {0.3f, -1.1f, 2.2f, 0.0f, 0.45f, -0.05f, 1.7f};
    const QString input = writeNpyFile(QStringLiteral("group.npy"), Shape{7}, values);
    const QStringList base = {"quantize", input, "--scheme", "asymmetric", "--bits", "3", "--json"};
    const CliResult whole = runCli(base);
    const CliResult grouped = runCli(base + QStringList{"--group-size", "7"});
    QCOMPARE(whole.exitCode, 0);
    QCOMPARE(grouped.exitCode, 0);
    const QJsonObject a = parseObject(whole.out);
    const QJsonObject b = parseObject(grouped.out);
    QCOMPARE(b["codebooks"].toArray().size(), 1);
    QCOMPARE(b["codebooks"].toArray()[0].toObject(), a["codebook"].toObject());
    const QJsonObject ma = a["metrics"].toObject();
    const QJsonObject mb = b["metrics"].toObject();
    for (const char* key : {"mse", "sqnr_db", "max_abs_error", "mean_error", "entropy_bits",
                            "clipped_fraction", "levels_used"}) {
        QVERIFY2(closeTo(mb[QLatin1String(key)].toDouble(), ma[QLatin1String(key)].toDouble(),
                         kMetricRelTolerance),
                 key);
    }
    // Groups of 3 along the last axis: 3 codebooks (the last of one element).
    const CliResult threes = runCli(base + QStringList{"--group-size", "3"});
    QCOMPARE(threes.exitCode, 0);
    QCOMPARE(parseObject(threes.out)["codebooks"].toArray().size(), 3);
}

// A block-scaled scheme: its own blocks (no codebooks), the true bits per weight, and outputs
// that equal the block-by-block reference; the reported metrics equal a direct pass over them.
void TestCli::quantizeBlockScheme()
{
    std::vector<float> values;
    for (int i = 0; i < 4 * 64; ++i) {
        values.push_back(static_cast<float>(std::sin(0.9 * i) * std::exp(0.02 * (i % 64))));
    }
    const QString input = writeNpyFile(QStringLiteral("mx.npy"), Shape{4, 64}, values);
    const QString dequantOut = path(QStringLiteral("mx_dequant.npy"));
    const QString codesOut = path(QStringLiteral("mx_codes.npy"));
    const CliResult result =
        runCli({"quantize", input, "--scheme", "mx", "--set", "format=fp4", "--json",
                "--dequant-out", dequantOut, "--codes-out", codesOut});
    QCOMPARE(result.exitCode, 0);
    const QJsonObject root = parseObject(result.out);
    QCOMPARE(root["bpw"].toDouble(), 4.25);
    QCOMPARE(root["block_size"].toInt(), 32);
    QCOMPARE(root["block_count"].toInt(), 8);
    QVERIFY(!root.contains("codebook") && !root.contains("codebooks"));
    const QJsonArray scales = root["block_scales"].toArray();
    QCOMPARE(scales.size(), 8);

    const Tensor dequant = readNpy(dequantOut.toStdString());
    const Tensor codes = readNpy(codesOut.toStdString());
    std::vector<std::int32_t> codeValues;
    for (float c : codes.values()) {
        codeValues.push_back(static_cast<std::int32_t>(c));
    }
    const MxElementFormat& fp4 = mxElementFormat(MxElement::Fp4);
    for (int b = 0; b < 8; ++b) {
        std::vector<float> dq(32);
        std::vector<std::int32_t> c(32);
        const int exponent = mxQuantizeBlockReference(std::span(values).subspan(32 * b, 32), fp4,
                                                      MxScaleRule::Floor, dq, c);
        QCOMPARE(scales[b].toDouble(), std::ldexp(1.0, exponent));
        for (int i = 0; i < 32; ++i) {
            QVERIFY(dequant.values()[32 * b + i] == dq[i]);
            QCOMPARE(codeValues[32 * b + i], c[i]);
        }
    }
    const test::DirectMetrics direct = test::directMetrics(values, dequant.values(), codeValues);
    const QJsonObject metrics = root["metrics"].toObject();
    QVERIFY(closeTo(metrics["mse"].toDouble(), direct.mse, kMetricRelTolerance));
    QVERIFY(closeTo(metrics["sqnr_db"].toDouble(), direct.sqnrDb, kMetricRelTolerance));
    QCOMPARE(metrics["max_abs_error"].toDouble(), direct.maxAbsError);
    QVERIFY(closeTo(metrics["entropy_bits"].toDouble(), direct.entropyBits, kMetricRelTolerance));
    QCOMPARE(metrics["levels_used"].toInt(), direct.levelsUsed);

    // --bits 4 is MXFP4; mx brings its own blocks.
    const CliResult byBits = runCli({"quantize", input, "--scheme", "mx", "--bits", "4", "--json"});
    QCOMPARE(parseObject(byBits.out)["metrics"], root["metrics"]);
    const CliResult noVariant = runCli({"quantize", input, "--scheme", "mx", "--bits", "5"});
    QCOMPARE(noVariant.exitCode, 2);
    QVERIFY(noVariant.err.contains("5-bit"));
    const CliResult grouped =
        runCli({"quantize", input, "--scheme", "nvfp4", "--group-size", "16"});
    QCOMPARE(grouped.exitCode, 2);
    QVERIFY(grouped.err.contains("per-group"));
}

// ggml's types from the command line: `--set type=NAME` gives ggml's own values of the
// reference rows (tests/data/ggml_scheme), bit for bit; rows that are not whole blocks exit 2.
void TestCli::quantizeGgmlTypes()
{
    const QString reference = QUANTSCOPE_TEST_DATA "/ggml_scheme/ggml_scheme.gguf";
    const auto expectedFile = openTensorFile(reference.toStdString());
    for (const char* type : {"q4_0", "q8_0", "q4_K", "q6_K", "iq4_xs"}) {
        const QString dequantOut = path(QStringLiteral("ggml_%1.npy").arg(type));
        const CliResult result =
            runCli({"quantize", reference, "--tensor", "input", "--scheme", "ggml", "--set",
                    QStringLiteral("type=%1").arg(type), "--json", "--dequant-out", dequantOut});
        QCOMPARE(result.exitCode, 0);
        const QJsonObject root = parseObject(result.out);
        QCOMPARE(root["block_count"].toInt(), 4 * 256 / root["block_size"].toInt());
        const Tensor dequant = readNpy(dequantOut.toStdString());
        const Tensor expected = expectedFile->load(type);
        QCOMPARE(dequant.size(), expected.size());
        QVERIFY2(std::memcmp(dequant.values().data(), expected.values().data(),
                             expected.values().size_bytes()) == 0,
                 type);
    }
    const QString partial =
        writeNpyFile(QStringLiteral("ggml_partial.npy"), Shape{2, 96}, std::vector<float>(192));
    const CliResult refused =
        runCli({"quantize", partial, "--scheme", "ggml", "--set", "type=q4_K"});
    QCOMPARE(refused.exitCode, 2);
    QVERIFY2(refused.err.contains("whole blocks of 256"), qPrintable(refused.err));
    QVERIFY(runCli({"quantize", partial, "--scheme", "ggml", "--set", "type=q4_0"}).exitCode == 0);
}

// A choice parameter set by the word before its colon equals the same choice set by index.
void TestCli::quantizeChoiceByName()
{
    for (const auto& scheme : allSchemes()) {
        for (const ParamSpec& spec : scheme->paramSpecs()) {
            if (spec.kind != ParamKind::Choice || spec.choices.size() < 2) {
                continue;
            }
            const std::string& choice = spec.choices[1];
            const QString word = QString::fromStdString(choice.substr(0, choice.find(':')));
            const QString name = QString::fromStdString(spec.name);
            const QStringList base = {"quantize", "demo:laplacian", "--scheme",
                                      QString::fromStdString(scheme->id()), "--json"};
            const CliResult byName = runCli(base + QStringList{"--set", name + "=" + word});
            const CliResult byIndex = runCli(base + QStringList{"--set", name + "=1"});
            QCOMPARE(byName.exitCode, 0);
            QCOMPARE(byIndex.exitCode, 0);
            QCOMPARE(parseObject(byName.out)["params"].toObject()[name].toDouble(), 1.0);
            QCOMPARE(byName.out, byIndex.out);
            return;
        }
    }
    QSKIP("no scheme has a choice parameter");
}

// `--step S` sets the scale of a uniform scheme exactly; the clip range follows, so a smaller step
// clips more values (counted here from the demo's values directly).
void TestCli::quantizeStep()
{
    const CliResult exact = runCli({"quantize", "demo:gaussian", "--scheme", "symmetric", "--bits",
                                    "8", "--step", "0.0025", "--json"});
    QCOMPARE(exact.exitCode, 0);
    const QJsonObject root = parseObject(exact.out);
    QCOMPARE(root["codebook"].toObject()["scale"].toDouble(), 0.0025);
    QCOMPARE(root["params"].toObject()["step"].toDouble(), 0.0025);

    const Tensor demo = makeDemoTensor("gaussian");
    double previous = -1.0;
    for (const char* step : {"0.001", "0.0005", "0.0002"}) {
        const CliResult result = runCli({"quantize", "demo:gaussian", "--scheme", "symmetric",
                                         "--bits", "8", "--step", step, "--json"});
        QCOMPARE(result.exitCode, 0);
        const double clipped =
            parseObject(result.out)["metrics"].toObject()["clipped_fraction"].toDouble();
        const float inverse = 1.0f / std::stof(step);
        qint64 beyond = 0;
        for (float v : demo.values()) {
            beyond += std::abs(std::nearbyint(v * inverse)) > 127.0f;
        }
        QCOMPARE(clipped, double(beyond) / double(demo.size()));
        QVERIFY2(clipped > previous, step);
        previous = clipped;
    }
    QVERIFY(previous > 0.0);
    const CliResult bad =
        runCli({"quantize", "demo:gaussian", "--scheme", "symmetric", "--step", "0", "--json"});
    QCOMPARE(bad.exitCode, 2);
    QVERIFY(bad.err.contains("step"));
}

// `--name=value`, `--name value` and options before the file all mean the same.
void TestCli::optionSpellings()
{
    const CliResult separate =
        runCli({"quantize", "demo:relu", "--scheme", "asymmetric", "--bits", "5", "--json"});
    const CliResult joined =
        runCli({"quantize", "demo:relu", "--scheme=asymmetric", "--bits=5", "--json"});
    const CliResult leading =
        runCli({"quantize", "--json", "--bits", "5", "--scheme", "asymmetric", "demo:relu"});
    QCOMPARE(separate.exitCode, 0);
    QVERIFY(!separate.out.isEmpty());
    QCOMPARE(joined.out, separate.out);
    QCOMPARE(leading.out, separate.out);
    const CliResult flagWithValue = runCli({"info", "demo:relu", "--json=yes"});
    QCOMPARE(flagWithValue.exitCode, 2);
    const CliResult repeated =
        runCli({"quantize", "demo:relu", "--scheme", "asymmetric", "--bits", "5", "--bits", "6"});
    QCOMPARE(repeated.exitCode, 2);
    QVERIFY(repeated.err.contains("--bits"));
}

void TestCli::compareMatchesQuantize()
{
    std::vector<float> values;
    for (int i = 0; i < 500; ++i) {
        values.push_back(static_cast<float>(std::sin(i * 0.37) * std::exp(0.004 * i)));
    }
    const QString input = writeNpyFile(QStringLiteral("cmp.npy"), Shape{20, 25}, values);
    const std::vector<std::string> ids = schemeIds();
    constexpr int kFirstBits = 3;
    constexpr int kLastBits = 5;
    const qsizetype rowCount = static_cast<qsizetype>(ids.size()) * (kLastBits - kFirstBits + 1);

    const CliResult json = runCli({"compare", input, "--bits", "3-5", "--json"});
    QCOMPARE(json.exitCode, 0);
    const QJsonArray rows = parseObject(json.out)["rows"].toArray();
    QCOMPARE(rows.size(), rowCount);

    const CliResult csv = runCli({"compare", input, "--bits", "3-5", "--csv"});
    QCOMPARE(csv.exitCode, 0);
    QList<QByteArray> lines = csv.out.trimmed().split('\n');
    QCOMPARE(lines.takeFirst(), QByteArray("scheme,bits,mse,rmse,sqnr_db,max_abs_error,mean_error,"
                                           "entropy_bits,weighted_entropy,clipped_fraction,"
                                           "levels_used,bpw"));
    QCOMPARE(lines.size(), rowCount);

    for (qsizetype i = 0; i < rows.size(); ++i) {
        const QJsonObject row = rows[i].toObject();
        const QString scheme = row["scheme"].toString();
        const QString bits = QString::number(row["bits"].toInt());
        const QList<QByteArray> cells = lines[i].split(',');
        QCOMPARE(cells.size(), 12);
        QCOMPARE(QString::fromUtf8(cells[0]), scheme);
        QCOMPARE(QString::fromUtf8(cells[1]), bits);
        const CliResult single =
            runCli({"quantize", input, "--scheme", scheme, "--bits", bits, "--json"});
        if (row.contains("error")) {
            QCOMPARE(single.exitCode, 2);
            QVERIFY(cells[2].isEmpty());
            continue;
        }
        QCOMPARE(single.exitCode, 0);
        const QJsonObject metrics = parseObject(single.out)["metrics"].toObject();
        const QString where = scheme + " " + bits;
        QVERIFY2(row["mse"].toDouble() == metrics["mse"].toDouble(), qPrintable(where));
        QVERIFY2(cells[2].toDouble() == metrics["mse"].toDouble(), qPrintable(where));
        QVERIFY2(row["levels_used"].toInt() == metrics["levels_used"].toInt(), qPrintable(where));
        const double bpw = parseObject(single.out)["bpw"].toDouble();
        QVERIFY2(row["bpw"].toDouble() == bpw && cells[11].toDouble() == bpw, qPrintable(where));
    }

    // A bit width no scheme takes: every row is an error entry, and the command still succeeds.
    const CliResult tooWide = runCli({"compare", input, "--bits", "17", "--json"});
    QCOMPARE(tooWide.exitCode, 0);
    const QJsonArray wideRows = parseObject(tooWide.out)["rows"].toArray();
    QCOMPARE(wideRows.size(), static_cast<qsizetype>(ids.size()));
    for (const auto& row : wideRows) {
        QVERIFY(!row.toObject()["error"].toString().isEmpty());
        QVERIFY(!row.toObject().contains("mse"));
    }
    const CliResult tooWideCsv = runCli({"compare", input, "--bits", "17", "--csv"});
    QCOMPARE(tooWideCsv.exitCode, 0);
    QCOMPARE(tooWideCsv.out.count('\n'), static_cast<qsizetype>(ids.size()) + 1);
    QCOMPARE(tooWideCsv.err.count("warning"), static_cast<qsizetype>(ids.size()));

    const CliResult subset = runCli({"compare", input, "--bits", "4", "--schemes",
                                     QString::fromStdString(ids.front()), "--json"});
    QCOMPARE(subset.exitCode, 0);
    QCOMPARE(parseObject(subset.out)["rows"].toArray().size(), 1);
}

void TestCli::linearSeed002()
{
    const QString weights = writeNpyFile(QStringLiteral("w.npy"), Shape{5}, kSeedWeights);
    const QString activations = writeNpyFile(QStringLiteral("a.npy"), Shape{5}, kSeedActivations);
    const QString bias = writeNpyFile(QStringLiteral("b.npy"), Shape{1}, {33.1f});
    const QStringList ranges = {"--activation-range", "6", "--out-range", "150"};

    // The float reference over the float32 values the files hold (bias given as a number).
    double floatResult = 33.1;
    for (std::size_t i = 0; i < kSeedWeights.size(); ++i) {
        floatResult += static_cast<double>(kSeedWeights[i]) * kSeedActivations[i];
    }
    const double dequantized = 98.0 * 150.0 / 127.0; // requantized code / s2

    const CliResult fromFiles = runCli(QStringList{"linear", "--weights", weights, "--activations",
                                                   activations, "--bias", "33.1", "--json"} +
                                       ranges);
    QCOMPARE(fromFiles.exitCode, 0);
    const QJsonObject r = parseObject(fromFiles.out);
    QCOMPARE(r["weight_codes"].toArray(), (QJsonArray{-87, 31, 4, -46, 127}));
    QCOMPARE(r["activation_codes"].toArray(), (QJsonArray{7, 24, 5, 111, 90}));
    QCOMPARE(r["bias_codes"].toArray(), QJsonArray{2577});
    QCOMPARE(r["accumulators"].toArray(), QJsonArray{9056});
    QCOMPARE(r["requantized"].toArray(), QJsonArray{98});
    QVERIFY(closeTo(r["weight_multiplier"].toDouble(), 127.0 / 34.53, kFloat32RelTolerance));
    QVERIFY(closeTo(r["activation_multiplier"].toDouble(), 127.0 / 6.0, kMetricRelTolerance));
    QVERIFY(closeTo(r["dequantized"].toArray()[0].toDouble(), 115.748031, kSeedPrintTolerance));
    QVERIFY(closeTo(r["dequantized"].toArray()[0].toDouble(), dequantized, kMetricRelTolerance));
    QVERIFY(closeTo(r["float_result"].toArray()[0].toDouble(), floatResult, kMetricRelTolerance));
    const double relativePercent = 100.0 * std::abs(floatResult - dequantized) / floatResult;
    QVERIFY(closeTo(r["relative_error_percent"].toArray()[0].toDouble(), relativePercent,
                    kMetricRelTolerance));

    // The bias from a file gives the same integers.
    const CliResult biasFile = runCli(QStringList{"linear", "--weights", weights, "--activations",
                                                  activations, "--bias", bias, "--json"} +
                                      ranges);
    QCOMPARE(biasFile.exitCode, 0);
    QCOMPARE(parseObject(biasFile.out)["accumulators"].toArray(), QJsonArray{9056});

    // Inline numbers keep the seed's double precision: its float result and error exactly.
    const QStringList seedArgs = QStringList{"linear",
                                             "--weights",
                                             "-23.543,8.533,1.012,-12.4756,34.53",
                                             "--activations",
                                             "0.32432,1.123213,0.234324,5.234234,4.234323",
                                             "--bias",
                                             "33.1"} +
                                 ranges;
    const CliResult seed = runCli(seedArgs + QStringList{"--json"});
    QCOMPARE(seed.exitCode, 0);
    const QJsonObject s = parseObject(seed.out);
    QVERIFY(closeTo(s["float_result"].toArray()[0].toDouble(), 116.19701015660002,
                    kMetricRelTolerance));
    QVERIFY(closeTo(s["relative_error_percent"].toArray()[0].toDouble(), 0.386394,
                    kSeedPrintTolerance));
    QCOMPARE(s["requantized"].toArray(), QJsonArray{98});

    const CliResult text = runCli(seedArgs);
    QCOMPARE(text.exitCode, 0);
    for (const char* printed : {"-87 31 4 -46 127", "[7 24 5 111 90]", "[2577]", "[9056]", "[98]",
                                "[115.748031]", "[0.386394%]", "116.197010"}) {
        QVERIFY2(text.out.contains(printed), printed);
    }

    // The seed's numbers stored as float64 .npy files keep their precision too.
    const auto float64Npy = [&](const QString& name, const std::vector<double>& values) {
        QByteArray header = QByteArray("{'descr': '<f8', 'fortran_order': False, 'shape': (") +
                            QByteArray::number(qsizetype(values.size())) + ",), }";
        while ((10 + header.size() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        QByteArray bytes("\x93NUMPY\x01\x00", 8);
        bytes.append(char(header.size() & 0xff)).append(char(header.size() >> 8)).append(header);
        bytes.append(reinterpret_cast<const char*>(values.data()),
                     qsizetype(values.size() * sizeof(double)));
        writeFile(path(name), bytes);
        return path(name);
    };
    const QString weights64 =
        float64Npy(QStringLiteral("w64.npy"), {-23.543, 8.533, 1.012, -12.4756, 34.53});
    const QString activations64 =
        float64Npy(QStringLiteral("a64.npy"), {0.32432, 1.123213, 0.234324, 5.234234, 4.234323});
    const CliResult fromFloat64 =
        runCli(QStringList{"linear", "--weights", weights64, "--activations", activations64,
                           "--bias", float64Npy(QStringLiteral("b64.npy"), {33.1})} +
               ranges);
    QCOMPARE(fromFloat64.exitCode, 0);
    QVERIFY2(fromFloat64.out.contains("[0.386394%]"), fromFloat64.out.constData());
    QVERIFY2(fromFloat64.out.contains("116.197010"), fromFloat64.out.constData());

    const QString three = writeNpyFile(QStringLiteral("three.npy"), Shape{3}, {1.f, 2.f, 3.f});
    const CliResult mismatch = runCli({"linear", "--weights", weights, "--activations", three});
    QCOMPARE(mismatch.exitCode, 1);
    QVERIFY2(mismatch.err.contains(three.toUtf8()), mismatch.err.constData());
}

void TestCli::benchReport()
{
    constexpr qint64 kElements = 1000;
    const CliResult result = runCli({"bench", "--elements", "1e3", "--json"});
    QCOMPARE(result.exitCode, 0);
    const QJsonObject root = parseObject(result.out);
    QCOMPARE(root["elements"].toInteger(), kElements);
    for (const char* key : {"generate_ms", "memcpy_ms", "sort_baseline_ms", "build_first_ms",
                            "build_ms", "apply_ms"}) {
        QVERIFY2(root[key].isDouble() && root[key].toDouble() >= 0.0, key);
    }
    QVERIFY(root["peak_rss_mb"].toDouble() > 0.0);
    QVERIFY(!root["simd_target"].toString().isEmpty());
    QVERIFY(root["threads"].toInteger() >= 1);
    QVERIFY(root["dequant_q4_k_gb_per_s"].toDouble() > 0.0);
    QVERIFY(root["dequant_q8_0_gb_per_s"].toDouble() > 0.0);
    const QJsonArray schemes = root["schemes"].toArray();
    // Codebook schemes here; block-scaled ones with the pass ticks.
    std::vector<std::string> ids;
    std::vector<std::string> blockIds;
    for (const auto& scheme : allSchemes()) {
        (scheme->asBlockScheme() ? blockIds : ids).push_back(scheme->id());
    }
    QCOMPARE(schemes.size(), static_cast<qsizetype>(ids.size()));
    std::set<std::string> ticked;
    for (const QJsonValue& tick : root["pass_ticks"].toArray()) {
        const QJsonObject t = tick.toObject();
        QVERIFY2(!t.contains("error"), qPrintable(t["error"].toString()));
        QVERIFY(t["median_ms"].toDouble() >= 0.0);
        QVERIFY(t["bpw"].toDouble() > 0.0);
        ticked.insert(t["scheme"].toString().toStdString());
    }
    for (const std::string& id : blockIds) {
        QVERIFY2(ticked.count(id) == 1, id.c_str());
    }
    for (qsizetype i = 0; i < schemes.size(); ++i) {
        const QJsonObject scheme = schemes[i].toObject();
        QCOMPARE(scheme["scheme"].toString().toStdString(), ids[static_cast<std::size_t>(i)]);
        const QJsonArray bits = scheme["bits"].toArray();
        QCOMPARE(bits.size(), 7);
        std::vector<double> medians;
        for (qsizetype b = 0; b < bits.size(); ++b) {
            const QJsonObject entry = bits[b].toObject();
            QCOMPARE(entry["bits"].toInt(), static_cast<int>(b) + 2);
            if (!entry.contains("error")) {
                QVERIFY(entry["median_ms"].toDouble() >= 0.0);
                medians.push_back(entry["median_ms"].toDouble());
            }
        }
        // The scheme's figure is the median of its per-bit-width medians.
        QVERIFY(!medians.empty());
        std::sort(medians.begin(), medians.end());
        const std::size_t mid = medians.size() / 2;
        const double expected =
            medians.size() % 2 == 1 ? medians[mid] : 0.5 * (medians[mid - 1] + medians[mid]);
        QVERIFY(closeTo(scheme["median_ms"].toDouble(), expected, kMetricRelTolerance));
    }
}

// The bench runs on a file's tensor as on generated values.
void TestCli::benchOnFile()
{
    std::vector<float> values(3000);
    std::iota(values.begin(), values.end(), -1500.0f);
    const QString file = writeNpyFile(QStringLiteral("bench.npy"), Shape{30, 100}, values);
    const CliResult result = runCli({"bench", file, "--json"});
    QCOMPARE(result.exitCode, 0);
    const QJsonObject root = parseObject(result.out);
    QCOMPARE(root["elements"].toInteger(), qint64(values.size()));
    QVERIFY(root["apply_ms"].toDouble() >= 0.0);
    const auto codebookSchemes = std::count_if(allSchemes().begin(), allSchemes().end(),
                                               [](const auto& s) { return !s->asBlockScheme(); });
    QCOMPARE(root["schemes"].toArray().size(), static_cast<qsizetype>(codebookSchemes));
    QCOMPARE(root["pass_ticks"].toArray().isEmpty(), false);
}

// Outputs larger than one streaming step (4 Mi values) hold every value, as applyCodebook gives
// them.
void TestCli::quantizeStreamsLargeOutputs()
{
    const Tensor input = makeDemoTensor("outliers", 5'000'001);
    const std::vector<float> values(input.values().begin(), input.values().end());
    const QString file = writeNpyFile(QStringLiteral("large.npy"), Shape{5'000'001}, values);
    const QString dequantOut = path(QStringLiteral("large_dequant.npy"));
    const QString codesOut = path(QStringLiteral("large_codes.npy"));
    const CliResult result = runCli({"quantize", file, "--scheme", "symmetric", "--bits", "8",
                                     "--dequant-out", dequantOut, "--codes-out", codesOut});
    QCOMPARE(result.exitCode, 0);
    const Codebook codebook = schemeById("symmetric").design(Distribution(values), {{"bits", 8}});
    const AppliedTensor expected = applyCodebook(values, codebook);
    const Tensor dequant = readNpy(dequantOut.toStdString());
    const Tensor codes = readNpy(codesOut.toStdString());
    QCOMPARE(dequant.shape(), Shape{5'000'001});
    QVERIFY(
        std::equal(dequant.values().begin(), dequant.values().end(), expected.dequantized.begin()));
    QVERIFY(std::equal(codes.values().begin(), codes.values().end(), expected.codes.begin(),
                       [](float code, std::int32_t want) { return code == float(want); }));
}

void TestCli::errors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("mentions");

    const QString missing = path(QStringLiteral("no_such_file.npy"));
    const QString garbage = path(QStringLiteral("garbage.npy"));
    const QString truncated = path(QStringLiteral("truncated.npy"));
    const QString good = path(QStringLiteral("good.npy"));

    addCase("missing file", QStringList{"info", missing}, 1, missing);
    addCase("missing file, quantize", QStringList{"quantize", missing, "--scheme", "symmetric"}, 1,
            missing);
    addCase("malformed npy", QStringList{"info", garbage}, 1, garbage);
    addCase("truncated npy", QStringList{"quantize", truncated, "--scheme", "symmetric"}, 1,
            truncated);
    addCase("unknown demo", QStringList{"info", "demo:nope"}, 1, "demo:nope");
    addCase("bad scheme", QStringList{"quantize", good, "--scheme", "nope"}, 2, "nope");
    addCase("no scheme", QStringList{"quantize", good}, 2, "--scheme");
    addCase("bits out of range",
            QStringList{"quantize", good, "--scheme", "symmetric", "--bits", "99"}, 2, "bits");
    addCase("bad number", QStringList{"quantize", good, "--scheme", "symmetric", "--bits", "eight"},
            2, "eight");
    addCase("unknown parameter",
            QStringList{"quantize", good, "--scheme", "symmetric", "--set", "foo=1"}, 2, "foo");
    addCase("malformed --set",
            QStringList{"quantize", good, "--scheme", "symmetric", "--set", "foo"}, 2, "foo");
    addCase("unknown tensor",
            QStringList{"quantize", good, "--tensor", "other", "--scheme", "symmetric"}, 2,
            "other");
    addCase("unknown command", QStringList{"frobnicate"}, 2, "frobnicate");
    addCase("unknown option", QStringList{"info", good, "--frob"}, 2, "--frob");
    addCase("missing value", QStringList{"compare", good, "--bits"}, 2, "--bits");
    addCase("missing FILE", QStringList{"info"}, 2, "FILE");
    addCase("extra argument", QStringList{"info", good, good}, 2, "unexpected");
    addCase("bad bit range", QStringList{"compare", good, "--bits", "8-2"}, 2, "8-2");
    addCase("bad scheme list", QStringList{"compare", good, "--schemes", "symmetric,zzz"}, 2,
            "zzz");
    addCase("json and csv", QStringList{"compare", good, "--json", "--csv"}, 2, "--csv");
    addCase("bad axis",
            QStringList{"quantize", good, "--scheme", "symmetric", "--per-channel", "3"}, 2,
            "--per-channel");
    addCase("both granularities",
            QStringList{"quantize", good, "--scheme", "symmetric", "--per-channel", "0",
                        "--group-size", "2"},
            2, "--group-size");
    addCase("output over input",
            QStringList{"quantize", good, "--scheme", "symmetric", "--dequant-out", good}, 2,
            "input");
    addCase("bad element count", QStringList{"bench", "--elements", "-5"}, 2, "--elements");
    addCase("bench file and count", QStringList{"bench", good, "--elements", "10"}, 2,
            "--elements");
    addCase("bench tensor without file", QStringList{"bench", "--tensor", "x"}, 2, "--tensor");
}

void TestCli::errors()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, mentions);
    writeFile(path(QStringLiteral("garbage.npy")), QByteArray("this is not an npy file at all"));
    writeNpyFile(QStringLiteral("good.npy"), Shape{2, 2}, {1.0f, -2.0f, 3.0f, 0.5f});
    // A valid header promising more data than the file holds.
    QFile good(path(QStringLiteral("good.npy")));
    QVERIFY(good.open(QIODevice::ReadOnly));
    writeFile(path(QStringLiteral("truncated.npy")), good.readAll().chopped(6));

    const CliResult result = runCli(args);
    QCOMPARE(result.exitCode, exitCode);
    QVERIFY(result.out.isEmpty());
    const QByteArray err = result.err;
    QVERIFY2(err.startsWith("quantscope-cli: "), err.constData());
    QVERIFY2(err.endsWith('\n') && err.count('\n') == 1, err.constData());
    QVERIFY2(err.contains(mentions.toUtf8()), err.constData());
}

void TestCli::failedCommandLeavesNoOutput_data()
{
    QTest::addColumn<QStringList>("args");

    const QString good = path(QStringLiteral("small.npy"));
    const QString dequant = path(QStringLiteral("left_dequant.npy"));
    const QString codes = path(QStringLiteral("left_codes.npy"));
    const QString unwritable = path(QStringLiteral("no_such_dir/codes.npy"));
    QTest::newRow("bad scheme") << QStringList{"quantize",      good,    "--scheme",    "nope",
                                               "--dequant-out", dequant, "--codes-out", codes};
    QTest::newRow("missing input")
        << QStringList{"quantize",      path(QStringLiteral("absent.npy")),
                       "--scheme",      "symmetric",
                       "--dequant-out", dequant,
                       "--codes-out",   codes};
    QTest::newRow("bad parameter")
        << QStringList{"quantize",      good,    "--scheme",    "symmetric", "--bits", "0",
                       "--dequant-out", dequant, "--codes-out", codes};
    QTest::newRow("second output fails")
        << QStringList{"quantize",      good,    "--scheme",    "symmetric",
                       "--dequant-out", dequant, "--codes-out", unwritable};
    // Fails only after the first output is written: that file is removed again.
    QTest::newRow("second output is a directory")
        << QStringList{"quantize",      good,    "--scheme",    "symmetric",
                       "--dequant-out", dequant, "--codes-out", path(QStringLiteral("outdir.npy"))};
}

void TestCli::failedCommandLeavesNoOutput()
{
    QFETCH(QStringList, args);
    writeNpyFile(QStringLiteral("small.npy"), Shape{3}, {1.0f, 2.0f, -3.0f});
    QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("outdir.npy")));
    const CliResult result = runCli(args);
    QVERIFY(result.exitCode == 1 || result.exitCode == 2);
    QVERIFY(result.out.isEmpty());
    QVERIFY(!QFile::exists(path(QStringLiteral("left_dequant.npy"))));
    QVERIFY(!QFile::exists(path(QStringLiteral("left_codes.npy"))));
    // Nor a stray temporary file.
    for (const QString& entry : QDir(m_dir.path()).entryList(QDir::Files | QDir::Hidden)) {
        QVERIFY2(!entry.contains(QStringLiteral("left_")), qPrintable(entry));
    }
}

void TestCli::exportRoundTrips()
{
    const std::vector<float> a = {1.0f, 2.0f};
    const std::vector<float> b = {-4.0f, 0.5f, 8.0f};
    const QString file = path(QStringLiteral("export.safetensors"));
    writeFile(file, safetensors({{"alpha", a}, {"beta", b}}));
    const QString out = path(QStringLiteral("beta.npy"));
    const CliResult exported = runCli({"export", file, "--tensor", "beta", "--out", out});
    QCOMPARE(exported.exitCode, 0);
    QVERIFY2(exported.out.contains("beta"), exported.out.constData());
    const Tensor written = readNpy(out.toStdString());
    QCOMPARE(written.shape(), Shape{3});
    QCOMPARE(std::vector<float>(written.values().begin(), written.values().end()), b);

    const Tensor demo = makeDemoTensor("laplacian");
    const QString demoOut = path(QStringLiteral("laplacian.npy"));
    QCOMPARE(runCli({"export", "demo:laplacian", "--out", demoOut}).exitCode, 0);
    const Tensor demoWritten = readNpy(demoOut.toStdString());
    QCOMPARE(demoWritten.shape(), demo.shape());
    QVERIFY(std::equal(demo.values().begin(), demo.values().end(), demoWritten.values().begin()));

    // Usage errors write nothing: no --out, several tensors without --tensor, the input itself.
    QCOMPARE(runCli({"export", file, "--tensor", "beta"}).exitCode, 2);
    const QString none = path(QStringLiteral("none.npy"));
    QCOMPARE(runCli({"export", file, "--out", none}).exitCode, 2);
    QVERIFY(!QFile::exists(none));
    QCOMPARE(runCli({"export", file, "--tensor", "alpha", "--out", file}).exitCode, 2);
    QVERIFY(QFile::exists(file));
    QCOMPARE(runCli({"info", file, "--json"}).exitCode, 0);
}

void TestCli::skippedTensors()
{
    const QString file = path(QStringLiteral("with_empty.safetensors"));
    writeFile(file, safetensors({{"weights", {0.5f, -1.5f}}, {"nothing", {}}}));

    const CliResult info = runCli({"info", file, "--json"});
    QCOMPARE(info.exitCode, 0);
    const QJsonObject root = parseObject(info.out);
    QCOMPARE(root["tensors"].toArray().size(), 1);
    const QJsonArray skipped = root["skipped"].toArray();
    QCOMPARE(skipped.size(), 1);
    QCOMPARE(skipped[0].toObject()["name"].toString(), QStringLiteral("nothing"));
    QCOMPARE(skipped[0].toObject()["reason"].toString(), QStringLiteral("empty (shape [0])"));
    const CliResult text = runCli({"info", file});
    QVERIFY2(text.out.contains("skipped 1 tensor:\n  nothing: empty (shape [0])"),
             text.out.constData());

    // The one readable tensor is the file's tensor; naming the skipped one says why it is not.
    QCOMPARE(runCli({"quantize", file, "--scheme", "symmetric"}).exitCode, 0);
    const QString out = path(QStringLiteral("nothing.npy"));
    const CliResult exported = runCli({"export", file, "--tensor", "nothing", "--out", out});
    QCOMPARE(exported.exitCode, 1);
    QVERIFY2(exported.err.contains("'nothing': empty (shape [0])"), exported.err.constData());
    QVERIFY(!QFile::exists(out));
}

void TestCli::multiTensorFile()
{
    const std::vector<float> a = {1.0f, 2.0f};
    const std::vector<float> b = {-4.0f, 0.5f, 8.0f};
    const QString file = path(QStringLiteral("two.safetensors"));
    writeFile(file, safetensors({{"alpha", a}, {"beta", b}}));

    const CliResult info = runCli({"info", file, "--json"});
    QCOMPARE(info.exitCode, 0);
    const QJsonArray tensors = parseObject(info.out)["tensors"].toArray();
    QCOMPARE(tensors.size(), 2);
    QCOMPARE(tensors[1].toObject()["name"].toString(), QStringLiteral("beta"));
    QCOMPARE(tensors[1].toObject()["max"].toDouble(), 8.0);

    const CliResult ambiguous = runCli({"quantize", file, "--scheme", "symmetric"});
    QCOMPARE(ambiguous.exitCode, 2);
    QVERIFY2(ambiguous.err.contains("alpha") && ambiguous.err.contains("beta"),
             ambiguous.err.constData());
    QVERIFY(ambiguous.err.contains(file.toUtf8()));

    const CliResult unknownTensor =
        runCli({"quantize", file, "--tensor", "gamma", "--scheme", "symmetric"});
    QCOMPARE(unknownTensor.exitCode, 2);
    QVERIFY2(unknownTensor.err.contains("gamma") && unknownTensor.err.contains("alpha") &&
                 unknownTensor.err.contains("beta"),
             unknownTensor.err.constData());

    const CliResult picked =
        runCli({"quantize", file, "--tensor", "beta", "--scheme", "symmetric", "--json"});
    QCOMPARE(picked.exitCode, 0);
    const QJsonObject root = parseObject(picked.out);
    QCOMPARE(root["tensor"].toString(), QStringLiteral("beta"));
    QVERIFY(closeTo(root["codebook"].toObject()["scale"].toDouble(), 8.0 / 127.0,
                    kFloat32RelTolerance));
}

QTEST_APPLESS_MAIN(TestCli)
#include "tst_cli.moc"
