// The lab as a student sees it (issue 13, docs/security.md): Drover (`drover --headless`, the
// real binary) serves full DHCP, TFTP and HTTP on a bridge in a network namespace made for
// the test. A "victim" and a "student" host, each in its own namespace on that bridge, take
// real DHCP leases with busybox udhcpc. While the student floods the server (DHCP DECLINEs,
// TFTP requests asking timeout=255, 3,000 idle HTTP connections) the victim still gets its
// iPXE binary by TFTP (tftp-hpa), its script, its configuration and reaches ready; and
// every attack on the victim — its script, its configuration and NoCloud data with and
// without its stolen token, forged ready and failed reports — is refused and changes
// nothing the fleet table shows. A third host still gets a lease afterwards.
// Runs as root (namespaces, ports 67/69/80); the namespaces go away in cleanup().
#include "catalog/catalog.h"
#include "lab/lab.h"
#include "netns.h"
#include "tst_http_support.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace drover;
using namespace drover::test;

namespace {

const QString kPid = QString::number(::getpid() % 100000);
const QString kLabNs = QStringLiteral("drv-atk-lab-") + kPid;
const QString kVictimNs = QStringLiteral("drv-atk-v-") + kPid;
const QString kStudentNs = QStringLiteral("drv-atk-s-") + kPid;
const QString kLateNs = QStringLiteral("drv-atk-l-") + kPid;
// Addresses that exist only inside the namespaces this test makes.
const QString kSubnet = QStringLiteral("10.201.%1.").arg(::getpid() % 200 + 20);
const QString kServer = kSubnet + QStringLiteral("1");
const QString kVictimMac = QStringLiteral("52:54:00:a7:00:01");
const QString kStudentMac = QStringLiteral("52:54:00:a7:00:02");
const QString kLateMac = QStringLiteral("52:54:00:a7:00:03");
const QByteArray kSecret = "victim-only-secret-7f3a";

struct Run {
    int exitCode = -1;
    QByteArray out;
};

Run run(const QString &program, const QStringList &args, int timeoutMs = 30000)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    Run r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(2000);
        r.out = "timed out: " + p.readAll();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAll();
    return r;
}

// nsenter switches only the network namespace (ip netns exec remounts /sys, which fails
// inside the build root).
Run inNs(const QString &ns, const QString &program, const QStringList &args, int timeoutMs = 30000)
{
    return run(
        QStringLiteral("nsenter"), QStringList { QStringLiteral("--net=/run/netns/") + ns, program } + args, timeoutMs);
}

struct Http {
    int status = 0;
    QByteArray body;
};

// GET from a host: the status and the body.
Http get(const QString &ns, const QString &path)
{
    const Run r = inNs(ns, QStringLiteral("curl"),
        { QStringLiteral("-s"), QStringLiteral("-m"), QStringLiteral("10"), QStringLiteral("-w"),
            QStringLiteral("\n%{http_code}"), QStringLiteral("http://%1%2").arg(kServer, path) });
    Http h;
    const qsizetype nl = r.out.lastIndexOf('\n');
    if (nl >= 0) {
        h.status = r.out.mid(nl + 1).trimmed().toInt();
        h.body = r.out.left(nl);
    }
    return h;
}

quint32 ipv4(const QString &text)
{
    in_addr a {};
    ::inet_pton(AF_INET, text.toLatin1().constData(), &a);
    return ntohl(a.s_addr);
}

// A DHCPDECLINE as a client would send it: BOOTP header, cookie, options 53, 50, 54, 61.
QByteArray decline(const QByteArray &mac, quint32 address, quint32 server)
{
    QByteArray p(240, '\0');
    p[0] = 1; // BOOTREQUEST
    p[1] = 1; // Ethernet
    p[2] = 6;
    p[4] = char(0x13);
    p[5] = char(0x37);
    p.replace(28, 6, mac);
    p[236] = char(99);
    p[237] = char(130);
    p[238] = char(83);
    p[239] = char(99);
    auto be = [](quint32 v) {
        QByteArray b(4, '\0');
        for (int i = 0; i < 4; ++i)
            b[i] = char((v >> (24 - 8 * i)) & 0xff);
        return b;
    };
    p += QByteArray("\x35\x01\x04", 3); // DHCPDECLINE
    p += QByteArray("\x32\x04", 2) + be(address);
    p += QByteArray("\x36\x04", 2) + be(server);
    p += QByteArray("\x3d\x07\x01", 3) + mac;
    p += '\xff';
    p.resize(300, '\0');
    return p;
}

} // namespace

class TestAttack : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Lab> m_lab;
    QProcess m_server;
    TestImage m_image;

    bool sh(const QStringList &args) { return run(QStringLiteral("ip"), args).exitCode == 0; }
    bool nsIp(const QString &ns, const QStringList &args) { return inNs(ns, QStringLiteral("ip"), args).exitCode == 0; }

    // A host on the bridge: its own namespace, a veth pair with MAC `mac` on its side.
    bool addHost(const QString &ns, const QString &ifSuffix, const QString &mac)
    {
        const QString outer = QStringLiteral("atk") + ifSuffix + kPid;
        return sh({ QStringLiteral("netns"), QStringLiteral("add"), ns })
            && nsIp(kLabNs,
                { QStringLiteral("link"), QStringLiteral("add"), outer, QStringLiteral("type"), QStringLiteral("veth"),
                    QStringLiteral("peer"), QStringLiteral("name"), QStringLiteral("eth0"), QStringLiteral("netns"),
                    ns })
            && nsIp(kLabNs,
                { QStringLiteral("link"), QStringLiteral("set"), outer, QStringLiteral("master"), QStringLiteral("br0"),
                    QStringLiteral("up") })
            && nsIp(ns, { QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"), QStringLiteral("up") })
            && nsIp(ns,
                { QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("eth0"), QStringLiteral("address"),
                    mac })
            && nsIp(
                ns, { QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("eth0"), QStringLiteral("up") });
    }

    // busybox udhcpc in the host's namespace; the address it got, or empty.
    QString lease(const QString &ns)
    {
        const QString script = m_dir.filePath(QStringLiteral("udhcpc.sh"));
        if (!QFile::exists(script)) {
            QFile f(script);
            if (!f.open(QIODevice::WriteOnly))
                return {};
            f.write("#!/bin/sh\n"
                    "case $1 in bound|renew) ip addr flush dev $interface; ip addr add $ip/24 dev $interface;"
                    " echo \"LEASE $ip\";; esac\n");
            f.close();
            f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        }
        const Run r = inNs(ns, QStringLiteral("busybox"),
            { QStringLiteral("udhcpc"), QStringLiteral("-i"), QStringLiteral("eth0"), QStringLiteral("-n"),
                QStringLiteral("-q"), QStringLiteral("-f"), QStringLiteral("-t"), QStringLiteral("6"),
                QStringLiteral("-T"), QStringLiteral("1"), QStringLiteral("-s"), script },
            30000);
        const auto m = QRegularExpression(QStringLiteral("LEASE (\\S+)")).match(QString::fromLatin1(r.out));
        return m.hasMatch() ? m.captured(1) : QString();
    }

    Machine machine(const QString &name)
    {
        auto m = m_lab->catalog()->machineByName(name);
        return m ? *m : Machine {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(::geteuid() == 0, "the attack suite needs root (namespaces, ports 67, 69 and 80)");
        QVERIFY(m_dir.isValid());
        const QString exe = qEnvironmentVariable("DROVER_EXECUTABLE");
        QVERIFY2(QFile::exists(exe), "DROVER_EXECUTABLE is not set to the built drover");

        LabOptions options;
        options.dataDir = m_dir.filePath(QStringLiteral("data"));
        auto lab = Lab::open(options);
        QVERIFY2(lab, qPrintable(lab ? QString() : lab.error()));
        m_lab = std::move(*lab);
        auto image = addTestImage(m_lab.get(), QStringLiteral("lab-os"), QStringLiteral("1"));
        QVERIFY2(image, qPrintable(image ? QString() : image.error()));
        m_image = *image;
        Catalog *c = m_lab->catalog();
        QVERIFY(c->addMachine(testMachine(QStringLiteral("victim"), kVictimMac, QStringLiteral("room"))).ok());
        QVERIFY(c->addMachine(testMachine(QStringLiteral("student"), kStudentMac, QStringLiteral("room"))).ok());
        QVERIFY(
            c->assign(TargetKind::Group, QStringLiteral("room"), m_image.record.tag(), QStringLiteral("admin"),
                 QStringLiteral("attack suite"))
                .ok());
        // The victim's configuration holds a secret the student must never read.
        QFile config(m_dir.filePath(QStringLiteral("victim.json")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("{ \"hostname\": \"victim\", \"files\": [ { \"path\": \"/etc/secret.txt\", \"content\": \""
            + kSecret + "\" } ] }");
        config.close();
        const Run set = run(exe,
            { QStringLiteral("--data"), options.dataDir, QStringLiteral("config"), QStringLiteral("set"),
                QStringLiteral("victim"), config.fileName() });
        QVERIFY2(set.exitCode == 0, set.out.constData());

        // The lab segment: a bridge with the server's address; three hosts on it.
        QVERIFY(sh({ QStringLiteral("netns"), QStringLiteral("add"), kLabNs }));
        QVERIFY(nsIp(
            kLabNs, { QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"), QStringLiteral("up") }));
        QVERIFY(nsIp(kLabNs,
            { QStringLiteral("link"), QStringLiteral("add"), QStringLiteral("br0"), QStringLiteral("type"),
                QStringLiteral("bridge") }));
        QVERIFY(nsIp(kLabNs,
            { QStringLiteral("addr"), QStringLiteral("add"), kServer + QStringLiteral("/24"), QStringLiteral("dev"),
                QStringLiteral("br0") }));
        QVERIFY(nsIp(
            kLabNs, { QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("br0"), QStringLiteral("up") }));
        QVERIFY(addHost(kVictimNs, QStringLiteral("v"), kVictimMac));
        QVERIFY(addHost(kStudentNs, QStringLiteral("s"), kStudentMac));
        QVERIFY(addHost(kLateNs, QStringLiteral("l"), kLateMac));

        // A pool of ten addresses: a hundred honoured DECLINEs would empty it many times.
        m_server.setProcessChannelMode(QProcess::MergedChannels);
        m_server.setStandardOutputFile(m_dir.filePath(QStringLiteral("server.log")));
        m_server.start(QStringLiteral("nsenter"),
            { QStringLiteral("--net=/run/netns/") + kLabNs, exe, QStringLiteral("--data"), options.dataDir,
                QStringLiteral("--headless"), QStringLiteral("--dhcp"), QStringLiteral("full"),
                QStringLiteral("--interface"), QStringLiteral("br0"), QStringLiteral("--http-port"),
                QStringLiteral("80"), QStringLiteral("--tftp-port"), QStringLiteral("69"), QStringLiteral("--range"),
                kSubnet + QStringLiteral("100-") + kSubnet + QStringLiteral("109") });
        QVERIFY(m_server.waitForStarted());
        bool up = false;
        for (int i = 0; i < 100 && !up; ++i) {
            QThread::msleep(200);
            up = get(kLabNs, QStringLiteral("/boot.ipxe")).status == 200;
        }
        QVERIFY2(up, qPrintable(QStringLiteral("the server did not start: ") + serverLog()));
    }

    void cleanupTestCase()
    {
        if (m_server.state() != QProcess::NotRunning) {
            m_server.terminate();
            if (!m_server.waitForFinished(10000))
                m_server.kill();
        }
        for (const QString &ns : { kVictimNs, kStudentNs, kLateNs, kLabNs })
            sh({ QStringLiteral("netns"), QStringLiteral("del"), ns });
    }

    void attacks()
    {
        const QString victimIp = lease(kVictimNs);
        QVERIFY2(!victimIp.isEmpty(), qPrintable(QStringLiteral("the victim got no lease; ") + serverLog()));
        const QString studentIp = lease(kStudentNs);
        QVERIFY2(!studentIp.isEmpty(), qPrintable(QStringLiteral("the student got no lease; ") + serverLog()));
        QVERIFY(victimIp != studentIp);

        // --- The student floods the server.
        // 1. A hundred DECLINEs for every address of the pool, from made-up MACs and from the
        //    student's own.
        {
            InNamespace in(kStudentNs);
            QVERIFY(in.entered());
            const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            QVERIFY(fd >= 0);
            const int one = 1;
            ::setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
            sockaddr_in to {};
            to.sin_family = AF_INET;
            to.sin_port = htons(67);
            to.sin_addr.s_addr = htonl(ipv4(kServer));
            for (int i = 0; i < 100; ++i) {
                const QByteArray mac = i % 2 ? QByteArray("\x52\x54\x00\xa7\x00\x02", 6)
                                             : QByteArray("\x02\x66\x00\x00\x00", 5) + char(i);
                const QByteArray packet = decline(mac, ipv4(kSubnet + QString::number(100 + i % 10)), ipv4(kServer));
                QVERIFY(::sendto(fd, packet.constData(), size_t(packet.size()), 0,
                            reinterpret_cast<const sockaddr *>(&to), sizeof to)
                    == packet.size());
            }
            ::close(fd);
        }
        // 2. TFTP read requests asking timeout=255, never acknowledged: each would hold a slot
        //    for about 25 minutes.
        QList<int> tftpSockets;
        {
            InNamespace in(kStudentNs);
            QVERIFY(in.entered());
            sockaddr_in to {};
            to.sin_family = AF_INET;
            to.sin_port = htons(69);
            to.sin_addr.s_addr = htonl(ipv4(kServer));
            const QByteArray rrq = QByteArray("\x00\x01undionly.kpxe\x00octet\x00timeout\x00"
                                              "255\x00",
                31);
            for (int i = 0; i < 600; ++i) {
                const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                QVERIFY(fd >= 0);
                (void)::sendto(
                    fd, rrq.constData(), size_t(rrq.size()), 0, reinterpret_cast<const sockaddr *>(&to), sizeof to);
                tftpSockets << fd;
            }
        }
        // 3. 3,000 HTTP connections that never send a request.
        QList<int> httpSockets;
        {
            rlimit limit {};
            ::getrlimit(RLIMIT_NOFILE, &limit);
            limit.rlim_cur = limit.rlim_max;
            ::setrlimit(RLIMIT_NOFILE, &limit);
            InNamespace in(kStudentNs);
            QVERIFY(in.entered());
            sockaddr_in to {};
            to.sin_family = AF_INET;
            to.sin_port = htons(80);
            to.sin_addr.s_addr = htonl(ipv4(kServer));
            for (int i = 0; i < 3000; ++i) {
                const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                QVERIFY2(fd >= 0, qPrintable(QStringLiteral("socket %1: %2").arg(i).arg(qt_error_string(errno))));
                (void)::connect(fd, reinterpret_cast<const sockaddr *>(&to), sizeof to);
                httpSockets << fd;
            }
        }
        QThread::msleep(500);

        // --- Meanwhile the victim boots: the iPXE binary by TFTP, then its script.
        const QString tftpOut = m_dir.filePath(QStringLiteral("undionly.kpxe"));
        const Run tftp = inNs(kVictimNs, QStringLiteral("tftp"),
            { kServer, QStringLiteral("-m"), QStringLiteral("binary"), QStringLiteral("-c"), QStringLiteral("get"),
                QStringLiteral("undionly.kpxe"), tftpOut },
            60000);
        QVERIFY2(tftp.exitCode == 0 && QFileInfo(tftpOut).size() > 1000,
            qPrintable(QStringLiteral("victim's TFTP under the flood: ") + QString::fromLocal8Bit(tftp.out)));

        const Http script = get(kVictimNs, QStringLiteral("/boot/%1.ipxe").arg(kVictimMac));
        QCOMPARE(script.status, 200);
        const auto boot
            = QRegularExpression(QStringLiteral("drover\\.boot=([0-9a-f]+)")).match(QString::fromLatin1(script.body));
        const auto token
            = QRegularExpression(QStringLiteral("drover\\.token=([0-9a-f]+)")).match(QString::fromLatin1(script.body));
        QVERIFY2(boot.hasMatch() && token.hasMatch(), script.body.constData());
        const QString bootId = boot.captured(1);
        const QString victimToken = token.captured(1);
        QTRY_COMPARE_WITH_TIMEOUT(machine(QStringLiteral("victim")).state, MachineState::Booting, 5000);
        const Machine before = machine(QStringLiteral("victim"));

        // The student's own connections are capped (http/max-per-client): while it holds
        // 3,000, its next request is turned away before it reaches any route.
        QCOMPARE(get(kStudentNs, QStringLiteral("/boot.ipxe")).status, 503);
        for (int fd : std::as_const(httpSockets))
            ::close(fd);
        httpSockets.clear();
        QTRY_VERIFY_WITH_TIMEOUT(get(kStudentNs, QStringLiteral("/boot.ipxe")).status == 200, 15000);

        // --- The student goes for the victim.
        const QString auth = QStringLiteral("boot=%1&token=%2").arg(bootId, victimToken);
        QCOMPARE(get(kStudentNs, QStringLiteral("/boot/%1.ipxe").arg(kVictimMac)).status, 403);
        for (const QString &path :
            { QStringLiteral("/config/%1").arg(kVictimMac), QStringLiteral("/config/%1?%2").arg(kVictimMac, auth),
                QStringLiteral("/nocloud/%1/user-data").arg(kVictimMac),
                QStringLiteral("/nocloud/%1/%2/%3/user-data").arg(kVictimMac, bootId, victimToken),
                QStringLiteral("/nocloud/%1/%2/%3/meta-data").arg(kVictimMac, bootId, victimToken) }) {
            const Http h = get(kStudentNs, path);
            QVERIFY2(h.status >= 400, qPrintable(QStringLiteral("%1 answered %2").arg(path).arg(h.status)));
            QVERIFY2(!h.body.contains(kSecret) && !h.body.contains(kSecret.toBase64().left(16)), qPrintable(path));
        }
        const QString digest = m_image.record.manifestDigest;
        for (const QString &phase : { QStringLiteral("ready"), QStringLiteral("failed") }) {
            const Http h = get(kStudentNs,
                QStringLiteral("/report?mac=%1&%2&phase=%3&digest=%4").arg(kVictimMac, auth, phase, digest));
            QVERIFY2(h.status == 403, qPrintable(QStringLiteral("forged %1 answered %2").arg(phase).arg(h.status)));
        }
        // Nothing the fleet table shows moved.
        QTest::qWait(1500); // the recorder writes in batches
        const Machine after = machine(QStringLiteral("victim"));
        QCOMPARE(after.state, before.state);
        QCOMPARE(after.lastGoodImage, before.lastGoodImage);
        QCOMPARE(after.failedAttempts, before.failedAttempts);

        // --- The victim reads its own configuration, once, and reports ready.
        const Http config = get(kVictimNs, QStringLiteral("/config/%1?%2").arg(kVictimMac, auth));
        QVERIFY2(config.status == 200 && config.body.contains(kSecret.toBase64().left(16)),
            qPrintable(
                QStringLiteral("victim's config: %1 %2").arg(config.status).arg(QString::fromLatin1(config.body))));
        QVERIFY(get(kVictimNs, QStringLiteral("/config/%1?%2").arg(kVictimMac, auth)).status >= 400);
        const Http ready
            = get(kVictimNs, QStringLiteral("/report?mac=%1&%2&phase=ready&digest=%3").arg(kVictimMac, auth, digest));
        QCOMPARE(ready.status, 204);
        QTRY_COMPARE_WITH_TIMEOUT(machine(QStringLiteral("victim")).state, MachineState::Ready, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(machine(QStringLiteral("victim")).lastGoodImage, m_image.record.tag(), 5000);
        // A forged failure after ready changes nothing either.
        QCOMPARE(get(kStudentNs, QStringLiteral("/report?mac=%1&%2&phase=failed&detail=forged").arg(kVictimMac, auth))
                     .status,
            403);
        QTest::qWait(1000);
        QCOMPARE(machine(QStringLiteral("victim")).state, MachineState::Ready);

        // --- The pool survived the DECLINEs: another host gets an address.
        const QString lateIp = lease(kLateNs);
        QVERIFY2(!lateIp.isEmpty(), qPrintable(QStringLiteral("no lease after the DECLINE flood; ") + serverLog()));

        for (int fd : std::as_const(httpSockets))
            ::close(fd);
        for (int fd : std::as_const(tftpSockets))
            ::close(fd);
        QVERIFY2(m_server.state() == QProcess::Running, qPrintable(serverLog()));
    }

private:
    QString serverLog() const
    {
        QFile f(m_dir.filePath(QStringLiteral("server.log")));
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return QString::fromLocal8Bit(f.readAll().right(3000));
    }
};

QTEST_GUILESS_MAIN(TestAttack)
#include "tst_attack.moc"
