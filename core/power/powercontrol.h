// powerControl: switches a machine on, off, cycles it, wakes it or asks its state, by the
// method its PowerSpec names. Blocking, with a timeout: call it off the GUI thread
// (PowerTask in ui/, a worker in the CLI). Each method is a real peer: a magic packet on the
// wire, ipmitool, a Redfish BMC over HTTP(S), ssh to the running OS, qemu's QMP socket.
#pragma once

#include "power/powerspec.h"
#include "util/result.h"

#include <QByteArray>
#include <QString>

namespace drover {

struct PowerOutcome {
    QString state; // status: "on", "off", "paused" …; other actions: empty. A method that cannot
                   // tell (ssh to a machine that does not answer) fails instead of guessing.
    QString detail; // what was done, for the log ("IPMI 10.0.0.50: chassis power cycle")
};

// mac: the machine's MAC (Wake-on-LAN); timeoutMs bounds the whole call.
Result<PowerOutcome> powerControl(const PowerSpec &spec, PowerAction action, const QString &mac, int timeoutMs = 20000);

// The Wake-on-LAN magic packet for a MAC (six 0xff, then the MAC sixteen times); empty when
// the MAC does not parse.
QByteArray wakeOnLanPacket(const QString &mac);

} // namespace drover
