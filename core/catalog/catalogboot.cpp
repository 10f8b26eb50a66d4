// The Catalog's boot sessions and bindings: each boot the server issued (so a report is
// checked against what that boot was given, after a restart too, or by another Drover on
// the same catalog) and the address DHCP last saw each MAC use. Written by the boot path
// only; no change notification, since nothing on screen shows them directly.
#include "catalog/catalog.h"

#include <QSqlError>
#include <QSqlQuery>

namespace drover {

namespace {

const QString kSessionColumns
    = QStringLiteral("boot_id, machine, mac, address, manifest, image, issued, deadline, used");

BootSessionRecord sessionFrom(const QSqlQuery &q)
{
    BootSessionRecord r;
    r.bootId = q.value(0).toString();
    r.machine = q.value(1).toString();
    r.mac = q.value(2).toString();
    r.address = q.value(3).toString();
    r.manifest = q.value(4).toString();
    r.image = q.value(5).toString();
    r.issuedMs = q.value(6).toLongLong();
    r.deadlineMs = q.value(7).toLongLong();
    r.used = q.value(8).toString();
    return r;
}

std::optional<BootSessionRecord> oneSession(const QSqlDatabase &db, const QString &sql, const QString &arg)
{
    QSqlQuery q(db);
    if (!q.prepare(sql))
        return std::nullopt;
    q.addBindValue(bindable(arg));
    if (!q.exec() || !q.next())
        return std::nullopt;
    return sessionFrom(q);
}

} // namespace

Status Catalog::addBootSessions(const QList<BootSessionRecord> &sessions)
{
    if (sessions.isEmpty())
        return {};
    QSqlDatabase db = database();
    db.transaction();
    QSqlQuery q(db);
    if (!q.prepare(QStringLiteral("INSERT INTO boot_session (%1) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                  "ON CONFLICT (boot_id) DO NOTHING")
                .arg(kSessionColumns))) {
        db.rollback();
        return Status::failure(tr("catalog: cannot record boot sessions: %1").arg(q.lastError().text()));
    }
    for (const BootSessionRecord &s : sessions) {
        const QVariantList args { s.bootId, s.machine, s.mac.toLower(), s.address, s.manifest, s.image, s.issuedMs,
            s.deadlineMs, s.used };
        for (int i = 0; i < args.size(); ++i)
            q.bindValue(i, bindable(args.at(i)));
        if (!q.exec()) {
            const QString why = q.lastError().text();
            db.rollback();
            return Status::failure(tr("catalog: cannot record boot sessions: %1").arg(why));
        }
    }
    if (!db.commit())
        return Status::failure(tr("catalog: cannot record boot sessions: %1").arg(db.lastError().text()));
    return {};
}

std::optional<BootSessionRecord> Catalog::bootSession(const QString &bootId) const
{
    return oneSession(
        database(), QStringLiteral("SELECT %1 FROM boot_session WHERE boot_id = ?").arg(kSessionColumns), bootId);
}

std::optional<BootSessionRecord> Catalog::newestBootSession(const QString &mac) const
{
    return oneSession(database(),
        QStringLiteral("SELECT %1 FROM boot_session WHERE mac = ? ORDER BY issued DESC, boot_id DESC LIMIT 1")
            .arg(kSessionColumns),
        mac.toLower());
}

Result<bool> Catalog::useBootSession(const QString &bootId, const QString &resource)
{
    // One UPDATE that matches only while the mark is absent: two Drovers (or two threads)
    // racing for the same resource cannot both see their update applied.
    const QString mark = QString(QLatin1Char(',') + resource + QLatin1Char(','));
    QSqlQuery q(database());
    if (!q.prepare(QStringLiteral("UPDATE boot_session SET used = used || ? WHERE boot_id = ? AND "
                                  "(',' || used) NOT LIKE ?")))
        return Result<bool>::failure(tr("catalog: %1").arg(q.lastError().text()));
    q.addBindValue(bindable(mark.mid(1)));
    q.addBindValue(bindable(bootId));
    q.addBindValue(QString(QStringLiteral("%") + mark + QStringLiteral("%")));
    if (!q.exec())
        return Result<bool>::failure(tr("catalog: %1").arg(q.lastError().text()));
    return q.numRowsAffected() == 1;
}

Status Catalog::pruneBootSessions(qint64 olderThanMs)
{
    return exec(QStringLiteral("DELETE FROM boot_session WHERE deadline < ?"), { olderThanMs });
}

Status Catalog::setBootBinding(const BootBindingRecord &b)
{
    return exec(QStringLiteral("INSERT INTO boot_binding (mac, address, source, seen) VALUES (?, ?, ?, ?) "
                               "ON CONFLICT (mac) DO UPDATE SET address = excluded.address, "
                               "source = excluded.source, seen = excluded.seen"),
        { b.mac.toLower(), b.address, b.source, b.seenMs });
}

std::optional<BootBindingRecord> Catalog::bootBinding(const QString &mac) const
{
    QSqlQuery q(database());
    if (!q.prepare(QStringLiteral("SELECT mac, address, source, seen FROM boot_binding WHERE mac = ?")))
        return std::nullopt;
    q.addBindValue(mac.toLower());
    if (!q.exec() || !q.next())
        return std::nullopt;
    return BootBindingRecord { q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
        q.value(3).toLongLong() };
}

} // namespace drover
