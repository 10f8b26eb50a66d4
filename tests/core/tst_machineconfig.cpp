// Machine configuration: JSON parsing with issues naming the field, the rules the init
// applies (checked against the init's own awk), templates, the group/machine merge, the
// drover-config 1 renderer and NoCloud — and the init applying what the renderer wrote to a
// real image root (busybox sh sourcing resources/initramfs/init).
#include "machineconfig/machinerender.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace drover;

namespace {

Machine pc07()
{
    Machine m;
    m.name = QStringLiteral("pc-07");
    m.mac = QStringLiteral("52:54:00:12:34:56");
    m.address = QStringLiteral("10.0.0.7");
    m.labels = { { QStringLiteral("group"), QStringLiteral("lab") }, { QStringLiteral("room"), QStringLiteral("b2") } };
    return m;
}

MachineConfig parsed(const QByteArray &json)
{
    const ParsedConfig p = parseMachineConfig(json);
    if (!p.ok())
        qFatal("test configuration invalid: %s", qPrintable(issuesText(p.issues)));
    return p.config;
}

// Every keyword of drover-config 1, with templates.
const QByteArray kFull = R"({
  "hostname": "{{name}}.{{label.room}}.lab.example",
  "users": [
    { "name": "alice", "uid": 1001, "groups": ["sudo", "adm"], "password": "$6$salt$abc/def.GHI",
      "keys": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGZha2Uga2V5 alice@lab"] },
    { "name": "root", "keys": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHJvb3Qga2V5 admin"] }
  ],
  "files": [
    { "path": "/etc/drover-id", "content": "name={{name}} mac={{ mac }} ip={{ip}} room={{label.room}}\n", "template": true },
    { "path": "/etc/alice/app.conf", "mode": "0640", "owner": "alice:alice", "content": "literal {{name}}\n" },
    { "path": "/etc/empty", "content": "" },
    { "path": "/usr/local/bin/tool", "mode": "0755", "content": "IyEvYmluL3NoCmVjaG8gdG9vbAo=", "encoding": "base64" }
  ],
  "scripts": [ { "name": "10-hello", "body": "#!/bin/sh\necho hello\n" } ],
  "network": { "mode": "static", "address": "10.0.0.{{label.host}}/24", "gateway": "10.0.0.1", "dns": ["10.0.0.2"] }
})";

QString busybox()
{
    return QStandardPaths::findExecutable(QStringLiteral("busybox"));
}

QString initScript()
{
    return qEnvironmentVariable("DROVER_SOURCE_DIR", QStringLiteral(DROVER_SOURCE_DIR))
        + QStringLiteral("/resources/initramfs/init");
}

// Runs `script` under busybox sh with the init sourced as a library and busybox's applets
// first on PATH, as tests/initramfs does.
QByteArray runInit(const QTemporaryDir &work, const QString &script, int *exitCode)
{
    QDir(work.path()).mkpath(QStringLiteral("bin"));
    QDir(work.path()).mkpath(QStringLiteral("run"));
    QProcess::execute(
        busybox(), { QStringLiteral("--install"), QStringLiteral("-s"), work.filePath(QStringLiteral("bin")) });
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PATH"),
        work.filePath(QStringLiteral("bin")) + QLatin1Char(':') + env.value(QStringLiteral("PATH")));
    env.insert(QStringLiteral("DROVER_RUN"), work.filePath(QStringLiteral("run")));
    env.insert(QStringLiteral("DROVER_INIT_LIB"), QStringLiteral("1"));
    env.insert(QStringLiteral("INIT"), initScript());
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(busybox(), { QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral(". \"$INIT\"; ") + script });
    if (!p.waitForFinished(60000))
        qFatal("busybox sh did not finish");
    *exitCode = p.exitCode();
    return p.readAll();
}

} // namespace

class TstMachineConfig : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void issues_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("message");
        QTest::newRow("not json") << QByteArray("{ \"hostname\": ") << QString() << QStringLiteral("not valid JSON");
        QTest::newRow("array") << QByteArray("[]") << QString() << QStringLiteral("must be a JSON object");
        QTest::newRow("typo") << QByteArray(R"({"hostnme": "x"})") << QStringLiteral("hostnme")
                              << QStringLiteral("unknown key");
        QTest::newRow("hostname") << QByteArray(R"({"hostname": "bad_name!"})") << QStringLiteral("hostname")
                                  << QStringLiteral("not a host name");
        QTest::newRow("path, trailing newline")
            << QByteArray(R"({"files": [{"path": "/etc/x\n"}]})") << QStringLiteral("files[0].path")
            << QStringLiteral("may contain only");
        QTest::newRow("user name") << QByteArray(R"({"users": [{"name": "Alice"}]})") << QStringLiteral("users[0].name")
                                   << QStringLiteral("not a user name");
        QTest::newRow("uid range") << QByteArray(R"({"users": [{"name": "a", "uid": 70000}]})")
                                   << QStringLiteral("users[0].uid") << QStringLiteral("between 1 and 65533");
        QTest::newRow("uid type") << QByteArray(R"({"users": [{"name": "a", "uid": "1001"}]})")
                                  << QStringLiteral("users[0].uid") << QStringLiteral("whole number");
        QTest::newRow("shell") << QByteArray(R"({"users": [{"name": "a", "uid": 5, "shell": "bash"}]})")
                               << QStringLiteral("users[0].shell") << QStringLiteral("absolute path");
        QTest::newRow("plain password") << QByteArray(R"({"users": [{"name": "a", "password": "hunter2"}]})")
                                        << QStringLiteral("users[0].password") << QStringLiteral("crypt hash");
        QTest::newRow("key newline") << QByteArray(
            R"({"users": [{"name": "a", "keys": ["ssh-ed25519 AAAA\nkey b x"]}]})")
                                     << QStringLiteral("users[0].keys[0]") << QStringLiteral("authorized_keys line");
        QTest::newRow("dup user") << QByteArray(R"({"users": [{"name": "a"}, {"name": "a"}]})")
                                  << QStringLiteral("users[1].name") << QStringLiteral("appears twice");
        QTest::newRow("relative path") << QByteArray(R"({"files": [{"path": "etc/x"}]})")
                                       << QStringLiteral("files[0].path") << QStringLiteral("absolute");
        QTest::newRow("dotdot") << QByteArray(R"({"files": [{"path": "/etc/../shadow"}]})")
                                << QStringLiteral("files[0].path") << QStringLiteral(". or ..");
        QTest::newRow("run") << QByteArray(R"({"files": [{"path": "/run/x"}]})") << QStringLiteral("files[0].path")
                             << QStringLiteral("/run");
        QTest::newRow("space") << QByteArray(R"({"files": [{"path": "/etc/a b"}]})") << QStringLiteral("files[0].path")
                               << QStringLiteral("may contain only");
        QTest::newRow("mode number") << QByteArray(R"({"files": [{"path": "/etc/x", "mode": 644}]})")
                                     << QStringLiteral("files[0].mode") << QStringLiteral("octal string");
        QTest::newRow("mode") << QByteArray(R"({"files": [{"path": "/etc/x", "mode": "9644"}]})")
                              << QStringLiteral("files[0].mode") << QStringLiteral("octal mode");
        QTest::newRow("owner") << QByteArray(R"({"files": [{"path": "/etc/x", "owner": "root"}]})")
                               << QStringLiteral("files[0].owner") << QStringLiteral("USER:GROUP");
        QTest::newRow("base64") << QByteArray(
            R"({"files": [{"path": "/etc/x", "content": "*", "encoding": "base64"}]})")
                                << QStringLiteral("files[0].content") << QStringLiteral("not base64");
        QTest::newRow("script name") << QByteArray(R"({"scripts": [{"name": "../x", "body": "x"}]})")
                                     << QStringLiteral("scripts[0].name") << QStringLiteral("not a script name");
        QTest::newRow("network mode") << QByteArray(R"({"network": {"mode": "magic"}})")
                                      << QStringLiteral("network.mode") << QStringLiteral("\"dhcp\" or \"static\"");
        QTest::newRow("static no address") << QByteArray(R"({"network": {"mode": "static"}})")
                                           << QStringLiteral("network.address") << QStringLiteral("needs an address");
        QTest::newRow("dns") << QByteArray(R"({"network": {"mode": "dhcp", "dns": ["x"]}})")
                             << QStringLiteral("network.dns[0]") << QStringLiteral("not an IPv4 address");
    }
    void issues()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, field);
        QFETCH(QString, message);
        const ParsedConfig p = parseMachineConfig(json);
        QVERIFY(!p.ok());
        bool found = false;
        for (const ConfigIssue &i : p.issues)
            found = found || (i.field == field && i.message.contains(message));
        QVERIFY2(found, qPrintable(issuesText(p.issues)));
    }

    void roundTrip()
    {
        const MachineConfig c = parsed(kFull);
        const MachineConfig again = parsed(c.toJsonText());
        QCOMPARE(again.toJson(), c.toJson());
        QCOMPARE(c.users.size(), 2);
        QCOMPARE(c.files.at(3).base64, true);
        QCOMPARE(c.network.mode, ConfigNetwork::Mode::Static);
    }

    // "keys": { USER: [...] } joins the user's entry, or adds one for a user the image has.
    void keysShorthand()
    {
        const MachineConfig c = parsed(R"({"users": [{"name": "alice", "uid": 1001, "keys": ["ssh-ed25519 AAAA a1"]}],
            "keys": {"alice": ["ssh-ed25519 AAAA a2", "ssh-ed25519 AAAA a1"], "root": ["ssh-ed25519 AAAA r"]}})");
        QCOMPARE(c.users.size(), 2);
        QCOMPARE(c.users.at(0).keys,
            QStringList({ QStringLiteral("ssh-ed25519 AAAA a1"), QStringLiteral("ssh-ed25519 AAAA a2") }));
        QCOMPARE(c.users.at(1).name, QStringLiteral("root"));
        QCOMPARE(c.users.at(1).uid, 0);
        const auto r = renderDroverConfig(c, RenderContext::of(pc07()));
        QVERIFY(r.ok());
        QVERIFY(r->text.contains("\nkey root ssh-ed25519 AAAA r\n"));
        QVERIFY(!r->text.contains("user root"));
        const ParsedConfig bad = parseMachineConfig(R"({"keys": {"Root": ["x y"], "bob": ["one"], "eve": "x"}})");
        QCOMPARE(issuesText(bad.issues),
            QStringLiteral(
                "keys.Root: 'Root' is not a user name\n"
                "keys.bob[0]: not an authorized_keys line (TYPE KEY [COMMENT], printable ASCII on one line)\n"
                "keys.eve: must be a list of authorized_keys lines"));
    }

    void templates_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("ip");
        QTest::addColumn<QString>("result"); // or the error's text after "!"
        QTest::newRow("none") << QStringLiteral("plain { text }") << QString() << QStringLiteral("plain { text }");
        QTest::newRow("all") << QStringLiteral("{{name}} {{mac}} {{ip}} {{label.room}}") << QStringLiteral("10.1.2.3")
                             << QStringLiteral("pc-07 52:54:00:12:34:56 10.1.2.3 b2");
        QTest::newRow("spaces") << QStringLiteral("{{ name }}") << QString() << QStringLiteral("pc-07");
        QTest::newRow("last seen ip") << QStringLiteral("{{ip}}") << QString() << QStringLiteral("10.0.0.7");
        QTest::newRow("unknown") << QStringLiteral("a\n{{hostname}}") << QString()
                                 << QStringLiteral("!file /x, line 2: unknown placeholder {{hostname}}");
        QTest::newRow("missing label") << QStringLiteral("{{label.rack}}") << QString()
                                       << QStringLiteral(
                                              "!file /x, line 1: {{label.rack}}: machine pc-07 has no label 'rack'");
        QTest::newRow("unclosed") << QStringLiteral("x {{name") << QString()
                                  << QStringLiteral("!file /x, line 1: '{{' without a closing '}}'");
        QTest::newRow("no eval") << QStringLiteral("$(reboot) `id` {{name}}") << QString()
                                 << QStringLiteral("$(reboot) `id` pc-07");
    }
    void templates()
    {
        QFETCH(QString, text);
        QFETCH(QString, ip);
        QFETCH(QString, result);
        const auto r = renderTemplate(text, RenderContext::of(pc07(), ip), QStringLiteral("file /x"));
        if (result.startsWith(QLatin1Char('!'))) {
            QVERIFY(!r.ok());
            QCOMPARE(r.error().left(result.size() - 1), result.mid(1));
        } else {
            QVERIFY2(r.ok(), qPrintable(r.error()));
            QCOMPARE(*r, result);
        }
    }

    void ipUnknown()
    {
        Machine m = pc07();
        m.address.clear();
        const auto r = renderTemplate(QStringLiteral("{{ip}}"), RenderContext::of(m), QStringLiteral("hostname"));
        QVERIFY(!r.ok());
        QVERIFY(r.error().contains(QLatin1String("not known yet")));
    }

    void merge()
    {
        const MachineConfig group = parsed(R"({"hostname": "{{name}}.lab", "users": [{"name": "alice", "uid": 1001,
            "keys": ["ssh-ed25519 AAAA group"]}], "files": [{"path": "/etc/a", "content": "group"},
            {"path": "/etc/b", "content": "b"}], "scripts": [{"name": "s1", "body": "group"}],
            "network": {"mode": "dhcp"}})");
        const MachineConfig own = parsed(R"({"users": [{"name": "alice", "keys": ["ssh-ed25519 AAAA own"]},
            {"name": "bob", "uid": 1002}], "files": [{"path": "/etc/a", "content": "own"}],
            "scripts": [{"name": "s0", "body": "own"}]})");
        const MachineConfig m = mergeMachineConfigs(group, own);
        QCOMPARE(m.hostname, QStringLiteral("{{name}}.lab"));
        QCOMPARE(m.users.size(), 2);
        QCOMPARE(m.users.at(0).uid, 1001);
        QCOMPARE(m.users.at(0).keys,
            QStringList({ QStringLiteral("ssh-ed25519 AAAA group"), QStringLiteral("ssh-ed25519 AAAA own") }));
        QCOMPARE(m.files.size(), 2);
        QCOMPARE(m.files.at(0).content, QStringLiteral("own"));
        QCOMPARE(m.scripts.size(), 2);
        QCOMPARE(m.scripts.at(1).name, QStringLiteral("s0"));
        QCOMPARE(m.network.mode, ConfigNetwork::Mode::Dhcp);
        const MachineConfig host = mergeMachineConfigs(group, parsed(R"({"hostname": "special"})"));
        QCOMPARE(host.hostname, QStringLiteral("special"));
    }

    void renderFull()
    {
        Machine m = pc07();
        m.labels.insert(QStringLiteral("host"), QStringLiteral("57"));
        const auto r = renderDroverConfig(parsed(kFull), RenderContext::of(m, QStringLiteral("10.0.0.57")));
        QVERIFY2(r.ok(), qPrintable(r.error()));
        const QList<QByteArray> lines = r->text.split('\n');
        QCOMPARE(lines.first(), QByteArray("drover-config 1"));
        QVERIFY(lines.contains("hostname pc-07.b2.lab.example"));
        QVERIFY(lines.contains("user alice 1001 /bin/bash sudo,adm"));
        QVERIFY(lines.contains("password alice $6$salt$abc/def.GHI"));
        QVERIFY(lines.contains("key alice ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGZha2Uga2V5 alice@lab"));
        QVERIFY(lines.contains("key root ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHJvb3Qga2V5 admin"));
        QVERIFY(!r->text.contains("user root"));
        QVERIFY(lines.contains("file 0644 root:root /etc/drover-id "
            + QByteArray("name=pc-07 mac=52:54:00:12:34:56 ip=10.0.0.57 room=b2\n").toBase64()));
        QVERIFY(
            lines.contains("file 0640 alice:alice /etc/alice/app.conf " + QByteArray("literal {{name}}\n").toBase64()));
        QVERIFY(lines.contains("file 0644 root:root /etc/empty -"));
        QVERIFY(lines.contains("file 0755 root:root /usr/local/bin/tool IyEvYmluL3NoCmVjaG8gdG9vbAo="));
        QVERIFY(lines.contains("script 10-hello " + QByteArray("#!/bin/sh\necho hello\n").toBase64()));
        const QByteArray network
            = "# Written by Drover from the machine's configuration.\n[Match]\nMACAddress=52:54:00:12:34:56\n\n"
              "[Network]\nAddress=10.0.0.57/24\nGateway=10.0.0.1\nDNS=10.0.0.2\n";
        QVERIFY(lines.contains("file 0644 root:root /etc/systemd/network/10-drover.network " + network.toBase64()));
        QCOMPARE(r->summary, QStringLiteral("hostname pc-07.b2.lab.example, 1 users, 2 keys, 5 files, 1 scripts"));
        // The user line comes before the keys and files that name the user.
        QVERIFY(r->text.indexOf("user alice") < r->text.indexOf("key alice"));
        QVERIFY(r->text.indexOf("user alice") < r->text.indexOf("alice:alice"));
    }

    void renderRefuses_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("error");
        QTest::newRow("hostname template") << QByteArray(R"({"hostname": "{{label.room}}_x"})")
                                           << QStringLiteral("hostname: 'b2_x' is not a valid host name");
        QTest::newRow("unknown placeholder in file")
            << QByteArray(R"({"files": [{"path": "/etc/x", "content": "{{nme}}", "template": true}]})")
            << QStringLiteral("file /etc/x, line 1: unknown placeholder {{nme}}");
        QTest::newRow("groups without uid") << QByteArray(R"({"users": [{"name": "alice", "groups": ["sudo"]}]})")
                                            << QStringLiteral("user alice: a shell or groups need a uid");
        QTest::newRow("address template")
            << QByteArray(R"({"network": {"mode": "static", "address": "10.0.0.{{label.room}}/24"}})")
            << QStringLiteral("network.address: '10.0.0.b2/24' is not an IPv4 address");
    }
    void renderRefuses()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, error);
        const auto r = renderDroverConfig(parsed(json), RenderContext::of(pc07()));
        QVERIFY(!r.ok());
        QVERIFY2(r.error().startsWith(error), qPrintable(r.error()));
    }

    void defaultHostname()
    {
        auto r = renderDroverConfig(MachineConfig(), RenderContext::of(pc07()));
        QVERIFY(r.ok());
        QVERIFY(r->text.contains("\nhostname pc-07\n"));
        Machine odd = pc07();
        odd.name = QStringLiteral("pc_07 (old)");
        r = renderDroverConfig(MachineConfig(), RenderContext::of(odd));
        QVERIFY(r.ok());
        QVERIFY(!r->text.contains("\nhostname"));
        QVERIFY(r->text.contains("# the machine's name is not a host name"));
        QVERIFY(r->text.contains("# Drover configuration of pc_07 (old)"));
    }

    void noCloud()
    {
        Machine m = pc07();
        m.labels.insert(QStringLiteral("host"), QStringLiteral("57"));
        const auto r = renderNoCloud(parsed(kFull), RenderContext::of(m, QStringLiteral("10.0.0.57")));
        QVERIFY2(r.ok(), qPrintable(r.error()));
        const QJsonObject meta = QJsonDocument::fromJson(r->metaData).object();
        QCOMPARE(meta.value(QStringLiteral("local-hostname")).toString(), QStringLiteral("pc-07.b2.lab.example"));
        QVERIFY(meta.value(QStringLiteral("instance-id")).toString().startsWith(QLatin1String("drover-525400123456-")));
        QVERIFY(r->userData.startsWith("#cloud-config\n"));
        const QJsonObject user = QJsonDocument::fromJson(r->userData.mid(14)).object();
        QCOMPARE(user.value(QStringLiteral("hostname")).toString(), QStringLiteral("pc-07"));
        QCOMPARE(user.value(QStringLiteral("fqdn")).toString(), QStringLiteral("pc-07.b2.lab.example"));
        const QJsonArray users = user.value(QStringLiteral("users")).toArray();
        QCOMPARE(users.at(0).toString(), QStringLiteral("default"));
        QCOMPARE(users.at(1)[QStringLiteral("name")].toString(), QStringLiteral("alice"));
        QCOMPARE(users.at(1)[QStringLiteral("uid")].toInt(), 1001);
        QCOMPARE(users.at(1)[QStringLiteral("groups")].toString(), QStringLiteral("sudo, adm"));
        QCOMPARE(users.at(1)[QStringLiteral("ssh_authorized_keys")].toArray().size(), 1);
        QCOMPARE(user.value(QStringLiteral("disable_root")).toBool(true), false);
        const QJsonArray files = user.value(QStringLiteral("write_files")).toArray();
        QCOMPARE(files.size(), 5); // 4 files and the script; the network goes to network-config
        QCOMPARE(QByteArray::fromBase64(files.at(0)[QStringLiteral("content")].toString().toLatin1()),
            QByteArray("name=pc-07 mac=52:54:00:12:34:56 ip=10.0.0.57 room=b2\n"));
        QCOMPARE(files.at(1)[QStringLiteral("defer")].toBool(), true);
        QCOMPARE(user.value(QStringLiteral("runcmd")).toArray().at(0).toArray().at(0).toString(),
            QStringLiteral("/var/lib/drover/scripts/01-10-hello"));
        const QJsonObject net = QJsonDocument::fromJson(r->networkConfig).object();
        QCOMPARE(net.value(QStringLiteral("version")).toInt(), 2);
        const QJsonObject eth = net[QStringLiteral("ethernets")][QStringLiteral("drover0")].toObject();
        QCOMPARE(eth[QStringLiteral("match")][QStringLiteral("macaddress")].toString(), m.mac);
        QCOMPARE(eth[QStringLiteral("addresses")].toArray().at(0).toString(), QStringLiteral("10.0.0.57/24"));
        QCOMPARE(eth[QStringLiteral("routes")].toArray().at(0)[QStringLiteral("via")].toString(),
            QStringLiteral("10.0.0.1"));
        QCOMPARE(eth[QStringLiteral("dhcp4")].toBool(true), false);
    }

    // The real cloud-init reads what the NoCloud routes serve: its own schema check passes
    // on the user-data and network-config, and it turns the network-config into Debian's
    // interface configuration (its networkd renderer wants the systemd-network user, which
    // the build root lacks; the parsing is the same).
    void noCloudAcceptedByCloudInit()
    {
        const QString cloudInit = QStandardPaths::findExecutable(QStringLiteral("cloud-init"));
        if (cloudInit.isEmpty())
            QSKIP("cloud-init is not installed (it is in the build root's package list)");
        Machine m = pc07();
        m.labels.insert(QStringLiteral("host"), QStringLiteral("57"));
        const auto r = renderNoCloud(parsed(kFull), RenderContext::of(m, QStringLiteral("10.0.0.57")));
        QVERIFY2(r.ok(), qPrintable(r.error()));
        QTemporaryDir dir;
        auto write = [&dir](const QString &name, const QByteArray &data) {
            QFile f(dir.filePath(name));
            return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
        };
        QVERIFY(write(QStringLiteral("user-data"), r->userData));
        QVERIFY(write(QStringLiteral("network-config"), r->networkConfig));
        auto run = [&cloudInit](const QStringList &args, QString *output) {
            QProcess p;
            p.setProcessChannelMode(QProcess::MergedChannels);
            p.start(cloudInit, args);
            const bool ok = p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
            *output = QString::fromUtf8(p.readAll());
            return ok;
        };
        QString out;
        QVERIFY2(
            run({ QStringLiteral("schema"), QStringLiteral("-c"), dir.filePath(QStringLiteral("user-data")) }, &out),
            qPrintable(out));
        QVERIFY2(out.contains(QLatin1String("Valid schema")), qPrintable(out));
        QVERIFY2(run({ QStringLiteral("schema"), QStringLiteral("-t"), QStringLiteral("network-config"),
                         QStringLiteral("-c"), dir.filePath(QStringLiteral("network-config")) },
                     &out),
            qPrintable(out));
        QVERIFY2(out.contains(QLatin1String("Valid schema")), qPrintable(out));
        const QString converted = dir.filePath(QStringLiteral("out"));
        QVERIFY2(run({ QStringLiteral("devel"), QStringLiteral("net-convert"), QStringLiteral("-p"),
                         dir.filePath(QStringLiteral("network-config")), QStringLiteral("-k"), QStringLiteral("yaml"),
                         QStringLiteral("-d"), converted, QStringLiteral("-D"), QStringLiteral("debian"),
                         QStringLiteral("-O"), QStringLiteral("eni") },
                     &out),
            qPrintable(out));
        QString interfaces;
        QDirIterator it(converted, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile file(it.next());
            QVERIFY(file.open(QIODevice::ReadOnly));
            interfaces += QString::fromUtf8(file.readAll());
        }
        QVERIFY2(interfaces.contains(QLatin1String("address 10.0.0.57/24")), qPrintable(interfaces + out));
        QVERIFY2(interfaces.contains(QLatin1String("default gw 10.0.0.1")), qPrintable(interfaces));
        QVERIFY2(interfaces.contains(QLatin1String("52:54:00:12:34:56")), qPrintable(interfaces)); // matched by MAC
    }

    // The init's own path check (its CONFIG_AWK) and configrules::pathProblem agree.
    void pathRulesMatchTheInit_data()
    {
        QTest::addColumn<QString>("path");
        for (const char *p : { "/etc/x", "/etc/systemd/network/10-a.network", "/a/b.c/d@e+f:g,h=i-j", "/etc/.hidden",
                 "/etc/..x", "/etc/../x", "/etc/./x", "/etc/.", "/etc/..", "etc/x", "/etc//x", "/etc/x/", "/run",
                 "/run/x", "/runner/x", "/proc/x", "/sys", "/dev/null", "/device", "/etc/a b", "/etc/a;b", "/etc/a$b",
                 "/etc/ä", "/" })
            QTest::newRow(p) << QString::fromUtf8(p);
    }
    void pathRulesMatchTheInit()
    {
        QFETCH(QString, path);
        if (busybox().isEmpty())
            QSKIP("busybox is not installed");
        QTemporaryDir work;
        QFile config(work.filePath(QStringLiteral("config")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("drover-config 1\nfile 0644 0:0 " + path.toUtf8() + " -\n");
        config.close();
        int code = -1;
        const QByteArray out = runInit(work,
            QStringLiteral("mkdir -p \"$DROVER_RUN/d\"; awk -v dir=\"$DROVER_RUN/d\" \"$CONFIG_AWK\" %1")
                .arg(config.fileName()),
            &code);
        const bool initAccepts = code == 0;
        const bool weAccept = configrules::pathProblem(path).isEmpty();
        QVERIFY2(initAccepts == weAccept,
            qPrintable(QStringLiteral("init %1, we %2: %3 / %4")
                    .arg(initAccepts)
                    .arg(weAccept)
                    .arg(QString::fromUtf8(out), configrules::pathProblem(path))));
    }

    // What the renderer writes, the init applies: every keyword, into a real image root.
    void initAppliesRenderedConfig()
    {
        if (busybox().isEmpty())
            QSKIP("busybox is not installed");
        QTemporaryDir work;
        const QString root = work.filePath(QStringLiteral("image"));
        QDir().mkpath(root + QStringLiteral("/etc"));
        QDir().mkpath(root + QStringLiteral("/root"));
        QDir().mkpath(root + QStringLiteral("/home"));
        auto write = [](const QString &path, const QByteArray &bytes) {
            QFile f(path);
            if (!f.open(QIODevice::WriteOnly))
                qFatal("cannot write %s", qPrintable(path));
            f.write(bytes);
        };
        write(root + QStringLiteral("/etc/passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        write(root + QStringLiteral("/etc/group"), "root:x:0:\nsudo:x:27:\nadm:x:4:\n");
        write(root + QStringLiteral("/etc/shadow"), "root:*:19000:0:99999:7:::\n");
        write(root + QStringLiteral("/etc/hosts"), "127.0.0.1 localhost\n127.0.1.1 image\n");
        Machine m = pc07();
        m.labels.insert(QStringLiteral("host"), QStringLiteral("57"));
        const auto r = renderDroverConfig(parsed(kFull), RenderContext::of(m, QStringLiteral("10.0.0.57")));
        QVERIFY2(r.ok(), qPrintable(r.error()));
        write(work.filePath(QStringLiteral("config")), r->text);
        int code = -1;
        const QByteArray out = runInit(work,
            QStringLiteral("apply_config %1 %2 && echo \"OK $CONFIG_SUMMARY\" || echo \"REFUSED $CONFIG_ERROR\"")
                .arg(root, work.filePath(QStringLiteral("config"))),
            &code);
        QVERIFY2(out.contains(QByteArray("OK " + r->summary.toUtf8())), out.constData());
        auto read = [](const QString &path) {
            QFile f(path);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
        };
        QCOMPARE(read(root + QStringLiteral("/etc/hostname")), QByteArray("pc-07.b2.lab.example\n"));
        QVERIFY(read(root + QStringLiteral("/etc/passwd")).contains("alice:x:1001:1001::/home/alice:/bin/bash\n"));
        QVERIFY(read(root + QStringLiteral("/etc/group")).contains("sudo:x:27:alice\n"));
        QCOMPARE(read(root + QStringLiteral("/home/alice/.ssh/authorized_keys")),
            QByteArray("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGZha2Uga2V5 alice@lab\n"));
        QCOMPARE(read(root + QStringLiteral("/root/.ssh/authorized_keys")),
            QByteArray("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHJvb3Qga2V5 admin\n"));
        QCOMPARE(read(root + QStringLiteral("/etc/drover-id")),
            QByteArray("name=pc-07 mac=52:54:00:12:34:56 ip=10.0.0.57 room=b2\n"));
        QCOMPARE(read(root + QStringLiteral("/etc/alice/app.conf")), QByteArray("literal {{name}}\n"));
        QCOMPARE(read(root + QStringLiteral("/usr/local/bin/tool")), QByteArray("#!/bin/sh\necho tool\n"));
        QCOMPARE(
            QFileInfo(root + QStringLiteral("/usr/local/bin/tool")).permissions() & QFile::ExeOwner, QFile::ExeOwner);
        QVERIFY(
            read(root + QStringLiteral("/etc/systemd/network/10-drover.network")).contains("Address=10.0.0.57/24\n"));
        QCOMPARE(read(work.filePath(QStringLiteral("run/scripts/01-10-hello"))), QByteArray("#!/bin/sh\necho hello\n"));
    }
};

QTEST_GUILESS_MAIN(TstMachineConfig)
#include "tst_machineconfig.moc"
