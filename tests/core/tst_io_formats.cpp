// Model files built byte by byte here, read back: dtype conversions, GGUF block dequantization
// against hand-computed blocks, sharded safetensors, text tables and content sniffing.
#include "quantscope/errors.h"
#include "quantscope/tensor_file.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

using namespace quantscope;

namespace {

using Bytes = std::string;

template <typename T> void append(Bytes& bytes, T value)
{
    char raw[sizeof(T)];
    std::memcpy(raw, &value, sizeof(T));
    bytes.append(raw, sizeof(T));
}

void appendGgufString(Bytes& bytes, const std::string& text)
{
    append<std::uint64_t>(bytes, text.size());
    bytes += text;
}

// A safetensors file: header JSON (padded to 8 bytes, as writers do), then the data.
Bytes safetensors(std::string header, const Bytes& data)
{
    header.append((8 - header.size() % 8) % 8, ' ');
    Bytes bytes;
    append<std::uint64_t>(bytes, header.size());
    return bytes + header + data;
}

} // namespace

class TestIoFormats : public QObject {
    Q_OBJECT

private slots:
    void safetensorsDtypes_data();
    void safetensorsDtypes();
    void safetensorsSharded();
    void ggufBlocks();
    void text_data();
    void text();
    void sniffsByContent();

private:
    std::string write(const QString& name, const Bytes& bytes);

    QTemporaryDir m_dir;
};

std::string TestIoFormats::write(const QString& name, const Bytes& bytes)
{
    const std::string path = m_dir.filePath(name).toStdString();
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<long>(bytes.size()));
    return path;
}

void TestIoFormats::safetensorsDtypes_data()
{
    QTest::addColumn<QString>("dtype");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("sourceDtype");
    QTest::addColumn<QList<float>>("expected");
    // f16: 1, -2, the largest finite 65504, the smallest subnormal 2^-24, 1/3 rounded to half.
    QTest::newRow("F16") << "F16" << QByteArray::fromHex("003c00c0ff7b01005535") << "float16"
                         << QList<float>{1.0f, -2.0f, 65504.0f, std::ldexp(1.0f, -24),
                                         0.333251953125f};
    // bf16 keeps float32's exponent: 1, -3, pi truncated to 8 bits of mantissa, -inf.
    QTest::newRow("BF16") << "BF16"
                          << QByteArray::fromHex("803f40c04940") + QByteArray::fromHex("80ff")
                          << "bfloat16"
                          << QList<float>{1.0f, -3.0f, 3.140625f,
                                          -std::numeric_limits<float>::infinity()};
    QTest::newRow("I8") << "I8" << QByteArray::fromHex("807f00ff") << "int8"
                        << QList<float>{-128.0f, 127.0f, 0.0f, -1.0f};
    QTest::newRow("U8") << "U8" << QByteArray::fromHex("ff0001") << "uint8"
                        << QList<float>{255.0f, 0.0f, 1.0f};
    QTest::newRow("I16") << "I16" << QByteArray::fromHex("0080ff7f") << "int16"
                         << QList<float>{-32768.0f, 32767.0f};
    QTest::newRow("I32") << "I32" << QByteArray::fromHex("feffffff40420f00") << "int32"
                         << QList<float>{-2.0f, 1000000.0f};
    QTest::newRow("I64") << "I64" << QByteArray::fromHex("ffffffffffffffff0000000001000000")
                         << "int64" << QList<float>{-1.0f, 4294967296.0f};
    QTest::newRow("F64") << "F64" << QByteArray::fromHex("000000000000f03f000000000000e0bf")
                         << "float64" << QList<float>{1.0f, -0.5f};
    QTest::newRow("F32") << "F32" << QByteArray::fromHex("0000c03f000080bf") << "float32"
                         << QList<float>{1.5f, -1.0f};
    QTest::newRow("BOOL") << "BOOL" << QByteArray::fromHex("000102") << "bool"
                          << QList<float>{0.0f, 1.0f, 1.0f};
}

void TestIoFormats::safetensorsDtypes()
{
    QFETCH(QString, dtype);
    QFETCH(QByteArray, data);
    QFETCH(QString, sourceDtype);
    QFETCH(QList<float>, expected);
    const std::string header = R"({"__metadata__":{"a":"b"},"t":{"dtype":")" + dtype.toStdString() +
                               R"(","shape":[)" + std::to_string(expected.size()) +
                               R"(],"data_offsets":[0,)" + std::to_string(data.size()) + "]}}";
    const auto file = openTensorFile(
        write("dtype_" + dtype + ".safetensors", safetensors(header, data.toStdString())));
    QCOMPARE(file->tensors().size(), std::size_t{1});
    QCOMPARE(QString::fromStdString(file->tensors()[0].dtype), sourceDtype);
    const Tensor tensor = file->load("t");
    QCOMPARE(QString::fromStdString(tensor.sourceDtype()), sourceDtype);
    QCOMPARE(tensor.shape(), Shape{expected.size()});
    for (qsizetype i = 0; i < expected.size(); ++i) {
        QCOMPARE(tensor.values()[static_cast<std::size_t>(i)], expected[i]);
    }
}

void TestIoFormats::safetensorsSharded()
{
    Bytes first;
    append(first, 1.0f);
    append(first, 2.0f);
    Bytes second;
    append(second, std::int32_t{-7});
    write("shard-1.safetensors",
          safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", first));
    write("shard-2.safetensors",
          safetensors(R"({"b":{"dtype":"I32","shape":[1,1],"data_offsets":[0,4]}})", second));
    const auto file = openTensorFile(write(
        "model.safetensors.index.json",
        R"({"metadata":{"total_size":12},"weight_map":{"b":"shard-2.safetensors","a":"shard-1.safetensors"}})"));
    QCOMPARE(file->tensors().size(), std::size_t{2});
    const Tensor a = file->load("a");
    QCOMPARE(a.values()[1], 2.0f);
    const Tensor b = file->load("b");
    QCOMPARE(b.shape(), (Shape{1, 1}));
    QCOMPARE(b.values()[0], -7.0f);
    QCOMPARE(b.sourceDtype(), std::string("int32"));
}

void TestIoFormats::ggufBlocks()
{
    constexpr std::uint32_t kAlignment = 64;
    Bytes bytes = "GGUF";
    append<std::uint32_t>(bytes, 3);
    append<std::uint64_t>(bytes, 4); // tensors
    append<std::uint64_t>(bytes, 3); // metadata
    appendGgufString(bytes, "general.name");
    append<std::uint32_t>(bytes, 8);
    appendGgufString(bytes, "test");
    appendGgufString(bytes, "tokenizer.tokens"); // an array of strings, skipped
    append<std::uint32_t>(bytes, 9);
    append<std::uint32_t>(bytes, 8);
    append<std::uint64_t>(bytes, 2);
    appendGgufString(bytes, "x");
    appendGgufString(bytes, "yz");
    appendGgufString(bytes, "general.alignment");
    append<std::uint32_t>(bytes, 4);
    append<std::uint32_t>(bytes, kAlignment);
    const auto tensorInfo = [&](const std::string& name, std::vector<std::uint64_t> ne,
                                std::uint32_t type, std::uint64_t offset) {
        appendGgufString(bytes, name);
        append<std::uint32_t>(bytes, static_cast<std::uint32_t>(ne.size()));
        for (auto extent : ne) {
            append(bytes, extent);
        }
        append(bytes, type);
        append(bytes, offset);
    };
    tensorInfo("f32", {3, 2}, 0, 0); // ggml order: 3 columns, 2 rows
    tensorInfo("f16", {2}, 1, 64);
    tensorInfo("q8", {32}, 8, 128);
    tensorInfo("q4", {32}, 2, 192);
    bytes.resize((bytes.size() + kAlignment - 1) / kAlignment * kAlignment, '\0');
    const std::size_t dataStart = bytes.size();
    for (float v : {0.0f, 1.0f, 2.0f, 3.0f, 4.0f, 5.0f}) {
        append(bytes, v);
    }
    bytes.resize(dataStart + 64, '\0');
    append<std::uint16_t>(bytes, 0x3800); // 0.5
    append<std::uint16_t>(bytes, 0xBC00); // -1
    bytes.resize(dataStart + 128, '\0');
    // Q8_0: scale 0.5 (f16 0x3800), q_j = j - 16.
    append<std::uint16_t>(bytes, 0x3800);
    for (int j = 0; j < 32; ++j) {
        append<std::int8_t>(bytes, static_cast<std::int8_t>(j - 16));
    }
    bytes.resize(dataStart + 192, '\0');
    // Q4_0: scale 2 (f16 0x4000); byte j = low nibble j, high nibble 15 - j.
    append<std::uint16_t>(bytes, 0x4000);
    for (int j = 0; j < 16; ++j) {
        append<std::uint8_t>(bytes, static_cast<std::uint8_t>(j | (15 - j) << 4));
    }
    const auto file = openTensorFile(write("blocks.gguf", bytes));
    const auto& tensors = file->tensors();
    QCOMPARE(tensors.size(), std::size_t{4});
    QCOMPARE(tensors[0].shape, (Shape{2, 3}));
    QCOMPARE(tensors[2].dtype, std::string("Q8_0 (block 32)"));
    QCOMPARE(tensors[3].dtype, std::string("Q4_0 (block 32)"));
    QCOMPARE(file->load("f32").values()[5], 5.0f);
    QCOMPARE(file->load("f16").values()[0], 0.5f);
    QCOMPARE(file->load("f16").values()[1], -1.0f);
    const Tensor q8 = file->load("q8");
    const Tensor q4 = file->load("q4");
    QCOMPARE(q8.size(), std::int64_t{32});
    for (int j = 0; j < 32; ++j) {
        QCOMPARE(q8.values()[j], 0.5f * static_cast<float>(j - 16));
    }
    for (int j = 0; j < 16; ++j) {
        QCOMPARE(q4.values()[j], 2.0f * static_cast<float>(j - 8));
        QCOMPARE(q4.values()[j + 16], 2.0f * static_cast<float>(7 - j));
    }
}

void TestIoFormats::text_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<Shape>("shape");
    QTest::addColumn<QList<float>>("expected");
    QTest::newRow("csv with header") << QByteArray("w0,w1\n1.5,-2\n3e2,+4\n") << Shape{2, 2}
                                     << QList<float>{1.5f, -2.0f, 300.0f, 4.0f};
    QTest::newRow("whitespace column") << QByteArray("# weights\n 1\n\n2\r\n\t-3\n") << Shape{3}
                                       << QList<float>{1.0f, 2.0f, -3.0f};
    QTest::newRow("one row") << QByteArray("0.25 0.5 nan") << Shape{3}
                             << QList<float>{0.25f, 0.5f, std::numeric_limits<float>::quiet_NaN()};
}

void TestIoFormats::text()
{
    QFETCH(QByteArray, content);
    QFETCH(Shape, shape);
    QFETCH(QList<float>, expected);
    const auto file =
        openTensorFile(write(QTest::currentDataTag() + QString(".csv"), content.toStdString()));
    QCOMPARE(file->tensors().front().shape, shape);
    const Tensor tensor = file->load(file->tensors().front().name);
    QCOMPARE(tensor.size(), static_cast<std::int64_t>(expected.size()));
    for (qsizetype i = 0; i < expected.size(); ++i) {
        const float actual = tensor.values()[static_cast<std::size_t>(i)];
        QVERIFY(actual == expected[i] || (std::isnan(actual) && std::isnan(expected[i])));
    }
}

void TestIoFormats::sniffsByContent()
{
    // A safetensors file with a misleading extension is still read by its content.
    Bytes data;
    append(data, 42.0f);
    const auto file = openTensorFile(
        write("weights.bin",
              safetensors(R"({"x":{"dtype":"F32","shape":[],"data_offsets":[0,4]}})", data)));
    QCOMPARE(file->tensors().front().shape, Shape{});
    QCOMPARE(file->load("x").values()[0], 42.0f);
    QVERIFY_THROWS_EXCEPTION(UsageError, file->load("missing"));
}

QTEST_APPLESS_MAIN(TestIoFormats)
#include "tst_io_formats.moc"
