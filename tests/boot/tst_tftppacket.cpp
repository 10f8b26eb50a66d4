// The TFTP request parser and option negotiation, row by row: what is accepted, what is
// rejected, and what the OACK says for each option value at and beyond its limits.
#include "boot/tftp/tftppacket.h"

#include <QTest>

using namespace drover;

namespace {

QByteArray rrq(QByteArrayView body, quint16 opcode = TftpOpcode::Rrq)
{
    QByteArray out;
    out.append(char(opcode >> 8)).append(char(opcode & 0xff)).append(body);
    return out;
}

// A literal with its embedded NULs, without counting them by hand.
template <size_t N> QByteArray bytes(const char (&text)[N])
{
    return QByteArray(text, qsizetype(N - 1));
}

} // namespace

class TstTftpPacket : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QByteArray>("packet");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QByteArray>("fileName");
        QTest::addColumn<QByteArray>("mode");
        QTest::addColumn<int>("options");

        QTest::newRow("plain rrq") << rrq(bytes("ipxe.efi\0octet\0")) << true << QByteArray("ipxe.efi")
                                   << QByteArray("octet") << 0;
        QTest::newRow("mode case") << rrq(bytes("ipxe.efi\0OcTeT\0")) << true << QByteArray("ipxe.efi")
                                   << QByteArray("octet") << 0;
        QTest::newRow("options") << rrq(bytes("undionly.kpxe\0octet\0blksize\0001468\0tsize\0000\0")) << true
                                 << QByteArray("undionly.kpxe") << QByteArray("octet") << 2;
        QTest::newRow("option names case")
            << rrq(bytes("a\0octet\0BLKSIZE\0001024\0")) << true << QByteArray("a") << QByteArray("octet") << 1;
        QTest::newRow("duplicate option kept once") << rrq(bytes("a\0octet\0blksize\0001024\0blksize\0008\0")) << true
                                                    << QByteArray("a") << QByteArray("octet") << 1;
        QTest::newRow("wrq parses") << rrq(bytes("x\0octet\0"), TftpOpcode::Wrq) << true << QByteArray("x")
                                    << QByteArray("octet") << 0;
        QTest::newRow("traversal name is just bytes")
            << rrq(bytes("../etc/passwd\0octet\0")) << true << QByteArray("../etc/passwd") << QByteArray("octet") << 0;

        QTest::newRow("empty") << QByteArray() << false << QByteArray() << QByteArray() << 0;
        QTest::newRow("opcode only") << rrq({}) << false << QByteArray() << QByteArray() << 0;
        QTest::newRow("data opcode") << rrq(bytes("ipxe.efi\0octet\0"), TftpOpcode::Data) << false << QByteArray()
                                     << QByteArray() << 0;
        QTest::newRow("no nul at end") << rrq("ipxe.efi") << false << QByteArray() << QByteArray() << 0;
        QTest::newRow("no mode") << rrq(bytes("ipxe.efi\0")) << false << QByteArray() << QByteArray() << 0;
        QTest::newRow("mode without nul")
            << rrq(bytes("ipxe.efi\0octet")) << false << QByteArray() << QByteArray() << 0;
        QTest::newRow("empty name") << rrq(bytes("\0octet\0")) << false << QByteArray() << QByteArray() << 0;
        QTest::newRow("unknown mode") << rrq(bytes("ipxe.efi\0binary\0")) << false << QByteArray() << QByteArray() << 0;
        QTest::newRow("option without value")
            << rrq(bytes("a\0octet\0blksize\0")) << false << QByteArray() << QByteArray() << 0;
        QTest::newRow("option without name")
            << rrq(bytes("a\0octet\0\0001024\0")) << false << QByteArray() << QByteArray() << 0;
        QTest::newRow("nul inside name") << rrq(bytes("ipxe.efi\0../x\0octet\0")) << false << QByteArray()
                                         << QByteArray() << 0;
        QTest::newRow("over 512 bytes") << rrq(QByteArray(QByteArray(600, 'a') + bytes("\0octet\0"))) << false
                                        << QByteArray() << QByteArray() << 0;
    }
    void parse()
    {
        QFETCH(QByteArray, packet);
        QFETCH(bool, ok);
        auto r = parseTftpRequest(packet);
        QCOMPARE(r.ok(), ok);
        if (!ok) {
            QVERIFY(!r.error().isEmpty());
            return;
        }
        QFETCH(QByteArray, fileName);
        QFETCH(QByteArray, mode);
        QFETCH(int, options);
        QCOMPARE(r->fileName, fileName);
        QCOMPARE(r->mode, mode);
        QCOMPARE(r->options.size(), options);
        // What the parser read, re-encoded, reads back the same.
        auto again = parseTftpRequest(encodeTftpRequest(r.value()));
        QVERIFY(again.ok());
        QCOMPARE(again->fileName, r->fileName);
        QCOMPARE(again->options, r->options);
    }

    void negotiate_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QByteArray>("acknowledged"); // empty: left out of the OACK
        QTest::addColumn<int>("blockSize");
        QTest::addColumn<int>("windowSize");
        QTest::addColumn<int>("timeoutMs");

        QTest::newRow("blksize 1468") << QByteArray("blksize") << QByteArray("1468") << QByteArray("1468") << 1468 << 1
                                      << 1000;
        QTest::newRow("blksize 8 (minimum)")
            << QByteArray("blksize") << QByteArray("8") << QByteArray("8") << 8 << 1 << 1000;
        QTest::newRow("blksize 7 ignored")
            << QByteArray("blksize") << QByteArray("7") << QByteArray() << 512 << 1 << 1000;
        QTest::newRow("blksize 65464") << QByteArray("blksize") << QByteArray("65464") << QByteArray("65464") << 65464
                                       << 1 << 1000;
        QTest::newRow("blksize 70000 lowered")
            << QByteArray("blksize") << QByteArray("70000") << QByteArray("65464") << 65464 << 1 << 1000;
        QTest::newRow("blksize huge lowered")
            << QByteArray("blksize") << QByteArray("9999999999") << QByteArray("65464") << 65464 << 1 << 1000;
        QTest::newRow("blksize too many digits")
            << QByteArray("blksize") << QByteArray("00000000001024") << QByteArray() << 512 << 1 << 1000;
        QTest::newRow("blksize negative")
            << QByteArray("blksize") << QByteArray("-1") << QByteArray() << 512 << 1 << 1000;
        QTest::newRow("blksize text") << QByteArray("blksize") << QByteArray("1k") << QByteArray() << 512 << 1 << 1000;
        QTest::newRow("tsize") << QByteArray("tsize") << QByteArray("0") << QByteArray("4242") << 512 << 1 << 1000;
        QTest::newRow("timeout 3") << QByteArray("timeout") << QByteArray("3") << QByteArray("3") << 512 << 1 << 3000;
        QTest::newRow("timeout 0 ignored")
            << QByteArray("timeout") << QByteArray("0") << QByteArray() << 512 << 1 << 1000;
        QTest::newRow("timeout 256 ignored")
            << QByteArray("timeout") << QByteArray("256") << QByteArray() << 512 << 1 << 1000;
        // RFC 2349: the OACK echoes the client's value or leaves it out; above the server's
        // bound (tftp/max-timeout, 5 s) it is left out and the default holds the slot briefly.
        QTest::newRow("timeout 5 (bound)")
            << QByteArray("timeout") << QByteArray("5") << QByteArray("5") << 512 << 1 << 5000;
        QTest::newRow("timeout 6 ignored")
            << QByteArray("timeout") << QByteArray("6") << QByteArray() << 512 << 1 << 1000;
        QTest::newRow("timeout 255 ignored")
            << QByteArray("timeout") << QByteArray("255") << QByteArray() << 512 << 1 << 1000;
        QTest::newRow("windowsize 8") << QByteArray("windowsize") << QByteArray("8") << QByteArray("8") << 512 << 8
                                      << 1000;
        QTest::newRow("windowsize 1000 lowered")
            << QByteArray("windowsize") << QByteArray("1000") << QByteArray("64") << 512 << 64 << 1000;
        QTest::newRow("windowsize 0 ignored")
            << QByteArray("windowsize") << QByteArray("0") << QByteArray() << 512 << 1 << 1000;
        QTest::newRow("unknown option") << QByteArray("multicast") << QByteArray("1") << QByteArray() << 512 << 1
                                        << 1000;
    }
    void negotiate()
    {
        QFETCH(QByteArray, name);
        QFETCH(QByteArray, value);
        QFETCH(QByteArray, acknowledged);
        TftpRequest request;
        request.fileName = "ipxe.efi";
        request.mode = "octet";
        request.options = { { name, value } };
        const TftpTransferOptions t = negotiateTftpOptions(request, 4242);
        QTEST(t.blockSize, "blockSize");
        QTEST(t.windowSize, "windowSize");
        QTEST(t.timeoutMs, "timeoutMs");
        if (acknowledged.isEmpty()) {
            QVERIFY(t.acknowledged.isEmpty());
        } else {
            QCOMPARE(t.acknowledged.size(), 1);
            QCOMPARE(t.acknowledged[0].first, name);
            QCOMPARE(t.acknowledged[0].second, acknowledged);
        }
    }

    void clientPackets_data()
    {
        QTest::addColumn<QByteArray>("packet");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<int>("opcode");
        QTest::addColumn<int>("block");
        QTest::newRow("ack 7") << bytes("\0\4\0\7") << true << 4 << 7;
        QTest::newRow("ack 65535") << bytes("\0\4\xff\xff") << true << 4 << 65535;
        QTest::newRow("ack with trailing byte") << bytes("\0\4\0\7\0") << true << 4 << 7; // as some ROMs send
        QTest::newRow("short") << bytes("\0\4\0") << false << 0 << 0;
        QTest::newRow("error") << bytes("\0\5\0\1oops\0") << true << 5 << 0;
        QTest::newRow("error without nul") << bytes("\0\5\0\10oops") << true << 5 << 0;
        QTest::newRow("data from a client") << bytes("\0\3\0\1xx") << false << 0 << 0;
    }
    void clientPackets()
    {
        QFETCH(QByteArray, packet);
        QFETCH(bool, ok);
        const auto p = parseTftpClientPacket(packet);
        QCOMPARE(p.has_value(), ok);
        if (ok) {
            QTEST(int(p->opcode), "opcode");
            QTEST(int(p->block), "block");
        }
    }

    void encoders()
    {
        QCOMPARE(encodeTftpError(TftpError::FileNotFound, "file not found"), bytes("\0\5\0\1file not found\0"));
        QCOMPARE(encodeTftpAck(0x0102), bytes("\0\4\1\2"));
        QCOMPARE(
            encodeTftpOack({ { "blksize", "1468" }, { "tsize", "99" } }), bytes("\0\6blksize\0001468\0tsize\00099\0"));
        // An error message never exceeds 255 bytes, whatever it is given.
        QCOMPARE(encodeTftpError(TftpError::NotDefined, QByteArray(1000, 'x')).size(), 4 + 255 + 1);
    }
};

QTEST_GUILESS_MAIN(TstTftpPacket)
#include "tst_tftppacket.moc"
