#include "power/machinepower.h"

#include "catalog/catalog.h"

#include <QCoreApplication>
#include <QDateTime>

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

} // namespace drover
