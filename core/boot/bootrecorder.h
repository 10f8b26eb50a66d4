// BootRecorder: writes what the boot path sees — boot events, machines seen booting, boot
// results — to the catalog on a thread of its own, batched every 100 ms into one transaction
// per kind, and posts each to the log bus at once. A boot storm of thousands of script
// requests a second thus costs a few commits a second, and no server thread ever waits on
// the database (SQLite with synchronous=FULL syncs on every commit).
#pragma once

#include "catalog/records.h"
#include "log/logbus.h"
#include "util/result.h"

#include <QList>
#include <QMutex>
#include <QObject>

class QThread;
class QTimer;

namespace drover {

class Catalog;

class BootRecorder final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BootRecorder)
public:
    BootRecorder(Catalog *catalog, LogBus *log, QObject *parent = nullptr);
    ~BootRecorder() override; // writes what is still queued

    // Thread-safe. The event goes to the catalog; `logText` (or the event's detail) to the
    // log bus, with `severity`.
    void event(const BootEvent &event, Severity severity, const QString &logText = {});
    void machineSeen(const QString &machine, MachineState state, const QString &phase, const QString &address = {});
    void bootResult(const QString &machine, const QString &image, bool ready);
    void machineAddress(const QString &machine, const QString &address); // the address only
    void machineFirmware(const QString &machine, const FirmwareFacts &facts); // Catalog::recordFirmware
    // The hardware a boot reported (Catalog::recordInventory); a change from the machine's
    // newest inventory becomes a warning event, phase "inventory", naming what changed.
    void machineInventory(
        const QString &machine, const QString &mac, const QString &bootId, const HardwareInventory &hardware);
    // A test suite's results (Catalog::recordTestRun): an event of phase "tests", info when
    // every test passed, an error naming the failed tests otherwise (the machine is marked).
    void machineTests(const QString &machine, const QString &mac, const QString &bootId, const TestReport &report);
    // A boot the server issued (table boot_session), written before any other kind in its
    // batch; sessions past their deadline by a day are pruned then.
    void bootSession(const BootSessionRecord &session);
    // The address DHCP saw a MAC use (Catalog::setBootBinding), for other Drovers on the
    // catalog and for this one after a restart; the server's own BootBindings has it at once.
    // Written here so that the DHCP thread does not wait on a synced commit per ACK (a boot
    // storm of 500 machines stalled DHCP and TFTP for seconds: tools/bench/storm.sh).
    void bootBinding(const BootBindingRecord &binding);
    // Writes everything queued so far before returning (tests, shutdown).
    void flush();

    // Boot event retention: every `intervalMs` (and once a minute after start) the recorder's
    // thread prunes boot_event to the settings events/max-count and events/max-age-days
    // (ResourceLimits), in batches between its writes. A run that leaves more to prune comes
    // back a second later.
    static constexpr int kDefaultPruneIntervalMs = 10 * 60 * 1000;
    void setPruneInterval(int intervalMs);
    // Prunes now, on the recorder's thread, and returns the rows deleted (tests).
    Result<qint64> pruneNow();

Q_SIGNALS:
    void written(int items);

private:
    struct Item {
        enum class Kind {
            Event,
            Seen,
            Result,
            Address,
            Session,
            Firmware,
            Inventory,
            Tests,
            Binding
        } kind
            = Kind::Event;
        BootEvent event;
        QString machine;
        MachineState state = MachineState::Unknown;
        QString phase;
        QString address;
        QString image;
        bool ready = false;
        BootSessionRecord session;
        FirmwareFacts firmware;
        HardwareInventory inventory;
        TestReport tests;
        BootBindingRecord binding;
    };
    void writeInventory(const Item &item, QStringList *failures); // on the recorder's thread
    void writeTests(const Item &item, QStringList *failures); // on the recorder's thread
    void enqueue(Item item);
    void writeQueued(); // on the recorder's thread
    Result<qint64> prune(); // on the recorder's thread

    Catalog *m_catalog;
    LogBus *m_log;
    QThread *m_thread;
    QObject *m_worker; // lives on m_thread
    QTimer *m_timer; // lives on m_thread
    QTimer *m_pruneTimer; // lives on m_thread
    QMutex m_mutex;
    QList<Item> m_queue;
    bool m_scheduled = false;
    qint64 m_prunedMs = 0; // when old boot sessions were last pruned (recorder thread)
};

} // namespace drover
