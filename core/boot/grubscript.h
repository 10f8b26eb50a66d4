// The GRUB configurations Drover serves on the Secure Boot chain (shim → GRUB → kernel): the
// bootstrap GRUB reads by TFTP (grub/grub.cfg), which asks Drover's HTTP server for the
// machine's own configuration (/boot/<mac>.grub); and that configuration, rendered from the
// same boot decision, token and kernel arguments as the iPXE script. GRUB's script language
// has quoting, so every value Drover did not write itself is single-quoted after the same
// sanitizing as for iPXE (which leaves no quote to escape).
#pragma once

#include "boot/ipxescript.h"

#include <QByteArray>
#include <QString>

namespace drover {

// GRUB's name for the HTTP server of `serverUrl` (http://host[:port]): "(http,host:port)";
// empty when the URL is not one sanitizeServerUrl accepts, or names an IPv6 host.
QString grubHttpDevice(const QString &serverUrl);

// /grub/grub.cfg: sources /boot/<mac>.grub from the server GRUB came from
// ($net_default_server) on `httpPort`, in a loop: that configuration boots, or returns and
// is asked for again. `device` ("(http,host:port)"), when given, names the server instead:
// GRUB loaded by UEFI HTTP Boot holds "host:port" in $net_default_server already.
QByteArray renderGrubBootstrap(quint16 httpPort, const QString &device = {});

// The boot: the kernel (with bootKernelArgs) and initrd by digest, tried `attempts` times,
// then back to the bootstrap, which asks again.
RenderedScript renderGrubBootScript(const BootScriptInput &input);

// Nothing boots now: says why and waits; the bootstrap then asks again.
QByteArray renderGrubWaitScript(const QString &message, int retrySeconds = 30);

// A boot target on the Secure Boot chain. local-disk: the disk's removable-media loader
// (\EFI\BOOT\BOOTX64.EFI) on the first partition that has one, chained through shim's
// verification; with none, back to the firmware with an error, which tries its next boot
// option. memtest: memtest86+'s .efi from `device` — unsigned, so it starts only with Secure
// Boot off; otherwise the console says why and the bootstrap asks again. iso: the ISO's blob
// (`isoDigest`) as a loop device, running the /boot/grub/loopback.cfg live ISOs carry (with
// $iso_path set, as they expect); an ISO without one cannot start under GRUB, and the console
// says so.
QByteArray renderGrubTargetScript(
    const QString &device, const QString &machine, const BootTarget &target, const QString &isoDigest = {});

// The menu target on GRUB. A machine's configuration is sourced in the bootstrap's loop,
// where a menu never shows: the launcher opens the menu with configfile
// (/boot/<mac>.grub?show=menu), whose entries each source /boot/<mac>.grub?choice=<key>.
QByteArray renderGrubMenuLauncher(const QString &device, const QString &mac);
QByteArray renderGrubMenuScript(
    const QString &device, const QString &mac, const QList<MenuEntry> &entries, int timeoutSeconds);

// Not Drover's machine: says so and returns to the firmware, which tries its next boot option.
QByteArray renderGrubExitScript(const QString &message);

} // namespace drover
