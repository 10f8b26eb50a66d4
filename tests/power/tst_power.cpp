// core/power: the URL forms with their bad inputs, and each method against a real peer where
// this machine has one — a UDP socket receiving the Wake-on-LAN packet, a real qemu's QMP
// socket, OpenIPMI's BMC simulator (ipmi_sim) answering the real ipmitool over RMCP+ on
// loopback, its chassis power starting and killing a stand-in machine process. A stand-in
// ipmitool on PATH remains for fault injection: the exact argv and environment, and how an
// exit status reads. Redfish talks to a small BMC simulator in this test, since Debian ships
// no Redfish emulator.
#include "power/powercontrol.h"
#include "qmpvm.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkDatagram>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>
#include <QtConcurrentRun>

#include <signal.h>

using namespace drover;
using namespace drover::test;

namespace {

// OpenIPMI's BMC simulator on 127.0.0.1: one LAN channel (IPMI 2.0 / RMCP+) with the user
// admin. With a machine, chassis power is real: power on starts machine.sh (a sleep standing
// in for the host) and power off kills it; no VM ever connects to the serial channel, so the
// simulator kills at its next one-second tick instead of asking the host to shut down.
class IpmiSimulator final {
    Q_DISABLE_COPY_MOVE(IpmiSimulator)
public:
    static constexpr auto password = "Dr0ver-bmc-pw";

    IpmiSimulator() = default;
    ~IpmiSimulator()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(5000)) {
                m_process.kill();
                m_process.waitForFinished(2000);
            }
        }
        // ipmi_sim leaves its started command running when it exits: end the machine too.
        if (const qint64 pid = machinePid(); pid > 0)
            ::kill(pid_t(pid), SIGKILL);
    }

    // Empty when ipmi_sim and ipmitool are both installed, else what is missing.
    static QString missing()
    {
        QStringList absent;
        if (QStandardPaths::findExecutable(QStringLiteral("ipmi_sim")).isEmpty())
            absent << QStringLiteral("ipmi_sim (Debian package openipmi)");
        if (QStandardPaths::findExecutable(QStringLiteral("ipmitool")).isEmpty())
            absent << QStringLiteral("ipmitool (Debian package ipmitool)");
        return absent.join(QStringLiteral(", "));
    }

    bool start(bool withMachine, QString *why)
    {
        if (!m_dir.isValid()) {
            *why = QStringLiteral("no temporary directory");
            return false;
        }
        const QString script = m_dir.filePath(QStringLiteral("machine.sh"));
        QFile machine(script);
        if (!machine.open(QIODevice::WriteOnly)
            || machine.write(QStringLiteral("#!/bin/sh\necho $$ > '%1'\nexec sleep 600\n")
                       .arg(m_dir.filePath(QStringLiteral("machine.pid")))
                       .toUtf8())
                <= 0) {
            *why = machine.errorString();
            return false;
        }
        machine.close();
        machine.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QDir(m_dir.path()).mkpath(QStringLiteral("state"));
        // A port found free can be taken before ipmi_sim binds it: then it exits, and we retry.
        for (int attempt = 0; attempt < 3; ++attempt) {
            QUdpSocket udp;
            QTcpServer tcp;
            if (!udp.bind(QHostAddress::LocalHost, 0) || !tcp.listen(QHostAddress::LocalHost, 0)) {
                *why = QStringLiteral("no free loopback port");
                return false;
            }
            m_port = udp.localPort();
            const quint16 serialPort = tcp.serverPort();
            udp.close();
            tcp.close();
            QString conf = QStringLiteral("name \"drover-test\"\n"
                                          "set_working_mc 0x20\n"
                                          "startlan 1\n"
                                          "  addr 127.0.0.1 %1\n"
                                          "  priv_limit admin\n"
                                          "  allowed_auths_callback md5\n"
                                          "  allowed_auths_user md5\n"
                                          "  allowed_auths_operator md5\n"
                                          "  allowed_auths_admin md5\n"
                                          "  guid a123456789abcdefa123456789abcdef\n"
                                          "endlan\n"
                                          "user 2 true \"admin\" \"%2\" admin 10 md5\n")
                               .arg(m_port)
                               .arg(QLatin1String(password));
            if (withMachine)
                conf += QStringLiteral("serial 15 127.0.0.1 %1 codec VM\n"
                                       "startcmd \"%2\"\n"
                                       "startnow false\n"
                                       "poweroff_wait 1\n"
                                       "kill_wait 1\n")
                            .arg(serialPort)
                            .arg(script);
            const QString emu = QStringLiteral("mc_setbmc 0x20\n"
                                               "mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02\n"
                                               "mc_enable 0x20\n");
            if (!writeFile(QStringLiteral("lan.conf"), conf, why) || !writeFile(QStringLiteral("bmc.emu"), emu, why))
                return false;
            m_process.setProcessChannelMode(QProcess::MergedChannels);
            m_process.setWorkingDirectory(m_dir.path());
            m_process.start(QStringLiteral("ipmi_sim"),
                { QStringLiteral("-n"), QStringLiteral("-c"), m_dir.filePath(QStringLiteral("lan.conf")),
                    QStringLiteral("-f"), m_dir.filePath(QStringLiteral("bmc.emu")), QStringLiteral("-s"),
                    m_dir.filePath(QStringLiteral("state")) });
            if (!m_process.waitForStarted(5000)) {
                *why = QStringLiteral("cannot run ipmi_sim: %1").arg(m_process.errorString());
                return false;
            }
            // It says so once its LAN socket is bound; requests sent from then on are answered.
            QByteArray output;
            const QDeadlineTimer deadline(10000);
            while (!output.contains("Opened UDP port") && m_process.state() == QProcess::Running
                && !deadline.hasExpired()) {
                m_process.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())));
                output += m_process.readAll();
            }
            if (output.contains("Opened UDP port"))
                return true;
            m_process.kill();
            m_process.waitForFinished(2000);
            output += m_process.readAll();
            *why = QStringLiteral("ipmi_sim did not open its LAN port: %1").arg(QString::fromLocal8Bit(output));
            if (!output.contains("in use"))
                return false;
        }
        return false;
    }

    QString url(const QString &user, const QString &secret) const
    {
        return QStringLiteral("ipmi://%1:%2@127.0.0.1:%3").arg(user, secret).arg(m_port);
    }

    // The running machine process, or 0: none was started, or it is gone.
    qint64 machinePid() const
    {
        QFile file(m_dir.filePath(QStringLiteral("machine.pid")));
        if (!file.open(QIODevice::ReadOnly))
            return 0;
        const qint64 pid = file.readAll().trimmed().toLongLong();
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
        // A reused pid is not ours: ours runs sleep 600 (machine.sh execs it at once).
        if (pid <= 0 || !cmdline.open(QIODevice::ReadOnly) || !cmdline.readAll().startsWith("sleep"))
            return 0;
        return pid;
    }

private:
    bool writeFile(const QString &name, const QString &text, QString *why)
    {
        QFile file(m_dir.filePath(name));
        if (!file.open(QIODevice::WriteOnly) || file.write(text.toUtf8()) <= 0) {
            *why = QStringLiteral("%1: %2").arg(name, file.errorString());
            return false;
        }
        return true;
    }

    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
};

} // namespace

class TstPower : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("error"); // empty: valid
        QTest::addColumn<int>("method");
        QTest::addColumn<QString>("host");
        QTest::addColumn<QString>("path");
        QTest::newRow("wol") << "wol://" << "" << int(PowerMethod::WakeOnLan) << "" << "";
        QTest::newRow("wol broadcast") << "wol://10.0.0.255:7" << "" << int(PowerMethod::WakeOnLan) << "10.0.0.255"
                                       << "";
        QTest::newRow("ipmi") << "ipmi://admin:s3cret@10.0.0.50" << "" << int(PowerMethod::Ipmi) << "10.0.0.50" << "";
        QTest::newRow("redfish default system")
            << "redfish://root:pw@bmc.lab" << "" << int(PowerMethod::Redfish) << "bmc.lab" << "Systems/1";
        QTest::newRow("redfish system") << "redfish+http://u:n0de-pw@10.0.0.9:8000/Systems/node7" << ""
                                        << int(PowerMethod::Redfish) << "10.0.0.9" << "Systems/node7";
        QTest::newRow("ssh") << "ssh://10.0.0.7" << "" << int(PowerMethod::Ssh) << "10.0.0.7" << "";
        QTest::newRow("qmp") << "qmp:///run/drover/vm-1.qmp" << "" << int(PowerMethod::Qmp) << ""
                             << "/run/drover/vm-1.qmp";
        QTest::newRow("not a url") << "10.0.0.50" << "is not a URL" << 0 << "" << "";
        QTest::newRow("unknown method") << "telnet://10.0.0.50" << "unknown method 'telnet'" << 0 << "" << "";
        QTest::newRow("ipmi without host") << "ipmi://" << "needs a host" << 0 << "" << "";
        QTest::newRow("ipmi without user") << "ipmi://10.0.0.50" << "needs a user" << 0 << "" << "";
        QTest::newRow("wol to a name") << "wol://lab.example" << "IPv4 broadcast" << 0 << "" << "";
        QTest::newRow("qmp relative") << "qmp://vm.qmp" << "absolute path" << 0 << "" << "";
        QTest::newRow("ssh option injection") << "ssh://-oProxyCommand=x@host" << "may not start with '-'" << 0 << ""
                                              << "";
        QTest::newRow("redfish path escape")
            << "redfish://u:p@bmc/Systems/../../etc" << "not a Redfish system" << 0 << "" << "";
        QTest::newRow("ssh relative identity") << "ssh://root@10.0.0.7?identity=key" << "absolute path" << 0 << ""
                                               << "";
    }

    void parse()
    {
        QFETCH(QString, url);
        QFETCH(QString, error);
        QFETCH(int, method);
        QFETCH(QString, host);
        QFETCH(QString, path);
        const auto spec = PowerSpec::parse(url);
        QCOMPARE(spec.ok(), error.isEmpty());
        if (!spec) {
            QVERIFY2(spec.error().contains(error), qPrintable(spec.error()));
            return;
        }
        QCOMPARE(int(spec->method), method);
        QCOMPARE(spec->host, host);
        QCOMPARE(spec->path, path);
        // The URL survives a round trip; listings never show the password.
        QCOMPARE(PowerSpec::parse(spec->toUrl(false))->toUrl(false), spec->toUrl(false));
        if (!spec->password.isEmpty()) {
            QVERIFY(!spec->toUrl(true).contains(spec->password));
            QVERIFY(spec->toUrl(false).contains(spec->password));
        }
    }

    void unsupportedActions()
    {
        const auto wol = PowerSpec::parse(QStringLiteral("wol://"));
        auto off = powerControl(*wol, PowerAction::Off, QStringLiteral("52:54:00:12:34:56"));
        QVERIFY(!off);
        QVERIFY2(off.error().contains(QLatin1String("can only switch a machine on")), qPrintable(off.error()));
        const auto ssh = PowerSpec::parse(QStringLiteral("ssh://root@10.0.0.7"));
        auto on = powerControl(*ssh, PowerAction::On, {});
        QVERIFY(!on);
        QVERIFY2(on.error().contains(QLatin1String("needs the machine running")), qPrintable(on.error()));
    }

    void wakeOnLanPacketOnTheWire()
    {
        QUdpSocket receiver;
        QVERIFY(receiver.bind(QHostAddress::LocalHost, 0));
        const auto spec = PowerSpec::parse(QStringLiteral("wol://127.0.0.1:%1").arg(receiver.localPort()));
        QVERIFY(spec);
        auto sent = powerControl(*spec, PowerAction::Wake, QStringLiteral("52-54-00-AB-CD-EF"));
        QVERIFY2(sent, qPrintable(sent.error()));
        QTRY_VERIFY(receiver.hasPendingDatagrams());
        const QByteArray packet = receiver.receiveDatagram().data();
        QCOMPARE(packet.size(), 102);
        QCOMPARE(packet.left(6), QByteArray(6, char(0xff)));
        for (int i = 0; i < 16; ++i)
            QCOMPARE(packet.mid(6 + i * 6, 6), QByteArray::fromHex("525400abcdef"));
        QVERIFY(wakeOnLanPacket(QStringLiteral("not a mac")).isEmpty());
        QVERIFY(!powerControl(*spec, PowerAction::On, QStringLiteral("zz:zz")));
    }

    void qmpAgainstQemu()
    {
        QTemporaryDir dir;
        const QString socket = dir.filePath(QStringLiteral("vm.qmp"));
        const auto spec = PowerSpec::parse(QStringLiteral("qmp://") + socket);
        QVERIFY2(spec, qPrintable(spec.error()));
        auto status = powerControl(*spec, PowerAction::Status, {});
        QVERIFY2(status, qPrintable(status.error()));
        QCOMPARE(status->state, QStringLiteral("off")); // nothing listens yet

        QProcess vm;
        QString why;
        QVERIFY2(startQmpVm(vm, socket, &why), qPrintable(why));
        status = powerControl(*spec, PowerAction::Status, {});
        QVERIFY2(status, qPrintable(status.error()));
        QCOMPARE(status->state, QStringLiteral("prelaunch"));
        auto on = powerControl(*spec, PowerAction::On, {});
        QVERIFY2(on, qPrintable(on.error()));
        QCOMPARE(powerControl(*spec, PowerAction::Status, {})->state, QStringLiteral("on"));
        auto cycle = powerControl(*spec, PowerAction::Cycle, {});
        QVERIFY2(cycle, qPrintable(cycle.error()));
        auto off = powerControl(*spec, PowerAction::Off, {});
        QVERIFY2(off, qPrintable(off.error()));
        QVERIFY(vm.waitForFinished(15000)); // qemu really went away
    }

    void ipmitoolInvocation_data()
    {
        QTest::addColumn<QString>("action");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("expect"); // in the outcome's state (status), detail, or the error
        QTest::newRow("status on") << "status" << 0 << "on";
        QTest::newRow("cycle") << "cycle" << 0 << "chassis power cycle";
        QTest::newRow("wake is power on") << "wake" << 0 << "chassis power on";
        QTest::newRow("bmc refuses") << "off" << 1 << "exited with status 1: Error: Unable to establish IPMI v2";
    }

    void ipmitoolInvocation()
    {
        QFETCH(QString, action);
        QFETCH(int, exitCode);
        QFETCH(QString, expect);
        // A stand-in ipmitool first on PATH records its arguments and environment.
        QTemporaryDir bin;
        const QString log = bin.filePath(QStringLiteral("calls"));
        QFile tool(bin.filePath(QStringLiteral("ipmitool")));
        QVERIFY(tool.open(QIODevice::WriteOnly));
        tool.write(
            QStringLiteral("#!/bin/sh\necho \"$*\" > %1\necho \"pw=$IPMI_PASSWORD\" >> %1\n"
                           "if [ %2 -ne 0 ]; then echo 'Error: Unable to establish IPMI v2 / RMCP+ session' >&2; "
                           "exit %2; fi\n"
                           "case \"$*\" in *status) echo 'Chassis Power is on' ;; *) echo \"Chassis Power Control: "
                           "Up/On\" ;; esac\n")
                .arg(log)
                .arg(exitCode)
                .toUtf8());
        tool.close();
        tool.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        const QByteArray path = qgetenv("PATH");
        qputenv("PATH", QByteArray(bin.path().toUtf8() + ':' + path));
        const auto spec = PowerSpec::parse(QStringLiteral("ipmi://admin:s3cret@10.0.0.50:6230"));
        auto outcome = powerControl(*spec, *powerActionFromKey(action), {});
        qputenv("PATH", path);

        QFile calls(log);
        QVERIFY(calls.open(QIODevice::ReadOnly));
        const QString recorded = QString::fromUtf8(calls.readAll());
        const QString verb = action == QLatin1String("wake") ? QStringLiteral("on") : action;
        QVERIFY2(recorded.startsWith(
                     QStringLiteral("-I lanplus -H 10.0.0.50 -U admin -E -p 6230 chassis power %1\n").arg(verb)),
            qPrintable(recorded));
        QVERIFY2(recorded.contains(QLatin1String("pw=s3cret")), qPrintable(recorded)); // by environment …
        QVERIFY(!recorded.section(QLatin1Char('\n'), 0, 0).contains(QLatin1String("s3cret"))); // … never argv
        if (exitCode != 0) {
            QVERIFY(!outcome);
            QVERIFY2(outcome.error().contains(expect), qPrintable(outcome.error()));
            return;
        }
        QVERIFY2(outcome, qPrintable(outcome.error()));
        QVERIFY2((action == QLatin1String("status") ? outcome->state : outcome->detail).contains(expect),
            qPrintable(outcome->detail));
    }

    void ipmiAgainstSimulator()
    {
        if (const QString missing = IpmiSimulator::missing(); !missing.isEmpty())
            QSKIP(qPrintable(QStringLiteral("not installed: %1").arg(missing)));
        IpmiSimulator bmc;
        QString why;
        QVERIFY2(bmc.start(true, &why), qPrintable(why));
        const auto spec = PowerSpec::parse(bmc.url(QStringLiteral("admin"), QLatin1String(IpmiSimulator::password)));
        QVERIFY2(spec, qPrintable(spec.error()));
        auto state = [&] {
            const auto status = powerControl(*spec, PowerAction::Status, {});
            return status ? status->state : status.error();
        };
        QCOMPARE(state(), QStringLiteral("off"));
        QCOMPARE(bmc.machinePid(), qint64(0));

        auto on = powerControl(*spec, PowerAction::On, {});
        QVERIFY2(on, qPrintable(on.error()));
        QVERIFY2(on->detail.contains(QLatin1String("chassis power on: Chassis Power Control: Up/On")),
            qPrintable(on->detail));
        QCOMPARE(state(), QStringLiteral("on"));
        QTRY_VERIFY_WITH_TIMEOUT(bmc.machinePid() > 0, 5000);
        const qint64 before = bmc.machinePid();

        // A cycle is off, then on a second later: a new machine process.
        auto cycle = powerControl(*spec, PowerAction::Cycle, {});
        QVERIFY2(cycle, qPrintable(cycle.error()));
        QVERIFY2(cycle->detail.contains(QLatin1String("Chassis Power Control: Cycle")), qPrintable(cycle->detail));
        QTRY_VERIFY_WITH_TIMEOUT(bmc.machinePid() > 0 && bmc.machinePid() != before, 10000);
        QCOMPARE(state(), QStringLiteral("on"));

        // The BMC switches off at its next tick: status follows within seconds, not at once.
        auto off = powerControl(*spec, PowerAction::Off, {});
        QVERIFY2(off, qPrintable(off.error()));
        QVERIFY2(off->detail.contains(QLatin1String("Chassis Power Control: Down/Off")), qPrintable(off->detail));
        QTRY_COMPARE_WITH_TIMEOUT(state(), QStringLiteral("off"), 10000);
        QCOMPARE(bmc.machinePid(), qint64(0));

        auto wake = powerControl(*spec, PowerAction::Wake, {});
        QVERIFY2(wake, qPrintable(wake.error()));
        QCOMPARE(state(), QStringLiteral("on"));
    }

    void ipmiSimulatorRefuses_data()
    {
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("secret");
        QTest::addColumn<bool>("withMachine");
        QTest::addColumn<QString>("action");
        QTest::addColumn<QString>("expect"); // in the error, from ipmitool's own words
        const QString right = QLatin1String(IpmiSimulator::password);
        QTest::newRow("wrong password") << "admin" << "not-the-pw" << true << "status"
                                        << "Unable to establish IPMI v2 / RMCP+ session";
        QTest::newRow("unknown user") << "nobody" << right << true << "on"
                                      << "Unable to establish IPMI v2 / RMCP+ session";
        QTest::newRow("no power control") << "admin" << right << false << "on"
                                          << "Set Chassis Power Control to Up/On failed: Invalid data field";
    }

    void ipmiSimulatorRefuses()
    {
        QFETCH(QString, user);
        QFETCH(QString, secret);
        QFETCH(bool, withMachine);
        QFETCH(QString, action);
        QFETCH(QString, expect);
        if (const QString missing = IpmiSimulator::missing(); !missing.isEmpty())
            QSKIP(qPrintable(QStringLiteral("not installed: %1").arg(missing)));
        IpmiSimulator bmc;
        QString why;
        QVERIFY2(bmc.start(withMachine, &why), qPrintable(why));
        const auto spec = PowerSpec::parse(bmc.url(user, secret));
        QVERIFY2(spec, qPrintable(spec.error()));
        auto outcome = powerControl(*spec, *powerActionFromKey(action), {});
        QVERIFY(!outcome);
        QVERIFY2(outcome.error().contains(QLatin1String("ipmitool exited with status 1")), qPrintable(outcome.error()));
        QVERIFY2(outcome.error().contains(expect), qPrintable(outcome.error()));
        QVERIFY(!outcome.error().contains(secret));
        QCOMPARE(bmc.machinePid(), qint64(0)); // nothing was switched on
    }

    void redfishAgainstSimulator()
    {
        // The parts of a Redfish BMC Drover uses: the system's PowerState and its Reset action.
        QString powerState = QStringLiteral("Off");
        QStringList resets;
        QHttpServer bmc;
        const QByteArray auth = "Basic " + QByteArray("root:calvin").toBase64();
        bmc.route(QStringLiteral("/redfish/v1/Systems/1"), QHttpServerRequest::Method::Get,
            [&](const QHttpServerRequest &request) {
                if (request.value("authorization") != auth)
                    return QHttpServerResponse(QHttpServerResponse::StatusCode::Unauthorized);
                return QHttpServerResponse(QJsonObject {
                    { QStringLiteral("Id"), QStringLiteral("1") }, { QStringLiteral("PowerState"), powerState } });
            });
        bmc.route(QStringLiteral("/redfish/v1/Systems/1/Actions/ComputerSystem.Reset"),
            QHttpServerRequest::Method::Post, [&](const QHttpServerRequest &request) {
                if (request.value("authorization") != auth)
                    return QHttpServerResponse(QHttpServerResponse::StatusCode::Unauthorized);
                const QString type
                    = QJsonDocument::fromJson(request.body()).object().value(QStringLiteral("ResetType")).toString();
                resets.append(type);
                powerState = type == QLatin1String("ForceOff") ? QStringLiteral("Off") : QStringLiteral("On");
                return QHttpServerResponse(QHttpServerResponse::StatusCode::NoContent);
            });
        auto *tcp = new QTcpServer(&bmc);
        QVERIFY(tcp->listen(QHostAddress::LocalHost) && bmc.bind(tcp));
        const quint16 port = tcp->serverPort();
        // powerControl blocks: run it on another thread while this one serves the BMC.
        auto run = [&](const QString &url, PowerAction action) {
            auto spec = PowerSpec::parse(url);
            auto future = QtConcurrent::run([spec, action] { return powerControl(*spec, action, {}, 10000); });
            while (!future.isFinished())
                QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
            return future.result();
        };
        const QString url = QStringLiteral("redfish+http://root:calvin@127.0.0.1:%1").arg(port);
        auto status = run(url, PowerAction::Status);
        QVERIFY2(status, qPrintable(status.error()));
        QCOMPARE(status->state, QStringLiteral("off"));
        QVERIFY(run(url, PowerAction::On));
        QCOMPARE(run(url, PowerAction::Status)->state, QStringLiteral("on"));
        QVERIFY(run(url, PowerAction::Cycle));
        QVERIFY(run(url, PowerAction::Off));
        QCOMPARE(
            resets, QStringList({ QStringLiteral("On"), QStringLiteral("ForceRestart"), QStringLiteral("ForceOff") }));
        auto refused = run(QStringLiteral("redfish+http://root:wrong@127.0.0.1:%1").arg(port), PowerAction::Off);
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(QLatin1String("refused the user root")), qPrintable(refused.error()));
        auto missing
            = run(QStringLiteral("redfish+http://root:calvin@127.0.0.1:%1/Systems/9").arg(port), PowerAction::Status);
        QVERIFY(!missing);
        QVERIFY2(missing.error().contains(QLatin1String("HTTP 404")), qPrintable(missing.error()));
    }
};

QTEST_GUILESS_MAIN(TstPower)
#include "tst_power.moc"
