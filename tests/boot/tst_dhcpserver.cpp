// The DHCP server on loopback high ports: proxy mode answers each PXE architecture with the
// right boot file (port 67 OFFER, port 4011 ACK) and ignores everyone else; full mode hands
// out, keeps, refuses and reclaims addresses with leases in the catalog (both backends);
// malformed packets are counted and never stop the next client from being answered.
#include "boot/bootrecorder.h"
#include "boot/dhcp/dhcpserver.h"
#include "catalog/catalog.h"
#include "testlab.h"

#include <QNetworkDatagram>
#include <QSet>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTest>
#include <QUdpSocket>

using namespace drover;
using namespace drover::test;

namespace {

quint16 freeUdpPort()
{
    QUdpSocket probe;
    probe.bind(QHostAddress::LocalHost, 0);
    return probe.localPort();
}

QByteArray macBytes(const QString &mac)
{
    return QByteArray::fromHex(mac.toLatin1().replace(':', QByteArray()));
}

struct ClientSpec {
    ClientSpec(QString m, int a = -1, QByteArray v = {}, bool i = false)
        : mac(std::move(m))
        , arch(a)
        , vendorClass(std::move(v))
        , ipxe(i)
    { }
    QString mac;
    int arch = -1;
    QByteArray vendorClass;
    bool ipxe = false;
    bool uuid = true;
};

DhcpPacket request(DhcpMessageType type, const ClientSpec &c, quint32 xid)
{
    DhcpPacket p;
    p.xid = xid;
    p.flags = DhcpPacket::BroadcastFlag;
    p.chaddr = macBytes(c.mac) + QByteArray(10, '\0');
    p.setOption(DhcpOption::MessageType, QByteArray(1, char(type)));
    if (c.arch >= 0)
        p.setOption(DhcpOption::ClientArch, DhcpPacket::u32Bytes(quint32(c.arch)).right(2));
    if (!c.vendorClass.isEmpty())
        p.setOption(DhcpOption::VendorClass, c.vendorClass);
    if (c.ipxe)
        p.setOption(DhcpOption::UserClass, "iPXE");
    if (c.uuid)
        p.setOption(DhcpOption::ClientUuid, QByteArray::fromHex("00000102030405060708090a0b0c0d0e0f"));
    return p;
}

// A client socket on loopback: sends to the server, waits for the reply with its xid.
class Client {
public:
    explicit Client(quint16 port = 0) { m_socket.bind(QHostAddress::LocalHost, port); }
    quint16 port() const { return m_socket.localPort(); }
    void send(const DhcpPacket &p, quint16 serverPort)
    {
        m_socket.writeDatagram(p.encode(), QHostAddress::LocalHost, serverPort);
    }
    void sendRaw(const QByteArray &bytes, quint16 serverPort)
    {
        m_socket.writeDatagram(bytes, QHostAddress::LocalHost, serverPort);
    }
    std::optional<DhcpPacket> receive(quint32 xid, int timeoutMs = 3000)
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < timeoutMs) {
            while (m_socket.hasPendingDatagrams()) {
                auto p = DhcpPacket::parse(m_socket.receiveDatagram().data());
                if (p && p->xid == xid)
                    return p.value();
            }
            QSignalSpy ready(&m_socket, &QUdpSocket::readyRead);
            ready.wait(int(qMax<qint64>(1, timeoutMs - clock.elapsed())));
        }
        return std::nullopt;
    }
    // The replies to every xid of `xids` that come within the time, in any order.
    QHash<quint32, DhcpPacket> receiveAll(const QSet<quint32> &xids, int timeoutMs = 3000)
    {
        QHash<quint32, DhcpPacket> replies;
        QElapsedTimer clock;
        clock.start();
        while (replies.size() < xids.size() && clock.elapsed() < timeoutMs) {
            while (m_socket.hasPendingDatagrams()) {
                auto p = DhcpPacket::parse(m_socket.receiveDatagram().data());
                if (p && xids.contains(p->xid))
                    replies.insert(p->xid, p.value());
            }
            if (replies.size() < xids.size()) {
                QSignalSpy ready(&m_socket, &QUdpSocket::readyRead);
                ready.wait(int(qMax<qint64>(1, timeoutMs - clock.elapsed())));
            }
        }
        return replies;
    }

private:
    QUdpSocket m_socket;
};

} // namespace

class TstDhcpServer : public QObject {
    Q_OBJECT

private:
    TestLab m_lab;
    std::unique_ptr<DhcpServer> m_proxy;
    DhcpSettings m_proxySettings;
    std::unique_ptr<Client> m_client; // on the proxy server's client port
    quint32 m_xid = 0x100;

    TestLab openLab()
    {
        QFETCH(QString, backend);
        QString why;
        TestLab t = openTestLab(backend, &why);
        if (!t.lab)
            qFatal("cannot open a %s catalog: %s", qPrintable(backend), qPrintable(why));
        return t;
    }

    // A second proxy server on fresh ports, writing through `recorder`.
    DhcpSettings startWithRecorder(DhcpServer *server, BootRecorder *recorder) const
    {
        server->setRecorder(recorder);
        DhcpSettings s = m_proxySettings;
        s.port = freeUdpPort();
        s.proxyPort = freeUdpPort();
        if (Status started = server->start(s); !started)
            qWarning("cannot start a DHCP server: %s", qPrintable(started.error()));
        return s;
    }

    // Full mode on loopback for `client`, handing out first … last.
    static DhcpSettings fullSettings(const Client &client, const QString &first, const QString &last)
    {
        DhcpSettings s;
        s.mode = DhcpMode::Full;
        s.interfaceName = QStringLiteral("lo");
        s.serverAddress = QHostAddress::LocalHost;
        s.port = freeUdpPort();
        s.clientPort = client.port();
        s.httpBaseUrl = QStringLiteral("http://127.0.0.1:8080");
        s.rangeStart = QHostAddress(first);
        s.rangeEnd = QHostAddress(last);
        s.subnetMask = QHostAddress(QStringLiteral("255.0.0.0"));
        s.probeFirst = false; // nothing to probe on loopback; the netns test does it
        return s;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString why;
        m_lab = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(m_lab.lab, qPrintable(why));
        m_proxySettings.mode = DhcpMode::Proxy;
        m_proxySettings.serverAddress = QHostAddress::LocalHost;
        m_proxySettings.port = freeUdpPort();
        m_proxySettings.proxyPort = freeUdpPort();
        m_client = std::make_unique<Client>();
        m_proxySettings.clientPort = m_client->port();
        m_proxySettings.httpBaseUrl = QStringLiteral("http://127.0.0.1:8080");
        m_proxy = std::make_unique<DhcpServer>(m_lab.lab->catalog(), m_lab.lab->log());
        const Status started = m_proxy->start(m_proxySettings);
        QVERIFY2(started.ok(), qPrintable(started.error()));
        QVERIFY(m_proxy->isRunning());
    }

    void proxy_data()
    {
        QTest::addColumn<int>("arch");
        QTest::addColumn<QByteArray>("vendorClass");
        QTest::addColumn<bool>("ipxe");
        QTest::addColumn<QString>("bootFile");
        QTest::addColumn<QByteArray>("echo");
        QTest::newRow("BIOS") << 0 << QByteArray("PXEClient:Arch:00000:UNDI:002001") << false
                              << QStringLiteral("undionly.kpxe") << QByteArray("PXEClient");
        QTest::newRow("BIOS without option 93")
            << -1 << QByteArray("PXEClient") << false << QStringLiteral("undionly.kpxe") << QByteArray("PXEClient");
        QTest::newRow("UEFI x86-64 (7)") << 7 << QByteArray("PXEClient:Arch:00007:UNDI:003000") << false
                                         << QStringLiteral("ipxe.efi") << QByteArray("PXEClient");
        QTest::newRow("UEFI x86-64 (9)") << 9 << QByteArray("PXEClient:Arch:00009:UNDI:003016") << false
                                         << QStringLiteral("ipxe.efi") << QByteArray("PXEClient");
        QTest::newRow("UEFI HTTP Boot") << 16 << QByteArray("HTTPClient:Arch:00016:UNDI:003001") << false
                                        << QStringLiteral("http://127.0.0.1:8080/ipxe.efi") << QByteArray("HTTPClient");
        QTest::newRow("iPXE") << 0 << QByteArray("PXEClient:Arch:00000:UNDI:002001") << true
                              << QStringLiteral("http://127.0.0.1:8080/boot.ipxe") << QByteArray("PXEClient");
    }
    void proxy()
    {
        QFETCH(int, arch);
        QFETCH(QByteArray, vendorClass);
        QFETCH(bool, ipxe);
        QFETCH(QString, bootFile);
        QFETCH(QByteArray, echo);
        const quint32 xid = ++m_xid;
        const ClientSpec c { QStringLiteral("52:54:00:aa:00:%1").arg(xid & 0xff, 2, 16, QLatin1Char('0')), arch,
            vendorClass, ipxe };
        const auto before = m_proxy->counters();
        m_client->send(request(DhcpMessageType::Discover, c, xid), m_proxySettings.port);
        const auto offer = m_client->receive(xid);
        QVERIFY2(offer, "no OFFER");
        QCOMPARE(offer->op, quint8(2));
        QVERIFY(offer->messageType() == DhcpMessageType::Offer);
        QCOMPARE(offer->clientMac(), c.mac);
        QCOMPARE(offer->yiaddr, quint32(0)); // ProxyDHCP: no address
        QCOMPARE(offer->siaddr, QHostAddress(QHostAddress::LocalHost).toIPv4Address());
        QCOMPARE(offer->addressOption(DhcpOption::ServerId), QHostAddress(QHostAddress::LocalHost).toIPv4Address());
        QCOMPARE(offer->option(DhcpOption::VendorClass), echo);
        QCOMPARE(QString::fromLatin1(offer->file), bootFile);
        QCOMPARE(QString::fromLatin1(offer->option(DhcpOption::BootFileName)), bootFile);
        QCOMPARE(offer->option(DhcpOption::ClientUuid), QByteArray::fromHex("00000102030405060708090a0b0c0d0e0f"));
        QCOMPARE(offer->hasOption(DhcpOption::VendorSpecific), echo == "PXEClient");
        if (echo == "PXEClient")
            QCOMPARE(offer->option(DhcpOption::VendorSpecific), QByteArray::fromHex("060108ff"));
        QCOMPARE(offer->flags, DhcpPacket::BroadcastFlag);

        // Once it has an address, the client asks port 4011, from its own port.
        Client onAddress;
        DhcpPacket req = request(DhcpMessageType::Request, c, xid + 1000);
        req.ciaddr = QHostAddress(QHostAddress::LocalHost).toIPv4Address();
        onAddress.send(req, m_proxySettings.proxyPort);
        const auto ack = onAddress.receive(xid + 1000);
        QVERIFY2(ack, "no ACK on the proxy port");
        QVERIFY(ack->messageType() == DhcpMessageType::Ack);
        QCOMPARE(ack->yiaddr, quint32(0));
        QCOMPARE(ack->ciaddr, req.ciaddr);
        QCOMPARE(QString::fromLatin1(ack->option(DhcpOption::BootFileName)), bootFile);
        QCOMPARE(m_proxy->macForAddress(QHostAddress::LocalHost), c.mac);

        const auto after = m_proxy->counters();
        QCOMPARE(after.received, before.received + 2);
        QCOMPARE(after.answered, before.answered + 2);
        const auto events = m_lab.lab->catalog()->events(EventFilter { c.mac, QStringLiteral("dhcp"), 0, 100 });
        QCOMPARE(events.size(), 2);
        QVERIFY2(events[0].detail.startsWith(QLatin1String("proxy offer, ") + bootFile), qPrintable(events[0].detail));
        QVERIFY2(events[1].detail.startsWith(QLatin1String("proxy ack, ") + bootFile), qPrintable(events[1].detail));
    }

    void proxyIgnores_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("arch");
        QTest::addColumn<QByteArray>("vendorClass");
        QTest::addColumn<bool>("warned"); // a boot client we cannot serve is worth a warning
        QTest::newRow("udhcpc") << int(DhcpMessageType::Discover) << -1 << QByteArray("udhcp 1.37.0") << false;
        QTest::newRow("no vendor class") << int(DhcpMessageType::Discover) << -1 << QByteArray() << false;
        QTest::newRow("ARM64 PXE") << int(DhcpMessageType::Discover) << 11 << QByteArray("PXEClient:Arch:00011")
                                   << true;
        QTest::newRow("REQUEST on port 67") << int(DhcpMessageType::Request) << 0 << QByteArray("PXEClient") << false;
        QTest::newRow("RELEASE") << int(DhcpMessageType::Release) << 0 << QByteArray("PXEClient") << false;
    }
    void proxyIgnores()
    {
        QFETCH(int, type);
        QFETCH(int, arch);
        QFETCH(QByteArray, vendorClass);
        QFETCH(bool, warned);
        QSignalSpy log(m_lab.lab->log(), &LogBus::entryPosted);
        const quint32 xid = ++m_xid;
        const quint64 ignored = m_proxy->counters().ignored;
        m_client->send(
            request(DhcpMessageType(type), ClientSpec { QStringLiteral("52:54:00:bb:00:01"), arch, vendorClass }, xid),
            m_proxySettings.port);
        QTRY_COMPARE(m_proxy->counters().ignored, ignored + 1);
        QVERIFY(!m_client->receive(xid, 300));
        bool warning = false;
        for (const QList<QVariant> &args : std::as_const(log))
            warning |= args[0].value<LogEntry>().severity == Severity::Warning;
        QCOMPARE(warning, warned);
    }

    void snponlySetting()
    {
        DhcpServer server(nullptr, nullptr);
        DhcpSettings s = m_proxySettings;
        s.port = freeUdpPort();
        s.proxyPort = freeUdpPort();
        s.uefiBinary = QStringLiteral("snponly.efi");
        QVERIFY(server.start(s).ok());
        const quint32 xid = ++m_xid;
        m_client->send(
            request(DhcpMessageType::Discover, ClientSpec { QStringLiteral("52:54:00:cc:00:01"), 7, "PXEClient" }, xid),
            s.port);
        const auto offer = m_client->receive(xid);
        QVERIFY(offer);
        QCOMPARE(offer->file, QByteArray("snponly.efi"));
    }

    void throughRecorder()
    {
        // With a BootRecorder, answers go out at once and their events follow in its batch.
        BootRecorder recorder(m_lab.lab->catalog(), m_lab.lab->log());
        DhcpServer server(m_lab.lab->catalog(), m_lab.lab->log());
        const DhcpSettings s = startWithRecorder(&server, &recorder);
        QVERIFY(server.isRunning());
        const QString mac = QStringLiteral("52:54:00:ee:00:01");
        const quint32 xid = ++m_xid;
        m_client->send(request(DhcpMessageType::Discover, ClientSpec { mac, 9, "PXEClient" }, xid), s.port);
        QVERIFY(m_client->receive(xid));
        recorder.flush();
        const auto events = m_lab.lab->catalog()->events(EventFilter { mac, QStringLiteral("dhcp"), 0, 10 });
        QCOMPARE(events.size(), 1);
        QCOMPARE(events[0].detail, QStringLiteral("proxy offer, ipxe.efi by TFTP (UEFI x86-64)"));
        QCOMPARE(events[0].severity, QStringLiteral("info"));
    }

    void bindingThroughRecorder()
    {
        // The address a MAC asked from reaches the catalog's boot_binding through the
        // recorder's batch (not a synced commit on the DHCP thread), and the server's own
        // BootBindings has it before the answer leaves.
        BootRecorder recorder(m_lab.lab->catalog(), m_lab.lab->log());
        DhcpServer server(m_lab.lab->catalog(), m_lab.lab->log());
        auto bindings = std::make_shared<BootBindings>();
        server.setBindings(bindings);
        const DhcpSettings s = startWithRecorder(&server, &recorder);
        QVERIFY(server.isRunning());
        const QString mac = QStringLiteral("52:54:00:ee:00:02");
        const quint32 xid = ++m_xid;
        Client onAddress;
        DhcpPacket req = request(DhcpMessageType::Request, ClientSpec { mac, 7, "PXEClient" }, xid);
        req.ciaddr = QHostAddress(QHostAddress::LocalHost).toIPv4Address();
        onAddress.send(req, s.proxyPort);
        QVERIFY(onAddress.receive(xid));
        QVERIFY(bindings->binding(mac));
        QCOMPARE(bindings->binding(mac)->address, QHostAddress(QHostAddress::LocalHost));
        recorder.flush();
        const auto stored = m_lab.lab->catalog()->bootBinding(mac);
        QVERIFY(stored);
        QCOMPARE(stored->address, QStringLiteral("127.0.0.1"));
        QCOMPARE(stored->source, QStringLiteral("proxy"));
    }

    void firmwareFacts()
    {
        // A known machine's firmware PXE request, then the iPXE it chained: the facts say UEFI
        // x86-64 by PXE, chained to iPXE. A machine whose ROM is iPXE itself says iPXE.
        BootRecorder recorder(m_lab.lab->catalog(), m_lab.lab->log());
        DhcpServer server(m_lab.lab->catalog(), m_lab.lab->log());
        const DhcpSettings s = startWithRecorder(&server, &recorder);
        QVERIFY(server.isRunning());
        Catalog *c = m_lab.lab->catalog();
        for (const auto &[name, mac] : { std::pair { QStringLiteral("fw-uefi"), QStringLiteral("52:54:00:ef:00:01") },
                 std::pair { QStringLiteral("fw-ipxe"), QStringLiteral("52:54:00:ef:00:02") } }) {
            Machine m;
            m.name = name;
            m.mac = mac;
            QVERIFY(c->addMachine(m).ok());
        }
        quint32 xid = ++m_xid;
        m_client->send(
            request(DhcpMessageType::Discover, ClientSpec { QStringLiteral("52:54:00:ef:00:01"), 7, "PXEClient" }, xid),
            s.port);
        QVERIFY(m_client->receive(xid));
        recorder.flush();
        FirmwareFacts facts = c->machineByName(QStringLiteral("fw-uefi"))->firmware;
        QCOMPARE(facts.firmware, QStringLiteral("uefi"));
        QCOMPARE(facts.arch, QStringLiteral("x86-64"));
        QCOMPARE(facts.protocol, QStringLiteral("pxe"));
        QCOMPARE(facts.loader, QString());
        xid = ++m_xid;
        m_client->send(request(DhcpMessageType::Discover,
                           ClientSpec { QStringLiteral("52:54:00:ef:00:01"), 7, "PXEClient", true }, xid),
            s.port);
        QVERIFY(m_client->receive(xid));
        recorder.flush();
        facts = c->machineByName(QStringLiteral("fw-uefi"))->firmware;
        QCOMPARE(facts.protocol, QStringLiteral("pxe"));
        QCOMPARE(facts.loader, QStringLiteral("ipxe"));

        xid = ++m_xid;
        m_client->send(request(DhcpMessageType::Discover,
                           ClientSpec { QStringLiteral("52:54:00:ef:00:02"), 0, "PXEClient", true }, xid),
            s.port);
        QVERIFY(m_client->receive(xid));
        recorder.flush();
        facts = c->machineByName(QStringLiteral("fw-ipxe"))->firmware;
        QCOMPARE(facts.firmware, QStringLiteral("bios"));
        QCOMPARE(facts.protocol, QStringLiteral("ipxe"));
        QCOMPARE(facts.loader, QStringLiteral("ipxe"));
    }

    void malformedDropped()
    {
        const auto before = m_proxy->counters();
        QByteArray valid
            = request(DhcpMessageType::Discover, ClientSpec { QStringLiteral("52:54:00:dd:00:01"), 0, "PXEClient" }, 1)
                  .encode();
        const QList<QByteArray> junk {
            QByteArray(), QByteArray(10, '\x01'), valid.left(239),
            QByteArray(valid.left(240) + QByteArray::fromHex("3cff") + "PXEClient"), // option past the end
            QByteArray(valid.left(240) + QByteArray::fromHex("3501")), // type option without its byte
            QByteArray(valid).replace(0, 1, QByteArray(1, '\x02')), // a server's reply, not a request
            QByteArray(valid).replace(2, 1, QByteArray(1, '\x20')), // hlen 32
            QByteArray(valid).replace(236, 4, QByteArray(4, '\0')), // no cookie
        };
        for (const QByteArray &j : junk) {
            m_client->sendRaw(j, m_proxySettings.port);
            m_client->sendRaw(j, m_proxySettings.proxyPort);
        }
        QTRY_COMPARE(m_proxy->counters().dropped, before.dropped + quint64(2 * junk.size()));
        QCOMPARE(m_proxy->counters().answered, before.answered);
        // The next client is served as if nothing happened.
        const quint32 xid = ++m_xid;
        m_client->send(
            request(DhcpMessageType::Discover, ClientSpec { QStringLiteral("52:54:00:dd:00:02"), 0, "PXEClient" }, xid),
            m_proxySettings.port);
        QVERIFY(m_client->receive(xid));
    }

    void startFailures()
    {
        DhcpServer other(nullptr, nullptr);
        const Status inUse = other.start(m_proxySettings);
        QVERIFY(!inUse.ok());
        QVERIFY2(inUse.error().contains(QLatin1String("in use")), qPrintable(inUse.error()));
        QVERIFY(!other.isRunning());

        DhcpSettings full;
        full.mode = DhcpMode::Full;
        full.serverAddress = QHostAddress::LocalHost;
        full.port = freeUdpPort();
        full.probeFirst = false;
        full.rangeStart = QHostAddress(QStringLiteral("127.0.0.100"));
        full.rangeEnd = QHostAddress(QStringLiteral("127.0.0.110"));
        Status s = other.start(full);
        QVERIFY2(!s.ok() && s.error().contains(QLatin1String("interface")), qPrintable(s.error()));
        full.interfaceName = QStringLiteral("lo");
        full.rangeEnd = QHostAddress(QStringLiteral("127.0.0.99"));
        s = other.start(full);
        QVERIFY2(!s.ok() && s.error().contains(QLatin1String("after its end")), qPrintable(s.error()));
        full.rangeStart = QHostAddress();
        s = other.start(full);
        QVERIFY2(!s.ok() && s.error().contains(QLatin1String("range")), qPrintable(s.error()));
        full.interfaceName = QStringLiteral("nosuchif0");
        s = other.start(full);
        QVERIFY2(!s.ok() && s.error().contains(QLatin1String("nosuchif0")), qPrintable(s.error()));

        DhcpSettings off;
        off.mode = DhcpMode::Off;
        QVERIFY(other.start(off).ok());
        QVERIFY(!other.isRunning());
    }

    void fullMode_data() { addBackendRows(); }
    void fullMode()
    {
        TestLab t = openLab();
        Catalog *catalog = t.lab->catalog();
        const QString macA = QStringLiteral("52:54:00:10:00:0a"); // a machine the catalog knows
        const QString macB = QStringLiteral("52:54:00:10:00:0b"), macC = QStringLiteral("52:54:00:10:00:0c"),
                      macD = QStringLiteral("52:54:00:10:00:0d");
        Machine m;
        m.name = QStringLiteral("pc-a");
        m.mac = macA;
        QVERIFY(catalog->addMachine(m).ok());

        Client client;
        DhcpServer server(catalog, t.lab->log());
        DhcpSettings s = fullSettings(client, QStringLiteral("127.0.0.100"), QStringLiteral("127.0.0.101"));
        s.router = QHostAddress(QStringLiteral("127.0.0.1"));
        const Status started = server.start(s);
        QVERIFY2(started.ok(), qPrintable(started.error()));
        const quint32 ip100 = QHostAddress(QStringLiteral("127.0.0.100")).toIPv4Address(), ip101 = ip100 + 1;
        const quint32 ours = QHostAddress(QHostAddress::LocalHost).toIPv4Address();
        quint32 xid = 0x5000;

        auto discover = [&](const ClientSpec &c) {
            client.send(request(DhcpMessageType::Discover, c, ++xid), s.port);
            return client.receive(xid, 1000);
        };
        auto requestAddress = [&](const ClientSpec &c, quint32 address, bool withServerId = true) {
            DhcpPacket r = request(DhcpMessageType::Request, c, ++xid);
            r.setOption(DhcpOption::RequestedAddress, DhcpPacket::addressBytes(address));
            if (withServerId)
                r.setOption(DhcpOption::ServerId, DhcpPacket::addressBytes(ours));
            client.send(r, s.port);
            return client.receive(xid, 1000);
        };
        auto release = [&](const ClientSpec &c, quint32 address) {
            DhcpPacket r = request(DhcpMessageType::Release, c, ++xid);
            r.ciaddr = address;
            r.setOption(DhcpOption::ServerId, DhcpPacket::addressBytes(ours));
            client.send(r, s.port);
        };
        const ClientSpec a { macA };
        const ClientSpec b { macB, 0, "PXEClient:Arch:00000:UNDI:002001" }; // a PXE ROM
        const ClientSpec c { macC }, d { macD };

        // A known machine: OFFER and ACK of the first address, lease in the catalog.
        auto offer = discover(a);
        QVERIFY(offer && offer->messageType() == DhcpMessageType::Offer);
        QCOMPARE(offer->yiaddr, ip100);
        QCOMPARE(offer->option(DhcpOption::LeaseTime), DhcpPacket::u32Bytes(3600));
        QCOMPARE(
            offer->addressOption(DhcpOption::SubnetMask), QHostAddress(QStringLiteral("255.0.0.0")).toIPv4Address());
        QCOMPARE(offer->addressOption(DhcpOption::Router), ours);
        QVERIFY(offer->file.isEmpty()); // not a boot client: an address only
        auto ack = requestAddress(a, ip100);
        QVERIFY(ack && ack->messageType() == DhcpMessageType::Ack);
        QCOMPARE(ack->yiaddr, ip100);
        QSqlQuery q(catalog->database());
        QVERIFY(q.exec(QStringLiteral("SELECT ip, expires FROM lease WHERE mac = '%1'").arg(macA)) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("127.0.0.100"));
        const qint64 expires = q.value(1).toLongLong() - QDateTime::currentMSecsSinceEpoch();
        QVERIFY2(expires > 3590 * 1000 && expires <= 3600 * 1000, qPrintable(QString::number(expires)));
        q.finish();
        QCOMPARE(catalog->machineByName(QStringLiteral("pc-a"))->address, QStringLiteral("127.0.0.100"));
        QCOMPARE(server.macForAddress(QHostAddress(QStringLiteral("127.0.0.100"))), macA);

        // A PXE ROM gets the next address and its boot file; it cannot take A's address.
        offer = discover(b);
        QVERIFY(offer);
        QCOMPARE(offer->yiaddr, ip101);
        QCOMPARE(offer->file, QByteArray("undionly.kpxe"));
        QCOMPARE(offer->siaddr, ours);
        QCOMPARE(offer->option(DhcpOption::VendorClass), QByteArray("PXEClient"));
        auto nak = requestAddress(b, ip100);
        QVERIFY(nak && nak->messageType() == DhcpMessageType::Nak);
        QVERIFY(!nak->option(DhcpOption::Message).isEmpty());
        QCOMPARE(nak->yiaddr, quint32(0));
        ack = requestAddress(b, ip101);
        QVERIFY(ack && ack->messageType() == DhcpMessageType::Ack);
        QCOMPARE(ack->file, QByteArray("undionly.kpxe"));
        // INIT-REBOOT for an address outside the range: NAK.
        nak = requestAddress(b, QHostAddress(QStringLiteral("10.9.9.9")).toIPv4Address(), false);
        QVERIFY(nak && nak->messageType() == DhcpMessageType::Nak);
        // A REQUEST naming another server is not ours to answer.
        {
            DhcpPacket r = request(DhcpMessageType::Request, b, ++xid);
            r.setOption(DhcpOption::ServerId, DhcpPacket::addressBytes(ours + 7));
            r.setOption(DhcpOption::RequestedAddress, DhcpPacket::addressBytes(ip101));
            client.send(r, s.port);
            QVERIFY(!client.receive(xid, 300));
        }

        // Both release. A's address stays reserved for A; B's expired one goes to C.
        release(a, ip100);
        release(b, ip101);
        QTRY_VERIFY(server.counters().received >= 9);
        offer = discover(c);
        QVERIFY(offer);
        QCOMPARE(offer->yiaddr, ip101);
        ack = requestAddress(c, ip101);
        QVERIFY(ack && ack->messageType() == DhcpMessageType::Ack);
        // Nothing left for D: no answer, and a warning event says why.
        QVERIFY(!discover(d));
        const auto dEvents = catalog->events(EventFilter { macD, QStringLiteral("dhcp"), 0, 10 });
        QCOMPARE(dEvents.size(), 1);
        QCOMPARE(dEvents[0].severity, QStringLiteral("warning"));
        QVERIFY2(dEvents[0].detail.contains(QLatin1String("no free address")), qPrintable(dEvents[0].detail));
        // A comes back to its address.
        offer = discover(a);
        QVERIFY(offer);
        QCOMPARE(offer->yiaddr, ip100);

        const auto aEvents = catalog->events(EventFilter { QStringLiteral("pc-a"), QStringLiteral("dhcp"), 0, 10 });
        QVERIFY(aEvents.size() >= 3);
        QCOMPARE(aEvents[0].detail, QStringLiteral("offer 127.0.0.100"));
        QCOMPARE(aEvents[1].detail, QStringLiteral("ack 127.0.0.100"));
        QCOMPARE(aEvents[1].machine, QStringLiteral("pc-a"));
        const auto bEvents = catalog->events(EventFilter { macB, QStringLiteral("dhcp"), 0, 10 });
        QVERIFY(!bEvents.isEmpty());
        QCOMPARE(bEvents[0].detail, QStringLiteral("offer 127.0.0.101, undionly.kpxe by TFTP"));
    }

    // A classroom at once: DISCOVERs and REQUESTs that queue together are one batch of leases
    // (one commit); each client still gets its own address, a second client asking for an
    // address taken in the same batch gets a NAK, and a batch the catalog refuses is answered
    // by no OFFER and no ACK at all (every REQUEST a NAK with the reason).
    void fullModeBurst_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::addColumn<bool>("refuse");
        QTest::newRow("sqlite") << QStringLiteral("sqlite") << false;
        QTest::newRow("postgresql") << QStringLiteral("postgresql") << false;
        QTest::newRow("sqlite, the batch refused") << QStringLiteral("sqlite") << true;
    }

    void fullModeBurst()
    {
        QFETCH(bool, refuse);
        TestLab t = openLab();
        Catalog *catalog = t.lab->catalog();
        Client client;
        DhcpServer server(catalog, t.lab->log());
        const DhcpSettings s = fullSettings(client, QStringLiteral("127.0.1.1"), QStringLiteral("127.0.1.60"));
        const Status started = server.start(s);
        QVERIFY2(started.ok(), qPrintable(started.error()));
        const quint32 ours = QHostAddress(QHostAddress::LocalHost).toIPv4Address();
        constexpr int clients = 30;
        const auto macOf = [](int i) { return QStringLiteral("52:54:00:20:00:%1").arg(i, 2, 16, QLatin1Char('0')); };

        if (refuse) {
            QSqlQuery trigger(catalog->database());
            QVERIFY(trigger.exec(QStringLiteral("CREATE TEMP TRIGGER refuse_lease BEFORE INSERT ON lease "
                                                "BEGIN SELECT RAISE(ABORT, 'disk full (injected)'); END")));
        }
        // Every DISCOVER is sent before the server's thread reads any of them.
        for (int i = 0; i < clients; ++i)
            client.send(request(DhcpMessageType::Discover, ClientSpec { macOf(i) }, 0x7000 + quint32(i)), s.port);
        QSet<quint32> discovers;
        for (int i = 0; i < clients; ++i)
            discovers.insert(0x7000 + quint32(i));
        const QHash<quint32, DhcpPacket> offers = client.receiveAll(discovers, refuse ? 500 : 3000);
        QHash<int, quint32> offered;
        for (int i = 0; i < clients && !refuse; ++i) {
            const auto offer = offers.constFind(0x7000 + quint32(i));
            QVERIFY2(offer != offers.cend() && offer->messageType() == DhcpMessageType::Offer, qPrintable(macOf(i)));
            offered.insert(i, offer->yiaddr);
        }
        if (refuse) {
            QVERIFY(offers.isEmpty()); // no OFFER of an address that was not stored
            offered.insert(0, QHostAddress(QStringLiteral("127.0.1.1")).toIPv4Address());
            offered.insert(1, QHostAddress(QStringLiteral("127.0.1.2")).toIPv4Address());
        }
        QCOMPARE(QSet<quint32>(offered.cbegin(), offered.cend()).size(), offered.size()); // all different

        // The REQUESTs, and a stranger asking for client 0's address, in one burst.
        const int asked = refuse ? 2 : clients;
        for (int i = 0; i < asked; ++i) {
            DhcpPacket r = request(DhcpMessageType::Request, ClientSpec { macOf(i) }, 0x8000 + quint32(i));
            r.setOption(DhcpOption::RequestedAddress, DhcpPacket::addressBytes(offered.value(i)));
            r.setOption(DhcpOption::ServerId, DhcpPacket::addressBytes(ours));
            client.send(r, s.port);
        }
        DhcpPacket stranger = request(DhcpMessageType::Request, ClientSpec { macOf(99) }, 0x8099);
        stranger.setOption(DhcpOption::RequestedAddress, DhcpPacket::addressBytes(offered.value(0)));
        stranger.setOption(DhcpOption::ServerId, DhcpPacket::addressBytes(ours));
        client.send(stranger, s.port);
        QSet<quint32> requests { 0x8099 };
        for (int i = 0; i < asked; ++i)
            requests.insert(0x8000 + quint32(i));
        const QHash<quint32, DhcpPacket> answers = client.receiveAll(requests);
        for (int i = 0; i < asked; ++i) {
            const auto answer = answers.constFind(0x8000 + quint32(i));
            QVERIFY2(answer != answers.cend(), qPrintable(macOf(i)));
            if (refuse) {
                QCOMPARE(answer->messageType(), DhcpMessageType::Nak);
                QVERIFY2(answer->option(DhcpOption::Message).contains("disk full (injected)"),
                    answer->option(DhcpOption::Message).constData());
            } else {
                QCOMPARE(answer->messageType(), DhcpMessageType::Ack);
                QCOMPARE(answer->yiaddr, offered.value(i));
            }
        }
        QVERIFY(answers.contains(0x8099));
        QCOMPARE(answers.value(0x8099).messageType(), DhcpMessageType::Nak);

        QSqlQuery q(catalog->database());
        QVERIFY(q.exec(QStringLiteral("SELECT mac, ip FROM lease")));
        QHash<QString, QString> stored;
        while (q.next())
            stored.insert(q.value(0).toString(), q.value(1).toString());
        if (refuse) {
            QVERIFY(stored.isEmpty());
            const auto events = catalog->events(EventFilter { macOf(0), QStringLiteral("dhcp"), 0, 10 });
            QVERIFY(!events.isEmpty());
            QVERIFY2(events[0].detail.contains(QLatin1String("disk full (injected)")), qPrintable(events[0].detail));
            return;
        }
        QCOMPARE(stored.size(), clients);
        // One transaction per burst read together, not one per client (60 here).
        QVERIFY2(server.counters().leaseCommits <= 4, qPrintable(QString::number(server.counters().leaseCommits)));
        for (int i = 0; i < clients; ++i)
            QCOMPARE(stored.value(macOf(i)), QHostAddress(offered.value(i)).toString());
        QVERIFY(!stored.contains(macOf(99)));
    }
};

QTEST_GUILESS_MAIN(TstDhcpServer)
#include "tst_dhcpserver.moc"
