// Every ggml type read from a GGUF written by ggml itself (tests/data/gguf/make_reference.c)
// must give, bit for bit, the float32 values ggml's own dequantization gave: one tensor of each
// type, and tensors whose blocks visit every entry of the IQ grids.
#include "quantscope/errors.h"
#include "quantscope/ggml_types.h"
#include "quantscope/tensor_file.h"

#include <QtTest>

#include <bit>
#include <cstring>
#include <set>
#include <vector>

using namespace quantscope;

namespace {

const std::string kData = QUANTSCOPE_TEST_DATA "/gguf/ggml_types.gguf";
const std::string kExpected = QUANTSCOPE_TEST_DATA "/gguf/ggml_types_expected.gguf";
// The reference holds one tensor per type plus these grid sweeps.
const std::vector<std::string> kGridTensors = {"iq2_xxs.grid", "iq2_xs.grid", "iq2_s.grid",
                                               "iq3_xxs.grid", "iq3_s.grid",  "iq1_s.grid"};

QString hexBits(float value)
{
    return QString("0x%1").arg(std::bit_cast<std::uint32_t>(value), 8, 16, QChar('0'));
}

} // namespace

class TestGgufTypes : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void everyTypeIsInTheReference();
    void bitExact_data();
    void bitExact();
    void shapesAreRowMajor();
    void typeTable();
    void dequantizeChecksSizes();
    void skipReasons_data();
    void skipReasons();
    void dataStartingPastTheEndRefusesTheFile();

private:
    std::unique_ptr<TensorFile> m_data;
    std::unique_ptr<TensorFile> m_expected;
};

void TestGgufTypes::initTestCase()
{
    m_data = openTensorFile(kData);
    m_expected = openTensorFile(kExpected);
}

void TestGgufTypes::everyTypeIsInTheReference()
{
    QVERIFY(m_data->skipped().empty());
    QVERIFY(m_expected->skipped().empty());
    std::set<std::string> names;
    for (const TensorInfo& info : m_data->tensors()) {
        names.insert(info.name);
    }
    for (const GgmlType& type : ggmlTypes()) {
        QVERIFY2(names.count(std::string(type.name)) == 1, type.name.data());
    }
    for (const std::string& grid : kGridTensors) {
        QVERIFY2(names.count(grid) == 1, grid.c_str());
    }
    QCOMPARE(m_data->tensors().size(), ggmlTypes().size() + kGridTensors.size());
    QCOMPARE(m_expected->tensors().size(), m_data->tensors().size());
}

void TestGgufTypes::bitExact_data()
{
    QTest::addColumn<QString>("name");
    for (const TensorInfo& info : m_data->tensors()) {
        QTest::newRow(info.name.c_str()) << QString::fromStdString(info.name);
    }
}

void TestGgufTypes::bitExact()
{
    QFETCH(QString, name);
    const Tensor actual = m_data->load(name.toStdString());
    const Tensor expected = m_expected->load(name.toStdString());
    QCOMPARE(actual.shape(), expected.shape());
    QCOMPARE(actual.size(), expected.size());
    QVERIFY(actual.size() > 0);
    const GgmlType* type =
        findGgmlType(std::string_view(name.toStdString()).substr(0, name.toStdString().find('.')));
    QVERIFY(type != nullptr);
    QCOMPARE(actual.sourceDtype(), std::string(type->dtype));
    const auto a = actual.values();
    const auto e = expected.values();
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::memcmp(&a[i], &e[i], sizeof(float)) != 0) {
            QFAIL(qPrintable(QString("element %1: %2 (%3), ggml gives %4 (%5)")
                                 .arg(i)
                                 .arg(a[i])
                                 .arg(hexBits(a[i]))
                                 .arg(e[i])
                                 .arg(hexBits(e[i]))));
        }
    }
}

void TestGgufTypes::shapesAreRowMajor()
{
    // ggml lists ne[0], the fastest dimension, first: ggml's 256 x 2 is 2 rows of 256 here.
    const auto shapeOf = [&](const std::string& name) {
        for (const TensorInfo& info : m_data->tensors()) {
            if (info.name == name) {
                return info.shape;
            }
        }
        return Shape{};
    };
    QCOMPARE(shapeOf("q4_K"), (Shape{2, 256}));
    QCOMPARE(shapeOf("q8_0"), (Shape{2, 128}));
    QCOMPARE(shapeOf("f32"), (Shape{4, 4, 8})); // ggml's 8 x 4 x 4
    QCOMPARE(shapeOf("iq1_s.grid"), (Shape{64, 256}));
    // The rows differ, so bitExact also checks that they come in ggml's order.
    const Tensor q4k = m_data->load("q4_K");
    QVERIFY(std::memcmp(q4k.values().data(), q4k.values().data() + 256, 256 * sizeof(float)) != 0);
}

void TestGgufTypes::typeTable()
{
    QCOMPARE(ggmlTypes().size(), std::size_t{35});
    const GgmlType* q4k = findGgmlType(12u);
    QVERIFY(q4k != nullptr);
    QCOMPARE(q4k->name, std::string_view("q4_K"));
    QCOMPARE(q4k->dtype, std::string_view("Q4_K (block 256)"));
    QCOMPARE(q4k->blockElements, std::size_t{256});
    QCOMPARE(q4k->blockBytes, std::size_t{144}); // 2 halves, 12 scale bytes, 128 nibble bytes
    QCOMPARE(findGgmlType(std::string_view("iq4_nl"))->id, 20u);
    QCOMPARE(findGgmlType(std::string_view("iq4_nl"))->dtype,
             std::string_view("IQ4_NL (block 32)"));
    QCOMPARE(findGgmlType(39u)->blockBytes, std::size_t{17}); // MXFP4: E8M0 + 16 bytes
    // Ids ggml removed (Q4_2, Q4_3, the repacked Q4_0_4_4 ... IQ4_NL_8_8) and ids past the end.
    for (std::uint32_t removed : {4u, 5u, 31u, 32u, 33u, 36u, 37u, 38u, 43u, 99u}) {
        QVERIFY(findGgmlType(removed) == nullptr);
    }
    QVERIFY(findGgmlType(std::string_view("q4_2")) == nullptr);
}

void TestGgufTypes::dequantizeChecksSizes()
{
    const GgmlType& q8 = *findGgmlType(std::string_view("q8_0"));
    std::vector<std::byte> blocks(2 * q8.blockBytes);
    std::vector<float> values(2 * q8.blockElements);
    dequantizeGgml(q8, blocks, values);
    QCOMPARE(values[63], 0.0f);
    std::vector<float> tooFew(63);
    QVERIFY_THROWS_EXCEPTION(UsageError, dequantizeGgml(q8, blocks, tooFew));
    QVERIFY_THROWS_EXCEPTION(UsageError, dequantizeGgml(q8, std::span(blocks).first(35), values));
}

void TestGgufTypes::skipReasons_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("reason");
    QTest::newRow("K-quant row") << "gguf_k_row.gguf"
                                 << "row length 100 is not a multiple of the 256-element block "
                                    "of q4_K";
    QTest::newRow("NVFP4 row") << "gguf_nvfp4_row.gguf"
                               << "row length 96 is not a multiple of the 64-element block of "
                                  "nvfp4";
    QTest::newRow("scalar block") << "gguf_block_scalar.gguf"
                                  << "row length 1 is not a multiple of the 32-element block of "
                                     "q8_0";
    QTest::newRow("removed type") << "gguf_removed_type.gguf"
                                  << "unknown ggml type 31";
    QTest::newRow("byte overflow") << "gguf_f64_bytes_overflow.gguf"
                                   << "size in bytes overflows";
    QTest::newRow("cut short") << "gguf_iq3_s_past_end.gguf"
                               << "data truncated: needs 220 bytes, the file holds 219";
}

void TestGgufTypes::skipReasons()
{
    QFETCH(QString, file);
    QFETCH(QString, reason);
    const auto opened = openTensorFile(QUANTSCOPE_TEST_DATA "/malformed/" + file.toStdString());
    QCOMPARE(opened->skipped().size(), std::size_t{1});
    QCOMPARE(QString::fromStdString(opened->skipped()[0].reason), reason);
    QCOMPARE(opened->tensors().size(), std::size_t{1}); // the good tensor beside it
}

void TestGgufTypes::dataStartingPastTheEndRefusesTheFile()
{
    const std::string path = QUANTSCOPE_TEST_DATA "/malformed/gguf_offset_past_end.gguf";
    try {
        openTensorFile(path);
        QFAIL("opened");
    } catch (const InputError& error) {
        QCOMPARE(QString(error.what()),
                 QString::fromStdString(path + ": tensor 't': data at 1024 start past the end "
                                               "of the file"));
    }
}

QTEST_APPLESS_MAIN(TestGgufTypes)
#include "tst_gguf_types.moc"
