#include "quantscope/distribution.h"
#include "quantscope/errors.h"
#include "quantscope/scheme.h"
#include "quantscope/schemes/dsq.h"

#include <QtTest>

#include <cmath>
#include <limits>
#include <vector>

using namespace quantscope;

Q_DECLARE_METATYPE(quantscope::Params)
Q_DECLARE_METATYPE(std::vector<double>)

namespace {

constexpr double kExactTolerance = 1e-12;
// At distance >= Δ/4 from every midpoint the soft curve differs from the hard one by about
// Δ·(α/2)^(1/2); for α = 1e-12 that is below 1e-6·Δ.
constexpr double kHardLimitTolerance = 1e-6;
constexpr double kTinyAlpha = 1e-12;
// α = 0.999: kΔ ≈ 0.002, the curve is the identity up to O((kΔ)^2).
constexpr double kIdentityTolerance = 1e-6;

float nextUp(float x)
{
    return std::nextafter(x, std::numeric_limits<float>::infinity());
}

} // namespace

class TestDsq : public QObject {
    Q_OBJECT

private slots:
    void twoBitCodebook()
    {
        // lower −1, upper 2, 2 bits: Δ = 1, levels −1, 0, 1, 2. The hard quantizer rounds
        // (x + 1)/Δ half to even: −0.5 -> 0.5 -> 0 (level −1), 0.5 -> 1.5 -> 2 (level 1),
        // 1.5 -> 2.5 -> 2 (level 1).
        const Distribution dist(std::vector<float>{-0.7f, 0.2f, 1.6f});
        const Codebook codebook =
            schemeById("dsq").design(dist, {{"bits", 2}, {"lower", -1.0}, {"upper", 2.0}});
        QCOMPARE(codebook.levels, (std::vector<double>{-1.0, 0.0, 1.0, 2.0}));
        QCOMPARE(codebook.thresholds, (std::vector<double>{nextUp(-0.5f), 0.5, nextUp(1.5f)}));
        QCOMPARE(codebook.quantize(-0.5), -1.0);
        QCOMPARE(codebook.quantize(0.5), 1.0);
        QCOMPARE(codebook.quantize(1.5), 1.0);
        QCOMPARE(codebook.quantize(-3.0), -1.0); // clipped
        QCOMPARE(codebook.quantize(7.0), 2.0);
    }

    void defaultRangeIsDataRange()
    {
        const Distribution dist(std::vector<float>{0.5f, 1.0f, 3.5f, 2.0f});
        const Codebook codebook = schemeById("dsq").design(dist, {{"bits", 1}});
        QCOMPARE(codebook.levels, (std::vector<double>{0.5, 3.5}));
        QCOMPARE(codebook.thresholds, (std::vector<double>{nextUp(2.0f)})); // 2.0 is the tie
    }

    void codebookMatchesHardQuantizer_data()
    {
        QTest::addColumn<int>("bits");
        QTest::addColumn<double>("lower");
        QTest::addColumn<double>("upper");
        QTest::addRow("4 bits [-1.3, 2.9]") << 4 << -1.3 << 2.9;
        QTest::addRow("8 bits [0, 6]") << 8 << 0.0 << 6.0;
        QTest::addRow("3 bits [-0.1, 0.1]") << 3 << -0.1 << 0.1;
    }
    void codebookMatchesHardQuantizer()
    {
        QFETCH(int, bits);
        QFETCH(double, lower);
        QFETCH(double, upper);
        const Distribution dist(std::vector<float>{0.0f, 1.0f});
        const Codebook codebook =
            schemeById("dsq").design(dist, {{"bits", bits}, {"lower", lower}, {"upper", upper}});
        const DsqQuantizer quantizer{lower, upper, bits, 0.2};
        QCOMPARE(codebook.levelCount(), 1 << bits);
        for (int k = 0; k < codebook.levelCount(); ++k) {
            const double expected = lower + k * (upper - lower) / ((1 << bits) - 1);
            QVERIFY(std::abs(codebook.levels[k] - expected) <= kExactTolerance * (upper - lower));
        }
        for (double t : codebook.thresholds) {
            float x = static_cast<float>(t);
            for (int i = 0; i < 3; ++i) {
                x = std::nextafter(x, -INFINITY);
            }
            for (int i = 0; i < 6; ++i, x = nextUp(x)) {
                QCOMPARE(codebook.quantize(x), quantizer.hard(x));
            }
        }
    }

    void softTendsToHard()
    {
        const DsqQuantizer base{-1.0, 2.0, 3, 0.2};
        const double delta = base.delta();
        double previousError = std::numeric_limits<double>::infinity();
        for (double alpha : {0.2, 1e-3, 1e-6, kTinyAlpha}) {
            DsqQuantizer q = base;
            q.alpha = alpha;
            double maxError = 0.0;
            for (int i = 0; i <= 3000; ++i) {
                const double x = -1.5 + 4.0 * i / 3000.0;
                const double position = (std::clamp(x, -1.0, 2.0) + 1.0) / delta;
                if (std::abs(position - std::floor(position) - 0.5) < 0.25) {
                    continue; // within Δ/4 of a midpoint
                }
                maxError = std::max(maxError, std::abs(q.soft(x) - q.hard(x)));
            }
            QVERIFY(maxError < previousError);
            previousError = maxError;
        }
        QVERIFY(previousError <= kHardLimitTolerance * delta);
    }

    void softIsMonotoneAndHitsLevels_data()
    {
        QTest::addColumn<double>("alpha");
        QTest::addRow("0.5") << 0.5;
        QTest::addRow("0.2") << 0.2;
        QTest::addRow("0.01") << 0.01;
    }
    void softIsMonotoneAndHitsLevels()
    {
        QFETCH(double, alpha);
        const DsqQuantizer q{-0.6, 1.8, 2, alpha};
        const CurveSamples curve = sampleDsqSoft(q, -1.0, 2.5, 7001);
        QCOMPARE(curve.x.size(), std::size_t{7001});
        QCOMPARE(curve.x.back(), 2.5);
        for (std::size_t i = 1; i < curve.y.size(); ++i) {
            QVERIFY(curve.y[i] >= curve.y[i - 1]);
            if (curve.x[i - 1] > q.lower && curve.x[i] < q.upper) {
                QVERIFY(curve.y[i] > curve.y[i - 1]); // strictly inside the clip range
            }
        }
        QCOMPARE(curve.y.front(), q.lower);
        QCOMPARE(curve.y.back(), q.upper);
        const double delta = q.delta();
        QVERIFY(std::abs(q.scale() * std::tanh(0.5 * q.sharpness() * delta) - 1.0) <=
                kExactTolerance);
        for (int i = 0; i < q.levelCount() - 1; ++i) {
            const double start = q.lower + i * delta;
            const double midpoint = start + 0.5 * delta;
            QVERIFY(std::abs(q.soft(start) - start) <= kExactTolerance);
            QVERIFY(std::abs(q.soft(midpoint) - midpoint) <= kExactTolerance);
            QVERIFY(std::abs(dsqSoft(midpoint, q.lower, q.upper, q.bits, alpha) - midpoint) <=
                    kExactTolerance);
            // Symmetric about the midpoint: soft(m + d) + soft(m − d) = 2m.
            const double d = 0.3 * delta;
            QVERIFY(std::abs(q.soft(midpoint + d) + q.soft(midpoint - d) - 2 * midpoint) <=
                    kExactTolerance);
        }
        // k = ln(2/α − 1)/Δ.
        QVERIFY(std::abs(q.sharpness() * delta - std::log(2.0 / alpha - 1.0)) <= kExactTolerance);
    }

    void softNearOneIsIdentity()
    {
        const DsqQuantizer q{0.0, 3.0, 2, 0.999};
        for (double x = 0.0; x <= 3.0; x += 0.01) {
            QVERIFY(std::abs(q.soft(x) - x) <= kIdentityTolerance);
        }
    }

    void degenerateRanges()
    {
        const Distribution constant(std::vector<float>(10, 1.25f));
        const Codebook single = schemeById("dsq").design(constant, {{"bits", 4}});
        QCOMPARE(single.levels, (std::vector<double>{1.25}));
        QVERIFY(single.thresholds.empty());
        QCOMPARE(dsqSoft(3.0, 1.0, 1.0, 4, 0.2), 1.0);
        QVERIFY(std::isfinite(dsqSoft(std::nan(""), 0.0, 1.0, 4, 0.2)));

        QVERIFY_THROWS_EXCEPTION(
            UsageError, schemeById("dsq").design(constant, {{"lower", 2.0}, {"upper", 1.0}}));

        // A range narrower than the float spacing drops the unreachable levels.
        const Codebook narrow =
            schemeById("dsq").design(constant, {{"bits", 8}, {"lower", 1.0}, {"upper", 1.0000005}});
        QVERIFY(narrow.levelCount() >= 2);
        for (std::size_t k = 1; k < narrow.thresholds.size(); ++k) {
            QVERIFY(narrow.thresholds[k - 1] < narrow.thresholds[k]);
        }
    }

    void stepSetsTheSpacing_data()
    {
        QTest::addColumn<Params>("params");
        QTest::addColumn<std::vector<double>>("levels");
        // Data [−1, 3], 2 bits (4 levels), Δ = 0.5: the range is 3·0.5 = 1.5 long.
        QTest::newRow("centred on the data") // centre 1: [0.25, 1.75]
            << Params{{"bits", 2}, {"step", 0.5}} << std::vector<double>{0.25, 0.75, 1.25, 1.75};
        QTest::newRow("from lower") << Params{{"bits", 2}, {"step", 0.5}, {"lower", 0.0}}
                                    << std::vector<double>{0.0, 0.5, 1.0, 1.5};
        QTest::newRow("down from upper") << Params{{"bits", 2}, {"step", 0.5}, {"upper", 2.0}}
                                         << std::vector<double>{0.5, 1.0, 1.5, 2.0};
        QTest::newRow("wider than the data") // centre 1, 3·2 = 6 long: [−2, 4]
            << Params{{"bits", 2}, {"step", 2.0}} << std::vector<double>{-2.0, 0.0, 2.0, 4.0};
    }
    void stepSetsTheSpacing()
    {
        QFETCH(Params, params);
        QFETCH(std::vector<double>, levels);
        const Distribution dist(std::vector<float>{-1.0f, 0.3f, 1.1f, 3.0f});
        const Codebook codebook = schemeById("dsq").design(dist, params);
        QCOMPARE(codebook.levels, levels);
        const DsqQuantizer q = dsqQuantizerFor(dist, schemeById("dsq").resolve(params));
        QCOMPARE(q.delta(), params.get("step"));
        QCOMPARE(q.lower, levels.front());
        QCOMPARE(q.upper, levels.back());
    }

    void stepWithBothClipsIsRefused()
    {
        const Distribution dist(std::vector<float>{-1.0f, 3.0f});
        QVERIFY_THROWS_EXCEPTION(
            UsageError,
            schemeById("dsq").design(dist, {{"step", 0.5}, {"lower", 0.0}, {"upper", 1.0}}));
        QVERIFY_THROWS_EXCEPTION(UsageError, schemeById("dsq").design(dist, {{"step", 0.0}}));
    }
};

QTEST_APPLESS_MAIN(TestDsq)
#include "tst_dsq.moc"
