// LayerTracker: the choice of a layer's source among the machines that hold it.
#include "boot/layertracker.h"

#include <QMutexLocker>

namespace drover {

int LayerTracker::limitFrom(const QString &value, int fallback)
{
    bool ok = false;
    const int n = value.trimmed().toInt(&ok);
    return ok && n >= 1 && n <= 1000 ? n : fallback;
}

qint64 LayerTracker::assignmentTimeoutMs(qint64 size)
{
    // 10 s plus the layer at 5 MB/s: a slow but working machine (40 Mbit/s) still finishes
    // inside it; one that never downloads holds a slot no longer.
    return 10'000 + qMax<qint64>(0, size) / 5'000;
}

LayerTracker::Source LayerTracker::ask(
    const QString &layer, qint64 size, const Asker &asker, const Limits &limits, qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    // Asking again ends the last assignment: the init fetches one layer at a time.
    m_assignments.remove(asker.bootId);
    // Boots that asked and never finished are forgotten when their machine boots again; this
    // only bounds the memory of a flood of boots that never do.
    if (m_asking.size() > 100'000)
        m_asking.clear();
    dropOldHolders(nowMs);
    Asking &asking = m_asking[asker.bootId];
    if (asking.layer != layer)
        asking = Asking { layer, {} };

    // Uploads and server downloads in progress, from the live assignments.
    QHash<QString, int> uploads;
    int server = 0;
    for (auto it = m_assignments.cbegin(); it != m_assignments.cend(); ++it) {
        if (it->expiresMs <= nowMs)
            continue;
        if (it->source.isEmpty())
            ++server;
        else
            ++uploads[it->source];
    }
    const qint64 expires = nowMs + assignmentTimeoutMs(size);
    if (asking.avoid.size() < kPeerFailuresPerBoot) {
        QString best;
        int least = qMax(1, limits.uploadsPerHolder);
        for (const QString &holder : m_holdersOf.value(layer)) {
            if (holder == asker.bootId || asking.avoid.contains(holder))
                continue;
            const auto h = m_holders.constFind(holder);
            if (h == m_holders.cend() || h->excluded || h->address == asker.address)
                continue;
            if (const int n = uploads.value(holder); n < least) {
                least = n;
                best = holder;
            }
        }
        if (!best.isEmpty()) {
            m_assignments.insert(asker.bootId, Assignment { layer, best, expires });
            const Holder &h = m_holders[best];
            return Source { Source::Kind::Peer, h.address, h.machine, 0 };
        }
    }
    // Drover serves its share, and anyone a peer has failed twice (that boot must not wait
    // on peers any longer).
    if (server < qMax(1, limits.serverSlots) || asking.avoid.size() >= kPeerFailuresPerBoot) {
        m_assignments.insert(asker.bootId, Assignment { layer, QString(), expires });
        return Source { Source::Kind::Server, {}, {}, 0 };
    }
    return Source { Source::Kind::Wait, {}, {}, kWaitMs };
}

LayerTracker::Reported LayerTracker::report(
    const QString &layer, const Asker &asker, const QHostAddress &from, Outcome outcome, qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    Reported out;
    const Assignment assigned = m_assignments.take(asker.bootId);
    // The peer the asker was sent to, if the report is about that assignment.
    QString peer;
    if (!assigned.source.isEmpty() && assigned.layer == layer && !from.isNull()) {
        if (const auto h = m_holders.constFind(assigned.source); h != m_holders.cend() && h->address == from)
            peer = assigned.source;
    }
    if (!peer.isEmpty())
        out.peerMachine = m_holders.value(peer).machine;

    if (outcome == Outcome::Verified) {
        m_asking.remove(asker.bootId);
        const bool known = m_holders.contains(asker.bootId);
        Holder &me = m_holders[asker.bootId];
        if (!known)
            me.sinceMs = nowMs;
        me.machine = asker.machine;
        me.address = asker.address;
        if (!me.layers.contains(layer)) {
            me.layers.insert(layer);
            m_holdersOf[layer].append(asker.bootId);
        }
        return out;
    }
    if (peer.isEmpty())
        return out; // a failure from Drover, or about a peer it was not sent to: nobody to blame
    Asking &asking = m_asking[asker.bootId];
    if (asking.layer != layer)
        asking = Asking { layer, {} };
    asking.avoid.insert(peer);
    Holder &h = m_holders[peer];
    h.reportedBy.insert(asker.bootId);
    // One report could be a student's lie about a good peer; two boots agreeing is a peer to drop.
    if (!h.excluded && h.reportedBy.size() >= kReportsToExclude)
        h.excluded = true;
    out.excluded = h.excluded;
    return out;
}

void LayerTracker::forget(const QString &bootId)
{
    QMutexLocker lock(&m_mutex);
    forgetLocked(bootId);
}

void LayerTracker::forgetLocked(const QString &bootId)
{
    m_assignments.remove(bootId);
    m_asking.remove(bootId);
    const auto h = m_holders.constFind(bootId);
    if (h == m_holders.cend())
        return;
    for (const QString &layer : h->layers) {
        auto it = m_holdersOf.find(layer);
        if (it == m_holdersOf.end())
            continue;
        it->removeAll(bootId);
        if (it->isEmpty())
            m_holdersOf.erase(it);
    }
    m_holders.erase(h);
}

int LayerTracker::holderCount(const QString &layer) const
{
    QMutexLocker lock(&m_mutex);
    int n = 0;
    for (const QString &holder : m_holdersOf.value(layer))
        n += m_holders.value(holder).excluded ? 0 : 1;
    return n;
}

int LayerTracker::serverInUse(qint64 nowMs) const
{
    QMutexLocker lock(&m_mutex);
    int n = 0;
    for (const Assignment &a : m_assignments)
        n += a.source.isEmpty() && a.expiresMs > nowMs ? 1 : 0;
    return n;
}

void LayerTracker::dropOldHolders(qint64 nowMs)
{
    QStringList old;
    for (auto it = m_holders.cbegin(); it != m_holders.cend(); ++it) {
        // An excluded holder stays, unnamed, until its machine boots again: were it dropped,
        // its next claim would be believed.
        if (nowMs - it->sinceMs >= kHolderLifetimeMs && !it->excluded)
            old.append(it.key());
    }
    // Its downloads in progress keep their slot until they report: only the naming stops.
    for (const QString &bootId : std::as_const(old)) {
        const Assignment mine = m_assignments.value(bootId);
        forgetLocked(bootId);
        if (!mine.layer.isEmpty())
            m_assignments.insert(bootId, mine);
    }
}

} // namespace drover
