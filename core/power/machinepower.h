// powerMachine: one power action on one catalog machine, as the CLI and the fleet table do
// it: the machine's (or its group's) PowerSpec, the action, and a boot event (phase "power")
// saying who did what and how it went, so the log and the machine's history show it.
#pragma once

#include "power/powercontrol.h"

#include <functional>

class QObject;

namespace drover {

class Catalog;
struct Machine;

Result<PowerOutcome> powerMachine(
    Catalog &catalog, const Machine &machine, PowerAction action, const QString &who, int timeoutMs = 20000);

// The same without blocking: the spec is resolved and the event recorded on the calling
// thread (the catalog's), the call to the machine runs on a worker; `done` runs on
// `context`'s thread afterwards. Returns false (done not called) if the spec is invalid,
// with the reason in *error.
using PowerDone = std::function<void(const Result<PowerOutcome> &outcome)>;
bool powerMachineAsync(Catalog *catalog, const Machine &machine, PowerAction action, const QString &who,
    QObject *context, PowerDone done, QString *error = nullptr);

// The event of an action already done (status asks are not recorded). For callers that run
// powerControl on a worker thread and keep the catalog on their own.
Status recordPowerEvent(Catalog &catalog, const Machine &machine, PowerAction action, const QString &who,
    const Result<PowerOutcome> &outcome);

} // namespace drover
