// What a booting client is told to load, decided from what it says about itself (option 93
// architecture, option 60 vendor class, option 77 user class). A pure function, so every
// row of the table is a test row.
#pragma once

#include <QString>

#include <optional>

namespace drover {

struct DhcpPacket;

// RFC 4578 / IANA processor architecture types Drover answers.
namespace ClientArch {
constexpr quint16 BiosX86 = 0;
constexpr quint16 EfiIa32 = 6;
constexpr quint16 EfiBc = 7; // x86-64 UEFI (EFI byte code, used by x86-64 firmware)
constexpr quint16 EfiX86_64 = 9;
constexpr quint16 EfiX86_64Http = 16;
} // namespace ClientArch

enum class BootTransport { Tftp, Http };

// What the client says about itself.
struct BootClient {
    std::optional<quint16> arch; // option 93; absent for old BIOS PXE ROMs
    QString vendorClass; // option 60
    bool ipxe = false; // option 77 holds "iPXE"

    static BootClient from(const DhcpPacket &packet);
};

struct BootFileSettings {
    QString httpBaseUrl; // http://10.0.0.1:8080, no trailing slash needed
    QString uefiBinary = QStringLiteral("ipxe.efi"); // or snponly.efi (uses the firmware's NIC driver)
    QString biosBinary = QStringLiteral("undionly.kpxe");
    QString signedUefiBinary = QStringLiteral("shimx64.efi"); // the Secure Boot chain's first stage
};

struct BootChoice {
    QString bootFile; // a TFTP file name, or an http:// URL
    BootTransport transport = BootTransport::Tftp;
    QString vendorClass; // option 60 to send back: "PXEClient" or "HTTPClient"
    QString platform; // "BIOS", "UEFI x86-64", "UEFI HTTP", "iPXE": for logs

    // "undionly.kpxe by TFTP", "http://…/boot.ipxe by HTTP"
    QString describe() const;
};

// The answer for `client`, or nothing when Drover has no boot file for it (not a PXE, HTTP
// Boot or iPXE client, or an architecture Drover has no binary for). `*reason` says why.
// `signedChain`: an x86-64 UEFI PXE or HTTP Boot client gets shim (→ GRUB → kernel, all
// signed) instead of iPXE, by TFTP or by HTTP (the boot decision's BootDecider::signedChain
// says which).
std::optional<BootChoice> chooseBootFile(
    const BootClient &client, const BootFileSettings &settings, QString *reason = nullptr, bool signedChain = false);

} // namespace drover
