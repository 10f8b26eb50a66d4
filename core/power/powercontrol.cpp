#include "power/powercontrol.h"

#include "util/mac.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QNetworkAccessManager>
#include <QNetworkInterface>
#include <QNetworkReply>
#include <QProcess>
#include <QTimer>
#include <QUdpSocket>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(PowerControl)
};

using R = Result<PowerOutcome>;

// Where a magic packet goes: the broadcast address the spec names, else the directed
// broadcast of every IPv4 interface that is up and can broadcast. The limited broadcast
// 255.255.255.255 leaves by the default route's interface only (and nowhere without a
// default route), so a lab segment on a second network card would never see it.
QList<QHostAddress> wakeOnLanTargets(const PowerSpec &spec)
{
    if (!spec.host.isEmpty())
        return { QHostAddress(spec.host) };
    QList<QHostAddress> targets;
    const auto interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &nic : interfaces) {
        const auto flags = nic.flags();
        if (!flags.testFlag(QNetworkInterface::IsUp) || !flags.testFlag(QNetworkInterface::CanBroadcast)
            || flags.testFlag(QNetworkInterface::IsLoopBack))
            continue;
        for (const QNetworkAddressEntry &entry : nic.addressEntries()) {
            const QHostAddress broadcast = entry.broadcast();
            if (entry.ip().protocol() == QAbstractSocket::IPv4Protocol && !broadcast.isNull()
                && !targets.contains(broadcast))
                targets.append(broadcast);
        }
    }
    if (targets.isEmpty())
        targets.append(QHostAddress(QHostAddress::Broadcast));
    return targets;
}

R wakeOnLan(const PowerSpec &spec, const QString &mac)
{
    const QByteArray packet = wakeOnLanPacket(mac);
    if (packet.isEmpty())
        return R::failure(Text::tr("Wake-on-LAN: '%1' is not a MAC address").arg(mac));
    const quint16 port = quint16(spec.port > 0 ? spec.port : 9);
    // Qt sets SO_BROADCAST on every UDP socket it makes, so broadcast addresses are allowed.
    QUdpSocket socket;
    QStringList sent;
    QStringList failed;
    for (const QHostAddress &target : wakeOnLanTargets(spec)) {
        const QString to = QStringLiteral("%1:%2").arg(target.toString()).arg(port);
        if (socket.writeDatagram(packet, target, port) == packet.size())
            sent << to;
        else
            failed << Text::tr("%1 (%2)").arg(to, socket.errorString());
    }
    if (sent.isEmpty())
        return R::failure(Text::tr("Wake-on-LAN: cannot send to %1").arg(failed.join(QStringLiteral(", "))));
    QString detail = Text::tr("Wake-on-LAN magic packet for %1 sent to %2").arg(mac, sent.join(QStringLiteral(", ")));
    if (!failed.isEmpty())
        detail += Text::tr("; not sent to %1").arg(failed.join(QStringLiteral(", ")));
    return PowerOutcome { {}, detail };
}

// One finished run of a tool: how it ended and what it said.
struct ToolRun {
    int exitCode = 0;
    QString out;
    QString err;
    // Its last error lines, for a message that fits in a log line.
    QString lastErrorLines() const
    {
        const QStringList lines = err.trimmed().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        return lines.mid(qMax(0, lines.size() - 3)).join(QStringLiteral(" / "));
    }
};

// Runs a tool to its end; a failure here means it did not start, crashed or took too long.
Result<ToolRun> runToolRaw(
    const QString &program, const QStringList &args, const QProcessEnvironment &env, int timeoutMs, const QString &what)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    if (!p.waitForStarted(5000))
        return Result<ToolRun>::failure(
            Text::tr("%1: cannot run %2: %3 (is it installed?)").arg(what, program, p.errorString()));
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(2000);
        return Result<ToolRun>::failure(Text::tr("%1: no answer within %2 s").arg(what).arg(timeoutMs / 1000));
    }
    ToolRun run { p.exitCode(), QString::fromLocal8Bit(p.readAllStandardOutput()).trimmed(),
        QString::fromLocal8Bit(p.readAllStandardError()) };
    if (p.exitStatus() != QProcess::NormalExit)
        return Result<ToolRun>::failure(Text::tr("%1: %2 crashed: %3").arg(what, program, run.lastErrorLines()));
    return run;
}

// Runs a tool and returns its standard output; a failure carries its last error lines.
Result<QString> runTool(
    const QString &program, const QStringList &args, const QProcessEnvironment &env, int timeoutMs, const QString &what)
{
    auto run = runToolRaw(program, args, env, timeoutMs, what);
    if (!run)
        return Result<QString>::failure(run.error());
    if (run->exitCode != 0)
        return Result<QString>::failure(Text::tr("%1: %2 exited with status %3: %4")
                .arg(what, program)
                .arg(run->exitCode)
                .arg(run->lastErrorLines()));
    return run->out;
}

R ipmi(const PowerSpec &spec, PowerAction action, int timeoutMs)
{
    const QString what = Text::tr("IPMI %1").arg(spec.host);
    const QString verb = action == PowerAction::Wake ? QStringLiteral("on") : powerActionKey(action);
    // The password goes by the environment (-E), never on a command line others can read.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("IPMI_PASSWORD"), spec.password);
    QStringList args { QStringLiteral("-I"), QStringLiteral("lanplus"), QStringLiteral("-H"), spec.host,
        QStringLiteral("-U"), spec.user, QStringLiteral("-E") };
    if (spec.port > 0)
        args << QStringLiteral("-p") << QString::number(spec.port);
    args << QStringLiteral("chassis") << QStringLiteral("power") << verb;
    auto out = runTool(QStringLiteral("ipmitool"), args, env, timeoutMs, what);
    if (!out)
        return R::failure(out.error());
    PowerOutcome o { {}, Text::tr("%1: chassis power %2: %3").arg(what, verb, *out) };
    if (action == PowerAction::Status)
        o.state = out->endsWith(QLatin1String(" on")) ? QStringLiteral("on")
            : out->endsWith(QLatin1String(" off"))    ? QStringLiteral("off")
                                                      : *out;
    return o;
}

R redfish(const PowerSpec &spec, PowerAction action, int timeoutMs)
{
    const QString base = QStringLiteral("%1://%2%3/redfish/v1/")
                             .arg(spec.plainHttp ? QStringLiteral("http") : QStringLiteral("https"), spec.host,
                                 spec.port > 0 ? QStringLiteral(":%1").arg(spec.port) : QString());
    const QString what = Text::tr("Redfish %1").arg(spec.host);
    QNetworkAccessManager nam;
    auto call = [&](const QString &path, const QByteArray &body) -> Result<QJsonObject> {
        QNetworkRequest request(QUrl(base + path));
        request.setRawHeader(
            "Authorization", "Basic " + (spec.user + QLatin1Char(':') + spec.password).toUtf8().toBase64());
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        request.setTransferTimeout(timeoutMs);
        QNetworkReply *reply = body.isNull() ? nam.get(request) : nam.post(request, body);
        if (spec.insecure)
            reply->ignoreSslErrors();
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray data = reply->readAll();
        if (reply->error() != QNetworkReply::NoError && status == 0)
            return Result<QJsonObject>::failure(Text::tr("%1: %2").arg(what, reply->errorString()));
        if (status == 401 || status == 403)
            return Result<QJsonObject>::failure(
                Text::tr("%1: the BMC refused the user %2 (HTTP %3)").arg(what, spec.user).arg(status));
        if (status < 200 || status > 299)
            return Result<QJsonObject>::failure(
                Text::tr("%1: HTTP %2 for %3: %4").arg(what).arg(status).arg(path, QString::fromUtf8(data.left(200))));
        return QJsonDocument::fromJson(data).object();
    };
    if (action == PowerAction::Status) {
        auto system = call(spec.path, QByteArray());
        if (!system)
            return R::failure(system.error());
        const QString state = system->value(QStringLiteral("PowerState")).toString();
        if (state.isEmpty())
            return R::failure(Text::tr("%1: %2 has no PowerState").arg(what, spec.path));
        return PowerOutcome { state.toLower(), Text::tr("%1: %2 is %3").arg(what, spec.path, state) };
    }
    const QString reset = action == PowerAction::Off ? QStringLiteral("ForceOff")
        : action == PowerAction::Cycle               ? QStringLiteral("ForceRestart")
                                                     : QStringLiteral("On");
    const QByteArray body
        = QJsonDocument(QJsonObject { { QStringLiteral("ResetType"), reset } }).toJson(QJsonDocument::Compact);
    auto done = call(spec.path + QStringLiteral("/Actions/ComputerSystem.Reset"), body);
    if (!done)
        return R::failure(done.error());
    return PowerOutcome { {}, Text::tr("%1: %2 reset %3").arg(what, spec.path, reset) };
}

// Printed by the machine before it acts: when the connection then drops (the machine went
// down before ssh saw the command's exit status), the command did run.
constexpr auto kSshAccepted = "drover-power: accepted";

R ssh(const PowerSpec &spec, PowerAction action, int timeoutMs)
{
    const QString what = Text::tr("ssh %1@%2").arg(spec.user, spec.host);
    // A stateless machine makes a new host key at every boot (drover-hostkeys.service), so a
    // known_hosts entry would only ever be wrong: the key login is what authenticates here.
    QStringList args { QStringLiteral("-o"), QStringLiteral("BatchMode=yes"), QStringLiteral("-o"),
        QStringLiteral("ConnectTimeout=%1").arg(qMax(1, timeoutMs / 2000)), QStringLiteral("-o"),
        QStringLiteral("StrictHostKeyChecking=no"), QStringLiteral("-o"),
        QStringLiteral("UserKnownHostsFile=/dev/null"), QStringLiteral("-o"), QStringLiteral("LogLevel=ERROR") };
    if (spec.port > 0)
        args << QStringLiteral("-p") << QString::number(spec.port);
    if (!spec.identity.isEmpty())
        args << QStringLiteral("-i") << spec.identity;
    args << QStringLiteral("%1@%2").arg(spec.user, spec.host);
    const QString remote = action == PowerAction::Off ? QStringLiteral("systemctl poweroff")
        : action == PowerAction::Cycle                ? QStringLiteral("systemctl reboot")
                                                      : QStringLiteral("true");
    const QString command = QStringLiteral("echo '%1' && %2").arg(QLatin1String(kSshAccepted), remote);
    auto run
        = runToolRaw(QStringLiteral("ssh"), args << command, QProcessEnvironment::systemEnvironment(), timeoutMs, what);
    if (!run)
        return R::failure(run.error());
    const bool accepted = run->out.contains(QLatin1String(kSshAccepted));
    if (run->exitCode == 255 && accepted && action != PowerAction::Status) {
        // The connection dropped after the machine took the command: it is going down.
        return PowerOutcome { {},
            Text::tr("%1: %2 (the connection closed as the machine went down)").arg(what, remote) };
    }
    if (run->exitCode == 255) // ssh's own failure: no connection, refused login, dropped
        return R::failure(Text::tr("%1: ssh failed (exit status 255), the machine was not reached: %2")
                .arg(what, run->lastErrorLines()));
    if (run->exitCode != 0)
        return R::failure(Text::tr("%1: '%2' failed on the machine with status %3: %4")
                .arg(what, remote)
                .arg(run->exitCode)
                .arg(run->lastErrorLines()));
    if (action == PowerAction::Status)
        return PowerOutcome { QStringLiteral("on"), Text::tr("%1: logged in, the system is running").arg(what) };
    return PowerOutcome { {}, Text::tr("%1: %2").arg(what, remote) };
}

R qmp(const PowerSpec &spec, PowerAction action, int timeoutMs)
{
    const QString what = Text::tr("QMP %1").arg(spec.path);
    QLocalSocket socket;
    socket.connectToServer(spec.path);
    if (!socket.waitForConnected(qMin(timeoutMs, 5000))) {
        if (action == PowerAction::Status)
            return PowerOutcome { QStringLiteral("off"), Text::tr("%1: no virtual machine listens").arg(what) };
        return R::failure(
            Text::tr("%1: cannot connect: %2 (is the virtual machine running?)").arg(what, socket.errorString()));
    }
    QElapsedTimer clock;
    clock.start();
    // Reads one JSON message that is not an asynchronous event.
    auto readReply = [&]() -> Result<QJsonObject> {
        while (clock.elapsed() < timeoutMs) {
            while (socket.canReadLine()) {
                const QJsonObject o = QJsonDocument::fromJson(socket.readLine()).object();
                if (!o.contains(QStringLiteral("event")))
                    return o;
            }
            if (!socket.waitForReadyRead(int(qMax<qint64>(1, timeoutMs - clock.elapsed()))))
                break;
        }
        return Result<QJsonObject>::failure(Text::tr("%1: no answer within %2 s").arg(what).arg(timeoutMs / 1000));
    };
    auto execute = [&](const char *command) -> Result<QJsonObject> {
        socket.write(QByteArray(R"({"execute":")") + command + "\"}\n");
        socket.flush();
        auto reply = readReply();
        if (reply && reply->contains(QStringLiteral("error")))
            return Result<QJsonObject>::failure(Text::tr("%1: %2 failed: %3")
                    .arg(what, QLatin1String(command),
                        reply->value(QStringLiteral("error")).toObject().value(QStringLiteral("desc")).toString()));
        return reply;
    };
    if (auto greeting = readReply(); !greeting)
        return R::failure(greeting.error());
    if (auto ok = execute("qmp_capabilities"); !ok)
        return R::failure(ok.error());
    auto status = execute("query-status");
    if (!status)
        return R::failure(status.error());
    const QString state = status->value(QStringLiteral("return")).toObject().value(QStringLiteral("status")).toString();
    switch (action) {
    case PowerAction::Status:
        return PowerOutcome { state == QLatin1String("running") ? QStringLiteral("on") : state,
            Text::tr("%1: %2").arg(what, state) };
    case PowerAction::On:
    case PowerAction::Wake:
        if (state == QLatin1String("running"))
            return PowerOutcome { {}, Text::tr("%1: running already").arg(what) };
        if (auto ok = execute("cont"); !ok)
            return R::failure(ok.error());
        return PowerOutcome { {}, Text::tr("%1: started (was %2)").arg(what, state) };
    case PowerAction::Cycle:
        if (auto ok = execute("system_reset"); !ok)
            return R::failure(ok.error());
        if (state != QLatin1String("running"))
            (void)execute("cont");
        return PowerOutcome { {}, Text::tr("%1: reset").arg(what) };
    case PowerAction::Off:
        break;
    }
    // Pulling the plug: qemu exits (the virtual lab notices and cleans up).
    socket.write(R"({"execute":"quit"})"
                 "\n");
    socket.flush();
    socket.waitForDisconnected(qMin(timeoutMs, 5000));
    return PowerOutcome { {}, Text::tr("%1: powered off").arg(what) };
}

} // namespace

QByteArray wakeOnLanPacket(const QString &mac)
{
    const auto normal = normalizeMac(mac);
    if (!normal)
        return {};
    const QByteArray bytes = QByteArray::fromHex(normal->toLatin1().replace(':', ""));
    if (bytes.size() != 6)
        return {};
    QByteArray packet(6, char(0xff));
    for (int i = 0; i < 16; ++i)
        packet += bytes;
    return packet;
}

Result<PowerOutcome> powerControl(const PowerSpec &spec, PowerAction action, const QString &mac, int timeoutMs)
{
    if (!spec.supports(action))
        return R::failure(spec.method == PowerMethod::WakeOnLan
                ? Text::tr("Wake-on-LAN can only switch a machine on; set IPMI, Redfish, ssh or QMP to %1 it")
                      .arg(powerActionKey(action))
                : Text::tr("%1 cannot switch a machine on: it needs the machine running; use Wake-on-LAN, "
                           "IPMI, Redfish or QMP")
                      .arg(spec.methodName()));
    switch (spec.method) {
    case PowerMethod::WakeOnLan:
        return wakeOnLan(spec, mac);
    case PowerMethod::Ipmi:
        return ipmi(spec, action, timeoutMs);
    case PowerMethod::Redfish:
        return redfish(spec, action, timeoutMs);
    case PowerMethod::Ssh:
        return ssh(spec, action, timeoutMs);
    case PowerMethod::Qmp:
        break;
    }
    return qmp(spec, action, timeoutMs);
}

} // namespace drover
