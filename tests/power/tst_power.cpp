// core/power: the URL forms with their bad inputs, and each method against a real peer where
// this machine has one — a UDP socket receiving the Wake-on-LAN packet, a real qemu's QMP
// socket. ipmitool gets a stand-in on PATH (fault injection: no BMC here) to show how it is
// called and how its failures read; Redfish talks to a small BMC simulator in this test,
// since Debian ships no Redfish emulator.
#include "power/powercontrol.h"
#include "qmpvm.h"

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

using namespace drover;
using namespace drover::test;

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
