// Firmware facts from DHCP packets and the init's fetched report, and their words: every row
// of the architecture table, the chained-iPXE rule, reports old and new, and odd details.
#include "boot/firmwarefacts.h"

#include <QTest>

using namespace drover;

class TstFirmwareFacts : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fromDhcp_data()
    {
        QTest::addColumn<int>("arch"); // -1: no option 93
        QTest::addColumn<QString>("vendorClass");
        QTest::addColumn<bool>("ipxe");
        QTest::addColumn<bool>("chained");
        QTest::addColumn<QString>("expected"); // firmware/arch/protocol/loader
        QTest::newRow("BIOS PXE") << 0 << "PXEClient:Arch:00000:UNDI:002001" << false << false << "bios/x86/pxe/";
        QTest::newRow("old BIOS ROM, no option 93") << -1 << "PXEClient" << false << false << "bios/x86/pxe/";
        QTest::newRow("UEFI PXE (7)") << 7 << "PXEClient:Arch:00007:UNDI:003016" << false << false
                                      << "uefi/x86-64/pxe/";
        QTest::newRow("UEFI PXE (9)") << 9 << "PXEClient:Arch:00009" << false << false << "uefi/x86-64/pxe/";
        QTest::newRow("UEFI ia32") << 6 << "PXEClient:Arch:00006" << false << false << "uefi/x86/pxe/";
        QTest::newRow("UEFI HTTP Boot") << 16 << "HTTPClient:Arch:00016" << false << false << "uefi/x86-64/http/";
        QTest::newRow("ARM64 HTTP Boot") << 19 << "HTTPClient:Arch:00019" << false << false << "uefi/arm64/http/";
        QTest::newRow("ARM32 PXE") << 10 << "PXEClient:Arch:00010" << false << false << "uefi/arm32/pxe/";
        QTest::newRow("iPXE ROM (BIOS)") << 0 << "PXEClient:Arch:00000" << true << false << "bios/x86/ipxe/ipxe";
        QTest::newRow("iPXE chained by UEFI PXE") << 7 << "PXEClient:Arch:00007" << true << true << "uefi/x86-64//ipxe";
        QTest::newRow("unknown architecture") << 4242 << "PXEClient" << false << false << "//pxe/";
        QTest::newRow("not a boot client") << -1 << "udhcp 1.37.0" << false << false << "///";
    }
    void fromDhcp()
    {
        QFETCH(int, arch);
        QFETCH(QString, vendorClass);
        QFETCH(bool, ipxe);
        QFETCH(bool, chained);
        QFETCH(QString, expected);
        BootClient client;
        if (arch >= 0)
            client.arch = quint16(arch);
        client.vendorClass = vendorClass;
        client.ipxe = ipxe;
        const FirmwareFacts f = firmwareFromDhcp(client, chained);
        QCOMPARE(QStringList({ f.firmware, f.arch, f.protocol, f.loader }).join(QLatin1Char('/')), expected);
        QCOMPARE(f.secureBoot, QString()); // DHCP cannot tell
    }

    void fromReport_data()
    {
        QTest::addColumn<QString>("detail");
        QTest::addColumn<bool>("found");
        QTest::addColumn<QString>("firmware");
        QTest::addColumn<QString>("secureBoot");
        QTest::newRow("Secure Boot on")
            << "3 layers, 412 MiB in 9.1 s; firmware UEFI, Secure Boot on, lockdown integrity" << true << "uefi"
            << "on";
        QTest::newRow("Secure Boot off") << "3 layers; firmware UEFI, Secure Boot off" << true << "uefi" << "off";
        QTest::newRow("unknown") << "3 layers; firmware UEFI, Secure Boot unknown" << true << "uefi" << "";
        QTest::newRow("BIOS") << "3 layers; firmware BIOS" << true << "bios" << "off";
        QTest::newRow("root is the initramfs")
            << "manifest deb:1; the root is the initramfs; firmware UEFI, Secure Boot on" << true << "uefi" << "on";
        QTest::newRow("older init") << "3 layers, 412 MiB in 9.1 s" << false << "" << "";
        QTest::newRow("not at a boundary") << "3 layers; nofirmware UEFI, Secure Boot on" << false << "" << "";
        QTest::newRow("made-up firmware") << "3 layers; firmware coreboot" << false << "" << "";
        QTest::newRow("empty") << "" << false << "" << "";
    }
    void fromReport()
    {
        QFETCH(QString, detail);
        QFETCH(bool, found);
        QFETCH(QString, firmware);
        QFETCH(QString, secureBoot);
        const auto facts = firmwareFromReport(detail);
        QCOMPARE(facts.has_value(), found);
        if (!facts)
            return;
        QCOMPARE(facts->firmware, firmware);
        QCOMPARE(facts->secureBoot, secureBoot);
        QCOMPARE(facts->protocol, QString());
    }

    void words_data()
    {
        QTest::addColumn<QString>("facts"); // firmware/arch/secureBoot/protocol/loader
        QTest::addColumn<QString>("firmware");
        QTest::addColumn<QString>("secureBoot");
        QTest::addColumn<QString>("path");
        QTest::newRow("Secure Boot chain") << "uefi/x86-64/on/pxe/grub" << "UEFI x86-64" << "Secure Boot on"
                                           << "PXE → shim → GRUB";
        QTest::newRow("UEFI iPXE") << "uefi/x86-64/off/pxe/ipxe" << "UEFI x86-64" << "Secure Boot off"
                                   << "PXE → iPXE";
        QTest::newRow("HTTP Boot") << "uefi/x86-64//http/ipxe" << "UEFI x86-64" << "" << "HTTP Boot → iPXE";
        QTest::newRow("iPXE ROM") << "bios/x86/off/ipxe/ipxe" << "BIOS x86" << "" << "iPXE";
        QTest::newRow("nothing known") << "////" << "" << "" << "";
    }
    void words()
    {
        QFETCH(QString, facts);
        QFETCH(QString, firmware);
        QFETCH(QString, secureBoot);
        QFETCH(QString, path);
        const QStringList parts = facts.split(QLatin1Char('/'));
        const FirmwareFacts f { parts[0], parts[1], parts[2], parts[3], parts[4] };
        QCOMPARE(describeFirmware(f), firmware);
        QCOMPARE(describeSecureBoot(f), secureBoot);
        QCOMPARE(describeBootPath(f), path);
        QStringList all { firmware, secureBoot, path };
        all.removeAll(QString());
        QCOMPARE(describeFirmwareFacts(f), all.join(QStringLiteral(", ")));
    }

    void change()
    {
        const FirmwareFacts stored { QStringLiteral("uefi"), QStringLiteral("x86-64"), QStringLiteral("on"),
            QStringLiteral("pxe"), QStringLiteral("grub") };
        QVERIFY(!firmwareFactsChange(stored, stored));
        QVERIFY(!firmwareFactsChange(stored, FirmwareFacts {})); // empty fields keep what is stored
        FirmwareFacts loader;
        loader.loader = QStringLiteral("grub");
        QVERIFY(!firmwareFactsChange(stored, loader));
        loader.loader = QStringLiteral("ipxe");
        QVERIFY(firmwareFactsChange(stored, loader));
        FirmwareFacts off;
        off.secureBoot = QStringLiteral("off");
        QVERIFY(firmwareFactsChange(stored, off));
        QVERIFY(firmwareFactsChange(FirmwareFacts {}, stored));
    }
};

QTEST_GUILESS_MAIN(TstFirmwareFacts)
#include "tst_firmwarefacts.moc"
