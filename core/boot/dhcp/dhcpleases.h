// DhcpLeases: the address pool of full DHCP mode, kept in the catalog's `lease` table
// (mac, ip, expires in milliseconds since the epoch) so leases survive a restart and every
// admin of a shared catalog sees them. A machine the catalog knows keeps its address for
// good (its row never goes to another client, even expired); other clients' expired
// addresses are handed out again.
#pragma once

#include "util/result.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

#include <optional>

namespace drover {

class Catalog;

struct DhcpLease {
    QString mac;
    quint32 address = 0; // host byte order
    QDateTime expires;
    bool reserved = false; // the MAC belongs to a machine in the catalog
};

struct DhcpPool {
    quint32 first = 0; // inclusive, host byte order
    quint32 last = 0;
    QSet<quint32> excluded; // our own address, the router: never handed out
};

class DhcpLeases final {
    Q_DISABLE_COPY_MOVE(DhcpLeases)
public:
    static constexpr int OfferHoldSeconds = 60; // how long an offered address waits for its REQUEST

    // declineQuarantineSeconds: how long a declined address stays out of the pool.
    DhcpLeases(Catalog *catalog, DhcpPool pool, int leaseSeconds, int declineQuarantineSeconds = 600);

    bool inPool(quint32 address) const { return address >= m_pool.first && address <= m_pool.last; }

    // DISCOVER: an address for `mac` — its own lease, its machine's last address, the one it
    // asks for, else the lowest free one — held for OfferHoldSeconds.
    Result<quint32> offer(const QString &mac, quint32 requested);
    // REQUEST: binds `address` to `mac` for the lease time; a failure is a NAK, with the reason.
    Result<DhcpLease> bind(const QString &mac, quint32 address);
    // RELEASE: the lease ends now; the row stays, so the client gets the same address next time.
    Status release(const QString &mac, quint32 address);
    // DECLINE: `mac` says another host uses `address`. Honoured only from the client holding
    // the current lease of that address (anyone can send a DECLINE for any address, and the
    // pool must not empty for it); that lease ends, and the address stays out of the pool for
    // the quarantine time and comes back after it. A refusal says why.
    Status decline(const QString &mac, quint32 address);
    // The address is quarantined after a DECLINE right now.
    bool isQuarantined(quint32 address) const;

    QList<DhcpLease> leases() const;
    std::optional<DhcpLease> leaseOf(const QString &mac) const;

    // A burst of clients (a classroom powered on at once): between beginBatch and commitBatch
    // the leases offer() and bind() make are kept in memory, seen by every read here, and
    // written by commitBatch in one transaction — one synced commit for the burst instead of
    // one per packet, on the thread that answers all of them. The caller answers the batch's
    // clients only after commitBatch succeeded (RFC 2131 4.3.2: a lease is stored before its
    // ACK). Outside a batch every write is its own transaction, as before.
    void beginBatch() { m_batching = true; }
    Status commitBatch();
    bool inBatch() const { return m_batching; }
    qsizetype pendingCount() const { return m_pending.size(); }

private:
    Status store(const QString &mac, quint32 address, qint64 expiresMs);
    Status writeRows(const QList<DhcpLease> &rows);
    Status writePending();
    bool takenByOther(const QList<DhcpLease> &all, quint32 address, const QString &mac, qint64 nowMs) const;

    Catalog *m_catalog;
    DhcpPool m_pool;
    int m_leaseSeconds;
    int m_quarantineSeconds;
    QHash<quint32, qint64> m_declined; // address → end of its quarantine (ms since the epoch)
    bool m_batching = false;
    QList<DhcpLease> m_pending; // written by commitBatch; one row per MAC and per address
};

} // namespace drover
