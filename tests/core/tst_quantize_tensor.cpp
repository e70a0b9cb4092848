#include "quantscope/errors.h"
#include "quantscope/metrics.h"
#include "quantscope/quantize.h"

#include "../support/direct_metrics.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

using namespace quantscope;

Q_DECLARE_METATYPE(quantscope::Shape)
Q_DECLARE_METATYPE(quantscope::Granularity)
Q_DECLARE_METATYPE(quantscope::Params)
Q_DECLARE_METATYPE(std::vector<int>)

namespace {

constexpr double kBitsTolerance = 1e-12;

std::vector<float> wavyValues(std::int64_t n)
{
    std::vector<float> values(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
        values[i] =
            static_cast<float>(std::sin(0.77 * i + 0.1) * (1.0 + (i * 37 % 11)) + 0.05 * (i % 5));
    }
    return values;
}

QuantizedTensor run(const Tensor& tensor, const std::string& scheme, const Params& params,
                    const Granularity& granularity)
{
    QuantizeOptions options;
    options.granularity = granularity;
    options.apply = true;
    options.keepCodebooks = true;
    options.keepBlocks = true;
    return quantizeTensor(tensor, schemeById(scheme), params, options);
}

// A scheme written the way a new block format plugs in: blocks of 4 along the last axis, whole
// blocks only, a 16-bit scale max|x| per block and 2-bit elements {−1, 0, 1} · scale (code −1,
// 0, 1), plus 64 bits for the tensor. Block 0 below: scale 2, 0.6 / 2 = 0.3 → 0, −2 → −1.
class TernaryBlocks final : public BlockScheme {
public:
    std::string id() const override { return "ternary-test"; }
    std::string displayName() const override { return "ternary (test)"; }
    std::string description() const override { return "test scheme"; }
    std::vector<ParamSpec> paramSpecs() const override { return {}; }
    BlockStructure blockStructure(const Params&) const override { return {4, true}; }
    std::unique_ptr<BlockQuantizer> makeQuantizer(const Params&,
                                                  const TensorSummary&) const override
    {
        return std::make_unique<Quantizer>();
    }

private:
    class Quantizer final : public BlockQuantizer {
    public:
        BlockRunStats quantize(const BlockRun& run) const override
        {
            BlockRunStats stats;
            for (std::size_t begin = 0, b = 0; begin < run.values.size(); begin += 4, ++b) {
                float scale = 0.0f;
                for (std::size_t i = begin; i < begin + 4; ++i) {
                    scale = std::max(scale, std::abs(run.values[i]));
                }
                for (std::size_t i = begin; i < begin + 4; ++i) {
                    const float y = scale > 0 ? run.values[i] / scale : 0.0f;
                    run.codes[i] = static_cast<std::int32_t>(std::nearbyint(y));
                    run.dequantized[i] = float(run.codes[i]) * scale;
                }
                if (!run.blocks.empty()) {
                    run.blocks[b] = {scale, -scale, scale};
                }
                stats.storageBits += 4 * 2 + 16;
            }
            return stats;
        }
        std::optional<std::pair<std::int32_t, std::int32_t>> codeRange() const override
        {
            return std::pair{-1, 1};
        }
        double tensorBits() const override { return 64.0; }
    };
};

} // namespace

class TestQuantizeTensor : public QObject {
    Q_OBJECT

private slots:
    void sliceLayouts_data();
    void sliceLayouts();
    void linearSlicesEqualPerSliceDesigns_data();
    void linearSlicesEqualPerSliceDesigns();
    void codebookSchemesPerSlice();
    void nonFiniteValuesPerSlice();
    void perTensorIsTheDistributionPath();
    void bitsPerWeight_data();
    void bitsPerWeight();
    void aNewBlockSchemePlugsIn();
    void sliceCodebookOfOneSlice();
    void badGranularities();
    void errorProfileAndHistogramCoverEveryValue();
    void blockErrorViewsEqualADirectPass_data();
    void blockErrorViewsEqualADirectPass();
    void errorProfileOfSubnormalValues();
    void errorProfileOfACodebookEqualsADirectPass();
    void sliceRangesEqualADirectPass_data();
    void sliceRangesEqualADirectPass();
    void calibratorsCalibratePerTensor();
};

// Each row names the slice of every element (C order), written out by hand.
void TestQuantizeTensor::sliceLayouts_data()
{
    QTest::addColumn<Shape>("shape");
    QTest::addColumn<Granularity>("granularity");
    QTest::addColumn<std::vector<int>>("sliceOf");
    QTest::newRow("rows, axis 0") << Shape{3, 4} << Granularity::perChannel(0)
                                  << std::vector<int>{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2};
    QTest::newRow("columns, axis -1") << Shape{3, 4} << Granularity::perChannel(-1)
                                      << std::vector<int>{0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3};
    QTest::newRow("middle axis") << Shape{2, 3, 2} << Granularity::perChannel(1)
                                 << std::vector<int>{0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2};
    QTest::newRow("groups of 3, rows of 5") << Shape{2, 5} << Granularity::perGroup(3)
                                            << std::vector<int>{0, 0, 0, 1, 1, 2, 2, 2, 3, 3};
    QTest::newRow("one group over everything")
        << Shape{6} << Granularity::perGroup(10) << std::vector<int>{0, 0, 0, 0, 0, 0};
    QTest::newRow("per tensor") << Shape{2, 2} << Granularity::perTensor()
                                << std::vector<int>{0, 0, 0, 0};
}

void TestQuantizeTensor::sliceLayouts()
{
    QFETCH(Shape, shape);
    QFETCH(Granularity, granularity);
    QFETCH(std::vector<int>, sliceOf);
    const SliceLayout layout = SliceLayout::forGranularity(shape, granularity);
    QCOMPARE(layout.sliceCount(), *std::max_element(sliceOf.begin(), sliceOf.end()) + 1);
    std::vector<float> all(sliceOf.size());
    std::iota(all.begin(), all.end(), 0.0f);
    std::vector<float> rebuilt(all.size(), -1.0f);
    for (std::int64_t s = 0; s < layout.sliceCount(); ++s) {
        std::vector<float> expected;
        for (std::size_t i = 0; i < sliceOf.size(); ++i) {
            if (sliceOf[i] == s) {
                expected.push_back(all[i]);
                QCOMPARE(layout.sliceOf(std::int64_t(i)), s);
            }
        }
        const std::vector<float> part = layout.gather(all, s);
        QCOMPARE(part, expected);
        QCOMPARE(layout.sliceSize(s), std::int64_t(expected.size()));
        layout.scatter<float>(part, s, rebuilt);
    }
    QCOMPARE(rebuilt, all);
}

void TestQuantizeTensor::linearSlicesEqualPerSliceDesigns_data()
{
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<Params>("params");
    QTest::addColumn<Shape>("shape");
    QTest::addColumn<Granularity>("granularity");
    const std::vector<std::pair<const char*, Params>> linear = {
        {"symmetric 4", Params{{"bits", 4}}},
        {"symmetric 8 clip 0.6", Params{{"bits", 8}, {"clip", 0.6}}},
        {"symmetric 3 range 2", Params{{"bits", 3}, {"range", 2.0}}},
        {"asymmetric 2", Params{{"bits", 2}}},
        {"asymmetric 7", Params{{"bits", 7}}},
    };
    const std::vector<std::tuple<const char*, Shape, Granularity>> layouts = {
        {"groups of 32", Shape{20, 96}, Granularity::perGroup(32)},
        {"groups of 7, short tails", Shape{30, 40}, Granularity::perGroup(7)},
        {"rows", Shape{64, 50}, Granularity::perChannel(0)},
        {"columns", Shape{64, 50}, Granularity::perChannel(1)},
        {"middle axis", Shape{4, 9, 25}, Granularity::perChannel(-2)},
        {"groups over a long vector", Shape{70001}, Granularity::perGroup(128)},
    };
    for (const auto& [name, params] : linear) {
        for (const auto& [layoutName, shape, granularity] : layouts) {
            const QString scheme = QString(name).section(' ', 0, 0);
            QTest::newRow(qPrintable(QString("%1, %2").arg(name, layoutName)))
                << scheme << params << shape << granularity;
        }
    }
}

// The vectorized linear kernel gives every slice exactly what designing the scheme on that
// slice's Distribution gives (the per-slice path of old): scale, zero point, codes, values.
void TestQuantizeTensor::linearSlicesEqualPerSliceDesigns()
{
    QFETCH(QString, scheme);
    QFETCH(Params, params);
    QFETCH(Shape, shape);
    QFETCH(Granularity, granularity);
    const std::vector<float> values = wavyValues(elementCount(shape));
    const Tensor tensor("t", shape, values, "float32");
    const QuantizedTensor q = run(tensor, scheme.toStdString(), params, granularity);
    const SliceLayout layout = SliceLayout::forGranularity(shape, granularity);
    QCOMPARE(q.layout->sliceCount(), layout.sliceCount());
    QCOMPARE(std::int64_t(q.codebooks.size()), layout.sliceCount());
    const Scheme& s = schemeById(scheme.toStdString());
    std::vector<float> dq(values.size());
    std::vector<std::int32_t> codes(values.size());
    for (std::int64_t slice = 0; slice < layout.sliceCount(); ++slice) {
        const std::vector<float> part = layout.gather(values, slice);
        const Codebook expected = s.design(Distribution(part), params);
        const Codebook& got = q.codebooks[slice];
        QCOMPARE(got.linear->scale, expected.linear->scale);
        QCOMPARE(got.linear->zeroPoint, expected.linear->zeroPoint);
        QCOMPARE(got.levels, expected.levels);
        QCOMPARE(q.blocks[slice].scale, float(expected.linear->scale));
        std::vector<float> partDq;
        std::vector<std::int32_t> partCodes;
        for (float x : part) {
            const int level = expected.levelIndex(x);
            partDq.push_back(float(expected.levels[level]));
            partCodes.push_back(std::int32_t(expected.codes[level]));
        }
        layout.scatter<float>(partDq, slice, dq);
        layout.scatter<std::int32_t>(partCodes, slice, codes);
    }
    QCOMPARE(q.applied->dequantized, dq);
    QCOMPARE(q.applied->codes, codes);
    const test::DirectMetrics direct = test::directMetrics(values, dq, codes);
    QVERIFY(test::closeTo(q.metrics.mse, direct.mse));
    QVERIFY(test::closeTo(*q.metrics.sqnrDb, direct.sqnrDb));
    QCOMPARE(q.metrics.maxAbsError, direct.maxAbsError);
    QVERIFY(test::closeTo(q.metrics.meanError, direct.meanError));
    QVERIFY(test::closeTo(q.metrics.entropyBits, direct.entropyBits));
    QCOMPARE(q.metrics.levelsUsed, direct.levelsUsed);
}

// A non-linear scheme per slice: each slice's own codebook from its Distribution.
void TestQuantizeTensor::codebookSchemesPerSlice()
{
    const Shape shape{12, 60};
    const std::vector<float> values = wavyValues(elementCount(shape));
    const Tensor tensor("t", shape, values, "float32");
    for (const char* id : {"lloyd-max", "weq", "normal-float", "minifloat"}) {
        const Params params{{"bits", 3}};
        const QuantizedTensor q = run(tensor, id, params, Granularity::perChannel(0));
        const Scheme& scheme = schemeById(id);
        std::vector<std::int32_t> codes;
        for (std::int64_t row = 0; row < shape[0]; ++row) {
            const std::span<const float> part = std::span(values).subspan(row * 60, 60);
            const Codebook codebook = scheme.design(Distribution(part), params);
            QCOMPARE(q.codebooks[row].levels, codebook.levels);
            for (std::size_t i = 0; i < part.size(); ++i) {
                const int level = codebook.levelIndex(part[i]);
                QVERIFY(q.applied->dequantized[row * 60 + i] == float(codebook.levels[level]));
                codes.push_back(std::int32_t(codebook.codes[level]));
            }
        }
        // Minifloat runs on the element-grid kernel: its codes are signed element indices, the
        // same partition of the values as the codebook's level indices.
        if (std::string(id) != "minifloat") {
            QCOMPARE(q.applied->codes, codes);
        }
        const test::DirectMetrics direct =
            test::directMetrics(values, q.applied->dequantized, codes);
        QVERIFY2(test::closeTo(q.metrics.mse, direct.mse), id);
        QVERIFY2(test::closeTo(q.metrics.entropyBits, direct.entropyBits), id);
        QCOMPARE(q.metrics.levelsUsed, direct.levelsUsed);
    }
}

// NaN and ±inf: out of every slice's design (as its Distribution leaves them out) and out of
// the metrics; counted.
void TestQuantizeTensor::nonFiniteValuesPerSlice()
{
    constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
    constexpr float kInf = std::numeric_limits<float>::infinity();
    std::vector<float> values = wavyValues(40);
    values[3] = kNan;
    values[17] = kInf;
    values[18] = -kInf;
    const Tensor tensor("t", Shape{4, 10}, values, "float32");
    for (const char* id : {"symmetric", "asymmetric", "weq"}) {
        const QuantizedTensor q = run(tensor, id, {{"bits", 4}}, Granularity::perChannel(0));
        QCOMPARE(q.nonFinite, 3);
        QCOMPARE(q.metrics.count, 37);
        QVERIFY(std::isfinite(q.metrics.mse));
        for (std::int64_t row = 0; row < 4; ++row) {
            const std::vector<float> part(values.begin() + row * 10,
                                          values.begin() + row * 10 + 10);
            const Codebook expected = schemeById(id).design(Distribution(part), {{"bits", 4}});
            QCOMPARE(q.codebooks[row].levels, expected.levels);
        }
    }
}

// Per tensor, a codebook scheme designs once from the Distribution, as design + computeMetrics.
void TestQuantizeTensor::perTensorIsTheDistributionPath()
{
    const std::vector<float> values = wavyValues(5000);
    const Tensor tensor("t", Shape{5000}, values, "float32");
    const Distribution dist(values);
    for (const char* id : {"symmetric", "weq", "entropy"}) {
        QuantizeOptions options;
        options.distribution = &dist;
        const QuantizedTensor q = quantizeTensor(tensor, schemeById(id), {{"bits", 5}}, options);
        const Codebook codebook = schemeById(id).design(dist, {{"bits", 5}});
        QVERIFY(q.codebook.has_value());
        QCOMPARE(q.codebook->levels, codebook.levels);
        const Metrics m = computeMetrics(dist, codebook);
        QCOMPARE(q.metrics.mse, m.mse);
        QCOMPARE(q.metrics.levelsUsed, m.levelsUsed);
        QVERIFY(!q.layout.has_value());
    }
}

void TestQuantizeTensor::bitsPerWeight_data()
{
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<Params>("params");
    QTest::addColumn<Shape>("shape");
    QTest::addColumn<Granularity>("granularity");
    QTest::addColumn<double>("bpw");
    const Shape matrix{16, 256}; // 4096 values
    const double n = 4096;
    QTest::newRow("symmetric 8, per tensor: 8 + 32/n")
        << "symmetric" << Params{{"bits", 8}} << matrix << Granularity::perTensor() << 8 + 32 / n;
    QTest::newRow("asymmetric 8, per tensor: 8 + (32 + 8)/n")
        << "asymmetric" << Params{{"bits", 8}} << matrix << Granularity::perTensor() << 8 + 40 / n;
    QTest::newRow("int4, a float32 scale per 128: 4.25")
        << "symmetric" << Params{{"bits", 4}} << matrix << Granularity::perGroup(128) << 4.25;
    QTest::newRow("uint4 + zero point per 128: 4 + 36/128")
        << "asymmetric" << Params{{"bits", 4}} << matrix << Granularity::perGroup(128)
        << 4 + 36.0 / 128;
    QTest::newRow("int8 per row: 8 + 32 · 16/n") << "symmetric" << Params{{"bits", 8}} << matrix
                                                 << Granularity::perChannel(0) << 8 + 32 * 16 / n;
    QTest::newRow("weq 16 levels per group of 64: 4 + 16 · 32/64")
        << "weq" << Params{{"bits", 4}} << matrix << Granularity::perGroup(64) << 4 + 8.0;
    QTest::newRow("minifloat E2M1 per group of 32: a scale, no table")
        << "minifloat" << Params{{"bits", 4}} << matrix << Granularity::perGroup(32) << 4 + 1.0;
    QTest::newRow("lloyd-max 8 levels per tensor: 3 + 8 · 32/n")
        << "lloyd-max" << Params{{"bits", 3}} << matrix << Granularity::perTensor() << 3 + 256 / n;
}

// Storage per value: codes plus every scale, zero point or table.
void TestQuantizeTensor::bitsPerWeight()
{
    QFETCH(QString, scheme);
    QFETCH(Params, params);
    QFETCH(Shape, shape);
    QFETCH(Granularity, granularity);
    QFETCH(double, bpw);
    const Tensor tensor("t", shape, wavyValues(elementCount(shape)), "float32");
    const QuantizedTensor q = run(tensor, scheme.toStdString(), params, granularity);
    QVERIFY2(std::abs(q.bitsPerWeight - bpw) < kBitsTolerance,
             qPrintable(QString("%1 bpw").arg(q.bitsPerWeight, 0, 'g', 17)));
}

void TestQuantizeTensor::aNewBlockSchemePlugsIn()
{
    const TernaryBlocks scheme;
    const std::vector<float> values = {1.0f, -0.4f, 0.6f, -2.0f, 0.0f, 0.0f,
                                       0.0f, 0.0f,  3.0f, 1.4f,  1.6f, 0.1f};
    const Tensor tensor("t", Shape{3, 4}, values, "float32");
    QuantizeOptions options;
    options.apply = true;
    options.keepBlocks = true;
    const QuantizedTensor q = quantizeTensor(tensor, scheme, {}, options);
    QCOMPARE(q.applied->dequantized,
             (std::vector<float>{0, 0, 0, -2.0f, 0, 0, 0, 0, 3.0f, 0, 3.0f, 0}));
    QCOMPARE(q.blocks.size(), std::size_t(3));
    QCOMPARE(q.blocks[2].scale, 3.0f);
    QCOMPARE(q.bitsPerWeight, (3 * (8 + 16) + 64) / 12.0);
    const test::DirectMetrics direct =
        test::directMetrics(values, q.applied->dequantized, q.applied->codes);
    QVERIFY(test::closeTo(q.metrics.mse, direct.mse));
    QCOMPARE(q.metrics.levelsUsed, 3);
    // Whole blocks only: a last axis of 6 cannot hold blocks of 4.
    const Tensor odd("odd", Shape{2, 6}, values, "float32");
    QVERIFY_THROWS_EXCEPTION(UsageError, quantizeTensor(odd, scheme, {}, options));
}

void TestQuantizeTensor::sliceCodebookOfOneSlice()
{
    const Shape shape{8, 33};
    const Tensor tensor("t", shape, wavyValues(elementCount(shape)), "float32");
    const Scheme& scheme = schemeById("asymmetric");
    const Params params = scheme.resolve({{"bits", 3}});
    const SliceQuantizer slices =
        makeSliceQuantizer(scheme, params, Granularity::perChannel(1), shape, 0.0);
    const QuantizedTensor q = run(tensor, "asymmetric", params, Granularity::perChannel(1));
    for (std::int64_t s : {0, 17, 32}) {
        const auto [codebook, info] = sliceCodebook(tensor, slices, s);
        QCOMPARE(codebook.levels, q.codebooks[s].levels);
        QCOMPARE(info.scale, q.blocks[s].scale);
        QCOMPARE(info.low, float(codebook.levels.front()));
        QCOMPARE(info.high, float(codebook.levels.back()));
    }
    QVERIFY_THROWS_EXCEPTION(UsageError, sliceCodebook(tensor, slices, 33));
}

void TestQuantizeTensor::badGranularities()
{
    const Tensor tensor("t", Shape{4, 5}, wavyValues(20), "float32");
    QuantizeOptions options;
    options.granularity = Granularity::perChannel(2);
    QVERIFY_THROWS_EXCEPTION(UsageError,
                             quantizeTensor(tensor, schemeById("symmetric"), {}, options));
    options.granularity = Granularity::perChannel(-3);
    QVERIFY_THROWS_EXCEPTION(UsageError,
                             quantizeTensor(tensor, schemeById("symmetric"), {}, options));
    options.granularity = Granularity::perGroup(0);
    QVERIFY_THROWS_EXCEPTION(UsageError,
                             quantizeTensor(tensor, schemeById("symmetric"), {}, options));
    const Tensor empty("e", Shape{0, 5}, {}, "float32");
    options.granularity = Granularity::perGroup(2);
    const QuantizedTensor q = quantizeTensor(empty, schemeById("symmetric"), {}, options);
    QCOMPARE(q.metrics.count, 0);
    QCOMPARE(q.bitsPerWeight, 0.0);
}

// The views' error against |x| and error histogram account for every finite value, and their
// sums agree with the metrics.
void TestQuantizeTensor::errorProfileAndHistogramCoverEveryValue()
{
    const Shape shape{50, 64};
    const Tensor tensor("t", shape, wavyValues(elementCount(shape)), "float32");
    QuantizeOptions options;
    options.granularity = Granularity::perGroup(16);
    options.errorProfileBins = 40;
    options.errorHistogramBins = 51;
    const QuantizedTensor q =
        quantizeTensor(tensor, schemeById("symmetric"), {{"bits", 3}}, options);
    QCOMPARE(q.errorProfile.counts.size(), std::size_t(40));
    QCOMPARE(q.errorProfile.edges.size(), std::size_t(41));
    QCOMPARE(std::accumulate(q.errorProfile.counts.begin(), q.errorProfile.counts.end(),
                             std::int64_t{0}),
             q.metrics.count);
    const double sse = std::accumulate(q.errorProfile.sumSquaredError.begin(),
                                       q.errorProfile.sumSquaredError.end(), 0.0);
    QVERIFY(test::closeTo(sse / double(q.metrics.count), q.metrics.mse));
    QCOMPARE(q.errorHistogram.counts.size(), std::size_t(51));
    QCOMPARE(std::accumulate(q.errorHistogram.counts.begin(), q.errorHistogram.counts.end(),
                             std::int64_t{0}),
             q.metrics.count);
    QVERIFY(q.errorHistogram.edges.front() <= -q.metrics.maxAbsError ||
            q.errorHistogram.edges.back() >= q.metrics.maxAbsError);
    QCOMPARE(std::max(-q.minError, q.maxError), q.metrics.maxAbsError);

    // The same views in a separate pass after the metrics (how the explorer shows them).
    QuantizeOptions first;
    first.granularity = options.granularity;
    const QuantizedTensor metricsOnly =
        quantizeTensor(tensor, schemeById("symmetric"), {{"bits", 3}}, first);
    QVERIFY(metricsOnly.errorProfile.counts.empty());
    QCOMPARE(metricsOnly.minError, q.minError);
    const ErrorViews views =
        errorViews(tensor, schemeById("symmetric"), {{"bits", 3}}, first, metricsOnly, 40, 51);
    QCOMPARE(views.profile.counts, q.errorProfile.counts);
    QCOMPARE(views.histogram.counts, q.errorHistogram.counts);
    QCOMPARE(views.histogram.edges, q.errorHistogram.edges);
}

// The bin of [edges k, edges k + 1) that holds v (the last bin closed, values outside clamped).
int binOf(const std::vector<double>& edges, double v)
{
    const auto it = std::upper_bound(edges.begin(), edges.end() - 1, v);
    return std::clamp(int(it - edges.begin()) - 1, 0, int(edges.size()) - 2);
}

void TestQuantizeTensor::blockErrorViewsEqualADirectPass_data()
{
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<Granularity>("granularity");
    QTest::newRow("symmetric per group")
        << QStringLiteral("symmetric") << Granularity::perGroup(16);
    QTest::newRow("mx") << QStringLiteral("mx") << Granularity::perTensor();
}

// A block pass's views, value by value: each finite value's squared error in its |x| bin, its
// error in its histogram bin (NaN and ±inf left out).
void TestQuantizeTensor::blockErrorViewsEqualADirectPass()
{
    QFETCH(QString, scheme);
    QFETCH(Granularity, granularity);
    const Shape shape{37, 64};
    std::vector<float> values = wavyValues(elementCount(shape));
    values[3] = std::numeric_limits<float>::quiet_NaN();
    values[70] = std::numeric_limits<float>::infinity();
    values[71] = -std::numeric_limits<float>::infinity();
    const Tensor tensor("t", shape, values, "float32");
    QuantizeOptions options;
    options.granularity = granularity;
    options.apply = true;
    options.errorProfileBins = 29;
    options.errorHistogramBins = 53;
    const QuantizedTensor q = quantizeTensor(tensor, schemeById(scheme.toStdString()), {}, options);
    QVERIFY(q.applied.has_value());

    std::vector<std::int64_t> profileCounts(29, 0);
    std::vector<double> profileSse(29, 0.0);
    std::vector<std::int64_t> histogramCounts(53, 0);
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!std::isfinite(values[i])) {
            continue;
        }
        const double e = double(q.applied->dequantized[i]) - double(values[i]);
        const int bin = binOf(q.errorProfile.edges, std::abs(double(values[i])));
        ++profileCounts[std::size_t(bin)];
        profileSse[std::size_t(bin)] += e * e;
        ++histogramCounts[std::size_t(binOf(q.errorHistogram.edges, e))];
    }
    QCOMPARE(q.errorProfile.counts, profileCounts);
    for (std::size_t k = 0; k < profileSse.size(); ++k) {
        QVERIFY(test::closeTo(q.errorProfile.sumSquaredError[k], profileSse[k]));
    }
    QCOMPARE(q.errorHistogram.counts, histogramCounts);
}

// A tensor whose max |x| is subnormal: bins per unit of |x| overflow float32, yet every value
// lands in a bin.
void TestQuantizeTensor::errorProfileOfSubnormalValues()
{
    std::vector<float> values(4096);
    for (std::size_t i = 0; i < values.size(); ++i) {
        values[i] = std::numeric_limits<float>::denorm_min() * float(i % 97);
    }
    const Tensor tensor("t", {4096}, values, "float32");
    QuantizeOptions options;
    options.granularity = Granularity::perGroup(32);
    options.errorProfileBins = 64;
    const QuantizedTensor q = quantizeTensor(tensor, schemeById("symmetric"), {}, options);
    QCOMPARE(std::accumulate(q.errorProfile.counts.begin(), q.errorProfile.counts.end(),
                             std::int64_t{0}),
             std::int64_t(values.size()));
    // 4096 = 42 · 97 + 22: multiples 0…21 of the smallest subnormal occur 43 times, the rest 42.
    // Bin 0 holds |x| < 96/64 of it (multiples 0 and 1), bin 63 multiples 95 and 96 (from 94.5).
    QCOMPARE(q.errorProfile.counts.front(), std::int64_t(43 + 43));
    QCOMPARE(q.errorProfile.counts.back(), std::int64_t(42 + 42));
}

// From the Distribution, in O((bins + L) log n): the same as binning each value's squared error
// by |x| in a loop.
void TestQuantizeTensor::errorProfileOfACodebookEqualsADirectPass()
{
    std::vector<float> values = wavyValues(20000);
    values.push_back(0.0f);
    values.push_back(-0.0f);
    const Distribution dist(values);
    for (const char* id : {"symmetric", "lloyd-max", "power-of-two"}) {
        const Codebook codebook = schemeById(id).design(dist, {{"bits", 3}});
        constexpr int kBins = 37;
        const ErrorProfile profile = errorProfile(dist, codebook, kBins);
        std::vector<std::int64_t> counts(kBins, 0);
        std::vector<double> sse(kBins, 0.0);
        const double top = dist.maxAbs();
        for (float x : values) {
            // The bin whose [edge k, edge k + 1) holds |x| (the last closed).
            const auto it = std::upper_bound(profile.edges.begin(), profile.edges.end() - 1,
                                             double(std::abs(x)));
            const int bin = std::min(kBins - 1, int(it - profile.edges.begin()) - 1);
            const double e = codebook.quantize(x) - double(x);
            ++counts[bin];
            sse[bin] += e * e;
        }
        QCOMPARE(profile.edges.back(), top);
        QCOMPARE(profile.counts, counts);
        for (int k = 0; k < kBins; ++k) {
            QVERIFY2(test::closeTo(profile.sumSquaredError[k], sse[k]), id);
        }
    }
}

void TestQuantizeTensor::sliceRangesEqualADirectPass_data()
{
    QTest::addColumn<Shape>("shape");
    QTest::addColumn<Granularity>("granularity");
    QTest::newRow("rows") << Shape{70, 300} << Granularity::perChannel(0);
    QTest::newRow("columns") << Shape{300, 70} << Granularity::perChannel(1);
    QTest::newRow("middle") << Shape{6, 50, 40} << Granularity::perChannel(1);
    QTest::newRow("groups") << Shape{40, 100} << Granularity::perGroup(32);
    QTest::newRow("whole") << Shape{1000} << Granularity::perTensor();
}

void TestQuantizeTensor::sliceRangesEqualADirectPass()
{
    QFETCH(Shape, shape);
    QFETCH(Granularity, granularity);
    std::vector<float> values = wavyValues(elementCount(shape));
    values[5] = std::numeric_limits<float>::quiet_NaN();
    values[6] = std::numeric_limits<float>::infinity();
    const SliceLayout layout = SliceLayout::forGranularity(shape, granularity);
    const std::vector<SliceRange> ranges = sliceRanges(values, layout);
    QCOMPARE(std::int64_t(ranges.size()), layout.sliceCount());
    for (std::int64_t s = 0; s < layout.sliceCount(); ++s) {
        float lo = std::numeric_limits<float>::infinity();
        float hi = -lo;
        std::int64_t count = 0;
        for (float x : layout.gather(values, s)) {
            if (std::isfinite(x)) {
                lo = std::min(lo, x);
                hi = std::max(hi, x);
                ++count;
            }
        }
        QCOMPARE(ranges[s].count, count);
        QCOMPARE(ranges[s].min, lo);
        QCOMPARE(ranges[s].max, hi);
    }
}

// Like their references, the calibrators design one range per tensor.
void TestQuantizeTensor::calibratorsCalibratePerTensor()
{
    const Tensor tensor("t", Shape{8, 64}, wavyValues(512), "float32");
    QuantizeOptions options;
    options.granularity = Granularity::perChannel(0);
    for (const char* id : {"percentile", "entropy", "histogram-l2"}) {
        QVERIFY(!schemeById(id).takesGranularity());
        QVERIFY_THROWS_EXCEPTION(UsageError, quantizeTensor(tensor, schemeById(id), {}, options));
    }
    QVERIFY(schemeById("symmetric").takesGranularity());
}

QTEST_APPLESS_MAIN(TestQuantizeTensor)
#include "tst_quantize_tensor.moc"
