// The Catalog's configuration rows: one JSON body per machine and per group, written only
// over the revision the writer read, so two admins editing at once never lose a change.
#include "catalog/catalog.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTimeZone>

namespace drover {

namespace {

const QString kColumns = QStringLiteral("target_kind, target, body, revision, updated_by, updated_at");

ConfigRecord configFrom(const QSqlQuery &q)
{
    ConfigRecord r;
    r.kind = q.value(0).toString() == QLatin1String("group") ? TargetKind::Group : TargetKind::Machine;
    r.target = q.value(1).toString();
    r.body = q.value(2).toString();
    r.revision = q.value(3).toLongLong();
    r.updatedBy = q.value(4).toString();
    const qint64 ms = q.value(5).toLongLong();
    r.updatedAt = ms ? QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::UTC) : QDateTime();
    return r;
}

} // namespace

std::optional<ConfigRecord> Catalog::config(TargetKind kind, const QString &target) const
{
    QSqlQuery q(database());
    if (!runQuery(q,
            QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM config WHERE target_kind = ? AND target = ?"),
            { targetKindKey(kind), target })
        || !q.next())
        return std::nullopt;
    return configFrom(q);
}

QList<ConfigRecord> Catalog::configs() const
{
    QList<ConfigRecord> result;
    QSqlQuery q(database());
    if (q.exec(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM config ORDER BY target_kind, target"))) {
        while (q.next())
            result.append(configFrom(q));
    }
    return result;
}

QList<ConfigRecord> Catalog::configsFor(const Machine &machine) const
{
    QList<ConfigRecord> result;
    if (!machine.group().isEmpty()) {
        if (auto group = config(TargetKind::Group, machine.group()))
            result.append(*group);
    }
    if (auto own = config(TargetKind::Machine, machine.name))
        result.append(*own);
    return result;
}

Result<ConfigRecord> Catalog::setConfig(
    TargetKind kind, const QString &target, const QString &body, qint64 baseRevision, const QString &who)
{
    const QString what = kind == TargetKind::Group ? tr("group '%1'").arg(target) : tr("machine '%1'").arg(target);
    if (kind != TargetKind::Machine && kind != TargetKind::Group)
        return Result<ConfigRecord>::failure(tr("catalog: only machines and groups have a configuration"));
    if (target.isEmpty())
        return Result<ConfigRecord>::failure(tr("catalog: a configuration needs a machine or group name"));
    if (kind == TargetKind::Machine && !machineByName(target))
        return Result<ConfigRecord>::failure(tr("no machine named '%1'").arg(target));
    QSqlDatabase db = database();
    db.transaction();
    QSqlQuery q(db);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    // The insert of a first configuration loses against a concurrent one on the primary key;
    // an update matches only the revision it was based on.
    const bool ok = baseRevision == 0
        ? runQuery(q,
              QStringLiteral("INSERT INTO config (target_kind, target, body, revision, updated_by, updated_at) "
                             "VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (target_kind, target) DO NOTHING"),
              { targetKindKey(kind), target, body, who, now })
        : runQuery(q,
              QStringLiteral("UPDATE config SET body = ?, revision = revision + 1, updated_by = ?, updated_at = ? "
                             "WHERE target_kind = ? AND target = ? AND revision = ?"),
              { body, who, now, targetKindKey(kind), target, baseRevision });
    if (!ok) {
        const QString why = q.lastError().text();
        db.rollback();
        return Result<ConfigRecord>::failure(tr("catalog: cannot save the configuration of %1: %2").arg(what, why));
    }
    if (q.numRowsAffected() != 1) {
        db.rollback();
        const auto current = config(kind, target);
        if (!current)
            return Result<ConfigRecord>::failure(
                tr("the configuration of %1 was removed by someone else since it was read; reload and try again")
                    .arg(what));
        return Result<ConfigRecord>::failure(
            tr("the configuration of %1 was changed by %2 at %3 (revision %4) since it was read; reload and try again")
                .arg(what, current->updatedBy.isEmpty() ? tr("someone else") : current->updatedBy,
                    current->updatedAt.toLocalTime().toString(Qt::ISODate))
                .arg(current->revision));
    }
    if (!db.commit())
        return Result<ConfigRecord>::failure(tr("catalog: %1").arg(db.lastError().text()));
    notifyChange(QStringLiteral("config"));
    if (auto stored = config(kind, target))
        return *stored;
    return Result<ConfigRecord>::failure(tr("catalog: the configuration of %1 vanished after saving").arg(what));
}

Status Catalog::removeConfig(TargetKind kind, const QString &target, qint64 baseRevision)
{
    QSqlQuery q(database());
    if (!runQuery(q, QStringLiteral("DELETE FROM config WHERE target_kind = ? AND target = ? AND revision = ?"),
            { targetKindKey(kind), target, baseRevision }))
        return Status::failure(tr("catalog: cannot remove a configuration: %1").arg(q.lastError().text()));
    if (q.numRowsAffected() != 1) {
        const QString what = kind == TargetKind::Group ? tr("group '%1'").arg(target) : tr("machine '%1'").arg(target);
        if (!config(kind, target))
            return Status::failure(tr("%1 has no configuration").arg(what));
        return Status::failure(
            tr("the configuration of %1 was changed by someone else since it was read; reload and try again")
                .arg(what));
    }
    notifyChange(QStringLiteral("config"));
    return {};
}

} // namespace drover
