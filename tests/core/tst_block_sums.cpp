#include "block_sums.h" // core-internal: the Distribution's per-block sums kernel

#include "quantscope/distribution.h"
#include "quantscope/simd_targets.h"

#include <QtTest>

#include <hwy/targets.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

using namespace quantscope;

namespace {

constexpr std::int64_t kBlock = Distribution::kBlockSize;

// The reference the kernel promises: each block added value by value in order, Neumaier's
// compensation carried in a second double, then normalised.
struct InOrderSums {
    CompensatedSum sum;
    CompensatedSum squares;
};

InOrderSums sumInOrder(const float* block)
{
    double s = 0.0, sc = 0.0, q = 0.0, qc = 0.0;
    auto add = [](double& total, double& comp, double x) {
        const double t = total + x;
        comp += std::abs(total) >= std::abs(x) ? (total - t) + x : (x - t) + total;
        total = t;
    };
    for (std::int64_t i = 0; i < kBlock; ++i) {
        const double x = block[i];
        add(s, sc, x);
        add(q, qc, x * x);
    }
    InOrderSums sums{CompensatedSum(s), CompensatedSum(q)};
    sums.sum += sc;
    sums.squares += qc;
    return sums;
}

// Bit for bit (QCOMPARE of doubles would forgive a relative 1e-12).
std::pair<quint64, quint64> bitsOf(const CompensatedSum& sum)
{
    return {std::bit_cast<quint64>(sum.hi), std::bit_cast<quint64>(sum.lo)};
}

// Values over 120 binary orders of magnitude, both signs, in no order: every addition rounds, so
// a kernel that adds a block's values in another order (or another block's) gives other bits.
std::vector<float> wideValues(std::int64_t count)
{
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> mantissa(-1.0f, 1.0f);
    std::uniform_int_distribution<int> exponent(-60, 60);
    std::vector<float> values(static_cast<std::size_t>(count));
    for (float& v : values) {
        v = std::ldexp(mantissa(rng), exponent(rng));
    }
    return values;
}

} // namespace

class TestBlockSums : public QObject {
    Q_OBJECT

private slots:
    void equalsInOrderSumsOnEveryTarget_data();
    void equalsInOrderSumsOnEveryTarget();
    void cleanup() { hwy::SetSupportedTargetsForTest(0); }
};

void TestBlockSums::equalsInOrderSumsOnEveryTarget_data()
{
    QTest::addColumn<qint64>("target");
    chooseSimdTargets(); // what the kernel's dispatch does first; its choice stays in force
    for (const std::int64_t target : hwy::SupportedAndGeneratedTargets()) {
        QTest::newRow(hwy::TargetName(target)) << qint64(target);
    }
}

void TestBlockSums::equalsInOrderSumsOnEveryTarget()
{
    QFETCH(qint64, target);
    hwy::SetSupportedTargetsForTest(target);
    // 1003 blocks: whole groups of 1, 2 or 4 lanes and the blocks left over after them.
    constexpr std::int64_t kBlocks = 1003;
    const std::vector<float> values = wideValues(kBlocks * kBlock);
    std::vector<CompensatedSum> sums(kBlocks), squares(kBlocks);
    blockRunSums(values.data(), kBlocks, sums.data(), squares.data());
    for (std::int64_t b = 0; b < kBlocks; ++b) {
        const InOrderSums want = sumInOrder(values.data() + b * kBlock);
        QCOMPARE(bitsOf(sums[b]), bitsOf(want.sum));
        QCOMPARE(bitsOf(squares[b]), bitsOf(want.squares));
    }
}

QTEST_GUILESS_MAIN(TestBlockSums)
#include "tst_block_sums.moc"
