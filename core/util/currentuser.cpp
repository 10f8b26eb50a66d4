#include "util/currentuser.h"

#include <pwd.h>
#include <unistd.h>

namespace drover {

QString currentUser(const QProcessEnvironment &env, unsigned effectiveUid)
{
    QStringList names;
    if (effectiveUid == 0)
        names << QStringLiteral("SUDO_USER");
    names << QStringLiteral("USER") << QStringLiteral("LOGNAME");
    for (const QString &name : std::as_const(names)) {
        const QString value = env.value(name).trimmed();
        if (!value.isEmpty())
            return value;
    }
    if (const struct passwd *account = ::getpwuid(effectiveUid); account && account->pw_name && *account->pw_name)
        return QString::fromLocal8Bit(account->pw_name);
    return QStringLiteral("drover");
}

QString currentUser()
{
    return currentUser(QProcessEnvironment::systemEnvironment(), ::geteuid());
}

} // namespace drover
