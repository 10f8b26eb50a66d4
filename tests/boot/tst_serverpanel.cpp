// The server panel on the offscreen platform: start on high ports, the lights turn on and
// the HTTP counters follow a real curl request; a port in use shows a clear message and a
// red light; the unknown-machine policy is the catalog's shared setting. The status strip
// says what runs where, counts boots, starts and stops through the panel, shows a refusal,
// and warns when lab clients ask a DHCP server they should not (real packets on loopback).
#include "boot/bootserver.h"
#include "boot/dhcp/dhcppacket.h"
#include "catalog/catalog.h"
#include "log/logbus.h"
#include "server/serverpanel.h"
#include "server/serverstrip.h"
#include "testlab.h"
#include "tst_http_support.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTest>
#include <QToolButton>
#include <QUdpSocket>

using namespace drover;
using namespace drover::test;

class TstServerPanel : public QObject {
    Q_OBJECT

    TestLab m_t;

    void chooseOffOnHighPorts(ServerPanel &panel, quint16 http)
    {
        panel.modeBox()->setCurrentIndex(panel.modeBox()->findData(QStringLiteral("off")));
        panel.interfaceBox()->setCurrentIndex(0);
        panel.httpPortBox()->setValue(http);
        panel.tftpPortBox()->setValue(freeUdpPort());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("drover-test"));
        QSettings().clear();
    }

    void init()
    {
        QString why;
        m_t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(m_t.lab, qPrintable(why));
    }

    void cleanup()
    {
        m_t = TestLab();
        QVERIFY(QApplication::topLevelWidgets().isEmpty());
    }

    void startLightsAndCounters()
    {
        ServerPanel panel(m_t.lab.get());
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        // Every interface of the host is offered, with its addresses.
        bool loopback = false;
        for (int i = 0; i < panel.interfaceBox()->count(); ++i)
            loopback = loopback || panel.interfaceBox()->itemText(i).contains(QLatin1String("127.0.0.1"));
        QVERIFY(loopback);
        QCOMPARE(panel.light(BootService::Http)->property("state").toString(), QStringLiteral("stopped"));

        const quint16 http = freeTcpPort();
        chooseOffOnHighPorts(panel, http);
        QTest::mouseClick(panel.startButton(), Qt::LeftButton);
        QTRY_COMPARE(panel.light(BootService::Http)->property("state").toString(), QStringLiteral("running"));
        QCOMPARE(panel.light(BootService::Tftp)->property("state").toString(), QStringLiteral("running"));
        QCOMPARE(panel.light(BootService::Dhcp)->property("state").toString(), QStringLiteral("off"));
        QCOMPARE(panel.startButton()->text(), QStringLiteral("Stop"));
        QVERIFY(!panel.httpPortBox()->isEnabled());
        QVERIFY2(
            panel.messageLabel()->text().contains(QLatin1String("Running")), qPrintable(panel.messageLabel()->text()));

        QVERIFY(panel.countersLabel(BootService::Http)->text().startsWith(QLatin1String("0 requests")));
        QCOMPARE(curl({ QStringLiteral("http://127.0.0.1:%1/boot.ipxe").arg(http) }).status, 200);
        QTRY_VERIFY2(panel.countersLabel(BootService::Http)->text().startsWith(QLatin1String("1 requests: 1 scripts")),
            qPrintable(panel.countersLabel(BootService::Http)->text()));

        QTest::mouseClick(panel.startButton(), Qt::LeftButton);
        QCOMPARE(panel.light(BootService::Http)->property("state").toString(), QStringLiteral("stopped"));
        QCOMPARE(panel.startButton()->text(), QStringLiteral("Start"));
        QVERIFY(panel.httpPortBox()->isEnabled());
        // The choices are remembered for the next start.
        QCOMPARE(QSettings().value(QStringLiteral("server/httpPort")).toInt(), int(http));
    }

    void portInUse()
    {
        QTcpServer squatter;
        QVERIFY(squatter.listen(QHostAddress::Any, 0));
        ServerPanel panel(m_t.lab.get());
        chooseOffOnHighPorts(panel, squatter.serverPort());
        panel.startOrStop();
        QTRY_COMPARE(panel.light(BootService::Http)->property("state").toString(), QStringLiteral("failed"));
        QVERIFY2(
            panel.messageLabel()->text().contains(QLatin1String("in use")), qPrintable(panel.messageLabel()->text()));
        QCOMPARE(panel.startButton()->text(), QStringLiteral("Start"));
        QVERIFY(panel.startButton()->isEnabled());
        QVERIFY(!panel.server()->isRunning());
    }

    void labInterfaceStandsOut_data()
    {
        QTest::addColumn<QStringList>("interfaces"); // NAME:up|down:ADDRESS (empty: none)
        QTest::addColumn<QString>("expected");
        QTest::newRow("one wired") << QStringList { QStringLiteral("lo:up:127.0.0.1"),
            QStringLiteral("eth0:up:10.0.0.1") }
                                   << QStringLiteral("eth0");
        QTest::newRow("wired before wireless")
            << QStringList { QStringLiteral("wlp2s0:up:192.168.1.5"), QStringLiteral("enp3s0:up:10.0.0.1") }
            << QStringLiteral("enp3s0");
        QTest::newRow("only wireless") << QStringList { QStringLiteral("wlan0:up:192.168.1.5") }
                                       << QStringLiteral("wlan0");
        QTest::newRow("containers and VPNs are no lab") << QStringList { QStringLiteral("docker0:up:172.17.0.1"),
            QStringLiteral("tun0:up:10.8.0.2"), QStringLiteral("enp0s31f6:up:10.1.0.1") }
                                                        << QStringLiteral("enp0s31f6");
        QTest::newRow("two wired: the admin chooses")
            << QStringList { QStringLiteral("eth0:up:10.0.0.1"), QStringLiteral("eth1:up:10.1.0.1") } << QString();
        QTest::newRow("down or without an address")
            << QStringList { QStringLiteral("eth0:down:10.0.0.1"), QStringLiteral("eth1:up:") } << QString();
    }

    void labInterfaceStandsOut()
    {
        QFETCH(QStringList, interfaces);
        QFETCH(QString, expected);
        QList<HostInterface> hosts;
        for (const QString &spec : std::as_const(interfaces)) {
            HostInterface h;
            h.name = spec.section(QLatin1Char(':'), 0, 0);
            h.up = spec.section(QLatin1Char(':'), 1, 1) == QLatin1String("up");
            h.loopback = h.name == QLatin1String("lo");
            if (const QString address = spec.section(QLatin1Char(':'), 2); !address.isEmpty())
                h.ipv4.append(QHostAddress(address));
            hosts.append(h);
        }
        QCOMPARE(BootServer::labInterface(hosts), expected);
    }

    void firstRunPicksTheLabInterface()
    {
        QSettings().clear();
        ServerPanel panel(m_t.lab.get());
        QCOMPARE(
            panel.interfaceBox()->currentData().toString(), BootServer::labInterface(BootServer::hostInterfaces()));
    }

    void refusedStartExplains()
    {
        // A start the settings make impossible says why, in the panel.
        ServerPanel panel(m_t.lab.get());
        panel.modeBox()->setCurrentIndex(panel.modeBox()->findData(QStringLiteral("proxy")));
        panel.interfaceBox()->setCurrentIndex(0); // all interfaces: proxy DHCP cannot tell machines where we are
        panel.httpPortBox()->setValue(freeTcpPort());
        panel.tftpPortBox()->setValue(freeUdpPort());
        panel.startOrStop();
        QTRY_VERIFY(panel.messageLabel()->text().contains(QLatin1String("interface")));
        // Said whole, before anything starts: what to choose, with the host's interfaces.
        QVERIFY2(panel.messageLabel()->text().contains(QLatin1String("under Interface"))
                || panel.messageLabel()->text().contains(QLatin1String("Connect the lab network")),
            qPrintable(panel.messageLabel()->text()));
        QVERIFY(panel.messageLabel()->wordWrap());
        QVERIFY(!panel.server()->isRunning());
        QVERIFY(!panel.server()->isStarting());
    }

    void statusStrip()
    {
        ServerPanel panel(m_t.lab.get());
        ServerStrip strip(panel.server());
        connect(&strip, &ServerStrip::startStopRequested, &panel, &ServerPanel::startOrStop);
        strip.resize(900, 30);
        strip.show();
        QVERIFY(QTest::qWaitForWindowExposed(&strip));
        QCOMPARE(strip.light()->property("state").toString(), QStringLiteral("stopped"));
        QCOMPARE(strip.switchButton()->text(), QStringLiteral("Start serving"));
        QVERIFY(!strip.switchButton()->isChecked());

        const quint16 http = freeTcpPort();
        chooseOffOnHighPorts(panel, http);
        const int tftp = panel.tftpPortBox()->value();
        QTest::mouseClick(strip.switchButton(), Qt::LeftButton);
        QTRY_COMPARE(strip.light()->property("state").toString(), QStringLiteral("running"));
        QVERIFY(strip.switchButton()->isChecked());
        QCOMPARE(strip.switchButton()->text(), QStringLiteral("Stop serving"));
        const QString summary = strip.fullSummary();
        for (const QString &part : { QStringLiteral("Serving on all interfaces"), QStringLiteral("DHCP off"),
                 QStringLiteral("HTTP %1").arg(http), QStringLiteral("TFTP %1").arg(tftp), QStringLiteral("up 0:00:0"),
                 QStringLiteral("0 boot(s) served") })
            QVERIFY2(summary.contains(part), qPrintable(summary + QStringLiteral(" lacks ") + part));
        QVERIFY(!strip.warning()->isVisible());
        // Elided, not wrapped: one line whatever the width, the whole text in the tooltip.
        strip.resize(300, 30);
        QTRY_VERIFY(strip.summary()->text().endsWith(QChar(0x2026)));
        QCOMPARE(strip.summary()->toolTip(), strip.fullSummary());
        QVERIFY(!strip.summary()->wordWrap());

        QCOMPARE(curl({ QStringLiteral("http://127.0.0.1:%1/boot.ipxe").arg(http) }).status, 200);
        QTRY_VERIFY2(strip.fullSummary().contains(QLatin1String("1 boot(s) served")), qPrintable(strip.fullSummary()));
        // The uptime runs.
        QTRY_VERIFY_WITH_TIMEOUT(!strip.fullSummary().contains(QLatin1String("up 0:00:00")), 3000);

        QTest::mouseClick(strip.switchButton(), Qt::LeftButton);
        QCOMPARE(strip.light()->property("state").toString(), QStringLiteral("stopped"));
        QVERIFY(!panel.server()->isRunning());
        QVERIFY(!strip.switchButton()->isChecked());
    }

    void stripShowsARefusal()
    {
        ServerPanel panel(m_t.lab.get());
        ServerStrip strip(panel.server());
        connect(&strip, &ServerStrip::startStopRequested, &panel, &ServerPanel::startOrStop);
        connect(&panel, &ServerPanel::startRefused, &strip, &ServerStrip::setLastError);
        panel.modeBox()->setCurrentIndex(panel.modeBox()->findData(QStringLiteral("proxy")));
        panel.interfaceBox()->setCurrentIndex(0);
        QSignalSpy refused(&panel, &ServerPanel::startRefused);
        QTest::mouseClick(strip.switchButton(), Qt::LeftButton);
        QCOMPARE(refused.size(), 1);
        QCOMPARE(strip.light()->property("state").toString(), QStringLiteral("failed"));
        QVERIFY2(strip.fullSummary().startsWith(QLatin1String("Not serving: DHCP tells machines")),
            qPrintable(strip.fullSummary()));
        QVERIFY(!strip.switchButton()->isChecked());
    }

    void dhcpWarning_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QStringList>("chosen"); // the servers clients name in their REQUESTs
        QTest::addColumn<bool>("warns");
        QTest::newRow("proxy beside the lab's DHCP") << "proxy" << QStringList { QStringLiteral("10.9.0.1") } << false;
        QTest::newRow("proxy, two DHCP servers")
            << "proxy" << QStringList { QStringLiteral("10.9.0.1"), QStringLiteral("10.9.0.66") } << true;
        QTest::newRow("proxy, the same one again")
            << "proxy" << QStringList { QStringLiteral("10.9.0.1"), QStringLiteral("10.9.0.1") } << false;
        QTest::newRow("full, clients ask us") << "full" << QStringList { QStringLiteral("127.0.0.1") } << false;
        QTest::newRow("full, another server") << "full" << QStringList { QStringLiteral("10.9.0.66") } << true;
    }

    void dhcpWarning()
    {
        QFETCH(QString, mode);
        QFETCH(QStringList, chosen);
        QFETCH(bool, warns);
        BootServer server(m_t.lab.get());
        ServerStrip strip(&server);
        BootServerSettings s;
        s.dhcpMode = dhcpModeFromKey(mode).value();
        s.interfaceName = QStringLiteral("lo");
        s.serverAddress = QHostAddress::LocalHost;
        s.httpPort = freeTcpPort();
        s.tftpPort = freeUdpPort();
        s.dhcpPort = freeUdpPort();
        s.dhcpProxyPort = freeUdpPort();
        s.dhcpClientPort = freeUdpPort();
        s.rangeStart = QHostAddress(QStringLiteral("127.0.0.100"));
        s.rangeEnd = QHostAddress(QStringLiteral("127.0.0.101"));
        s.subnetMask = QHostAddress(QStringLiteral("255.0.0.0"));
        s.probeDhcpFirst = false; // nothing answers a probe on loopback
        const Status started = server.start(s);
        QVERIFY2(started.ok(), qPrintable(started.error()));
        QSignalSpy changed(&server, &BootServer::dhcpWarningChanged);
        QSignalSpy posted(m_t.lab->log(), &LogBus::entryPosted);
        QUdpSocket client;
        QVERIFY(client.bind(QHostAddress::LocalHost, 0));
        quint32 xid = 0x7700;
        for (const QString &id : std::as_const(chosen)) {
            DhcpPacket request;
            request.xid = ++xid;
            request.chaddr = QByteArray::fromHex("525400aa0001") + QByteArray(10, '\0');
            request.setOption(DhcpOption::MessageType, QByteArray(1, char(DhcpMessageType::Request)));
            request.setOption(DhcpOption::ServerId, DhcpPacket::addressBytes(QHostAddress(id).toIPv4Address()));
            request.setOption(DhcpOption::RequestedAddress,
                DhcpPacket::addressBytes(QHostAddress(QStringLiteral("10.9.0.50")).toIPv4Address()));
            client.writeDatagram(request.encode(), QHostAddress::LocalHost, s.dhcpPort);
        }
        QTRY_COMPARE(server.dhcp()->counters().received, quint64(chosen.size()));
        QCOMPARE(!server.dhcpWarning().isEmpty(), warns);
        QCOMPARE(strip.warning()->isVisibleTo(&strip), warns);
        if (warns) {
            QCOMPARE(changed.size(), 1);
            QVERIFY2(server.dhcpWarning().contains(QLatin1String("10.9.0.66")), qPrintable(server.dhcpWarning()));
            QVERIFY2(
                server.dhcpWarning().contains(QLatin1String("52:54:00:aa:00:01")), qPrintable(server.dhcpWarning()));
            QVERIFY(strip.warning()->toolTip().contains(server.dhcpWarning()));
            // The log says it too, as a warning.
            auto logged = [&posted] {
                for (const QList<QVariant> &args : std::as_const(posted)) {
                    const auto e = args.at(0).value<LogEntry>();
                    if (e.severity == Severity::Warning && e.text.contains(QLatin1String("10.9.0.66")))
                        return true;
                }
                return false;
            };
            QTRY_VERIFY(logged());
            // A new start forgets what the last run saw.
            server.stop();
            QVERIFY(server.start(s).ok());
            QVERIFY(server.dhcpWarning().isEmpty());
        }
    }

    void unknownPolicyIsShared()
    {
        ServerPanel panel(m_t.lab.get());
        QCOMPARE(panel.unknownBox()->currentData().toString(), QStringLiteral("ignore"));
        const int register_ = panel.unknownBox()->findData(QStringLiteral("register"));
        panel.unknownBox()->setCurrentIndex(register_);
        Q_EMIT panel.unknownBox()->activated(register_);
        QCOMPARE(m_t.lab->catalog()->setting(QStringLiteral("boot/unknown")), QStringLiteral("register"));
        // Another admin changes it: the panel follows.
        QVERIFY(m_t.lab->catalog()->setSetting(QStringLiteral("boot/unknown"), QStringLiteral("boot")).ok());
        QCOMPARE(panel.unknownBox()->currentData().toString(), QStringLiteral("boot"));
    }

    // Peers: off by default; a click is the catalog setting, another admin's change shows.
    void peersAreShared()
    {
        ServerPanel panel(m_t.lab.get());
        QVERIFY(!panel.peersBox()->isChecked());
        QVERIFY(!panel.peersBox()->toolTip().isEmpty());
        QTest::mouseClick(panel.peersBox(), Qt::LeftButton, {}, QPoint(4, panel.peersBox()->height() / 2));
        QVERIFY(panel.peersBox()->isChecked());
        QCOMPARE(m_t.lab->catalog()->setting(QStringLiteral("boot/peers")), QStringLiteral("on"));
        QVERIFY(m_t.lab->catalog()->setSetting(QStringLiteral("boot/peers"), QStringLiteral("off")).ok());
        QVERIFY(!panel.peersBox()->isChecked());
    }

    // The image new machines boot: the catalog's images to choose from, shared like the policy.
    void newMachineImageIsShared()
    {
        QVERIFY(addTestImage(m_t.lab.get(), QStringLiteral("inventory"), QStringLiteral("1")).ok());
        ServerPanel panel(m_t.lab.get());
        QComboBox *box = panel.newMachineImageBox();
        QCOMPARE(box->currentData().toString(), QString());
        const int at = box->findData(QStringLiteral("inventory:1"));
        QVERIFY(at > 0);
        box->setCurrentIndex(at);
        Q_EMIT box->activated(at);
        QCOMPARE(m_t.lab->catalog()->setting(kNewMachineImageSetting), QStringLiteral("inventory:1"));
        // In use while named: the image cannot be removed from under the new machines.
        QVERIFY(m_t.lab->catalog()
                ->usersOfImage(QStringLiteral("inventory:1"))
                .join(u',')
                .contains(QLatin1String("new machines")));
        QVERIFY(m_t.lab->catalog()->setSetting(kNewMachineImageSetting, QString()).ok());
        QCOMPARE(box->currentData().toString(), QString());
        // A new image appears without reopening the panel.
        QVERIFY(addTestImage(m_t.lab.get(), QStringLiteral("burnin"), QStringLiteral("1")).ok());
        QTRY_VERIFY(box->findData(QStringLiteral("burnin:1")) > 0);
    }
};

QTEST_MAIN(TstServerPanel)
#include "tst_serverpanel.moc"
