#include "../support/test_files.h"
#include "quantscope/errors.h"
#include "quantscope/npy.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

using namespace quantscope;
using quantscope::test::writeFile;

namespace {

// Numbers read from a file must equal the reference bit for bit (NaN only needs to be NaN).
bool sameFloat(float actual, float expected)
{
    if (std::isnan(expected))
        return std::isnan(actual);
    return std::bit_cast<std::uint32_t>(actual) == std::bit_cast<std::uint32_t>(expected);
}

void compareValues(std::span<const float> actual, const QList<float>& expected)
{
    QCOMPARE(qsizetype(actual.size()), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i) {
        QVERIFY2(sameFloat(actual[std::size_t(i)], expected[i]),
                 qPrintable(QStringLiteral("element %1: got %2, expected %3")
                                .arg(i)
                                .arg(double(actual[std::size_t(i)]), 0, 'g', 9)
                                .arg(double(expected[i]), 0, 'g', 9)));
    }
}

// A .npy file as the spec lays it out: magic, version, little-endian header length (2 bytes
// for version 1, 4 for 2 and 3), the header padded with spaces and ended by '\n' so that the
// data starts at a multiple of 64, then the data.
QByteArray npyBytes(const QByteArray& header, const QByteArray& data, int major = 1)
{
    const int prefix = major == 1 ? 10 : 12;
    QByteArray padded = header;
    while ((prefix + padded.size() + 1) % 64 != 0)
        padded += ' ';
    padded += '\n';
    QByteArray bytes("\x93NUMPY", 6);
    bytes += char(major);
    bytes += char(0);
    for (int i = 0; i < prefix - 8; ++i)
        bytes += char((padded.size() >> (8 * i)) & 0xFF);
    return bytes + padded + data;
}

QByteArray headerFor(const QByteArray& descr, const QByteArray& shape, bool fortran = false)
{
    return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
           ", 'shape': " + shape + ", }";
}

template <typename T> QByteArray encode(const std::vector<T>& values, bool bigEndian)
{
    QByteArray bytes;
    for (const T value : values) {
        auto raw = std::bit_cast<std::array<char, sizeof(T)>>(value);
        if ((std::endian::native == std::endian::big) != bigEndian)
            std::reverse(raw.begin(), raw.end());
        bytes.append(raw.data(), sizeof(T));
    }
    return bytes;
}

QByteArray shapeOf(std::size_t count)
{
    return "(" + QByteArray::number(qulonglong(count)) + ",)";
}

// One row per byte order; the reference is the plain C++ conversion of each value.
template <typename T>
void addTypedRows(const char* code, const char* dtype, const std::vector<T>& values)
{
    QList<float> expected;
    for (const T value : values)
        expected << static_cast<float>(value);
    const QByteArray shape = shapeOf(values.size());
    if (sizeof(T) == 1) {
        QTest::newRow(QByteArray("|") + code)
            << headerFor(QByteArray("|") + code, shape) << encode(values, false) << expected
            << QString(dtype);
        return;
    }
    QTest::newRow(QByteArray("<") + code) << headerFor(QByteArray("<") + code, shape)
                                          << encode(values, false) << expected << QString(dtype);
    QTest::newRow(QByteArray(">") + code) << headerFor(QByteArray(">") + code, shape)
                                          << encode(values, true) << expected << QString(dtype);
}

QStringList entriesOf(const QString& dir)
{
    return QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System |
                               QDir::NoDotAndDotDot);
}

// Expects `action` to throw InputError: one line, starting with the path, mentioning `fragment`.
template <typename Action>
void expectInputError(const std::string& path, const QByteArray& fragment, Action action)
{
    try {
        action();
    } catch (const InputError& e) {
        const std::string message = e.what();
        QVERIFY2(message.starts_with(path + ": "), e.what());
        QVERIFY2(message.find('\n') == std::string::npos, e.what());
        QVERIFY2(message.find(fragment.toStdString()) != std::string::npos, e.what());
        return;
    }
    QFAIL("no InputError thrown");
}

} // namespace

class TestNpy : public QObject {
    Q_OBJECT

private slots:
    void readsEveryDtype_data();
    void readsEveryDtype();
    void convertsEveryFloat16Exactly();
    void parsesHeaderVariants_data();
    void parsesHeaderVariants();
    void readsVersions2And3_data();
    void readsVersions2And3();
    void convertsFortranOrder_data();
    void convertsFortranOrder();
    void readsScalarAndEmpty_data();
    void readsScalarAndEmpty();
    void readsUnalignedData();
    void tensorOutlivesReplacedFile();
    void rejectsMalformedFiles_data();
    void rejectsMalformedFiles();
    void roundTripsFloat32_data();
    void roundTripsFloat32();
    void roundTripsInt32();
    void writesSpecLayout_data();
    void writesSpecLayout();
    void writeIntoMissingDirectoryLeavesNothing();
    void writeOverDirectoryLeavesNoTemporary();
    void writeWithWrongCountLeavesNothing();
    void writeReplacesExistingFile();

private:
    QTemporaryDir m_dir;
};

void TestNpy::readsEveryDtype_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QList<float>>("expected");
    QTest::addColumn<QString>("dtype");

    constexpr float inf = std::numeric_limits<float>::infinity();
    constexpr float nan = std::numeric_limits<float>::quiet_NaN();
    // Hand-decoded float16 patterns: 1, -2, largest finite, smallest subnormal 2^-24, largest
    // subnormal 1023·2^-24, smallest normal 2^-14, ±inf, -0, NaN, nearest half to 1/3.
    const std::vector<std::uint16_t> halves = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x0400,
                                               0x7C00, 0xFC00, 0x8000, 0x7E00, 0x3555};
    const QList<float> halfValues = {1.0f, -2.0f, 65504.0f, 0x1p-24f, 1023 * 0x1p-24f, 0x1p-14f,
                                     inf,  -inf,  -0.0f,    nan,      0.333251953125f};
    const QByteArray halfShape = shapeOf(halves.size());
    QTest::newRow("<f2") << headerFor("<f2", halfShape) << encode(halves, false) << halfValues
                         << "float16";
    QTest::newRow(">f2") << headerFor(">f2", halfShape) << encode(halves, true) << halfValues
                         << "float16";

    addTypedRows<float>(
        "f4", "float32",
        {1.5f, -0.1f, 3.4e38f, std::numeric_limits<float>::denorm_min(), inf, -inf, nan, -0.0f});
    // float64 values that round, overflow to inf and underflow to zero in float32.
    addTypedRows<double>("f8", "float64", {0.1, -2.5, 1e300, -1e300, 1e-320, 3.0000001, nan});
    addTypedRows<std::int8_t>("i1", "int8", {-128, 127, 0, -1});
    addTypedRows<std::int16_t>("i2", "int16", {-32768, 32767, 1234, -1});
    addTypedRows<std::int32_t>("i4", "int32",
                               {std::numeric_limits<std::int32_t>::min(),
                                std::numeric_limits<std::int32_t>::max(), -7, 16777217});
    addTypedRows<std::int64_t>("i8", "int64",
                               {std::numeric_limits<std::int64_t>::min(),
                                std::numeric_limits<std::int64_t>::max(), -3,
                                (std::int64_t{1} << 53) + 1});
    addTypedRows<std::uint8_t>("u1", "uint8", {0, 255, 128, 7});
    addTypedRows<std::uint16_t>("u2", "uint16", {65535, 1, 0x1234});
    addTypedRows<std::uint32_t>("u4", "uint32", {0xFFFFFFFFu, 0x12345678u, 0});
    addTypedRows<std::uint64_t>("u8", "uint64", {~std::uint64_t{0}, 42, 0});

    QTest::newRow("|b1") << headerFor("|b1", "(5,)") << QByteArray("\x00\x01\x01\x00\x01", 5)
                         << QList<float>{0, 1, 1, 0, 1} << "bool";
    // '=' is the writer's native order, taken to be ours.
    const bool nativeBig = std::endian::native == std::endian::big;
    QTest::newRow("=i2") << headerFor("=i2", "(2,)")
                         << encode(std::vector<std::int16_t>{-300, 300}, nativeBig)
                         << QList<float>{-300, 300} << "int16";
    QTest::newRow("=f8") << headerFor("=f8", "(1,)") << encode(std::vector<double>{0.5}, nativeBig)
                         << QList<float>{0.5f} << "float64";
}

void TestNpy::readsEveryDtype()
{
    QFETCH(QByteArray, header);
    QFETCH(QByteArray, data);
    QFETCH(QList<float>, expected);
    QFETCH(QString, dtype);

    const std::string path = writeFile(m_dir, "values.npy", npyBytes(header, data)).toStdString();
    const Tensor tensor = readNpy(path);
    QCOMPARE(tensor.name(), std::string("values"));
    QCOMPARE(tensor.sourceDtype(), dtype.toStdString());
    QCOMPARE(tensor.shape(), Shape{expected.size()});
    compareValues(tensor.values(), expected);

    const NpyHeader onlyHeader = readNpyHeader(path);
    QCOMPARE(onlyHeader.dtype, dtype.toStdString());
    QCOMPARE(onlyHeader.shape, Shape{expected.size()});
}

void TestNpy::convertsEveryFloat16Exactly()
{
    // Second implementation of binary16 straight from its definition, evaluated in double.
    std::vector<std::uint16_t> halves(65536);
    QList<float> expected;
    for (std::uint32_t bits = 0; bits < 65536; ++bits) {
        halves[bits] = static_cast<std::uint16_t>(bits);
        const double sign = (bits & 0x8000) ? -1.0 : 1.0;
        const int exponent = int((bits >> 10) & 0x1F);
        const int mantissa = int(bits & 0x3FF);
        double value;
        if (exponent == 31)
            value = mantissa == 0 ? HUGE_VAL : std::nan("");
        else if (exponent == 0)
            value = std::ldexp(mantissa, -24);
        else
            value = std::ldexp(1024 + mantissa, exponent - 25);
        expected << float(sign * value);
    }
    const std::string path =
        writeFile(m_dir, "halves.npy",
                  npyBytes(headerFor("<f2", "(65536,)"), encode(halves, false)))
            .toStdString();
    compareValues(readNpy(path).values(), expected);
}

void TestNpy::parsesHeaderVariants_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<Shape>("shape");

    QTest::newRow("numpy") << QByteArray(
                                  "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }")
                           << Shape{2};
    QTest::newRow("keys reordered")
        << QByteArray("{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}") << Shape{2};
    QTest::newRow("whitespace")
        << QByteArray("{ 'descr' :'<f4' ,\n\t'fortran_order':False,'shape':( 2 , ) "
                      "}")
        << Shape{2};
    QTest::newRow("double quotes")
        << QByteArray("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (1, 2)}")
        << Shape{1, 2};
    QTest::newRow("python2 long") << QByteArray(
                                         "{'descr': '<f4', 'fortran_order': False, 'shape': (1L, "
                                         "2L), }")
                                  << Shape{1, 2};
    QTest::newRow("list shape") << QByteArray(
                                       "{'descr': '<f4', 'fortran_order': False, 'shape': [2]}")
                                << Shape{2};
    QTest::newRow("trailing comma in tuple")
        << QByteArray("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1,),}") << Shape{2, 1};
    QTest::newRow("extra key")
        << QByteArray("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': [None, (1,)]}")
        << Shape{2};
}

void TestNpy::parsesHeaderVariants()
{
    QFETCH(QByteArray, header);
    QFETCH(Shape, shape);

    const std::string path =
        writeFile(m_dir, "header.npy",
                  npyBytes(header, encode(std::vector<float>{0.25f, -4.0f}, false)))
            .toStdString();
    const Tensor tensor = readNpy(path);
    QCOMPARE(tensor.shape(), shape);
    compareValues(tensor.values(), {0.25f, -4.0f});
}

void TestNpy::readsVersions2And3_data()
{
    QTest::addColumn<int>("major");
    QTest::addColumn<QByteArray>("header");

    QTest::newRow("2.0") << 2 << headerFor("<f4", "(3,)");
    // Version 3 headers are UTF-8; non-ASCII text may appear in strings.
    QTest::newRow("3.0") << 3
                         << QByteArray("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), "
                                       "'note': '\xc3\xa9t\xc3\xa9', }");
}

void TestNpy::readsVersions2And3()
{
    QFETCH(int, major);
    QFETCH(QByteArray, header);

    const std::string path =
        writeFile(m_dir, "versioned.npy",
                  npyBytes(header, encode(std::vector<float>{1.0f, 2.0f, -3.0f}, false), major))
            .toStdString();
    const Tensor tensor = readNpy(path);
    QCOMPARE(tensor.shape(), Shape{3});
    compareValues(tensor.values(), {1.0f, 2.0f, -3.0f});
}

void TestNpy::convertsFortranOrder_data()
{
    QTest::addColumn<QByteArray>("descr");
    QTest::addColumn<Shape>("shape");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QList<float>>("expected");

    // [[1 2 3] [4 5 6]] stored column by column.
    QTest::newRow("2x3 f4") << QByteArray("<f4") << Shape{2, 3}
                            << encode(std::vector<float>{1, 4, 2, 5, 3, 6}, false)
                            << QList<float>{1, 2, 3, 4, 5, 6};
    QTest::newRow("2x3 >i2") << QByteArray(">i2") << Shape{2, 3}
                             << encode(std::vector<std::int16_t>{1, 4, 2, 5, 3, 6}, true)
                             << QList<float>{1, 2, 3, 4, 5, 6};

    // a[i][j][k] = 100i + 10j + k: file order has i fastest, expected order k fastest.
    std::vector<float> fortran;
    for (int k = 0; k < 4; ++k)
        for (int j = 0; j < 3; ++j)
            for (int i = 0; i < 2; ++i)
                fortran.push_back(float(100 * i + 10 * j + k));
    QList<float> c;
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 3; ++j)
            for (int k = 0; k < 4; ++k)
                c << float(100 * i + 10 * j + k);
    QTest::newRow("2x3x4") << QByteArray("<f4") << Shape{2, 3, 4} << encode(fortran, false) << c;
    QTest::newRow("1-D") << QByteArray("<f4") << Shape{3}
                         << encode(std::vector<float>{7, 8, 9}, false) << QList<float>{7, 8, 9};
    QTest::newRow("scalar") << QByteArray("<f4") << Shape{} << encode(std::vector<float>{5}, false)
                            << QList<float>{5};
    QTest::newRow("2x0x3") << QByteArray("<f4") << Shape{2, 0, 3} << QByteArray() << QList<float>{};
}

void TestNpy::convertsFortranOrder()
{
    QFETCH(QByteArray, descr);
    QFETCH(Shape, shape);
    QFETCH(QByteArray, data);
    QFETCH(QList<float>, expected);

    QByteArray shapeText = "(";
    for (const std::int64_t dim : shape)
        shapeText += QByteArray::number(qlonglong(dim)) + ",";
    shapeText += ")";
    const std::string path =
        writeFile(m_dir, "fortran.npy", npyBytes(headerFor(descr, shapeText, true), data))
            .toStdString();
    const Tensor tensor = readNpy(path);
    QCOMPARE(tensor.shape(), shape);
    compareValues(tensor.values(), expected);
}

void TestNpy::readsScalarAndEmpty_data()
{
    QTest::addColumn<QByteArray>("shapeText");
    QTest::addColumn<Shape>("shape");
    QTest::addColumn<QList<float>>("values");

    QTest::newRow("scalar") << QByteArray("()") << Shape{} << QList<float>{42.5f};
    QTest::newRow("(0,)") << QByteArray("(0,)") << Shape{0} << QList<float>{};
    QTest::newRow("(3, 0)") << QByteArray("(3, 0)") << Shape{3, 0} << QList<float>{};
}

void TestNpy::readsScalarAndEmpty()
{
    QFETCH(QByteArray, shapeText);
    QFETCH(Shape, shape);
    QFETCH(QList<float>, values);

    const std::vector<float> data(values.begin(), values.end());
    const std::string path =
        writeFile(m_dir, "small.npy", npyBytes(headerFor("<f4", shapeText), encode(data, false)))
            .toStdString();
    const Tensor tensor = readNpy(path);
    QCOMPARE(tensor.shape(), shape);
    QCOMPARE(tensor.size(), values.size());
    compareValues(tensor.values(), values);
    QCOMPARE(readNpyHeader(path).shape, shape);
}

void TestNpy::readsUnalignedData()
{
    // Writers need not align the data: here it starts at an odd offset (10 + 51 bytes).
    QByteArray header = headerFor("<f4", "(3,)");
    header += QByteArray(51 - 1 - header.size(), ' ') + '\n';
    QByteArray bytes("\x93NUMPY\x01\x00", 8);
    bytes += char(header.size());
    bytes += char(0);
    bytes += header + encode(std::vector<float>{1.25f, -3.0f, 1e-40f}, false);
    const std::string path = writeFile(m_dir, "unaligned.npy", bytes).toStdString();
    compareValues(readNpy(path).values(), {1.25f, -3.0f, 1e-40f});
}

void TestNpy::tensorOutlivesReplacedFile()
{
    // A loaded tensor keeps its values when its file is replaced, e.g. by an export written
    // over the input.
    const std::string path = m_dir.filePath("replaced.npy").toStdString();
    writeNpy(path, Shape{3}, std::vector<float>{1, 2, 3});
    const Tensor before = readNpy(path);
    writeNpy(path, Shape{2}, std::vector<float>{-7, -8});
    compareValues(before.values(), {1, 2, 3});
    compareValues(readNpy(path).values(), {-7, -8});
}

void TestNpy::rejectsMalformedFiles_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("fragment");

    const QByteArray good = headerFor("<f4", "(2,)");
    const QByteArray twoFloats = encode(std::vector<float>{1, 2}, false);
    QByteArray badMagic = npyBytes(good, twoFloats);
    badMagic[5] = 'X';
    QTest::newRow("bad magic") << badMagic << QByteArray("bad magic");
    QTest::newRow("text file") << QByteArray("hello, definitely not numpy\n")
                               << QByteArray("bad magic");
    QTest::newRow("empty file") << QByteArray() << QByteArray("empty");
    QTest::newRow("cut in magic") << QByteArray("\x93NUM") << QByteArray("truncated");
    QTest::newRow("cut in length")
        << QByteArray("\x93NUMPY\x02\x00\x10\x00", 10) << QByteArray("truncated");

    QByteArray version4 = npyBytes(good, twoFloats);
    version4[6] = 4;
    QTest::newRow("version 4.0") << version4 << QByteArray("version 4.0");
    QByteArray version11 = npyBytes(good, twoFloats);
    version11[7] = 1;
    QTest::newRow("version 1.1") << version11 << QByteArray("version 1.1");

    QByteArray longHeader = npyBytes(good, twoFloats);
    longHeader[8] = char(0xE8); // says 1000 bytes
    longHeader[9] = char(0x03);
    QTest::newRow("header longer than file") << longHeader << QByteArray("header truncated");

    QTest::newRow("header not a dict")
        << npyBytes("[1, 2, 3]", twoFloats) << QByteArray("not a dict");
    QTest::newRow("missing comma")
        << npyBytes("{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}", twoFloats)
        << QByteArray("malformed header");
    QTest::newRow("unterminated string")
        << npyBytes("{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}", twoFloats)
        << QByteArray("malformed header");
    QTest::newRow("unclosed dict") << npyBytes("{'descr': '<f4', 'fortran_order': False", twoFloats)
                                   << QByteArray("malformed header");
    QTest::newRow("nesting") << npyBytes("{'shape': " + QByteArray(5000, '('), twoFloats)
                             << QByteArray("nesting");
    QTest::newRow("no shape") << npyBytes("{'descr': '<f4', 'fortran_order': False}", twoFloats)
                              << QByteArray("'shape'");
    QTest::newRow("no descr") << npyBytes("{'fortran_order': False, 'shape': (2,)}", twoFloats)
                              << QByteArray("'descr'");
    QTest::newRow("no fortran_order")
        << npyBytes("{'descr': '<f4', 'shape': (2,)}", twoFloats) << QByteArray("'fortran_order'");
    QTest::newRow("fortran_order not bool")
        << npyBytes("{'descr': '<f4', 'fortran_order': 'no', 'shape': (2,)}", twoFloats)
        << QByteArray("fortran_order");
    QTest::newRow("shape not a tuple")
        << npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': 2}", twoFloats)
        << QByteArray("'shape'");
    QTest::newRow("complex dtype")
        << npyBytes(headerFor("<c8", "(2,)"), twoFloats) << QByteArray("unsupported dtype '<c8'");
    QTest::newRow("object dtype") << npyBytes(headerFor("|O", "(2,)"), twoFloats)
                                  << QByteArray("unsupported dtype '|O'");
    QTest::newRow("structured dtype")
        << npyBytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}", twoFloats)
        << QByteArray("structured");
    QTest::newRow("negative dimension")
        << npyBytes(headerFor("<f4", "(-1,)"), twoFloats) << QByteArray("non-negative");
    QTest::newRow("fractional dimension")
        << npyBytes(headerFor("<f4", "(2.5,)"), twoFloats) << QByteArray("malformed header");
    QTest::newRow("dimension beyond int64")
        << npyBytes(headerFor("<f4", "(99999999999999999999,)"), twoFloats)
        << QByteArray("too large");
    QTest::newRow("element count overflows")
        << npyBytes(headerFor("<f4", "(1099511627776, 1099511627776)"), twoFloats)
        << QByteArray("1099511627776");
    QTest::newRow("byte count overflows")
        << npyBytes(headerFor("<f8", "(4611686018427387904,)"), twoFloats)
        << QByteArray("too large");
    QTest::newRow("lying header") << npyBytes(headerFor("<f4", "(10,)"), twoFloats)
                                  << QByteArray("needs 40 bytes, file has 8");
    QTest::newRow("truncated data") << npyBytes(headerFor("<f8", "(2, 3)"), QByteArray(47, '\0'))
                                    << QByteArray("needs 48 bytes, file has 47");
}

void TestNpy::rejectsMalformedFiles()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, fragment);

    const std::string path = writeFile(m_dir, "bad.npy", bytes).toStdString();
    expectInputError(path, fragment, [&] { readNpy(path); });
    expectInputError(path, fragment, [&] { readNpyHeader(path); });
}

void TestNpy::roundTripsFloat32_data()
{
    QTest::addColumn<Shape>("shape");

    QTest::newRow("scalar") << Shape{};
    QTest::newRow("empty") << Shape{0};
    QTest::newRow("empty 2x0x3") << Shape{2, 0, 3};
    QTest::newRow("7") << Shape{7};
    QTest::newRow("3x5") << Shape{3, 5};
    QTest::newRow("1x1x1x1") << Shape{1, 1, 1, 1};
    QTest::newRow("2x3x4") << Shape{2, 3, 4};
    QTest::newRow("1x1000") << Shape{1, 1000};
}

void TestNpy::roundTripsFloat32()
{
    QFETCH(Shape, shape);

    const std::int64_t count = elementCount(shape);
    const std::vector<float> special = {
        std::numeric_limits<float>::quiet_NaN(),  std::numeric_limits<float>::infinity(),
        -std::numeric_limits<float>::infinity(),  -0.0f,
        std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::max(),
        std::numeric_limits<float>::lowest()};
    std::vector<float> values;
    for (std::int64_t i = 0; i < count; ++i)
        values.push_back(std::size_t(i) < special.size() ? special[std::size_t(i)]
                                                         : float(i) * 0.37f - 1.0f);

    const std::string path = m_dir.filePath("roundtrip.npy").toStdString();
    writeNpy(path, shape, std::span<const float>(values));
    const Tensor tensor = readNpy(path);
    QCOMPARE(tensor.shape(), shape);
    QCOMPARE(tensor.sourceDtype(), std::string("float32"));
    compareValues(tensor.values(), QList<float>(values.begin(), values.end()));
}

void TestNpy::roundTripsInt32()
{
    const std::vector<std::int32_t> values = {std::numeric_limits<std::int32_t>::min(),
                                              std::numeric_limits<std::int32_t>::max(),
                                              -1,
                                              0,
                                              12345,
                                              16777217};
    const std::string path = m_dir.filePath("codes.npy").toStdString();
    writeNpy(path, Shape{2, 3}, std::span<const std::int32_t>(values));

    const NpyHeader header = readNpyHeader(path);
    QCOMPARE(header.dtype, std::string("int32"));
    QCOMPARE(header.shape, (Shape{2, 3}));
    const Tensor tensor = readNpy(path);
    QList<float> expected;
    for (const std::int32_t value : values)
        expected << static_cast<float>(value);
    compareValues(tensor.values(), expected);

    // The exact integers are in the file, not only their float images.
    QFile file(QString::fromStdString(path));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll().right(24), encode(values, false));

    writeNpy(path, Shape{}, std::span<const std::int32_t>(values).first(1));
    QCOMPARE(readNpyHeader(path).shape, Shape{});
    writeNpy(path, Shape{0, 4}, std::span<const std::int32_t>());
    QCOMPARE(readNpy(path).size(), 0);
}

void TestNpy::writesSpecLayout_data()
{
    QTest::addColumn<Shape>("shape");
    QTest::addColumn<QByteArray>("shapeText");

    QTest::newRow("scalar") << Shape{} << QByteArray("()");
    QTest::newRow("1-D") << Shape{4} << QByteArray("(4,)");
    QTest::newRow("2-D") << Shape{2, 2} << QByteArray("(2, 2)");
}

void TestNpy::writesSpecLayout()
{
    QFETCH(Shape, shape);
    QFETCH(QByteArray, shapeText);

    const std::vector<float> values(std::size_t(elementCount(shape)), 1.0f);
    const QString path = m_dir.filePath("layout.npy");
    writeNpy(path.toStdString(), shape, std::span<const float>(values));

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY(bytes.startsWith(QByteArray("\x93NUMPY\x01\x00", 8)));
    const int headerLength = quint8(bytes[8]) | (quint8(bytes[9]) << 8);
    QCOMPARE((10 + headerLength) % 64, 0);
    QCOMPARE(bytes.size(), 10 + headerLength + qsizetype(values.size() * sizeof(float)));
    const QByteArray header = bytes.mid(10, headerLength);
    QVERIFY(header.endsWith('\n'));
    QCOMPARE(header.trimmed(), headerFor("<f4", shapeText));
}

void TestNpy::writeIntoMissingDirectoryLeavesNothing()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("missing/out.npy").toStdString();
    const std::vector<float> values = {1, 2, 3};
    expectInputError(path, "cannot write", [&] { writeNpy(path, Shape{3}, values); });
    QVERIFY(entriesOf(dir.path()).isEmpty());
}

void TestNpy::writeOverDirectoryLeavesNoTemporary()
{
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkdir("taken.npy"));
    const std::string path = dir.filePath("taken.npy").toStdString();
    const std::vector<float> values = {1, 2, 3};
    expectInputError(path, "cannot write", [&] { writeNpy(path, Shape{3}, values); });
    QCOMPARE(entriesOf(dir.path()), QStringList{"taken.npy"});
    QVERIFY(QFileInfo(dir.filePath("taken.npy")).isDir());
}

void TestNpy::writeWithWrongCountLeavesNothing()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("out.npy").toStdString();
    const std::vector<float> values = {1, 2, 3, 4, 5};
    expectInputError(path, "5 values", [&] { writeNpy(path, Shape{2, 3}, values); });
    expectInputError(path, "negative", [&] { writeNpy(path, Shape{-5}, values); });
    QVERIFY(entriesOf(dir.path()).isEmpty());
}

void TestNpy::writeReplacesExistingFile()
{
    QTemporaryDir dir;
    const QString path = writeFile(dir, "out.npy", "old contents that are not a tensor");
    const std::vector<float> values = {0.5f, -1.5f};
    writeNpy(path.toStdString(), Shape{2}, values);
    QCOMPARE(entriesOf(dir.path()), QStringList{"out.npy"});
    compareValues(readNpy(path.toStdString()).values(), {0.5f, -1.5f});
}

QTEST_APPLESS_MAIN(TestNpy)
#include "tst_npy.moc"
