#include "quantscope/demo.h"
#include "quantscope/metrics.h"
#include "quantscope/scheme.h"
#include "quantscope/schemes/linear.h"

#include <QtTest>

#include <cmath>

using namespace quantscope;

namespace {

// The MSE against the clip threshold is ragged; grid + golden section must come within this of
// the best of a fine brute-force grid (relative).
constexpr double kGridTolerance = 1e-3;
constexpr int kBruteForcePoints = 2000;

double mseAt(const Distribution& dist, double clip, int bits)
{
    return computeMetrics(dist, linearCodebook(symmetricMapping(clip, bits))).mse;
}

Distribution demo(const QString& name, std::int64_t elements = 1 << 16)
{
    return Distribution(makeDemoTensor(name.toStdString(), elements).values());
}

} // namespace

class TestSymmetricMse : public QObject {
    Q_OBJECT

private slots:
    void neverWorseThanMaxAbs_data();
    void neverWorseThanMaxAbs();
    void clipsOutliers();
    void matchesBruteForceGrid_data();
    void matchesBruteForceGrid();
    void sameIntegerMappingAsSymmetric();
    void degenerateInputs();
};

void TestSymmetricMse::neverWorseThanMaxAbs_data()
{
    QTest::addColumn<QString>("demo");
    QTest::addColumn<int>("bits");
    for (const char* name : {"gaussian", "outliers", "laplacian"}) {
        for (int bits = 2; bits <= 8; ++bits) {
            QTest::newRow(qPrintable(QString("%1 %2").arg(name).arg(bits)))
                << QString(name) << bits;
        }
    }
}

void TestSymmetricMse::neverWorseThanMaxAbs()
{
    QFETCH(QString, demo);
    QFETCH(int, bits);
    const Distribution dist = ::demo(demo);
    const double tuned =
        computeMetrics(dist, schemeById("symmetric-mse").design(dist, {{"bits", bits}})).mse;
    const double maxAbs =
        computeMetrics(dist, schemeById("symmetric").design(dist, {{"bits", bits}})).mse;
    QVERIFY2(tuned <= maxAbs, qPrintable(QString("%1 vs %2").arg(tuned).arg(maxAbs)));
}

void TestSymmetricMse::clipsOutliers()
{
    // 64 outliers of magnitude 0.5 … 1.5 among 2^20 N(0, 0.02²) weights: spending the range on
    // them costs every other weight resolution, so the best threshold clips them.
    const Distribution dist = demo("outliers", 1 << 20);
    for (int bits = 2; bits <= 8; ++bits) {
        const Codebook codebook = schemeById("symmetric-mse").design(dist, {{"bits", bits}});
        const double clip = codebook.linear->scale * double(codebook.linear->qmax);
        QVERIFY2(
            clip < dist.maxAbs(),
            qPrintable(
                QString("%1 bits: a = %2, max|x| = %3").arg(bits).arg(clip).arg(dist.maxAbs())));
        QVERIFY(computeMetrics(dist, codebook).clippedFraction > 0.0);
    }
}

void TestSymmetricMse::matchesBruteForceGrid_data()
{
    QTest::addColumn<QString>("demo");
    QTest::addColumn<int>("bits");
    for (const char* name : {"gaussian", "outliers", "relu"}) {
        for (int bits : {2, 3, 4, 6, 8}) {
            QTest::newRow(qPrintable(QString("%1 %2").arg(name).arg(bits)))
                << QString(name) << bits;
        }
    }
}

void TestSymmetricMse::matchesBruteForceGrid()
{
    QFETCH(QString, demo);
    QFETCH(int, bits);
    const Distribution dist = ::demo(demo, 1 << 14);
    double best = INFINITY;
    for (int i = 1; i <= kBruteForcePoints; ++i) {
        best = std::min(best, mseAt(dist, dist.maxAbs() * i / kBruteForcePoints, bits));
    }
    const double tuned =
        computeMetrics(dist, schemeById("symmetric-mse").design(dist, {{"bits", bits}})).mse;
    QVERIFY2(tuned <= best * (1 + kGridTolerance),
             qPrintable(QString("search %1, brute-force grid %2 (ratio %3)")
                            .arg(tuned, 0, 'g', 8)
                            .arg(best, 0, 'g', 8)
                            .arg(tuned / best, 0, 'g', 8)));
}

void TestSymmetricMse::sameIntegerMappingAsSymmetric()
{
    const Distribution dist = demo("gaussian");
    const Codebook codebook = schemeById("symmetric-mse").design(dist, {{"bits", 4}});
    QVERIFY(codebook.linear.has_value());
    QCOMPARE(codebook.linear->zeroPoint, std::int64_t(0));
    QCOMPARE(codebook.linear->qmin, std::int64_t(-7));
    QCOMPARE(codebook.linear->qmax, std::int64_t(7));
    // The same codebook as symmetric with this threshold as its range.
    const double clip = codebook.linear->scale * 7;
    const Codebook same = schemeById("symmetric").design(dist, {{"bits", 4}, {"range", clip}});
    QCOMPARE(same.levels, codebook.levels);
    QCOMPARE(same.thresholds, codebook.thresholds);
}

void TestSymmetricMse::degenerateInputs()
{
    const Scheme& scheme = schemeById("symmetric-mse");
    for (const std::vector<float>& values :
         {std::vector<float>{0, 0, 0}, std::vector<float>{2.5f, 2.5f}, std::vector<float>{-7.0f},
          std::vector<float>{}}) {
        const Distribution dist(values);
        const Codebook codebook = scheme.design(dist, {{"bits", 8}});
        for (double level : codebook.levels) {
            QVERIFY(std::isfinite(level));
        }
        // One distinct magnitude: the search finds a level on it.
        QCOMPARE(computeMetrics(dist, codebook).mse, 0.0);
    }
}

QTEST_APPLESS_MAIN(TestSymmetricMse)
#include "tst_symmetric_mse.moc"
