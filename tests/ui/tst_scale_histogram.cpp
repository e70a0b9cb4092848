// The histogram of log2(block scale) the explorer's block-scale view draws: exact for powers of
// two (one bin per exponent), up to kMaxScaleBins bins otherwise, zero scales counted apart.
#include "quant_result.h"

#include <QtTest>

#include <cmath>
#include <limits>
#include <vector>

using namespace quantscope;

namespace {

std::vector<BlockInfo> blocksWithScales(const std::vector<float>& scales)
{
    std::vector<BlockInfo> blocks;
    for (float scale : scales) {
        blocks.push_back(BlockInfo{scale, 0.0f, 0.0f});
    }
    return blocks;
}

} // namespace

class TestScaleHistogram : public QObject {
    Q_OBJECT

private slots:
    void powersOfTwoOneBinPerExponent();
    void otherScalesInEvenBins();
    void subnormalPowersOfTwo();
    void onlyZeroScales();
};

void TestScaleHistogram::powersOfTwoOneBinPerExponent()
{
    // Exponents −3 (three blocks), −1, 0 (two); two zero scales and a NaN one left out.
    const std::vector<BlockInfo> blocks =
        blocksWithScales({0.125f, 0.0f, 0.125f, 0.5f, 1.0f, 0.125f, 0.0f, 1.0f,
                          std::numeric_limits<float>::quiet_NaN()});
    std::int64_t zeroScales = -1;
    const Histogram h = blockScaleHistogram(blocks, zeroScales);
    QCOMPARE(zeroScales, std::int64_t(3));
    QCOMPARE(h.edges, (std::vector<double>{-3.5, -2.5, -1.5, -0.5, 0.5}));
    QCOMPARE(h.counts, (std::vector<std::int64_t>{3, 0, 1, 2}));
}

void TestScaleHistogram::otherScalesInEvenBins()
{
    // log2: −0.415, 0.585, 1.585, 2.585: a range of 3 octaves in bins of 1/16 octave (3/64 would
    // be narrower), starting half a bin below the smallest, so each lands mid-bin.
    const std::vector<BlockInfo> blocks = blocksWithScales({1.5f, 3.0f, 6.0f, 0.75f});
    std::int64_t zeroScales = -1;
    const Histogram h = blockScaleHistogram(blocks, zeroScales);
    QCOMPARE(zeroScales, std::int64_t(0));
    constexpr double kWidth = 1.0 / 16;
    const double start = std::log2(0.75) - kWidth / 2;
    QCOMPARE(h.counts.size(), std::size_t(49));
    QCOMPARE(h.edges.size(), std::size_t(50));
    QVERIFY(std::abs(h.edges.front() - start) < 1e-12);
    QVERIFY(std::abs(h.edges[1] - h.edges[0] - kWidth) < 1e-12);
    std::vector<std::int64_t> want(49, 0);
    want[0] = want[16] = want[32] = want[48] = 1;
    QCOMPARE(h.counts, want);
}

void TestScaleHistogram::subnormalPowersOfTwo()
{
    // 2^−149 and 2^−140 are subnormal: their exponents come from log2, still whole numbers.
    const std::vector<BlockInfo> blocks =
        blocksWithScales({std::numeric_limits<float>::denorm_min(), std::ldexp(1.0f, -140), 1.0f});
    std::int64_t zeroScales = -1;
    const Histogram h = blockScaleHistogram(blocks, zeroScales);
    QCOMPARE(h.counts.size(), std::size_t(150));
    QCOMPARE(h.edges.front(), -149.5);
    QCOMPARE(h.edges.back(), 0.5);
    QCOMPARE(h.counts[0], std::int64_t(1));
    QCOMPARE(h.counts[9], std::int64_t(1));
    QCOMPARE(h.counts[149], std::int64_t(1));
}

void TestScaleHistogram::onlyZeroScales()
{
    std::int64_t zeroScales = -1;
    const Histogram h = blockScaleHistogram(blocksWithScales({0.0f, 0.0f}), zeroScales);
    QCOMPARE(zeroScales, std::int64_t(2));
    QVERIFY(h.counts.empty());
    QVERIFY(h.edges.empty());
}

QTEST_GUILESS_MAIN(TestScaleHistogram)
#include "tst_scale_histogram.moc"
