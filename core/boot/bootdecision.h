// BootDecider: THE place where Drover decides what a machine boots. Everything else in the
// boot path (HTTP handlers, DHCP answers, scripts) asks it and renders the answer.
//
// decide() runs these steps, in order, each a named function in bootdecision.cpp:
//   1. findMachine        by MAC, then by SMBIOS UUID
//   2. handleUnknown      catalog setting boot/unknown: ignore | register | boot
//   3. resolveImage       the machine's assignment, else its group's, else the default;
//                        a boot target (local disk, memtest, an ISO, menu) ends the
//                        decision here (an ISO once its blob is found in the store); a
//                        choice from the menu continues with the chosen entry
//   4. applyBootAssessment  after repeated failures (reported, or found by BootWatch: a
//                        restart before ready, a deadline missed), the last-known-good
//                        image instead; with none, the same image after a growing backoff
//   5. loadImage          the image's manifest from the store; every blob it names present
//   6. issueBoot          a per-boot id and token for the machine's init to report with
// The result names the image and its manifest, or says why nothing boots.
#pragma once

#include "boot/bootindex.h"
#include "boot/boottoken.h"
#include "boot/resourcelimits.h"
#include "catalog/boottarget.h"
#include "catalog/records.h"
#include "log/logbus.h"
#include "store/manifest.h"

#include <QHash>
#include <QHostAddress>
#include <QMutex>
#include <QString>

#include <deque>
#include <optional>

namespace drover {

class Catalog;

enum class UnknownPolicy { Ignore, Register, Boot };
QString unknownPolicyKey(UnknownPolicy policy); // "ignore", "register", "boot"
std::optional<UnknownPolicy> unknownPolicyFromKey(const QString &key);

// Boot assessment: this many failed boots in a row and the last-known-good image boots
// instead of the assigned one. A machine without one keeps trying its image, waiting
// longer before each try (30 s, 60 s, … up to 10 min) so a broken image does not keep a
// whole room downloading.
inline constexpr int kFallbackAfterFailures = 2;
inline constexpr int kFirstBackoffSeconds = 30;
inline constexpr int kMaxBackoffSeconds = 600;
int bootBackoffSeconds(int failedAttempts);
// The deadline of a boot in `group`: setting deadline/group/<group>, else boot/deadline, else
// kDefaultBootDeadlineSeconds.
int bootDeadlineSeconds(const BootSnapshot &snapshot, const QString &group);

struct BootRequest {
    QString mac; // any form normalizeMac accepts
    QString uuid; // SMBIOS UUID, may be empty
    QString arch; // iPXE's ${buildarch}: x86_64, i386, arm64 …
    QString serial; // SMBIOS serial, may be empty
    QHostAddress remote;
    int unrecordedFailures = 0; // failed boots BootWatch found that the catalog does not count yet
    QString choice {}; // the key of the entry the machine's boot menu chose ("image", "local-disk" …)
};

// A machine's boot menu: the image it would boot without the menu (the next assignment below
// the one that holds the menu: group, then default), the local disk, memtest unless its
// secure boot mode is on, and every ISO in the catalog. `menuLevel` is the kind of the assignment that holds the menu.
QList<MenuEntry> bootMenuEntries(const BootSnapshot &snapshot, const Machine &machine, TargetKind menuLevel);
inline constexpr int kDefaultMenuTimeoutSeconds = 10;

// What a blob is to the image that names it, for "kernel fetched by pc-01" events.
struct BlobRole {
    QString role; // "kernel", "initrd", "layer", "manifest"
    int layer = -1; // index for layers
    QString image; // name:version
};

struct BootDecision {
    enum class Outcome {
        Boot, // an image boots: image, manifest, bootId and token are set
        Target, // a boot target instead of an image: target is set, image holds its stored form
        Wait, // a machine Drover manages but nothing boots now: reason says why
        Ignore, // not a machine Drover manages (unknown, policy ignore)
    };
    Outcome outcome = Outcome::Wait;
    QString mac; // normalized
    std::optional<Machine> machine;
    bool registered = false; // this request added the machine to the catalog
    QString image; // name:version
    std::optional<BootTarget> target; // Target: where the machine goes instead
    QString isoDigest; // Target iso: the ISO's blob in the store, sha256:<hex>
    QList<MenuEntry> menu; // Target menu: its entries, the first boots after the timeout
    int menuTimeoutSeconds = 0;
    Digest manifestDigest;
    Manifest manifest;
    QString groupArgs; // kernel args from the catalog for the machine's group
    QString machineArgs; // … and for the machine itself
    QString bootId;
    QString token;
    QString reason; // Wait/Ignore: why nothing boots; Boot: a note (e.g. last-known-good)
    int delaySeconds = 0; // Boot: wait this long before loading the image (backoff after failures)
    int deadlineSeconds = 0; // Boot: not ready within this long, the boot counts as failed (BootWatch)
    Severity severity = Severity::Info;

    bool boots() const { return outcome == Outcome::Boot; }
};

class BootDecider final {
    Q_DISABLE_COPY_MOVE(BootDecider)
public:
    // storeDir: Lab::storeDir(). The index may be shared with other users; it must outlive
    // the decider. Thread-safe: the HTTP server calls decide() from its own threads.
    BootDecider(Catalog *catalog, BootIndex *index, QString storeDir, QByteArray secret);

    BootDecision decide(const BootRequest &request);

    // Which loader a UEFI PXE client gets (asked when DHCP answers it): the Secure Boot chain
    // (shim → GRUB → kernel) when the machine's secure boot mode is on, or auto and this
    // server has the signed loaders (`loadersInstalled`); else iPXE. Unknown machines follow
    // secureboot/default.
    bool signedChain(const QString &mac, bool loadersInstalled) const;

    // Overrides the catalog's boot/unknown for this decider (drover --headless --unknown).
    void setUnknownPolicyOverride(std::optional<UnknownPolicy> policy);
    UnknownPolicy unknownPolicy(const BootSnapshot &snapshot) const;
    // The staging image new machines boot under "register", when set and in the catalog.
    QString newMachineImage(const BootSnapshot &snapshot) const;
    // At most this many machines registered per minute; the rest wait (a MAC flood must not
    // fill the fleet table).
    void setRegistrationLimit(int perMinute);

    const BootTokens &tokens() const { return m_tokens; }
    std::shared_ptr<const BootSnapshot> snapshot() const;
    // The role of a blob in any image this decider has loaded.
    std::optional<BlobRole> roleOf(const Digest &digest) const;
    // The manifest of a catalog image, by tag (cached; manifests never change).
    Result<Manifest> manifestFor(const ImageRecord &image) const;

private:
    std::optional<Machine> findMachine(const BootSnapshot &snapshot, const QString &mac, const QString &uuid) const;
    bool handleUnknown(const BootSnapshot &snapshot, const BootRequest &request, BootDecision &decision);
    bool resolveImage(const BootSnapshot &snapshot, BootDecision &decision, const QString &choice) const;
    void applyBootAssessment(const BootSnapshot &snapshot, BootDecision &decision, int unrecordedFailures) const;
    bool loadImage(const BootSnapshot &snapshot, BootDecision &decision) const;
    bool findIso(const BootSnapshot &snapshot, BootDecision &decision) const;
    void issueBoot(BootDecision &decision) const;
    bool allowRegistration(const BootSnapshot &snapshot);

    Catalog *m_catalog;
    BootIndex *m_index;
    QString m_storeDir;
    BootTokens m_tokens;
    mutable QMutex m_mutex;
    std::optional<UnknownPolicy> m_policyOverride;
    int m_registrationsPerMinute = ResourceLimits().registerPerMinute; // unless boot/register-per-minute says
    std::deque<qint64> m_registrations; // times (ms) of recent registrations
    mutable QHash<QString, Manifest> m_manifests; // manifest digest → manifest
    mutable QHash<QString, BlobRole> m_roles; // blob digest → role
    mutable QHash<QString, qint64> m_blobsChecked; // blob digest → when it was last seen whole
    mutable QHash<QString, qint64> m_misses; // "mac/uuid" → when the catalog last did not know it
    mutable const BootSnapshot *m_missesOf = nullptr; // the snapshot m_misses goes with
};

} // namespace drover
