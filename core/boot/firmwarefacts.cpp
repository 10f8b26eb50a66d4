#include "boot/firmwarefacts.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(FirmwareFacts)
};

// IANA processor architecture types (RFC 4578, RFC 5970 registry).
struct ArchRow {
    quint16 type;
    const char *firmware;
    const char *arch;
};
constexpr ArchRow kArchs[] = {
    { 0, "bios", "x86" },
    { 6, "uefi", "x86" },
    { 7, "uefi", "x86-64" },
    { 9, "uefi", "x86-64" },
    { 10, "uefi", "arm32" },
    { 11, "uefi", "arm64" },
    { 15, "uefi", "x86" },
    { 16, "uefi", "x86-64" },
    { 18, "uefi", "arm32" },
    { 19, "uefi", "arm64" },
};

} // namespace

FirmwareFacts firmwareFromDhcp(const BootClient &client, bool chained)
{
    FirmwareFacts facts;
    if (client.arch) {
        for (const ArchRow &row : kArchs) {
            if (row.type == *client.arch) {
                facts.firmware = QLatin1String(row.firmware);
                facts.arch = QLatin1String(row.arch);
            }
        }
    } else if (client.vendorClass.startsWith(QLatin1String("PXEClient"))) {
        // Only PXE ROMs older than RFC 4578 leave the architecture out: BIOS ones.
        facts.firmware = QStringLiteral("bios");
        facts.arch = QStringLiteral("x86");
    }
    if (client.ipxe) {
        facts.loader = QStringLiteral("ipxe");
        if (!chained)
            facts.protocol = QStringLiteral("ipxe");
    } else if (client.vendorClass.startsWith(QLatin1String("HTTPClient"))) {
        facts.protocol = QStringLiteral("http");
    } else if (client.vendorClass.startsWith(QLatin1String("PXEClient"))) {
        facts.protocol = QStringLiteral("pxe");
    }
    return facts;
}

std::optional<FirmwareFacts> firmwareFromReport(const QString &detail)
{
    static const QRegularExpression re(
        QStringLiteral("(?:^|; )firmware (BIOS|UEFI)(?:, Secure Boot (on|off|unknown))?(?:,|$)"));
    const QRegularExpressionMatch m = re.match(detail);
    if (!m.hasMatch())
        return std::nullopt;
    FirmwareFacts facts;
    facts.firmware = m.captured(1).toLower();
    const QString sb = m.captured(2);
    if (facts.firmware == QLatin1String("bios"))
        facts.secureBoot = QStringLiteral("off"); // BIOS has none
    else if (sb == QLatin1String("on") || sb == QLatin1String("off"))
        facts.secureBoot = sb;
    return facts;
}

QString describeFirmware(const FirmwareFacts &facts)
{
    QString firmware = facts.firmware == QLatin1String("uefi") ? QStringLiteral("UEFI")
        : facts.firmware == QLatin1String("bios")              ? QStringLiteral("BIOS")
                                                               : QString();
    if (facts.arch.isEmpty())
        return firmware;
    return firmware.isEmpty() ? facts.arch : firmware + QLatin1Char(' ') + facts.arch;
}

QString describeBootPath(const FirmwareFacts &facts)
{
    QStringList steps;
    if (facts.protocol == QLatin1String("pxe"))
        steps.append(QStringLiteral("PXE"));
    else if (facts.protocol == QLatin1String("http"))
        steps.append(Text::tr("HTTP Boot"));
    else if (facts.protocol == QLatin1String("ipxe"))
        steps.append(QStringLiteral("iPXE"));
    if (facts.loader == QLatin1String("grub"))
        steps.append({ QStringLiteral("shim"), QStringLiteral("GRUB") });
    else if (facts.loader == QLatin1String("ipxe") && facts.protocol != QLatin1String("ipxe"))
        steps.append(QStringLiteral("iPXE"));
    return steps.join(QStringLiteral(" → "));
}

QString describeSecureBoot(const FirmwareFacts &facts)
{
    if (facts.secureBoot == QLatin1String("on"))
        return Text::tr("Secure Boot on");
    if (facts.secureBoot == QLatin1String("off"))
        return facts.firmware == QLatin1String("bios") ? QString() : Text::tr("Secure Boot off");
    return {};
}

QString describeFirmwareFacts(const FirmwareFacts &facts)
{
    QStringList parts { describeFirmware(facts), describeSecureBoot(facts), describeBootPath(facts) };
    parts.removeAll(QString());
    return parts.join(QStringLiteral(", "));
}

bool firmwareFactsChange(const FirmwareFacts &stored, const FirmwareFacts &seen)
{
    auto differs = [](const QString &old, const QString &now) { return !now.isEmpty() && now != old; };
    return differs(stored.firmware, seen.firmware) || differs(stored.arch, seen.arch)
        || differs(stored.secureBoot, seen.secureBoot) || differs(stored.protocol, seen.protocol)
        || differs(stored.loader, seen.loader);
}

} // namespace drover
