// memtest86+, the memtest boot target: Debian's memtest86+ package installs it for BIOS (a
// .bin iPXE loads like a Linux kernel) and for UEFI (a .efi both iPXE and GRUB chain to). It is
// not signed, so a machine with Secure Boot on cannot run it.
#pragma once

#include <QString>

namespace drover {

// Where memtest86+ lives once Debian's memtest86+ package is installed, and the names the
// boot server serves it under (/loaders/<name>).
struct MemtestFiles {
    QString bios = QStringLiteral("/boot/memtest86+x64.bin");
    QString efi = QStringLiteral("/boot/memtest86+x64.efi");
    static constexpr const char *biosName = "memtest86+x64.bin";
    static constexpr const char *efiName = "memtest86+x64.efi";
    bool installed() const;
};

} // namespace drover
