// Templates, the drover-config 1 file and the NoCloud files.
#include "machineconfig/machinerender.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(MachineRender)
};

const QString kDefaultShell = QStringLiteral("/bin/bash");

// The configuration with every template filled in and every payload as bytes: what both
// renderers write out.
struct Resolved {
    QString hostname;
    QString hostnameNote; // why there is none, for a comment
    QList<ConfigUser> users;
    struct File {
        QString path;
        QString mode;
        QString owner;
        QByteArray bytes;
    };
    QList<File> files; // the network file first, when there is one
    QList<ConfigScript> scripts;
    ConfigNetwork network; // rendered
};

// Comments in the file must stay on one line of printable ASCII.
QString commentSafe(const QString &text)
{
    QString s;
    for (QChar c : text)
        s += (c.unicode() >= 0x20 && c.unicode() < 0x7f) ? c : QLatin1Char('?');
    return s;
}

QByteArray payload(const QByteArray &bytes)
{
    return bytes.isEmpty() ? QByteArray("-") : bytes.toBase64();
}

Result<QString> renderValue(const QString &text, const RenderContext &context, const QString &where)
{
    return text.contains(QLatin1String("{{")) ? renderTemplate(text, context, where) : Result<QString>(text);
}

Result<Resolved> resolve(const MachineConfig &config, const RenderContext &context)
{
    using namespace configrules;
    Resolved r;
    if (!config.hostname.isEmpty()) {
        auto host = renderTemplate(config.hostname, context, Text::tr("hostname"));
        if (!host)
            return Result<Resolved>::failure(host.error());
        if (!isHostname(*host))
            return Result<Resolved>::failure(
                Text::tr("hostname: '%1' is not a valid host name (RFC 1123 labels, at most 253 characters)")
                    .arg(*host));
        r.hostname = *host;
    } else if (isHostname(context.name)) {
        r.hostname = context.name;
    } else {
        r.hostnameNote = Text::tr("the machine's name is not a host name: the image keeps its own");
    }
    for (const ConfigUser &u : config.users) {
        if (u.uid == 0 && (!u.shell.isEmpty() || !u.groups.isEmpty()))
            return Result<Resolved>::failure(
                Text::tr("user %1: a shell or groups need a uid (without one the user must exist in the image)")
                    .arg(u.name));
        ConfigUser out = u;
        if (out.uid && out.shell.isEmpty())
            out.shell = kDefaultShell;
        r.users.append(out);
    }
    const ConfigNetwork &n = config.network;
    if (n.mode != ConfigNetwork::Mode::Unset) {
        r.network = n;
        auto address = renderValue(n.address, context, QStringLiteral("network.address"));
        auto gateway = renderValue(n.gateway, context, QStringLiteral("network.gateway"));
        if (!address)
            return Result<Resolved>::failure(address.error());
        if (!gateway)
            return Result<Resolved>::failure(gateway.error());
        r.network.address = *address;
        r.network.gateway = *gateway;
        r.network.dns.clear();
        for (const QString &d : n.dns) {
            auto dns = renderValue(d, context, QStringLiteral("network.dns"));
            if (!dns)
                return Result<Resolved>::failure(dns.error());
            if (!isIpv4(*dns))
                return Result<Resolved>::failure(Text::tr("network.dns: '%1' is not an IPv4 address").arg(*dns));
            r.network.dns.append(*dns);
        }
        if (!r.network.address.isEmpty() && !isIpv4Prefix(r.network.address))
            return Result<Resolved>::failure(
                Text::tr("network.address: '%1' is not an IPv4 address with a prefix").arg(r.network.address));
        if (!r.network.gateway.isEmpty() && !isIpv4(r.network.gateway))
            return Result<Resolved>::failure(
                Text::tr("network.gateway: '%1' is not an IPv4 address").arg(r.network.gateway));
        QString unit
            = QStringLiteral("# Written by Drover from the machine's configuration.\n[Match]\nMACAddress=%1\n\n"
                             "[Network]\n")
                  .arg(context.mac);
        if (r.network.mode == ConfigNetwork::Mode::Static) {
            unit += QStringLiteral("Address=%1\n").arg(r.network.address);
            if (!r.network.gateway.isEmpty())
                unit += QStringLiteral("Gateway=%1\n").arg(r.network.gateway);
        } else {
            unit += QStringLiteral("DHCP=ipv4\n");
        }
        for (const QString &d : r.network.dns)
            unit += QStringLiteral("DNS=%1\n").arg(d);
        if (r.network.mode == ConfigNetwork::Mode::Dhcp)
            unit += QStringLiteral("\n[DHCPv4]\nClientIdentifier=mac\n");
        r.files.append({ networkFilePath(), QStringLiteral("0644"), QStringLiteral("root:root"), unit.toUtf8() });
    }
    for (const ConfigFile &f : config.files) {
        QByteArray bytes;
        if (f.base64) {
            bytes = QByteArray::fromBase64(f.content.toLatin1());
        } else if (f.templated) {
            auto text = renderTemplate(f.content, context, Text::tr("file %1").arg(f.path));
            if (!text)
                return Result<Resolved>::failure(text.error());
            bytes = text->toUtf8();
        } else {
            bytes = f.content.toUtf8();
        }
        r.files.append({ f.path, f.mode, f.owner, bytes });
    }
    r.scripts = config.scripts;
    // What parsing checked, checked again: a configuration built in code reaches here too.
    if (const QList<ConfigIssue> issues = validateMachineConfig(config); !issues.isEmpty())
        return Result<Resolved>::failure(issuesText(issues).replace(QLatin1Char('\n'), QStringLiteral("; ")));
    return r;
}

} // namespace

RenderContext RenderContext::of(const Machine &machine, const QString &ip)
{
    return RenderContext { machine.name, machine.mac, ip.isEmpty() ? machine.address : ip, machine.labels, {} };
}

QString networkFilePath()
{
    return QStringLiteral("/etc/systemd/network/10-drover.network");
}

Result<QString> renderTemplate(const QString &text, const RenderContext &context, const QString &where)
{
    QString out;
    out.reserve(text.size());
    qsizetype at = 0;
    while (true) {
        const qsizetype open = text.indexOf(QLatin1String("{{"), at);
        if (open < 0) {
            out += QStringView(text).mid(at);
            return out;
        }
        out += QStringView(text).mid(at, open - at);
        const qsizetype close = text.indexOf(QLatin1String("}}"), open + 2);
        const qsizetype line = text.left(open).count(QLatin1Char('\n')) + 1;
        if (close < 0)
            return Result<QString>::failure(Text::tr("%1, line %2: '{{' without a closing '}}'").arg(where).arg(line));
        const QString key = text.mid(open + 2, close - open - 2).trimmed();
        if (key == QLatin1String("name")) {
            out += context.name;
        } else if (key == QLatin1String("mac")) {
            out += context.mac;
        } else if (key == QLatin1String("ip")) {
            if (context.ip.isEmpty())
                return Result<QString>::failure(
                    Text::tr("%1, line %2: {{ip}}: the address of machine %3 is not known yet (it is filled in when "
                             "the machine fetches its configuration)")
                        .arg(where)
                        .arg(line)
                        .arg(context.name));
            out += context.ip;
        } else if (key.startsWith(QLatin1String("label.")) && key.size() > 6) {
            const QString label = key.mid(6);
            const auto it = context.labels.constFind(label);
            if (it == context.labels.cend())
                return Result<QString>::failure(Text::tr("%1, line %2: {{%3}}: machine %4 has no label '%5'")
                        .arg(where)
                        .arg(line)
                        .arg(key, context.name, label));
            out += *it;
        } else {
            return Result<QString>::failure(
                Text::tr("%1, line %2: unknown placeholder {{%3}} (known: {{name}}, {{mac}}, {{ip}}, {{label.KEY}})")
                    .arg(where)
                    .arg(line)
                    .arg(commentSafe(key.left(64))));
        }
        at = close + 2;
    }
}

Result<RenderedConfig> renderDroverConfig(const MachineConfig &config, const RenderContext &context)
{
    auto resolved = resolve(config, context);
    if (!resolved)
        return Result<RenderedConfig>::failure(resolved.error());
    const Resolved &r = *resolved;
    RenderedConfig out;
    QByteArray &t = out.text;
    t = "drover-config 1\n";
    t += "# " + commentSafe(Text::tr("Drover configuration of %1 (%2)").arg(context.name, context.mac)).toUtf8() + '\n';
    if (!context.provenance.isEmpty())
        t += "# " + commentSafe(Text::tr("from %1").arg(context.provenance)).toUtf8() + '\n';
    if (!r.hostname.isEmpty())
        t += "hostname " + r.hostname.toLatin1() + '\n';
    else
        t += "# " + commentSafe(r.hostnameNote).toUtf8() + '\n';
    int users = 0;
    int keys = 0;
    for (const ConfigUser &u : r.users) {
        if (u.uid) {
            t += "user " + u.name.toLatin1() + ' ' + QByteArray::number(u.uid) + ' ' + u.shell.toLatin1() + ' '
                + (u.groups.isEmpty() ? QByteArray("-") : u.groups.join(QLatin1Char(',')).toLatin1()) + '\n';
            ++users;
        }
        if (!u.passwordHash.isEmpty())
            t += "password " + u.name.toLatin1() + ' ' + u.passwordHash.toLatin1() + '\n';
        for (const QString &key : u.keys) {
            t += "key " + u.name.toLatin1() + ' ' + key.toLatin1() + '\n';
            ++keys;
        }
    }
    for (const Resolved::File &f : r.files) {
        t += "file " + f.mode.toLatin1() + ' ' + f.owner.toLatin1() + ' ' + f.path.toLatin1() + ' ' + payload(f.bytes)
            + '\n';
    }
    for (const ConfigScript &s : r.scripts)
        t += "script " + s.name.toLatin1() + ' ' + payload(s.body.toUtf8()) + '\n';
    out.hostname = r.hostname;
    out.summary = QStringLiteral("hostname %1, %2 users, %3 keys, %4 files, %5 scripts")
                      .arg(r.hostname.isEmpty() ? QStringLiteral("unchanged") : r.hostname)
                      .arg(users)
                      .arg(keys)
                      .arg(r.files.size())
                      .arg(r.scripts.size());
    return out;
}

Result<NoCloudData> renderNoCloud(const MachineConfig &config, const RenderContext &context)
{
    auto resolved = resolve(config, context);
    if (!resolved)
        return Result<NoCloudData>::failure(resolved.error());
    const Resolved &r = *resolved;
    QJsonObject cloud;
    if (!r.hostname.isEmpty()) {
        cloud.insert(QStringLiteral("preserve_hostname"), false);
        cloud.insert(QStringLiteral("hostname"), r.hostname.section(QLatin1Char('.'), 0, 0));
        if (r.hostname.contains(QLatin1Char('.')))
            cloud.insert(QStringLiteral("fqdn"), r.hostname);
    }
    QJsonArray users { QStringLiteral("default") };
    for (const ConfigUser &u : r.users) {
        QJsonObject j { { QStringLiteral("name"), u.name } };
        if (u.uid) {
            j.insert(QStringLiteral("uid"), u.uid);
            j.insert(QStringLiteral("shell"), u.shell);
        }
        if (!u.groups.isEmpty())
            j.insert(QStringLiteral("groups"), u.groups.join(QStringLiteral(", ")));
        if (!u.passwordHash.isEmpty()) {
            j.insert(QStringLiteral("hashed_passwd"), u.passwordHash);
            j.insert(QStringLiteral("lock_passwd"), false);
        }
        if (!u.keys.isEmpty())
            j.insert(QStringLiteral("ssh_authorized_keys"), QJsonArray::fromStringList(u.keys));
        if (u.name == QLatin1String("root") && !u.keys.isEmpty())
            cloud.insert(QStringLiteral("disable_root"), false);
        users.append(j);
    }
    cloud.insert(QStringLiteral("users"), users);
    QJsonArray files;
    for (const Resolved::File &f : r.files) {
        if (f.path == networkFilePath() && r.network.mode != ConfigNetwork::Mode::Unset)
            continue; // network-config carries the network
        QJsonObject j { { QStringLiteral("path"), f.path }, { QStringLiteral("permissions"), f.mode },
            { QStringLiteral("owner"), f.owner }, { QStringLiteral("encoding"), QStringLiteral("b64") },
            { QStringLiteral("content"), QString::fromLatin1(f.bytes.toBase64()) } };
        // Users are created after write_files runs; a file they own waits for them.
        if (f.owner != QLatin1String("root:root"))
            j.insert(QStringLiteral("defer"), true);
        files.append(j);
    }
    QJsonArray runcmd;
    for (qsizetype i = 0; i < r.scripts.size(); ++i) {
        const QString path = QStringLiteral("/var/lib/drover/scripts/%1-%2")
                                 .arg(i + 1, 2, 10, QLatin1Char('0'))
                                 .arg(r.scripts.at(i).name);
        files.append(
            QJsonObject { { QStringLiteral("path"), path }, { QStringLiteral("permissions"), QStringLiteral("0700") },
                { QStringLiteral("owner"), QStringLiteral("root:root") },
                { QStringLiteral("encoding"), QStringLiteral("b64") },
                { QStringLiteral("content"), QString::fromLatin1(r.scripts.at(i).body.toUtf8().toBase64()) } });
        runcmd.append(QJsonArray { path });
    }
    if (!files.isEmpty())
        cloud.insert(QStringLiteral("write_files"), files);
    if (!runcmd.isEmpty())
        cloud.insert(QStringLiteral("runcmd"), runcmd);

    QJsonObject ethernet { { QStringLiteral("match"), QJsonObject { { QStringLiteral("macaddress"), context.mac } } } };
    if (r.network.mode == ConfigNetwork::Mode::Static) {
        ethernet.insert(QStringLiteral("dhcp4"), false);
        ethernet.insert(QStringLiteral("addresses"), QJsonArray { r.network.address });
        if (!r.network.gateway.isEmpty())
            ethernet.insert(QStringLiteral("routes"),
                QJsonArray { QJsonObject { { QStringLiteral("to"), QStringLiteral("0.0.0.0/0") },
                    { QStringLiteral("via"), r.network.gateway } } });
    } else {
        ethernet.insert(QStringLiteral("dhcp4"), true);
    }
    if (!r.network.dns.isEmpty())
        ethernet.insert(QStringLiteral("nameservers"),
            QJsonObject { { QStringLiteral("addresses"), QJsonArray::fromStringList(r.network.dns) } });
    const QJsonObject network { { QStringLiteral("version"), 2 },
        { QStringLiteral("ethernets"), QJsonObject { { QStringLiteral("drover0"), ethernet } } } };

    NoCloudData out;
    out.userData = "#cloud-config\n" + QJsonDocument(cloud).toJson(QJsonDocument::Indented);
    out.networkConfig = QJsonDocument(network).toJson(QJsonDocument::Indented);
    // A new instance id whenever what it is given changes: cloud-init reruns its
    // once-per-instance modules then (on a stateless machine it does at every boot anyway).
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(out.userData);
    hash.addData(out.networkConfig);
    QString mac = context.mac;
    mac.remove(QLatin1Char(':'));
    const QJsonObject meta {
        { QStringLiteral("instance-id"),
            QStringLiteral("drover-%1-%2").arg(mac, QString::fromLatin1(hash.result().toHex().left(12))) },
        { QStringLiteral("local-hostname"), r.hostname.isEmpty() ? context.name : r.hostname }
    };
    out.metaData = QJsonDocument(meta).toJson(QJsonDocument::Indented);
    return out;
}

} // namespace drover
