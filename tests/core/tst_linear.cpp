#include "quantscope/apply.h"
#include "quantscope/errors.h"
#include "quantscope/metrics.h"
#include "quantscope/scheme.h"
#include "quantscope/schemes/linear.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace quantscope;

namespace {

std::vector<float> toFloats(const QJsonArray& array)
{
    std::vector<float> values;
    for (const QJsonValue& v : array) {
        values.push_back(float(v.toDouble()));
    }
    return values;
}

Codebook design(const std::string& scheme, const std::vector<float>& values, const Params& params)
{
    return schemeById(scheme).design(Distribution(values), params);
}

std::vector<std::int64_t> codesOf(const Codebook& codebook, const std::vector<float>& values)
{
    std::vector<std::int64_t> codes;
    for (float v : values) {
        codes.push_back(codebook.codes[codebook.levelIndex(v)]);
    }
    return codes;
}

} // namespace

class TestLinear : public QObject {
    Q_OBJECT

private slots:
    void matchesPyTorch();
    void handComputed_data();
    void handComputed();
    void seed002WeightsAndActivations();
    void thresholdsAreExactForFloats_data();
    void thresholdsAreExactForFloats();
    void degenerateInputs();
    void rejectsBadParameters();
    void stepDrivesTheGrid_data();
    void stepDrivesTheGrid();
    void clippingGrowsAsTheStepShrinks_data();
    void clippingGrowsAsTheStepShrinks();
    void stepOverridesClipAndRange();
};

// tests/data/reference/linear_pytorch.json was written by make_linear_reference.py with
// PyTorch's MinMaxObserver + quantize_per_tensor: scale, zero point and every code must match.
void TestLinear::matchesPyTorch()
{
    QFile file(QUANTSCOPE_TEST_DATA "/reference/linear_pytorch.json");
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
    const QJsonObject tensors = root["tensors"].toObject();
    const QJsonArray cases = root["cases"].toArray();
    QVERIFY(cases.size() > 100);
    for (const QJsonValue& entry : cases) {
        const QJsonObject c = entry.toObject();
        const std::vector<float> values = toFloats(tensors[c["tensor"].toString()].toArray());
        const std::string scheme = c["scheme"].toString().toStdString();
        const QString label = QString("%1 %2 %3 bits")
                                  .arg(c["tensor"].toString(), c["scheme"].toString())
                                  .arg(c["bits"].toInt());
        const Codebook codebook = design(scheme, values, {{"bits", c["bits"].toInt()}});
        QVERIFY(codebook.linear.has_value());
        QVERIFY2(codebook.linear->scale == c["scale"].toDouble(),
                 qPrintable(label + QString(": scale %1 vs %2")
                                        .arg(codebook.linear->scale, 0, 'g', 17)
                                        .arg(c["scale"].toDouble(), 0, 'g', 17)));
        QVERIFY2(codebook.linear->zeroPoint == c["zero_point"].toInt(), qPrintable(label));
        const QJsonArray expected = c["codes"].toArray();
        const std::vector<std::int64_t> codes = codesOf(codebook, values);
        for (std::size_t i = 0; i < values.size(); ++i) {
            QVERIFY2(codes[i] == expected[int(i)].toInt(),
                     qPrintable(label + QString(": value %1 code %2 vs %3")
                                            .arg(values[i], 0, 'g', 9)
                                            .arg(codes[i])
                                            .arg(expected[int(i)].toInt())));
            QCOMPARE(linearCode(values[i], *codebook.linear), codes[i]);
        }
    }
}

void TestLinear::handComputed_data()
{
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<int>("bits");
    QTest::addColumn<QVector<float>>("values");
    QTest::addColumn<double>("scale");
    QTest::addColumn<int>("zeroPoint");
    QTest::addColumn<QVector<int>>("codes");
    // a = 1, scale = 1/3 (float 0.33333334, 1/scale rounds to 3.0f); 0.5·3 = 1.5 → 2 (even).
    QTest::newRow("symmetric 3 bits")
        << "symmetric" << 3 << QVector<float>{-1.0f, -0.25f, 0.3f, 0.5f, 1.0f}
        << double(1.0f / 3.0f) << 0 << QVector<int>{-3, -1, 1, 2, 3};
    // min' = −1, max' = 3, scale = 4/3, zero point = 0 − round(−0.75) = 1;
    // codes round(0.75 x) + 1: 2·0.75 = 1.5 → 2 (even) → 3; 3·0.75 = 2.25 → 2 → 3.
    QTest::newRow("asymmetric 2 bits")
        << "asymmetric" << 2 << QVector<float>{-1.0f, 0.0f, 1.0f, 2.0f, 3.0f} << double(4.0f / 3.0f)
        << 1 << QVector<int>{0, 1, 2, 3, 3};
    // All positive: the range is widened to [0, 4]; scale 4/15 = 0.26666668f whose float32
    // inverse is 3.7499998f (not 3.75), so 2 → 7.4999995 → 7, as PyTorch computes it.
    QTest::newRow("asymmetric positive 4 bits")
        << "asymmetric" << 4 << QVector<float>{1.0f, 2.0f, 4.0f} << double(4.0f / 15.0f) << 0
        << QVector<int>{4, 7, 15};
}

void TestLinear::handComputed()
{
    QFETCH(QString, scheme);
    QFETCH(int, bits);
    QFETCH(QVector<float>, values);
    QFETCH(double, scale);
    QFETCH(int, zeroPoint);
    QFETCH(QVector<int>, codes);
    const std::vector<float> data(values.begin(), values.end());
    const Codebook codebook = design(scheme.toStdString(), data, {{"bits", bits}});
    QCOMPARE(codebook.linear->scale, scale);
    QCOMPARE(codebook.linear->zeroPoint, std::int64_t(zeroPoint));
    const std::vector<std::int64_t> got = codesOf(codebook, data);
    QCOMPARE(QVector<int>(got.begin(), got.end()), codes);
    QCOMPARE(codebook.levelCount(), scheme == "symmetric" ? (1 << bits) - 1 : 1 << bits);
}

// Seed 002's worked example: weights with a = max|W| = 34.53, activations with the calibrated
// range a = 6, both 8-bit symmetric.
void TestLinear::seed002WeightsAndActivations()
{
    const std::vector<float> weights = {-23.543f, 8.533f, 1.012f, -12.4756f, 34.53f};
    const std::vector<float> activations = {0.32432f, 1.123213f, 0.234324f, 5.234234f, 4.234323f};
    const Codebook w = design("symmetric", weights, {{"bits", 8}});
    const Codebook a = design("symmetric", activations, {{"bits", 8}, {"range", 6.0}});
    QCOMPARE(codesOf(w, weights), (std::vector<std::int64_t>{-87, 31, 4, -46, 127}));
    QCOMPARE(codesOf(a, activations), (std::vector<std::int64_t>{7, 24, 5, 111, 90}));
    QCOMPARE(w.linear->scale, double(34.53f / 127.0f));
    QCOMPARE(a.linear->scale, double(6.0f / 127.0f));
}

void TestLinear::thresholdsAreExactForFloats_data()
{
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<int>("bits");
    for (const char* scheme : {"symmetric", "asymmetric"}) {
        for (int bits : {2, 5, 8, 16}) {
            QTest::newRow(qPrintable(QString("%1 %2").arg(scheme).arg(bits)))
                << QString(scheme) << bits;
        }
    }
}

void TestLinear::thresholdsAreExactForFloats()
{
    QFETCH(QString, scheme);
    QFETCH(int, bits);
    std::mt19937 rng(bits);
    std::normal_distribution<float> normal(0.3f, 1.0f);
    std::vector<float> values(5000);
    for (float& v : values) {
        v = normal(rng);
    }
    const Codebook codebook = design(scheme.toStdString(), values, {{"bits", bits}});
    const LinearMapping& mapping = *codebook.linear;
    // Each threshold is the first float of its code: the float just below maps one code lower.
    for (std::size_t k = 0; k < codebook.thresholds.size(); ++k) {
        const float t = float(codebook.thresholds[k]);
        QCOMPARE(double(t), codebook.thresholds[k]);
        QCOMPARE(linearCode(t, mapping), codebook.codes[k + 1]);
        QCOMPARE(linearCode(std::nextafter(t, -INFINITY), mapping), codebook.codes[k]);
    }
    const AppliedTensor applied = applyCodebook(values, codebook);
    for (std::size_t i = 0; i < values.size(); ++i) {
        QCOMPARE(std::int64_t(applied.codes[i]), linearCode(values[i], mapping));
        QCOMPARE(double(applied.dequantized[i]), linearLevel(applied.codes[i], mapping));
    }
}

void TestLinear::degenerateInputs()
{
    for (const char* scheme : {"symmetric", "asymmetric"}) {
        for (const std::vector<float>& values :
             {std::vector<float>{0, 0, 0}, std::vector<float>{2.5f, 2.5f},
              std::vector<float>{-7.0f}, std::vector<float>{}, std::vector<float>{NAN, INFINITY}}) {
            const Codebook codebook = design(scheme, values, {{"bits", 8}});
            QVERIFY(codebook.levelCount() >= 1);
            for (double level : codebook.levels) {
                QVERIFY(std::isfinite(level));
            }
            for (float v : values) {
                if (std::isfinite(v)) {
                    // The range always includes the value: at most half a step of error.
                    const double step = codebook.linear ? codebook.linear->scale : 0.0;
                    QVERIFY(std::abs(codebook.quantize(v) - v) <= 0.5 * step * (1 + 1e-6) + 1e-7);
                }
            }
        }
    }
    // One bit of symmetric leaves only the zero code.
    const Codebook oneBit = design("symmetric", {1.0f, -2.0f}, {{"bits", 1}});
    QCOMPARE(oneBit.levelCount(), 1);
    QCOMPARE(oneBit.levels[0], 0.0);
}

void TestLinear::rejectsBadParameters()
{
    const std::vector<float> values = {1.0f};
    QVERIFY_THROWS_EXCEPTION(UsageError, design("symmetric", values, {{"bits", 0}}));
    QVERIFY_THROWS_EXCEPTION(UsageError, design("symmetric", values, {{"bits", 17}}));
    QVERIFY_THROWS_EXCEPTION(UsageError, design("symmetric", values, {{"bits", 4.5}}));
    QVERIFY_THROWS_EXCEPTION(UsageError, design("asymmetric", values, {{"levels", 4}}));
    QVERIFY_THROWS_EXCEPTION(UsageError, design("symmetric", values, {{"clip", 0.0}}));
    QVERIFY_THROWS_EXCEPTION(UsageError, schemeById("no-such-scheme"));
}

void TestLinear::stepDrivesTheGrid_data()
{
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<int>("bits");
    QTest::addColumn<double>("step");
    QTest::addColumn<QVector<float>>("values");
    QTest::addColumn<int>("zeroPoint");
    QTest::addColumn<QVector<int>>("codes");
    QTest::addColumn<QVector<double>>("levels");
    // Codes clamp(round(x / 0.25), −3, 3): −1 → −4 and 1 → 4 saturate; 0.125 → 0.5 → 0 and
    // 0.375 → 1.5 → 2 (half to even).
    QTest::newRow("symmetric 3 bits step 0.25")
        << "symmetric" << 3 << 0.25 << QVector<float>{-1.0f, -0.3f, 0.125f, 0.375f, 0.7f, 1.0f} << 0
        << QVector<int>{-3, -1, 0, 2, 3, 3}
        << QVector<double>{-0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75};
    // The data [−1, 3] at 2 bits give the zero point 0 − round(−1 / (4/3)) = 1; with step 0.5 it
    // stays, so the range is [(0 − 1)·0.5, (3 − 1)·0.5] = [−0.5, 1]: codes round(x/0.5) + 1.
    QTest::newRow("asymmetric 2 bits step 0.5")
        << "asymmetric" << 2 << 0.5 << QVector<float>{-1.0f, 0.0f, 1.0f, 2.0f, 3.0f} << 1
        << QVector<int>{0, 1, 3, 3, 3} << QVector<double>{-0.5, 0.0, 0.5, 1.0};
    // Non-negative data keep zero point 0: the grid is [0, 7·0.1].
    QTest::newRow("asymmetric 3 bits step 0.1")
        << "asymmetric" << 3 << 0.1 << QVector<float>{0.0f, 0.14f, 0.26f, 0.9f} << 0
        << QVector<int>{0, 1, 3, 7} << QVector<double>{0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7};
}

void TestLinear::stepDrivesTheGrid()
{
    QFETCH(QString, scheme);
    QFETCH(int, bits);
    QFETCH(double, step);
    QFETCH(QVector<float>, values);
    QFETCH(int, zeroPoint);
    QFETCH(QVector<int>, codes);
    QFETCH(QVector<double>, levels);
    const std::vector<float> data(values.begin(), values.end());
    const Codebook codebook = design(scheme.toStdString(), data, {{"bits", bits}, {"step", step}});
    QVERIFY(codebook.linear.has_value());
    QCOMPARE(codebook.linear->scale, step); // exactly the given step
    QCOMPARE(codebook.linear->zeroPoint, std::int64_t(zeroPoint));
    const std::vector<std::int64_t> got = codesOf(codebook, data);
    QCOMPARE(QVector<int>(got.begin(), got.end()), codes);
    QCOMPARE(codebook.levelCount(), int(levels.size()));
    for (int k = 0; k < levels.size(); ++k) {
        // Levels are (q − zero point)·step in float32, as PyTorch dequantizes.
        QCOMPARE(codebook.levels[k], double(float(levels[k] / step) * float(step)));
    }
}

void TestLinear::clippingGrowsAsTheStepShrinks_data()
{
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<int>("bits");
    QTest::addColumn<double>("step");
    QTest::addColumn<double>("clipped");
    // x_i = (i + 0.3)/100, i = 0 … 99, never on a half step. With 7 positive codes a value is
    // clipped when x/step >= 7.5: step 0.2 → none; 0.1 → x >= 0.75, i >= 75 → 25 values;
    // 0.05 → x >= 0.375, i >= 38 → 62 values.
    for (const char* scheme : {"symmetric", "asymmetric"}) {
        const int bits = QString(scheme) == "symmetric" ? 4 : 3;
        QTest::newRow(qPrintable(QString("%1 0.2").arg(scheme))) << scheme << bits << 0.2 << 0.0;
        QTest::newRow(qPrintable(QString("%1 0.1").arg(scheme))) << scheme << bits << 0.1 << 0.25;
        QTest::newRow(qPrintable(QString("%1 0.05").arg(scheme))) << scheme << bits << 0.05 << 0.62;
    }
}

void TestLinear::clippingGrowsAsTheStepShrinks()
{
    QFETCH(QString, scheme);
    QFETCH(int, bits);
    QFETCH(double, step);
    QFETCH(double, clipped);
    std::vector<float> values;
    for (int i = 0; i < 100; ++i) {
        values.push_back(float((i + 0.3) / 100.0));
    }
    const Distribution dist(values);
    const Codebook codebook =
        schemeById(scheme.toStdString()).design(dist, {{"bits", bits}, {"step", step}});
    QCOMPARE(computeMetrics(dist, codebook).clippedFraction, clipped);
    // The same count straight from the codes: round(x/step) beyond the top code.
    int beyond = 0;
    for (float v : values) {
        beyond += std::nearbyint(v * (1.0f / float(step))) > float(codebook.linear->qmax);
    }
    QCOMPARE(beyond / 100.0, clipped);
}

void TestLinear::stepOverridesClipAndRange()
{
    const std::vector<float> values = {-2.0f, -0.6f, 0.1f, 0.4f, 1.9f};
    const Codebook stepOnly = design("symmetric", values, {{"bits", 4}, {"step", 0.2}});
    const Codebook withClip =
        design("symmetric", values, {{"bits", 4}, {"step", 0.2}, {"clip", 0.3}});
    const Codebook withRange =
        design("symmetric", values, {{"bits", 4}, {"step", 0.2}, {"range", 9.0}});
    QCOMPARE(withClip.levels, stepOnly.levels);
    QCOMPARE(withRange.levels, stepOnly.levels);
    QCOMPARE(stepOnly.levels.back(), double(7.0f * 0.2f)); // the range follows: 7·step
    QVERIFY_THROWS_EXCEPTION(UsageError, design("symmetric", values, {{"step", 0.0}}));
    QVERIFY_THROWS_EXCEPTION(UsageError, design("asymmetric", values, {{"step", -0.1}}));
    // Without a step, the scale is unchanged (auto).
    QCOMPARE(design("symmetric", values, {{"bits", 4}}).linear->scale, double(2.0f / 7.0f));
}

QTEST_APPLESS_MAIN(TestLinear)
#include "tst_linear.moc"
