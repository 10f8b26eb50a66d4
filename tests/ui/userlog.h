// For the main window's tests: whether the log view shows a user's action as MainWindow logs
// it — source "user", the text "<user>: <what>".
#pragma once

#include "log/logmodel.h"
#include "log/logview.h"
#include "util/currentuser.h"

namespace drover::test {

inline bool userActionLogged(const LogView *view, const QString &what)
{
    const auto *log = view->filter();
    const QString text = currentUser() + QStringLiteral(": ") + what;
    for (int row = 0; row < log->rowCount(); ++row) {
        if (log->index(row, LogModel::Source).data().toString() == QLatin1String("user")
            && log->index(row, LogModel::Text).data().toString() == text)
            return true;
    }
    return false;
}

} // namespace drover::test
