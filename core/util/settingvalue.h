// How a yes/no catalog setting reads: one rule for every switch an admin sets by hand or
// through the CLI (boot/peers, boot/require-uuid/…), so "on" or "yes" never means yes in
// one place and no in another.
#pragma once

#include <QString>

namespace drover {

inline bool settingIsOn(const QString &value)
{
    const QString v = value.trimmed().toLower();
    return v == QLatin1String("on") || v == QLatin1String("1") || v == QLatin1String("true")
        || v == QLatin1String("yes");
}

} // namespace drover
