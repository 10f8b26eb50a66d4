// The Catalog's queries on machines, images, assignments and boot events.
#include "catalog/boottarget.h"
#include "catalog/catalog.h"

#include <QCoreApplication>
#include <QSqlError>
#include <QSqlQuery>

namespace drover {

namespace {

qint64 toMs(const QDateTime &time)
{
    return time.isValid() ? time.toMSecsSinceEpoch() : 0;
}

const QString kMachineColumns
    = QStringLiteral("id, name, mac, uuid, serial, vendor, state, phase, address, last_seen, current_image, "
                     "last_good_image, failed_attempts, is_new, revision, firmware, firmware_arch, secure_boot, "
                     "boot_protocol, boot_loader, hardware_changed, burnin_failed");

Machine machineFrom(const QSqlQuery &q)
{
    Machine m;
    m.id = q.value(0).toLongLong();
    m.name = q.value(1).toString();
    m.mac = q.value(2).toString();
    m.uuid = q.value(3).toString();
    m.serial = q.value(4).toString();
    m.vendor = q.value(5).toString();
    m.state = machineStateFromKey(q.value(6).toString());
    m.phase = q.value(7).toString();
    m.address = q.value(8).toString();
    m.lastSeen = timeFromMs(q.value(9).toLongLong());
    m.currentImage = q.value(10).toString();
    m.lastGoodImage = q.value(11).toString();
    m.failedAttempts = q.value(12).toInt();
    m.isNew = q.value(13).toInt() != 0;
    m.revision = q.value(14).toLongLong();
    m.firmware.firmware = q.value(15).toString();
    m.firmware.arch = q.value(16).toString();
    m.firmware.secureBoot = q.value(17).toString();
    m.firmware.protocol = q.value(18).toString();
    m.firmware.loader = q.value(19).toString();
    m.hardwareChanged = timeFromMs(q.value(20).toLongLong());
    m.burninFailed = timeFromMs(q.value(21).toLongLong());
    return m;
}

TargetKind targetKindFrom(const QString &key)
{
    if (key == QLatin1String("group"))
        return TargetKind::Group;
    if (key == QLatin1String("default"))
        return TargetKind::Default;
    return TargetKind::Machine;
}

Assignment assignmentFrom(const QSqlQuery &q)
{
    Assignment a;
    a.id = q.value(0).toLongLong();
    a.kind = targetKindFrom(q.value(1).toString());
    a.target = q.value(2).toString();
    a.image = q.value(3).toString();
    a.who = q.value(4).toString();
    a.when = timeFromMs(q.value(5).toLongLong());
    a.why = q.value(6).toString();
    return a;
}

} // namespace

QMap<QString, QString> Catalog::labelsOf(qint64 machineId) const
{
    QMap<QString, QString> labels;
    QSqlQuery q(database());
    if (runQuery(q, QStringLiteral("SELECT key, value FROM machine_label WHERE machine_id = ?"), { machineId })) {
        while (q.next())
            labels.insert(q.value(0).toString(), q.value(1).toString());
    }
    return labels;
}

QList<Machine> Catalog::selectMachines(const QString &where, const QVariantList &args) const
{
    QList<Machine> result;
    QSqlQuery q(database());
    if (!runQuery(q, QStringLiteral("SELECT ") + kMachineColumns + QStringLiteral(" FROM machine ") + where, args))
        return result;
    while (q.next())
        result.append(machineFrom(q));
    // One query for all labels rather than one per machine; a lookup of one machine (the
    // boot path's configuration requests) reads only its own.
    QSqlQuery l(database());
    const bool one = result.size() == 1;
    if (!result.isEmpty()
        && (one ? runQuery(l, QStringLiteral("SELECT machine_id, key, value FROM machine_label WHERE machine_id = ?"),
                      { result.first().id })
                : l.exec(QStringLiteral("SELECT machine_id, key, value FROM machine_label")))) {
        QHash<qint64, Machine *> byId;
        for (Machine &m : result)
            byId.insert(m.id, &m);
        while (l.next()) {
            if (Machine *m = byId.value(l.value(0).toLongLong()))
                m->labels.insert(l.value(1).toString(), l.value(2).toString());
        }
    }
    return result;
}

Result<Machine> Catalog::addMachine(const Machine &machine)
{
    QSqlDatabase db = database();
    db.transaction();
    QSqlQuery q(db);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (!runQuery(q,
            QStringLiteral("INSERT INTO machine (name, mac, uuid, serial, vendor, state, is_new, created) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
            { machine.name, machine.mac.toLower(), machine.uuid, machine.serial, machine.vendor,
                machineStateKey(machine.state), machine.isNew ? 1 : 0, now })
        || !q.next()) {
        const QString why = q.lastError().text();
        db.rollback();
        if (machineByName(machine.name))
            return Result<Machine>::failure(tr("a machine named '%1' exists already").arg(machine.name));
        if (auto other = machineByMac(machine.mac))
            return Result<Machine>::failure(tr("MAC %1 belongs to machine '%2' already").arg(machine.mac, other->name));
        return Result<Machine>::failure(tr("catalog: cannot add machine '%1': %2").arg(machine.name, why));
    }
    const qint64 id = q.value(0).toLongLong();
    q.finish();
    for (auto it = machine.labels.cbegin(); it != machine.labels.cend(); ++it) {
        QSqlQuery l(db);
        if (!runQuery(l, QStringLiteral("INSERT INTO machine_label (machine_id, key, value) VALUES (?, ?, ?)"),
                { id, it.key(), it.value() })) {
            db.rollback();
            return Result<Machine>::failure(
                tr("catalog: cannot label machine '%1': %2").arg(machine.name, l.lastError().text()));
        }
    }
    if (!db.commit())
        return Result<Machine>::failure(tr("catalog: %1").arg(db.lastError().text()));
    notifyChange(QStringLiteral("machine"));
    return *machineByName(machine.name);
}

QList<Machine> Catalog::machines() const
{
    return selectMachines(QStringLiteral("ORDER BY name"), {});
}

std::optional<Machine> Catalog::machineByName(const QString &name) const
{
    const auto list = selectMachines(QStringLiteral("WHERE name = ?"), { name });
    return list.isEmpty() ? std::nullopt : std::optional<Machine>(list.first());
}

std::optional<Machine> Catalog::machineByMac(const QString &mac) const
{
    const auto list = selectMachines(QStringLiteral("WHERE mac = ?"), { mac.toLower() });
    return list.isEmpty() ? std::nullopt : std::optional<Machine>(list.first());
}

std::optional<Machine> Catalog::machineByUuid(const QString &uuid) const
{
    if (uuid.isEmpty())
        return std::nullopt;
    const auto list = selectMachines(QStringLiteral("WHERE uuid = ?"), { uuid.toLower() });
    return list.isEmpty() ? std::nullopt : std::optional<Machine>(list.first());
}

Result<Machine> Catalog::updateMachine(const Machine &machine)
{
    QSqlDatabase db = database();
    db.transaction();
    QSqlQuery q(db);
    if (!runQuery(q,
            QStringLiteral("UPDATE machine SET name = ?, mac = ?, uuid = ?, serial = ?, vendor = ?, "
                           "is_new = ?, revision = revision + 1 WHERE id = ? AND revision = ?"),
            { machine.name, machine.mac.toLower(), machine.uuid.toLower(), machine.serial, machine.vendor,
                machine.isNew ? 1 : 0, machine.id, machine.revision })) {
        const QString why = q.lastError().text();
        db.rollback();
        return Result<Machine>::failure(tr("catalog: cannot update machine '%1': %2").arg(machine.name, why));
    }
    if (q.numRowsAffected() != 1) {
        db.rollback();
        return Result<Machine>::failure(
            tr("machine '%1' was changed by someone else since it was read; reload and try again").arg(machine.name));
    }
    QSqlQuery d(db);
    runQuery(d, QStringLiteral("DELETE FROM machine_label WHERE machine_id = ?"), { machine.id });
    for (auto it = machine.labels.cbegin(); it != machine.labels.cend(); ++it) {
        QSqlQuery l(db);
        runQuery(l, QStringLiteral("INSERT INTO machine_label (machine_id, key, value) VALUES (?, ?, ?)"),
            { machine.id, it.key(), it.value() });
    }
    if (!db.commit())
        return Result<Machine>::failure(tr("catalog: %1").arg(db.lastError().text()));
    notifyChange(QStringLiteral("machine"));
    return *machineByName(machine.name);
}

Status Catalog::setLabel(const QString &machine, const QString &key, const QString &value)
{
    auto m = machineByName(machine);
    if (!m)
        return Status::failure(tr("no machine named '%1'").arg(machine));
    QSqlDatabase db = database();
    db.transaction();
    Status s = value.isEmpty()
        ? exec(QStringLiteral("DELETE FROM machine_label WHERE machine_id = ? AND key = ?"), { m->id, key })
        : exec(QStringLiteral("INSERT INTO machine_label (machine_id, key, value) VALUES (?, ?, ?) "
                              "ON CONFLICT (machine_id, key) DO UPDATE SET value = excluded.value"),
              { m->id, key, value });
    if (s)
        s = exec(QStringLiteral("UPDATE machine SET revision = revision + 1 WHERE id = ?"), { m->id });
    if (!s) {
        db.rollback();
        return s;
    }
    db.commit();
    notifyChange(QStringLiteral("machine"));
    return {};
}

Status Catalog::removeMachine(const QString &name)
{
    QSqlQuery q(database());
    if (!runQuery(q, QStringLiteral("DELETE FROM machine WHERE name = ?"), { name }))
        return Status::failure(tr("catalog: cannot remove '%1': %2").arg(name, q.lastError().text()));
    if (q.numRowsAffected() == 0)
        return Status::failure(tr("no machine named '%1'").arg(name));
    notifyChange(QStringLiteral("machine"));
    return {};
}

Status Catalog::recordMachineAddress(const QString &name, const QString &address)
{
    QSqlQuery q(database());
    if (!runQuery(q,
            QStringLiteral("UPDATE machine SET address = ?, revision = revision + 1 WHERE name = ? AND address <> ?"),
            { address, name, address }))
        return Status::failure(tr("catalog: cannot record the address of '%1': %2").arg(name, q.lastError().text()));
    if (q.numRowsAffected() > 0)
        notifyChange(QStringLiteral("machine"));
    return {};
}

Status Catalog::recordFirmware(const QString &name, const FirmwareFacts &facts)
{
    // Each fact the caller knows replaces the stored one; the others stay. Written only when
    // something changes: every boot repeats the same facts.
    const QVariantList values { facts.firmware, facts.arch, facts.secureBoot, facts.protocol, facts.loader };
    static const QStringList columns { QStringLiteral("firmware"), QStringLiteral("firmware_arch"),
        QStringLiteral("secure_boot"), QStringLiteral("boot_protocol"), QStringLiteral("boot_loader") };
    QStringList sets, changed;
    QVariantList args, changedArgs;
    for (qsizetype i = 0; i < columns.size(); ++i) {
        if (values[i].toString().isEmpty())
            continue;
        sets.append(columns[i] + QStringLiteral(" = ?"));
        args.append(values[i]);
        changed.append(columns[i] + QStringLiteral(" <> ?"));
        changedArgs.append(values[i]);
    }
    if (sets.isEmpty())
        return {};
    QSqlQuery q(database());
    if (!runQuery(q,
            QStringLiteral("UPDATE machine SET ") + sets.join(QStringLiteral(", "))
                + QStringLiteral(", revision = revision + 1 WHERE name = ? AND (")
                + changed.join(QStringLiteral(" OR ")) + QLatin1Char(')'),
            args + QVariantList { name } + changedArgs))
        return Status::failure(
            tr("catalog: cannot record the firmware facts of '%1': %2").arg(name, q.lastError().text()));
    if (q.numRowsAffected() > 0)
        notifyChange(QStringLiteral("machine"));
    return {};
}

Status Catalog::recordMachineSeen(const QString &name, MachineState state, const QString &phase, const QString &address)
{
    Status s = exec(QStringLiteral("UPDATE machine SET state = ?, phase = ?, last_seen = ?, "
                                   "address = CASE WHEN ? = '' THEN address ELSE ? END, "
                                   "revision = revision + 1 WHERE name = ?"),
        { machineStateKey(state), phase, QDateTime::currentMSecsSinceEpoch(), address, address, name });
    if (s)
        notifyChange(QStringLiteral("machine"));
    return s;
}

Result<ImageRecord> Catalog::addImage(const ImageRecord &image)
{
    QSqlQuery q(database());
    const qint64 created = image.created.isValid() ? toMs(image.created) : QDateTime::currentMSecsSinceEpoch();
    if (!runQuery(q,
            QStringLiteral("INSERT INTO image (name, version, manifest_digest, size, created, recipe, notes) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"),
            { image.name, image.version, image.manifestDigest, image.size, created, image.recipe, image.notes })
        || !q.next()) {
        if (auto existing = imageByTag(image.tag())) {
            if (existing->manifestDigest == image.manifestDigest)
                return *existing; // publishing the same manifest twice is harmless
            return Result<ImageRecord>::failure(
                tr("image %1 exists already with manifest %2; a published tag never moves")
                    .arg(image.tag(), existing->manifestDigest));
        }
        return Result<ImageRecord>::failure(
            tr("catalog: cannot add image %1: %2").arg(image.tag(), q.lastError().text()));
    }
    notifyChange(QStringLiteral("image"));
    return *imageByTag(image.tag());
}

QList<ImageRecord> Catalog::images() const
{
    QList<ImageRecord> result;
    QSqlQuery q(database());
    if (!q.exec(QStringLiteral("SELECT id, name, version, manifest_digest, size, created, recipe, notes "
                               "FROM image ORDER BY name, created")))
        return result;
    while (q.next()) {
        result.append(ImageRecord { q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(),
            q.value(3).toString(), q.value(4).toLongLong(), timeFromMs(q.value(5).toLongLong()), q.value(6).toString(),
            q.value(7).toString() });
    }
    return result;
}

std::optional<ImageRecord> Catalog::imageByTag(const QString &tag) const
{
    for (const ImageRecord &image : images()) {
        if (image.tag() == tag)
            return image;
    }
    return std::nullopt;
}

QStringList Catalog::usersOfImage(const QString &tag) const
{
    QStringList users;
    QSqlQuery q(database());
    if (runQuery(q,
            QStringLiteral("SELECT a.target_kind, a.target FROM assignment a WHERE a.image = ? AND a.id = "
                           "(SELECT MAX(b.id) FROM assignment b WHERE b.target_kind = a.target_kind "
                           "AND b.target = a.target) ORDER BY a.target_kind, a.target"),
            { tag })) {
        while (q.next()) {
            const QString kind = q.value(0).toString();
            if (kind == QLatin1String("machine"))
                users.append(tr("machine %1").arg(q.value(1).toString()));
            else if (kind == QLatin1String("group"))
                users.append(tr("group %1").arg(q.value(1).toString()));
            else
                users.append(tr("default image"));
        }
    }
    if (setting(kNewMachineImageSetting) == tag)
        users.append(tr("the image new machines boot"));
    for (const Machine &m : machines()) {
        if (m.lastGoodImage == tag)
            users.append(tr("last-known-good of %1").arg(m.name));
        else if (m.currentImage == tag)
            users.append(tr("running on %1").arg(m.name));
    }
    return users;
}

Status Catalog::removeImage(const QString &tag)
{
    const QStringList users = usersOfImage(tag);
    if (!users.isEmpty())
        return Status::failure(tr("image %1 is in use by %2").arg(tag, users.join(QStringLiteral(", "))));
    const int colon = tag.lastIndexOf(QLatin1Char(':'));
    QSqlQuery q(database());
    if (!runQuery(q, QStringLiteral("DELETE FROM image WHERE name = ? AND version = ?"),
            { tag.left(colon), tag.mid(colon + 1) })
        || q.numRowsAffected() == 0)
        return Status::failure(tr("no image %1").arg(tag));
    notifyChange(QStringLiteral("image"));
    return {};
}

Result<Assignment> Catalog::assign(
    TargetKind kind, const QString &target, const QString &image, const QString &who, const QString &why)
{
    // An empty image for a machine: it follows its group (or the default) again.
    if (image.isEmpty() && kind != TargetKind::Machine)
        return Result<Assignment>::failure(tr("only a machine can follow its group; give %1 an image").arg(target));
    // A boot target (local disk, memtest, an ISO) is stored where an image tag goes: see boottarget.h.
    if (image.startsWith(QLatin1Char('@')) && !BootTarget::fromStored(image))
        return Result<Assignment>::failure(
            tr("no boot target '%1'; there are: %2").arg(image.mid(1), BootTarget::keysHelp()));
    if (!image.isEmpty() && !BootTarget::fromStored(image) && !imageByTag(image))
        return Result<Assignment>::failure(tr("no image %1 in the catalog").arg(image));
    if (const auto bootTarget = BootTarget::fromStored(image);
        bootTarget && bootTarget->kind == BootTargetKind::Iso && !isoByName(bootTarget->iso))
        return Result<Assignment>::failure(
            tr("no ISO named %1 in the catalog; add it with drover iso add FILE --name %1").arg(bootTarget->iso));
    if (kind == TargetKind::Machine && !machineByName(target))
        return Result<Assignment>::failure(tr("no machine named '%1'").arg(target));
    QSqlQuery q(database());
    if (!runQuery(q,
            QStringLiteral("INSERT INTO assignment (target_kind, target, image, who, at, why) "
                           "VALUES (?, ?, ?, ?, ?, ?) RETURNING id, target_kind, target, image, who, at, why"),
            { targetKindKey(kind), kind == TargetKind::Default ? QString() : target, image, who,
                QDateTime::currentMSecsSinceEpoch(), why })
        || !q.next())
        return Result<Assignment>::failure(tr("catalog: cannot assign %1: %2").arg(image, q.lastError().text()));
    Assignment a = assignmentFrom(q);
    q.finish();
    notifyChange(QStringLiteral("assignment"));
    return a;
}

Status Catalog::removeAssignment(qint64 id)
{
    Status s = exec(QStringLiteral("DELETE FROM assignment WHERE id = ?"), { id });
    if (s)
        notifyChange(QStringLiteral("assignment"));
    return s;
}

QList<Assignment> Catalog::history(TargetKind kind, const QString &target) const
{
    QList<Assignment> result;
    QSqlQuery q(database());
    if (!runQuery(q,
            QStringLiteral("SELECT id, target_kind, target, image, who, at, why FROM assignment "
                           "WHERE target_kind = ? AND target = ? ORDER BY id DESC"),
            { targetKindKey(kind), kind == TargetKind::Default ? QString() : target }))
        return result;
    while (q.next())
        result.append(assignmentFrom(q));
    return result;
}

std::optional<Assignment> Catalog::currentAssignment(TargetKind kind, const QString &target) const
{
    const auto list = history(kind, target);
    return list.isEmpty() ? std::nullopt : std::optional<Assignment>(list.first());
}

QStringList Catalog::imagesInUse() const
{
    QStringList tags;
    QSqlQuery q(database());
    // The newest assignment of each target is current; a removed machine's no longer counts.
    if (q.exec(QStringLiteral("SELECT a.image FROM assignment a WHERE a.id = "
                              "(SELECT MAX(b.id) FROM assignment b WHERE b.target_kind = a.target_kind "
                              "AND b.target = a.target) AND (a.target_kind <> 'machine' OR EXISTS "
                              "(SELECT 1 FROM machine m WHERE m.name = a.target))"))) {
        while (q.next()) {
            if (!q.value(0).toString().isEmpty()) // a machine following its group
                tags.append(q.value(0).toString());
        }
    }
    QSqlQuery m(database());
    if (m.exec(QStringLiteral("SELECT current_image, last_good_image FROM machine"))) {
        while (m.next()) {
            tags.append(m.value(0).toString());
            tags.append(m.value(1).toString());
        }
    }
    tags.append(setting(kNewMachineImageSetting));
    tags.removeAll(QString());
    tags.removeDuplicates();
    return tags;
}

std::optional<Assignment> Catalog::effectiveAssignment(const Machine &machine) const
{
    if (auto own = currentAssignment(TargetKind::Machine, machine.name); own && !own->image.isEmpty())
        return own;
    if (!machine.group().isEmpty()) {
        if (auto group = currentAssignment(TargetKind::Group, machine.group()))
            return group;
    }
    return currentAssignment(TargetKind::Default, {});
}

QList<std::optional<Assignment>> Catalog::effectiveAssignments(const QList<Machine> &machines) const
{
    // The current assignment of every target, as currentAssignment() picks it (the newest).
    QHash<QString, Assignment> current;
    const auto key = [](TargetKind kind, const QString &target) {
        return targetKindKey(kind) + QLatin1Char('\n') + (kind == TargetKind::Default ? QString() : target);
    };
    for (const Assignment &a : currentAssignments())
        current.insert(key(a.kind, a.target), a);
    const auto find = [&current, &key](TargetKind kind, const QString &target) -> std::optional<Assignment> {
        const auto it = current.constFind(key(kind, target));
        return it == current.cend() ? std::nullopt : std::optional<Assignment>(*it);
    };
    QList<std::optional<Assignment>> result;
    result.reserve(machines.size());
    for (const Machine &machine : machines) {
        // As effectiveAssignment(): its own (when it names an image), its group's, the default.
        if (auto own = find(TargetKind::Machine, machine.name); own && !own->image.isEmpty())
            result.append(own);
        else if (auto group = machine.group().isEmpty() ? std::nullopt : find(TargetKind::Group, machine.group()))
            result.append(group);
        else
            result.append(find(TargetKind::Default, {}));
    }
    return result;
}

QMap<QString, int> Catalog::machinesPerImage() const
{
    QMap<QString, int> count;
    for (const auto &a : effectiveAssignments(machines())) {
        if (a)
            ++count[a->image];
    }
    return count;
}

Result<BootEvent> Catalog::addEvent(const BootEvent &event)
{
    QSqlQuery q(database());
    BootEvent e = event;
    if (!e.time.isValid())
        e.time = QDateTime::currentDateTimeUtc();
    if (e.severity.isEmpty())
        e.severity = QStringLiteral("info");
    if (!runQuery(q,
            QStringLiteral("INSERT INTO boot_event (at, machine, mac, boot_id, phase, image, severity, detail) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
            { toMs(e.time), e.machine, e.mac, e.bootId, e.phase, e.image, e.severity, e.detail })
        || !q.next())
        return Result<BootEvent>::failure(tr("catalog: cannot record boot event: %1").arg(q.lastError().text()));
    e.id = q.value(0).toLongLong();
    q.finish();
    notifyChange(QStringLiteral("boot_event"));
    return e;
}

QList<BootEvent> Catalog::events(const EventFilter &filter) const
{
    QString where = QStringLiteral("WHERE id > ?");
    QVariantList args { filter.afterId };
    if (!filter.machine.isEmpty()) {
        where += QStringLiteral(" AND (machine = ? OR mac = ?)");
        args << filter.machine << filter.machine.toLower();
    }
    if (!filter.phase.isEmpty()) {
        where += QStringLiteral(" AND phase = ?");
        args << filter.phase;
    }
    QList<BootEvent> result;
    QSqlQuery q(database());
    // The newest `limit` events, returned oldest first.
    if (!runQuery(q,
            QStringLiteral("SELECT id, at, machine, mac, boot_id, phase, image, severity, detail FROM boot_event ")
                + where + QStringLiteral(" ORDER BY id DESC LIMIT %1").arg(qMax(1, filter.limit)),
            args))
        return result;
    while (q.next()) {
        result.prepend(BootEvent { q.value(0).toLongLong(), timeFromMs(q.value(1).toLongLong()), q.value(2).toString(),
            q.value(3).toString(), q.value(4).toString(), q.value(5).toString(), q.value(6).toString(),
            q.value(7).toString(), q.value(8).toString() });
    }
    return result;
}

Status Catalog::recordBootResult(const QString &name, const QString &image, bool ready)
{
    // A boot target is no image that could work or fail: the machine was handed over to it.
    if (BootTarget::fromStored(image)) {
        Status t = exec(QStringLiteral("UPDATE machine SET current_image = ?, failed_attempts = 0, "
                                       "revision = revision + 1 WHERE name = ?"),
            { image, name });
        if (t)
            notifyChange(QStringLiteral("machine"));
        return t;
    }
    Status s = ready
        ? exec(QStringLiteral("UPDATE machine SET current_image = ?, last_good_image = ?, failed_attempts = 0, "
                              "revision = revision + 1 WHERE name = ?"),
              { image, image, name })
        : exec(QStringLiteral("UPDATE machine SET current_image = CASE WHEN ? = '' THEN current_image ELSE ? END, "
                              "failed_attempts = failed_attempts + 1, revision = revision + 1 WHERE name = ?"),
              { image, image, name });
    if (s)
        notifyChange(QStringLiteral("machine"));
    return s;
}

QList<Assignment> Catalog::currentAssignments() const
{
    QList<Assignment> result;
    QSqlQuery q(database());
    if (!q.exec(QStringLiteral("SELECT a.id, a.target_kind, a.target, a.image, a.who, a.at, a.why FROM assignment a "
                               "WHERE a.id = (SELECT MAX(b.id) FROM assignment b "
                               "WHERE b.target_kind = a.target_kind AND b.target = a.target)")))
        return result;
    while (q.next())
        result.append(assignmentFrom(q));
    return result;
}

QMap<QString, QString> Catalog::settings(const QString &prefix) const
{
    QMap<QString, QString> result;
    QSqlQuery q(database());
    // substr rather than LIKE, whose wildcards a prefix could contain.
    if (runQuery(q, QStringLiteral("SELECT key, value FROM setting WHERE substr(key, 1, ?) = ?"),
            { int(prefix.size()), prefix })) {
        while (q.next())
            result.insert(q.value(0).toString(), q.value(1).toString());
    }
    return result;
}

Status Catalog::addEvents(const QList<BootEvent> &events)
{
    if (events.isEmpty())
        return {};
    QSqlDatabase db = database();
    db.transaction();
    QSqlQuery q(db);
    if (!q.prepare(QStringLiteral("INSERT INTO boot_event (at, machine, mac, boot_id, phase, image, severity, detail) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"))) {
        db.rollback();
        return Status::failure(tr("catalog: cannot record boot events: %1").arg(q.lastError().text()));
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const BootEvent &e : events) {
        const QVariantList args { e.time.isValid() ? toMs(e.time) : now, e.machine, e.mac, e.bootId, e.phase, e.image,
            e.severity.isEmpty() ? QStringLiteral("info") : e.severity, e.detail };
        for (int i = 0; i < args.size(); ++i)
            q.bindValue(i, bindable(args.at(i)));
        if (!q.exec()) {
            const QString why = q.lastError().text();
            db.rollback();
            return Status::failure(tr("catalog: cannot record boot events: %1").arg(why));
        }
    }
    if (!db.commit())
        return Status::failure(tr("catalog: cannot record boot events: %1").arg(db.lastError().text()));
    notifyChange(QStringLiteral("boot_event"));
    return {};
}

Status Catalog::recordMachinesSeen(const QList<Machine> &seen)
{
    if (seen.isEmpty())
        return {};
    QSqlDatabase db = database();
    db.transaction();
    QSqlQuery q(db);
    if (!q.prepare(QStringLiteral("UPDATE machine SET state = ?, phase = ?, last_seen = ?, "
                                  "address = CASE WHEN ? = '' THEN address ELSE ? END, "
                                  "revision = revision + 1 WHERE name = ?"))) {
        db.rollback();
        return Status::failure(tr("catalog: cannot record machines seen: %1").arg(q.lastError().text()));
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const Machine &m : seen) {
        const QVariantList args { machineStateKey(m.state), m.phase, now, m.address, m.address, m.name };
        for (int i = 0; i < args.size(); ++i)
            q.bindValue(i, bindable(args.at(i)));
        if (!q.exec()) {
            const QString why = q.lastError().text();
            db.rollback();
            return Status::failure(tr("catalog: cannot record machines seen: %1").arg(why));
        }
    }
    if (!db.commit())
        return Status::failure(tr("catalog: cannot record machines seen: %1").arg(db.lastError().text()));
    notifyChange(QStringLiteral("machine"));
    return {};
}

} // namespace drover
