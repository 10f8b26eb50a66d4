// Full DHCP mode against busybox udhcpc across a veth pair between two network namespaces
// made for the test: the server's sockets live in one (the test thread enters it only while
// start() creates them), the client runs in the other. Also the rogue-server check: with
// dnsmasq answering on the segment, full mode refuses to start and names it. Nothing of this
// touches the host's own network; the namespaces go away in cleanup(), even after a failure.
#include "boot/dhcp/dhcpleases.h"
#include "boot/dhcp/dhcpserver.h"
#include "boot/net/udpbind.h"
#include "catalog/catalog.h"
#include "netns.h"
#include "testlab.h"

#include <QElapsedTimer>
#include <QFile>
#include <QNetworkDatagram>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTest>
#include <QUdpSocket>

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

using namespace drover;
using namespace drover::test;

namespace {

// Names carry the process id: several build trees may run this test at once on one host.
const QString kPid = QString::number(::getpid());
const QString kServerNs = QStringLiteral("drv-dhcp-s-") + kPid;
const QString kClientNs = QStringLiteral("drv-dhcp-c-") + kPid;
const QString kServerIf = QStringLiteral("drvs") + kPid;
const QString kClientIf = QStringLiteral("drvc") + kPid;

bool ip(const QStringList &args, QString *output = nullptr)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("ip"), args);
    const bool ok = p.waitForFinished(10000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (output)
        *output = QString::fromLocal8Bit(p.readAll());
    return ok;
}

// `ip netns exec` and `ip -n` remount / and /sys, which fails inside the build root (its / is
// no mount point); nsenter only switches the network namespace, which is all we need.
QStringList inNamespace(const QString &ns, const QString &program, const QStringList &args)
{
    return QStringList { QStringLiteral("--net=/run/netns/") + ns, program } + args;
}

bool nsIp(const QString &ns, const QStringList &args, QString *output = nullptr)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("nsenter"), inNamespace(ns, QStringLiteral("ip"), args));
    const bool ok = p.waitForFinished(10000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (output)
        *output = QString::fromLocal8Bit(p.readAll());
    return ok;
}

} // namespace

class TstDhcpNetns : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_dnsmasq;

    void removeNamespaces()
    {
        if (m_dnsmasq) {
            m_dnsmasq->kill();
            m_dnsmasq->waitForFinished(5000);
            m_dnsmasq.reset();
        }
        ip({ QStringLiteral("netns"), QStringLiteral("del"), kServerNs });
        ip({ QStringLiteral("netns"), QStringLiteral("del"), kClientNs });
    }

    QString clientMac()
    {
        QString out;
        nsIp(kClientNs, { QStringLiteral("-o"), QStringLiteral("link"), QStringLiteral("show"), kClientIf }, &out);
        const int at = out.indexOf(QLatin1String("link/ether "));
        return at < 0 ? QString() : out.mid(at + 11, 17);
    }

    Status startServer(DhcpServer *server, const DhcpSettings &settings)
    {
        InNamespace ns(kServerNs);
        if (!ns.entered())
            return Status::failure(QStringLiteral("cannot enter namespace %1").arg(kServerNs));
        return server->start(settings);
    }

    static DhcpSettings fullSettings()
    {
        DhcpSettings s;
        s.mode = DhcpMode::Full;
        s.interfaceName = kServerIf;
        s.httpBaseUrl = QStringLiteral("http://10.231.0.1:8080");
        s.rangeStart = QHostAddress(QStringLiteral("10.231.0.50"));
        s.rangeEnd = QHostAddress(QStringLiteral("10.231.0.60"));
        s.router = QHostAddress(QStringLiteral("10.231.0.1"));
        return s;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("network namespaces need root");
        for (const char *tool : { "ip", "nsenter", "busybox", "dnsmasq" }) {
            if (QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty())
                QSKIP(qPrintable(QStringLiteral("%1 is not installed").arg(QString::fromLatin1(tool))));
        }
        QVERIFY(m_dir.isValid());
    }

    void init()
    {
        removeNamespaces(); // leftovers of a failed init()
        QString out;
        QVERIFY2(ip({ QStringLiteral("netns"), QStringLiteral("add"), kServerNs }, &out), qPrintable(out));
        QVERIFY2(ip({ QStringLiteral("netns"), QStringLiteral("add"), kClientNs }, &out), qPrintable(out));
        QVERIFY2(ip({ QStringLiteral("link"), QStringLiteral("add"), kServerIf, QStringLiteral("netns"), kServerNs,
                        QStringLiteral("type"), QStringLiteral("veth"), QStringLiteral("peer"), QStringLiteral("name"),
                        kClientIf, QStringLiteral("netns"), kClientNs },
                     &out),
            qPrintable(out));
        QVERIFY(nsIp(kServerNs,
            { QStringLiteral("addr"), QStringLiteral("add"), QStringLiteral("10.231.0.1/24"), QStringLiteral("dev"),
                kServerIf }));
        for (const auto &[ns, dev] : { std::pair(kServerNs, kServerIf), std::pair(kClientNs, kClientIf) }) {
            QVERIFY(nsIp(ns, { QStringLiteral("link"), QStringLiteral("set"), dev, QStringLiteral("up") }));
            QVERIFY(nsIp(
                ns, { QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"), QStringLiteral("up") }));
        }
    }

    void cleanup() { removeNamespaces(); }

    void udhcpc_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::addColumn<bool>("pxe");
        QTest::newRow("sqlite, the OS of a ready machine") << QStringLiteral("sqlite") << false;
        QTest::newRow("sqlite, as a BIOS PXE ROM, known machine") << QStringLiteral("sqlite") << true;
        QTest::newRow("postgresql, the OS of a ready machine") << QStringLiteral("postgresql") << false;
        QTest::newRow("postgresql, as a BIOS PXE ROM, known machine") << QStringLiteral("postgresql") << true;
    }
    void udhcpc()
    {
        QFETCH(QString, backend);
        QFETCH(bool, pxe);
        QString why;
        TestLab t = openTestLab(backend, &why);
        QVERIFY2(t.lab, qPrintable(why));
        const QString mac = clientMac();
        QVERIFY2(mac.size() == 17, qPrintable(mac));
        Machine m;
        m.name = QStringLiteral("pc-ns");
        m.mac = mac;
        QVERIFY(t.lab->catalog()->addMachine(m).ok());
        if (!pxe) // a machine that booted, its OS now asking for a lease
            QVERIFY(t.lab->catalog()->recordMachineSeen(m.name, MachineState::Ready, QStringLiteral("ready"), {}).ok());

        DhcpServer server(t.lab->catalog(), t.lab->log());
        QElapsedTimer clock;
        clock.start();
        const Status started = startServer(&server, fullSettings()); // probes the segment first: nobody there
        QVERIFY2(started.ok(), qPrintable(started.error()));
        const qint64 probeMs = clock.elapsed();
        QVERIFY2(probeMs >= 4500, "the probe waited for other servers"); // it really listened

        const QString tag = QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('_'));
        const QString report = m_dir.filePath(QStringLiteral("udhcpc-%1.txt").arg(tag));
        const QString script = m_dir.filePath(QStringLiteral("udhcpc.sh"));
        QFile f(script);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("#!/bin/sh\n"
                "echo \"$1 ip=$ip subnet=$subnet router=$router serverid=$serverid lease=$lease siaddr=$siaddr "
                "boot_file=$boot_file\" >> \"$UDHCPC_REPORT\"\n");
        f.close();
        QVERIFY(f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));

        QProcess udhcpc;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("UDHCPC_REPORT"), report);
        udhcpc.setProcessEnvironment(env);
        udhcpc.setProcessChannelMode(QProcess::MergedChannels);
        QStringList args = inNamespace(kClientNs, QStringLiteral("busybox"), { QStringLiteral("udhcpc") });
        args << QStringLiteral("-i") << kClientIf << QStringLiteral("-n") << QStringLiteral("-q")
             << QStringLiteral("-f") << QStringLiteral("-t") << QStringLiteral("5") << QStringLiteral("-T")
             << QStringLiteral("1") << QStringLiteral("-s") << script;
        if (pxe)
            args << QStringLiteral("-V") << QStringLiteral("PXEClient:Arch:00000:UNDI:002001") << QStringLiteral("-x")
                 << QStringLiteral("0x5d:0000");
        QSignalSpy done(&udhcpc, &QProcess::finished);
        udhcpc.start(QStringLiteral("nsenter"), args);
        QVERIFY(done.wait(30000)); // the server answers from this event loop meanwhile
        const QByteArray output = udhcpc.readAll();
        QVERIFY2(udhcpc.exitCode() == 0, output.constData());

        QFile r(report);
        QVERIFY(r.open(QIODevice::ReadOnly));
        const QString line
            = QString::fromLocal8Bit(r.readAll()).split(QLatin1Char('\n')).filter(QStringLiteral("bound")).value(0);
        QVERIFY2(!line.isEmpty(), output.constData());
        const QString address = line.section(QStringLiteral("ip="), 1).section(QLatin1Char(' '), 0, 0);
        const quint32 v4 = QHostAddress(address).toIPv4Address();
        QVERIFY2(v4 >= QHostAddress(QStringLiteral("10.231.0.50")).toIPv4Address()
                && v4 <= QHostAddress(QStringLiteral("10.231.0.60")).toIPv4Address(),
            qPrintable(line));
        QVERIFY2(line.contains(QLatin1String("subnet=255.255.255.0")), qPrintable(line));
        QVERIFY2(line.contains(QLatin1String("router=10.231.0.1")), qPrintable(line));
        QVERIFY2(line.contains(QLatin1String("serverid=10.231.0.1")), qPrintable(line));
        QVERIFY2(line.contains(QLatin1String("lease=3600")), qPrintable(line));
        if (pxe) {
            QVERIFY2(line.contains(QLatin1String("boot_file=undionly.kpxe")), qPrintable(line));
            QVERIFY2(line.contains(QLatin1String("siaddr=10.231.0.1")), qPrintable(line));
        } else {
            QVERIFY2(line.endsWith(QLatin1String("boot_file=")), qPrintable(line));
        }

        // The lease is in the catalog, bound to the client's MAC.
        QSqlQuery q(t.lab->catalog()->database());
        QVERIFY(q.exec(QStringLiteral("SELECT ip, expires FROM lease WHERE mac = '%1'").arg(mac)));
        QVERIFY2(q.next(), "no lease row");
        QCOMPARE(q.value(0).toString(), address);
        QVERIFY(q.value(1).toLongLong() > QDateTime::currentMSecsSinceEpoch() + 3500 * 1000);
        q.finish();
        const auto events = t.lab->catalog()->events(EventFilter { mac, QStringLiteral("dhcp"), 0, 10 });
        QVERIFY(events.size() >= 2);
        QVERIFY2(events.last().detail.startsWith(QLatin1String("ack ") + address), qPrintable(events.last().detail));
        QCOMPARE(events.last().machine, QStringLiteral("pc-ns"));
        if (pxe) {
            QCOMPARE(t.lab->catalog()->machineByName(QStringLiteral("pc-ns"))->address, address);
            QCOMPARE(t.lab->catalog()->machineByName(QStringLiteral("pc-ns"))->state, MachineState::Booting);
        } else {
            // The running OS renewing its lease does not start a boot; it says where it is.
            QCOMPARE(t.lab->catalog()->machineByName(QStringLiteral("pc-ns"))->state, MachineState::Ready);
            QCOMPARE(t.lab->catalog()->machineByName(QStringLiteral("pc-ns"))->address, address);
        }
        QCOMPARE(server.macForAddress(QHostAddress(address)), mac);
        qInfo("udhcpc got %s; start() with the probe took %lld ms", qPrintable(address), probeMs);
    }

    void proxyBroadcast()
    {
        // A PXE ROM has no address yet: it broadcasts from 0.0.0.0, and the ProxyDHCP OFFER
        // must come back as a broadcast on the interface the DISCOVER came in on. Here the
        // server listens on every interface (no SO_BINDTODEVICE) and finds both the interface
        // (IP_PKTINFO) and its own address on it. The whole test runs in the server's
        // namespace, so that those lookups see what a server there would see.
        InNamespace inServer(kServerNs);
        QVERIFY(inServer.entered());
        QString why;
        TestLab t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(t.lab, qPrintable(why));
        DhcpServer server(t.lab->catalog(), t.lab->log());
        DhcpSettings s;
        s.mode = DhcpMode::Proxy;
        s.httpBaseUrl = QStringLiteral("http://10.231.0.1:8080");
        const Status started = server.start(s);
        QVERIFY2(started.ok(), qPrintable(started.error()));

        std::unique_ptr<QUdpSocket> rom;
        {
            InNamespace inClient(kClientNs);
            QVERIFY(inClient.entered());
            auto bound = bindUdpSocket(UdpBindOptions { QStringLiteral("test"), kClientIf, QHostAddress::AnyIPv4, 68 });
            QVERIFY2(bound.ok(), qPrintable(bound.error()));
            rom = std::move(bound).value();
        }
        DhcpPacket discover;
        discover.xid = 0x7e57;
        discover.flags = DhcpPacket::BroadcastFlag;
        discover.chaddr = QByteArray::fromHex("525400abcdef") + QByteArray(10, '\0');
        discover.setOption(DhcpOption::MessageType, QByteArray(1, char(DhcpMessageType::Discover)));
        discover.setOption(DhcpOption::ClientArch, QByteArray::fromHex("0007"));
        discover.setOption(DhcpOption::VendorClass, "PXEClient:Arch:00007:UNDI:003000");
        QSignalSpy ready(rom.get(), &QUdpSocket::readyRead);
        QVERIFY(rom->writeDatagram(discover.encode(), QHostAddress::Broadcast, 67) > 0);
        QVERIFY2(ready.wait(3000), "no OFFER came back");
        const QNetworkDatagram d = rom->receiveDatagram();
        QCOMPARE(d.destinationAddress(), QHostAddress(QHostAddress::Broadcast));
        QCOMPARE(d.senderAddress(), QHostAddress(QStringLiteral("10.231.0.1")));
        auto offer = DhcpPacket::parse(d.data());
        QVERIFY(offer.ok());
        QCOMPARE(offer->xid, quint32(0x7e57));
        QVERIFY(offer->messageType() == DhcpMessageType::Offer);
        QCOMPARE(offer->siaddr, QHostAddress(QStringLiteral("10.231.0.1")).toIPv4Address());
        QCOMPARE(
            offer->addressOption(DhcpOption::ServerId), QHostAddress(QStringLiteral("10.231.0.1")).toIPv4Address());
        QCOMPARE(offer->file, QByteArray("ipxe.efi"));
        QCOMPARE(offer->yiaddr, quint32(0));
    }

    void rogueServer()
    {
        // dnsmasq as the lab's own DHCP server on the client side of the segment.
        QVERIFY(nsIp(kClientNs,
            { QStringLiteral("addr"), QStringLiteral("add"), QStringLiteral("10.231.0.2/24"), QStringLiteral("dev"),
                kClientIf }));
        m_dnsmasq = std::make_unique<QProcess>();
        m_dnsmasq->setProcessChannelMode(QProcess::MergedChannels);
        m_dnsmasq->start(QStringLiteral("nsenter"),
            inNamespace(kClientNs, QStringLiteral("dnsmasq"),
                { QStringLiteral("--no-daemon"), QStringLiteral("--conf-file=/dev/null"), QStringLiteral("--port=0"),
                    QStringLiteral("--interface=") + kClientIf, QStringLiteral("--bind-interfaces"),
                    QStringLiteral("--dhcp-range=10.231.0.100,10.231.0.150,1h"),
                    QStringLiteral("--dhcp-leasefile=") + m_dir.filePath(QStringLiteral("dnsmasq.leases")),
                    QStringLiteral("--pid-file=") + m_dir.filePath(QStringLiteral("dnsmasq.pid")),
                    QStringLiteral("--user=root"), QStringLiteral("--group=root"), QStringLiteral("--log-facility=-"),
                    QStringLiteral("--log-dhcp") }));
        QVERIFY(m_dnsmasq->waitForStarted(5000));
        // Ready once its DHCP socket is bound.
        auto listening = [] {
            QProcess ss;
            ss.start(QStringLiteral("nsenter"),
                inNamespace(
                    kClientNs, QStringLiteral("ss"), { QStringLiteral("-Hlun"), QStringLiteral("sport = :67") }));
            ss.waitForFinished(5000);
            return !ss.readAll().trimmed().isEmpty();
        };
        QTRY_VERIFY_WITH_TIMEOUT(listening(), 10000);
        QVERIFY2(m_dnsmasq->state() == QProcess::Running, m_dnsmasq->readAll().constData());

        QString why;
        TestLab t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(t.lab, qPrintable(why));
        DhcpServer server(t.lab->catalog(), t.lab->log());
        QElapsedTimer clock;
        clock.start();
        const Status refused = startServer(&server, fullSettings());
        QVERIFY2(!refused.ok(), m_dnsmasq->readAll().constData());
        QVERIFY2(refused.error().contains(QLatin1String("another DHCP server")), qPrintable(refused.error()));
        QVERIFY2(refused.error().contains(QLatin1String("10.231.0.2")), qPrintable(refused.error()));
        QVERIFY(!server.isRunning());
        qInfo("refused after %lld ms: %s", clock.elapsed(), qPrintable(refused.error()));

        // Proxy mode may run beside it: that is what it is for.
        DhcpSettings proxy = fullSettings();
        proxy.mode = DhcpMode::Proxy;
        const Status beside = startServer(&server, proxy);
        QVERIFY2(beside.ok(), qPrintable(beside.error()));
        QVERIFY(server.isRunning());
    }
};

QTEST_GUILESS_MAIN(TstDhcpNetns)
#include "tst_dhcp_netns.moc"
