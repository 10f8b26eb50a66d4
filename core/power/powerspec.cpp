#include "power/powerspec.h"

#include "catalog/catalog.h"
#include "util/secretbox.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QUrl>
#include <QUrlQuery>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(PowerSpec)
};

} // namespace

QString powerActionKey(PowerAction action)
{
    switch (action) {
    case PowerAction::On:
        return QStringLiteral("on");
    case PowerAction::Off:
        return QStringLiteral("off");
    case PowerAction::Cycle:
        return QStringLiteral("cycle");
    case PowerAction::Wake:
        return QStringLiteral("wake");
    case PowerAction::Status:
        break;
    }
    return QStringLiteral("status");
}

std::optional<PowerAction> powerActionFromKey(const QString &key)
{
    for (PowerAction a :
        { PowerAction::On, PowerAction::Off, PowerAction::Cycle, PowerAction::Wake, PowerAction::Status })
        if (powerActionKey(a) == key)
            return a;
    return std::nullopt;
}

Result<PowerSpec> PowerSpec::parse(const QString &text)
{
    using R = Result<PowerSpec>;
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    if (!url.isValid() || url.scheme().isEmpty())
        return R::failure(Text::tr("power: '%1' is not a URL such as ipmi://admin:secret@10.0.0.50").arg(text));
    PowerSpec s;
    const QString scheme = url.scheme().toLower();
    s.host = url.host();
    s.port = qMax(0, url.port(0));
    s.user = url.userName();
    s.password = url.password();
    const QString path = url.path();
    auto needHost = [&](const QString &what) -> std::optional<QString> {
        if (s.host.isEmpty())
            return Text::tr("power: %1 needs a host: %2").arg(what, text);
        return std::nullopt;
    };
    if (scheme == QLatin1String("wol")) {
        s.method = PowerMethod::WakeOnLan;
        if (!s.host.isEmpty() && QHostAddress(s.host).protocol() != QAbstractSocket::IPv4Protocol)
            return R::failure(Text::tr("power: Wake-on-LAN needs an IPv4 broadcast address, not '%1'").arg(s.host));
    } else if (scheme == QLatin1String("ipmi")) {
        s.method = PowerMethod::Ipmi;
        if (auto why = needHost(QStringLiteral("IPMI")))
            return R::failure(*why);
        if (s.user.isEmpty())
            return R::failure(Text::tr("power: IPMI needs a user: ipmi://USER:PASSWORD@%1").arg(s.host));
    } else if (scheme == QLatin1String("redfish") || scheme == QLatin1String("redfish+http")) {
        s.method = PowerMethod::Redfish;
        s.plainHttp = scheme == QLatin1String("redfish+http");
        if (auto why = needHost(QStringLiteral("Redfish")))
            return R::failure(*why);
        s.path = path.isEmpty() || path == QLatin1String("/") ? QStringLiteral("Systems/1") : path.mid(1);
        if (s.path.contains(QLatin1String("..")) || s.path.contains(QLatin1Char('?')))
            return R::failure(Text::tr("power: '%1' is not a Redfish system such as Systems/1").arg(s.path));
        s.insecure = QUrlQuery(url).queryItemValue(QStringLiteral("insecure")) == QLatin1String("1");
    } else if (scheme == QLatin1String("ssh")) {
        s.method = PowerMethod::Ssh;
        if (auto why = needHost(QStringLiteral("ssh")))
            return R::failure(*why);
        if (s.user.isEmpty())
            s.user = QStringLiteral("root");
        s.identity = QUrlQuery(url).queryItemValue(QStringLiteral("identity"), QUrl::FullyDecoded);
        if (!s.identity.isEmpty() && !s.identity.startsWith(QLatin1Char('/')))
            return R::failure(Text::tr("power: the ssh identity must be an absolute path, not '%1'").arg(s.identity));
    } else if (scheme == QLatin1String("qmp")) {
        s.method = PowerMethod::Qmp;
        s.path = path;
        if (!s.host.isEmpty() || !s.path.startsWith(QLatin1Char('/')))
            return R::failure(Text::tr("power: QMP needs the socket's absolute path: qmp:///run/drover/vm-1.qmp"));
    } else {
        return R::failure(
            Text::tr("power: unknown method '%1'; use wol, ipmi, redfish, redfish+http, ssh or qmp").arg(scheme));
    }
    if (s.host.startsWith(QLatin1Char('-')) || s.user.startsWith(QLatin1Char('-')))
        return R::failure(
            Text::tr("power: a host or user may not start with '-': %1").arg(text)); // no option injection
    return s;
}

QString PowerSpec::toUrl(bool hidePassword) const
{
    QUrl url;
    switch (method) {
    case PowerMethod::WakeOnLan:
        url.setScheme(QStringLiteral("wol"));
        break;
    case PowerMethod::Ipmi:
        url.setScheme(QStringLiteral("ipmi"));
        break;
    case PowerMethod::Redfish:
        url.setScheme(plainHttp ? QStringLiteral("redfish+http") : QStringLiteral("redfish"));
        url.setPath(QLatin1Char('/') + path);
        if (insecure)
            url.setQuery(QStringLiteral("insecure=1"));
        break;
    case PowerMethod::Ssh:
        url.setScheme(QStringLiteral("ssh"));
        if (!identity.isEmpty())
            url.setQuery(QStringLiteral("identity=") + identity);
        break;
    case PowerMethod::Qmp:
        url.setScheme(QStringLiteral("qmp"));
        url.setPath(path);
        url.setHost(QString());
        return QStringLiteral("qmp://") + path;
    }
    url.setHost(host);
    if (port > 0)
        url.setPort(port);
    url.setUserName(user);
    if (!password.isEmpty())
        url.setPassword(hidePassword ? QStringLiteral("***") : password);
    QString out = url.toString();
    if (method == PowerMethod::WakeOnLan && host.isEmpty())
        out = QStringLiteral("wol://");
    return out;
}

QString PowerSpec::methodName() const
{
    switch (method) {
    case PowerMethod::WakeOnLan:
        return Text::tr("Wake-on-LAN");
    case PowerMethod::Ipmi:
        return Text::tr("IPMI");
    case PowerMethod::Redfish:
        return Text::tr("Redfish");
    case PowerMethod::Ssh:
        return Text::tr("ssh");
    case PowerMethod::Qmp:
        break;
    }
    return Text::tr("QMP");
}

bool PowerSpec::supports(PowerAction action) const
{
    switch (method) {
    case PowerMethod::WakeOnLan:
        return action == PowerAction::On || action == PowerAction::Wake;
    case PowerMethod::Ssh:
        return action != PowerAction::On && action != PowerAction::Wake;
    case PowerMethod::Ipmi:
    case PowerMethod::Redfish:
    case PowerMethod::Qmp:
        break;
    }
    return true;
}

QString powerSettingKey(bool group, const QString &target)
{
    return (group ? QStringLiteral("power/group/") : QStringLiteral("power/machine/")) + target;
}

QString powerSecretKey(bool group, const QString &target)
{
    return QStringLiteral("secret/") + powerSettingKey(group, target);
}

Status storePowerSpec(Catalog &catalog, bool group, const QString &target, const PowerSpec &spec)
{
    QString sealed;
    if (!spec.password.isEmpty()) {
        const auto box = SecretBox::of(&catalog);
        if (!box)
            return Status::failure(Text::tr("power: no key to seal the password with (the catalog was not opened "
                                            "from a data directory); the password was not stored"));
        sealed = box->seal(spec.password);
    }
    PowerSpec open = spec;
    open.password.clear();
    // The password first: a URL never points at a password that is not there yet.
    if (Status s = catalog.setSetting(powerSecretKey(group, target), sealed); !s)
        return s;
    return catalog.setSetting(powerSettingKey(group, target), open.toUrl(false));
}

Status clearPowerSpec(Catalog &catalog, bool group, const QString &target)
{
    if (Status s = catalog.setSetting(powerSettingKey(group, target), QString()); !s)
        return s;
    return catalog.setSetting(powerSecretKey(group, target), QString());
}

Result<PowerSpec> powerSpecFor(Catalog &catalog, const Machine &machine)
{
    bool group = false;
    QString key = powerSettingKey(false, machine.name);
    QString url = catalog.setting(key, QString());
    if (url.isEmpty() && !machine.group().isEmpty()) {
        group = true;
        key = powerSettingKey(true, machine.group());
        url = catalog.setting(key, QString());
    }
    if (url.isEmpty())
        return PowerSpec {};
    auto spec = PowerSpec::parse(url);
    if (!spec)
        return Result<PowerSpec>::failure(Text::tr("setting %1: %2").arg(key, spec.error()));
    const QString target = group ? machine.group() : machine.name;
    if (!spec->password.isEmpty()) {
        // An older Drover kept the password in clear in the URL: seal it now. If that cannot
        // be done, the call still works; the next read tries again.
        if (SecretBox::of(&catalog)) {
            if (Status s = storePowerSpec(catalog, group, target, *spec); !s)
                qWarning("%s", qPrintable(Text::tr("setting %1: the password stays in clear: %2").arg(key, s.error())));
        }
        return spec;
    }
    const QString sealed = catalog.setting(powerSecretKey(group, target), QString());
    if (sealed.isEmpty())
        return spec;
    const auto box = SecretBox::of(&catalog);
    if (!box)
        return Result<PowerSpec>::failure(
            Text::tr("setting %1: its password is sealed and this catalog was opened without its data directory's "
                     "key (secrets.key)")
                .arg(key));
    auto password = box->unseal(sealed);
    if (!password)
        return Result<PowerSpec>::failure(Text::tr("setting %1: %2").arg(key, password.error()));
    spec->password = *password;
    return spec;
}

} // namespace drover
