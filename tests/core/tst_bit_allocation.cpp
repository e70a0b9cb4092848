// The bit allocation is the exact optimum of its multiple-choice knapsack: on random small
// models it equals a brute force over every combination, and it never exceeds the budget.
#include "quantscope/bit_allocation.h"
#include "quantscope/errors.h"

#include <QtTest>

#include <cmath>
#include <limits>
#include <random>

using namespace quantscope;

namespace {

// The allocation's noise and a brute force's are the same sum of the same terms, possibly in
// another order.
constexpr double kNoiseRelTolerance = 1e-12;

// A report of one scheme whose results are given as (bpw, SQNR dB) per tensor.
ModelReport syntheticReport(const std::vector<std::int64_t>& sizes,
                            const std::vector<std::vector<std::pair<double, double>>>& options)
{
    ModelReport report;
    report.file = "synthetic";
    report.schemes = {"s"};
    for (std::size_t t = 0; t < sizes.size(); ++t) {
        TensorReport tensor;
        tensor.index = static_cast<std::int64_t>(t);
        tensor.name = "t" + std::to_string(t);
        tensor.shape = {sizes[t]};
        tensor.dtype = "float32";
        tensor.count = sizes[t];
        for (std::size_t o = 0; o < options[t].size(); ++o) {
            ReportResult result;
            result.scheme = "s";
            result.bits = static_cast<int>(o + 1);
            result.bpw = options[t][o].first;
            Metrics metrics;
            metrics.sqnrDb = options[t][o].second;
            metrics.mse = 1.0;
            result.metrics = metrics;
            tensor.results.push_back(result);
        }
        report.tensors.push_back(tensor);
    }
    for (std::size_t o = 0; o < options.front().size(); ++o) {
        report.bits.push_back(static_cast<int>(o + 1));
    }
    return report;
}

struct Optimum {
    double noise = std::numeric_limits<double>::infinity();
    double cost = 0.0;
};

Optimum bruteForce(const std::vector<std::int64_t>& sizes,
                   const std::vector<std::vector<std::pair<double, double>>>& options,
                   double capacity)
{
    Optimum best;
    std::vector<std::size_t> choice(sizes.size(), 0);
    while (true) {
        double cost = 0.0;
        double noise = 0.0;
        for (std::size_t t = 0; t < sizes.size(); ++t) {
            cost += double(sizes[t]) * options[t][choice[t]].first;
            noise += double(sizes[t]) * std::pow(10.0, -options[t][choice[t]].second / 10.0);
        }
        if (cost <= capacity * (1 + 1e-12) && noise < best.noise) {
            best = {noise, cost};
        }
        std::size_t t = 0;
        while (t < sizes.size() && ++choice[t] == options[t].size()) {
            choice[t++] = 0;
        }
        if (t == sizes.size()) {
            return best;
        }
    }
}

double allocationNoise(const BitAllocation& allocation, const std::vector<std::int64_t>& sizes,
                       const std::vector<std::vector<std::pair<double, double>>>& options)
{
    double noise = 0.0;
    for (std::size_t t = 0; t < sizes.size(); ++t) {
        const auto& option = options[t][static_cast<std::size_t>(allocation.tensors[t].bits - 1)];
        noise += double(sizes[t]) * std::pow(10.0, -option.second / 10.0);
    }
    return noise;
}

} // namespace

class TestBitAllocation : public QObject {
    Q_OBJECT

private slots:
    void equalsBruteForce_data();
    void equalsBruteForce();
    void uniformChoiceAndGain();
    void infeasibleBudget();
};

void TestBitAllocation::equalsBruteForce_data()
{
    QTest::addColumn<int>("seed");
    for (int seed = 1; seed <= 300; ++seed) {
        QTest::newRow(qPrintable(QString::number(seed))) << seed;
    }
}

void TestBitAllocation::equalsBruteForce()
{
    QFETCH(int, seed);
    std::mt19937 random(static_cast<unsigned>(seed));
    std::uniform_int_distribution<int> tensorCount(1, 7);
    std::uniform_int_distribution<int> optionCount(1, 5);
    std::uniform_int_distribution<std::int64_t> size(1, 5000);
    std::uniform_real_distribution<double> bpw(1.0, 9.0);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const int tensors = tensorCount(random);
    const int count = optionCount(random);
    std::vector<std::int64_t> sizes;
    std::vector<std::vector<std::pair<double, double>>> options;
    for (int t = 0; t < tensors; ++t) {
        sizes.push_back(size(random));
        std::vector<std::pair<double, double>> own;
        for (int o = 0; o < count; ++o) {
            // Random (bpw, SQNR) pairs: some dominated, hulls of every shape.
            const double b = seed % 3 == 0 ? double(o + 2) : bpw(random);
            own.push_back({b, 6.0 * b * (0.5 + unit(random)) - 3.0});
        }
        options.push_back(own);
    }
    double cheapest = 0.0;
    double dearest = 0.0;
    double parameters = 0.0;
    for (int t = 0; t < tensors; ++t) {
        double low = 1e300;
        double high = 0.0;
        for (const auto& [b, sqnr] : options[t]) {
            low = std::min(low, b);
            high = std::max(high, b);
        }
        cheapest += double(sizes[t]) * low;
        dearest += double(sizes[t]) * high;
        parameters += double(sizes[t]);
    }
    const double budget = (cheapest + unit(random) * (dearest - cheapest)) / parameters;

    const ModelReport report = syntheticReport(sizes, options);
    const BitAllocation allocation = allocateBits(report, "s", budget);
    const Optimum expected = bruteForce(sizes, options, budget * parameters);
    QVERIFY(allocation.provenOptimal);
    QCOMPARE(allocation.tensors.size(), sizes.size());
    QVERIFY(allocation.averageBits <= budget * (1 + 1e-12));
    const double noise = allocationNoise(allocation, sizes, options);
    QVERIFY2(std::abs(noise - expected.noise) <= kNoiseRelTolerance * expected.noise,
             qPrintable(QStringLiteral("%1 vs brute force %2").arg(noise).arg(expected.noise)));
    QVERIFY(std::abs(*allocation.sqnrDb - (-10.0 * std::log10(noise / parameters))) < 1e-9);
}

void TestBitAllocation::uniformChoiceAndGain()
{
    // The big tensor gains almost nothing from more bits, the small one a lot: at 4 bits per
    // weight on average, 2 bpw on the big one and 8 on the small one beat 4 and 4.
    const std::vector<std::int64_t> sizes = {1000, 100};
    const std::vector<std::vector<std::pair<double, double>>> options = {
        {{2, 20.0}, {4, 20.1}, {8, 20.2}}, {{2, 0.0}, {4, 10.0}, {8, 30.0}}};
    const ModelReport report = syntheticReport(sizes, options);
    const BitAllocation allocation = allocateBits(report, "s", 4.0);
    QCOMPARE(allocation.tensors[0].bits, 1); // the 2 bpw option
    QCOMPARE(allocation.tensors[1].bits, 3); // the 8 bpw option
    QCOMPARE(allocation.averageBits, (1000 * 2.0 + 100 * 8.0) / 1100);
    const auto sqnr = [](double noise) { return -10 * std::log10(noise / 1100); };
    const double chosen = sqnr(1000 * std::pow(10, -2.0) + 100 * std::pow(10, -3.0));
    const double uniform = sqnr(1000 * std::pow(10, -2.01) + 100 * std::pow(10, -1.0));
    QCOMPARE(allocation.uniformBits, std::optional<int>(2)); // bits 2 is the 4 bpw option
    QVERIFY(std::abs(*allocation.sqnrDb - chosen) < 1e-9);
    QVERIFY(std::abs(*allocation.uniformSqnrDb - uniform) < 1e-9);
    QVERIFY(chosen - uniform > 2.9); // the gain the report shows
}

void TestBitAllocation::infeasibleBudget()
{
    const ModelReport report = syntheticReport({10, 10}, {{{4, 20.0}}, {{4, 20.0}}});
    QVERIFY_THROWS_EXCEPTION(InputError, allocateBits(report, "s", 3.9));
    QVERIFY_THROWS_EXCEPTION(UsageError, allocateBits(report, "other", 8.0));
    QCOMPARE(allocateBits(report, "s", 4.0).averageBits, 4.0);
}

QTEST_APPLESS_MAIN(TestBitAllocation)
#include "tst_bit_allocation.moc"
