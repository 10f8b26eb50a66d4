// currentUser: who is at the keyboard, for the history ("assigned by …") and the log. Under
// sudo that is the user who ran sudo, not root; in a service without a login, the account the
// process runs as.
#pragma once

#include <QProcessEnvironment>
#include <QString>

namespace drover {

// From `env` (SUDO_USER when `effectiveUid` is 0, then USER, then LOGNAME), else the account of
// `effectiveUid`, else "drover".
QString currentUser(const QProcessEnvironment &env, unsigned effectiveUid);
// The same for this process.
QString currentUser();

} // namespace drover
