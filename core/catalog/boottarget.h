// Boot targets besides images: what an assignment can send a machine to. A target is stored
// where an image tag would be (assignment.image, machine.current_image) as "@<key>", which no
// image tag can be (image names start with a letter or digit), so history, rollback and undo
// treat targets and images alike.
//   local-disk  leave the network boot: BIOS boots the first disk, UEFI its next boot entry
//   memtest     memtest86+ from Debian's package, BIOS (.bin) or UEFI (.efi); not signed, so
//               not for machines with Secure Boot on
//   iso:NAME    an ISO from the catalog (drover iso add), read over HTTP from the store: iPXE
//               sanboots it (BIOS and UEFI; the ISO must boot from a CD), GRUB on the Secure
//               Boot chain loops it back and runs its /boot/grub/loopback.cfg (live ISOs)
//   menu        a menu on the machine's console: the image it would boot without the menu,
//               the local disk, memtest (not under Secure Boot), every ISO; after a timeout
//               (setting boot/menu-timeout, 10 s) the first entry boots
#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace drover {

enum class BootTargetKind { LocalDisk, Memtest, Menu, Iso };

struct BootTarget {
    BootTargetKind kind = BootTargetKind::LocalDisk;
    QString iso {}; // Iso: the ISO's name in the catalog

    static BootTarget forIso(const QString &name) { return BootTarget { BootTargetKind::Iso, name }; }

    QString key() const; // "local-disk", "memtest", "menu", "iso:NAME": the CLI's --target and the stored form's tail
    QString stored() const; // "@local-disk": what assignment.image holds
    QString displayName() const; // translated, for the fleet table and the log
    bool operator==(const BootTarget &) const = default;

    static std::optional<BootTarget> fromKey(const QString &key);
    // The target an assignment or current image names; nullopt for an image tag (or empty).
    static std::optional<BootTarget> fromStored(const QString &stored);
    static QStringList keys(); // the keys of the targets that are not ISOs
    static QString keysHelp(); // every key, "iso:NAME" for ISOs: for help texts and errors
};

// One entry of a machine's boot menu (BootDecider builds them: bootMenuEntries).
struct MenuEntry {
    QString key; // "image" or a target's key: what the machine sends back as its choice
    QString stored; // the image tag or the target's stored form
    QString label; // shown on the console
};

// An assignment's image column (or a current image) as the user reads it: the image tag, or the target's name.
QString describeAssigned(const QString &stored);

} // namespace drover
