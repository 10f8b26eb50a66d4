// LayerTracker: where a booting machine fetches each layer when the lab's machines share
// them (docs/peer-download.md). A machine that has verified a layer serves it to its
// neighbours; before each layer the init asks which source to take, and this class answers:
// the least busy holder with a free upload slot, else Drover itself if it serves fewer than
// its share of layer downloads at once, else "wait". Holding back is the point: in a storm
// every machine starts its layers together, and a server that served them all would keep the
// uplink the wall, while one that serves a few at full speed makes holders in seconds.
//
// A student at a lab machine can claim layers it does not hold, serve wrong bytes, stall, or
// report good peers as bad. None of that can make a machine boot other bytes (the init checks
// every layer against the manifest's digest, and the manifest comes from Drover). What this
// class bounds is the cost: a peer reported by two different boots is no longer named, a boot
// is never sent back to a peer it reported, and after two failed peers a boot is sent to
// Drover. Thread-safe; in memory only (after a restart machines fetch from Drover until
// they report layers again).
#pragma once

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QMutex>
#include <QSet>
#include <QString>

#include <optional>

namespace drover {

// The port the init's httpd serves verified layers on.
inline constexpr quint16 kPeerPort = 8099;

class LayerTracker final {
    Q_DISABLE_COPY_MOVE(LayerTracker)
public:
    LayerTracker() = default;
    ~LayerTracker() = default;

    // The catalog's settings: whether machines share layers (settingIsOn), K and S.
    static constexpr const char *kEnabledSetting = "boot/peers";
    static constexpr const char *kUploadsSetting = "boot/peer-uploads";
    static constexpr const char *kServerSlotsSetting = "boot/peer-server-slots";
    // A setting's number if it is one in 1…1000, else the fallback.
    static int limitFrom(const QString &value, int fallback);

    struct Limits {
        int uploadsPerHolder = 2; // K: a lab PC at work is not slowed by more
        int serverSlots = 2; // S: about the uplink's rate over a machine's link
    };
    static constexpr int kDefaultUploads = 2;
    static constexpr int kDefaultServerSlots = 2;
    static constexpr int kWaitMs = 250;
    // Peers that failed a boot before it is sent to Drover for the layer.
    static constexpr int kPeerFailuresPerBoot = 2;
    // Distinct boots whose failure reports stop a peer being named.
    static constexpr int kReportsToExclude = 2;
    // How long a holder is named after it verified its first layer. A storm is served by the
    // machines that boot in it; a holder from yesterday is most likely switched off (Monday
    // morning's room would otherwise start by asking Friday's machines).
    static constexpr qint64 kHolderLifetimeMs = qint64(3600) * 1000;

    // Who asks: one boot, its machine's name and the address the boot was issued to.
    struct Asker {
        QString bootId;
        QString machine;
        QHostAddress address;
    };

    struct Source {
        enum class Kind { Peer, Server, Wait };
        Kind kind = Kind::Server;
        QHostAddress peer; // Kind::Peer
        QString peerMachine; // Kind::Peer, for the log
        int waitMs = 0; // Kind::Wait
    };
    // The asker is about to fetch `layer` (hex digest, `size` bytes). A source other than Wait
    // is assigned to it until it reports, asks again, or the assignment times out.
    Source ask(const QString &layer, qint64 size, const Asker &asker, const Limits &limits, qint64 nowMs);

    enum class Outcome { Verified, BadDigest, Unreachable, Stalled };
    struct Reported {
        QString peerMachine; // the peer the report named, when the asker was assigned to it
        bool excluded = false; // that peer is named no more
    };
    // The asker fetched `layer` from `from` (a peer's address; null for Drover) with this
    // outcome. Verified: the asker now holds the layer and serves it. A failure counts
    // against `from` only when the asker was assigned to that peer for that layer.
    Reported report(const QString &layer, const Asker &asker, const QHostAddress &from, Outcome outcome, qint64 nowMs);

    // The boot is over (the machine booted again, or the boot failed): it holds nothing now,
    // and its assignments end.
    void forget(const QString &bootId);

    // For the tests and the log.
    int holderCount(const QString &layer) const;
    int serverInUse(qint64 nowMs) const;

    // Not reported within this long, an assignment ends by itself: a machine that asks and
    // never downloads holds a slot only this long.
    static qint64 assignmentTimeoutMs(qint64 size);

private:
    struct Holder {
        QString machine;
        QHostAddress address;
        QSet<QString> layers;
        QSet<QString> reportedBy; // boots whose failure reports name this holder
        qint64 sinceMs = 0; // its first verified layer
        bool excluded = false;
    };
    struct Assignment {
        QString layer;
        QString source; // the holder's boot id; empty: Drover
        qint64 expiresMs = 0;
    };
    struct Asking {
        QString layer;
        QSet<QString> avoid; // holders this boot reported for the layer
    };
    void forgetLocked(const QString &bootId);
    void dropOldHolders(qint64 nowMs);

    mutable QMutex m_mutex;
    QHash<QString, Holder> m_holders; // boot id → what it holds
    QHash<QString, QList<QString>> m_holdersOf; // layer → holders' boot ids, oldest first
    QHash<QString, Assignment> m_assignments; // downloader's boot id → its one assignment
    QHash<QString, Asking> m_asking; // downloader's boot id → the layer it is after
};

} // namespace drover
