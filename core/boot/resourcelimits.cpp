// The table of limit settings and how their values are read.
#include "boot/resourcelimits.h"

#include "catalog/catalog.h"

namespace drover {

const QList<ResourceLimits::Key> &ResourceLimits::keys()
{
    // Ranges: low ends keep a service usable (a zero cap would refuse everyone), high ends
    // keep a typo from disabling the bound.
    static const QList<Key> all = {
        { "dhcp/decline-quarantine", &ResourceLimits::declineQuarantineSeconds, 10, 86'400, "s" },
        { "tftp/max-timeout", &ResourceLimits::tftpMaxTimeoutSeconds, 1, 255, "s" },
        { "tftp/max-per-client", &ResourceLimits::tftpMaxPerClient, 1, 10'000, "transfers" },
        { "tftp/max-transfers", &ResourceLimits::tftpMaxTransfers, 1, 10'000, "transfers" },
        { "http/max-per-client", &ResourceLimits::httpMaxPerClient, 1, 1'000'000, "connections" },
        { "http/max-connections", &ResourceLimits::httpMaxConnections, 16, 1'000'000, "connections" },
        { "http/idle-timeout", &ResourceLimits::httpIdleSeconds, 1, 3600, "s" },
        { "http/stall-timeout", &ResourceLimits::httpStallSeconds, 1, 3600, "s" },
        { "http/stall-bytes", &ResourceLimits::httpStallBytes, 1, 1 << 30, "bytes" },
        { "events/max-count", &ResourceLimits::eventsMaxCount, 1000, 100'000'000, "events" },
        { "events/max-age-days", &ResourceLimits::eventsMaxAgeDays, 1, 36'500, "days" },
        { "boot/register-per-minute", &ResourceLimits::registerPerMinute, 1, 100'000, "machines" },
    };
    return all;
}

int ResourceLimits::parse(const QString &text, int fallback, int min, int max)
{
    bool ok = false;
    const qlonglong value = text.trimmed().toLongLong(&ok);
    if (!ok)
        return fallback;
    return int(qBound(qlonglong(min), value, qlonglong(max)));
}

int ResourceLimits::httpConnectionCap(qint64 openFileLimit) const
{
    const qint64 byFiles = qMax<qint64>(64, (openFileLimit - 1024) / 2);
    return int(qMin<qint64>(httpMaxConnections, byFiles));
}

ResourceLimits ResourceLimits::fromSettings(const QMap<QString, QString> &settings)
{
    ResourceLimits limits;
    for (const Key &k : keys()) {
        const auto it = settings.constFind(QString::fromLatin1(k.key));
        if (it != settings.cend())
            limits.*k.field = parse(*it, limits.*k.field, k.min, k.max);
    }
    return limits;
}

ResourceLimits ResourceLimits::fromCatalog(const Catalog &catalog)
{
    QMap<QString, QString> settings;
    for (const char *prefix : { "dhcp/", "tftp/", "http/", "events/", "boot/register-" })
        settings.insert(catalog.settings(QString::fromLatin1(prefix)));
    return fromSettings(settings);
}

} // namespace drover
