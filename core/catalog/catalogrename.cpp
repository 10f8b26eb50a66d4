// Renaming machines: a technician names a bench of new machines at once (lab-01, lab-02, …).
// Everything that refers to a machine by name — its assignments, configuration, boot events
// and boot sessions — follows it, in one transaction: a rename never leaves a machine without
// its history or its image.
#include "catalog/catalog.h"

#include <QSet>
#include <QSqlError>

namespace drover {

Status Catalog::renameMachines(const QList<std::pair<QString, QString>> &renames)
{
    QSet<QString> from, to;
    for (const auto &[oldName, newName] : renames) {
        if (newName.isEmpty())
            return Status::failure(tr("machine '%1' cannot be renamed to an empty name").arg(oldName));
        if (from.contains(oldName))
            return Status::failure(tr("machine '%1' is renamed twice").arg(oldName));
        if (to.contains(newName))
            return Status::failure(tr("two machines would be named '%1'").arg(newName));
        from.insert(oldName);
        to.insert(newName);
    }
    for (const auto &[oldName, newName] : renames) {
        if (!machineByName(oldName))
            return Status::failure(tr("no machine named '%1'").arg(oldName));
        // Swaps and chains (a → b while b → c) are refused: each new name must be free.
        if (oldName != newName && machineByName(newName))
            return Status::failure(tr("a machine named '%1' exists already").arg(newName));
    }
    QSqlDatabase db = database();
    if (!db.transaction())
        return Status::failure(tr("catalog: cannot rename machines: %1").arg(db.lastError().text()));
    static const QStringList statements {
        QStringLiteral("UPDATE machine SET name = ?, is_new = 0, revision = revision + 1 WHERE name = ?"),
        QStringLiteral("UPDATE assignment SET target = ? WHERE target_kind = 'machine' AND target = ?"),
        QStringLiteral("UPDATE config SET target = ? WHERE target_kind = 'machine' AND target = ?"),
        QStringLiteral("UPDATE boot_event SET machine = ? WHERE machine = ?"),
        QStringLiteral("UPDATE boot_session SET machine = ? WHERE machine = ?"),
    };
    for (const auto &[oldName, newName] : renames) {
        if (oldName == newName)
            continue;
        for (const QString &sql : statements) {
            QSqlQuery q(db);
            if (!runQuery(q, sql, { newName, oldName })) {
                const QString why = q.lastError().text();
                db.rollback();
                return Status::failure(tr("catalog: cannot rename '%1' to '%2': %3").arg(oldName, newName, why));
            }
        }
    }
    if (!db.commit())
        return Status::failure(tr("catalog: cannot rename machines: %1").arg(db.lastError().text()));
    notifyChange(QStringLiteral("machine"));
    notifyChange(QStringLiteral("assignment"));
    return {};
}

} // namespace drover
