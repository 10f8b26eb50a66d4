// BootWatch: the clock of boot assessment. It follows each boot the server issued, from its
// script to the init's ready or failed report, and notices the failures nobody reports: a
// machine that asks for a new boot after the last one got past its script but never
// reached ready (it crashed, hung and was reset, lost power), and a boot that does not
// reach ready within its deadline (the ready unit failed, the image hangs). The boot routes
// record what it finds as failed boots, which is what moves a machine to its
// last-known-good image (BootDecider, step 4). In memory only: after a restart of Drover
// the boots in flight are forgotten, and at worst one failure goes uncounted.
#pragma once

#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>

#include <optional>

namespace drover {

// Deadlines: the catalog setting boot/deadline (seconds) for all machines, overridden per
// group by deadline/group/<group>.
inline constexpr int kDefaultBootDeadlineSeconds = 600;

class BootWatch final {
    Q_DISABLE_COPY_MOVE(BootWatch)
public:
    BootWatch() = default;
    ~BootWatch() = default;

    struct Failure {
        QString machine;
        QString image;
        QString bootId;
        QString phase; // the last phase the boot reached
        QString reason;
    };

    // The machine with this MAC asks for a new boot. When its previous boot got past the
    // script (it fetched its kernel at least) and never finished, that boot failed:
    // returned, and forgotten. Called before the decision, so the failure already counts.
    std::optional<Failure> restarted(const QString &mac, qint64 nowMs);
    // The boot the decision issued.
    void started(const QString &mac, const QString &machine, const QString &bootId, const QString &image, qint64 nowMs,
        int deadlineSeconds);
    // The boot fetched something or reported a phase on its way (kernel, layer, mounted …).
    void progressed(const QString &bootId, const QString &phase);
    // The init reported ready or failed: the boot is assessed by that report.
    void finished(const QString &bootId);
    // Boots past their deadline, forgotten from here on.
    QList<Failure> expire(qint64 nowMs);
    int inFlight() const;

private:
    struct Boot {
        QString mac;
        QString machine;
        QString image;
        QString phase;
        qint64 startedMs = 0;
        qint64 deadlineMs = 0;
    };
    mutable QMutex m_mutex;
    QHash<QString, Boot> m_boots; // boot id → boot
    QHash<QString, QString> m_bootOf; // MAC → its boot in flight
};

} // namespace drover
