#include "quantscope/demo.h"
#include "quantscope/metrics.h"
#include "quantscope/scheme.h"
#include "quantscope/schemes/lloyd_max.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace quantscope;

namespace {

// Rounding of the compensated cell sums: an MSE may "rise" by this much relative.
constexpr double kMonotoneTolerance = 1e-12;
// Distribution-based and brute-force Lloyd agree to summation rounding.
constexpr double kBruteForceTolerance = 1e-9;
// After the stop (relative MSE change < 1e-10) Lloyd still creeps: moving every level to the mean
// of its cell would lower the MSE by at most this much, relative.
constexpr double kCentroidGainTolerance = 1e-8;

std::vector<float> mixture(std::size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> narrow(-1.0f, 0.3f);
    std::normal_distribution<float> wide(2.0f, 1.0f);
    std::vector<float> values(n);
    for (std::size_t i = 0; i < n; ++i) {
        values[i] = i % 3 == 0 ? wide(rng) : narrow(rng);
    }
    return values;
}

struct BruteForceLloyd {
    std::vector<long double> levels;
    int iterations = 0;
};

// Lloyd's algorithm written directly over the raw values from given levels: nearest level by a
// scan (ties up), means by summing each cell.
BruteForceLloyd bruteForceLloyd(const std::vector<float>& values,
                                const std::vector<double>& initialLevels)
{
    const int levels = int(initialLevels.size());
    BruteForceLloyd result;
    result.levels.assign(initialLevels.begin(), initialLevels.end());
    long double previous = -1;
    while (result.iterations < kLloydMaxIterations) {
        std::vector<long double> sums(levels, 0), sumSquares(levels, 0);
        std::vector<std::size_t> counts(levels, 0);
        for (float v : values) {
            int best = 0;
            for (int k = 1; k < levels; ++k) {
                if (std::abs(v - result.levels[k]) <= std::abs(v - result.levels[best])) {
                    best = k;
                }
            }
            sums[best] += v;
            sumSquares[best] += (long double)v * v;
            ++counts[best];
        }
        long double sse = 0;
        for (int k = 0; k < levels; ++k) {
            if (counts[k] > 0) {
                result.levels[k] = sums[k] / counts[k];
                sse += sumSquares[k] - sums[k] * sums[k] / counts[k];
            }
        }
        ++result.iterations;
        const long double mse = sse / values.size();
        if (previous >= 0 && std::abs(previous - mse) <= kLloydMaxRelativeChange * previous) {
            break;
        }
        previous = mse;
    }
    return result;
}

// Plain equal-count quantile cells and their means, the textbook start.
std::vector<double> quantileStart(std::vector<float> values, int levels)
{
    std::sort(values.begin(), values.end());
    std::vector<double> means;
    for (int k = 0; k < levels; ++k) {
        const std::size_t begin = values.size() * k / levels;
        const std::size_t end = values.size() * (k + 1) / levels;
        long double sum = 0;
        for (std::size_t i = begin; i < end; ++i) {
            sum += values[i];
        }
        means.push_back(double(sum / (end - begin)));
    }
    return means;
}

// Mean squared distance to the nearest level, by a scan.
double nearestLevelMse(const std::vector<float>& values, const std::vector<long double>& levels)
{
    long double sse = 0;
    for (float v : values) {
        long double best = std::abs(v - levels[0]);
        for (long double level : levels) {
            best = std::min(best, std::abs(v - level));
        }
        sse += best * best;
    }
    return double(sse / values.size());
}

} // namespace

class TestLloydMax : public QObject {
    Q_OBJECT

private slots:
    void twoClustersOneBit();
    void fewerDistinctValuesThanLevels();
    void mseNeverIncreases_data();
    void mseNeverIncreases();
    void centroidAndNearestNeighbourConditions_data();
    void centroidAndNearestNeighbourConditions();
    void matchesBruteForceLloyd_data();
    void matchesBruteForceLloyd();
    void startBeatsQuantileStart_data();
    void startBeatsQuantileStart();
    void tiedValuesKeepTheirLevels();
    void degenerateInputs();
};

void TestLloydMax::twoClustersOneBit()
{
    // Cluster means −2 and 3.25, exact in binary.
    const std::vector<float> data = {3.0f, -2.25f, -2.0f, 3.5f, -2.0f, -1.75f, 3.25f};
    const Distribution dist(data);
    const LloydMaxResult result = lloydMax(dist, 2);
    QCOMPARE(result.levels, (std::vector<double>{-2.0, 3.25}));
    QVERIFY(result.converged);
    const Codebook codebook = schemeById("lloyd-max").design(dist, {{"bits", 1}});
    QCOMPARE(codebook.levels, (std::vector<double>{-2.0, 3.25}));
    QCOMPARE(codebook.thresholds, std::vector<double>{0.625}); // the midpoint, a float32
    // Within-cluster squared deviations: 0.0625·2 + 0.0625·2 = 0.25 over 7 values.
    QCOMPARE(computeMetrics(dist, codebook).mse, 0.25 / 7);
}

void TestLloydMax::fewerDistinctValuesThanLevels()
{
    const Distribution dist(std::vector<float>{2, 1, 2, 5, 2, 1});
    const Codebook codebook = schemeById("lloyd-max").design(dist, {{"bits", 3}});
    QCOMPARE(codebook.levels, (std::vector<double>{1, 2, 5}));
    QCOMPARE(computeMetrics(dist, codebook).mse, 0.0);
}

void TestLloydMax::mseNeverIncreases_data()
{
    QTest::addColumn<QString>("demo");
    QTest::addColumn<int>("levels");
    for (const char* demo : {"gaussian", "laplacian", "relu", "outliers"}) {
        for (int levels : {2, 4, 16, 256}) {
            QTest::newRow(qPrintable(QString("%1 %2").arg(demo).arg(levels)))
                << QString(demo) << levels;
        }
    }
}

void TestLloydMax::mseNeverIncreases()
{
    QFETCH(QString, demo);
    QFETCH(int, levels);
    const Tensor tensor = makeDemoTensor(demo.toStdString(), 1 << 16);
    const Distribution dist(tensor.values());
    const LloydMaxResult result = lloydMax(dist, levels);
    QCOMPARE(int(result.mseHistory.size()), result.iterations + 1);
    QVERIFY(result.iterations >= 1);
    for (std::size_t i = 1; i < result.mseHistory.size(); ++i) {
        QVERIFY2(result.mseHistory[i] <= result.mseHistory[i - 1] * (1 + kMonotoneTolerance),
                 qPrintable(QString("iteration %1: %2 after %3")
                                .arg(i)
                                .arg(result.mseHistory[i], 0, 'g', 17)
                                .arg(result.mseHistory[i - 1], 0, 'g', 17)));
    }
    // Lloyd improves on its equal-count start.
    QVERIFY(result.mseHistory.back() < result.mseHistory.front());
    for (std::size_t k = 1; k < result.levels.size(); ++k) {
        QVERIFY(result.levels[k - 1] < result.levels[k]);
    }
}

void TestLloydMax::centroidAndNearestNeighbourConditions_data()
{
    QTest::addColumn<QString>("demo");
    QTest::addColumn<int>("bits");
    // (outliers at 5 bits still creeps after 200 iterations; the conditions hold at convergence.)
    for (const char* demo : {"gaussian", "relu", "laplacian"}) {
        for (int bits : {1, 3, 5}) {
            QTest::newRow(qPrintable(QString("%1 %2 bits").arg(demo).arg(bits)))
                << QString(demo) << bits;
        }
    }
}

void TestLloydMax::centroidAndNearestNeighbourConditions()
{
    QFETCH(QString, demo);
    QFETCH(int, bits);
    const Tensor tensor = makeDemoTensor(demo.toStdString(), 1 << 16);
    const std::vector<float> values(tensor.values().begin(), tensor.values().end());
    const Distribution dist(values);
    QVERIFY(lloydMax(dist, 1 << bits).converged);
    const Codebook codebook = schemeById("lloyd-max").design(dist, {{"bits", bits}});
    QCOMPARE(codebook.levelCount(), 1 << bits);
    const std::vector<double>& r = codebook.levels;
    // Nearest neighbour: each threshold is the first float32 at least as near the upper level.
    for (std::size_t k = 0; k < codebook.thresholds.size(); ++k) {
        const float t = float(codebook.thresholds[k]);
        const float below = std::nextafter(t, -INFINITY);
        QCOMPARE(double(t), codebook.thresholds[k]);
        QVERIFY(std::abs(t - r[k + 1]) <= std::abs(t - r[k]));
        QVERIFY(std::abs(below - r[k + 1]) > std::abs(below - r[k]));
    }
    // Centroid: each level is the mean of the values it receives (a direct pass). Moving level k
    // to its cell mean m_k lowers the squared error by count_k·(m_k − r_k)²; the total gain is
    // second order in the remaining drift, so it is measured against the error itself.
    std::vector<long double> sums(r.size(), 0);
    std::vector<std::int64_t> counts(r.size(), 0);
    long double sse = 0;
    for (float v : values) {
        const int k = codebook.levelIndex(v);
        sums[k] += v;
        ++counts[k];
        sse += (v - r[k]) * (long double)(v - r[k]);
    }
    long double gain = 0;
    for (std::size_t k = 0; k < r.size(); ++k) {
        QVERIFY(counts[k] > 0);
        const long double drift = sums[k] / counts[k] - r[k];
        gain += counts[k] * drift * drift;
    }
    QVERIFY2(gain <= kCentroidGainTolerance * sse,
             qPrintable(QString("moving levels to cell means gains %1 of the squared error")
                            .arg(double(gain / sse), 0, 'g', 3)));
}

void TestLloydMax::matchesBruteForceLloyd_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("levels");
    QTest::newRow("300 values, 2 levels") << 300 << 2;
    QTest::newRow("300 values, 4 levels") << 300 << 4;
    QTest::newRow("500 values, 8 levels") << 500 << 8;
    QTest::newRow("1000 values, 16 levels") << 1000 << 16;
}

void TestLloydMax::matchesBruteForceLloyd()
{
    QFETCH(int, count);
    QFETCH(int, levels);
    const std::vector<float> values = mixture(std::size_t(count), unsigned(count + levels));
    const LloydMaxResult fast = lloydMax(Distribution(values), levels);
    QCOMPARE(int(fast.initialLevels.size()), levels);
    const BruteForceLloyd slow = bruteForceLloyd(values, fast.initialLevels);
    QCOMPARE(fast.levels.size(), slow.levels.size());
    for (std::size_t k = 0; k < fast.levels.size(); ++k) {
        QVERIFY2(std::abs(fast.levels[k] - double(slow.levels[k])) <=
                     kBruteForceTolerance * std::max(1.0, std::abs(fast.levels[k])),
                 qPrintable(QString("level %1: %2 vs brute force %3")
                                .arg(k)
                                .arg(fast.levels[k], 0, 'g', 17)
                                .arg(double(slow.levels[k]), 0, 'g', 17)));
    }
    QVERIFY(std::abs(fast.iterations - slow.iterations) <= 1);
}

void TestLloydMax::startBeatsQuantileStart_data()
{
    QTest::addColumn<QString>("demo");
    for (const char* demo : {"gaussian", "laplacian", "outliers"}) {
        QTest::newRow(demo) << QString(demo);
    }
}

// Within the iteration limit, Lloyd from equal shares of p^(1/3) ends lower than Lloyd from
// plain quantiles, which leaves the tails short of levels.
void TestLloydMax::startBeatsQuantileStart()
{
    QFETCH(QString, demo);
    constexpr int kLevels = 32;
    const Tensor tensor = makeDemoTensor(demo.toStdString(), 1 << 12);
    const std::vector<float> values(tensor.values().begin(), tensor.values().end());
    const LloydMaxResult result = lloydMax(Distribution(values), kLevels);
    const BruteForceLloyd fromQuantiles = bruteForceLloyd(values, quantileStart(values, kLevels));
    const double quantileMse = nearestLevelMse(values, fromQuantiles.levels);
    QVERIFY2(result.mseHistory.back() < quantileMse,
             qPrintable(QString("MSE %1, from quantiles %2")
                            .arg(result.mseHistory.back(), 0, 'g', 6)
                            .arg(quantileMse, 0, 'g', 6)));
}

void TestLloydMax::tiedValuesKeepTheirLevels()
{
    // ReLU activations: 58% exact zeros. The start keeps the run of zeros in one cell and
    // shares the rest, so every one of the 256 levels is used.
    const Tensor tensor = makeDemoTensor("relu", 1 << 16);
    const Distribution dist(tensor.values());
    const Codebook codebook = schemeById("lloyd-max").design(dist, {{"bits", 8}});
    QCOMPARE(codebook.levelCount(), 256);
    QCOMPARE(computeMetrics(dist, codebook).levelsUsed, 256);
}

void TestLloydMax::degenerateInputs()
{
    const Scheme& scheme = schemeById("lloyd-max");
    const Codebook constant = scheme.design(Distribution(std::vector<float>(5, 0.3f)), {});
    QCOMPARE(constant.levels, std::vector<double>{double(0.3f)});
    const Codebook one = scheme.design(Distribution(std::vector<float>{-4.0f}), {{"bits", 8}});
    QCOMPARE(one.levels, std::vector<double>{-4.0});
    const Codebook empty = scheme.design(Distribution(), {{"bits", 8}});
    QCOMPARE(empty.levels, std::vector<double>{0.0});
    QCOMPARE(lloydMax(Distribution(), 4).levels, std::vector<double>{0.0});
    // Values at float32's extremes: the cell sums stay finite in double.
    const Codebook huge =
        scheme.design(Distribution(std::vector<float>{-3e38f, -3e38f, 3e38f, 1.0f}), {{"bits", 2}});
    for (double level : huge.levels) {
        QVERIFY(std::isfinite(level));
    }
}

QTEST_APPLESS_MAIN(TestLloydMax)
#include "tst_lloyd_max.moc"
