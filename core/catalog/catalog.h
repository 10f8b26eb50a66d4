// Catalog: the database of machines, images, assignments, boot events and leases, through
// Qt SQL. SQLite is the embedded default (WAL, synchronous=FULL, foreign keys on);
// PostgreSQL (QPSQL) serves a catalog shared by several admins. Every thread gets its own
// named connection. Writes notify other Drover instances: PostgreSQL LISTEN/NOTIFY, or a
// watch on SQLite's data_version; either way `changed` fires within a second.
#pragma once

#include "catalog/records.h"
#include "util/result.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTimer>

#include <memory>
#include <optional>

namespace drover {

// A value ready to bind: null strings become '' (the schema's "no value").
QVariant bindable(const QVariant &value);
// Prepares `sql` on `q`, binds `args` (bindable) in order and runs it.
bool runQuery(QSqlQuery &q, const QString &sql, const QVariantList &args);
// The setting naming the image unknown machines boot once registered under the "register"
// policy (a staging image: inventory, burn-in), until someone assigns them one; empty: they
// wait for an admin. An image it names is in use.
inline const QString kNewMachineImageSetting = QStringLiteral("boot/new-machine-image");

// Times are stored as milliseconds since the epoch, 0 for "never".
QDateTime timeFromMs(qint64 ms);

class Catalog final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Catalog)
public:
    // url: a file path or sqlite:PATH for SQLite; postgresql://[user@][host][:port]/db
    // (?host=/socket/dir for a local socket) for PostgreSQL.
    static Result<std::unique_ptr<Catalog>> open(const QString &url, QObject *parent = nullptr);
    ~Catalog() override;

    static int latestSchemaVersion();
    int schemaVersion() const;
    bool isPostgres() const { return m_postgres; }
    QString url() const { return m_url; }

    // Machines
    Result<Machine> addMachine(const Machine &machine);
    QList<Machine> machines() const;
    std::optional<Machine> machineByName(const QString &name) const;
    std::optional<Machine> machineByMac(const QString &mac) const;
    std::optional<Machine> machineByUuid(const QString &uuid) const;
    // Writes every editable field if nobody changed the machine since `machine.revision`;
    // otherwise fails, naming who wins, so no update is silently lost.
    Result<Machine> updateMachine(const Machine &machine);
    Status setLabel(const QString &machine, const QString &key, const QString &value);
    // Renames machines (old → new) in one transaction, with their assignments, configuration,
    // boot events and sessions; clears their "new" mark. Every new name must be free.
    Status renameMachines(const QList<std::pair<QString, QString>> &renames);
    Status removeMachine(const QString &name);
    // Called by the boot path: state, phase, address and last-seen in one statement.
    Status recordMachineSeen(
        const QString &name, MachineState state, const QString &phase, const QString &address = {});
    // Only the address (the running OS renewing its DHCP lease): state, phase and last seen
    // stay as the boot left them.
    Status recordMachineAddress(const QString &name, const QString &address);
    // The firmware facts a boot showed: non-empty fields replace the stored ones.
    Status recordFirmware(const QString &name, const FirmwareFacts &facts);

    // Hardware inventories (cataloginventory.cpp), as each boot reports them. Recording the
    // same hardware again only refreshes the newest record; different hardware adds one,
    // with the changes in words, and marks the machine (Machine::hardwareChanged).
    Result<InventoryRecord> recordInventory(
        const QString &machine, const QString &bootId, const HardwareInventory &hardware, qint64 nowMs = 0);
    std::optional<InventoryRecord> inventory(const QString &machine) const;
    QList<InventoryRecord> inventoryHistory(const QString &machine, int limit = 50) const; // newest first
    QHash<QString, InventoryRecord> latestInventories() const; // machine name → newest
    Status acknowledgeHardwareChange(const QString &machine);

    // Test-suite runs (catalogtests.cpp), one per boot that ran its tests. A failed run marks
    // the machine (Machine::burninFailed) until clearBurninFailure; a passing run does not
    // clear it: someone decides the machine is fine.
    Result<TestRunRecord> recordTestRun(
        const QString &machine, const QString &bootId, const TestReport &report, qint64 nowMs = 0);
    QList<TestRunRecord> testRuns(const QString &machine, int limit = 50) const; // newest first
    Status clearBurninFailure(const QString &machine);

    // Images
    Result<ImageRecord> addImage(const ImageRecord &image);
    QList<ImageRecord> images() const;
    std::optional<ImageRecord> imageByTag(const QString &tag) const;
    Status removeImage(const QString &tag);

    // ISOs (catalogisos.cpp), bootable as the target iso:NAME. A name never moves to other
    // bytes while it exists; removing one that an assignment or a machine uses is refused.
    Result<IsoRecord> addIso(const IsoRecord &iso);
    QList<IsoRecord> isos() const;
    std::optional<IsoRecord> isoByName(const QString &name) const;
    Status removeIso(const QString &name);

    // Assignments: append-only; the newest row for a target is its current assignment.
    Result<Assignment> assign(
        TargetKind kind, const QString &target, const QString &image, const QString &who, const QString &why);
    Status removeAssignment(qint64 id); // undo of an assignment no machine has booted yet
    QList<Assignment> history(TargetKind kind, const QString &target) const;
    std::optional<Assignment> currentAssignment(TargetKind kind, const QString &target) const;
    // The assignment that decides what `machine` boots: its own, else its group's, else the
    // default one.
    std::optional<Assignment> effectiveAssignment(const Machine &machine) const;
    // The same for each of `machines`, in their order, from one query: the fleet table and
    // the image list ask for every machine at once, and three queries a machine took 0.5 s
    // at 10,000 machines.
    QList<std::optional<Assignment>> effectiveAssignments(const QList<Machine> &machines) const;
    // Every image tag some current assignment, last-known-good or current image refers to.
    QStringList imagesInUse() const;
    // Who keeps `tag` in use, in words: "machine pc-01", "group demo", "default image",
    // "last-known-good of pc-02". Empty when nothing does.
    QStringList usersOfImage(const QString &tag) const;
    // How many machines resolve to each image tag right now.
    QMap<QString, int> machinesPerImage() const;

    // Configuration of a machine or a group (core/catalog/catalogconfig.cpp). A write names
    // the revision it was based on (0: the target has none yet) and fails, naming who changed
    // it and when, if someone else wrote in between.
    std::optional<ConfigRecord> config(TargetKind kind, const QString &target) const;
    Result<ConfigRecord> setConfig(
        TargetKind kind, const QString &target, const QString &body, qint64 baseRevision, const QString &who);
    Status removeConfig(TargetKind kind, const QString &target, qint64 baseRevision);
    QList<ConfigRecord> configs() const;
    // What applies to `machine`, in merge order: its group's configuration, then its own.
    QList<ConfigRecord> configsFor(const Machine &machine) const;

    // Boot events
    Result<BootEvent> addEvent(const BootEvent &event);
    QList<BootEvent> events(const EventFilter &filter) const;
    // Retention (catalogretention.cpp): deletes events beyond the newest `keepCount` and
    // events older than `olderThanMs` (ms since the epoch; 0: no age bound), oldest first, in
    // batches of `batch` rows, at most `maxBatches` of them. Returns the rows deleted; fewer
    // than maxBatches × batch means nothing is left to prune.
    Result<qint64> pruneEvents(qint64 keepCount, qint64 olderThanMs, int batch = 5000, int maxBatches = 40);

    // Settings shared by every admin of this catalog
    QString setting(const QString &key, const QString &fallback = {}) const;
    Status setSetting(const QString &key, const QString &value);

    // The connection for the calling thread (opened on first use).
    QSqlDatabase database() const;

    // For the boot server (core/boot). Boot assessment: a boot of `image` reached ready
    // (current and last-known-good image set, failure count cleared) or failed (one more
    // failed attempt, current image set).
    Status recordBootResult(const QString &name, const QString &image, bool ready);
    // The current assignment of every target, in one query (the boot server's index).
    QList<Assignment> currentAssignments() const;
    // Every setting whose key starts with `prefix`.
    QMap<QString, QString> settings(const QString &prefix) const;
    // Batches for the boot path, each one transaction, one prepared statement and one change
    // notification: boot events, and machines seen (name, state, phase, address of each).
    Status addEvents(const QList<BootEvent> &events);
    Status recordMachinesSeen(const QList<Machine> &seen);
    // Boot sessions (catalogboot.cpp): each issued boot, the newest per MAC, and a once-only
    // mark per resource ("config", "nocloud/user-data"): true when this call marked it,
    // false when it was already used (or no such boot), across every Drover on the catalog.
    Status addBootSessions(const QList<BootSessionRecord> &sessions);
    std::optional<BootSessionRecord> bootSession(const QString &bootId) const;
    std::optional<BootSessionRecord> newestBootSession(const QString &mac) const;
    Result<bool> useBootSession(const QString &bootId, const QString &resource);
    Status pruneBootSessions(qint64 olderThanMs);
    // The address DHCP saw a MAC use last.
    Status setBootBinding(const BootBindingRecord &binding);
    std::optional<BootBindingRecord> bootBinding(const QString &mac) const;

Q_SIGNALS:
    // Something changed: table is "machine", "image", "iso", "inventory", "tests", "assignment",
    // "boot_event", "setting", "config", or "*" when another instance changed something we cannot name.
    void changed(const QString &table);

private:
    explicit Catalog(QObject *parent);
    Status migrate();
    Status exec(const QString &sql, const QVariantList &args = {}) const;
    void notifyChange(const QString &table);
    void pollDataVersion();
    QMap<QString, QString> labelsOf(qint64 machineId) const;
    QList<Machine> selectMachines(const QString &where, const QVariantList &args) const;
    // Begins a transaction on `db` and finds `machine`'s id. On failure nothing is left open
    // and the error is `cannot` ("…'%1': %2") filled in, or "no machine named".
    Result<qint64> beginMachineWrite(QSqlDatabase &db, const QString &machine, const QString &cannot) const;
    // Clears a machine's mark (a time column: hardware_changed, burnin_failed).
    Status clearMachineMark(const QString &machine, const QString &column, const QString &cannot);

    QString m_url;
    QString m_connectionPrefix;
    bool m_postgres = false;
    QSqlDatabase m_template; // never opened: cloned per thread
    QTimer m_watch;
    qint64 m_dataVersion = -1;
};

} // namespace drover
