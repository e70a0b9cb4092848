#include "quantscope/errors.h"
#include "quantscope/scheme.h"
#include "quantscope/schemes/calibration.h"
#include "quantscope/schemes/linear.h"

#include <QtTest>

#include <cmath>
#include <limits>

using namespace quantscope;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kDivergenceTolerance = 1e-12; // hand-computed KL values, natural log

std::vector<float> toFloats(const QJsonArray& array)
{
    std::vector<float> values;
    for (const QJsonValue& v : array) {
        values.push_back(float(v.toDouble()));
    }
    return values;
}

// A histogram from [bin, count] pairs of its non-empty bins.
std::vector<std::int64_t> fromPairs(const QJsonArray& pairs, int bins)
{
    std::vector<std::int64_t> counts(static_cast<std::size_t>(bins), 0);
    for (const QJsonValue& pair : pairs) {
        counts[pair.toArray()[0].toInt()] = pair.toArray()[1].toInt();
    }
    return counts;
}

// A histogram over [0, bins) with unit-wide bins.
Histogram unitHistogram(std::vector<std::int64_t> counts)
{
    Histogram h;
    h.counts = std::move(counts);
    for (std::size_t k = 0; k <= h.counts.size(); ++k) {
        h.edges.push_back(double(k));
    }
    return h;
}

} // namespace

class TestCalibration : public QObject {
    Q_OBJECT

private slots:
    void histogramObserverMatchesPyTorch();
    void histogramsMatchTorchHistc();
    void percentileOnHandMadeHistogram_data();
    void percentileOnHandMadeHistogram();
    void entropyFoldsOutliersAndTakesTheLastMinimum();
    void entropyOfAUniformHistogramKeepsEverything();
    void calibratorsAreLinearOnTheThreshold();
    void degenerateData();
};

// tests/data/reference/calibration_pytorch.json, written by make_calibration_reference.py with
// PyTorch 1.13's HistogramObserver: the searched range, scale and zero point must agree exactly.
void TestCalibration::histogramObserverMatchesPyTorch()
{
    QFile file(QUANTSCOPE_TEST_DATA "/reference/calibration_pytorch.json");
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
    const QJsonArray cases = root["cases"].toArray();
    QVERIFY(cases.size() >= 8);
    for (const QJsonValue& entry : cases) {
        const QJsonObject c = entry.toObject();
        const QString name = c["tensor"].toString();
        const std::vector<float> values = toFloats(root["tensors"].toObject()[name].toArray());
        const Distribution dist(values);
        const auto [low, high] = histogramL2Range(rangeHistogram(dist), dist.min(), dist.max(), 8);
        QVERIFY2(low == float(c["new_min"].toDouble()),
                 qPrintable(name + QString(": min %1").arg(low, 0, 'g', 9)));
        QVERIFY2(high == float(c["new_max"].toDouble()),
                 qPrintable(name + QString(": max %1").arg(high, 0, 'g', 9)));
        const Codebook codebook = schemeById("histogram-l2").design(dist, {{"bits", 8}});
        QVERIFY(codebook.linear.has_value());
        QVERIFY2(codebook.linear->scale == c["scale"].toDouble(), qPrintable(name));
        QCOMPARE(qint64(codebook.linear->zeroPoint), c["zero_point"].toInteger());
        QCOMPARE(qint64(codebook.linear->qmin), qint64(0));
        QCOMPARE(qint64(codebook.linear->qmax), qint64(255));
    }
}

// The bins a value falls in follow torch.histc's float32 arithmetic exactly.
void TestCalibration::histogramsMatchTorchHistc()
{
    QFile file(QUANTSCOPE_TEST_DATA "/reference/calibration_pytorch.json");
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
    int compared = 0;
    for (const QJsonValue& entry : root["cases"].toArray()) {
        const QJsonObject c = entry.toObject();
        if (!c.contains("histc")) {
            continue;
        }
        const QString name = c["tensor"].toString();
        const Distribution dist(toFloats(root["tensors"].toObject()[name].toArray()));
        QVERIFY2(rangeHistogram(dist).counts == fromPairs(c["histc"].toArray(), kCalibrationBins),
                 qPrintable(name));
        QVERIFY2(absHistogram(dist).counts == fromPairs(c["abs_histc"].toArray(), kCalibrationBins),
                 qPrintable(name));
        ++compared;
    }
    QVERIFY(compared >= 6);
}

void TestCalibration::percentileOnHandMadeHistogram_data()
{
    QTest::addColumn<double>("percentile");
    QTest::addColumn<double>("threshold");
    // Counts of 64 values in powers of two, so every cumulative share is exact: 32, 48, 56, 60,
    // 62, 63 and 64 of 64 after bins 1, 2, 3, 4, 5, 6 and 9.
    QTest::newRow("nothing") << 0.0 << 0.0;
    QTest::newRow("half: bin 1") << 50.0 << 1.0;
    QTest::newRow("just over half: bin 2") << 50.001 << 2.0;
    QTest::newRow("62 of 64 exactly: bin 5") << 100.0 * 62 / 64 << 5.0;
    QTest::newRow("63 of 64: bin 6") << 100.0 * 63 / 64 << 6.0;
    QTest::newRow("99.99: the outlier's bin 9") << 99.99 << 9.0;
    QTest::newRow("everything: bin 9, its left edge") << 100.0 << 9.0;
}

// pytorch-quantization's rule: the left edge of the first bin where the cumulative share
// reaches the percentile.
void TestCalibration::percentileOnHandMadeHistogram()
{
    QFETCH(double, percentile);
    QFETCH(double, threshold);
    const Histogram h = unitHistogram({0, 32, 16, 8, 4, 2, 1, 0, 0, 1});
    QCOMPARE(percentileThreshold(h, percentile), threshold);
}

// Bins [4, 4, 0, 0, 0, 0, 0, 8], start bin 2, 2 bits (2 merged groups), worked by hand:
//   i = 2: P = (4, 4 + 8)/16, Q = (4, 4)/8: KL = ¼ ln ½ + ¾ ln 1.5 = 0.13081203594113694
//   i = 3 … 7: the last bin of P holds the 8 folded outliers but is empty in Q: KL = ∞
//   i = 8: P = Q (group 0: bins 0, 1 of 4 each; group 1: bin 7 alone): KL = 0
void TestCalibration::entropyFoldsOutliersAndTakesTheLastMinimum()
{
    const EntropyCalibration e = entropyCalibration(unitHistogram({4, 4, 0, 0, 0, 0, 0, 8}), 2, 2);
    QCOMPARE(e.firstCandidate, 2);
    QCOMPARE(int(e.divergences.size()), 7);
    QVERIFY(std::abs(e.divergences[0] - 0.13081203594113694) < kDivergenceTolerance);
    for (int k = 1; k <= 5; ++k) {
        QCOMPARE(e.divergences[k], kInf);
    }
    QCOMPARE(e.divergences[6], 0.0);
    QCOMPARE(e.thresholdBin, 8);
    QCOMPARE(e.threshold, 8.0);

    // Bins [2, 2, 2, 2], start bin 1, 2 bits: i = 1 and i = 4 both give KL = 0 (one bin; two
    // groups of two equal bins), i = 2 gives ¼ ln ½ + ¾ ln 1.5, i = 3 ½ ln ¾ + ½ ln 1.5.
    // Of the two minima the last, the widest range, wins.
    const EntropyCalibration tie = entropyCalibration(unitHistogram({2, 2, 2, 2}), 2, 1);
    QCOMPARE(int(tie.divergences.size()), 4);
    QCOMPARE(tie.divergences[0], 0.0);
    QVERIFY(std::abs(tie.divergences[1] - 0.13081203594113694) < kDivergenceTolerance);
    QVERIFY(std::abs(tie.divergences[2] - (0.5 * std::log(0.75) + 0.5 * std::log(1.5))) <
            kDivergenceTolerance);
    QCOMPARE(tie.divergences[3], 0.0);
    QCOMPARE(tie.thresholdBin, 4);
}

// A flat |x| histogram over bins 0 … 127 of 2048: every candidate's groups hold equal bins, so
// Q = P and KL = 0 everywhere; the last minimum keeps the whole range.
void TestCalibration::entropyOfAUniformHistogramKeepsEverything()
{
    std::vector<std::int64_t> counts(kCalibrationBins, 0);
    std::fill(counts.begin(), counts.begin() + 128, 10);
    const EntropyCalibration e = entropyCalibration(unitHistogram(counts), 8);
    QCOMPARE(int(e.divergences.size()), kCalibrationBins - 128 + 1);
    for (double d : e.divergences) {
        QCOMPARE(d, 0.0);
    }
    QCOMPARE(e.thresholdBin, kCalibrationBins);
}

// Each calibrator is a symmetric (percentile, entropy) or affine (histogram-l2) linear
// quantizer on the range it calibrates, with the bits asked for.
void TestCalibration::calibratorsAreLinearOnTheThreshold()
{
    std::vector<float> values;
    for (int i = 0; i < 20000; ++i) {
        values.push_back(float(std::sin(0.37 * i) * std::exp(-0.0002 * i)));
    }
    values.push_back(3.0f); // an outlier the calibrations clip
    const Distribution dist(values);
    const Histogram h = absHistogram(dist);

    const Codebook p = schemeById("percentile").design(dist, {{"bits", 6}, {"percentile", 99.9}});
    QCOMPARE(p.linear->scale, symmetricMapping(percentileThreshold(h, 99.9), 6).scale);
    QCOMPARE(p.levelCount(), 63);
    QVERIFY(p.levels.back() < 1.0); // the outlier is clipped

    const Codebook e = schemeById("entropy").design(dist, {{"bits", 7}});
    const double threshold = entropyCalibration(h, 7).threshold;
    QCOMPARE(e.linear->scale, symmetricMapping(threshold, 7).scale);
    QVERIFY2(threshold > 0.5 && threshold < 3.0, qPrintable(QString::number(threshold)));

    const Codebook l = schemeById("histogram-l2").design(dist, {{"bits", 4}});
    const Histogram range = rangeHistogram(dist);
    const auto [low, high] = histogramL2Range(range, dist.min(), dist.max(), 4);
    QCOMPARE(l.linear->scale, affineMapping(low, high, 4).scale);
    QCOMPARE(l.levelCount(), 16);
    QVERIFY(high < 3.0f);
}

void TestCalibration::degenerateData()
{
    for (const char* id : {"percentile", "entropy", "histogram-l2"}) {
        const Scheme& scheme = schemeById(id);
        for (const std::vector<float>& values :
             {std::vector<float>{}, std::vector<float>(10, 0.0f), std::vector<float>(7, -0.3f),
              std::vector<float>{2.5f}}) {
            const Codebook codebook = scheme.design(Distribution(values), {});
            QVERIFY2(!codebook.levels.empty(), id);
            for (double level : codebook.levels) {
                QVERIFY2(std::isfinite(level), id);
            }
        }
    }
    QVERIFY_THROWS_EXCEPTION(
        UsageError,
        schemeById("percentile").design(Distribution(std::vector<float>{1.0f}), {{"bits", 1}}));
}

QTEST_APPLESS_MAIN(TestCalibration)
#include "tst_calibration.moc"
