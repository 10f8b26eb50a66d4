// Secure Boot: which loader chain a UEFI machine is given, and whether an image's kernel can
// boot under it. A machine with Secure Boot on refuses Debian's unsigned ipxe.efi, so Drover
// gives UEFI machines the chain of binaries Debian signs (shim → GRUB → the image's kernel)
// unless the catalog says otherwise; that chain boots with Secure Boot off as well.
//
// Settings, most specific first: secureboot/machine/<name>, secureboot/group/<group>,
// secureboot/default; each "on", "off" or "auto" (the default):
//   on    the signed chain; images whose kernel is not signed cannot be assigned
//   off   iPXE (ipxe.efi), as for BIOS machines
//   auto  the signed chain when this server has it installed, else iPXE
#pragma once

#include "catalog/records.h"
#include "util/result.h"

#include <QByteArrayView>
#include <QString>

#include <functional>
#include <optional>

namespace drover {

class Catalog;

enum class SecureBootMode { Auto, On, Off };
QString secureBootModeKey(SecureBootMode mode); // "auto", "on", "off"
std::optional<SecureBootMode> secureBootModeFromKey(const QString &key);

// The setting keys, for the CLI and the UI.
QString secureBootPrefix(); // "secureboot/": every key below starts with it
QString secureBootMachineKey(const QString &machine);
QString secureBootGroupKey(const QString &group);
QString secureBootDefaultKey();

// The mode that applies to `machine`; `setting` reads a catalog setting (empty if unset).
// An unreadable value counts as auto (and is refused where it is written).
SecureBootMode secureBootModeFor(const std::function<QString(const QString &)> &setting, const Machine &machine);

// The signed binaries of Debian's shim-signed and grub-efi-amd64-signed packages, under the
// names shim looks for: the firmware loads shimx64.efi, shim loads grubx64.efi from the same
// place, and GRUB reads grub/grub.cfg from its TFTP server.
struct SignedLoaders {
    QString shim = QStringLiteral("/usr/lib/shim/shimx64.efi.signed");
    QString grub = QStringLiteral("/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed");

    bool installed() const;
    static constexpr const char *shimName = "shimx64.efi";
    static constexpr const char *grubName = "grubx64.efi";
    static constexpr const char *grubConfigName = "/grub/grub.cfg"; // GRUB asks with the slash
    // Names shim and GRUB look for on every boot that Drover does not serve (shim's
    // revocation and certificate updates, GRUB's module lists): answered "not found" like any
    // other, but logged as routine rather than as a refusal.
    static bool isRoutineProbe(QByteArrayView name);
};

// What a kernel file says about its signature. A Linux kernel with an EFI stub is a PE/COFF
// image; an Authenticode signature sits in the certificate table named by the optional
// header's fifth data directory, which is empty in an unsigned build.
enum class KernelSignature { Signed, Unsigned, NotEfi };
QString kernelSignatureText(KernelSignature signature); // for inspect and refusals

// From the first bytes of the file (4 KiB is plenty) and its full size. Never reads outside
// `head`: a truncated or malformed header is NotEfi.
KernelSignature kernelSignature(QByteArrayView head, qint64 fileSize);
Result<KernelSignature> kernelSignatureOfFile(const QString &path);

// Why `image` cannot boot on `machines` (their names, for the message) with Secure Boot on, or
// empty when its kernel is signed (or the image is unknown: the assignment says so itself).
QString unsignedKernelRefusal(const QString &storeDir, const QString &image, const QStringList &machines);

// Why `image` (name:version) cannot be assigned to the target, or empty when it can: a
// machine (or every machine of a group, or the default's machines) with Secure Boot "on"
// needs a signed kernel. `storeDir` is Lab::storeDir().
QString secureBootRefusal(
    const Catalog &catalog, const QString &storeDir, TargetKind kind, const QString &target, const QString &image);

} // namespace drover
