// BootServer as a whole and `drover --headless`: services start together or not at all,
// clear messages for a port in use or a missing interface, the host's interfaces listed,
// real tftp-hpa and curl against a running server, and the headless flags (a bad value is a
// usage error naming the option; SIGTERM stops a running server cleanly).
#include "boot/bootserver.h"
#include "catalog/catalog.h"
#include "testlab.h"
#include "tst_http_support.h"

#include <QDateTime>
#include <QDir>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace drover;
using namespace drover::test;

namespace {

QStringList list(std::initializer_list<const char *> items)
{
    QStringList out;
    for (const char *item : items)
        out.append(QString::fromUtf8(item));
    return out;
}

} // namespace

class TstBootServer : public QObject {
    Q_OBJECT

    TestLab m_t;

    static QString drover() { return qEnvironmentVariable("DROVER_EXECUTABLE"); }

private Q_SLOTS:
    void init()
    {
        QString why;
        m_t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(m_t.lab, qPrintable(why));
    }

    void cleanup() { m_t = TestLab(); }

    void interfaces()
    {
        const QList<HostInterface> all = BootServer::hostInterfaces();
        QVERIFY(!all.isEmpty());
        QVERIFY(all.last().loopback);
        bool sawLoopback = false;
        for (const HostInterface &i : all) {
            if (i.name == QLatin1String("lo")) {
                sawLoopback = true;
                QVERIFY(i.ipv4.contains(QHostAddress(QHostAddress::LocalHost)));
                QVERIFY2(i.label.contains(QLatin1String("127.0.0.1/8")), qPrintable(i.label));
            }
        }
        QVERIFY(sawLoopback);
        QCOMPARE(BootServer::interfaceAddress(QStringLiteral("lo")), QHostAddress(QHostAddress::LocalHost));
        QVERIFY(BootServer::interfaceAddress(QStringLiteral("no-such-if0")).isNull());
    }

    void startsHttpAndTftp()
    {
        BootServer server(m_t.lab.get());
        QSignalSpy status(&server, &BootServer::statusChanged);
        BootServerSettings s;
        s.dhcpMode = DhcpMode::Off;
        s.httpPort = freeTcpPort();
        s.tftpPort = freeUdpPort();
        const Status started = server.start(s);
        QVERIFY2(started.ok(), qPrintable(started.error()));
        QVERIFY(server.isRunning());
        QVERIFY(status.count() > 0);
        QCOMPARE(server.status(BootService::Http).state, ServiceState::Running);
        QCOMPARE(server.status(BootService::Tftp).state, ServiceState::Running);
        QCOMPARE(server.status(BootService::Dhcp).state, ServiceState::Stopped);

        CurlResult r = curl({ QStringLiteral("http://127.0.0.1:%1/boot.ipxe").arg(s.httpPort) });
        QCOMPARE(r.status, 200);
        QVERIFY(r.body.startsWith("#!ipxe"));
        QTRY_COMPARE(server.http()->counters().scripts, quint64(1));

        // tftp-hpa fetches the BIOS iPXE binary.
        QTemporaryDir out;
        QProcess tftp;
        tftp.setWorkingDirectory(out.path());
        tftp.start(QStringLiteral("tftp"),
            { QStringLiteral("127.0.0.1"), QString::number(s.tftpPort), QStringLiteral("-m"), QStringLiteral("binary"),
                QStringLiteral("-c"), QStringLiteral("get"), QStringLiteral("undionly.kpxe") });
        QVERIFY(tftp.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(tftp.state() == QProcess::NotRunning, 20000);
        QFile original(QStringLiteral("/usr/lib/ipxe/undionly.kpxe"));
        QVERIFY(original.open(QIODevice::ReadOnly));
        QFile fetched(out.filePath(QStringLiteral("undionly.kpxe")));
        QVERIFY(fetched.open(QIODevice::ReadOnly));
        QCOMPARE(fetched.readAll(), original.readAll());
        // TFTP's boot events go through the HTTP routes' recorder, off this thread (a storm's
        // DHCP and TFTP answers waited for the catalog's write lock behind them), and arrive.
        QVERIFY(server.tftp()->recorder());
        QCOMPARE(server.tftp()->recorder(), server.http()->recorder());
        QTRY_VERIFY_WITH_TIMEOUT(
            !m_t.lab->catalog()->events(EventFilter { {}, QStringLiteral("tftp"), 0, 10 }).isEmpty(), 5000);

        server.stop();
        QVERIFY(!server.isRunning());
        QVERIFY(!server.tftp()->recorder()); // the recorder goes with the HTTP server
        QCOMPARE(server.status(BootService::Http).state, ServiceState::Stopped);
        QCOMPARE(curl({ QStringLiteral("http://127.0.0.1:%1/boot.ipxe").arg(s.httpPort) }).status, 0);
    }

    void portInUse()
    {
        QTcpServer squatter;
        QVERIFY(squatter.listen(QHostAddress::Any, 0));
        BootServer server(m_t.lab.get());
        BootServerSettings s;
        s.dhcpMode = DhcpMode::Off;
        s.httpPort = squatter.serverPort();
        s.tftpPort = freeUdpPort();
        const Status started = server.start(s);
        QVERIFY(!started.ok());
        QVERIFY2(started.error().contains(QLatin1String("in use")), qPrintable(started.error()));
        QVERIFY(started.error().contains(QString::number(s.httpPort)));
        QVERIFY(!server.isRunning());
        QCOMPARE(server.status(BootService::Http).state, ServiceState::Failed);
        QCOMPARE(server.status(BootService::Http).message, started.error());
        QCOMPARE(server.status(BootService::Tftp).state, ServiceState::Stopped);
    }

    void tftpFailureStopsHttp()
    {
        BootServer server(m_t.lab.get());
        BootServerSettings s;
        s.dhcpMode = DhcpMode::Off;
        s.httpPort = freeTcpPort();
        s.tftpPort = freeUdpPort();
        s.ipxeDir = m_t.dir->filePath(QStringLiteral("no-ipxe-here"));
        const Status started = server.start(s);
        QVERIFY(!started.ok());
        QCOMPARE(server.status(BootService::Tftp).state, ServiceState::Failed);
        QCOMPARE(server.status(BootService::Http).state, ServiceState::Stopped);
        QVERIFY(!server.http()->isRunning());
    }

    void settingsRefused_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<QString>("interfaceName");
        QTest::addColumn<QString>("message");
        QTest::newRow("no such interface") << int(DhcpMode::Off) << "nosuchif0" << "no network interface named";
        QTest::newRow("proxy without interface") << int(DhcpMode::Proxy) << "" << "pick the lab's network interface";
    }

    void settingsRefused()
    {
        QFETCH(int, mode);
        QFETCH(QString, interfaceName);
        QFETCH(QString, message);
        BootServer server(m_t.lab.get());
        BootServerSettings s;
        s.dhcpMode = DhcpMode(mode);
        s.interfaceName = interfaceName;
        s.httpPort = freeTcpPort();
        s.tftpPort = freeUdpPort();
        const Status started = server.start(s);
        QVERIFY(!started.ok());
        QVERIFY2(started.error().contains(message), qPrintable(started.error()));
        QVERIFY(!server.http()->isRunning());
    }

    void proxyOnLoopback()
    {
        // Proxy DHCP on high ports beside HTTP and TFTP: all three lights on.
        BootServer server(m_t.lab.get());
        BootServerSettings s;
        s.dhcpMode = DhcpMode::Proxy;
        s.interfaceName = QStringLiteral("lo");
        s.httpPort = freeTcpPort();
        s.tftpPort = freeUdpPort();
        s.dhcpPort = freeUdpPort();
        s.dhcpProxyPort = freeUdpPort();
        s.dhcpClientPort = freeUdpPort();
        const Status started = server.start(s);
        QVERIFY2(started.ok(), qPrintable(started.error()));
        QCOMPARE(server.status(BootService::Dhcp).state, ServiceState::Running);
        QCOMPARE(server.httpBaseUrl(), QStringLiteral("http://127.0.0.1:%1").arg(s.httpPort));
        QCOMPARE(server.dhcp()->settings().httpBaseUrl, server.httpBaseUrl());
    }

    void flags_data()
    {
        QTest::addColumn<QStringList>("flags"); // dhcp, interface, http, tftp, unknown[, range]
        QTest::addColumn<QString>("error"); // empty: accepted
        QTest::newRow("defaults") << list({ "", "", "", "", "" }) << "";
        QTest::newRow("all set") << list({ "full", "eth1", "8081", "6969", "register" }) << "";
        QTest::newRow("bad dhcp") << list({ "maybe", "", "", "", "" }) << "--dhcp";
        QTest::newRow("bad http port") << list({ "", "", "http", "", "" }) << "--http-port";
        QTest::newRow("http port 0") << list({ "", "", "0", "", "" }) << "--http-port";
        QTest::newRow("http port too big") << list({ "", "", "65536", "", "" }) << "--http-port";
        QTest::newRow("bad tftp port") << list({ "", "", "", "-1", "" }) << "--tftp-port";
        QTest::newRow("bad unknown") << list({ "", "", "", "", "always" }) << "--unknown";
        QTest::newRow("bad interface") << list({ "", "../../etc", "", "", "" }) << "--interface";
        QTest::newRow("range") << list({ "", "", "", "", "", "10.0.0.50-10.0.0.60" }) << "";
        QTest::newRow("range one end") << list({ "", "", "", "", "", "10.0.0.50" }) << "--range";
        QTest::newRow("range not ipv4") << list({ "", "", "", "", "", "10.0.0.50-fe80::1" }) << "--range";
        QTest::newRow("range reversed") << list({ "", "", "", "", "", "10.0.0.60-10.0.0.50" }) << "--range";
    }

    void flags()
    {
        QFETCH(QStringList, flags);
        QFETCH(QString, error);
        auto s = bootSettingsFromFlags(BootFlags { flags[0], flags[1], flags[2], flags[3], flags[4], flags.value(5) });
        QCOMPARE(s.ok(), error.isEmpty());
        if (!error.isEmpty()) {
            QVERIFY2(s.error().startsWith(error), qPrintable(s.error()));
            return;
        }
        if (flags[0] == QLatin1String("full")) {
            QCOMPARE(s->dhcpMode, DhcpMode::Full);
            QCOMPARE(s->interfaceName, QStringLiteral("eth1"));
            QCOMPARE(s->httpPort, quint16(8081));
            QCOMPARE(s->tftpPort, quint16(6969));
            QCOMPARE(s->unknownPolicy, std::optional<UnknownPolicy>(UnknownPolicy::Register));
        } else {
            QCOMPARE(s->dhcpMode, DhcpMode::Proxy);
            QCOMPARE(s->httpPort, quint16(8080));
            QCOMPARE(s->tftpPort, quint16(69));
            QVERIFY(!s->unknownPolicy);
        }
        if (!flags.value(5).isEmpty()) {
            QCOMPARE(s->rangeStart, QHostAddress(QStringLiteral("10.0.0.50")));
            QCOMPARE(s->rangeEnd, QHostAddress(QStringLiteral("10.0.0.60")));
        }
    }

    void defaultRange_data()
    {
        QTest::addColumn<QString>("server");
        QTest::addColumn<QString>("netmask");
        QTest::addColumn<QString>("first"); // empty: no range
        QTest::addColumn<QString>("last");
        QTest::newRow("/24") << "10.77.0.1" << "255.255.255.0" << "10.77.0.100" << "10.77.0.199";
        QTest::newRow("/16 uses the server's /24") << "172.16.5.1" << "255.255.0.0" << "172.16.5.100"
                                                   << "172.16.5.199";
        QTest::newRow("server inside the pool keeps the larger side") << "10.77.0.150" << "255.255.255.0"
                                                                      << "10.77.0.100" << "10.77.0.149";
        QTest::newRow("server at the start of the pool") << "10.77.0.100" << "255.255.255.0" << "10.77.0.101"
                                                         << "10.77.0.199";
        QTest::newRow("/28 upper half") << "192.168.1.1" << "255.255.255.240" << "192.168.1.7" << "192.168.1.14";
        QTest::newRow("/30 too small") << "192.168.1.1" << "255.255.255.252" << "" << "";
    }

    void defaultRange()
    {
        QFETCH(QString, server);
        QFETCH(QString, netmask);
        QFETCH(QString, first);
        QFETCH(QString, last);
        const auto [start, end] = defaultDhcpRange(QHostAddress(server), QHostAddress(netmask));
        QCOMPARE(start.isNull() ? QString() : start.toString(), first);
        QCOMPARE(end.isNull() ? QString() : end.toString(), last);
    }

    void headlessUsage_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("named");
        QTest::newRow("dhcp") << list({ "--headless", "--dhcp", "sometimes" }) << "--dhcp";
        QTest::newRow("http port") << list({ "--headless", "--http-port", "eighty" }) << "--http-port";
        QTest::newRow("tftp port") << list({ "--headless", "--tftp-port", "99999" }) << "--tftp-port";
        QTest::newRow("unknown") << list({ "--headless", "--unknown", "all" }) << "--unknown";
        QTest::newRow("without --headless") << list({ "--dhcp", "off" }) << "--dhcp";
        QTest::newRow("missing value") << list({ "--headless", "--http-port" }) << "http-port";
    }

    void headlessUsage()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, named);
        QProcess p;
        p.start(drover(), QStringList { QStringLiteral("--data"), m_t.dir->filePath(QStringLiteral("data")) } + args);
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitCode(), 2);
        const QString err = QString::fromLocal8Bit(p.readAllStandardError());
        QVERIFY2(err.contains(named), qPrintable(err));
    }

    void headlessWithoutPrivilege()
    {
        // As an unprivileged user, a port below 1024 is refused with the fix spelled out.
        if (QStandardPaths::findExecutable(QStringLiteral("setpriv")).isEmpty())
            QSKIP("setpriv (util-linux) is not installed");
        QFile unprivileged(QStringLiteral("/proc/sys/net/ipv4/ip_unprivileged_port_start"));
        if (unprivileged.open(QIODevice::ReadOnly) && unprivileged.readAll().trimmed().toInt() <= 80)
            QSKIP("this kernel lets anyone bind port 80");
        QTemporaryDir dir;
        QVERIFY(QFile::setPermissions(dir.path(),
            QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner | QFileDevice::ReadOther
                | QFileDevice::WriteOther | QFileDevice::ExeOther));
        QProcess p;
        p.start(QStringLiteral("setpriv"),
            { QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"), QStringLiteral("--clear-groups"),
                QStringLiteral("--inh-caps=-all"), drover(), QStringLiteral("--data"),
                dir.filePath(QStringLiteral("data")), QStringLiteral("--headless"), QStringLiteral("--dhcp"),
                QStringLiteral("off"), QStringLiteral("--http-port"), QStringLiteral("80"),
                QStringLiteral("--tftp-port"), QString::number(freeUdpPort()) });
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitCode(), 1);
        const QString err = QString::fromLocal8Bit(p.readAllStandardError());
        QVERIFY2(err.contains(QLatin1String("HTTP port 80 needs root or the CAP_NET_BIND_SERVICE capability")),
            qPrintable(err));
    }

    void headlessRunsUntilSigterm()
    {
        const quint16 http = freeTcpPort();
        const quint16 tftp = freeUdpPort();
        {
            // As if DHCP had seen the machine at 127.0.0.1: only then does it get a script.
            auto lab = Lab::open(LabOptions { m_t.dir->filePath(QStringLiteral("headless")), {} });
            QVERIFY2(lab.ok(), qPrintable(lab.error()));
            QVERIFY(lab.value()
                    ->catalog()
                    ->setBootBinding(BootBindingRecord { QStringLiteral("02:00:00:00:00:09"),
                        QStringLiteral("127.0.0.1"), QStringLiteral("dhcp"), QDateTime::currentMSecsSinceEpoch() })
                    .ok());
        }
        QProcess p;
        p.start(drover(),
            { QStringLiteral("--data"), m_t.dir->filePath(QStringLiteral("headless")), QStringLiteral("--headless"),
                QStringLiteral("--dhcp"), QStringLiteral("off"), QStringLiteral("--http-port"), QString::number(http),
                QStringLiteral("--tftp-port"), QString::number(tftp), QStringLiteral("--unknown"),
                QStringLiteral("register") });
        QVERIFY(p.waitForStarted());
        const QString url = QStringLiteral("http://127.0.0.1:%1/boot/02-00-00-00-00-09.ipxe").arg(http);
        QTRY_VERIFY_WITH_TIMEOUT(curl({ url }, 2000).status == 200, 20000);
        ::kill(pid_t(p.processId()), SIGTERM);
        QVERIFY(p.waitForFinished(15000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        const QString err = QString::fromLocal8Bit(p.readAllStandardError());
        QVERIFY2(err.contains(QLatin1String("HTTP boot server listening on port")), qPrintable(err));
        QVERIFY2(err.contains(QLatin1String("registered unknown machine 02:00:00:00:00:09")), qPrintable(err));
        QVERIFY2(err.contains(QLatin1String("stopped")), qPrintable(err));
        // --unknown register applied: the machine is in that lab's catalog, marked new.
        auto lab = Lab::open(LabOptions { m_t.dir->filePath(QStringLiteral("headless")), {} });
        QVERIFY(lab.ok());
        const auto m = lab.value()->catalog()->machineByMac(QStringLiteral("02:00:00:00:00:09"));
        QVERIFY(m);
        QVERIFY(m->isNew);
    }
};

QTEST_GUILESS_MAIN(TstBootServer)
#include "tst_bootserver.moc"
