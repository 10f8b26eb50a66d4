#include "power/machinepower.h"

#include "catalog/catalog.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFutureWatcher>
#include <QtConcurrentRun>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(MachinePower)
};

} // namespace

Status recordPowerEvent(Catalog &catalog, const Machine &machine, PowerAction action, const QString &who,
    const Result<PowerOutcome> &outcome)
{
    if (action == PowerAction::Status)
        return {};
    BootEvent e;
    e.time = QDateTime::currentDateTimeUtc();
    e.machine = machine.name;
    e.mac = machine.mac;
    e.phase = QStringLiteral("power");
    e.severity = outcome ? QStringLiteral("info") : QStringLiteral("warning");
    e.detail = Text::tr("%1 by %2: %3").arg(powerActionKey(action), who, outcome ? outcome->detail : outcome.error());
    return catalog.addEvents({ e });
}

Result<PowerOutcome> powerMachine(
    Catalog &catalog, const Machine &machine, PowerAction action, const QString &who, int timeoutMs)
{
    auto spec = powerSpecFor(catalog, machine);
    if (!spec)
        return Result<PowerOutcome>::failure(spec.error());
    auto outcome = powerControl(*spec, action, machine.mac, timeoutMs);
    if (Status s = recordPowerEvent(catalog, machine, action, who, outcome); !s && outcome)
        return Result<PowerOutcome>::failure(
            Text::tr("%1; but the event was not recorded: %2").arg(outcome->detail, s.error()));
    return outcome;
}

bool powerMachineAsync(Catalog *catalog, const Machine &machine, PowerAction action, const QString &who,
    QObject *context, PowerDone done, QString *error)
{
    auto spec = powerSpecFor(*catalog, machine);
    if (!spec) {
        if (error)
            *error = spec.error();
        return false;
    }
    auto *watcher = new QFutureWatcher<Result<PowerOutcome>>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, context,
        [watcher, catalog, machine, action, who, done = std::move(done)] {
            watcher->deleteLater();
            Result<PowerOutcome> r = watcher->result();
            if (Status s = recordPowerEvent(*catalog, machine, action, who, r); !s && r)
                r = Result<PowerOutcome>::failure(
                    Text::tr("%1; but the event was not recorded: %2").arg(r->detail, s.error()));
            if (done)
                done(r);
        });
    watcher->setFuture(
        QtConcurrent::run([s = *spec, action, mac = machine.mac] { return powerControl(s, action, mac); }));
    return true;
}

} // namespace drover
