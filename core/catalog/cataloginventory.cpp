// Hardware inventories in the catalog: one row per distinct hardware of a machine, so the
// history shows each change (a swapped disk, a DIMM gone) once, however often it boots. A
// change marks the machine (hardware_changed) until an admin acknowledges it.
#include "catalog/catalog.h"

#include <QJsonDocument>
#include <QSqlError>

namespace drover {

namespace {

// Rows kept per machine: a machine whose report flips every boot (a student's doing, or a
// flaky disk) cannot grow the table without bound.
constexpr int kHistoryPerMachine = 50;

const QString kInventoryColumns
    = QStringLiteral("i.id, m.name, i.boot_id, i.first_seen, i.last_seen, i.data, i.changes");

InventoryRecord inventoryFrom(const QSqlQuery &q)
{
    InventoryRecord r;
    r.id = q.value(0).toLongLong();
    r.machine = q.value(1).toString();
    r.bootId = q.value(2).toString();
    r.firstSeen = timeFromMs(q.value(3).toLongLong());
    r.lastSeen = timeFromMs(q.value(4).toLongLong());
    r.hardware = HardwareInventory::fromJson(QJsonDocument::fromJson(q.value(5).toByteArray()).object());
    const QString changes = q.value(6).toString();
    r.changes = changes.isEmpty() ? QStringList() : changes.split(QLatin1Char('\n'));
    return r;
}

} // namespace

Result<InventoryRecord> Catalog::recordInventory(
    const QString &machine, const QString &bootId, const HardwareInventory &hardware, qint64 nowMs)
{
    using R = Result<InventoryRecord>;
    if (nowMs <= 0)
        nowMs = QDateTime::currentMSecsSinceEpoch();
    QSqlDatabase db = database();
    const QString cannot = tr("catalog: cannot record the hardware of '%1': %2");
    const auto found = beginMachineWrite(db, machine, cannot);
    if (!found)
        return R::failure(found.error());
    const qint64 machineId = *found;
    auto failed = [&](const QSqlQuery &q) {
        const QString why = q.lastError().text();
        db.rollback();
        return R::failure(cannot.arg(machine, why));
    };
    QSqlQuery q(db);
    if (!runQuery(q,
            QStringLiteral("SELECT id, data FROM machine_inventory WHERE machine_id = ? ORDER BY id DESC LIMIT 1"),
            { machineId }))
        return failed(q);
    const QByteArray data = QJsonDocument(hardware.toJson()).toJson(QJsonDocument::Compact);
    bool machineChanged = false;
    if (q.next()) {
        const qint64 newestId = q.value(0).toLongLong();
        const HardwareInventory before
            = HardwareInventory::fromJson(QJsonDocument::fromJson(q.value(1).toByteArray()).object());
        if (before.hardwareOnly() == hardware.hardwareOnly()) {
            // The same hardware again: its link speed and SMART verdict are today's.
            if (!runQuery(q, QStringLiteral("UPDATE machine_inventory SET last_seen = ?, data = ? WHERE id = ?"),
                    { nowMs, QString::fromUtf8(data), newestId }))
                return failed(q);
            if (!db.commit())
                return R::failure(cannot.arg(machine, db.lastError().text()));
            notifyChange(QStringLiteral("inventory"));
            return inventory(machine).value_or(InventoryRecord {});
        }
        QStringList changes = inventoryChanges(before, hardware);
        if (changes.isEmpty())
            changes << tr("hardware details changed");
        if (!runQuery(q,
                QStringLiteral(
                    "INSERT INTO machine_inventory (machine_id, boot_id, first_seen, last_seen, data, changes) "
                    "VALUES (?, ?, ?, ?, ?, ?)"),
                { machineId, bootId, nowMs, nowMs, QString::fromUtf8(data), changes.join(QLatin1Char('\n')) }))
            return failed(q);
        if (!runQuery(q,
                QStringLiteral("UPDATE machine SET hardware_changed = ?, revision = revision + 1 WHERE id = ?"),
                { nowMs, machineId }))
            return failed(q);
        machineChanged = true;
    } else if (!runQuery(q,
                   QStringLiteral("INSERT INTO machine_inventory (machine_id, boot_id, first_seen, last_seen, data) "
                                  "VALUES (?, ?, ?, ?, ?)"),
                   { machineId, bootId, nowMs, nowMs, QString::fromUtf8(data) })) {
        return failed(q);
    }
    // A machine added by MAC alone gets the serial number its firmware reports.
    if (!hardware.systemSerial.isEmpty()) {
        if (!runQuery(q,
                QStringLiteral("UPDATE machine SET serial = ?, revision = revision + 1 WHERE id = ? AND serial = ''"),
                { hardware.systemSerial, machineId }))
            return failed(q);
        machineChanged = machineChanged || q.numRowsAffected() > 0;
    }
    if (!runQuery(q,
            QStringLiteral("DELETE FROM machine_inventory WHERE machine_id = ? AND id NOT IN (SELECT id FROM "
                           "machine_inventory WHERE machine_id = ? ORDER BY id DESC LIMIT %1)")
                .arg(kHistoryPerMachine),
            { machineId, machineId }))
        return failed(q);
    if (!db.commit())
        return R::failure(cannot.arg(machine, db.lastError().text()));
    notifyChange(QStringLiteral("inventory"));
    if (machineChanged)
        notifyChange(QStringLiteral("machine"));
    if (auto stored = inventory(machine))
        return *stored;
    return R::failure(tr("catalog: the hardware of '%1' vanished as it was recorded").arg(machine));
}

std::optional<InventoryRecord> Catalog::inventory(const QString &machine) const
{
    const QList<InventoryRecord> newest = inventoryHistory(machine, 1);
    if (newest.isEmpty())
        return std::nullopt;
    return newest.first();
}

QList<InventoryRecord> Catalog::inventoryHistory(const QString &machine, int limit) const
{
    QList<InventoryRecord> result;
    QSqlQuery q(database());
    if (!runQuery(q,
            QStringLiteral("SELECT %1 FROM machine_inventory i JOIN machine m ON m.id = i.machine_id "
                           "WHERE m.name = ? ORDER BY i.id DESC LIMIT %2")
                .arg(kInventoryColumns)
                .arg(qMax(1, limit)),
            { machine }))
        return result;
    while (q.next())
        result.append(inventoryFrom(q));
    return result;
}

QHash<QString, InventoryRecord> Catalog::latestInventories() const
{
    QHash<QString, InventoryRecord> result;
    QSqlQuery q(database());
    if (!q.exec(QStringLiteral("SELECT %1 FROM machine_inventory i JOIN machine m ON m.id = i.machine_id "
                               "WHERE i.id IN (SELECT MAX(id) FROM machine_inventory GROUP BY machine_id)")
                .arg(kInventoryColumns)))
        return result;
    while (q.next()) {
        InventoryRecord r = inventoryFrom(q);
        result.insert(r.machine, r);
    }
    return result;
}

Status Catalog::acknowledgeHardwareChange(const QString &machine)
{
    return clearMachineMark(
        machine, QStringLiteral("hardware_changed"), tr("catalog: cannot clear the hardware change of '%1': %2"));
}

} // namespace drover
