// MachineConfig's JSON form, its checks and the group/machine merge.
#include "machineconfig/machineconfig.h"

#include "catalog/catalog.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(MachineConfig)
};

bool matches(const QString &text, const QRegularExpression &re)
{
    return re.match(text).hasMatch();
}

QString indexed(const QString &list, qsizetype i, const QString &field = {})
{
    QString f = QStringLiteral("%1[%2]").arg(list).arg(i);
    if (!field.isEmpty())
        f += QLatin1Char('.') + field;
    return f;
}

// Reads an object's members by type, recording an issue for each wrong type or unknown key.
class Reader {
public:
    Reader(const QJsonObject &object, QString prefix, QList<ConfigIssue> *issues, const QStringList &known)
        : m_object(object)
        , m_prefix(std::move(prefix))
        , m_issues(issues)
    {
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (!known.contains(it.key()))
                issue(it.key(), Text::tr("unknown key (known: %1)").arg(known.join(QStringLiteral(", "))));
        }
    }

    QString field(const QString &key) const { return m_prefix.isEmpty() ? key : m_prefix + QLatin1Char('.') + key; }
    void issue(const QString &key, const QString &message) const { m_issues->append({ field(key), message }); }

    QString string(const QString &key, const QString &fallback = {}) const
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() || v.isNull())
            return fallback;
        if (!v.isString()) {
            issue(key, Text::tr("must be a string"));
            return fallback;
        }
        return v.toString();
    }
    bool boolean(const QString &key) const
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() || v.isNull())
            return false;
        if (!v.isBool())
            issue(key, Text::tr("must be true or false"));
        return v.toBool();
    }
    int integer(const QString &key) const
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() || v.isNull())
            return 0;
        const double d = v.toDouble(-1);
        if (!v.isDouble() || d != double(qint64(d)) || d < 0 || d > 1e9) {
            issue(key, Text::tr("must be a whole number"));
            return 0;
        }
        return int(d);
    }
    QStringList strings(const QString &key) const
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() || v.isNull())
            return {};
        if (!v.isArray()) {
            issue(key, Text::tr("must be a list of strings"));
            return {};
        }
        QStringList list;
        const QJsonArray array = v.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (!array.at(i).isString())
                m_issues->append({ indexed(field(key), i), Text::tr("must be a string") });
            else
                list.append(array.at(i).toString());
        }
        return list;
    }
    QJsonArray objects(const QString &key) const
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() || v.isNull())
            return {};
        if (!v.isArray()) {
            issue(key, Text::tr("must be a list"));
            return {};
        }
        QJsonArray result;
        const QJsonArray array = v.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (!array.at(i).isObject()) {
                m_issues->append({ indexed(field(key), i), Text::tr("must be an object") });
                result.append(QJsonObject());
            } else {
                result.append(array.at(i));
            }
        }
        return result;
    }

private:
    QJsonObject m_object;
    QString m_prefix;
    QList<ConfigIssue> *m_issues;
};

} // namespace

namespace configrules {

bool isHostname(const QString &name)
{
    static const QRegularExpression label(QStringLiteral("^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\\z"));
    if (name.isEmpty() || name.size() > 253)
        return false;
    for (const QString &l : name.split(QLatin1Char('.'))) {
        if (l.size() > 63 || !matches(l, label))
            return false;
    }
    return true;
}

bool isUserName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[a-z_][a-z0-9_-]*\\z"));
    return name.size() <= 32 && matches(name, re);
}

bool isShell(const QString &shell)
{
    static const QRegularExpression re(QStringLiteral("^/[A-Za-z0-9._/-]+\\z"));
    return matches(shell, re);
}

bool isPasswordHash(const QString &hash)
{
    // What the init accepts, and a crypt(3) form or a locked marker rather than a password.
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9./$=*!-]+\\z"));
    return matches(hash, re)
        && (hash.startsWith(QLatin1Char('$')) || hash.startsWith(QLatin1Char('!')) || hash == QLatin1String("*"));
}

bool isKeyLine(const QString &line)
{
    if (line.isEmpty() || line.trimmed() != line || !line.contains(QLatin1Char(' ')))
        return false;
    for (QChar c : line) {
        if (c.unicode() < 0x20 || c.unicode() > 0x7e)
            return false;
    }
    return true;
}

bool isMode(const QString &mode)
{
    static const QRegularExpression re(QStringLiteral("^[0-7]{3,4}\\z"));
    return matches(mode, re);
}

bool isOwner(const QString &owner)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_-]+:[A-Za-z0-9_-]+\\z"));
    return matches(owner, re);
}

bool isScriptName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]*\\z"));
    return name.size() <= 64 && matches(name, re);
}

QString pathProblem(const QString &path)
{
    static const QRegularExpression chars(QStringLiteral("^/[A-Za-z0-9._@+:,=/-]+\\z"));
    static const QRegularExpression dots(QStringLiteral("/\\.\\.?(/|$)"));
    static const QRegularExpression hidden(QStringLiteral("^/(run|proc|sys|dev)(/|$)"));
    if (!path.startsWith(QLatin1Char('/')))
        return Text::tr("must be an absolute path");
    if (!matches(path, chars))
        return Text::tr("may contain only A-Z a-z 0-9 and . _ @ + : , = / -");
    if (matches(path, dots))
        return Text::tr("must not have . or .. components");
    if (path.contains(QLatin1String("//")))
        return Text::tr("must not contain //");
    if (path.endsWith(QLatin1Char('/')))
        return Text::tr("must not end with /");
    if (matches(path, hidden))
        return Text::tr("must not be under /run, /proc, /sys or /dev (the init's own mounts hide them)");
    return {};
}

bool isIpv4(const QString &text)
{
    static const QRegularExpression re(QStringLiteral(
        "^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}\\z"));
    return matches(text, re);
}

bool isIpv4Prefix(const QString &text)
{
    const qsizetype slash = text.indexOf(QLatin1Char('/'));
    if (slash < 0 || !isIpv4(text.left(slash)))
        return false;
    bool ok = false;
    const int prefix = text.mid(slash + 1).toInt(&ok);
    static const QRegularExpression digits(QStringLiteral("^[0-9]{1,2}\\z"));
    return ok && matches(text.mid(slash + 1), digits) && prefix >= 1 && prefix <= 32;
}

} // namespace configrules

bool MachineConfig::isEmpty() const
{
    return hostname.isEmpty() && users.isEmpty() && files.isEmpty() && scripts.isEmpty()
        && network.mode == ConfigNetwork::Mode::Unset && network.dns.isEmpty();
}

QJsonObject MachineConfig::toJson() const
{
    QJsonObject o;
    if (!hostname.isEmpty())
        o.insert(QStringLiteral("hostname"), hostname);
    QJsonArray us;
    for (const ConfigUser &u : users) {
        QJsonObject j { { QStringLiteral("name"), u.name } };
        if (u.uid)
            j.insert(QStringLiteral("uid"), u.uid);
        if (!u.shell.isEmpty())
            j.insert(QStringLiteral("shell"), u.shell);
        if (!u.groups.isEmpty())
            j.insert(QStringLiteral("groups"), QJsonArray::fromStringList(u.groups));
        if (!u.passwordHash.isEmpty())
            j.insert(QStringLiteral("password"), u.passwordHash);
        if (!u.keys.isEmpty())
            j.insert(QStringLiteral("keys"), QJsonArray::fromStringList(u.keys));
        us.append(j);
    }
    if (!us.isEmpty())
        o.insert(QStringLiteral("users"), us);
    QJsonArray fs;
    for (const ConfigFile &f : files) {
        QJsonObject j { { QStringLiteral("path"), f.path }, { QStringLiteral("mode"), f.mode },
            { QStringLiteral("owner"), f.owner }, { QStringLiteral("content"), f.content } };
        if (f.base64)
            j.insert(QStringLiteral("encoding"), QStringLiteral("base64"));
        if (f.templated)
            j.insert(QStringLiteral("template"), true);
        fs.append(j);
    }
    if (!fs.isEmpty())
        o.insert(QStringLiteral("files"), fs);
    QJsonArray ss;
    for (const ConfigScript &s : scripts)
        ss.append(QJsonObject { { QStringLiteral("name"), s.name }, { QStringLiteral("body"), s.body } });
    if (!ss.isEmpty())
        o.insert(QStringLiteral("scripts"), ss);
    if (network.mode != ConfigNetwork::Mode::Unset) {
        QJsonObject n { { QStringLiteral("mode"),
            network.mode == ConfigNetwork::Mode::Static ? QStringLiteral("static") : QStringLiteral("dhcp") } };
        if (!network.address.isEmpty())
            n.insert(QStringLiteral("address"), network.address);
        if (!network.gateway.isEmpty())
            n.insert(QStringLiteral("gateway"), network.gateway);
        if (!network.dns.isEmpty())
            n.insert(QStringLiteral("dns"), QJsonArray::fromStringList(network.dns));
        o.insert(QStringLiteral("network"), n);
    }
    return o;
}

QByteArray MachineConfig::toJsonText() const
{
    return QJsonDocument(toJson()).toJson(QJsonDocument::Indented);
}

QString issuesText(const QList<ConfigIssue> &issues)
{
    QStringList lines;
    for (const ConfigIssue &i : issues)
        lines.append(i.field.isEmpty() ? i.message : QStringLiteral("%1: %2").arg(i.field, i.message));
    return lines.join(QLatin1Char('\n'));
}

ParsedConfig parseMachineConfig(const QByteArray &json)
{
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError) {
        const qsizetype line = json.left(error.offset).count('\n') + 1;
        return ParsedConfig { {},
            { { {}, Text::tr("not valid JSON: %1 at line %2").arg(error.errorString()).arg(line) } } };
    }
    if (!doc.isObject())
        return ParsedConfig { {}, { { {}, Text::tr("the configuration must be a JSON object") } } };
    return parseMachineConfig(doc.object());
}

ParsedConfig parseMachineConfig(const QJsonObject &object)
{
    ParsedConfig p;
    const Reader top(object, {}, &p.issues,
        { QStringLiteral("hostname"), QStringLiteral("users"), QStringLiteral("keys"), QStringLiteral("files"),
            QStringLiteral("scripts"), QStringLiteral("network") });
    MachineConfig &c = p.config;
    c.hostname = top.string(QStringLiteral("hostname")).trimmed();
    const QJsonArray users = top.objects(QStringLiteral("users"));
    for (qsizetype i = 0; i < users.size(); ++i) {
        const Reader r(users.at(i).toObject(), indexed(QStringLiteral("users"), i), &p.issues,
            { QStringLiteral("name"), QStringLiteral("uid"), QStringLiteral("shell"), QStringLiteral("groups"),
                QStringLiteral("password"), QStringLiteral("keys") });
        ConfigUser u;
        u.name = r.string(QStringLiteral("name"));
        u.uid = r.integer(QStringLiteral("uid"));
        u.shell = r.string(QStringLiteral("shell"));
        u.groups = r.strings(QStringLiteral("groups"));
        u.passwordHash = r.string(QStringLiteral("password"));
        for (const QString &key : r.strings(QStringLiteral("keys")))
            u.keys.append(key.trimmed());
        c.users.append(u);
    }
    // "keys": { "USER": ["KEYLINE", …] }, the short form for users the image has (root):
    // the keys join that user's entry in "users", or make one.
    const QJsonValue keys = object.value(QStringLiteral("keys"));
    if (keys.isObject()) {
        const QJsonObject map = keys.toObject();
        for (auto it = map.begin(); it != map.end(); ++it) {
            const QString field = QStringLiteral("keys.") + it.key();
            if (!configrules::isUserName(it.key())) {
                p.issues.append({ field, Text::tr("'%1' is not a user name").arg(it.key()) });
                continue;
            }
            if (!it.value().isArray()) {
                p.issues.append({ field, Text::tr("must be a list of authorized_keys lines") });
                continue;
            }
            QStringList lines;
            const QJsonArray array = it.value().toArray();
            for (qsizetype k = 0; k < array.size(); ++k) {
                const QString line = array.at(k).toString().trimmed();
                if (!array.at(k).isString() || !configrules::isKeyLine(line))
                    p.issues.append({ indexed(field, k),
                        Text::tr("not an authorized_keys line (TYPE KEY [COMMENT], printable ASCII on one line)") });
                else
                    lines.append(line);
            }
            auto user
                = std::find_if(c.users.begin(), c.users.end(), [&](const ConfigUser &u) { return u.name == it.key(); });
            if (user == c.users.end()) {
                c.users.append(ConfigUser { it.key(), 0, {}, {}, {}, {} });
                user = c.users.end() - 1;
            }
            for (const QString &line : lines) {
                if (!user->keys.contains(line))
                    user->keys.append(line);
            }
        }
    } else if (!keys.isUndefined() && !keys.isNull()) {
        p.issues.append({ QStringLiteral("keys"), Text::tr("must be an object: { \"USER\": [\"KEYLINE\", …] }") });
    }
    const QJsonArray files = top.objects(QStringLiteral("files"));
    for (qsizetype i = 0; i < files.size(); ++i) {
        const Reader r(files.at(i).toObject(), indexed(QStringLiteral("files"), i), &p.issues,
            { QStringLiteral("path"), QStringLiteral("mode"), QStringLiteral("owner"), QStringLiteral("content"),
                QStringLiteral("encoding"), QStringLiteral("template") });
        ConfigFile f;
        f.path = r.string(QStringLiteral("path"));
        if (files.at(i).toObject().value(QStringLiteral("mode")).isDouble())
            r.issue(QStringLiteral("mode"), Text::tr("write the mode as an octal string, like \"0644\""));
        else
            f.mode = r.string(QStringLiteral("mode"), f.mode);
        f.owner = r.string(QStringLiteral("owner"), f.owner);
        f.content = r.string(QStringLiteral("content"));
        const QString encoding = r.string(QStringLiteral("encoding"), QStringLiteral("text"));
        if (encoding != QLatin1String("text") && encoding != QLatin1String("base64"))
            r.issue(QStringLiteral("encoding"), Text::tr("must be \"text\" or \"base64\""));
        f.base64 = encoding == QLatin1String("base64");
        f.templated = r.boolean(QStringLiteral("template"));
        c.files.append(f);
    }
    const QJsonArray scripts = top.objects(QStringLiteral("scripts"));
    for (qsizetype i = 0; i < scripts.size(); ++i) {
        const Reader r(scripts.at(i).toObject(), indexed(QStringLiteral("scripts"), i), &p.issues,
            { QStringLiteral("name"), QStringLiteral("body") });
        c.scripts.append(ConfigScript { r.string(QStringLiteral("name")), r.string(QStringLiteral("body")) });
    }
    const QJsonValue network = object.value(QStringLiteral("network"));
    if (network.isObject()) {
        const Reader r(network.toObject(), QStringLiteral("network"), &p.issues,
            { QStringLiteral("mode"), QStringLiteral("address"), QStringLiteral("gateway"), QStringLiteral("dns") });
        const QString mode = r.string(QStringLiteral("mode"));
        if (mode == QLatin1String("dhcp"))
            c.network.mode = ConfigNetwork::Mode::Dhcp;
        else if (mode == QLatin1String("static"))
            c.network.mode = ConfigNetwork::Mode::Static;
        else
            r.issue(QStringLiteral("mode"), Text::tr("must be \"dhcp\" or \"static\""));
        c.network.address = r.string(QStringLiteral("address")).trimmed();
        c.network.gateway = r.string(QStringLiteral("gateway")).trimmed();
        for (const QString &d : r.strings(QStringLiteral("dns")))
            c.network.dns.append(d.trimmed());
    } else if (!network.isUndefined() && !network.isNull()) {
        p.issues.append({ QStringLiteral("network"), Text::tr("must be an object") });
    }
    p.issues += validateMachineConfig(c);
    return p;
}

QList<ConfigIssue> validateMachineConfig(const MachineConfig &c)
{
    using namespace configrules;
    QList<ConfigIssue> issues;
    auto add = [&](const QString &field, const QString &message) { issues.append({ field, message }); };
    // A templated value is checked once rendered for a machine; a plain one right away.
    auto hasTemplate = [](const QString &s) { return s.contains(QLatin1String("{{")); };
    if (!c.hostname.isEmpty() && !hasTemplate(c.hostname) && !isHostname(c.hostname))
        add(QStringLiteral("hostname"),
            Text::tr("'%1' is not a host name (letters, digits and -, dot-separated labels of at most 63, "
                     "253 in all)")
                .arg(c.hostname));
    QSet<QString> seen;
    for (qsizetype i = 0; i < c.users.size(); ++i) {
        const ConfigUser &u = c.users.at(i);
        const QString f = indexed(QStringLiteral("users"), i);
        if (!isUserName(u.name))
            add(f + QStringLiteral(".name"),
                Text::tr("'%1' is not a user name (a-z, 0-9, _ and -, starting with a letter or _, at most 32)")
                    .arg(u.name));
        else if (seen.contains(u.name))
            add(f + QStringLiteral(".name"), Text::tr("user '%1' appears twice").arg(u.name));
        seen.insert(u.name);
        if (u.uid != 0 && (u.uid < 1 || u.uid > 65533))
            add(f + QStringLiteral(".uid"), Text::tr("%1 is not between 1 and 65533").arg(u.uid));
        if (!u.shell.isEmpty() && !isShell(u.shell))
            add(f + QStringLiteral(".shell"), Text::tr("'%1' is not an absolute path to a shell").arg(u.shell));
        for (qsizetype g = 0; g < u.groups.size(); ++g) {
            if (!isUserName(u.groups.at(g)))
                add(indexed(f + QStringLiteral(".groups"), g),
                    Text::tr("'%1' is not a group name").arg(u.groups.at(g)));
        }
        if (!u.passwordHash.isEmpty() && !isPasswordHash(u.passwordHash))
            add(f + QStringLiteral(".password"),
                Text::tr("not a crypt hash like $6$… or $y$… (make one with mkpasswd or openssl passwd -6)"));
        for (qsizetype k = 0; k < u.keys.size(); ++k) {
            if (!isKeyLine(u.keys.at(k)))
                add(indexed(f + QStringLiteral(".keys"), k),
                    Text::tr("not an authorized_keys line (TYPE KEY [COMMENT], printable ASCII on one line)"));
        }
    }
    seen.clear();
    for (qsizetype i = 0; i < c.files.size(); ++i) {
        const ConfigFile &file = c.files.at(i);
        const QString f = indexed(QStringLiteral("files"), i);
        if (const QString why = pathProblem(file.path); !why.isEmpty())
            add(f + QStringLiteral(".path"), Text::tr("'%1' %2").arg(file.path, why));
        else if (seen.contains(file.path))
            add(f + QStringLiteral(".path"), Text::tr("%1 appears twice").arg(file.path));
        seen.insert(file.path);
        if (!isMode(file.mode))
            add(f + QStringLiteral(".mode"), Text::tr("'%1' is not an octal mode like 0644").arg(file.mode));
        if (!isOwner(file.owner))
            add(f + QStringLiteral(".owner"), Text::tr("'%1' is not USER:GROUP").arg(file.owner));
        if (file.base64) {
            if (QByteArray::fromBase64Encoding(file.content.toLatin1(), QByteArray::AbortOnBase64DecodingErrors)
                    .decodingStatus
                != QByteArray::Base64DecodingStatus::Ok)
                add(f + QStringLiteral(".content"), Text::tr("is not base64"));
            if (file.templated)
                add(f + QStringLiteral(".template"), Text::tr("a base64 file cannot be a template"));
        }
    }
    seen.clear();
    for (qsizetype i = 0; i < c.scripts.size(); ++i) {
        const ConfigScript &s = c.scripts.at(i);
        const QString f = indexed(QStringLiteral("scripts"), i);
        if (!isScriptName(s.name))
            add(f + QStringLiteral(".name"),
                Text::tr("'%1' is not a script name (A-Z a-z 0-9 . _ -, starting with a letter or digit, at most 64)")
                    .arg(s.name));
        else if (seen.contains(s.name))
            add(f + QStringLiteral(".name"), Text::tr("script '%1' appears twice").arg(s.name));
        seen.insert(s.name);
        if (s.body.trimmed().isEmpty())
            add(f + QStringLiteral(".body"), Text::tr("is empty"));
    }
    const ConfigNetwork &n = c.network;
    if (n.mode == ConfigNetwork::Mode::Static && n.address.isEmpty())
        add(QStringLiteral("network.address"), Text::tr("a static network needs an address like 10.0.0.5/24"));
    if (n.mode == ConfigNetwork::Mode::Dhcp && (!n.address.isEmpty() || !n.gateway.isEmpty()))
        add(QStringLiteral("network.address"), Text::tr("an address or gateway needs mode \"static\""));
    if (!n.address.isEmpty() && !hasTemplate(n.address) && !isIpv4Prefix(n.address))
        add(QStringLiteral("network.address"),
            Text::tr("'%1' is not an IPv4 address with a prefix like 10.0.0.5/24").arg(n.address));
    if (!n.gateway.isEmpty() && !hasTemplate(n.gateway) && !isIpv4(n.gateway))
        add(QStringLiteral("network.gateway"), Text::tr("'%1' is not an IPv4 address").arg(n.gateway));
    for (qsizetype i = 0; i < n.dns.size(); ++i) {
        if (!hasTemplate(n.dns.at(i)) && !isIpv4(n.dns.at(i)))
            add(indexed(QStringLiteral("network.dns"), i), Text::tr("'%1' is not an IPv4 address").arg(n.dns.at(i)));
    }
    return issues;
}

MachineConfig mergeMachineConfigs(const MachineConfig &group, const MachineConfig &machine)
{
    MachineConfig m = group;
    if (!machine.hostname.isEmpty())
        m.hostname = machine.hostname;
    if (machine.network.mode != ConfigNetwork::Mode::Unset || !machine.network.dns.isEmpty())
        m.network = machine.network;
    for (const ConfigUser &u : machine.users) {
        auto it = std::find_if(m.users.begin(), m.users.end(), [&](const ConfigUser &g) { return g.name == u.name; });
        if (it == m.users.end()) {
            m.users.append(u);
            continue;
        }
        if (u.uid)
            it->uid = u.uid;
        if (!u.shell.isEmpty())
            it->shell = u.shell;
        if (!u.groups.isEmpty())
            it->groups = u.groups;
        if (!u.passwordHash.isEmpty())
            it->passwordHash = u.passwordHash;
        for (const QString &key : u.keys) {
            if (!it->keys.contains(key))
                it->keys.append(key);
        }
    }
    for (const ConfigFile &f : machine.files) {
        auto it = std::find_if(m.files.begin(), m.files.end(), [&](const ConfigFile &g) { return g.path == f.path; });
        if (it == m.files.end())
            m.files.append(f);
        else
            *it = f;
    }
    for (const ConfigScript &s : machine.scripts) {
        auto it
            = std::find_if(m.scripts.begin(), m.scripts.end(), [&](const ConfigScript &g) { return g.name == s.name; });
        if (it == m.scripts.end())
            m.scripts.append(s);
        else
            *it = s;
    }
    return m;
}

Result<std::optional<EffectiveConfig>> effectiveConfig(const Catalog &catalog, const Machine &machine)
{
    using R = Result<std::optional<EffectiveConfig>>;
    const QList<ConfigRecord> records = catalog.configsFor(machine);
    if (records.isEmpty())
        return R(std::nullopt);
    EffectiveConfig e;
    e.sources = records;
    for (const ConfigRecord &r : records) {
        const ParsedConfig parsed = parseMachineConfig(r.body.toUtf8());
        if (!parsed.ok()) {
            const QString what = r.kind == TargetKind::Group ? Text::tr("group %1").arg(r.target)
                                                             : Text::tr("machine %1").arg(r.target);
            return R::failure(Text::tr("the stored configuration of %1 is invalid: %2")
                    .arg(what, issuesText(parsed.issues).replace(QLatin1Char('\n'), QStringLiteral("; "))));
        }
        e.config = mergeMachineConfigs(e.config, parsed.config);
    }
    return R(std::optional<EffectiveConfig>(std::move(e)));
}

} // namespace drover
