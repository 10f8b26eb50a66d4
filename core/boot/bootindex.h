// BootIndex: the part of the catalog the boot path reads — machines by MAC and UUID, current
// assignments, images, boot settings — held in memory as an immutable snapshot, so a script
// request costs hash lookups instead of SQL queries. The snapshot is rebuilt on a thread of
// the index's own when the catalog changes (at most every few hundred milliseconds under a storm of
// changes) and swapped in whole; readers on any thread keep the one they hold.
#pragma once

#include "catalog/catalog.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QObject>
#include <QTimer>

class QThread;

#include <memory>
#include <optional>

namespace drover {

struct BootSnapshot {
    QList<Machine> machines;
    QHash<QString, qsizetype> byMac; // lower-case aa:bb:… → index into machines
    QHash<QString, qsizetype> byUuid; // lower-case
    QHash<QString, Assignment> machineAssignments; // machine name → current assignment
    QHash<QString, Assignment> groupAssignments; // group → current assignment
    std::optional<Assignment> defaultAssignment;
    QHash<QString, ImageRecord> images; // name:version
    QList<IsoRecord> isos; // by name
    QMap<QString, QString> settings; // keys under boot/, kernelargs/, deadline/, secureboot/, vm/

    const Machine *machineByMac(const QString &mac) const;
    const Machine *machineByUuid(const QString &uuid) const;
    // The same rule as Catalog::effectiveAssignment: the machine's own, else its group's,
    // else the default.
    std::optional<Assignment> effectiveAssignment(const Machine &machine) const;
    std::optional<ImageRecord> imageByTag(const QString &tag) const;
    QString setting(const QString &key, const QString &fallback = {}) const;

    static Result<std::shared_ptr<const BootSnapshot>> load(const Catalog &catalog);
};

class BootIndex final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BootIndex)
public:
    explicit BootIndex(Catalog *catalog, QObject *parent = nullptr);
    ~BootIndex() override;

    // Thread-safe. The first call loads synchronously; later ones return the newest snapshot.
    std::shared_ptr<const BootSnapshot> snapshot();
    // Reloads now, on the calling thread (tests; after the boot path registered a machine).
    Status refresh();
    // Thread-safe: a reload will follow soon, on the index's thread.
    void invalidate();

Q_SIGNALS:
    // Emitted on the index's thread after each reload.
    void reloaded(int machines, qint64 milliseconds);

private:
    // On m_thread: change notices, the delay timer and the reloads themselves all live
    // there, so a busy GUI or headless main thread never holds a reload back.
    void scheduleReload(int minIntervalMs);
    void reload();

    Catalog *m_catalog;
    QThread *m_thread;
    QObject *m_loader; // lives on m_thread
    QTimer *m_delay; // child of m_loader
    QElapsedTimer m_sinceReload; // used on m_thread only
    QMutex m_mutex;
    std::shared_ptr<const BootSnapshot> m_snapshot;
};

} // namespace drover
