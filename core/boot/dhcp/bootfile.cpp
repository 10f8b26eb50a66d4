// The order of the checks matters: iPXE also calls itself PXEClient (and, built for HTTP,
// may carry an HTTP architecture), so the user class is looked at first; a chainloaded iPXE
// must get the script, or it would load itself again forever.
#include "boot/dhcp/bootfile.h"

#include "boot/dhcp/dhcppacket.h"

#include <QCoreApplication>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(BootFile)
};

QString joinUrl(const QString &base, const QString &path)
{
    QString b = base;
    while (b.endsWith(QLatin1Char('/')))
        b.chop(1);
    return b + path;
}

} // namespace

BootClient BootClient::from(const DhcpPacket &packet)
{
    return BootClient { packet.clientArch(), packet.vendorClass(), packet.isIpxe() };
}

QString BootChoice::describe() const
{
    return transport == BootTransport::Tftp ? Text::tr("%1 by TFTP").arg(bootFile)
                                            : Text::tr("%1 by HTTP").arg(bootFile);
}

std::optional<BootChoice> chooseBootFile(
    const BootClient &client, const BootFileSettings &settings, QString *reason, bool signedChain)
{
    auto refuse = [reason](const QString &why) -> std::optional<BootChoice> {
        if (reason)
            *reason = why;
        return std::nullopt;
    };
    const bool pxe = client.vendorClass.startsWith(QLatin1String("PXEClient"));
    const bool http = client.vendorClass.startsWith(QLatin1String("HTTPClient"));
    const QString echo = http ? QStringLiteral("HTTPClient") : QStringLiteral("PXEClient");

    if (client.ipxe) {
        if (settings.httpBaseUrl.isEmpty())
            return refuse(Text::tr("iPXE client, but no HTTP server URL is set"));
        return BootChoice { joinUrl(settings.httpBaseUrl, QStringLiteral("/boot.ipxe")), BootTransport::Http, echo,
            QStringLiteral("iPXE") };
    }
    if (http) {
        if (client.arch && *client.arch != ClientArch::EfiX86_64Http)
            return refuse(
                Text::tr("UEFI HTTP Boot client of architecture %1 (only x86-64 is served)").arg(*client.arch));
        if (settings.httpBaseUrl.isEmpty())
            return refuse(Text::tr("UEFI HTTP Boot client, but no HTTP server URL is set"));
        if (signedChain)
            return BootChoice { joinUrl(settings.httpBaseUrl, QLatin1Char('/') + settings.signedUefiBinary),
                BootTransport::Http, QStringLiteral("HTTPClient"), QStringLiteral("UEFI HTTP, signed chain") };
        return BootChoice { joinUrl(settings.httpBaseUrl, QStringLiteral("/ipxe.efi")), BootTransport::Http,
            QStringLiteral("HTTPClient"), QStringLiteral("UEFI HTTP") };
    }
    if (!pxe)
        return refuse(Text::tr("not a PXE client (vendor class '%1')").arg(client.vendorClass.left(64)));
    // PXE ROMs older than RFC 4578 send no architecture: they are BIOS ROMs.
    const quint16 arch = client.arch.value_or(ClientArch::BiosX86);
    switch (arch) {
    case ClientArch::BiosX86:
        return BootChoice { settings.biosBinary, BootTransport::Tftp, QStringLiteral("PXEClient"),
            QStringLiteral("BIOS") };
    case ClientArch::EfiBc:
    case ClientArch::EfiX86_64:
    case ClientArch::EfiX86_64Http:
        // (An HTTP-capable architecture that still announced itself as PXEClient: TFTP works.)
        if (signedChain)
            return BootChoice { settings.signedUefiBinary, BootTransport::Tftp, QStringLiteral("PXEClient"),
                QStringLiteral("UEFI x86-64, signed chain") };
        return BootChoice { settings.uefiBinary, BootTransport::Tftp, QStringLiteral("PXEClient"),
            QStringLiteral("UEFI x86-64") };
    default:
        return refuse(Text::tr("PXE client of architecture %1 (Drover serves BIOS and x86-64 UEFI)").arg(arch));
    }
}

} // namespace drover
