// The iPXE scripts Drover serves: the chain script every iPXE loads first (/boot.ipxe), the
// per-boot script that loads an image's kernel and initrd by digest, and the short scripts
// that tell a machine why nothing boots. Every value that comes from the catalog or a client
// is sanitized here, because iPXE has no quoting: a '$' expands settings, "||" chains
// commands, a newline starts a new command.
#pragma once

#include "catalog/boottarget.h"
#include "store/manifest.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace drover {

// The kernel arguments Drover sets itself; catalog values cannot override them.
inline constexpr const char *kReservedKernelArgs[]
    = { "initrd", "drover.server", "drover.manifest", "drover.mac", "drover.boot", "drover.token", "drover.peers" };

struct BootScriptInput {
    QString serverUrl; // http://host:port, where the machine reaches Drover
    QString mac; // aa:bb:cc:dd:ee:ff
    QString machine; // name, shown on the machine's console
    QString image; // name:version
    Digest manifest;
    BlobRef kernel;
    BlobRef initrd;
    QString imageArgs; // from the manifest
    QString groupArgs; // catalog setting kernelargs/group/<group>
    QString machineArgs; // catalog setting kernelargs/machine/<name>
    QString bootId;
    QString token;
    QString note; // shown before the download, e.g. why the last-known-good image boots
    int delaySeconds = 0; // waited before the download (backoff after failed boots)
    bool peers = false; // the init asks the tracker for each layer and serves what it holds
    int attempts = 5; // downloads tried before asking the server again
    int retryDelaySeconds = 5;
};

struct RenderedScript {
    QByteArray text;
    QString kernelArgs; // the command line the kernel receives
    QStringList warnings; // what was dropped from catalog values, and why
};

// Splits `text` on whitespace and keeps the tokens that are safe on an iPXE command line
// and not reserved for Drover; each dropped token adds a line to *dropped.
QStringList sanitizeKernelArgs(const QString &text, const QString &origin, QStringList *dropped);

// Text for `echo` and comments: ASCII only (accents folded), no characters iPXE interprets.
QString sanitizeScriptText(const QString &text, int maxLength = 200);

// A server URL as the scripts accept it (http://host[:port], nothing else); empty if not.
QString sanitizeServerUrl(const QString &url);

// The kernel command line of a boot, for iPXE and GRUB alike: the catalog's arguments
// (image, group, machine; unsafe ones dropped with a line in *warnings each) and Drover's own.
QStringList bootKernelArgs(const BootScriptInput &input, QStringList *warnings);

RenderedScript renderBootScript(const BootScriptInput &input);

// /boot.ipxe: asks for this machine's script with its MAC, UUID, architecture and serial.
QByteArray renderChainScript(const QString &serverUrl);

// Nothing boots now (no image assigned, image missing, machine waiting for an admin): says
// why on the console, waits, then asks the server again.
QByteArray renderWaitScript(const QString &serverUrl, const QString &message, int retrySeconds = 30);

// A boot target (catalog/boottarget.h) rather than an image. local-disk: BIOS boots the first
// hard disk (sanboot --drive 0x80), and where that fails or on UEFI iPXE exits with an error,
// so the firmware goes on to its next boot device. memtest: memtest86+ from this server, the
// .bin as a kernel on BIOS, the .efi on UEFI, its output on the console and the first serial
// port; if it cannot load, the script says so and asks the server again later. iso: iPXE
// sanboots the ISO's blob (`isoDigest`, sha256:<hex>) from this server as a CD-ROM.
QByteArray renderTargetScript(
    const QString &serverUrl, const QString &machine, const BootTarget &target, const QString &isoDigest = {});

// The menu target: iPXE's menu of `entries` (keys and labels from bootMenuEntries), the first
// chosen after `timeoutSeconds`; the choice goes back to the server as ?choice=<key> with the
// chain script's other values, and the server decides again with it.
QByteArray renderMenuScript(
    const QString &serverUrl, const QString &machine, const QList<MenuEntry> &entries, int timeoutSeconds);

// Drover does not manage this machine: says so and leaves iPXE, so the firmware tries its
// next boot device.
QByteArray renderExitScript(const QString &message);

} // namespace drover
