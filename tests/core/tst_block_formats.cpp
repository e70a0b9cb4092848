#include "quantscope/errors.h"
#include "quantscope/ggml_types.h"
#include "quantscope/quantize.h"
#include "quantscope/schemes/minifloat.h"
#include "quantscope/schemes/mx.h"
#include "quantscope/schemes/nvfp4.h"

#include "../support/direct_metrics.h"

#include <QtTest>

#include <cmath>
#include <limits>
#include <random>

using namespace quantscope;

Q_DECLARE_METATYPE(quantscope::Params)
Q_DECLARE_METATYPE(quantscope::Shape)

namespace {

constexpr double kBitsTolerance = 1e-12;

const MxElementFormat& fp4()
{
    return mxElementFormat(MxElement::Fp4);
}

Tensor tensorOf(std::vector<float> values, Shape shape = {})
{
    if (shape.empty()) {
        shape = {static_cast<std::int64_t>(values.size())};
    }
    return Tensor("t", std::move(shape), std::move(values), "float32");
}

QuantizedTensor run(const Tensor& tensor, const std::string& scheme, const Params& params)
{
    QuantizeOptions options;
    options.apply = true;
    options.keepBlocks = true;
    return quantizeTensor(tensor, schemeById(scheme), params, options);
}

Params mxParams(MxElement element, MxScaleRule rule = MxScaleRule::Floor, int block = 32)
{
    const auto& formats = mxElementFormats();
    for (std::size_t i = 0; i < formats.size(); ++i) {
        if (formats[i].element == element) {
            return {{"format", double(i)},
                    {"rule", rule == MxScaleRule::Ceil ? 1.0 : 0.0},
                    {"block", double(block)}};
        }
    }
    return {};
}

// Values with magnitudes over many octaves, exact zeros, ties and the odd huge one.
std::vector<float> roughValues(std::size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::uniform_real_distribution<double> octave(-30.0, 30.0);
    std::vector<float> values(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double scale = std::exp2(std::floor(octave(rng) / 8.0));
        values[i] = static_cast<float>(normal(rng) * scale);
        if (i % 13 == 0) {
            values[i] = 0.0f;
        }
        if (i % 29 == 0) {
            values[i] = static_cast<float>(std::ldexp(std::round(normal(rng) * 8) + 0.5, -3));
        }
        if (i % 97 == 0) {
            values[i] *= 1e4f;
        }
    }
    return values;
}

} // namespace

class TestBlockFormats : public QObject {
    Q_OBJECT

private slots:
    void mxFp4RoundsHalfToEven();
    void mxSaturatesAtTheLargestElement();
    void mxCeilRuleSaturatesNothing();
    void mxAllZeroBlock();
    void mxSubnormals();
    void mxOneHugeOutlier();
    void mxInt8();
    void mxScaleExponents_data();
    void mxScaleExponents();
    void mxFastPathEqualsReference_data();
    void mxFastPathEqualsReference();
    void mxfp4DecodesAsGgmlMxfp4();
    void nvfp4DecodesAsGgmlNvfp4();
    void nvfp4HandWorkedBlocks();
    void nvfp4FastPathEqualsReference();
    void metricsEqualADirectPass_data();
    void metricsEqualADirectPass();
    void bitsPerWeight_data();
    void bitsPerWeight();
    void nonFiniteValuesStayOutOfScalesAndMetrics();
    void blockSchemesRefuseAGranularity();
    void bitsSelectAVariant();
};

// One block of 32 with max |x| = 6: scale 2^(floor(log2 6) − 2) = 1, so x itself rounds to the
// E2M1 grid {0, 0.5, 1, 1.5, 2, 3, 4, 6}; every value below sits exactly halfway and goes to the
// neighbour with the even code.
void TestBlockFormats::mxFp4RoundsHalfToEven()
{
    const std::vector<float> x = {0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5.0f, -2.5f,
                                  6.0f,  -6.0f, 0.1f,  -0.2f, 0.3f, 2.9f, -4.9f};
    const std::vector<float> expected = {0.0f, 1.0f,  1.0f, 2.0f, 2.0f, 4.0f, 4.0f, -2.0f,
                                         6.0f, -6.0f, 0.0f, 0.0f, 0.5f, 3.0f, -4.0f};
    const std::vector<std::int32_t> codes = {0, 2, 2, 4, 4, 6, 6, -4, 7, -7, 0, 0, 1, 5, -6};
    std::vector<float> block = x;
    block.resize(32, 0.0f);
    std::vector<float> dq(32);
    std::vector<std::int32_t> c(32);
    QCOMPARE(mxQuantizeBlockReference(block, fp4(), MxScaleRule::Floor, dq, c), 0);
    const QuantizedTensor fast = run(tensorOf(block), "mx", mxParams(MxElement::Fp4));
    QCOMPARE(fast.blocks.front().scale, 1.0f);
    for (std::size_t i = 0; i < x.size(); ++i) {
        QCOMPARE(dq[i], expected[i]);
        QCOMPARE(c[i], codes[i]);
        QCOMPARE(fast.applied->dequantized[i], expected[i]);
        QCOMPARE(fast.applied->codes[i], codes[i]);
    }
}

// max |x| = 7.9: still scale 1 under the floor rule, so 7.9 and −7.1 saturate to ±6 and count
// as clipped (beyond 6 + half of the 4 … 6 cell = 7); 6.9 rounds to 6 inside its cell.
void TestBlockFormats::mxSaturatesAtTheLargestElement()
{
    const std::vector<float> x = {7.9f, 6.9f, -7.1f, 1.0f};
    const QuantizedTensor q = run(tensorOf(x), "mx", mxParams(MxElement::Fp4));
    QCOMPARE(q.blocks.front().scale, 1.0f);
    QCOMPARE(q.applied->dequantized, (std::vector<float>{6.0f, 6.0f, -6.0f, 1.0f}));
    QCOMPARE(q.metrics.clippedFraction, 0.5);
    QCOMPARE(q.metrics.maxAbsError, double(7.9f) - 6.0);
}

// The ceil rule: 7.9 / 2^2 = 1.975 > 6 / 2^2 = 1.5, so the scale doubles to 2 and nothing
// saturates: 3.95 → 4, 3.45 → 3, −3.55 → −4, 0.5 → 0.5.
void TestBlockFormats::mxCeilRuleSaturatesNothing()
{
    const std::vector<float> x = {7.9f, 6.9f, -7.1f, 1.0f};
    QCOMPARE(mxScaleExponent(7.9f, fp4(), MxScaleRule::Ceil), 1);
    QCOMPARE(mxScaleExponent(6.0f, fp4(), MxScaleRule::Ceil), 0); // exactly the largest element
    QCOMPARE(mxScaleExponent(6.01f, fp4(), MxScaleRule::Ceil), 1);
    const QuantizedTensor q = run(tensorOf(x), "mx", mxParams(MxElement::Fp4, MxScaleRule::Ceil));
    QCOMPARE(q.blocks.front().scale, 2.0f);
    QCOMPARE(q.applied->dequantized, (std::vector<float>{8.0f, 6.0f, -8.0f, 1.0f}));
    QCOMPARE(q.metrics.clippedFraction, 0.0);
}

void TestBlockFormats::mxAllZeroBlock()
{
    const std::vector<float> x(64, 0.0f);
    for (const MxElementFormat& format : mxElementFormats()) {
        QCOMPARE(mxScaleExponent(0.0f, format, MxScaleRule::Floor), kMxMinScaleExponent);
        QCOMPARE(mxScaleExponent(0.0f, format, MxScaleRule::Ceil), kMxMinScaleExponent);
        const QuantizedTensor q = run(tensorOf(x), "mx", mxParams(format.element));
        QCOMPARE(q.blocks.front().scale, std::ldexp(1.0f, -127));
        for (std::size_t i = 0; i < x.size(); ++i) {
            QCOMPARE(q.applied->dequantized[i], 0.0f);
            QCOMPARE(q.applied->codes[i], 0);
        }
        QCOMPARE(q.metrics.mse, 0.0);
        QCOMPARE(q.metrics.levelsUsed, 1);
    }
}

// FP4 with scale 2^−2 (max |x| = 1): 0.1 / 0.25 = 0.4 rounds to the subnormal 0.5 (0.125);
// 0.0625 / 0.25 = 0.25 is halfway to 0.5 and goes to 0. FP8 E4M3 with scale 1 (max 448): the
// subnormal steps are 2^−9; 3·2^−10 and 5·2^−10 lie halfway and take the even code 2^−8.
void TestBlockFormats::mxSubnormals()
{
    const QuantizedTensor small =
        run(tensorOf({1.0f, 0.1f, 0.0625f, -0.1f}), "mx", mxParams(MxElement::Fp4));
    QCOMPARE(small.blocks.front().scale, 0.25f);
    QCOMPARE(small.applied->dequantized, (std::vector<float>{1.0f, 0.125f, 0.0f, -0.125f}));
    QCOMPARE(small.applied->codes, (std::vector<std::int32_t>{6, 1, 0, -1}));

    const float s = std::ldexp(1.0f, -10);
    const QuantizedTensor e4m3 =
        run(tensorOf({448.0f, 2 * s, 3 * s, 5 * s, s}), "mx", mxParams(MxElement::Fp8E4M3));
    QCOMPARE(e4m3.blocks.front().scale, 1.0f);
    QCOMPARE(e4m3.applied->dequantized, (std::vector<float>{448.0f, 2 * s, 4 * s, 4 * s, 0.0f}));
    QCOMPARE(e4m3.applied->codes, (std::vector<std::int32_t>{126, 1, 2, 2, 0}));
}

// 31 small values and one of 1000: scale 2^(floor(log2 1000) − 2) = 128, the small values
// vanish and 1000 / 128 = 7.8125 saturates to 6 (768).
void TestBlockFormats::mxOneHugeOutlier()
{
    std::vector<float> x;
    for (int k = 1; k <= 31; ++k) {
        x.push_back(0.01f * float(k));
    }
    x.push_back(1000.0f);
    const QuantizedTensor q = run(tensorOf(x), "mx", mxParams(MxElement::Fp4));
    QCOMPARE(q.blocks.front().scale, 128.0f);
    for (int k = 0; k < 31; ++k) {
        QCOMPARE(q.applied->dequantized[k], 0.0f);
    }
    QCOMPARE(q.applied->dequantized[31], 768.0f);
    QCOMPARE(q.metrics.clippedFraction, 1.0 / 32);
    QCOMPARE(q.metrics.maxAbsError, 232.0);
}

// MXINT8: q = round(x / X · 64) in −127 … 127, X = 2^(floor(log2 max|x|)); 1/128 and 3/128
// are halfway between codes (0 | 1 and 1 | 2) and take the even one.
void TestBlockFormats::mxInt8()
{
    const QuantizedTensor q = run(tensorOf({1.0f, 0.5f, 1.0f / 128, 3.0f / 128, -3.0f / 128}), "mx",
                                  mxParams(MxElement::Int8));
    QCOMPARE(q.blocks.front().scale, 1.0f);
    QCOMPARE(q.applied->codes, (std::vector<std::int32_t>{64, 32, 0, 2, -2}));
    QCOMPARE(q.applied->dequantized, (std::vector<float>{1.0f, 0.5f, 0.0f, 1.0f / 32, -1.0f / 32}));
    const QuantizedTensor top = run(tensorOf({1.999f, -1.0f}), "mx", mxParams(MxElement::Int8));
    QCOMPARE(top.applied->codes, (std::vector<std::int32_t>{127, -64}));
    QCOMPARE(top.metrics.clippedFraction, 0.5); // beyond 127/64 + 1/128
}

void TestBlockFormats::mxScaleExponents_data()
{
    QTest::addColumn<int>("element");
    QTest::addColumn<float>("amax");
    QTest::addColumn<int>("floorExponent");
    QTest::addColumn<int>("ceilExponent");
    // floor(log2 amax) − emax; ceil: the smallest k with amax <= max normal · 2^k.
    QTest::newRow("fp4 6") << int(MxElement::Fp4) << 6.0f << 0 << 0;
    QTest::newRow("fp4 just under 8") << int(MxElement::Fp4) << 7.99f << 0 << 1;
    QTest::newRow("fp4 8") << int(MxElement::Fp4) << 8.0f << 1 << 1;
    QTest::newRow("fp6-e2m3 7.5") << int(MxElement::Fp6E2M3) << 7.5f << 0 << 0;
    QTest::newRow("fp6-e3m2 28") << int(MxElement::Fp6E3M2) << 28.0f << 0 << 0;
    QTest::newRow("fp6-e3m2 30") << int(MxElement::Fp6E3M2) << 30.0f << 0 << 1;
    QTest::newRow("fp8-e4m3 1") << int(MxElement::Fp8E4M3) << 1.0f << -8 << -8;
    QTest::newRow("fp8-e5m2 1") << int(MxElement::Fp8E5M2) << 1.0f << -15 << -15;
    QTest::newRow("int8 1.5") << int(MxElement::Int8) << 1.5f << 0 << 0;
    QTest::newRow("int8 1.99") << int(MxElement::Int8) << 1.99f << 0 << 1;
    QTest::newRow("clamped above") << int(MxElement::Int8) << 3e38f << 127 << 127;
    QTest::newRow("clamped below") << int(MxElement::Fp4) << 1.17549435e-38f << -127 << -127;
    QTest::newRow("subnormal max") << int(MxElement::Int8) << 1e-40f << -127 << -127;
}

void TestBlockFormats::mxScaleExponents()
{
    QFETCH(int, element);
    QFETCH(float, amax);
    QFETCH(int, floorExponent);
    QFETCH(int, ceilExponent);
    const MxElementFormat& format = mxElementFormat(MxElement(element));
    QCOMPARE(mxScaleExponent(amax, format, MxScaleRule::Floor), floorExponent);
    QCOMPARE(mxScaleExponent(amax, format, MxScaleRule::Ceil), ceilExponent);
}

void TestBlockFormats::mxFastPathEqualsReference_data()
{
    QTest::addColumn<int>("element");
    QTest::addColumn<int>("rule");
    QTest::addColumn<int>("block");
    for (const MxElementFormat& format : mxElementFormats()) {
        for (int rule : {0, 1}) {
            for (int block : {8, 17, 30, 32, 64, 256}) {
                QTest::newRow(qPrintable(QString("%1 %2 %3")
                                             .arg(QString::fromStdString(format.name))
                                             .arg(rule == 0 ? "floor" : "ceil")
                                             .arg(block)))
                    << int(format.element) << rule << block;
            }
        }
    }
}

// The vectorized pass against the block-by-block reference: rows of 300 (short last blocks),
// values over many octaves.
void TestBlockFormats::mxFastPathEqualsReference()
{
    QFETCH(int, element);
    QFETCH(int, rule);
    QFETCH(int, block);
    const MxElementFormat& format = mxElementFormat(MxElement(element));
    const MxScaleRule scaleRule = rule == 1 ? MxScaleRule::Ceil : MxScaleRule::Floor;
    constexpr std::int64_t kRows = 7;
    constexpr std::int64_t kRow = 300;
    const std::vector<float> values = roughValues(kRows * kRow, unsigned(element * 31 + block));
    const QuantizedTensor fast =
        run(tensorOf(values, {kRows, kRow}), "mx", mxParams(MxElement(element), scaleRule, block));
    std::int64_t b = 0;
    for (std::int64_t row = 0; row < kRows; ++row) {
        for (std::int64_t begin = 0; begin < kRow; begin += block, ++b) {
            const std::int64_t length = std::min<std::int64_t>(block, kRow - begin);
            const auto at = static_cast<std::size_t>(row * kRow + begin);
            std::vector<float> dq(static_cast<std::size_t>(length));
            std::vector<std::int32_t> codes(dq.size());
            const int exponent = mxQuantizeBlockReference(std::span(values).subspan(at, dq.size()),
                                                          format, scaleRule, dq, codes);
            QCOMPARE(fast.blocks[b].scale, std::ldexp(1.0f, exponent));
            for (std::size_t i = 0; i < dq.size(); ++i) {
                QVERIFY2(fast.applied->dequantized[at + i] == dq[i] &&
                             fast.applied->codes[at + i] == codes[i],
                         qPrintable(QString("x = %1: %2 (code %3), reference %4 (code %5)")
                                        .arg(values[at + i], 0, 'g', 9)
                                        .arg(fast.applied->dequantized[at + i], 0, 'g', 9)
                                        .arg(fast.applied->codes[at + i])
                                        .arg(dq[i], 0, 'g', 9)
                                        .arg(codes[i])));
            }
        }
    }
    QCOMPARE(b, fast.layout->sliceCount());
}

// A nibble of ggml's FP4 blocks: the sign in bit 3, the E2M1 magnitude's code below.
std::uint8_t fp4Nibble(std::int32_t code)
{
    return static_cast<std::uint8_t>((code < 0 ? 8 : 0) | std::abs(code));
}

// The MXFP4 blocks stored the way GGUF's MXFP4 tensors are (an E8M0 byte, 32 E2M1 nibbles with
// element j low and j + 16 high) and decoded by the GGUF reader's ggml dequantizer: the same
// values, so scale exponent, element codes and grid all agree with ggml's reading of the format.
void TestBlockFormats::mxfp4DecodesAsGgmlMxfp4()
{
    constexpr std::size_t kBlocks = 200;
    const std::vector<float> values = roughValues(32 * kBlocks, 11);
    const QuantizedTensor q =
        run(tensorOf(values, {std::int64_t(kBlocks), 32}), "mx", mxParams(MxElement::Fp4));
    std::vector<std::byte> bytes;
    for (std::size_t b = 0; b < kBlocks; ++b) {
        const int exponent = std::ilogb(q.blocks[b].scale);
        bytes.push_back(std::byte(exponent + 127));
        for (std::size_t j = 0; j < 16; ++j) {
            const std::int32_t low = q.applied->codes[32 * b + j];
            const std::int32_t high = q.applied->codes[32 * b + j + 16];
            bytes.push_back(std::byte(fp4Nibble(low) | fp4Nibble(high) << 4));
        }
    }
    std::vector<float> decoded(values.size());
    dequantizeGgml(*findGgmlType("mxfp4"), bytes, decoded);
    for (std::size_t i = 0; i < values.size(); ++i) {
        QVERIFY2(decoded[i] == q.applied->dequantized[i], qPrintable(QString::number(i)));
    }
}

// NVFP4 with a tensor scale of exactly 1 (max |x| = 2688): each sub-block's E4M3 scale and E2M1
// codes, stored as GGUF's NVFP4 blocks (four UE4M3 bytes, 64 nibbles) and decoded by ggml's
// dequantizer, give the same values.
void TestBlockFormats::nvfp4DecodesAsGgmlNvfp4()
{
    constexpr std::size_t kBlocks = 50; // of 64: four NVFP4 blocks each
    std::vector<float> values = roughValues(64 * kBlocks, 12);
    float amax = 0.0f;
    for (float v : values) {
        amax = std::max(amax, std::abs(v));
    }
    for (float& v : values) {
        v = v / amax * 2688.0f;
    }
    values[17] = 2688.0f;
    const QuantizedTensor q = run(tensorOf(values, {std::int64_t(kBlocks), 64}), "nvfp4", {});
    QCOMPARE(q.designNumbers.at(1).second, 1.0);
    const std::vector<double> e4m3 = minifloatMagnitudes({4, 3});
    std::vector<std::byte> bytes;
    for (std::size_t b = 0; b < kBlocks; ++b) {
        for (std::size_t s = 0; s < 4; ++s) {
            const float scale = q.blocks[4 * b + s].scale;
            const auto code = std::find(e4m3.begin(), e4m3.end(), double(scale)) - e4m3.begin();
            QVERIFY(code < std::ptrdiff_t(e4m3.size()));
            bytes.push_back(std::byte(code));
        }
        for (std::size_t s = 0; s < 4; ++s) {
            for (std::size_t j = 0; j < 8; ++j) {
                const std::size_t at = 64 * b + 16 * s + j;
                bytes.push_back(std::byte(fp4Nibble(q.applied->codes[at]) |
                                          fp4Nibble(q.applied->codes[at + 8]) << 4));
            }
        }
    }
    std::vector<float> decoded(values.size());
    dequantizeGgml(*findGgmlType("nvfp4"), bytes, decoded);
    for (std::size_t i = 0; i < values.size(); ++i) {
        QVERIFY2(decoded[i] == q.applied->dequantized[i], qPrintable(QString::number(i)));
    }
}

// s_global = 2688 / (448 · 6) = 1 exactly, so block scales are E4M3(max / 6):
//   block 0: max 2688 → 448: 224 → 0.5 (224), −1120 → −2.5, halfway, → −2 (−896)
//   block 1: max 6 → 1: 2.5 → 2, 5 → 4, 0.25 → 0 (ties to even)
//   block 2: max 7 → 7/6 = 1.1667 → 1.125: 7 → 6.22 → 6 (6.75); 1.6875 → 1.5 (1.6875)
//   block 3: max 6.375 → 1.0625, halfway between 1 and 1.125 → 1: 6.375 → 6 (not clipped)
//   block 4: max 0.005 → 8.3e−4 < 2^−10, half the smallest E4M3 → scale 0: all 0
//   block 5: max 0.0061 → 1.02e−3 → 2^−9: 0.0061 / 2^−9 = 3.12 → 3 (3 · 2^−9)
void TestBlockFormats::nvfp4HandWorkedBlocks()
{
    std::vector<float> x(6 * kNvfp4BlockSize, 0.0f);
    const auto put = [&](int block, std::vector<float> values) {
        std::copy(values.begin(), values.end(), x.begin() + block * kNvfp4BlockSize);
    };
    put(0, {2688.0f, 224.0f, -1120.0f});
    put(1, {6.0f, 2.5f, 5.0f, 0.25f});
    put(2, {7.0f, 1.6875f});
    put(3, {6.375f});
    put(4, {0.005f, -0.001f});
    put(5, {0.0061f});
    QCOMPARE(nvfp4TensorScale(2688.0), 1.0f);
    const QuantizedTensor q = run(tensorOf(x, {6, kNvfp4BlockSize}), "nvfp4", {});
    const std::vector<float> scales = {448.0f, 1.0f, 1.125f, 1.0f, 0.0f, std::ldexp(1.0f, -9)};
    for (int b = 0; b < 6; ++b) {
        QCOMPARE(q.blocks[b].scale, scales[b]);
    }
    const auto& dq = q.applied->dequantized;
    const auto at = [&](int block, int i) { return dq[block * kNvfp4BlockSize + i]; };
    QCOMPARE(at(0, 0), 2688.0f);
    QCOMPARE(at(0, 1), 224.0f);
    QCOMPARE(at(0, 2), -896.0f);
    QCOMPARE(at(1, 1), 2.0f);
    QCOMPARE(at(1, 2), 4.0f);
    QCOMPARE(at(1, 3), 0.0f);
    QCOMPARE(at(2, 0), 6.75f);
    QCOMPARE(at(2, 1), 1.6875f);
    QCOMPARE(at(3, 0), 6.0f);
    QCOMPARE(at(4, 0), 0.0f);
    QCOMPARE(at(4, 1), 0.0f);
    QCOMPARE(at(5, 0), 3 * std::ldexp(1.0f, -9));
    QCOMPARE(q.metrics.clippedFraction, 0.0);
    QCOMPARE(q.designNumbers.at(1).second, 1.0);
}

void TestBlockFormats::nvfp4FastPathEqualsReference()
{
    for (const Shape& shape : {Shape{5, 80}, Shape{3, 50}, Shape{1001}}) {
        const std::int64_t n = elementCount(shape);
        const std::vector<float> values = roughValues(std::size_t(n), unsigned(n));
        double amax = 0.0;
        for (float v : values) {
            amax = std::max(amax, double(std::abs(v)));
        }
        const float tensorScale = nvfp4TensorScale(amax);
        const QuantizedTensor fast = run(tensorOf(values, shape), "nvfp4", {});
        const std::int64_t row = shape.back();
        std::int64_t b = 0;
        for (std::int64_t begin = 0; begin < n; begin += row) {
            for (std::int64_t at = begin; at < begin + row; at += kNvfp4BlockSize, ++b) {
                const std::size_t length =
                    std::size_t(std::min<std::int64_t>(kNvfp4BlockSize, begin + row - at));
                std::vector<float> dq(length);
                std::vector<std::int32_t> codes(length);
                const float scale = nvfp4QuantizeBlockReference(
                    std::span(values).subspan(std::size_t(at), length), tensorScale, dq, codes);
                QCOMPARE(fast.blocks[b].scale, scale);
                for (std::size_t i = 0; i < length; ++i) {
                    QCOMPARE(fast.applied->dequantized[std::size_t(at) + i], dq[i]);
                    QCOMPARE(fast.applied->codes[std::size_t(at) + i], codes[i]);
                }
            }
        }
    }
}

void TestBlockFormats::metricsEqualADirectPass_data()
{
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<Params>("params");
    QTest::newRow("mxfp4") << "mx" << mxParams(MxElement::Fp4);
    QTest::newRow("mxfp6 e3m2, blocks of 24")
        << "mx" << mxParams(MxElement::Fp6E3M2, MxScaleRule::Floor, 24);
    QTest::newRow("mxfp8 e5m2 ceil") << "mx" << mxParams(MxElement::Fp8E5M2, MxScaleRule::Ceil);
    QTest::newRow("mxint8") << "mx" << mxParams(MxElement::Int8);
    QTest::newRow("nvfp4") << "nvfp4" << Params{};
}

// The pass's metrics (parallel, vectorized) against a plain loop over its own output; enough
// values for many work items on every thread.
void TestBlockFormats::metricsEqualADirectPass()
{
    QFETCH(QString, scheme);
    QFETCH(Params, params);
    const std::vector<float> values = roughValues(200000, 7);
    const QuantizedTensor q = run(tensorOf(values, {400, 500}), scheme.toStdString(), params);
    const test::DirectMetrics direct =
        test::directMetrics(values, q.applied->dequantized, q.applied->codes);
    QCOMPARE(q.metrics.count, direct.count);
    QVERIFY(test::closeTo(q.metrics.mse, direct.mse));
    QVERIFY(test::closeTo(*q.metrics.sqnrDb, direct.sqnrDb));
    QCOMPARE(q.metrics.maxAbsError, direct.maxAbsError);
    QVERIFY(test::closeTo(q.metrics.meanError, direct.meanError));
    QVERIFY(test::closeTo(q.metrics.entropyBits, direct.entropyBits));
    QCOMPARE(q.metrics.levelsUsed, direct.levelsUsed);
    QVERIFY(!q.metrics.weightedEntropy.has_value());
}

void TestBlockFormats::bitsPerWeight_data()
{
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<Params>("params");
    QTest::addColumn<Shape>("shape");
    QTest::addColumn<double>("bpw");
    const Shape matrix{4, 64}; // 256 values, rows of whole blocks
    QTest::newRow("MXFP4: 4 + 8/32") << "mx" << mxParams(MxElement::Fp4) << matrix << 4.25;
    QTest::newRow("MXFP6") << "mx" << mxParams(MxElement::Fp6E2M3) << matrix << 6.25;
    QTest::newRow("MXFP8") << "mx" << mxParams(MxElement::Fp8E4M3) << matrix << 8.25;
    QTest::newRow("MXINT8") << "mx" << mxParams(MxElement::Int8) << matrix << 8.25;
    QTest::newRow("MXFP4 blocks of 16")
        << "mx" << mxParams(MxElement::Fp4, MxScaleRule::Floor, 16) << matrix << 4.5;
    QTest::newRow("MXFP4, rows of 100: 4 blocks a row")
        << "mx" << mxParams(MxElement::Fp4) << Shape{3, 100} << 4.0 + 4 * 8.0 / 100;
    QTest::newRow("NVFP4: 4 + 8/16 + 32/n") << "nvfp4" << Params{} << matrix << 4.5 + 32.0 / 256;
}

void TestBlockFormats::bitsPerWeight()
{
    QFETCH(QString, scheme);
    QFETCH(Params, params);
    QFETCH(Shape, shape);
    QFETCH(double, bpw);
    const std::vector<float> values = roughValues(std::size_t(elementCount(shape)), 3);
    const QuantizedTensor q = run(tensorOf(values, shape), scheme.toStdString(), params);
    QVERIFY2(std::abs(q.bitsPerWeight - bpw) < kBitsTolerance,
             qPrintable(QString("%1 bpw").arg(q.bitsPerWeight, 0, 'g', 17)));
}

// NaN and ±inf count as 0 for their block's scale and stay out of the metrics.
void TestBlockFormats::nonFiniteValuesStayOutOfScalesAndMetrics()
{
    constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
    constexpr float kInf = std::numeric_limits<float>::infinity();
    std::vector<float> x = {kNan, 1.0f, -kInf, 0.5f, kInf, 3.0f};
    x.resize(32, 0.25f);
    const QuantizedTensor q = run(tensorOf(x), "mx", mxParams(MxElement::Fp4));
    QCOMPARE(q.blocks.front().scale, 0.5f); // max |x| = 3 → 2^(1 − 2)
    QCOMPARE(q.nonFinite, 3);
    QCOMPARE(q.metrics.count, 29);
    QCOMPARE(q.applied->dequantized[0], 0.0f);
    QCOMPARE(q.applied->dequantized[5], 3.0f);
    QVERIFY(std::isfinite(q.metrics.mse));
}

void TestBlockFormats::blockSchemesRefuseAGranularity()
{
    const Tensor t = tensorOf(roughValues(64, 1), {2, 32});
    QuantizeOptions options;
    options.granularity = Granularity::perChannel(0);
    QVERIFY_THROWS_EXCEPTION(UsageError, quantizeTensor(t, schemeById("mx"), {}, options));
    options.granularity = Granularity::perGroup(16);
    QVERIFY_THROWS_EXCEPTION(UsageError, quantizeTensor(t, schemeById("nvfp4"), {}, options));
    QVERIFY_THROWS_EXCEPTION(UsageError,
                             schemeById("mx").design(Distribution(t.values()), Params{}));
}

// `bits` names a variant: MXFP4, MXFP6 (E2M3), MXFP8 (E4M3); NVFP4 only at 4.
void TestBlockFormats::bitsSelectAVariant()
{
    const Scheme& mx = schemeById("mx");
    QCOMPARE(mx.resolve({{"bits", 4}}).getInt("format"), 0);
    QCOMPARE(mx.resolve({{"bits", 6}}).getInt("format"), 1);
    QCOMPARE(mx.resolve({{"bits", 8}}).getInt("format"), 3);
    QCOMPARE(mx.bitsOf(mx.resolve({{"format", 5}})).value(), 8);
    QVERIFY_THROWS_EXCEPTION(UsageError, mx.resolve({{"bits", 5}}));
    QCOMPARE(mx.resolve({{"bits", 8}, {"format", 5}}).getInt("format"), 5); // explicit wins
    const Scheme& nv = schemeById("nvfp4");
    QVERIFY(nv.resolve({{"bits", 4}}).values().empty());
    QVERIFY_THROWS_EXCEPTION(UsageError, nv.resolve({{"bits", 8}}));
}

QTEST_APPLESS_MAIN(TestBlockFormats)
#include "tst_block_formats.moc"
