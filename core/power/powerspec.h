// PowerSpec: how Drover switches one machine on and off, written as a URL and kept in the
// catalog per machine (setting power/machine/<name>) or per group (power/group/<group>):
//   wol://[BROADCAST[:PORT]]               Wake-on-LAN magic packet (on and wake only)
//   ipmi://USER@HOST[:PORT]                IPMI over LAN (lanplus) through ipmitool
//   redfish://USER@HOST[:PORT][/SYSTEM][?insecure=1]   Redfish over HTTPS
// (The BMC password is kept apart from the URL, sealed: see storePowerSpec. A URL may
// still carry USER:PASSWORD@ for parsing older settings; the CLI refuses one on argv.)
//   redfish+http://…                       the same over plain HTTP (a lab-internal BMC)
//   ssh://USER@HOST[:PORT][?identity=/PATH/KEY]   systemctl poweroff/reboot on the running OS
//   qmp:///PATH/TO/SOCKET                  a qemu virtual machine's QMP socket
// A machine with neither gets Wake-on-LAN to its own MAC on the local broadcast address.
#pragma once

#include "util/result.h"

#include <QString>

#include <optional>

namespace drover {

class Catalog;
struct Machine;

enum class PowerMethod { WakeOnLan, Ipmi, Redfish, Ssh, Qmp };
enum class PowerAction { On, Off, Cycle, Wake, Status };

QString powerActionKey(PowerAction action); // "on", "off", "cycle", "wake", "status"
std::optional<PowerAction> powerActionFromKey(const QString &key);

struct PowerSpec {
    PowerMethod method = PowerMethod::WakeOnLan;
    QString host; // BMC, machine (ssh) or broadcast address (wol)
    int port = 0; // 0: the method's default
    QString user;
    QString password;
    QString path; // Redfish system ("Systems/1" by default) or QMP socket path
    bool plainHttp = false; // redfish+http
    bool insecure = false; // Redfish: accept a self-signed certificate
    QString identity; // ssh: the private key file; empty: ssh's defaults

    static Result<PowerSpec> parse(const QString &url);
    // The URL again; with hidePassword the password shows as "***" (listings, logs).
    QString toUrl(bool hidePassword = true) const;
    QString methodName() const; // "Wake-on-LAN", "IPMI", …
    bool supports(PowerAction action) const;
};

// The spec for a machine: its own setting, else its group's, else Wake-on-LAN. A setting
// that does not parse is an error naming the setting. The password comes from its sealed
// setting (storePowerSpec); a password still in clear in an older setting's URL is used,
// and sealed and removed from the URL on the way (the catalog's key from Lab::open).
Result<PowerSpec> powerSpecFor(Catalog &catalog, const Machine &machine);
QString powerSettingKey(bool group, const QString &target);
// Where the sealed password of that setting lives ("secret/power/machine/NAME").
QString powerSecretKey(bool group, const QString &target);

// Stores a spec: the URL without its password in the power setting, the password sealed
// with the catalog's key (util/secretbox.h) in its own setting, never in clear. A spec with
// a password fails when the catalog has no key (it was not opened through a Lab).
Status storePowerSpec(Catalog &catalog, bool group, const QString &target, const PowerSpec &spec);
// Removes the setting and its password.
Status clearPowerSpec(Catalog &catalog, bool group, const QString &target);

} // namespace drover
