// ISOs in the catalog: the name a boot target (iso:NAME) refers to, and the store blob that
// holds its bytes. The bytes themselves are the store's (drover iso add puts them there).
#include "catalog/boottarget.h"
#include "catalog/catalog.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTimeZone>

namespace drover {

namespace {

IsoRecord isoFrom(const QSqlQuery &q)
{
    IsoRecord iso;
    iso.name = q.value(0).toString();
    iso.digest = q.value(1).toString();
    iso.size = q.value(2).toLongLong();
    const qint64 added = q.value(3).toLongLong();
    iso.added = added ? QDateTime::fromMSecsSinceEpoch(added, QTimeZone::UTC) : QDateTime();
    iso.addedBy = q.value(4).toString();
    iso.notes = q.value(5).toString();
    return iso;
}

const QString kIsoColumns = QStringLiteral("name, digest, size, added, added_by, notes");

} // namespace

Result<IsoRecord> Catalog::addIso(const IsoRecord &iso)
{
    if (const QString why = isoNameError(iso.name); !why.isEmpty())
        return Result<IsoRecord>::failure(why);
    QSqlQuery q(database());
    const qint64 added = iso.added.isValid() ? iso.added.toMSecsSinceEpoch() : QDateTime::currentMSecsSinceEpoch();
    if (!q.prepare(QStringLiteral("INSERT INTO iso (%1) VALUES (?, ?, ?, ?, ?, ?)").arg(kIsoColumns)))
        return Result<IsoRecord>::failure(tr("catalog: cannot add ISO %1: %2").arg(iso.name, q.lastError().text()));
    for (const QVariant &v : QVariantList { iso.name, iso.digest, iso.size, added, iso.addedBy, iso.notes })
        q.addBindValue(bindable(v));
    if (!q.exec()) {
        const QString why = q.lastError().text();
        if (auto existing = isoByName(iso.name)) {
            if (existing->digest == iso.digest)
                return *existing; // adding the same bytes twice is harmless
            // A machine in the middle of reading the ISO must not get other bytes under its name.
            return Result<IsoRecord>::failure(tr("an ISO named %1 exists already with other content (%2); remove it "
                                                 "first or choose another name")
                    .arg(iso.name, existing->digest.left(19)));
        }
        return Result<IsoRecord>::failure(tr("catalog: cannot add ISO %1: %2").arg(iso.name, why));
    }
    notifyChange(QStringLiteral("iso"));
    if (auto stored = isoByName(iso.name))
        return *stored;
    return Result<IsoRecord>::failure(tr("catalog: ISO %1 vanished as it was added").arg(iso.name));
}

QList<IsoRecord> Catalog::isos() const
{
    QList<IsoRecord> result;
    QSqlQuery q(database());
    if (!q.exec(QStringLiteral("SELECT %1 FROM iso ORDER BY name").arg(kIsoColumns)))
        return result;
    while (q.next())
        result.append(isoFrom(q));
    return result;
}

std::optional<IsoRecord> Catalog::isoByName(const QString &name) const
{
    QSqlQuery q(database());
    if (!q.prepare(QStringLiteral("SELECT %1 FROM iso WHERE name = ?").arg(kIsoColumns)))
        return std::nullopt;
    q.addBindValue(name);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return isoFrom(q);
}

Status Catalog::removeIso(const QString &name)
{
    // Assignments and machines hold the target's stored form, as they hold image tags.
    const QStringList users = usersOfImage(BootTarget::forIso(name).stored());
    if (!users.isEmpty())
        return Status::failure(tr("ISO %1 is in use by %2").arg(name, users.join(QStringLiteral(", "))));
    QSqlQuery q(database());
    if (!q.prepare(QStringLiteral("DELETE FROM iso WHERE name = ?")))
        return Status::failure(tr("catalog: cannot remove ISO %1: %2").arg(name, q.lastError().text()));
    q.addBindValue(name);
    if (!q.exec())
        return Status::failure(tr("catalog: cannot remove ISO %1: %2").arg(name, q.lastError().text()));
    if (q.numRowsAffected() == 0)
        return Status::failure(tr("no ISO named %1").arg(name));
    notifyChange(QStringLiteral("iso"));
    return {};
}

} // namespace drover
