// Lease rows are read whole for each allocation: a lab has hundreds of machines, not
// millions, and reading them fresh keeps two Drover instances on one catalog honest.
#include "boot/dhcp/dhcpleases.h"

#include "catalog/catalog.h"

#include <QCoreApplication>
#include <QHash>
#include <QHostAddress>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimeZone>

#include <algorithm>
#include <utility>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(DhcpLeases)
};

QString ipText(quint32 address)
{
    return QHostAddress(address).toString();
}

} // namespace

DhcpLeases::DhcpLeases(Catalog *catalog, DhcpPool pool, int leaseSeconds, int declineQuarantineSeconds)
    : m_catalog(catalog)
    , m_pool(std::move(pool))
    , m_leaseSeconds(leaseSeconds)
    , m_quarantineSeconds(declineQuarantineSeconds)
{ }

QList<DhcpLease> DhcpLeases::leases() const
{
    QList<DhcpLease> out;
    QSqlQuery q(m_catalog->database());
    if (!q.exec(QStringLiteral("SELECT l.mac, l.ip, l.expires, m.id FROM lease l "
                               "LEFT JOIN machine m ON m.mac = l.mac ORDER BY l.ip")))
        return out;
    while (q.next()) {
        const QHostAddress ip(q.value(1).toString());
        bool isV4 = false;
        const quint32 address = ip.toIPv4Address(&isV4);
        if (!isV4)
            continue;
        out.append(DhcpLease { q.value(0).toString(), address,
            QDateTime::fromMSecsSinceEpoch(q.value(2).toLongLong(), QTimeZone::UTC), !q.value(3).isNull() });
    }
    if (!m_pending.isEmpty()) {
        // What commitBatch will write replaces what the catalog holds for the same MAC or address.
        for (const DhcpLease &p : m_pending)
            out.removeIf([&p](const DhcpLease &l) { return l.mac == p.mac || l.address == p.address; });
        out.append(m_pending);
        std::sort(out.begin(), out.end(), [](const DhcpLease &a, const DhcpLease &b) { return a.address < b.address; });
    }
    return out;
}

std::optional<DhcpLease> DhcpLeases::leaseOf(const QString &mac) const
{
    for (const DhcpLease &l : leases()) {
        if (l.mac == mac)
            return l;
    }
    return std::nullopt;
}

bool DhcpLeases::takenByOther(const QList<DhcpLease> &all, quint32 address, const QString &mac, qint64 nowMs) const
{
    if (m_pool.excluded.contains(address) || m_declined.value(address, 0) > nowMs)
        return true;
    for (const DhcpLease &l : all) {
        if (l.address == address && l.mac != mac)
            return l.reserved || l.expires.toMSecsSinceEpoch() > nowMs;
    }
    return false;
}

Status DhcpLeases::store(const QString &mac, quint32 address, qint64 expiresMs)
{
    DhcpLease lease { mac, address, QDateTime::fromMSecsSinceEpoch(expiresMs, QTimeZone::UTC), false };
    if (!m_batching)
        return writeRows({ lease });
    // `reserved` is left false: it only keeps an expired row from another client, and a row
    // of this batch has not expired (no catalog read per packet for it).
    m_pending.removeIf([&lease](const DhcpLease &l) { return l.mac == lease.mac || l.address == lease.address; });
    m_pending.append(lease);
    return {};
}

Status DhcpLeases::commitBatch()
{
    m_batching = false;
    return writeRows(std::exchange(m_pending, {}));
}

Status DhcpLeases::writePending()
{
    // Kept on a failure, so that commitBatch fails too and the batch's clients get no ACK.
    if (Status s = writeRows(m_pending); !s)
        return s;
    m_pending.clear();
    return {};
}

Status DhcpLeases::writeRows(const QList<DhcpLease> &rows)
{
    if (rows.isEmpty())
        return {};
    const QString who = rows.size() == 1 ? rows.first().mac : Text::tr("%n client(s)", nullptr, int(rows.size()));
    QSqlDatabase db = m_catalog->database();
    if (!db.transaction())
        return Status::failure(Text::tr("DHCP: cannot write the lease of %1: %2").arg(who, db.lastError().text()));
    QSqlQuery q(db);
    bool ok = true;
    for (const DhcpLease &lease : rows) {
        // A stale row of another client holding this address, and this client's old row, go.
        q.prepare(QStringLiteral("DELETE FROM lease WHERE mac = ? OR ip = ?"));
        q.addBindValue(lease.mac);
        q.addBindValue(ipText(lease.address));
        ok = q.exec();
        if (ok) {
            q.prepare(QStringLiteral("INSERT INTO lease (mac, ip, expires) VALUES (?, ?, ?)"));
            q.addBindValue(lease.mac);
            q.addBindValue(ipText(lease.address));
            q.addBindValue(lease.expires.toMSecsSinceEpoch());
            ok = q.exec();
        }
        if (!ok)
            break;
    }
    if (!ok || !db.commit()) {
        const QString why = q.lastError().isValid() ? q.lastError().text() : db.lastError().text();
        db.rollback();
        return Status::failure(Text::tr("DHCP: cannot write the lease of %1: %2").arg(who, why));
    }
    return {};
}

Result<quint32> DhcpLeases::offer(const QString &mac, quint32 requested)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QList<DhcpLease> all = leases();
    std::optional<DhcpLease> mine;
    for (const DhcpLease &l : all) {
        if (l.mac == mac)
            mine = l;
    }
    QList<quint32> candidates;
    if (mine)
        candidates.append(mine->address);
    if (const auto machine = m_catalog->machineByMac(mac); machine && !machine->address.isEmpty())
        candidates.append(QHostAddress(machine->address).toIPv4Address());
    if (requested)
        candidates.append(requested);
    quint32 chosen = 0;
    for (quint32 c : std::as_const(candidates)) {
        if (c && inPool(c) && !takenByOther(all, c, mac, now)) {
            chosen = c;
            break;
        }
    }
    if (!chosen) {
        QHash<quint32, const DhcpLease *> byAddress;
        for (const DhcpLease &l : all)
            byAddress.insert(l.address, &l);
        // Never-used addresses first, then expired ones of clients Drover does not know.
        for (int pass = 0; pass < 2 && !chosen; ++pass) {
            for (quint64 a = m_pool.first; a <= m_pool.last; ++a) {
                const quint32 address = quint32(a);
                if (pass == 0 && byAddress.contains(address))
                    continue;
                if (!takenByOther(all, address, mac, now)) {
                    chosen = address;
                    break;
                }
            }
        }
    }
    if (!chosen)
        return Result<quint32>::failure(Text::tr("DHCP: no free address left in %1 – %2 for %3")
                .arg(ipText(m_pool.first), ipText(m_pool.last), mac));
    const qint64 hold = now + qint64(OfferHoldSeconds) * 1000;
    if (!mine || mine->address != chosen || mine->expires.toMSecsSinceEpoch() < hold) {
        if (Status s = store(mac, chosen, hold); !s)
            return Result<quint32>::failure(s.error());
    }
    return chosen;
}

Result<DhcpLease> DhcpLeases::bind(const QString &mac, quint32 address)
{
    using R = Result<DhcpLease>;
    if (!inPool(address))
        return R::failure(Text::tr("%1 is outside the range %2 – %3")
                .arg(ipText(address), ipText(m_pool.first), ipText(m_pool.last)));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QList<DhcpLease> all = leases();
    if (takenByOther(all, address, mac, now))
        return R::failure(Text::tr("%1 belongs to another client").arg(ipText(address)));
    const qint64 expires = now + qint64(m_leaseSeconds) * 1000;
    if (Status s = store(mac, address, expires); !s)
        return R::failure(s.error());
    return DhcpLease { mac, address, QDateTime::fromMSecsSinceEpoch(expires, QTimeZone::UTC),
        m_catalog->machineByMac(mac).has_value() };
}

Status DhcpLeases::release(const QString &mac, quint32 address)
{
    // A lease of this batch is written first, or commitBatch would bind it again.
    if (Status s = writePending(); !s)
        return s;
    QSqlQuery q(m_catalog->database());
    q.prepare(QStringLiteral("UPDATE lease SET expires = ? WHERE mac = ? AND ip = ?"));
    q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    q.addBindValue(mac);
    q.addBindValue(ipText(address));
    if (!q.exec())
        return Status::failure(Text::tr("DHCP: cannot release the lease of %1: %2").arg(mac, q.lastError().text()));
    return {};
}

Status DhcpLeases::decline(const QString &mac, quint32 address)
{
    if (!inPool(address))
        return Status::failure(
            Text::tr("%1 is not in the range %2 – %3").arg(ipText(address), ipText(m_pool.first), ipText(m_pool.last)));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    bool holder = false;
    for (const DhcpLease &l : leases()) {
        if (l.address == address) {
            holder = l.mac == mac && l.expires.toMSecsSinceEpoch() > now;
            break;
        }
    }
    if (!holder)
        return Status::failure(Text::tr("%1 does not hold a lease of %2").arg(mac, ipText(address)));
    if (Status s = writePending(); !s)
        return s;
    // Quarantines that ended are forgotten here; the table never holds more than the pool.
    for (auto it = m_declined.begin(); it != m_declined.end();)
        it = it.value() <= now ? m_declined.erase(it) : std::next(it);
    m_declined.insert(address, now + qint64(m_quarantineSeconds) * 1000);
    // RFC 2131 4.3.3: the client's lease of it ends; after the quarantine the address is free.
    QSqlQuery q(m_catalog->database());
    q.prepare(QStringLiteral("DELETE FROM lease WHERE mac = ? AND ip = ?"));
    q.addBindValue(mac);
    q.addBindValue(ipText(address));
    if (!q.exec())
        return Status::failure(Text::tr("DHCP: %1 is quarantined, but the lease of %2 could not be ended: %3")
                .arg(ipText(address), mac, q.lastError().text()));
    return {};
}

bool DhcpLeases::isQuarantined(quint32 address) const
{
    return m_declined.value(address, 0) > QDateTime::currentMSecsSinceEpoch();
}

} // namespace drover
