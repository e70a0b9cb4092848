#include "../support/test_files.h"
#include "quantscope/demo.h"
#include "quantscope/errors.h"
#include "quantscope/tensor_file.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

using namespace quantscope;
using quantscope::test::writeFile;

namespace {

// A little-endian .npy file (format 1.0) holding float16 values.
QByteArray float16Npy(const QByteArray& shape, const std::vector<std::uint16_t>& halves)
{
    QByteArray header = "{'descr': '<f2', 'fortran_order': False, 'shape': " + shape + ", }";
    while ((10 + header.size() + 1) % 64 != 0)
        header += ' ';
    header += '\n';
    QByteArray bytes("\x93NUMPY\x01\x00", 8);
    bytes += char(header.size() & 0xFF);
    bytes += char(header.size() >> 8);
    bytes += header;
    for (const std::uint16_t half : halves) {
        bytes += char(half & 0xFF);
        bytes += char(half >> 8);
    }
    return bytes;
}

template <typename Error, typename Action>
void expectError(const std::string& path, const std::string& fragment, Action action)
{
    try {
        action();
    } catch (const Error& e) {
        const std::string message = e.what();
        QVERIFY2(message.starts_with(path + ": "), e.what());
        QVERIFY2(message.find('\n') == std::string::npos, e.what());
        QVERIFY2(message.find(fragment) != std::string::npos, e.what());
        return;
    }
    QFAIL("the expected exception was not thrown");
}

// A file with a fixed list of tensors, to test pickTensor on its own.
class ListedFile : public TensorFile {
public:
    explicit ListedFile(const std::vector<std::string>& names)
    {
        for (const std::string& name : names)
            m_tensors.push_back({name, Shape{1}, "float32"});
    }
    const std::string& path() const override { return m_path; }
    const std::vector<TensorInfo>& tensors() const override { return m_tensors; }
    Tensor load(const std::string&) const override { return {}; }

private:
    std::string m_path = "model.bin";
    std::vector<TensorInfo> m_tensors;
};

} // namespace

class TestTensorFile : public QObject {
    Q_OBJECT

private slots:
    void opensDemo();
    void rejectsUnknownDemo();
    void opensNpyByExtension();
    void opensNpyByMagic();
    void rejectsUnreadableInput_data();
    void rejectsUnreadableInput();
    void reportsMissingFile();
    void picksNamedTensor();
    void picksOnlyTensor();
    void rejectsAmbiguousChoice();
    void rejectsUnknownName();
    void rejectsEmptyFile();

private:
    QTemporaryDir m_dir;
};

void TestTensorFile::opensDemo()
{
    const auto file = openTensorFile("demo:gaussian");
    QCOMPARE(file->path(), std::string("demo:gaussian"));
    QCOMPARE(file->tensors().size(), std::size_t(1));
    const TensorInfo& info = pickTensor(*file, "");
    QCOMPARE(info.name, std::string("gaussian"));
    QCOMPARE(info.dtype, std::string("float32"));

    const Tensor tensor = file->load("gaussian");
    const Tensor reference = makeDemoTensor("gaussian");
    QCOMPARE(tensor.shape(), info.shape);
    QCOMPARE(tensor.size(), elementCount(info.shape));
    QCOMPARE(tensor.size(), reference.size());
    QVERIFY(std::equal(tensor.values().begin(), tensor.values().end(), reference.values().begin()));
    expectError<UsageError>("demo:gaussian", "'laplace'", [&] { file->load("laplace"); });
}

void TestTensorFile::rejectsUnknownDemo()
{
    expectError<InputError>("demo:nonsense", "gaussian", [] { openTensorFile("demo:nonsense"); });
}

void TestTensorFile::opensNpyByExtension()
{
    const std::string path = writeFile(m_dir, "layer1.weight.npy",
                                       float16Npy("(2, 2)", {0x3C00, 0xC000, 0x0001, 0x7BFF}))
                                 .toStdString();
    const auto file = openTensorFile(path);
    QCOMPARE(file->path(), path);
    QCOMPARE(file->tensors().size(), std::size_t(1));
    const TensorInfo& info = file->tensors().front();
    QCOMPARE(info.name, std::string("layer1.weight"));
    QCOMPARE(info.dtype, std::string("float16"));
    QCOMPARE(info.shape, (Shape{2, 2}));

    const Tensor tensor = file->load(pickTensor(*file, "").name);
    QCOMPARE(tensor.name(), std::string("layer1.weight"));
    QCOMPARE(tensor.sourceDtype(), std::string("float16"));
    QCOMPARE(tensor.shape(), (Shape{2, 2}));
    const std::vector<float> expected = {1.0f, -2.0f, 0x1p-24f, 65504.0f};
    QVERIFY(std::equal(tensor.values().begin(), tensor.values().end(), expected.begin(),
                       expected.end()));
    expectError<UsageError>(path, "layer1.weight", [&] { file->load("bias"); });
}

void TestTensorFile::opensNpyByMagic()
{
    const std::string path =
        writeFile(m_dir, "saved-tensor", float16Npy("(3,)", {0x3C00, 0x3C00, 0x3C00}))
            .toStdString();
    const auto file = openTensorFile(path);
    QCOMPARE(file->tensors().front().name, std::string("saved-tensor"));
    QCOMPARE(file->load("saved-tensor").size(), 3);
}

void TestTensorFile::rejectsUnreadableInput_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("fragment");

    QTest::newRow("garbage") << "garbage.bin"
                             << QByteArray("\x7f\x00\xff\x10\x02\x03\x04\x05\x06\x07\x08\x09", 12)
                             << "unrecognised file format";
    QTest::newRow("empty") << "empty.bin" << QByteArray() << "unrecognised file format";
    QTest::newRow("npy name, no npy magic")
        << "fake.npy" << QByteArray("not numpy at all") << "bad magic";
    QTest::newRow("npy with truncated data")
        << "short.npy" << float16Npy("(4,)", {0x3C00}).chopped(1) << "needs 8 bytes";
}

void TestTensorFile::rejectsUnreadableInput()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, bytes);
    QFETCH(QString, fragment);

    const std::string path = writeFile(m_dir, name, bytes).toStdString();
    expectError<InputError>(path, fragment.toStdString(), [&] { openTensorFile(path); });
}

void TestTensorFile::reportsMissingFile()
{
    const std::string missing = m_dir.filePath("no-such-file.npy").toStdString();
    expectError<InputError>(missing, "cannot open", [&] { openTensorFile(missing); });
    const std::string directory = m_dir.path().toStdString();
    expectError<InputError>(directory, "cannot open", [&] { openTensorFile(directory); });
}

void TestTensorFile::picksNamedTensor()
{
    const ListedFile file({"embed", "layer.0.weight", "head"});
    const TensorInfo& info = pickTensor(file, "layer.0.weight");
    QCOMPARE(&info, &file.tensors()[1]);
}

void TestTensorFile::picksOnlyTensor()
{
    const ListedFile file({"only"});
    QCOMPARE(&pickTensor(file, ""), &file.tensors()[0]);
    QCOMPARE(&pickTensor(file, "only"), &file.tensors()[0]);
}

void TestTensorFile::rejectsAmbiguousChoice()
{
    const ListedFile file({"embed", "layer.0.weight", "head"});
    expectError<UsageError>("model.bin", "embed, layer.0.weight, head",
                            [&] { pickTensor(file, ""); });
}

void TestTensorFile::rejectsUnknownName()
{
    const ListedFile file({"embed", "head"});
    expectError<UsageError>("model.bin", "'layer.1'", [&] { pickTensor(file, "layer.1"); });
    expectError<UsageError>("model.bin", "embed, head", [&] { pickTensor(file, "layer.1"); });

    // Long lists are cut short but still say how many were left out.
    std::vector<std::string> many;
    for (int i = 0; i < 100; ++i)
        many.push_back("t" + std::to_string(i));
    const ListedFile large(many);
    expectError<UsageError>("model.bin", "and 80 more", [&] { pickTensor(large, ""); });
}

void TestTensorFile::rejectsEmptyFile()
{
    const ListedFile file({});
    expectError<InputError>("model.bin", "no tensors", [&] { pickTensor(file, ""); });
}

QTEST_APPLESS_MAIN(TestTensorFile)
#include "tst_tensor_file.moc"
