// The DHCP codec on packets shaped like those real clients send (OVMF's PXE, iPXE, UEFI HTTP
// Boot, busybox udhcpc) and on broken ones (truncated, options running past the end, bad
// overload), with parse → encode → parse round trips; and the boot file table.
#include "boot/dhcp/bootfile.h"
#include "boot/dhcp/dhcppacket.h"

#include <QTest>

using namespace drover;

namespace {

const QByteArray kMac = QByteArray::fromHex("525400123456");
const QByteArray kUuid = QByteArray::fromHex("8a2f3e1c4b5d4e6f8091a2b3c4d5e6f7");

QByteArray opt(quint8 code, const QByteArray &value)
{
    return QByteArray(1, char(code)) + QByteArray(1, char(value.size())) + value;
}

// The fixed BOOTP part of a client request, then the magic cookie.
QByteArray header(quint8 op = 1, quint8 hlen = 6, const QByteArray &file = {}, const QByteArray &sname = {})
{
    QByteArray h(236, '\0');
    h[0] = char(op);
    h[1] = 1;
    h[2] = char(hlen);
    h.replace(4, 4, QByteArray::fromHex("1a2b3c4d")); // xid
    h[8] = 0;
    h[9] = 4; // secs
    h[10] = char(0x80); // broadcast flag
    h.replace(28, 6, kMac);
    h.replace(44, sname.size(), sname);
    h.replace(108, file.size(), file);
    return h + QByteArray::fromHex("63825363");
}

QByteArray discoverType()
{
    return opt(53, QByteArray(1, 1));
}

// What OVMF's PXE client sends (x86-64 UEFI): option order and values as seen on the wire.
QByteArray ovmfDiscover()
{
    return header() + discoverType() + opt(57, QByteArray::fromHex("05c0"))
        + opt(55, QByteArray::fromHex("0102030405060c0d0f111216171c28292a2b3233363a3b3c424361808182838485868788"))
        + opt(97, QByteArray(1, '\0') + kUuid) + opt(94, QByteArray::fromHex("010300"))
        + opt(93, QByteArray::fromHex("0007")) + opt(60, "PXEClient:Arch:00007:UNDI:003000") + QByteArray(1, '\xff');
}

// iPXE (BIOS build) asking again after being chainloaded: user class "iPXE", its option 175.
QByteArray ipxeDiscover()
{
    return header() + discoverType() + opt(57, QByteArray::fromHex("05dc")) + opt(93, QByteArray::fromHex("0000"))
        + opt(94, QByteArray::fromHex("010201")) + opt(60, "PXEClient:Arch:00000:UNDI:002001") + opt(77, "iPXE")
        + opt(55, QByteArray::fromHex("0103060c0f111a1c2a2b3c4243778081828384858687afcbd1"))
        + opt(175, QByteArray::fromHex("b105012ec8601c1301011501011201011001021102ffff2101011a01011901012701011e0101"))
        + opt(61, QByteArray(1, '\1') + kMac) + opt(97, QByteArray(1, '\0') + kUuid) + QByteArray(1, '\xff');
}

QByteArray httpBootDiscover()
{
    return header() + discoverType() + opt(93, QByteArray::fromHex("0010")) + opt(94, QByteArray::fromHex("010301"))
        + opt(60, "HTTPClient:Arch:00016:UNDI:003001") + opt(97, QByteArray(1, '\0') + kUuid) + QByteArray(1, '\xff');
}

QByteArray udhcpcDiscover()
{
    return header() + discoverType() + opt(61, QByteArray(1, '\1') + kMac) + opt(57, QByteArray::fromHex("0240"))
        + opt(55, QByteArray::fromHex("0103060c0f1c2a")) + opt(60, "udhcp 1.37.0") + QByteArray(1, '\xff');
}

} // namespace

class TstDhcpPacket : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parseValid_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("arch"); // -1: none
        QTest::addColumn<QString>("vendorClass");
        QTest::addColumn<bool>("ipxe");
        QTest::addColumn<QString>("uuid");

        const QString uuid = QStringLiteral("8a2f3e1c-4b5d-4e6f-8091-a2b3c4d5e6f7");
        QTest::newRow("OVMF PXE (UEFI x86-64)")
            << ovmfDiscover() << 7 << QStringLiteral("PXEClient:Arch:00007:UNDI:003000") << false << uuid;
        QTest::newRow("iPXE") << ipxeDiscover() << 0 << QStringLiteral("PXEClient:Arch:00000:UNDI:002001") << true
                              << uuid;
        QTest::newRow("UEFI HTTP Boot") << httpBootDiscover() << 16
                                        << QStringLiteral("HTTPClient:Arch:00016:UNDI:003001") << false << uuid;
        QTest::newRow("busybox udhcpc") << udhcpcDiscover() << -1 << QStringLiteral("udhcp 1.37.0") << false
                                        << QString();
        QTest::newRow("zero-length options")
            << header() + discoverType() + opt(12, {}) + opt(77, {}) + QByteArray(1, '\xff') << -1 << QString() << false
            << QString();
        QTest::newRow("pads, no End") << header() + QByteArray(5, '\0') + discoverType() + QByteArray(3, '\0') << -1
                                      << QString() << false << QString();
        QTest::newRow("bytes after End ignored")
            << header() + discoverType() + QByteArray(1, '\xff') + QByteArray::fromHex("3c20deadbeef") << -1
            << QString() << false << QString();
        QTest::newRow("option split in two (RFC 3396)")
            << header() + discoverType() + opt(60, "PXEClient:Arch") + opt(93, QByteArray::fromHex("0009"))
                + opt(60, ":00009:UNDI:003016") + QByteArray(1, '\xff')
            << 9 << QStringLiteral("PXEClient:Arch:00009:UNDI:003016") << false << QString();
        QTest::newRow("options in the file field (overload 1)")
            << header(1, 6, opt(60, "PXEClient") + opt(93, QByteArray::fromHex("0000")) + QByteArray(1, '\xff'))
                + discoverType() + opt(52, QByteArray(1, 1)) + QByteArray(1, '\xff')
            << 0 << QStringLiteral("PXEClient") << false << QString();
        QTest::newRow("options in file and sname (overload 3)")
            << header(1, 6, opt(60, "PXE") + QByteArray(1, '\xff'), opt(60, "Client") + QByteArray(1, '\xff'))
                + discoverType() + opt(52, QByteArray(1, 3)) + QByteArray(1, '\xff')
            << -1 << QStringLiteral("PXEClient") << false << QString();
        QTest::newRow("iPXE user class as RFC 3004 list") << header() + discoverType()
                + opt(77,
                    QByteArray("\x03"
                               "abc"
                               "\x04"
                               "iPXE",
                        9))
                + QByteArray(1, '\xff') << -1 << QString() << true
                                                          << QString();
        QTest::newRow("odd-length arch list ignored")
            << header() + discoverType() + opt(93, QByteArray::fromHex("000700")) + QByteArray(1, '\xff') << -1
            << QString() << false << QString();
    }
    void parseValid()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, arch);
        QFETCH(QString, vendorClass);
        QFETCH(bool, ipxe);
        QFETCH(QString, uuid);
        auto p = DhcpPacket::parse(bytes);
        QVERIFY2(p.ok(), qPrintable(p.error()));
        QCOMPARE(p->op, quint8(1));
        QCOMPARE(p->xid, quint32(0x1a2b3c4d));
        QCOMPARE(p->secs, quint16(4));
        QCOMPARE(p->flags, DhcpPacket::BroadcastFlag);
        QVERIFY(p->messageType() == DhcpMessageType::Discover);
        QCOMPARE(p->clientMac(), QStringLiteral("52:54:00:12:34:56"));
        QCOMPARE(p->clientArch().has_value() ? int(*p->clientArch()) : -1, arch);
        QCOMPARE(p->vendorClass(), vendorClass);
        QCOMPARE(p->isIpxe(), ipxe);
        QCOMPARE(p->clientUuid(), uuid);
        QVERIFY(!p->hasOption(DhcpOption::Overload)); // an encoding detail, not kept

        const QByteArray encoded = p->encode();
        QVERIFY(encoded.size() >= DhcpPacket::MinimumSize);
        auto again = DhcpPacket::parse(encoded);
        QVERIFY2(again.ok(), qPrintable(again.error()));
        QVERIFY(again.value() == p.value());
        QCOMPARE(again->encode(), encoded);
    }

    void parseInvalid_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("truncated header") << ovmfDiscover().left(200);
        QTest::newRow("header without cookie") << ovmfDiscover().left(236);
        QTest::newRow("wrong cookie") << QByteArray(
            header().left(236) + QByteArray::fromHex("63825364") + discoverType());
        QTest::newRow("op 3") << QByteArray(header(3) + discoverType());
        QTest::newRow("hlen 17") << QByteArray(header(1, 17) + discoverType());
        QTest::newRow("option runs past the end")
            << QByteArray(header() + discoverType() + QByteArray::fromHex("3c20") + "PXECl");
        QTest::newRow("length byte missing") << QByteArray(header() + discoverType() + QByteArray(1, char(93)));
        QTest::newRow("truncated in the middle of an option") << ovmfDiscover().left(ovmfDiscover().size() - 10);
        QTest::newRow("overload of length 2") << QByteArray(header() + opt(52, QByteArray(2, 1)) + discoverType());
        QTest::newRow("overload value 4") << QByteArray(header() + opt(52, QByteArray(1, 4)) + discoverType());
        QTest::newRow("overload twice") << QByteArray(header() + opt(52, QByteArray(1, 1)) + opt(52, QByteArray(1, 1)));
        QTest::newRow("option in the file field runs past it")
            << QByteArray(header(1, 6, QByteArray(126, '\0') + QByteArray::fromHex("0c7f")) + opt(52, QByteArray(1, 1))
                   + discoverType());
        QTest::newRow("option in sname runs past it")
            << QByteArray(header(1, 6, {}, QByteArray(62, '\0') + QByteArray::fromHex("0c05"))
                   + opt(52, QByteArray(1, 2)) + discoverType());
    }
    void parseInvalid()
    {
        QFETCH(QByteArray, bytes);
        auto p = DhcpPacket::parse(bytes);
        QVERIFY(!p.ok());
        QVERIFY(p.error().startsWith(QLatin1String("DHCP: ")));
    }

    void everyTruncationIsSafe()
    {
        // Each prefix of a real packet either parses or is rejected: never a read past it.
        const QByteArray full = ipxeDiscover();
        int accepted = 0;
        for (qsizetype n = 0; n <= full.size(); ++n) {
            const QByteArray prefix = full.left(n); // its own allocation: ASan sees any overrun
            auto p = DhcpPacket::parse(prefix);
            if (p.ok()) {
                ++accepted;
                QVERIFY(DhcpPacket::parse(p->encode()).value() == p.value());
            }
        }
        QVERIFY(accepted > 0);
        QVERIFY(accepted < full.size());
    }

    void encodeLongOption()
    {
        DhcpPacket p;
        p.setOption(DhcpOption::MessageType, QByteArray(1, char(DhcpMessageType::Offer)));
        p.setOption(DhcpOption::BootFileName, QByteArray(600, 'x'));
        const QByteArray bytes = p.encode();
        // 600 bytes go out as 255 + 255 + 90, and come back joined.
        QCOMPARE(bytes.count(QByteArrayView("\x43\xff")), 2);
        auto back = DhcpPacket::parse(bytes);
        QVERIFY(back.ok());
        QCOMPARE(back->option(DhcpOption::BootFileName), QByteArray(600, 'x'));
        QVERIFY(back.value() == p);
    }

    void replyFields()
    {
        DhcpPacket p;
        p.op = 2;
        p.yiaddr = 0x0ae70032; // 10.231.0.50
        p.siaddr = 0x0ae70001;
        p.file = "undionly.kpxe";
        p.setOption(DhcpOption::ServerId, DhcpPacket::addressBytes(0x0ae70001));
        p.setOption(DhcpOption::VendorSpecific, pxeVendorOptions());
        const QByteArray bytes = p.encode();
        QCOMPARE(bytes.mid(16, 4), QByteArray::fromHex("0ae70032"));
        QCOMPARE(bytes.mid(20, 4), QByteArray::fromHex("0ae70001"));
        QCOMPARE(bytes.mid(108, 14), QByteArray("undionly.kpxe\0", 14));
        QVERIFY(bytes.contains(QByteArray::fromHex("2b04060108ff"))); // option 43: discovery control 8
        QCOMPARE(DhcpPacket::parse(bytes)->addressOption(DhcpOption::ServerId), quint32(0x0ae70001));
    }

    void chooseBootFile_data()
    {
        QTest::addColumn<int>("arch"); // -1: none sent
        QTest::addColumn<QString>("vendorClass");
        QTest::addColumn<bool>("ipxe");
        QTest::addColumn<QString>("uefiBinary");
        QTest::addColumn<QString>("bootFile"); // empty: no answer
        QTest::addColumn<int>("transport");
        QTest::addColumn<QString>("echo");

        const QString pxe0 = QStringLiteral("PXEClient:Arch:00000:UNDI:002001");
        const QString pxe7 = QStringLiteral("PXEClient:Arch:00007:UNDI:003000");
        const QString ipxeEfi = QStringLiteral("ipxe.efi");
        const int tftp = int(BootTransport::Tftp), http = int(BootTransport::Http);
        QTest::newRow("BIOS") << 0 << pxe0 << false << ipxeEfi << QStringLiteral("undionly.kpxe") << tftp
                              << QStringLiteral("PXEClient");
        QTest::newRow("BIOS ROM without option 93")
            << -1 << QStringLiteral("PXEClient") << false << ipxeEfi << QStringLiteral("undionly.kpxe") << tftp
            << QStringLiteral("PXEClient");
        QTest::newRow("UEFI x86-64 (7)") << 7 << pxe7 << false << ipxeEfi << ipxeEfi << tftp
                                         << QStringLiteral("PXEClient");
        QTest::newRow("UEFI x86-64 (9)") << 9 << QStringLiteral("PXEClient:Arch:00009:UNDI:003016") << false << ipxeEfi
                                         << ipxeEfi << tftp << QStringLiteral("PXEClient");
        QTest::newRow("UEFI x86-64, snponly set")
            << 7 << pxe7 << false << QStringLiteral("snponly.efi") << QStringLiteral("snponly.efi") << tftp
            << QStringLiteral("PXEClient");
        QTest::newRow("UEFI HTTP Boot") << 16 << QStringLiteral("HTTPClient:Arch:00016:UNDI:003001") << false << ipxeEfi
                                        << QStringLiteral("http://10.0.0.1:8080/ipxe.efi") << http
                                        << QStringLiteral("HTTPClient");
        QTest::newRow("iPXE, BIOS") << 0 << pxe0 << true << ipxeEfi << QStringLiteral("http://10.0.0.1:8080/boot.ipxe")
                                    << http << QStringLiteral("PXEClient");
        QTest::newRow("iPXE, UEFI") << 7 << pxe7 << true << ipxeEfi << QStringLiteral("http://10.0.0.1:8080/boot.ipxe")
                                    << http << QStringLiteral("PXEClient");
        QTest::newRow("iPXE built for HTTP")
            << 16 << QStringLiteral("HTTPClient:Arch:00016") << true << ipxeEfi
            << QStringLiteral("http://10.0.0.1:8080/boot.ipxe") << http << QStringLiteral("HTTPClient");
        QTest::newRow("udhcpc: not ours")
            << -1 << QStringLiteral("udhcp 1.37.0") << false << ipxeEfi << QString() << 0 << QString();
        QTest::newRow("no vendor class") << -1 << QString() << false << ipxeEfi << QString() << 0 << QString();
        QTest::newRow("UEFI IA32") << 6 << QStringLiteral("PXEClient:Arch:00006") << false << ipxeEfi << QString() << 0
                                   << QString();
        QTest::newRow("ARM64 UEFI") << 11 << QStringLiteral("PXEClient:Arch:00011") << false << ipxeEfi << QString()
                                    << 0 << QString();
        QTest::newRow("ARM64 HTTP Boot") << 19 << QStringLiteral("HTTPClient:Arch:00019") << false << ipxeEfi
                                         << QString() << 0 << QString();
        QTest::newRow("pxeclient lower case is not PXE")
            << 0 << QStringLiteral("pxeclient") << false << ipxeEfi << QString() << 0 << QString();
    }
    void chooseBootFile()
    {
        QFETCH(int, arch);
        QFETCH(QString, vendorClass);
        QFETCH(bool, ipxe);
        QFETCH(QString, uefiBinary);
        QFETCH(QString, bootFile);
        BootClient client;
        if (arch >= 0)
            client.arch = quint16(arch);
        client.vendorClass = vendorClass;
        client.ipxe = ipxe;
        BootFileSettings settings;
        settings.httpBaseUrl = QStringLiteral("http://10.0.0.1:8080/"); // the trailing slash is not doubled
        settings.uefiBinary = uefiBinary;
        QString reason;
        const auto choice = drover::chooseBootFile(client, settings, &reason);
        if (bootFile.isEmpty()) {
            QVERIFY(!choice.has_value());
            QVERIFY(!reason.isEmpty());
            return;
        }
        QVERIFY2(choice.has_value(), qPrintable(reason));
        QCOMPARE(choice->bootFile, bootFile);
        QTEST(int(choice->transport), "transport");
        QTEST(choice->vendorClass, "echo");
    }

    // The Secure Boot chain replaces iPXE for x86-64 UEFI PXE and HTTP Boot clients (shim by
    // TFTP or by HTTP): BIOS and a running iPXE get what they got before.
    void signedChain_data()
    {
        QTest::addColumn<int>("arch");
        QTest::addColumn<QString>("vendorClass");
        QTest::addColumn<bool>("ipxe");
        QTest::addColumn<QString>("bootFile");
        QTest::newRow("UEFI x86-64 (7)") << 7 << QStringLiteral("PXEClient:Arch:00007:UNDI:003000") << false
                                         << QStringLiteral("shimx64.efi");
        QTest::newRow("UEFI x86-64 (9)") << 9 << QStringLiteral("PXEClient:Arch:00009:UNDI:003016") << false
                                         << QStringLiteral("shimx64.efi");
        QTest::newRow("HTTP architecture by PXE")
            << 16 << QStringLiteral("PXEClient:Arch:00016") << false << QStringLiteral("shimx64.efi");
        QTest::newRow("BIOS") << 0 << QStringLiteral("PXEClient:Arch:00000:UNDI:002001") << false
                              << QStringLiteral("undionly.kpxe");
        QTest::newRow("iPXE, UEFI") << 7 << QStringLiteral("PXEClient:Arch:00007") << true
                                    << QStringLiteral("http://10.0.0.1:8080/boot.ipxe");
        QTest::newRow("UEFI HTTP Boot") << 16 << QStringLiteral("HTTPClient:Arch:00016") << false
                                        << QStringLiteral("http://10.0.0.1:8080/shimx64.efi");
    }
    void signedChain()
    {
        QFETCH(int, arch);
        QFETCH(QString, vendorClass);
        QFETCH(bool, ipxe);
        QFETCH(QString, bootFile);
        BootClient client;
        client.arch = quint16(arch);
        client.vendorClass = vendorClass;
        client.ipxe = ipxe;
        BootFileSettings settings;
        settings.httpBaseUrl = QStringLiteral("http://10.0.0.1:8080");
        QString reason;
        const auto choice = drover::chooseBootFile(client, settings, &reason, true);
        QVERIFY2(choice.has_value(), qPrintable(reason));
        QCOMPARE(choice->bootFile, bootFile);
        // And without the chain, x86-64 UEFI PXE gets iPXE again.
        if (bootFile == QLatin1String("shimx64.efi"))
            QCOMPARE(drover::chooseBootFile(client, settings, &reason, false)->bootFile, QStringLiteral("ipxe.efi"));
        if (bootFile.endsWith(QLatin1String("/shimx64.efi"))) {
            QCOMPARE(choice->transport, BootTransport::Http);
            QCOMPARE(drover::chooseBootFile(client, settings, &reason, false)->bootFile,
                QStringLiteral("http://10.0.0.1:8080/ipxe.efi"));
        }
    }

    void bootClientFromPacket()
    {
        const BootClient c = BootClient::from(DhcpPacket::parse(ipxeDiscover()).value());
        QVERIFY(c.arch == quint16(0));
        QVERIFY(c.ipxe);
        QVERIFY(c.vendorClass.startsWith(QLatin1String("PXEClient")));
    }
};

QTEST_GUILESS_MAIN(TstDhcpPacket)
#include "tst_dhcppacket.moc"
