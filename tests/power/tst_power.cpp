// core/power: the URL forms with their bad inputs, and each method against a real peer where
// this machine has one — a UDP socket receiving the Wake-on-LAN packet, a real qemu's QMP
// socket, OpenIPMI's BMC simulator (ipmi_sim) answering the real ipmitool over RMCP+ on
// loopback, its chassis power starting and killing a stand-in machine process; a real sshd
// in a network namespace for ssh power, and a bridge between namespaces that carries the
// Wake-on-LAN packet from one port to another. A stand-in
// ipmitool on PATH remains for fault injection: the exact argv and environment, and how an
// exit status reads. Redfish talks to a small BMC simulator in this test, since Debian ships
// no Redfish emulator.
#include "netns.h"
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

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

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

// ---- network namespaces made for this test (root only); names carry the process id, since
// several build trees may run this test at once on one host. Addresses live only inside them.

const QString kPid = QString::number(::getpid());

bool run(const QString &program, const QStringList &args, QString *output = nullptr)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    const bool ok = p.waitForFinished(15000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (output)
        *output = QString::fromLocal8Bit(p.readAll());
    return ok;
}

// `ip netns exec` remounts / and /sys, which fails inside the build root (its / is no mount
// point); nsenter only switches the network namespace, which is all we need.
QStringList inNamespace(const QString &ns, const QString &program, const QStringList &args)
{
    return QStringList { QStringLiteral("--net=/run/netns/") + ns, program } + args;
}

bool nsIp(const QString &ns, const QString &args, QString *output = nullptr)
{
    return run(QStringLiteral("nsenter"),
        inNamespace(ns, QStringLiteral("ip"), args.split(QLatin1Char(' '), Qt::SkipEmptyParts)), output);
}

// A set of namespaces, deleted again when this goes (also after a failed test).
class Namespaces final {
    Q_DISABLE_COPY_MOVE(Namespaces)
public:
    Namespaces() = default;
    ~Namespaces()
    {
        for (const QString &ns : std::as_const(m_names))
            run(QStringLiteral("ip"), { QStringLiteral("netns"), QStringLiteral("del"), ns });
    }
    // Adds namespace drv-pw-<tag>-<pid>; its name, or empty with the reason in *why.
    QString add(const QString &tag, QString *why)
    {
        const QString name = QStringLiteral("drv-pw-%1-%2").arg(tag, kPid);
        run(QStringLiteral("ip"), { QStringLiteral("netns"), QStringLiteral("del"), name }); // a leftover
        if (!run(QStringLiteral("ip"), { QStringLiteral("netns"), QStringLiteral("add"), name }, why))
            return {};
        m_names << name;
        nsIp(name, QStringLiteral("link set lo up"));
        return name;
    }
    // A veth pair: end `a` in namespace nsA, end `b` in nsB.
    static bool veth(const QString &nsA, const QString &a, const QString &nsB, const QString &b, QString *why)
    {
        return run(QStringLiteral("ip"),
            { QStringLiteral("link"), QStringLiteral("add"), a, QStringLiteral("netns"), nsA, QStringLiteral("type"),
                QStringLiteral("veth"), QStringLiteral("peer"), QStringLiteral("name"), b, QStringLiteral("netns"),
                nsB },
            why);
    }

private:
    QStringList m_names;
};

QString missingNamespaceTools(const QStringList &more = {})
{
    if (::geteuid() != 0)
        return QStringLiteral("network namespaces need root");
    QStringList absent;
    for (const QString &tool : QStringList { QStringLiteral("ip"), QStringLiteral("nsenter") } + more)
        if (QStandardPaths::findExecutable(tool,
                { QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin"), QStringLiteral("/sbin"),
                    QStringLiteral("/bin") })
                .isEmpty())
            absent << tool;
    return absent.isEmpty() ? QString() : QStringLiteral("not installed: %1").arg(absent.join(QStringLiteral(", ")));
}

bool writeExecutable(const QString &path, const QString &text)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text.toUtf8()) <= 0)
        return false;
    file.close();
    return file.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
}

QString readText(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

// A real OpenSSH server in namespace "machine" at 10.213.1.1, reached over a veth pair from
// namespace "admin" (10.213.1.2), where the test runs the ssh client Drover starts. The login
// is a key made here; every command a client asks for goes through session.sh, which logs it
// and runs it with a stand-in systemctl first on PATH: it records "systemctl poweroff" or
// "reboot" in machine.log instead of switching this host off. With the file `drop` present,
// the stand-in kills its own ssh session after acting, as a machine going down does; with
// `refuse`, it fails as systemctl does without the right to power off.
class SshMachine final {
    Q_DISABLE_COPY_MOVE(SshMachine)
public:
    static constexpr auto address = "10.213.1.1";

    SshMachine() = default;
    ~SshMachine() { stop(); }

    static QString missing()
    {
        QString absent = missingNamespaceTools({ QStringLiteral("ssh"), QStringLiteral("ssh-keygen") });
        if (absent.isEmpty() && !QFile::exists(QStringLiteral("/usr/sbin/sshd")))
            absent = QStringLiteral("not installed: /usr/sbin/sshd (Debian package openssh-server)");
        return absent;
    }

    bool start(QString *why)
    {
        if (!m_dir.isValid()) {
            *why = QStringLiteral("no temporary directory");
            return false;
        }
        m_machineNs = m_namespaces.add(QStringLiteral("sshm"), why);
        m_adminNs = m_namespaces.add(QStringLiteral("ssha"), why);
        const QString machineIf = QStringLiteral("drvsm") + kPid;
        const QString adminIf = QStringLiteral("drvsa") + kPid;
        if (m_machineNs.isEmpty() || m_adminNs.isEmpty()
            || !Namespaces::veth(m_machineNs, machineIf, m_adminNs, adminIf, why)
            || !nsIp(m_machineNs, QStringLiteral("addr add 10.213.1.1/24 dev ") + machineIf, why)
            || !nsIp(m_adminNs, QStringLiteral("addr add 10.213.1.2/24 dev ") + adminIf, why)
            || !nsIp(m_machineNs, QStringLiteral("link set up dev ") + machineIf, why)
            || !nsIp(m_adminNs, QStringLiteral("link set up dev ") + adminIf, why))
            return false;
        for (const QString &key :
            { QStringLiteral("host_key"), QStringLiteral("client_key"), QStringLiteral("stranger_key") }) {
            if (!run(QStringLiteral("ssh-keygen"),
                    { QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"), QStringLiteral("-N"),
                        QString(), QStringLiteral("-f"), path(key) },
                    why))
                return false;
        }
        if (!QFile::copy(path(QStringLiteral("client_key.pub")), path(QStringLiteral("authorized_keys")))) {
            *why = QStringLiteral("cannot write authorized_keys");
            return false;
        }
        QDir(m_dir.path()).mkpath(QStringLiteral("bin"));
        const QString session = QStringLiteral("#!/bin/sh\n"
                                               "printf '%s\\n' \"$SSH_ORIGINAL_COMMAND\" >> '%1'\n"
                                               "PATH='%2':$PATH exec /bin/sh -c \"$SSH_ORIGINAL_COMMAND\"\n")
                                    .arg(path(QStringLiteral("commands.log")), path(QStringLiteral("bin")));
        // The stand-in systemctl; with `drop` it finds its ssh session process (the nearest
        // sshd ancestor) and kills it, after the output had time to reach the client.
        const QString systemctl
            = QStringLiteral("#!/bin/sh\n"
                             "if [ -e '%2/refuse' ]; then echo 'Call to PowerOff failed: Access denied' >&2; "
                             "exit 1; fi\n"
                             "echo \"systemctl $*\" >> '%1'\n"
                             "if [ -e '%2/drop' ]; then\n"
                             "  sleep 0.5; pid=$$\n"
                             "  while [ \"$pid\" -gt 1 ]; do\n"
                             "    case $(cat /proc/$pid/comm) in sshd*) kill -9 $pid; exit 0 ;; esac\n"
                             "    pid=$(awk '/^PPid:/ {print $2}' /proc/$pid/status)\n"
                             "  done\n"
                             "fi\n")
                  .arg(path(QStringLiteral("machine.log")), m_dir.path());
        if (!writeExecutable(path(QStringLiteral("session.sh")), session)
            || !writeExecutable(path(QStringLiteral("bin/systemctl")), systemctl)) {
            *why = QStringLiteral("cannot write the machine's scripts");
            return false;
        }
        const QString config = QStringLiteral("ListenAddress %1\n"
                                              "Port 22\n"
                                              "HostKey %2\n"
                                              "PidFile none\n"
                                              "UsePAM no\n"
                                              "PermitRootLogin prohibit-password\n"
                                              "PubkeyAuthentication yes\n"
                                              "PasswordAuthentication no\n"
                                              "KbdInteractiveAuthentication no\n"
                                              "AuthorizedKeysFile %3\n"
                                              "StrictModes no\n"
                                              "ForceCommand %4\n"
                                              "LogLevel VERBOSE\n")
                                   .arg(QLatin1String(address), path(QStringLiteral("host_key")),
                                       path(QStringLiteral("authorized_keys")), path(QStringLiteral("session.sh")));
        QFile conf(path(QStringLiteral("sshd_config")));
        if (!conf.open(QIODevice::WriteOnly) || conf.write(config.toUtf8()) <= 0) {
            *why = QStringLiteral("cannot write sshd_config");
            return false;
        }
        conf.close();
        QDir().mkpath(QStringLiteral("/run/sshd")); // its privilege separation directory
        m_sshd.setProcessChannelMode(QProcess::MergedChannels);
        m_sshd.start(QStringLiteral("nsenter"),
            inNamespace(m_machineNs, QStringLiteral("/usr/sbin/sshd"),
                { QStringLiteral("-D"), QStringLiteral("-e"), QStringLiteral("-f"),
                    path(QStringLiteral("sshd_config")) }));
        if (!m_sshd.waitForStarted(5000)) {
            *why = QStringLiteral("cannot run sshd: %1").arg(m_sshd.errorString());
            return false;
        }
        QByteArray output;
        const QDeadlineTimer deadline(10000);
        while (
            !output.contains("Server listening on") && m_sshd.state() == QProcess::Running && !deadline.hasExpired()) {
            m_sshd.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())));
            output += m_sshd.readAll();
        }
        if (output.contains("Server listening on"))
            return true;
        output += m_sshd.readAll();
        *why = QStringLiteral("sshd did not start: %1").arg(QString::fromLocal8Bit(output));
        return false;
    }

    void stop()
    {
        if (m_sshd.state() != QProcess::NotRunning) {
            m_sshd.terminate();
            if (!m_sshd.waitForFinished(5000)) {
                m_sshd.kill();
                m_sshd.waitForFinished(2000);
            }
        }
    }

    QString adminNamespace() const { return m_adminNs; }
    QString path(const QString &name) const { return m_dir.filePath(name); }
    QString url(const QString &key = QStringLiteral("client_key")) const
    {
        return QStringLiteral("ssh://root@%1?identity=%2").arg(QLatin1String(address), path(key));
    }
    QString machineLog() const { return readText(path(QStringLiteral("machine.log"))); }
    QString commandLog() const { return readText(path(QStringLiteral("commands.log"))); }
    QString sshdOutput() { return QString::fromLocal8Bit(m_sshd.readAll()); }

private:
    QTemporaryDir m_dir;
    Namespaces m_namespaces;
    QString m_machineNs;
    QString m_adminNs;
    QProcess m_sshd;
};

// powerControl as run from inside a namespace: the ssh client it starts lives there too.
Result<PowerOutcome> powerIn(const QString &ns, const QString &url, PowerAction action, const QString &mac = {})
{
    InNamespace inside(ns);
    if (!inside.entered())
        return Result<PowerOutcome>::failure(QStringLiteral("cannot enter namespace %1").arg(ns));
    const auto spec = PowerSpec::parse(url);
    if (!spec)
        return Result<PowerOutcome>::failure(spec.error());
    return powerControl(*spec, action, mac, 10000);
}

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

    // ssh power against a real sshd in a namespace: each action reaches the machine, and the
    // connection dropping after the machine took the command (a reboot) is still success.
    void sshAgainstSshd_data()
    {
        QTest::addColumn<QString>("action");
        QTest::addColumn<QString>("machineFile"); // "drop", "refuse" or empty
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("expect"); // in the state (status), the detail or the error
        QTest::addColumn<QString>("machineLog"); // what the stand-in systemctl recorded
        QTest::newRow("status") << "status" << "" << true << "on" << "";
        QTest::newRow("off") << "off" << "" << true << "systemctl poweroff" << "systemctl poweroff\n";
        QTest::newRow("cycle") << "cycle" << "" << true << "systemctl reboot" << "systemctl reboot\n";
        QTest::newRow("cycle, the connection drops") << "cycle" << "drop" << true << "connection closed"
                                                     << "systemctl reboot\n";
        QTest::newRow("off, the machine refuses")
            << "off" << "refuse" << false << "failed on the machine with status 1: Call to PowerOff failed" << "";
    }

    void sshAgainstSshd()
    {
        QFETCH(QString, action);
        QFETCH(QString, machineFile);
        QFETCH(bool, ok);
        QFETCH(QString, expect);
        QFETCH(QString, machineLog);
        if (const QString missing = SshMachine::missing(); !missing.isEmpty())
            QSKIP(qPrintable(missing));
        SshMachine machine;
        QString why;
        QVERIFY2(machine.start(&why), qPrintable(why));
        if (!machineFile.isEmpty())
            QVERIFY(QFile(machine.path(machineFile)).open(QIODevice::WriteOnly));
        const auto outcome = powerIn(machine.adminNamespace(), machine.url(), *powerActionFromKey(action));
        QCOMPARE(outcome.ok(), ok);
        const QString said = !outcome           ? outcome.error()
            : action == QLatin1String("status") ? outcome->state
                                                : outcome->detail;
        QVERIFY2(said.contains(expect), qPrintable(said + QStringLiteral(" / sshd: ") + machine.sshdOutput()));
        QCOMPARE(machine.machineLog(), machineLog);
        QVERIFY2(machine.commandLog().contains(action == QLatin1String("off") ? QLatin1String("systemctl poweroff")
                         : action == QLatin1String("cycle")                   ? QLatin1String("systemctl reboot")
                                                                              : QLatin1String("true")),
            qPrintable(machine.commandLog()));
    }

    // ssh's own failure (exit 255: no connection, or the login refused) is a failure of every
    // ssh action, with ssh's words in it, and nothing ran on the machine.
    void sshFailures_data()
    {
        QTest::addColumn<QString>("action");
        QTest::addColumn<bool>("stopped"); // sshd stopped before the call
        QTest::addColumn<QString>("expect");
        for (const char *a : { "status", "off", "cycle" }) {
            QTest::addRow("%s, sshd stopped", a) << QString::fromLatin1(a) << true << "Connection refused";
            QTest::addRow("%s, wrong key", a) << QString::fromLatin1(a) << false << "Permission denied";
        }
    }

    void sshFailures()
    {
        QFETCH(QString, action);
        QFETCH(bool, stopped);
        QFETCH(QString, expect);
        if (const QString missing = SshMachine::missing(); !missing.isEmpty())
            QSKIP(qPrintable(missing));
        SshMachine machine;
        QString why;
        QVERIFY2(machine.start(&why), qPrintable(why));
        if (stopped)
            machine.stop();
        const auto outcome = powerIn(machine.adminNamespace(),
            machine.url(stopped ? QStringLiteral("client_key") : QStringLiteral("stranger_key")),
            *powerActionFromKey(action));
        QVERIFY2(!outcome, qPrintable(outcome ? outcome->state + outcome->detail : QString()));
        QVERIFY2(outcome.error().contains(QLatin1String("ssh failed (exit status 255)")), qPrintable(outcome.error()));
        QVERIFY2(outcome.error().contains(expect), qPrintable(outcome.error()));
        QVERIFY2(outcome.error().contains(QLatin1String(SshMachine::address)), qPrintable(outcome.error()));
        QCOMPARE(machine.commandLog(), QString());
        QCOMPARE(machine.machineLog(), QString());
    }

    // Wake-on-LAN on a real Ethernet segment: a bridge in its own namespace with two ports,
    // the sender's namespace on one and the sleeping machine's on the other. The packet goes
    // to the segment's broadcast address — named in the URL, or found from the sender's
    // interfaces when the URL names none (no default route there: 255.255.255.255 would not
    // leave) — and arrives at a socket on port 9 behind the other port.
    void wakeOnLanAcrossBridge_data()
    {
        QTest::addColumn<QString>("url");
        QTest::newRow("directed broadcast") << QStringLiteral("wol://10.213.2.255");
        QTest::newRow("each interface's broadcast") << QStringLiteral("wol://");
    }

    void wakeOnLanAcrossBridge()
    {
        QFETCH(QString, url);
        if (const QString missing = missingNamespaceTools(); !missing.isEmpty())
            QSKIP(qPrintable(missing));
        Namespaces namespaces;
        QString why;
        const QString bridgeNs = namespaces.add(QStringLiteral("br"), &why);
        const QString senderNs = namespaces.add(QStringLiteral("ws"), &why);
        const QString machineNs = namespaces.add(QStringLiteral("wm"), &why);
        QVERIFY2(!bridgeNs.isEmpty() && !senderNs.isEmpty() && !machineNs.isEmpty(), qPrintable(why));
        const QString bridge = QStringLiteral("drvbr") + kPid;
        QVERIFY2(nsIp(bridgeNs, QStringLiteral("link add %1 type bridge").arg(bridge), &why), qPrintable(why));
        QVERIFY2(nsIp(bridgeNs, QStringLiteral("link set up dev %1").arg(bridge), &why), qPrintable(why));
        const QList<std::pair<QString, QString>> ends { { senderNs, QStringLiteral("10.213.2.1/24") },
            { machineNs, QStringLiteral("10.213.2.2/24") } };
        for (int i = 0; i < ends.size(); ++i) {
            const auto &[ns, address] = ends.at(i);
            const QString inner = QStringLiteral("drvw%1i%2").arg(i).arg(kPid);
            const QString port = QStringLiteral("drvw%1p%2").arg(i).arg(kPid);
            QVERIFY2(Namespaces::veth(ns, inner, bridgeNs, port, &why), qPrintable(why));
            QVERIFY2(
                nsIp(bridgeNs, QStringLiteral("link set %1 master %2 up").arg(port, bridge), &why), qPrintable(why));
            QVERIFY2(nsIp(ns, QStringLiteral("addr add %1 brd + dev %2").arg(address, inner), &why), qPrintable(why));
            QVERIFY2(nsIp(ns, QStringLiteral("link set up dev %1").arg(inner), &why), qPrintable(why));
        }
        QUdpSocket receiver;
        {
            InNamespace inside(machineNs);
            QVERIFY(inside.entered());
            QVERIFY2(receiver.bind(QHostAddress::AnyIPv4, 9), qPrintable(receiver.errorString()));
        }
        // A bridge port forwards once it is up; until then a packet may be lost: try a few times.
        Result<PowerOutcome> sent = Result<PowerOutcome>::failure(QStringLiteral("not sent"));
        for (int attempt = 0; attempt < 10 && !receiver.hasPendingDatagrams(); ++attempt) {
            sent = powerIn(senderNs, url, PowerAction::Wake, QStringLiteral("52:54:00:ab:cd:ef"));
            QVERIFY2(sent, qPrintable(sent.error()));
            receiver.waitForReadyRead(500);
        }
        QVERIFY2(sent->detail.contains(QLatin1String("10.213.2.255:9")), qPrintable(sent->detail));
        QVERIFY(receiver.hasPendingDatagrams());
        const QNetworkDatagram datagram = receiver.receiveDatagram();
        QCOMPARE(datagram.senderAddress(), QHostAddress(QStringLiteral("10.213.2.1")));
        const QByteArray packet = datagram.data();
        QCOMPARE(packet.size(), 102);
        QCOMPARE(packet.left(6), QByteArray(6, char(0xff)));
        for (int i = 0; i < 16; ++i)
            QCOMPARE(packet.mid(6 + i * 6, 6), QByteArray::fromHex("525400abcdef"));
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
