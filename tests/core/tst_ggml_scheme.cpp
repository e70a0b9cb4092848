#include "quantscope/errors.h"
#include "quantscope/quantize.h"
#include "quantscope/tensor_file.h"

#include "../support/direct_metrics.h"

#include <QtTest>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace quantscope;

namespace {

const std::string kReference = QUANTSCOPE_TEST_DATA "/ggml_scheme/ggml_scheme.gguf";

// The types of the `type` choice, in order, with their storage: block bytes · 8 / block
// elements.
struct TypeCase {
    const char* name;
    int block;
    double bitsPerWeight;
};
const std::vector<TypeCase> kTypes = {
    {"q4_0", 32, 4.5},  {"q4_1", 32, 5.0},     {"q5_0", 32, 5.5},     {"q5_1", 32, 6.0},
    {"q8_0", 32, 8.5},  {"q2_K", 256, 2.625},  {"q3_K", 256, 3.4375}, {"q4_K", 256, 4.5},
    {"q5_K", 256, 5.5}, {"q6_K", 256, 6.5625}, {"iq4_nl", 32, 4.5},   {"iq4_xs", 256, 4.25},
};

const Scheme& ggmlScheme()
{
    return schemeById("ggml");
}

Params typeParams(int index)
{
    return {{"type", double(index)}};
}

QuantizedTensor run(const Tensor& tensor, int type, bool codebooks = false)
{
    QuantizeOptions options;
    options.apply = true;
    options.keepBlocks = true;
    options.keepCodebooks = codebooks;
    return quantizeTensor(tensor, ggmlScheme(), typeParams(type), options);
}

Tensor gaussian(Shape shape, unsigned seed, float sigma = 0.02f)
{
    std::int64_t n = 1;
    for (std::int64_t d : shape) {
        n *= d;
    }
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, sigma);
    std::vector<float> values(static_cast<std::size_t>(n));
    for (float& v : values) {
        v = normal(rng);
    }
    return Tensor("t", std::move(shape), std::move(values), "float32");
}

QString hexBits(float value)
{
    return QString("0x%1").arg(std::bit_cast<std::uint32_t>(value), 8, 16, QChar('0'));
}

void addTypeRows()
{
    QTest::addColumn<int>("type");
    for (std::size_t i = 0; i < kTypes.size(); ++i) {
        QTest::newRow(kTypes[i].name) << int(i);
    }
}

} // namespace

class TestGgmlScheme : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void choicesAndVariants();
    void bitExactAgainstGgml_data() { addTypeRows(); }
    void bitExactAgainstGgml();
    void bitsPerWeight_data() { addTypeRows(); }
    void bitsPerWeight();
    void codesAndBlocks_data() { addTypeRows(); }
    void codesAndBlocks();
    void metricsEqualADirectPass_data() { addTypeRows(); }
    void metricsEqualADirectPass();
    void partialBlocksAreRefused_data() { addTypeRows(); }
    void partialBlocksAreRefused();
    void nonFiniteAndZeroInputs_data() { addTypeRows(); }
    void nonFiniteAndZeroInputs();
    void bitsPickATypeOfThatWidth();

private:
    std::unique_ptr<TensorFile> m_reference;
};

void TestGgmlScheme::initTestCase()
{
    m_reference = openTensorFile(kReference);
    QVERIFY(m_reference->skipped().empty());
}

void TestGgmlScheme::choicesAndVariants()
{
    const auto specs = ggmlScheme().paramSpecs();
    QCOMPARE(specs.size(), std::size_t(1));
    QCOMPARE(specs[0].name, std::string("type"));
    QCOMPARE(specs[0].kind, ParamKind::Choice);
    QCOMPARE(specs[0].choices.size(), kTypes.size());
    const auto variants = ggmlScheme().variants();
    QCOMPARE(variants.size(), kTypes.size());
    for (std::size_t i = 0; i < kTypes.size(); ++i) {
        const std::string& choice = specs[0].choices[i];
        QCOMPARE(choice.substr(0, choice.find(':')), std::string(kTypes[i].name));
        QCOMPARE(variants[i].name, std::string(kTypes[i].name));
        QCOMPARE(variants[i].params.getInt("type"), int(i));
        const BlockStructure structure =
            ggmlScheme().asBlockScheme()->blockStructure(ggmlScheme().resolve(typeParams(int(i))));
        QCOMPARE(structure.size, std::int64_t(kTypes[i].block));
        QVERIFY(structure.wholeBlocksOnly);
    }
}

// The reference holds ggml's own to_float(ggml_quantize_chunk(type, input, imatrix NULL)) for
// rows with outliers, one-signed, constant and tied groups, zeros, tiny and subnormal values
// (tests/data/ggml_scheme/make_reference.c): the scheme gives the same floats, bit for bit.
void TestGgmlScheme::bitExactAgainstGgml()
{
    QFETCH(int, type);
    const Tensor input = m_reference->load("input");
    const Tensor expected = m_reference->load(kTypes[type].name);
    QCOMPARE(expected.shape(), input.shape());
    const QuantizedTensor q = run(input, type);
    QVERIFY(q.applied.has_value());
    const auto got = std::span<const float>(q.applied->dequantized);
    const auto want = expected.values();
    QCOMPARE(got.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        if (std::memcmp(&got[i], &want[i], sizeof(float)) != 0) {
            QFAIL(qPrintable(QString("element %1 (input %2): %3 (%4), ggml gives %5 (%6)")
                                 .arg(i)
                                 .arg(input.values()[i])
                                 .arg(got[i])
                                 .arg(hexBits(got[i]))
                                 .arg(want[i])
                                 .arg(hexBits(want[i]))));
        }
    }
}

void TestGgmlScheme::bitsPerWeight()
{
    QFETCH(int, type);
    const QuantizedTensor q = run(gaussian({3, 512}, 7), type);
    QCOMPARE(q.bitsPerWeight, kTypes[type].bitsPerWeight);
    QCOMPARE(q.layout->groupSize(), std::int64_t(kTypes[type].block));
    QCOMPARE(q.blocks.size(), std::size_t(3 * 512 / kTypes[type].block));
    QCOMPARE(ggmlScheme().bitsOf(ggmlScheme().resolve(typeParams(type))).has_value(), true);
}

// Codes lie in the code range; a block's values lie within its BlockInfo range; for the types
// x = d · code the values are code times the block's scale, as ggml's kernels compute them.
void TestGgmlScheme::codesAndBlocks()
{
    QFETCH(int, type);
    const Tensor tensor = gaussian({2, 512}, 11, 0.5f);
    const QuantizedTensor q = run(tensor, type, true);
    QVERIFY(q.codeRange.has_value());
    const auto [low, high] = *q.codeRange;
    const std::size_t block = static_cast<std::size_t>(kTypes[type].block);
    const std::string name = kTypes[type].name;
    const bool plainScale = name == "q4_0" || name == "q5_0" || name == "q8_0";
    for (std::size_t i = 0; i < q.applied->codes.size(); ++i) {
        const std::int32_t code = q.applied->codes[i];
        QVERIFY2(code >= low && code <= high, qPrintable(QString("code %1").arg(code)));
        const BlockInfo& info = q.blocks[i / block];
        const float value = q.applied->dequantized[i];
        QVERIFY(value >= info.low && value <= info.high);
        if (plainScale) {
            QCOMPARE(value, static_cast<float>(code) * info.scale);
        }
        // A block's codebook (for views) holds the levels it used.
        const Codebook& codebook = q.codebooks[i / block];
        QCOMPARE(codebook.quantize(value), double(value));
    }
    QCOMPARE(q.codebooks.size(), q.blocks.size());
}

void TestGgmlScheme::metricsEqualADirectPass()
{
    QFETCH(int, type);
    for (const Tensor& tensor : {m_reference->load("input"), gaussian({4, 1024}, 3)}) {
        const QuantizedTensor q = run(tensor, type);
        const test::DirectMetrics direct =
            test::directMetrics(tensor.values(), q.applied->dequantized, q.applied->codes);
        QCOMPARE(q.metrics.count, direct.count);
        QVERIFY(test::closeTo(q.metrics.mse, direct.mse));
        QVERIFY(q.metrics.sqnrDb.has_value());
        QVERIFY(test::closeTo(*q.metrics.sqnrDb, direct.sqnrDb));
        QCOMPARE(q.metrics.maxAbsError, direct.maxAbsError);
        QVERIFY(test::closeTo(q.metrics.meanError, direct.meanError));
        QVERIFY(test::closeTo(q.metrics.entropyBits, direct.entropyBits));
        QCOMPARE(q.metrics.levelsUsed, direct.levelsUsed);
        QVERIFY(q.metrics.clippedFraction >= 0.0 && q.metrics.clippedFraction <= 1.0);
    }
}

void TestGgmlScheme::partialBlocksAreRefused()
{
    QFETCH(int, type);
    const int block = kTypes[type].block;
    for (const Shape& shape : {Shape{block + 16}, Shape{3, block / 2}, Shape{2, 3 * block - 1}}) {
        const Tensor tensor = gaussian(shape, 5);
        try {
            run(tensor, type);
            QFAIL(qPrintable(QString("shape %1 was accepted")
                                 .arg(QString::fromStdString(shapeToString(shape)))));
        } catch (const UsageError& e) {
            const QString message = e.what();
            QVERIFY2(message.contains("whole blocks of " + QString::number(block)),
                     qPrintable(message));
            QVERIFY2(message.contains("ggml"), qPrintable(message));
        }
    }
}

// NaN and ±inf are left out of the metrics and quantized as 0 (as every block scheme does);
// zero rows give zeros.
void TestGgmlScheme::nonFiniteAndZeroInputs()
{
    QFETCH(int, type);
    Tensor tensor = gaussian({2, 256}, 9);
    std::vector<float> values(tensor.values().begin(), tensor.values().end());
    values[3] = std::numeric_limits<float>::quiet_NaN();
    values[40] = std::numeric_limits<float>::infinity();
    values[300] = -std::numeric_limits<float>::infinity();
    const QuantizedTensor q = run(Tensor("t", {2, 256}, std::move(values), "float32"), type);
    QCOMPARE(q.nonFinite, std::int64_t(3));
    QCOMPARE(q.metrics.count, std::int64_t(512 - 3));
    for (float v : q.applied->dequantized) {
        QVERIFY(std::isfinite(v));
    }

    const QuantizedTensor zero =
        run(Tensor("z", {1, 256}, std::vector<float>(256, 0.0f), "float32"), type);
    QCOMPARE(zero.metrics.mse, 0.0);
    QVERIFY(!zero.metrics.sqnrDb.has_value());
    for (float v : zero.applied->dequantized) {
        QCOMPARE(v, 0.0f);
    }

    const QuantizedTensor empty = run(Tensor("e", {0, 256}, {}, "float32"), type);
    QCOMPARE(empty.metrics.count, std::int64_t(0));

    std::vector<float> huge(256);
    for (std::size_t i = 0; i < huge.size(); ++i) {
        huge[i] = (i % 2 == 0 ? 1.0f : -1.0f) * std::numeric_limits<float>::max() / float(i + 1);
    }
    const QuantizedTensor extreme = run(Tensor("h", {1, 256}, std::move(huge), "float32"), type);
    QCOMPARE(extreme.metrics.count, std::int64_t(256));
}

void TestGgmlScheme::bitsPickATypeOfThatWidth()
{
    const auto name = [](const Params& params) {
        return std::string(kTypes[static_cast<std::size_t>(params.getInt("type"))].name);
    };
    QCOMPARE(name(*ggmlScheme().paramsForBits(2)), std::string("q2_K"));
    QCOMPARE(name(*ggmlScheme().paramsForBits(3)), std::string("q3_K"));
    QCOMPARE(name(*ggmlScheme().paramsForBits(4)), std::string("q4_K"));
    QCOMPARE(name(*ggmlScheme().paramsForBits(5)), std::string("q5_K"));
    QCOMPARE(name(*ggmlScheme().paramsForBits(6)), std::string("q6_K"));
    QCOMPARE(name(*ggmlScheme().paramsForBits(8)), std::string("q8_0"));
    QVERIFY(!ggmlScheme().paramsForBits(7).has_value());
}

QTEST_APPLESS_MAIN(TestGgmlScheme)
#include "tst_ggml_scheme.moc"
