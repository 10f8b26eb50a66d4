// Drover's TFTP server against real clients (tftp-hpa, curl) and its own concurrent client on
// loopback: byte-exact files, options, windows, lost packets, silent clients, path traversal
// attempts, malformed packets, a port in use, missing privilege, and 200 transfers at once.
#include "boot/net/udpbind.h"
#include "boot/tftp/tftppacket.h"
#include "boot/tftp/tftpserver.h"
#include "catalog/catalog.h"
#include "testlab.h"
#include "tst_tftp_client.h"

#include <QElapsedTimer>
#include <QFile>
#include <QNetworkDatagram>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>
#include <QUdpSocket>

#include <linux/capability.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

using namespace drover;
using namespace drover::test;

namespace {

quint16 freeUdpPort()
{
    QUdpSocket probe;
    probe.bind(QHostAddress::LocalHost, 0);
    return probe.localPort();
}

QByteArray randomBytes(qsizetype size)
{
    QByteArray out(size, Qt::Uninitialized);
    for (char &c : out)
        c = char(QRandomGenerator::global()->bounded(256));
    return out;
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

QByteArray rrq(QByteArrayView name, QByteArrayView mode = "octet", quint16 opcode = 1)
{
    QByteArray out;
    out.append(char(opcode >> 8)).append(char(opcode & 0xff)).append(name).append('\0').append(mode).append('\0');
    return out;
}

// Runs a program to its end without blocking the event loop the server needs.
struct Ran {
    int exitCode = -1;
    QByteArray output;
};
Ran runProcess(const QString &program, const QStringList &args, int timeoutMs = 60000)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    QSignalSpy done(&p, &QProcess::finished);
    p.start(program, args);
    if (!p.waitForStarted(5000))
        return { -1, p.errorString().toUtf8() };
    if (!done.wait(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return { -1, "timed out: " + p.readAll() };
    }
    return { p.exitCode(), p.readAll() };
}

} // namespace

class TstTftpServer : public QObject {
    Q_OBJECT

private:
    TestLab m_lab;
    QTemporaryDir m_dir;
    QString m_files; // the directory served
    QMap<QString, QByteArray> m_content;
    std::unique_ptr<TftpServer> m_server;
    quint16 m_port = 0;

    QByteArray fileContent(const QString &name) const { return m_content.value(name); }
    BootEvent lastTftpEvent() const
    {
        const auto events = m_lab.lab->catalog()->events(EventFilter { {}, QStringLiteral("tftp"), 0, 10000 });
        return events.isEmpty() ? BootEvent() : events.last();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString why;
        m_lab = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(m_lab.lab, qPrintable(why));
        QVERIFY(m_dir.isValid());
        m_files = m_dir.filePath(QStringLiteral("ipxe"));
        QVERIFY(QDir().mkpath(m_files));
        // The real iPXE binary when the ipxe package is there; the others exercise edges: a
        // size that is a multiple of 512 (ends with an empty block) and one above 65535
        // blocks of 512 (block numbers roll over).
        QFile real(QStringLiteral("/usr/lib/ipxe/ipxe.efi"));
        m_content[QStringLiteral("ipxe.efi")] = real.open(QIODevice::ReadOnly) ? real.readAll() : randomBytes(996864);
        m_content[QStringLiteral("undionly.kpxe")] = randomBytes(4 * 512);
        m_content[QStringLiteral("snponly.efi")] = randomBytes(284673);
        m_content[QStringLiteral("big.bin")] = randomBytes(65536 * 512 + 1000);
        for (auto it = m_content.cbegin(); it != m_content.cend(); ++it)
            QVERIFY(writeFile(m_files + QLatin1Char('/') + it.key(), it.value()));
        QVERIFY(writeFile(m_files + QStringLiteral("/secret.txt"), "not to be served"));

        m_server = std::make_unique<TftpServer>(m_lab.lab->catalog(), m_lab.lab->log());
        m_server->setClientResolver([](const QHostAddress &a) {
            return a == QHostAddress(QHostAddress::LocalHost) ? QStringLiteral("52:54:00:00:00:01") : QString();
        });
        m_port = freeUdpPort();
        TftpSettings s;
        s.address = QHostAddress::LocalHost;
        s.port = m_port;
        s.ipxeDir = m_files;
        s.files << QStringLiteral("big.bin");
        s.maxPerClient = s.maxTransfers; // every client here is 127.0.0.1 (the cap has tests of its own)
        const Status started = m_server->start(s);
        QVERIFY2(started.ok(), qPrintable(started.error()));
        QCOMPARE(m_server->servedFiles(),
            QStringList({ QStringLiteral("big.bin"), QStringLiteral("ipxe.efi"), QStringLiteral("snponly.efi"),
                QStringLiteral("undionly.kpxe") }));
    }

    void cleanupTestCase() { m_server.reset(); }

    void tftpHpa_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("verbose");
        QTest::newRow("ipxe.efi") << QStringLiteral("ipxe.efi") << false;
        QTest::newRow("ipxe.efi -v") << QStringLiteral("ipxe.efi") << true;
        QTest::newRow("undionly.kpxe (multiple of 512)") << QStringLiteral("undionly.kpxe") << false;
        QTest::newRow("snponly.efi") << QStringLiteral("snponly.efi") << false;
    }
    void tftpHpa()
    {
        QFETCH(QString, file);
        QFETCH(bool, verbose);
        const QString out = m_dir.filePath(QStringLiteral("hpa-") + file);
        QStringList args;
        if (verbose)
            args << QStringLiteral("-v");
        args << QStringLiteral("-m") << QStringLiteral("binary") << QStringLiteral("127.0.0.1")
             << QString::number(m_port) << QStringLiteral("-c") << QStringLiteral("get") << file << out;
        const quint64 before = m_server->counters().transfers;
        const Ran r = runProcess(QStringLiteral("tftp"), args);
        QVERIFY2(r.exitCode == 0, r.output.constData());
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY2(f.readAll() == fileContent(file), "tftp-hpa got different bytes");
        QTRY_COMPARE(m_server->counters().transfers, before + 1);
    }

    void curl_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QStringList>("options");
        QTest::newRow("ipxe.efi blksize 1428")
            << QStringLiteral("ipxe.efi") << QStringList { QStringLiteral("--tftp-blksize"), QStringLiteral("1428") };
        QTest::newRow("ipxe.efi no options")
            << QStringLiteral("ipxe.efi") << QStringList { QStringLiteral("--tftp-no-options") };
        QTest::newRow("undionly.kpxe blksize 8")
            << QStringLiteral("undionly.kpxe") << QStringList { QStringLiteral("--tftp-blksize"), QStringLiteral("8") };
        QTest::newRow("snponly.efi blksize 65464") << QStringLiteral(
            "snponly.efi") << QStringList { QStringLiteral("--tftp-blksize"), QStringLiteral("65464") };
    }
    void curl()
    {
        QFETCH(QString, file);
        QFETCH(QStringList, options);
        const QString out = m_dir.filePath(QStringLiteral("curl-") + file);
        QFile::remove(out);
        const Ran r = runProcess(QStringLiteral("curl"),
            QStringList { QStringLiteral("-sS") } + options
                + QStringList {
                    QStringLiteral("tftp://127.0.0.1:%1/%2").arg(m_port).arg(file), QStringLiteral("-o"), out });
        QVERIFY2(r.exitCode == 0, r.output.constData());
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY2(f.readAll() == fileContent(file), "curl got different bytes");
    }

    void traversal_data()
    {
        QTest::addColumn<QByteArray>("packet");
        QTest::newRow("../etc/passwd") << rrq("../etc/passwd");
        QTest::newRow("/etc/passwd") << rrq("/etc/passwd");
        QTest::newRow("%2e%2e/etc/passwd") << rrq("%2e%2e/etc/passwd");
        QTest::newRow("..%2fetc%2fpasswd") << rrq("..%2fetc%2fpasswd");
        QTest::newRow("undionly.kpxe/../x") << rrq("undionly.kpxe/../x");
        QTest::newRow("./ipxe.efi") << rrq("./ipxe.efi");
        QTest::newRow("/ipxe.efi") << rrq("/ipxe.efi");
        QTest::newRow("..\\ipxe.efi") << rrq("..\\ipxe.efi");
        QTest::newRow("IPXE.EFI") << rrq("IPXE.EFI");
        QTest::newRow("ipxe.efi with a space") << rrq("ipxe.efi ");
        QTest::newRow("a file in the directory, not allowed") << rrq("secret.txt");
        QTest::newRow("the directory itself") << rrq(".");
        QTest::newRow("600-char name") << rrq(QByteArray(600, 'a'));
        QTest::newRow("500-char name") << rrq(QByteArray(490, 'a'));
        const char withNul[] = "\0\1ipxe.efi\0../../etc/passwd\0octet\0";
        QTest::newRow("name with NUL") << QByteArray(withNul, sizeof withNul - 1);
        QTest::newRow("utf-8 dots") << rrq("\xe2\x80\xa4\xe2\x80\xa4/etc/passwd");
        QTest::newRow("write request") << rrq("ipxe.efi", "octet", 2);
        QTest::newRow("netascii") << rrq("ipxe.efi", "netascii");
    }
    void traversal()
    {
        QFETCH(QByteArray, packet);
        const TftpServer::Counters before = m_server->counters();
        const QByteArray reply = tftpExchange(packet, m_port);
        QVERIFY2(reply.size() >= 5, "no answer");
        QCOMPARE(int(reply[0]), 0);
        QCOMPARE(int(reply[1]), 5); // ERROR, never DATA or OACK
        QVERIFY(reply.endsWith('\0'));
        const TftpServer::Counters after = m_server->counters();
        QCOMPARE(after.active, before.active);
        QCOMPARE(after.transfers, before.transfers);
        QCOMPARE(after.errors, before.errors + 1);
    }

    void realClientsRefused()
    {
        // tftp-hpa and curl asked for a file outside the list get TFTP errors, and no bytes.
        const QString out = m_dir.filePath(QStringLiteral("passwd"));
        const Ran hpa = runProcess(QStringLiteral("tftp"),
            { QStringLiteral("-m"), QStringLiteral("binary"), QStringLiteral("127.0.0.1"), QString::number(m_port),
                QStringLiteral("-c"), QStringLiteral("get"), QStringLiteral("../../../../etc/passwd"), out });
        QVERIFY2(hpa.output.contains("Error code 1"), hpa.output.constData());
        QCOMPARE(QFileInfo(out).size(), 0);
        const Ran c = runProcess(QStringLiteral("curl"),
            { QStringLiteral("-sS"), QStringLiteral("--path-as-is"),
                QStringLiteral("tftp://127.0.0.1:%1/../../etc/passwd").arg(m_port), QStringLiteral("-o"), out });
        QVERIFY2(c.exitCode != 0, c.output.constData());
        QCOMPARE(QFileInfo(out).size(), 0);
    }

    void options_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("blockSize");
        QTest::addColumn<int>("windowSize");
        QTest::addColumn<int>("dropBlock");
        QTest::newRow("window 8, blksize 1428") << QStringLiteral("ipxe.efi") << 1428 << 8 << 0;
        QTest::newRow("window 64, blksize 1468") << QStringLiteral("ipxe.efi") << 1468 << 64 << 0;
        QTest::newRow("lost block, window 1") << QStringLiteral("snponly.efi") << 1428 << 0 << 3;
        QTest::newRow("lost block, window 4") << QStringLiteral("snponly.efi") << 1428 << 4 << 6;
        QTest::newRow("lost last block") << QStringLiteral("undionly.kpxe") << 0 << 0 << 5;
        QTest::newRow("rollover past block 65535") << QStringLiteral("big.bin") << 512 << 16 << 0;
    }
    void options()
    {
        QFETCH(QString, file);
        QFETCH(int, blockSize);
        QFETCH(int, windowSize);
        QFETCH(int, dropBlock);
        TftpGet g;
        g.port = m_port;
        g.file = file.toUtf8();
        g.blockSize = blockSize;
        g.windowSize = windowSize;
        g.askSize = true;
        g.dropBlockOnce = dropBlock;
        const QList<TftpResult> r = TftpClientRun::run({ g });
        QVERIFY2(r[0].ok, qPrintable(r[0].error));
        QCOMPARE(r[0].tsize, qint64(fileContent(file).size()));
        QCOMPARE(r[0].blockSize, blockSize ? blockSize : 512);
        QCOMPARE(r[0].windowSize, windowSize ? windowSize : 1);
        QVERIFY(r[0].data == fileContent(file));
    }

    void eventsRecorded()
    {
        QTRY_VERIFY(lastTftpEvent().id != 0); // written in batches, a moment after the transfer
        const QList<BootEvent> events
            = m_lab.lab->catalog()->events(EventFilter { {}, QStringLiteral("tftp"), 0, 10000 });
        QVERIFY(!events.isEmpty());
        const BootEvent &e = events.last();
        QCOMPARE(e.mac, QStringLiteral("52:54:00:00:00:01")); // from the client resolver
        QVERIFY2(e.detail.startsWith(QLatin1String("sent ")) && e.detail.contains(QLatin1String("to 127.0.0.1")),
            qPrintable(e.detail));
        // Refused requests are logged, never written to the catalog.
        for (const BootEvent &ev : events)
            QVERIFY2(!ev.detail.contains(QLatin1String("passwd")), qPrintable(ev.detail));
    }

    void silentClient()
    {
        // A client that stops answering: the server resends, gives up after its retries,
        // says so to the client, and records a failed transfer.
        TftpServer server(m_lab.lab->catalog(), m_lab.lab->log());
        TftpSettings s;
        s.address = QHostAddress::LocalHost;
        s.port = freeUdpPort();
        s.ipxeDir = m_files;
        s.retries = 1;
        QVERIFY(server.start(s).ok());
        TftpGet g;
        g.port = s.port;
        g.file = "ipxe.efi";
        g.blockSize = 1428;
        g.stopAfterBlock = 2;
        const QList<TftpResult> r = TftpClientRun::run({ g });
        QVERIFY(!r[0].ok);
        QCOMPARE(r[0].error, QStringLiteral("timed out"));
        QCOMPARE(server.counters().errors, quint64(1));
        QCOMPARE(server.counters().active, quint64(0));
        // Events reach the catalog in batches, a moment later.
        QTRY_VERIFY(lastTftpEvent().detail.contains(QLatin1String("failed")));
        QCOMPARE(lastTftpEvent().severity, QStringLiteral("warning"));
    }

    // RFC 2349 lets a client ask up to 255 s between retransmissions, and the server may only
    // echo that value or leave the option out: a silent client asking 255 would hold its slot
    // for (retries + 1) × 255 s. Above tftp/max-timeout (5 s) the option is left out of the
    // OACK and the default (1 s) applies, so the slot comes free within seconds.
    void timeoutClamped_data()
    {
        QTest::addColumn<int>("asked");
        QTest::addColumn<int>("acknowledged"); // 0: left out of the OACK
        QTest::addColumn<int>("effectiveSeconds");
        QTest::newRow("255 left out") << 255 << 0 << 1;
        QTest::newRow("6 left out") << 6 << 0 << 1;
        QTest::newRow("5 accepted (the bound)") << 5 << 5 << 5;
        QTest::newRow("2 accepted") << 2 << 2 << 2;
    }
    void timeoutClamped()
    {
        QFETCH(int, asked);
        QFETCH(int, acknowledged);
        QFETCH(int, effectiveSeconds);
        TftpServer server(m_lab.lab->catalog(), m_lab.lab->log());
        TftpSettings s;
        s.address = QHostAddress::LocalHost;
        s.port = freeUdpPort();
        s.ipxeDir = m_files;
        s.retries = 1;
        QVERIFY(server.start(s).ok());
        TftpGet g;
        g.port = s.port;
        g.file = "ipxe.efi";
        g.askTimeout = asked;
        g.stopAfterBlock = 1; // then silent
        g.timeoutMs = 1000;
        const QList<TftpResult> r = TftpClientRun::run({ g }, nullptr, 30000);
        QCOMPARE(r[0].timeout, acknowledged);
        QCOMPARE(r[0].error, QStringLiteral("timed out")); // the server gave the slot up, and said so
        // Given up after (retries + 1) timeouts of the effective value, not of the asked one.
        const qint64 heldMs = r[0].elapsedMs;
        qInfo("timeout=%d asked: slot freed after %lld ms", asked, heldMs);
        QVERIFY2(heldMs >= qint64(s.retries + 1) * effectiveSeconds * 1000 - 300, qPrintable(QString::number(heldMs)));
        QVERIFY2(heldMs <= qint64(s.retries + 1) * effectiveSeconds * 1000 + 1500, qPrintable(QString::number(heldMs)));
        QCOMPARE(server.counters().active, quint64(0));
    }

    // tftp/max-per-client: eight transfers at once from one address hold eight slots; the ninth
    // from that address is refused with an ERROR packet, while another address is served.
    // A PXE ROM resends its RRQ when the answer is late: the same transfer, not a second one
    // (a boot storm filled the slots with them: tools/bench/storm.sh). The same request once
    // the client has acknowledged something is a client that started over: a new transfer.
    void repeatedRequest()
    {
        TftpServer server(m_lab.lab->catalog(), m_lab.lab->log());
        TftpSettings s;
        s.address = QHostAddress::LocalHost;
        s.port = freeUdpPort();
        s.ipxeDir = m_files;
        QVERIFY(server.start(s).ok());
        QUdpSocket client;
        QVERIFY(client.bind(QHostAddress::LocalHost, 0));
        TftpRequest rrq;
        rrq.opcode = TftpOpcode::Rrq;
        rrq.fileName = "ipxe.efi";
        rrq.mode = "octet";
        rrq.options.append({ QByteArray("blksize"), QByteArray("1428") });
        const QByteArray request = encodeTftpRequest(rrq);
        const auto answers = [&client](int waitMs) {
            QList<QNetworkDatagram> got;
            QElapsedTimer clock;
            clock.start();
            while (clock.elapsed() < waitMs) {
                QSignalSpy ready(&client, &QUdpSocket::readyRead);
                while (client.hasPendingDatagrams())
                    got.append(client.receiveDatagram());
                ready.wait(50);
            }
            return got;
        };
        for (int i = 0; i < 3; ++i)
            client.writeDatagram(request, QHostAddress::LocalHost, s.port);
        const QList<QNetworkDatagram> first = answers(400);
        QCOMPARE(server.counters().active, quint64(1));
        QCOMPARE(server.counters().repeated, quint64(2));
        QVERIFY(!first.isEmpty());
        const quint16 tid = quint16(first.first().senderPort());
        for (const QNetworkDatagram &d : first)
            QCOMPARE(quint16(d.senderPort()), tid); // one transfer answered, from one port

        // The client takes the OACK and the first block, then starts over from the same port.
        QCOMPARE(client.writeDatagram(encodeTftpAck(0), QHostAddress::LocalHost, tid), qint64(4));
        const QList<QNetworkDatagram> data = answers(400);
        QVERIFY(!data.isEmpty());
        client.writeDatagram(request, QHostAddress::LocalHost, s.port);
        const QList<QNetworkDatagram> again = answers(400);
        QVERIFY(!again.isEmpty());
        QVERIFY(quint16(again.last().senderPort()) != tid); // a new transfer, on a port of its own
        QCOMPARE(server.counters().active, quint64(1)); // the old one went
        QCOMPARE(server.counters().repeated, quint64(2));
    }

    void perClientCap()
    {
        TftpServer server(m_lab.lab->catalog(), m_lab.lab->log());
        TftpSettings s;
        s.address = QHostAddress::LocalHost;
        s.port = freeUdpPort();
        s.ipxeDir = m_files;
        s.retries = 5; // silent clients hold their slots for about 6 s
        QCOMPARE(s.maxPerClient, 8); // the default
        QVERIFY(server.start(s).ok());
        QList<TftpGet> holders;
        for (int i = 0; i < 8; ++i) {
            TftpGet g;
            g.port = s.port;
            g.file = "ipxe.efi";
            g.source = QHostAddress(QStringLiteral("127.0.0.1"));
            g.stopAfterBlock = 1;
            holders.append(g);
        }
        TftpClientRun holding;
        holding.start(holders, 30000);
        QTRY_COMPARE(server.counters().active, quint64(8));

        TftpGet ninth;
        ninth.port = s.port;
        ninth.file = "ipxe.efi";
        ninth.source = QHostAddress(QStringLiteral("127.0.0.1"));
        TftpGet other = ninth;
        other.source = QHostAddress(QStringLiteral("127.0.0.2"));
        other.blockSize = 1428;
        const QList<TftpResult> r = TftpClientRun::run({ ninth, other }, nullptr, 20000);
        QVERIFY(!r[0].ok);
        QCOMPARE(r[0].errorCode, quint16(0));
        QVERIFY2(r[0].error.contains(QLatin1String("too many transfers")), qPrintable(r[0].error));
        QVERIFY2(r[1].ok, qPrintable(r[1].error));
        QCOMPARE(r[1].data, fileContent(QStringLiteral("ipxe.efi")));
        QTRY_COMPARE(server.counters().active, quint64(8)); // the holders still hold theirs
        QSignalSpy done(&holding, &TftpClientRun::finished);
        QVERIFY(done.wait(20000));
        QCOMPARE(server.counters().active, quint64(0));
    }

    void malformedDropped()
    {
        const quint64 droppedBefore = m_server->counters().dropped;
        QUdpSocket junk;
        junk.bind(QHostAddress::LocalHost, 0);
        const QList<QByteArray> packets { QByteArray(), QByteArray(1, '\1'), QByteArray("\0\3\0\1data", 8),
            QByteArray("\0\4\0\1", 4), QByteArray("\0\5\0\1x\0", 6), QByteArray("\0\7junk", 6),
            QByteArray(QByteArray(1, '\xff') + randomBytes(1400)), QByteArray("\0\1noterminator", 14) };
        for (const QByteArray &p : packets)
            junk.writeDatagram(p, QHostAddress::LocalHost, m_port);
        QTRY_COMPARE(m_server->counters().dropped, droppedBefore + quint64(packets.size()));
        // Only the malformed request (opcode 1) was answered; stray DATA/ACK/ERROR never are.
        QTRY_VERIFY(junk.hasPendingDatagrams());
        QCOMPARE(int(junk.receiveDatagram().data()[1]), 5);
        QTest::qWait(200);
        QVERIFY(!junk.hasPendingDatagrams());
        TftpGet g;
        g.port = m_port;
        g.file = "undionly.kpxe";
        QVERIFY(TftpClientRun::run({ g })[0].ok);
    }

    void servesFromMemory()
    {
        // The files are read once at start: removing them afterwards changes nothing.
        QTemporaryDir dir;
        QVERIFY(writeFile(dir.filePath(QStringLiteral("ipxe.efi")), fileContent(QStringLiteral("ipxe.efi"))));
        TftpServer server(nullptr, nullptr);
        TftpSettings s;
        s.address = QHostAddress::LocalHost;
        s.port = freeUdpPort();
        s.ipxeDir = dir.path();
        QVERIFY(server.start(s).ok());
        QCOMPARE(server.servedFiles(), QStringList { QStringLiteral("ipxe.efi") }); // the others are missing
        QVERIFY(QFile::remove(dir.filePath(QStringLiteral("ipxe.efi"))));
        TftpGet g;
        g.port = s.port;
        g.file = "ipxe.efi";
        g.blockSize = 1468;
        const QList<TftpResult> r = TftpClientRun::run({ g });
        QVERIFY(r[0].ok);
        QVERIFY(r[0].data == fileContent(QStringLiteral("ipxe.efi")));
    }

    void startFailures()
    {
        TftpServer second(nullptr, nullptr);
        TftpSettings s;
        s.address = QHostAddress::LocalHost;
        s.port = m_port;
        s.ipxeDir = m_files;
        const Status inUse = second.start(s);
        QVERIFY(!inUse.ok());
        QVERIFY2(inUse.error().contains(QLatin1String("in use")), qPrintable(inUse.error()));
        QVERIFY(!second.isRunning());

        s.port = freeUdpPort();
        s.ipxeDir = m_dir.filePath(QStringLiteral("nowhere"));
        const Status noFiles = second.start(s);
        QVERIFY(!noFiles.ok());
        QVERIFY2(noFiles.error().contains(QLatin1String("ipxe package")), qPrintable(noFiles.error()));

        s.ipxeDir = m_files;
        s.interfaceName = QStringLiteral("nosuchif0");
        const Status noInterface = second.start(s);
        QVERIFY(!noInterface.ok());
        QVERIFY2(noInterface.error().contains(QLatin1String("nosuchif0")), qPrintable(noInterface.error()));
    }

    void missingPrivilege()
    {
        // Capabilities are per thread on Linux: a thread without CAP_NET_BIND_SERVICE sees
        // exactly what an unprivileged Drover would.
        QFile start(QStringLiteral("/proc/sys/net/ipv4/ip_unprivileged_port_start"));
        if (start.open(QIODevice::ReadOnly) && start.readAll().trimmed().toInt() <= 69)
            QSKIP("ports below 1024 need no privilege on this host");
        QString message;
        std::thread worker([&message] {
            __user_cap_header_struct header { _LINUX_CAPABILITY_VERSION_3, 0 };
            __user_cap_data_struct data[2] {};
            if (syscall(SYS_capget, &header, data) != 0)
                return;
            data[0].effective &= ~(1u << CAP_NET_BIND_SERVICE);
            if (syscall(SYS_capset, &header, data) != 0)
                return;
            auto bound = bindUdpSocket(UdpBindOptions { QStringLiteral("TFTP"), {}, QHostAddress::LocalHost, 69 });
            message = bound ? QStringLiteral("bound") : bound.error();
        });
        worker.join();
        QVERIFY2(message.contains(QLatin1String("CAP_NET_BIND_SERVICE")), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("setcap cap_net_bind_service")), qPrintable(message));
    }

    void concurrent200_data()
    {
        QTest::addColumn<int>("windowSize");
        QTest::newRow("blksize 1428, window 1 (as PXE ROMs)") << 0;
        QTest::newRow("blksize 1428, window 8") << 8;
    }
    void concurrent200()
    {
        QFETCH(int, windowSize);
        const TftpServer::Counters before = m_server->counters();
        QTest::qWait(400); // earlier transfers' events are flushed (every 250 ms)
        const qint64 lastId = lastTftpEvent().id;
        QList<TftpGet> gets;
        for (int i = 0; i < 200; ++i) {
            TftpGet g;
            g.port = m_port;
            g.file = "ipxe.efi";
            g.blockSize = 1428;
            g.windowSize = windowSize;
            g.askSize = true;
            gets.append(g);
        }
        qint64 elapsed = 0;
        const QList<TftpResult> results = TftpClientRun::run(gets, &elapsed);
        int ok = 0;
        qint64 slowest = 0;
        for (const TftpResult &r : results) {
            if (r.ok && r.data == fileContent(QStringLiteral("ipxe.efi")))
                ++ok;
            slowest = qMax(slowest, r.elapsedMs);
        }
        QCOMPARE(ok, 200);
        qInfo("200 concurrent transfers of ipxe.efi (%lld bytes each): %lld ms, slowest %lld ms, %.1f MB/s",
            qint64(fileContent(QStringLiteral("ipxe.efi")).size()), elapsed, slowest,
            200.0 * double(fileContent(QStringLiteral("ipxe.efi")).size()) / 1e6 / (double(elapsed) / 1000.0));
        QTRY_COMPARE(m_server->counters().transfers, before.transfers + 200);
        QCOMPARE(m_server->counters().active, quint64(0));
        QTRY_COMPARE(
            m_lab.lab->catalog()->events(EventFilter { {}, QStringLiteral("tftp"), lastId, 1000 }).size(), 200);
    }
};

QTEST_GUILESS_MAIN(TstTftpServer)
#include "tst_tftpserver.moc"
