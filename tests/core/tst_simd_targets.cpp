#include "quantscope/simd_targets.h"

#include <QtTest>

#include <cstdint>

using namespace quantscope;

// Which CPUs are kept off AVX-512's compress-to-memory, by their CPUID vendor and leaf-1 EAX
// signatures (family, model and stepping as the processors report them).
class TestSimdTargets : public QObject {
    Q_OBJECT

private slots:
    void slowCompressStore_data();
    void slowCompressStore();
    void targetIsNamed();
};

void TestSimdTargets::slowCompressStore_data()
{
    QTest::addColumn<QString>("vendor");
    QTest::addColumn<quint32>("signature");
    QTest::addColumn<bool>("slow");
    // Zen 4: family 19h (base 0Fh + extended 0Ah).
    QTest::newRow("EPYC 9004 Genoa, 19h model 11h")
        << QStringLiteral("AuthenticAMD") << quint32(0x00A10F11) << true;
    QTest::newRow("Ryzen 7000 Raphael, 19h model 61h")
        << QStringLiteral("AuthenticAMD") << quint32(0x00A60F12) << true;
    // Zen 5: family 1Ah (extended 0Bh).
    QTest::newRow("EPYC 9005 Turin, 1Ah model 02h")
        << QStringLiteral("AuthenticAMD") << quint32(0x00B00F21) << false;
    QTest::newRow("Ryzen 9000 Granite Ridge, 1Ah model 44h")
        << QStringLiteral("AuthenticAMD") << quint32(0x00B40F40) << false;
    QTest::newRow("EPYC 7002 Rome, 17h")
        << QStringLiteral("AuthenticAMD") << quint32(0x00830F10) << false;
    QTest::newRow("Xeon Sapphire Rapids, family 6 model 8Fh")
        << QStringLiteral("GenuineIntel") << quint32(0x000806F8) << false;
    // The family number alone does not decide: it must be AMD's.
    QTest::newRow("another vendor, family 19h")
        << QStringLiteral("GenuineIntel") << quint32(0x00A10F11) << false;
    QTest::newRow("Hygon Dhyana, 18h")
        << QStringLiteral("HygonGenuine") << quint32(0x00900F01) << false;
}

void TestSimdTargets::slowCompressStore()
{
    QFETCH(QString, vendor);
    QFETCH(quint32, signature);
    QFETCH(bool, slow);
    QCOMPARE(slowAvx512CompressStore(vendor.toStdString(), signature), slow);
}

void TestSimdTargets::targetIsNamed()
{
    const std::string name = simdTargetName();
    QVERIFY2(!name.empty() && name != "Unknown", name.c_str());
}

QTEST_APPLESS_MAIN(TestSimdTargets)
#include "tst_simd_targets.moc"
