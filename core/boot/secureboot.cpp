// Reading a PE/COFF header by hand: the kernel files come from images anyone may import, so
// every offset is checked against the bytes actually read before it is followed.
#include "boot/secureboot.h"

#include "catalog/boottarget.h"
#include "catalog/catalog.h"
#include "store/imagestore.h"

#include <QCoreApplication>
#include <QFile>
#include <QSet>
#include <QtEndian>

#include <algorithm>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(SecureBoot)
};

// The machines a refusal names: the first three, then how many more.
QString machinesText(const QStringList &machines)
{
    const int shown = 3;
    QString names = machines.mid(0, shown).join(QStringLiteral(", "));
    if (machines.size() > shown)
        names += Text::tr(" and %n more", nullptr, int(machines.size() - shown));
    return names;
}

template <typename T> std::optional<T> readAt(QByteArrayView bytes, qint64 offset)
{
    if (offset < 0 || offset + qint64(sizeof(T)) > bytes.size())
        return std::nullopt;
    return qFromLittleEndian<T>(bytes.data() + offset);
}

} // namespace

QString secureBootModeKey(SecureBootMode mode)
{
    switch (mode) {
    case SecureBootMode::On:
        return QStringLiteral("on");
    case SecureBootMode::Off:
        return QStringLiteral("off");
    case SecureBootMode::Auto:
        break;
    }
    return QStringLiteral("auto");
}

std::optional<SecureBootMode> secureBootModeFromKey(const QString &key)
{
    const QString k = key.trimmed().toLower();
    if (k == QLatin1String("auto"))
        return SecureBootMode::Auto;
    if (k == QLatin1String("on"))
        return SecureBootMode::On;
    if (k == QLatin1String("off"))
        return SecureBootMode::Off;
    return std::nullopt;
}

QString secureBootPrefix()
{
    return QStringLiteral("secureboot/");
}

QString secureBootMachineKey(const QString &machine)
{
    return secureBootPrefix() + QStringLiteral("machine/") + machine;
}

QString secureBootGroupKey(const QString &group)
{
    return secureBootPrefix() + QStringLiteral("group/") + group;
}

QString secureBootDefaultKey()
{
    return secureBootPrefix() + QStringLiteral("default");
}

SecureBootMode secureBootModeFor(const std::function<QString(const QString &)> &setting, const Machine &machine)
{
    QStringList keys { secureBootMachineKey(machine.name) };
    if (!machine.group().isEmpty())
        keys.append(secureBootGroupKey(machine.group()));
    keys.append(secureBootDefaultKey());
    for (const QString &key : keys) {
        const QString value = setting(key);
        if (value.isEmpty())
            continue;
        return secureBootModeFromKey(value).value_or(SecureBootMode::Auto);
    }
    return SecureBootMode::Auto;
}

bool SignedLoaders::installed() const
{
    return QFile::exists(shim) && QFile::exists(grub);
}

bool SignedLoaders::isRoutineProbe(QByteArrayView name)
{
    static const char *const exact[] = { "revocations_sku.efi", "revocations_sbat.efi", "mmx64.efi", "fbx64.efi" };
    for (const char *e : exact) {
        if (name == QByteArrayView(e))
            return true;
    }
    return (name.startsWith("shim_certificate") && name.endsWith(".efi"))
        || (name.startsWith("/grub/x86_64-efi/") && name.endsWith(".lst") && name.size() < 48);
}

QString kernelSignatureText(KernelSignature signature)
{
    switch (signature) {
    case KernelSignature::Signed:
        return Text::tr("signed (Authenticode)");
    case KernelSignature::Unsigned:
        return Text::tr("not signed");
    case KernelSignature::NotEfi:
        break;
    }
    return Text::tr("not an EFI image");
}

KernelSignature kernelSignature(QByteArrayView head, qint64 fileSize)
{
    if (head.size() < 0x40 || head[0] != 'M' || head[1] != 'Z')
        return KernelSignature::NotEfi;
    const auto peOffset = readAt<quint32>(head, 0x3c);
    if (!peOffset)
        return KernelSignature::NotEfi;
    const qint64 pe = *peOffset;
    const auto magic = readAt<quint32>(head, pe);
    if (!magic || *magic != 0x00004550U) // "PE\0\0"
        return KernelSignature::NotEfi;
    const qint64 optional = pe + 4 + 20; // after the signature and the COFF header
    const auto optionalSize = readAt<quint16>(head, pe + 4 + 16);
    const auto kind = readAt<quint16>(head, optional);
    if (!optionalSize || !kind)
        return KernelSignature::NotEfi;
    qint64 countAt = 0;
    if (*kind == 0x20b) // PE32+
        countAt = optional + 108;
    else if (*kind == 0x10b) // PE32
        countAt = optional + 92;
    else
        return KernelSignature::NotEfi;
    const auto directories = readAt<quint32>(head, countAt);
    if (!directories)
        return KernelSignature::NotEfi;
    constexpr quint32 kCertificateTable = 4;
    if (*directories <= kCertificateTable)
        return KernelSignature::Unsigned;
    const qint64 entry = countAt + 4 + qint64(kCertificateTable) * 8;
    if (entry + 8 > optional + *optionalSize)
        return KernelSignature::NotEfi;
    const auto offset = readAt<quint32>(head, entry);
    const auto size = readAt<quint32>(head, entry + 4);
    if (!offset || !size)
        return KernelSignature::NotEfi;
    // The table's "address" is a file offset; a signature must lie inside the file and hold
    // at least a WIN_CERTIFICATE header.
    if (*size < 8 || *offset == 0 || qint64(*offset) + qint64(*size) > fileSize)
        return KernelSignature::Unsigned;
    return KernelSignature::Signed;
}

Result<KernelSignature> kernelSignatureOfFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Result<KernelSignature>::failure(Text::tr("%1: %2").arg(path, file.errorString()));
    return kernelSignature(file.read(4096), file.size());
}

QString secureBootRefusal(
    const Catalog &catalog, const QString &storeDir, TargetKind kind, const QString &target, const QString &image)
{
    // One query for every secureboot/ setting: this runs on the GUI thread for each drop.
    const QMap<QString, QString> settings = catalog.settings(secureBootPrefix());
    if (std::none_of(settings.cbegin(), settings.cend(),
            [](const QString &v) { return secureBootModeFromKey(v) == SecureBootMode::On; }))
        return {};
    // Who the assignment reaches, by Catalog::effectiveAssignment's rule: a machine's own
    // assignment outranks its group's, which outranks the default.
    QSet<QString> ownMachines, ownGroups;
    for (const Assignment &a : catalog.currentAssignments()) {
        if (a.image.isEmpty())
            continue;
        if (a.kind == TargetKind::Machine)
            ownMachines.insert(a.target);
        else if (a.kind == TargetKind::Group)
            ownGroups.insert(a.target);
    }
    const auto setting = [&settings](const QString &key) { return settings.value(key); };
    QStringList strict;
    for (const Machine &m : catalog.machines()) {
        bool reached = false;
        switch (kind) {
        case TargetKind::Machine:
            reached = m.name == target;
            break;
        case TargetKind::Group:
            reached = m.group() == target && !ownMachines.contains(m.name);
            break;
        case TargetKind::Default:
            reached = !ownMachines.contains(m.name) && (m.group().isEmpty() || !ownGroups.contains(m.group()));
            break;
        }
        if (reached && secureBootModeFor(setting, m) == SecureBootMode::On)
            strict.append(m.name);
    }
    if (kind == TargetKind::Group && strict.isEmpty()
        && secureBootModeFromKey(settings.value(secureBootGroupKey(target))) == SecureBootMode::On)
        strict.append(Text::tr("group %1").arg(target));
    if (const auto bootTarget = BootTarget::fromStored(image);
        bootTarget && bootTarget->kind == BootTargetKind::Memtest && !strict.isEmpty()) {
        return Text::tr("memtest86+ is not signed, and Secure Boot is on for %1: the firmware would refuse to "
                        "start it. Set secure boot to off for these machines (drover secure-boot), and turn "
                        "Secure Boot off in their firmware while they run it.")
            .arg(machinesText(strict));
    }
    return unsignedKernelRefusal(storeDir, image, strict);
}

QString unsignedKernelRefusal(const QString &storeDir, const QString &image, const QStringList &machines)
{
    if (machines.isEmpty())
        return {};
    const ImageStore store(storeDir);
    const auto manifest = store.manifestForTag(image);
    if (!manifest)
        return {};
    const auto signature = kernelSignatureOfFile(store.blobs().blobPath(manifest.value().kernel.digest));
    if (!signature)
        return Text::tr("cannot check the kernel of %1 for a Secure Boot signature: %2").arg(image, signature.error());
    if (signature.value() == KernelSignature::Signed)
        return {};
    return Text::tr("the kernel of %1 is %2, and Secure Boot is on for %3: the firmware would refuse to start "
                    "it. Build the image with Debian's signed kernel (linux-image-amd64), or set secure boot "
                    "to off or auto for these machines (drover secure-boot).")
        .arg(image, kernelSignatureText(signature.value()), machinesText(machines));
}

} // namespace drover
