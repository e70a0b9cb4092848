#include "quantscope/errors.h"
#include "quantscope/metrics.h"
#include "quantscope/scheme.h"
#include "quantscope/schemes/weighted_entropy.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <random>

using namespace quantscope;

namespace {

// Hand-computed objectives and representatives are written to 6 decimals.
constexpr double kHandTolerance = 2e-6;
// Objectives from the design against a long-double brute force over the same clusters.
constexpr double kRelativeObjectiveTolerance = 1e-11;
// Representatives are sqrt(mean w²) of float32 data.
constexpr double kRelativeRepresentativeTolerance = 1e-12;

// The seed's example weights.
const std::vector<float> kSeedWeights{0.3f, 1.4f, 2.7f, -3.1f, 0.8f, -1.1f, 2.3f, 0.0f, 4.1f};

// Magnitudes sorted ascending, straight from the data (the reference for ranks and clusters).
std::vector<long double> sortedMagnitudes(const std::vector<float>& values)
{
    std::vector<long double> magnitudes;
    for (float v : values) {
        if (std::isfinite(v)) {
            magnitudes.push_back(std::abs((long double)v));
        }
    }
    std::sort(magnitudes.begin(), magnitudes.end());
    return magnitudes;
}

// E = −Σ_{k = L%2 …} wp(k)·ln(p(k)/2), summed directly from the sorted magnitudes.
double directObjective(const std::vector<long double>& magnitudes, int levels,
                       const std::vector<std::int64_t>& slices)
{
    const long double n = magnitudes.size();
    long double objective = 0;
    std::int64_t begin = 0;
    for (std::size_t k = 0; k < slices.size(); ++k) {
        const std::int64_t end = slices[k];
        if (int(k) >= levels % 2 && end > begin) {
            long double squares = 0;
            for (std::int64_t r = begin; r < end; ++r) {
                squares += magnitudes[r] * magnitudes[r];
            }
            objective -= squares / n * std::log((long double)(end - begin) / (2 * n));
        }
        begin = end;
    }
    return double(objective);
}

// The original forward kernel: out = rep[j] for the last j with |w| >= bdr[j], times sign.
double directForward(const std::vector<double>& boundaries,
                     const std::vector<double>& representatives, float w)
{
    const double sign = w >= 0.0f ? 1.0 : -1.0;
    const double value = double(w) * sign;
    double out = 0.0;
    for (std::size_t j = 0; j < boundaries.size(); ++j) {
        if (value >= boundaries[j]) {
            out = representatives[j];
        }
    }
    return out * sign;
}

std::vector<float> gaussian(std::size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 0.05f);
    std::vector<float> values(n);
    for (float& v : values) {
        v = normal(rng);
    }
    return values;
}

// Few distinct magnitudes of both signs and zeros: boundaries fall on ties.
std::vector<float> coarse(std::size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> step(-6, 6);
    std::vector<float> values(n);
    for (float& v : values) {
        v = 0.25f * float(step(rng));
    }
    return values;
}

bool nearlyEqual(double a, double b, double relative)
{
    return std::abs(a - b) <= relative * std::max({std::abs(a), std::abs(b), 1e-300});
}

// Every value (and the floats around every threshold) maps as the forward rule says.
void checkCodebookMatchesForward(const WeightedEntropyDesign& design,
                                 const std::vector<float>& values)
{
    const Codebook& cb = design.codebook;
    QVERIFY(!cb.levels.empty());
    QCOMPARE(cb.thresholds.size() + 1, cb.levels.size());
    for (std::size_t i = 1; i < cb.levels.size(); ++i) {
        QVERIFY2(cb.levels[i - 1] < cb.levels[i], "levels strictly ascending after merging");
    }
    for (std::size_t i = 1; i < cb.thresholds.size(); ++i) {
        QVERIFY(cb.thresholds[i - 1] < cb.thresholds[i]);
    }
    std::vector<float> probes = values;
    for (double t : cb.thresholds) {
        const float f = float(t);
        QCOMPARE(double(f), t); // thresholds are float32 values
        probes.push_back(f);
        probes.push_back(std::nextafter(f, -std::numeric_limits<float>::infinity()));
        probes.push_back(std::nextafter(f, std::numeric_limits<float>::infinity()));
    }
    for (double b : design.boundaries) {
        if (std::isfinite(b)) {
            probes.push_back(float(b));
            probes.push_back(-float(b));
            probes.push_back(std::nextafter(-float(b), 0.0f));
        }
    }
    probes.push_back(0.0f);
    probes.push_back(-0.0f);
    for (float x : probes) {
        const double expected = directForward(design.boundaries, design.representatives, x);
        QCOMPARE(cb.quantize(x), expected);
        QCOMPARE(weightedEntropyForward(design, x), expected);
    }
}

void checkSweepsNeverDecrease(const WeightedEntropyDesign& design)
{
    double previous = design.initialObjective;
    for (double e : design.sweepObjectives) {
        QVERIFY2(e >= previous, "a kept sweep lowered the objective");
        previous = e;
    }
    QCOMPARE(design.objective, previous);
}

// Every nondecreasing placement of half − 1 cuts in [0, n]; the best objective.
double bruteForceOptimum(const std::vector<long double>& magnitudes, int levels)
{
    const int half = (levels + 1) / 2;
    const auto n = std::int64_t(magnitudes.size());
    std::vector<std::int64_t> slices(half, 0);
    slices.back() = n;
    double best = -1.0;
    std::function<void(int, std::int64_t)> place = [&](int k, std::int64_t from) {
        if (k == half - 1) {
            best = std::max(best, directObjective(magnitudes, levels, slices));
            return;
        }
        for (std::int64_t s = from; s <= n; ++s) {
            slices[k] = s;
            place(k + 1, s);
        }
    };
    place(0, 0);
    return best;
}

std::vector<float> laplace(std::size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::exponential_distribution<float> magnitude(20.0f);
    std::vector<float> values(n);
    for (float& v : values) {
        v = (rng() % 2 ? 1.0f : -1.0f) * magnitude(rng);
    }
    return values;
}

std::vector<float> uniform(std::size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> value(-0.5f, 0.5f);
    std::vector<float> values(n);
    for (float& v : values) {
        v = value(rng);
    }
    return values;
}

// A plain port of the authors' weight quantizer, eh_weight_quant_update in caffe-WQ's
// src/caffe/util/eh_functions.cu, run on the sorted importances w² and their running sums in
// long double (the original's Dtype): QuantInfo's p, wp, pEnt and wEnt, recUpdate's recursion,
// the while loop over whole sweeps, rep = sqrt(w(k)) and bdr = sqrt(temp[slice] −
// temp[slice − 1]). Two guards where the original is undefined: an empty cluster adds 0 (the
// original reads sum_[−1] or computes 0·log 0), and a boundary whose two clusters hold at most
// one value goes to its lower neighbour (the original recurses forever).
class ReferenceWeq {
public:
    ReferenceWeq(const std::vector<float>& values, int levels)
        : m_levels(levels)
        , m_half((levels + 1) / 2)
    {
        std::vector<long double> importance;
        for (float v : values) {
            if (std::isfinite(v)) {
                importance.push_back((long double)v * v);
            }
        }
        std::sort(importance.begin(), importance.end());
        m_n = int(importance.size());
        m_sum.resize(importance.size());
        std::partial_sum(importance.begin(), importance.end(), m_sum.begin());
        m_slice.resize(m_half);
        for (int k = 0; k < m_half; ++k) {
            m_slice[k] = int(std::int64_t(m_n) * (k + 1) / m_half);
        }
        long double newEnt = wEnt();
        long double prevEnt = 0;
        while (newEnt > prevEnt) {
            for (int i = 0; i < m_half - 1; ++i) {
                recUpdate(i);
            }
            prevEnt = newEnt;
            newEnt = wEnt();
            sweeps.push_back(double(newEnt));
        }
        for (int k = 0; k < m_half; ++k) {
            slices.push_back(m_slice[k]);
            const bool zero = k == 0 && levels % 2 == 1;
            const int count = m_slice[k] - (k == 0 ? 0 : m_slice[k - 1]);
            representatives.push_back(zero || count == 0 ? 0.0 : double(std::sqrt(w(k))));
        }
        boundaries.push_back(0.0);
        for (int k = 0; k + 1 < m_half; ++k) {
            boundaries.push_back(
                m_slice[k] < m_n ? double(std::sqrt(sum(m_slice[k] + 1) - sum(m_slice[k]))) : 0.0);
        }
    }

    std::vector<std::int64_t> slices;
    std::vector<double> representatives; // of non-empty clusters; 0 for the zero level
    std::vector<double> boundaries;
    std::vector<double> sweeps; // E after each sweep

private:
    // Running sum of the r smallest importances (sum_[r − 1] in the original).
    long double sum(int r) const { return r == 0 ? 0 : m_sum[r - 1]; }
    int begin(int k) const { return k == 0 ? 0 : m_slice[k - 1]; }
    long double p(int k) const { return (long double)(m_slice[k] - begin(k)) / m_n; }
    long double wp(int k) const { return (sum(m_slice[k]) - sum(begin(k))) / m_n; }
    long double w(int k) const
    {
        return (sum(m_slice[k]) - sum(begin(k))) / (m_slice[k] - begin(k));
    }
    long double term(int k) const { return p(k) > 0 ? -wp(k) * std::log(p(k) / 2) : 0; }

    long double wEnt() const
    {
        long double ent = 0;
        for (int i = m_levels % 2; i < m_half; ++i) {
            ent += term(i);
        }
        return ent;
    }

    long double pEnt(int n) const
    {
        long double ent = 0;
        for (int i = std::max(n, m_levels % 2); i < n + 2; ++i) {
            ent += term(i);
        }
        return ent;
    }

    void recUpdate(int n, int begin = 0, int end = 0)
    {
        if (begin == 0 && end == 0) {
            const int newBegin = n == 0 ? 0 : m_slice[n - 1];
            const int newEnd = m_slice[n + 1] - 1;
            if (newEnd <= newBegin) {
                m_slice[n] = newBegin;
                return;
            }
            recUpdate(n, newBegin, newEnd);
        } else if (end - begin == 1) {
            m_slice[n] = begin;
            const long double bEnt = pEnt(n);
            m_slice[n] = end;
            const long double eEnt = pEnt(n);
            m_slice[n] = bEnt > eEnt ? begin : end;
        } else {
            const int center = (begin + end) / 2;
            m_slice[n] = center;
            const long double fEnt = pEnt(n);
            m_slice[n] = center + 1;
            const long double bEnt = pEnt(n);
            if (fEnt > bEnt) {
                recUpdate(n, begin, center);
            } else {
                recUpdate(n, center, end);
            }
        }
    }

    int m_levels;
    int m_half;
    int m_n = 0;
    std::vector<long double> m_sum;
    std::vector<int> m_slice;
};

} // namespace

class TestWeq : public QObject {
    Q_OBJECT

private slots:
    void seedExample_data();
    void seedExample();
    void codebookMatchesForwardRule_data();
    void codebookMatchesForwardRule();
    void equalsReferencePort_data();
    void equalsReferencePort();
    void sweepsFollowTheAuthorsRule();
    void sweepBudgetIsAnOption();
    void twoThreadsSweepAsOne_data();
    void twoThreadsSweepAsOne();
    void optimalNotBelowGreedy_data();
    void optimalNotBelowGreedy();
    void optimalEqualsBruteForce();
    void metricsReportObjective();
    void degenerateInputs();
    void schemesThroughRegistry();
    void objectiveFunction();
};

// The seed's weights [0.3, 1.4, 2.7, −3.1, 0.8, −1.1, 2.3, 0.0, 4.1], n = 9.
// Magnitudes by rank: 0, 0.3, 0.8, 1.1, 1.4, 2.3, 2.7, 3.1, 4.1; prefix sums of w² at ranks 0…9:
// 0, 0, .09, .73, 1.94, 3.90, 9.19, 16.48, 26.09, 42.90. A cluster [b, e) adds
// term(b, e) = (S_e − S_b)/9 · ln(18 / (e − b))   (−wp·ln(p/2) with p = (e − b)/9).
//
// L = 5 (half 3, cluster 0 is zero): start [3, 6, 9], E = term(3, 6) + term(6, 9) = 8.395389.
//  Sweep 1, boundary 0 in [0, 5] (only cluster 1 counts): local(s) = term(s, 6) =
//   1.121805, 1.307976, 1.520789, 1.684254, 1.769986, 1.698896 for s = 0…5; bisection: c = 2
//   (1.52 < 1.68: right), c = 3 (1.68 < 1.77: right), c = 4 (1.77 > 1.70: left), final [3, 4]
//   -> 4. Boundary 1 in [4, 8]: local = term(4, s) + term(s, 9) = 5.829672, 7.147127, 8.481121,
//   9.344762, 9.434513: c = 6 right, c = 7 right, final [7, 8] -> 8. Slices [4, 8, 9],
//   E = 9.434513.
//  Sweep 2: boundary 0 in [0, 7]: local = term(s, 8) = 2.350797, 2.737889, 3.173769, 3.609387,
//   4.035941, 4.417683, 4.125899, 3.086275: c = 3 right, c = 5 left, c = 4 right -> 5.
//   Boundary 1 in [5, 8]: 6.517669, 8.410031, 9.521307, 9.816255 -> 8. E = 9.816255.
//  Sweep 3 changes nothing (E equal): stop. Slices [5, 8, 9]: clusters {0, .3, .8, 1.1, 1.4},
//  {2.3, 2.7, 3.1}, {4.1}; rep = 0, sqrt(22.19/3) = 2.719681, 4.1; bdr = 0, 2.3, 4.1.
//  The Python port's boundary sqrt(imp[s] − imp[s−1]) on the plain sorted importances would give
//  bdr = sqrt(5.29 − 1.96) = 1.824829 and sqrt(16.81 − 9.61) = 2.683282, sending 2.7 and −3.1
//  to ±4.1; the true first magnitude of each cluster (sqrt of the running-sum difference) is
//  2.3 and 4.1, so 2.3, 2.7, −3.1 map to ±2.719681.
// L = 3 (half 2): start [4, 9]; boundary 0 in [0, 8], local = term(s, 9) = 3.304002, 3.865434,
//  4.492489, 5.147609, 5.829672, 6.517669, 6.711135, 6.450075, 5.398572: c = 4 right, c = 6
//  left, c = 5 right -> 6. Slices [6, 9], E = 6.711135; rep 0, sqrt(33.71/3) = 3.352114;
//  bdr 0, 2.7.
// L = 4 (half 2, no zero level): start [4, 9]; both clusters count: local(s) = term(0, s) +
//  term(s, 9) = 3.304002, 3.865434, 4.514461, 5.292941, 6.153884, 7.072740, 7.832940, 8.179489,
//  7.749369: c = 4 right, c = 6 right, c = 7 left, final [6, 7] -> 7. Slices [7, 9],
//  E = 8.179489; rep sqrt(16.48/7) = 1.534368, sqrt(26.42/2) = 3.634556; bdr 0, 3.1.
// L = 2 (one cluster): rep sqrt(42.90/9) = 2.183270, E = 4.766667·ln 2 = 3.304002.
void TestWeq::seedExample_data()
{
    QTest::addColumn<int>("levels");
    QTest::addColumn<std::vector<std::int64_t>>("slices");
    QTest::addColumn<std::vector<double>>("representatives");
    QTest::addColumn<std::vector<double>>("boundaries");
    QTest::addColumn<double>("objective");
    QTest::addColumn<std::vector<double>>("quantized");
    QTest::addColumn<std::vector<double>>("sweeps"); // E after each sweep

    const double r51 = 2.719681;
    QTest::newRow("L=5") << 5 << std::vector<std::int64_t>{5, 8, 9}
                         << std::vector<double>{0.0, r51, 4.1} << std::vector<double>{0, 2.3, 4.1}
                         << 9.816255 << std::vector<double>{0, 0, r51, -r51, 0, 0, r51, 0, 4.1}
                         << std::vector<double>{9.434513, 9.816255, 9.816255};
    const double r31 = 3.352114;
    QTest::newRow("L=3") << 3 << std::vector<std::int64_t>{6, 9} << std::vector<double>{0.0, r31}
                         << std::vector<double>{0, 2.7} << 6.711135
                         << std::vector<double>{0, 0, r31, -r31, 0, 0, 0, 0, r31}
                         << std::vector<double>{6.711135, 6.711135};
    const double r40 = 1.534368;
    const double r41 = 3.634556;
    QTest::newRow("L=4") << 4 << std::vector<std::int64_t>{7, 9} << std::vector<double>{r40, r41}
                         << std::vector<double>{0, 3.1} << 8.179489
                         << std::vector<double>{r40, r40, r40, -r41, r40, -r40, r40, r40, r41}
                         << std::vector<double>{8.179489, 8.179489};
    const double r20 = 2.183270;
    QTest::newRow("L=2") << 2 << std::vector<std::int64_t>{9} << std::vector<double>{r20}
                         << std::vector<double>{0} << 3.304002
                         << std::vector<double>{r20, r20, r20, -r20, r20, -r20, r20, r20, r20}
                         << std::vector<double>{3.304002};
}

void TestWeq::seedExample()
{
    QFETCH(int, levels);
    QFETCH(std::vector<std::int64_t>, slices);
    QFETCH(std::vector<double>, representatives);
    QFETCH(std::vector<double>, boundaries);
    QFETCH(double, objective);
    QFETCH(std::vector<double>, quantized);
    QFETCH(std::vector<double>, sweeps);

    const Distribution dist(kSeedWeights);
    const WeightedEntropyDesign design = designWeightedEntropy(dist, levels);
    QCOMPARE(design.slices, slices);
    QCOMPARE(design.hasZeroLevel, levels % 2 == 1);
    QCOMPARE(design.representatives.size(), representatives.size());
    for (std::size_t k = 0; k < representatives.size(); ++k) {
        QVERIFY(std::abs(design.representatives[k] - representatives[k]) < kHandTolerance);
    }
    // Boundaries are the float32 magnitudes themselves.
    QCOMPARE(design.boundaries.size(), boundaries.size());
    for (std::size_t k = 0; k < boundaries.size(); ++k) {
        QCOMPARE(design.boundaries[k], double(float(boundaries[k])));
    }
    QVERIFY(std::abs(design.objective - objective) < kHandTolerance);
    QVERIFY(std::abs(*design.codebook.weightedEntropy - objective) < kHandTolerance);
    QVERIFY(design.converged);
    QCOMPARE(design.sweepObjectives.size(), sweeps.size());
    for (std::size_t i = 0; i < sweeps.size(); ++i) {
        QVERIFY(std::abs(design.sweepObjectives[i] - sweeps[i]) < kHandTolerance);
    }
    for (std::size_t i = 0; i < kSeedWeights.size(); ++i) {
        QVERIFY(std::abs(design.codebook.quantize(kSeedWeights[i]) - quantized[i]) <
                kHandTolerance);
    }
    checkCodebookMatchesForward(design, kSeedWeights);
}

void TestWeq::codebookMatchesForwardRule_data()
{
    QTest::addColumn<std::vector<float>>("values");
    QTest::addColumn<int>("levels");
    for (int levels : {2, 3, 4, 7, 16, 31, 256}) {
        QTest::addRow("gaussian L=%d", levels) << gaussian(5000, 11 + levels) << levels;
        QTest::addRow("coarse ties L=%d", levels) << coarse(3000, 7 + levels) << levels;
    }
}

void TestWeq::codebookMatchesForwardRule()
{
    QFETCH(std::vector<float>, values);
    QFETCH(int, levels);
    const Distribution dist(values);
    for (const auto& design :
         {designWeightedEntropy(dist, levels), designWeightedEntropyOptimal(dist, levels)}) {
        checkCodebookMatchesForward(design, values);
        QVERIFY(design.codebook.levelCount() <= levels);
        // Each representative is sqrt of its cluster's mean square.
        const std::vector<long double> magnitudes = sortedMagnitudes(values);
        std::int64_t begin = 0;
        for (std::size_t k = 0; k < design.slices.size(); ++k) {
            const std::int64_t end = design.slices[k];
            if (end > begin && !(k == 0 && design.hasZeroLevel)) {
                long double squares = 0;
                for (std::int64_t r = begin; r < end; ++r) {
                    squares += magnitudes[r] * magnitudes[r];
                }
                QVERIFY(nearlyEqual(design.representatives[k],
                                    double(std::sqrt(squares / (end - begin))),
                                    kRelativeRepresentativeTolerance));
            }
            if (k > 0) {
                QCOMPARE(design.boundaries[k], double(magnitudes[design.slices[k - 1]]));
            }
            begin = end;
        }
    }
}

void TestWeq::equalsReferencePort_data()
{
    QTest::addColumn<std::vector<float>>("values");
    QTest::addColumn<int>("levels");
    const std::pair<const char*, std::vector<float> (*)(std::size_t, unsigned)> kinds[] = {
        {"normal", gaussian}, {"laplace", laplace}, {"uniform", uniform}, {"ties", coarse}};
    for (const auto& [name, make] : kinds) {
        for (int levels : {2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64}) {
            QTest::addRow("%s L=%d", name, levels) << make(20000, 3 + levels) << levels;
        }
        QTest::addRow("%s L=255", name) << make(4000, 255) << 255;
    }
}

// Same cuts and sweeps as the authors' code, levels within rounding.
void TestWeq::equalsReferencePort()
{
    QFETCH(std::vector<float>, values);
    QFETCH(int, levels);
    // The port sums in long double, the design in double-double: representatives agree to a few
    // ulps of a double, the objectives after each sweep to the rounding of their terms.
    constexpr double kRelativeLevelTolerance = 1e-13;
    constexpr double kRelativeSweepTolerance = 1e-12;
    const ReferenceWeq reference(values, levels);
    const Distribution dist(values);
    const WeightedEntropyDesign design = designWeightedEntropy(dist, levels);
    QCOMPARE(design.slices, reference.slices);
    QCOMPARE(design.sweepObjectives.size(), reference.sweeps.size());
    for (std::size_t i = 0; i < reference.sweeps.size(); ++i) {
        QVERIFY(
            nearlyEqual(design.sweepObjectives[i], reference.sweeps[i], kRelativeSweepTolerance));
    }
    QVERIFY(design.converged);
    for (int k = 0; k < design.clusterCount(); ++k) {
        const std::int64_t begin = k == 0 ? 0 : design.slices[k - 1];
        if (design.slices[k] > begin) {
            QVERIFY2(nearlyEqual(design.representatives[k], reference.representatives[k],
                                 kRelativeLevelTolerance),
                     qPrintable(QString("rep %1: %2 vs %3")
                                    .arg(k)
                                    .arg(design.representatives[k], 0, 'g', 17)
                                    .arg(reference.representatives[k], 0, 'g', 17)));
        }
        if (design.slices[k] < dist.count()) {
            QCOMPARE(design.boundaries[k], reference.boundaries[k]);
        }
    }
}

// Every sweep but the last raised E; the last did not, and the design reports its E.
void TestWeq::sweepsFollowTheAuthorsRule()
{
    for (unsigned seed = 1; seed <= 4; ++seed) {
        for (int levels : {3, 4, 8, 15, 64, 255}) {
            const std::vector<float> values =
                seed % 2 ? gaussian(20000, seed) : coarse(20000, seed);
            const Distribution dist(values);
            const WeightedEntropyDesign greedy = designWeightedEntropy(dist, levels);
            QVERIFY(!greedy.sweepObjectives.empty());
            QVERIFY(greedy.converged);
            double previous = greedy.initialObjective;
            const std::size_t last = greedy.sweepObjectives.size() - 1;
            for (std::size_t i = 0; i < last; ++i) {
                QVERIFY2(greedy.sweepObjectives[i] > previous, "a sweep that did not raise E");
                previous = greedy.sweepObjectives[i];
            }
            QVERIFY(greedy.sweepObjectives[last] <= previous);
            QVERIFY(nearlyEqual(greedy.objective, greedy.sweepObjectives[last],
                                kRelativeObjectiveTolerance));
            checkSweepsNeverDecrease(designWeightedEntropyOptimal(dist, levels));
        }
    }
}

// A sweep budget stops the search early only when asked for, through the API or the scheme.
void TestWeq::sweepBudgetIsAnOption()
{
    const Distribution dist(gaussian(20000, 8));
    const WeightedEntropyDesign full = designWeightedEntropy(dist, 64);
    QVERIFY(full.sweepObjectives.size() > 5);
    const WeightedEntropyDesign capped = designWeightedEntropy(dist, 64, {5});
    QCOMPARE(capped.sweepObjectives.size(), std::size_t(5));
    QVERIFY(!capped.converged);
    for (std::size_t i = 0; i < 5; ++i) {
        QCOMPARE(capped.sweepObjectives[i], full.sweepObjectives[i]);
    }
    const Scheme& weq = schemeById("weq");
    QCOMPARE(weq.design(dist, Params{{"levels", 64}, {"sweeps", 5}}).thresholds,
             capped.codebook.thresholds);
    QCOMPARE(weq.design(dist, Params{{"levels", 64}}).thresholds, full.codebook.thresholds);
    const WeightedEntropyDesign roomy = designWeightedEntropy(dist, 64, {1 << 20});
    QVERIFY(roomy.converged);
    QCOMPARE(roomy.slices, full.slices);
}

void TestWeq::twoThreadsSweepAsOne_data()
{
    QTest::addColumn<std::vector<float>>("values");
    QTest::addColumn<int>("levels");
    QTest::addColumn<int>("maxSweeps");
    const std::vector<float> normal = gaussian(100000, 21);
    const std::vector<float> heavy = laplace(100000, 22);
    for (int levels : {32, 127, 256}) {
        QTest::addRow("normal L=%d", levels) << normal << levels << 0;
        QTest::addRow("laplace L=%d", levels) << heavy << levels << 0;
    }
    // Budgets ending on an odd and on an even sweep: the thread of the other parity stops.
    QTest::addRow("normal L=64, 7 sweeps") << normal << 64 << 7;
    QTest::addRow("normal L=64, 8 sweeps") << normal << 64 << 8;
}

// Two sweeps at once give exactly the sweeps one after the other give: cuts, E after each sweep
// (added up in the same order), and the stopping sweep.
void TestWeq::twoThreadsSweepAsOne()
{
    QFETCH(std::vector<float>, values);
    QFETCH(int, levels);
    QFETCH(int, maxSweeps);
    const Distribution dist(values);
    const WeightedEntropyDesign sequential = designWeightedEntropy(dist, levels, {maxSweeps, true});
    const WeightedEntropyDesign concurrent =
        designWeightedEntropy(dist, levels, {maxSweeps, false});
    QVERIFY(sequential.sweepObjectives.size() > 2);
    QCOMPARE(concurrent.slices, sequential.slices);
    QCOMPARE(concurrent.sweepObjectives, sequential.sweepObjectives);
    QCOMPARE(concurrent.converged, sequential.converged);
    QCOMPARE(concurrent.codebook.thresholds, sequential.codebook.thresholds);
}

void TestWeq::optimalNotBelowGreedy_data()
{
    QTest::addColumn<std::vector<float>>("values");
    QTest::addColumn<int>("levels");
    QTest::addColumn<bool>("exact");
    for (int levels : {3, 4, 9, 16, 65}) {
        for (unsigned seed = 1; seed <= 3; ++seed) {
            QTest::addRow("small gaussian L=%d seed %u", levels, seed)
                << gaussian(3000, seed * 31 + levels) << levels << true;
            QTest::addRow("large gaussian L=%d seed %u", levels, seed)
                << gaussian(50000, seed * 17 + levels) << levels << false;
            QTest::addRow("large coarse L=%d seed %u", levels, seed)
                << coarse(50000, seed * 13 + levels) << levels << false;
        }
    }
}

void TestWeq::optimalNotBelowGreedy()
{
    QFETCH(std::vector<float>, values);
    QFETCH(int, levels);
    QFETCH(bool, exact);
    const Distribution dist(values);
    const WeightedEntropyDesign greedy = designWeightedEntropy(dist, levels);
    const WeightedEntropyDesign optimal = designWeightedEntropyOptimal(dist, levels);
    QCOMPARE(optimal.exact, exact);
    // Every rank when exact; otherwise at least the equal-count half of the grid.
    QVERIFY(exact ? optimal.candidateCount == dist.count() + 1
                  : optimal.candidateCount > kWeightedEntropyOptimalCandidates / 2);
    QVERIFY2(optimal.objective >= greedy.objective,
             qPrintable(QString("opt %1 < weq %2").arg(optimal.objective).arg(greedy.objective)));
    // Both report the objective of their own clusters.
    const std::vector<long double> magnitudes = sortedMagnitudes(values);
    QVERIFY(nearlyEqual(optimal.objective, directObjective(magnitudes, levels, optimal.slices),
                        kRelativeObjectiveTolerance));
    QVERIFY(nearlyEqual(greedy.objective, directObjective(magnitudes, levels, greedy.slices),
                        kRelativeObjectiveTolerance));
}

void TestWeq::optimalEqualsBruteForce()
{
    std::mt19937 rng(2017);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_int_distribution<int> size(1, 9);
    std::uniform_int_distribution<int> pick(0, 4);
    for (int trial = 0; trial < 150; ++trial) {
        std::vector<float> values(size(rng));
        for (float& v : values) {
            // Zeros and repeated magnitudes of both signs, next to plain random values.
            const int kind = pick(rng);
            v = kind == 0 ? 0.0f : kind == 1 ? (rng() % 2 ? 1.5f : -1.5f) : normal(rng);
        }
        const std::vector<long double> magnitudes = sortedMagnitudes(values);
        const Distribution dist(values);
        for (int levels = 1; levels <= 8; ++levels) {
            const WeightedEntropyDesign optimal = designWeightedEntropyOptimal(dist, levels);
            QVERIFY(optimal.exact);
            const double best = bruteForceOptimum(magnitudes, levels);
            QVERIFY2(nearlyEqual(optimal.objective, best, kRelativeObjectiveTolerance) ||
                         std::abs(optimal.objective - best) < 1e-15,
                     qPrintable(QString("trial %1 L=%2: %3 vs brute force %4")
                                    .arg(trial)
                                    .arg(levels)
                                    .arg(optimal.objective, 0, 'g', 17)
                                    .arg(best, 0, 'g', 17)));
            checkCodebookMatchesForward(optimal, values);
        }
    }
}

void TestWeq::metricsReportObjective()
{
    const std::vector<float> values = gaussian(10000, 5);
    const Distribution dist(values);
    const std::vector<long double> magnitudes = sortedMagnitudes(values);
    for (int levels : {5, 16}) {
        for (const auto& design :
             {designWeightedEntropy(dist, levels), designWeightedEntropyOptimal(dist, levels)}) {
            const Metrics metrics = computeMetrics(dist, design.codebook);
            QVERIFY(metrics.weightedEntropy.has_value());
            QVERIFY(nearlyEqual(*metrics.weightedEntropy,
                                directObjective(magnitudes, levels, design.slices),
                                kRelativeObjectiveTolerance));
        }
    }
}

void TestWeq::degenerateInputs()
{
    const float tiny = std::numeric_limits<float>::denorm_min();
    const float huge = std::numeric_limits<float>::max();
    const std::vector<std::vector<float>> inputs{
        {},
        {0.0f},
        {0.0f, -0.0f, 0.0f, 0.0f},
        {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f},
        {-0.5f, -0.5f, -0.5f},
        {2.0f},
        {-3.0f, 1.0f, 0.0f},
        {1.0f, -1.0f, 2.0f, -2.0f, 1.0f, -1.0f, 2.0f, -2.0f, 0.0f, -0.0f},
        {tiny, -tiny, 0.0f, huge, -huge},
        {std::numeric_limits<float>::quiet_NaN(), 1.0f, std::numeric_limits<float>::infinity()},
    };
    for (const std::vector<float>& values : inputs) {
        const Distribution dist(values);
        for (int levels : {1, 2, 3, 4, 5, 16, 255, 256}) {
            for (const auto& design : {designWeightedEntropy(dist, levels),
                                       designWeightedEntropyOptimal(dist, levels)}) {
                QCOMPARE(design.clusterCount(), (levels + 1) / 2);
                QCOMPARE(design.slices.back(), dist.count());
                QVERIFY(std::is_sorted(design.slices.begin(), design.slices.end()));
                QVERIFY(std::isfinite(design.objective) && design.objective >= 0.0);
                for (double r : design.representatives) {
                    QVERIFY(std::isfinite(r) && r >= 0.0);
                }
                std::vector<float> finite;
                std::copy_if(values.begin(), values.end(), std::back_inserter(finite),
                             [](float v) { return std::isfinite(v); });
                checkCodebookMatchesForward(design, finite);
                QVERIFY(design.codebook.levelCount() <= std::max(levels, 1));
            }
        }
    }

    // An all-zero tensor quantizes to the single level 0 with E = 0.
    const Distribution zeros(std::vector<float>(100, 0.0f));
    for (int levels : {4, 5}) {
        const WeightedEntropyDesign design = designWeightedEntropy(zeros, levels);
        QCOMPARE(design.codebook.levels, std::vector<double>{0.0});
        QCOMPARE(design.objective, 0.0);
        QVERIFY(design.sweepObjectives.empty());
    }
    // A constant keeps its value: every weight sits on the top boundary.
    const Distribution constant(std::vector<float>(10, 0.5f));
    const WeightedEntropyDesign design = designWeightedEntropy(constant, 4);
    QCOMPARE(design.codebook.levels, (std::vector<double>{-0.5, 0.5}));
    QCOMPARE(design.codebook.quantize(0.5f), 0.5);

    QVERIFY_THROWS_EXCEPTION(UsageError, designWeightedEntropy(constant, 0));
    QVERIFY_THROWS_EXCEPTION(UsageError, designWeightedEntropyOptimal(constant, 257));
}

void TestWeq::schemesThroughRegistry()
{
    const std::vector<float> values = gaussian(4000, 9);
    const Distribution dist(values);
    for (const char* id : {"weq", "weq-opt"}) {
        const Scheme& scheme = schemeById(id);
        // bits 4 -> 16 levels, the default.
        const Codebook viaBits = scheme.design(dist, Params{{"bits", 4}});
        const Codebook viaDefault = scheme.design(dist, Params{});
        QCOMPARE(viaBits.levels, viaDefault.levels);
        QCOMPARE(viaBits.thresholds, viaDefault.thresholds);
        QCOMPARE(viaBits.levelCount(), 16);
        const Codebook odd = scheme.design(dist, Params{{"levels", 7}});
        QCOMPARE(odd.levelCount(), 7);
        QVERIFY_THROWS_EXCEPTION(UsageError, scheme.design(dist, Params{{"levels", 1}}));
        QVERIFY_THROWS_EXCEPTION(UsageError, scheme.design(dist, Params{{"bits", 9}}));
    }
    QCOMPARE(schemeById("weq").displayName(), std::string("Weighted entropy (Park 2017)"));
    QCOMPARE(schemeById("weq-opt").displayName(), std::string("Weighted entropy, optimal"));
}

void TestWeq::objectiveFunction()
{
    const Distribution dist(kSeedWeights);
    const std::vector<long double> magnitudes = sortedMagnitudes(kSeedWeights);
    const std::vector<std::int64_t> slices{3, 6, 9};
    // The equal-count start of L = 5 (see seedExample).
    QVERIFY(std::abs(weightedEntropyObjective(dist, 5, slices) - 8.395389) < kHandTolerance);
    QVERIFY(nearlyEqual(weightedEntropyObjective(dist, 6, slices),
                        directObjective(magnitudes, 6, slices), kRelativeObjectiveTolerance));
    QVERIFY_THROWS_EXCEPTION(UsageError,
                             weightedEntropyObjective(dist, 5, std::vector<std::int64_t>{6, 3, 9}));
    QVERIFY_THROWS_EXCEPTION(UsageError,
                             weightedEntropyObjective(dist, 5, std::vector<std::int64_t>{3, 9}));
}

QTEST_APPLESS_MAIN(TestWeq)
#include "tst_weq.moc"
