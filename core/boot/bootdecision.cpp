// The boot decision, step by step (see bootdecision.h for the order).
#include "boot/bootdecision.h"
#include "boot/bootwatch.h"

#include "boot/oui.h"
#include "boot/resourcelimits.h"
#include "boot/secureboot.h"
#include "catalog/catalog.h"
#include "store/imagestore.h"
#include "util/mac.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>
#include <QMutexLocker>

#include <algorithm>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(BootDecision)
};

// SMBIOS strings are free text from the firmware: keep them short and printable.
QString cleanFirmwareText(const QString &text)
{
    QString out;
    for (QChar c : text.left(64)) {
        if (c.isPrint())
            out.append(c);
    }
    return out.trimmed();
}

constexpr qint64 kBlobCheckIntervalMs = 2000;
constexpr qint64 kMissCacheMs = 3000;

QString blobPath(const QString &storeDir, const Digest &digest)
{
    return storeDir + QStringLiteral("/blobs/sha256/") + digest.hex();
}

} // namespace

QString unknownPolicyKey(UnknownPolicy policy)
{
    switch (policy) {
    case UnknownPolicy::Ignore:
        return QStringLiteral("ignore");
    case UnknownPolicy::Register:
        return QStringLiteral("register");
    case UnknownPolicy::Boot:
        return QStringLiteral("boot");
    }
    return {};
}

std::optional<UnknownPolicy> unknownPolicyFromKey(const QString &key)
{
    for (UnknownPolicy p : { UnknownPolicy::Ignore, UnknownPolicy::Register, UnknownPolicy::Boot }) {
        if (key == unknownPolicyKey(p))
            return p;
    }
    return std::nullopt;
}

BootDecider::BootDecider(Catalog *catalog, BootIndex *index, QString storeDir, QByteArray secret)
    : m_catalog(catalog)
    , m_index(index)
    , m_storeDir(std::move(storeDir))
    , m_tokens(std::move(secret))
{ }

std::shared_ptr<const BootSnapshot> BootDecider::snapshot() const
{
    return m_index->snapshot();
}

void BootDecider::setUnknownPolicyOverride(std::optional<UnknownPolicy> policy)
{
    QMutexLocker lock(&m_mutex);
    m_policyOverride = policy;
}

void BootDecider::setRegistrationLimit(int perMinute)
{
    QMutexLocker lock(&m_mutex);
    m_registrationsPerMinute = perMinute;
}

UnknownPolicy BootDecider::unknownPolicy(const BootSnapshot &snapshot) const
{
    {
        QMutexLocker lock(&m_mutex);
        if (m_policyOverride)
            return *m_policyOverride;
    }
    // Unknown machines are ignored unless an admin decided otherwise.
    return unknownPolicyFromKey(snapshot.setting(QStringLiteral("boot/unknown"))).value_or(UnknownPolicy::Ignore);
}

BootDecision BootDecider::decide(const BootRequest &request)
{
    BootDecision d;
    const auto mac = normalizeMac(request.mac);
    if (!mac) {
        d.outcome = BootDecision::Outcome::Ignore;
        d.reason = Text::tr("'%1' is not a MAC address").arg(request.mac.left(40));
        d.severity = Severity::Warning;
        return d;
    }
    d.mac = *mac;
    const std::shared_ptr<const BootSnapshot> snapshot = m_index->snapshot();

    d.machine = findMachine(*snapshot, d.mac, request.uuid);
    if (!d.machine && !handleUnknown(*snapshot, request, d))
        return d;
    if (!resolveImage(*snapshot, d, request.choice))
        return d;
    if (d.target) {
        if (d.target->kind == BootTargetKind::Iso && !findIso(*snapshot, d))
            return d;
        d.outcome = BootDecision::Outcome::Target;
        return d;
    }
    applyBootAssessment(*snapshot, d, request.unrecordedFailures);
    if (!loadImage(*snapshot, d))
        return d;
    issueBoot(d);
    return d;
}

// Step 1. The snapshot first; a miss is checked against the catalog itself, so a machine
// added a moment ago is never treated as unknown (and never registered twice).
std::optional<Machine> BootDecider::findMachine(
    const BootSnapshot &snapshot, const QString &mac, const QString &uuid) const
{
    if (const Machine *m = snapshot.machineByMac(mac))
        return *m;
    if (const Machine *m = snapshot.machineByUuid(uuid))
        return *m;
    // Each miss costs catalog queries; a machine that keeps asking (an unknown machine's
    // iPXE retrying) is looked up again only every few seconds.
    const QString key = mac + QLatin1Char('/') + uuid.toLower();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    {
        QMutexLocker lock(&m_mutex);
        // A new snapshot may know machines the catalog did not: forget the misses.
        if (m_missesOf != &snapshot) {
            m_misses.clear();
            m_missesOf = &snapshot;
        }
        if (now - m_misses.value(key, -kMissCacheMs) < kMissCacheMs)
            return std::nullopt;
    }
    auto found = m_catalog->machineByMac(mac);
    if (!found)
        found = m_catalog->machineByUuid(uuid.toLower());
    QMutexLocker lock(&m_mutex);
    if (found) {
        m_misses.remove(key);
    } else {
        if (m_misses.size() > 10'000)
            m_misses.clear();
        m_misses.insert(key, now);
    }
    return found;
}

// Step 2. Returns false when the decision is made (ignored, or registered and waiting).
bool BootDecider::handleUnknown(const BootSnapshot &snapshot, const BootRequest &request, BootDecision &d)
{
    const UnknownPolicy policy = unknownPolicy(snapshot);
    if (policy == UnknownPolicy::Ignore) {
        d.outcome = BootDecision::Outcome::Ignore;
        d.reason = Text::tr("unknown machine %1: not managed by Drover (unknown machines are ignored)").arg(d.mac);
        return false;
    }
    if (!allowRegistration(snapshot)) {
        d.outcome = BootDecision::Outcome::Wait;
        d.severity = Severity::Warning;
        d.reason = Text::tr("unknown machine %1: too many new machines at once, registering it later").arg(d.mac);
        return false;
    }
    Machine m;
    m.name = QStringLiteral("new-") + QString(d.mac).remove(QLatin1Char(':'));
    m.mac = d.mac;
    m.uuid = cleanFirmwareText(request.uuid).toLower();
    m.serial = cleanFirmwareText(request.serial);
    m.vendor = vendorForMac(d.mac);
    m.isNew = true;
    auto added = m_catalog->addMachine(m);
    if (!added) {
        // Another request (or another Drover) registered it first.
        if (auto existing = m_catalog->machineByMac(d.mac)) {
            d.machine = existing;
        } else {
            d.outcome = BootDecision::Outcome::Wait;
            d.severity = Severity::Error;
            d.reason = Text::tr("cannot register %1: %2").arg(d.mac, added.error());
            return false;
        }
    } else {
        d.machine = added.value();
        d.registered = true;
        m_index->invalidate();
    }
    {
        QMutexLocker lock(&m_mutex);
        m_misses.remove(d.mac + QLatin1Char('/') + m.uuid);
    }
    // Under "register" a new machine waits for an admin, unless the lab names a staging image
    // for new machines (resolveImage hands it out).
    if (policy == UnknownPolicy::Register && newMachineImage(snapshot).isEmpty()) {
        d.outcome = BootDecision::Outcome::Wait;
        d.reason = Text::tr("registered as %1; assign it an image in Drover").arg(d.machine->name);
        return false;
    }
    return true;
}

// The staging image new machines boot under "register" (kNewMachineImageSetting), when the
// catalog has it; empty otherwise.
QString BootDecider::newMachineImage(const BootSnapshot &snapshot) const
{
    const QString tag = snapshot.setting(kNewMachineImageSetting);
    return !tag.isEmpty() && snapshot.imageByTag(tag) ? tag : QString();
}

// Step 3. A machine registered under "register" waits for an admin: the default image is
// for machines someone has looked at (its "new" mark cleared) or put in a group.
QList<MenuEntry> bootMenuEntries(const BootSnapshot &snapshot, const Machine &machine, TargetKind menuLevel)
{
    QList<MenuEntry> entries;
    // The levels below the menu's, most specific first, as effectiveAssignment ranks them.
    QList<std::optional<Assignment>> below;
    if (menuLevel == TargetKind::Machine && !machine.group().isEmpty()) {
        if (auto group = snapshot.groupAssignments.constFind(machine.group());
            group != snapshot.groupAssignments.cend())
            below.append(*group);
    }
    if (menuLevel != TargetKind::Default)
        below.append(snapshot.defaultAssignment);
    for (const auto &a : std::as_const(below)) {
        if (a && !a->image.isEmpty() && !BootTarget::fromStored(a->image) && snapshot.imageByTag(a->image)) {
            entries.append(MenuEntry { QStringLiteral("image"), a->image, a->image });
            break;
        }
    }
    for (const BootTargetKind kind : { BootTargetKind::LocalDisk, BootTargetKind::Memtest }) {
        const BootTarget target { kind };
        if (kind == BootTargetKind::Memtest
            && secureBootModeFor([&snapshot](const QString &key) { return snapshot.setting(key); }, machine)
                == SecureBootMode::On)
            continue; // not signed: the firmware would refuse it
        entries.append(MenuEntry { target.key(), target.stored(), target.displayName() });
    }
    for (const IsoRecord &iso : snapshot.isos) {
        const BootTarget target = BootTarget::forIso(iso.name);
        entries.append(MenuEntry { target.key(), target.stored(), target.displayName() });
    }
    return entries;
}

bool BootDecider::resolveImage(const BootSnapshot &snapshot, BootDecision &d, const QString &choice) const
{
    const Machine &m = *d.machine;
    const auto assignment = snapshot.effectiveAssignment(m);
    // A new machine nobody has assigned anything to yet boots the staging image (its hardware
    // reported, its burn-in run) and then waits in the New list for a technician.
    if (m.isNew && (!assignment || assignment->kind == TargetKind::Default)
        && unknownPolicy(snapshot) == UnknownPolicy::Register) {
        if (const QString staging = newMachineImage(snapshot); !staging.isEmpty()) {
            d.image = staging;
            d.reason = Text::tr("%1 is new: it boots %2, the image for new machines, until it is assigned one")
                           .arg(m.name, staging);
            return true;
        }
    }
    if (!assignment) {
        d.outcome = BootDecision::Outcome::Wait;
        d.reason = m.group().isEmpty()
            ? Text::tr("no image is assigned to %1 and there is no default image").arg(m.name)
            : Text::tr("no image is assigned to %1, its group %2, or as the default").arg(m.name, m.group());
        return false;
    }
    if (m.isNew && assignment->kind == TargetKind::Default && !d.registered
        && unknownPolicy(snapshot) == UnknownPolicy::Register) {
        d.outcome = BootDecision::Outcome::Wait;
        d.reason = Text::tr("%1 is new and waits for an admin: assign it an image").arg(m.name);
        return false;
    }
    d.image = assignment->image;
    // Failures and the last-known-good image are about images: a target is handed over as is.
    d.target = BootTarget::fromStored(d.image);
    if (!d.target || d.target->kind != BootTargetKind::Menu)
        return true;
    const QList<MenuEntry> entries = bootMenuEntries(snapshot, m, assignment->kind);
    if (choice.isEmpty()) {
        d.menu = entries;
        bool ok = false;
        const int timeout = snapshot.setting(QStringLiteral("boot/menu-timeout")).toInt(&ok);
        d.menuTimeoutSeconds = ok ? qBound(1, timeout, 3600) : kDefaultMenuTimeoutSeconds;
        return true;
    }
    // Whoever sent the choice can only pick what the menu offers this machine anyway.
    const auto chosen
        = std::find_if(entries.cbegin(), entries.cend(), [&choice](const MenuEntry &e) { return e.key == choice; });
    if (chosen == entries.cend()) {
        d.outcome = BootDecision::Outcome::Wait;
        d.reason = Text::tr("%1's boot menu has no entry '%2'").arg(m.name, choice.left(40));
        d.severity = Severity::Warning;
        return false;
    }
    d.image = chosen->stored;
    d.target = BootTarget::fromStored(d.image);
    d.reason = Text::tr("chosen from the boot menu");
    return true;
}

// Step 3 for an ISO: the name must still be in the catalog and its bytes in this store.
bool BootDecider::findIso(const BootSnapshot &snapshot, BootDecision &d) const
{
    const QString &name = d.target->iso;
    const auto iso = std::find_if(
        snapshot.isos.cbegin(), snapshot.isos.cend(), [&name](const IsoRecord &r) { return r.name == name; });
    const auto digest = iso != snapshot.isos.cend() ? Digest::parse(iso->digest) : std::nullopt;
    if (!digest) {
        d.outcome = BootDecision::Outcome::Wait;
        d.reason = Text::tr("%1 is assigned the ISO %2, which is not in the catalog").arg(d.machine->name, name);
        d.severity = Severity::Error;
        return false;
    }
    if (!QFileInfo::exists(blobPath(m_storeDir, *digest))) {
        d.outcome = BootDecision::Outcome::Wait;
        d.reason = Text::tr("the ISO %1 (%2) is not in this server's store; add it here with drover iso add")
                       .arg(name, digest->toString().left(19));
        d.severity = Severity::Error;
        return false;
    }
    d.isoDigest = digest->toString();
    return true;
}

int bootBackoffSeconds(int failedAttempts)
{
    const int doublings = qBound(0, failedAttempts - kFallbackAfterFailures, 16);
    return int(qMin<qint64>(qint64(kFirstBackoffSeconds) << doublings, kMaxBackoffSeconds));
}

// Step 4. The systemd boot-assessment pattern: count failed boots, fall back to the last
// image that reached ready.
void BootDecider::applyBootAssessment(const BootSnapshot &snapshot, BootDecision &d, int unrecordedFailures) const
{
    const Machine &m = *d.machine;
    const int failedAttempts = m.failedAttempts + qMax(0, unrecordedFailures);
    if (failedAttempts < kFallbackAfterFailures)
        return;
    if (m.lastGoodImage.isEmpty() || m.lastGoodImage == d.image
        || (!snapshot.imageByTag(m.lastGoodImage) && !m_catalog->imageByTag(m.lastGoodImage))) {
        // Nothing better to boot: try again, later each time.
        d.delaySeconds = bootBackoffSeconds(failedAttempts);
        d.reason = Text::tr("%1 failed %n boot(s) in a row with no other image known to work; trying %2 again "
                            "in %3 s",
            nullptr, failedAttempts)
                       .arg(m.name, d.image)
                       .arg(d.delaySeconds);
        d.severity = Severity::Warning;
        return;
    }
    d.reason = Text::tr(
        "%1 failed %n boot(s) in a row; booting its last-known-good image %2 instead of %3", nullptr, failedAttempts)
                   .arg(m.name, m.lastGoodImage, d.image);
    d.severity = Severity::Warning;
    d.image = m.lastGoodImage;
}

// Step 5.
bool BootDecider::loadImage(const BootSnapshot &snapshot, BootDecision &d) const
{
    auto record = snapshot.imageByTag(d.image);
    if (!record)
        record = m_catalog->imageByTag(d.image); // published after the snapshot was taken
    auto fail = [&d](const QString &why) {
        d.outcome = BootDecision::Outcome::Wait;
        d.severity = Severity::Error;
        d.reason = why;
        return false;
    };
    if (!record)
        return fail(Text::tr("image %1 is assigned but not in the catalog").arg(d.image));
    auto manifest = manifestFor(*record);
    if (!manifest)
        return fail(Text::tr("image %1 cannot boot: %2").arg(d.image, manifest.error()));
    if (manifest->kernel.digest.isNull() || manifest->initrd.digest.isNull())
        return fail(Text::tr("image %1 cannot boot: its manifest names no kernel or no initrd").arg(d.image));
    // Blobs can vanish (garbage collection, a damaged disk): checked, but at most every few
    // seconds per blob, so a boot storm does not stat the same files thousands of times.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const BlobRef &blob : manifest->blobs()) {
        {
            QMutexLocker lock(&m_mutex);
            if (now - m_blobsChecked.value(blob.digest.hex(), 0) < kBlobCheckIntervalMs)
                continue;
        }
        const QFileInfo file(blobPath(m_storeDir, blob.digest));
        if (!file.isFile())
            return fail(Text::tr("image %1 cannot boot: blob %2 is missing from the store")
                    .arg(d.image, blob.digest.toString()));
        if (file.size() != blob.size)
            return fail(Text::tr("image %1 cannot boot: blob %2 has %3 bytes in the store, the manifest says %4")
                    .arg(d.image, blob.digest.toString())
                    .arg(file.size())
                    .arg(blob.size));
        QMutexLocker lock(&m_mutex);
        m_blobsChecked.insert(blob.digest.hex(), now);
    }
    d.manifestDigest = *Digest::parse(record->manifestDigest);
    d.manifest = manifest.value();
    if (!d.machine->group().isEmpty())
        d.groupArgs = snapshot.setting(QStringLiteral("kernelargs/group/") + d.machine->group());
    d.machineArgs = snapshot.setting(QStringLiteral("kernelargs/machine/") + d.machine->name);
    d.deadlineSeconds = bootDeadlineSeconds(snapshot, d.machine->group());
    return true;
}

bool BootDecider::signedChain(const QString &mac, bool loadersInstalled) const
{
    const auto snap = snapshot();
    if (!snap)
        return loadersInstalled;
    const Machine *known = snap->machineByMac(normalizeMac(mac).value_or(mac));
    const Machine machine = known ? *known : Machine {};
    switch (secureBootModeFor([&snap](const QString &key) { return snap->setting(key); }, machine)) {
    case SecureBootMode::On:
        return true;
    case SecureBootMode::Off:
        return false;
    case SecureBootMode::Auto:
        break;
    }
    return loadersInstalled;
}

int bootDeadlineSeconds(const BootSnapshot &snapshot, const QString &group)
{
    bool ok = false;
    int seconds = 0;
    if (!group.isEmpty())
        seconds = snapshot.setting(QStringLiteral("deadline/group/") + group).toInt(&ok);
    if (!ok || seconds <= 0)
        seconds = snapshot.setting(QStringLiteral("boot/deadline")).toInt(&ok);
    return ok && seconds > 0 ? seconds : kDefaultBootDeadlineSeconds;
}

// Step 6.
void BootDecider::issueBoot(BootDecision &d) const
{
    const BootTokens::Issued issued = m_tokens.issue(d.mac);
    d.bootId = issued.bootId;
    d.token = issued.token;
    d.outcome = BootDecision::Outcome::Boot;
}

bool BootDecider::allowRegistration(const BootSnapshot &snapshot)
{
    QMutexLocker lock(&m_mutex);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    while (!m_registrations.empty() && now - m_registrations.front() > 60'000)
        m_registrations.pop_front();
    // The catalog setting boot/register-per-minute (ResourceLimits), else setRegistrationLimit's.
    const int perMinute = ResourceLimits::parse(
        snapshot.setting(QStringLiteral("boot/register-per-minute")), m_registrationsPerMinute, 1, 100'000);
    if (int(m_registrations.size()) >= perMinute)
        return false;
    m_registrations.push_back(now);
    return true;
}

Result<Manifest> BootDecider::manifestFor(const ImageRecord &image) const
{
    const auto digest = Digest::parse(image.manifestDigest);
    if (!digest)
        return Result<Manifest>::failure(
            Text::tr("the catalog names no valid manifest digest for it ('%1')").arg(image.manifestDigest.left(80)));
    {
        QMutexLocker lock(&m_mutex);
        if (auto it = m_manifests.constFind(digest->hex()); it != m_manifests.cend())
            return *it;
    }
    // Manifests are immutable: read and verified once, kept for the decider's life.
    auto manifest = ImageStore(m_storeDir).manifest(*digest);
    if (!manifest)
        return manifest;
    QMutexLocker lock(&m_mutex);
    m_manifests.insert(digest->hex(), manifest.value());
    const QString tag = image.tag();
    m_roles.insert(digest->hex(), BlobRole { QStringLiteral("manifest"), -1, tag });
    m_roles.insert(manifest->kernel.digest.hex(), BlobRole { QStringLiteral("kernel"), -1, tag });
    m_roles.insert(manifest->initrd.digest.hex(), BlobRole { QStringLiteral("initrd"), -1, tag });
    for (int i = 0; i < manifest->layers.size(); ++i)
        m_roles.insert(manifest->layers.at(i).digest.hex(), BlobRole { QStringLiteral("layer"), i, tag });
    return manifest;
}

std::optional<BlobRole> BootDecider::roleOf(const Digest &digest) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_roles.constFind(digest.hex());
    return it == m_roles.cend() ? std::nullopt : std::optional<BlobRole>(*it);
}

} // namespace drover
