// Plain values the catalog stores and returns: machines, images, assignments, boot events.
#pragma once

#include "inventory/hardwareinventory.h"
#include "inventory/testreport.h"

#include <QDateTime>
#include <QMap>
#include <QString>

namespace drover {

// A machine's state as the fleet table shows it.
enum class MachineState { Unknown, Booting, Ready, Failed, Offline };
QString machineStateKey(MachineState state); // "ready": stored, and in --json
MachineState machineStateFromKey(const QString &key); // unknown keys map to Unknown

// What a machine's firmware is and how it last booted, as its DHCP packets (architecture, PXE
// or HTTP Boot, iPXE) and its init (UEFI or BIOS, Secure Boot) said. Self-reported: shown to
// the admin, never used to decide a boot. Empty fields are not known yet.
struct FirmwareFacts {
    QString firmware; // "bios", "uefi"
    QString arch; // "x86", "x86-64", "arm32", "arm64"
    QString secureBoot; // "on", "off"
    QString protocol; // how the firmware fetched its first program: "pxe", "http", "ipxe"
    QString loader; // what it was chained to: "ipxe", "grub" (shim → GRUB)

    bool isEmpty() const
    {
        return firmware.isEmpty() && arch.isEmpty() && secureBoot.isEmpty() && protocol.isEmpty() && loader.isEmpty();
    }
    bool operator==(const FirmwareFacts &) const = default;
};

struct Machine {
    qint64 id = 0;
    QString name;
    QString mac; // lower case, colon separated
    QString uuid;
    QString serial;
    QString vendor;
    MachineState state = MachineState::Unknown;
    QString phase; // last boot phase seen, while booting or failed
    QString address; // last IPv4 address seen
    QDateTime lastSeen;
    QString currentImage; // name:version it booted last
    QString lastGoodImage; // name:version that last reached ready
    int failedAttempts = 0;
    bool isNew = false; // registered automatically, not yet looked at by an admin
    QMap<QString, QString> labels;
    FirmwareFacts firmware;
    // When its hardware last changed between boots (a swapped disk, less memory), until an
    // admin acknowledges it; invalid: no unacknowledged change.
    QDateTime hardwareChanged {};
    // When its burn-in (or another test suite) last failed, until someone clears it; a
    // machine marked so gets no rollout. Invalid: not marked.
    QDateTime burninFailed {};
    qint64 revision = 0; // bumped by every write; guards against lost updates

    QString group() const { return labels.value(QStringLiteral("group")); }
};

struct ImageRecord {
    qint64 id = 0;
    QString name;
    QString version;
    QString manifestDigest; // sha256:<hex>
    qint64 size = 0; // bytes of all blobs the manifest names
    QDateTime created;
    QString recipe; // the recipe JSON it was built from, when built here
    QString notes;

    QString tag() const { return name + QLatin1Char(':') + version; }
};

// An ISO image in the store, bootable as the target iso:NAME (boottarget.h). Its bytes are one
// blob in the store, so it is content-addressed like an image's layers and served the same way.
struct IsoRecord {
    QString name; // [A-Za-z0-9][A-Za-z0-9._-]*, at most 64 characters (isoNameError)
    QString digest; // sha256:<hex>
    qint64 size = 0;
    QDateTime added {};
    QString addedBy {};
    QString notes {}; // the file it was added from
};
// Why `name` cannot name an ISO, or empty: it goes into boot scripts and menus.
QString isoNameError(const QString &name);

// A machine's hardware as one or more boots reported it (the catalog's machine_inventory): a
// new record when the hardware differs from the newest one, else the newest one seen again.
struct InventoryRecord {
    qint64 id = 0;
    QString machine {};
    QString bootId {}; // the boot that first reported this hardware
    QDateTime firstSeen {};
    QDateTime lastSeen {};
    HardwareInventory hardware {};
    QStringList changes {}; // from the record before it, in words; empty for the first
};

// One run of a machine's test suite, as one boot reported it (the catalog's machine_test_run).
struct TestRunRecord {
    qint64 id = 0;
    QString machine {};
    QString bootId {};
    QDateTime at {};
    QString suite {};
    bool passed = false;
    QList<TestResult> tests {};
};

enum class TargetKind { Machine, Group, Default };
QString targetKindKey(TargetKind kind);

struct Assignment {
    qint64 id = 0;
    TargetKind kind = TargetKind::Machine;
    QString target; // machine name, group name, or empty for the default
    QString image; // name:version
    QString who;
    QDateTime when;
    QString why;
};

struct BootEvent {
    qint64 id = 0;
    QDateTime time;
    QString machine; // name when known
    QString mac;
    QString bootId;
    QString phase; // dhcp, tftp, script, kernel, initrd, layer, fetched, verified, …, ready, failed
    QString image;
    QString severity; // info, warning, error
    QString detail;
};

// A boot the server issued (table boot_session): what the machine at `address` was given.
// Reports and configuration requests are checked against it (core/boot/http/bootroutes).
struct BootSessionRecord {
    QString bootId;
    QString machine;
    QString mac;
    QString address;
    QString manifest; // sha256:<hex>
    QString image; // name:version
    qint64 issuedMs = 0;
    qint64 deadlineMs = 0;
    QString used; // ",config,nocloud/user-data…": what this boot has already fetched once
};

// The address the DHCP server saw a MAC use (table boot_binding).
struct BootBindingRecord {
    QString mac;
    QString address;
    QString source; // "dhcp", "proxy", "vm"
    qint64 seenMs = 0;
};

// A machine's or a group's configuration (core/machineconfig), stored as JSON text. The
// catalog keeps it as text and checks revisions; what it means is machineconfig's business.
struct ConfigRecord {
    TargetKind kind = TargetKind::Machine; // Machine or Group
    QString target; // machine name or group name
    QString body; // JSON
    qint64 revision = 0; // 0: not stored yet; bumped by every write
    QString updatedBy;
    QDateTime updatedAt;
};

struct EventFilter {
    QString machine;
    QString phase;
    qint64 afterId = 0;
    int limit = 1000;
};

} // namespace drover
