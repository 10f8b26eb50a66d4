// LayerTracker: which source a booting machine is sent to for a layer, the slots of holders
// and of Drover, and what a lying peer or a lying reporter can and cannot do.
#include "boot/layertracker.h"

#include <QTest>

using namespace drover;

namespace {

const QString kLayer = QStringLiteral("aa11");
const QString kOther = QStringLiteral("bb22");
constexpr qint64 kSize = 50'000'000;

LayerTracker::Asker machine(int n)
{
    return LayerTracker::Asker { QStringLiteral("boot%1").arg(n),
        QStringLiteral("pc-%1").arg(n, 2, 10, QLatin1Char('0')),
        QHostAddress(QStringLiteral("10.0.0.%1").arg(10 + n)) };
}

// Machine n fetched the layer from Drover and now holds it.
void hold(LayerTracker &t, int n, const QString &layer = kLayer, qint64 now = 0)
{
    t.ask(layer, kSize, machine(n), {}, now);
    t.report(layer, machine(n), {}, LayerTracker::Outcome::Verified, now);
}

} // namespace

class TstLayerTracker : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void choice_data()
    {
        QTest::addColumn<int>("holders"); // machines 1..n hold the layer
        QTest::addColumn<int>("busyUploads"); // downloads already assigned to each holder
        QTest::addColumn<int>("serverBusy"); // layer downloads Drover already serves
        QTest::addColumn<int>("uploads"); // K
        QTest::addColumn<int>("slots"); // S
        QTest::addColumn<int>("kind"); // LayerTracker::Source::Kind
        using K = LayerTracker::Source::Kind;
        QTest::newRow("nobody holds it, Drover has a slot") << 0 << 0 << 0 << 1 << 1 << int(K::Server);
        QTest::newRow("nobody holds it, Drover is busy: wait") << 0 << 0 << 1 << 1 << 1 << int(K::Wait);
        QTest::newRow("a holder is free") << 1 << 0 << 1 << 1 << 1 << int(K::Peer);
        QTest::newRow("the holder is at K, Drover has a slot") << 1 << 1 << 0 << 1 << 2 << int(K::Server);
        QTest::newRow("the holder is at K, Drover is busy") << 1 << 1 << 2 << 1 << 2 << int(K::Wait);
        QTest::newRow("K = 2 leaves the holder a slot") << 1 << 1 << 2 << 2 << 2 << int(K::Peer);
        QTest::newRow("a peer rather than a free Drover") << 2 << 0 << 0 << 1 << 4 << int(K::Peer);
    }

    void choice()
    {
        QFETCH(int, holders);
        QFETCH(int, busyUploads);
        QFETCH(int, serverBusy);
        QFETCH(int, uploads);
        QFETCH(int, slots);
        QFETCH(int, kind);
        LayerTracker t;
        const LayerTracker::Limits limits { uploads, slots };
        for (int n = 1; n <= holders; ++n)
            hold(t, n);
        int next = 20;
        for (int n = 1; n <= holders; ++n) {
            for (int i = 0; i < busyUploads; ++i) {
                const auto s = t.ask(kLayer, kSize, machine(next++), limits, 1000);
                QCOMPARE(s.kind, LayerTracker::Source::Kind::Peer);
            }
        }
        // Other layers' downloads from Drover occupy its slots just the same.
        for (int i = 0; i < serverBusy; ++i)
            QCOMPARE(t.ask(kOther, kSize, machine(next++), limits, 1000).kind, LayerTracker::Source::Kind::Server);
        QCOMPARE(t.serverInUse(1000), serverBusy);
        const auto s = t.ask(kLayer, kSize, machine(99), limits, 1000);
        QCOMPARE(int(s.kind), kind);
        if (s.kind == LayerTracker::Source::Kind::Peer)
            QVERIFY(s.peer.toString().startsWith(QLatin1String("10.0.0.1")));
        if (s.kind == LayerTracker::Source::Kind::Wait)
            QCOMPARE(s.waitMs, LayerTracker::kWaitMs);
    }

    // The storm of docs/peer-download.md with K = 1, S = 1: holders double with every copy.
    void stormDoubles()
    {
        LayerTracker t;
        const LayerTracker::Limits limits { 1, 1 };
        QList<int> waiting;
        for (int n = 1; n <= 16; ++n)
            waiting << n;
        int rounds = 0;
        qint64 now = 0;
        while (!waiting.isEmpty()) {
            QList<QPair<int, LayerTracker::Source>> started;
            QList<int> still;
            for (int n : std::as_const(waiting)) {
                const auto s = t.ask(kLayer, kSize, machine(n), limits, now);
                if (s.kind == LayerTracker::Source::Kind::Wait)
                    still << n;
                else
                    started.append({ n, s });
            }
            for (const auto &[n, s] : std::as_const(started))
                t.report(kLayer, machine(n), s.peer, LayerTracker::Outcome::Verified, now);
            waiting = still;
            now += 1000;
            QVERIFY(++rounds < 10);
        }
        // 1, 3, 7, 15, 16 holders (the peers double them, Drover adds one): five copy times,
        // against sixteen for Drover alone.
        QCOMPARE(rounds, 5);
        QCOMPARE(t.holderCount(kLayer), 16);
    }

    void leastBusyFirst()
    {
        LayerTracker t;
        const LayerTracker::Limits limits { 2, 1 };
        hold(t, 1);
        hold(t, 2);
        const auto a = t.ask(kLayer, kSize, machine(10), limits, 0);
        const auto b = t.ask(kLayer, kSize, machine(11), limits, 0);
        QCOMPARE(a.kind, LayerTracker::Source::Kind::Peer);
        QCOMPARE(b.kind, LayerTracker::Source::Kind::Peer);
        QVERIFY(a.peer != b.peer);
        QCOMPARE(t.ask(kLayer, kSize, machine(12), limits, 0).kind, LayerTracker::Source::Kind::Peer);
        QCOMPARE(t.ask(kLayer, kSize, machine(13), limits, 0).kind, LayerTracker::Source::Kind::Peer);
        QCOMPARE(t.ask(kLayer, kSize, machine(14), limits, 0).kind, LayerTracker::Source::Kind::Server);
    }

    // A peer that serves wrong bytes: one report keeps the reporter away from it, the second
    // boot's report takes it out for everyone.
    void badPeerTakesTwoReports()
    {
        LayerTracker t;
        const LayerTracker::Limits limits { 2, 1 };
        hold(t, 1);
        const QHostAddress bad = machine(1).address;
        auto s = t.ask(kLayer, kSize, machine(10), limits, 0);
        QCOMPARE(s.peer, bad);
        auto r = t.report(kLayer, machine(10), bad, LayerTracker::Outcome::BadDigest, 0);
        QCOMPARE(r.peerMachine, QStringLiteral("pc-01"));
        QVERIFY(!r.excluded);
        // The reporter is not sent back; another machine still is.
        QCOMPARE(t.ask(kLayer, kSize, machine(10), limits, 0).kind, LayerTracker::Source::Kind::Server);
        QCOMPARE(t.ask(kLayer, kSize, machine(11), limits, 0).peer, bad);
        r = t.report(kLayer, machine(11), bad, LayerTracker::Outcome::Stalled, 0);
        QVERIFY(r.excluded);
        QCOMPARE(t.holderCount(kLayer), 0);
        t.report(kLayer, machine(10), {}, LayerTracker::Outcome::Verified, 0);
        QCOMPARE(t.ask(kLayer, kSize, machine(12), limits, 0).peer, machine(10).address);
        // Excluded for the rest of its boot: claiming the layer again changes nothing.
        t.report(kLayer, machine(1), {}, LayerTracker::Outcome::Verified, 0);
        QCOMPARE(t.holderCount(kLayer), 1);
        // Its next boot starts clean.
        t.forget(machine(1).bootId);
        hold(t, 1);
        QCOMPARE(t.holderCount(kLayer), 2);
    }

    // A student's reports about peers it was not sent to blame nobody.
    void reportsNeedTheAssignment()
    {
        LayerTracker t;
        const LayerTracker::Limits limits { 2, 2 };
        hold(t, 1);
        const QHostAddress good = machine(1).address;
        for (int n = 30; n < 35; ++n) {
            const auto r = t.report(kLayer, machine(n), good, LayerTracker::Outcome::BadDigest, 0);
            QVERIFY(r.peerMachine.isEmpty());
        }
        // Sent to the peer for another layer, or to Drover: still no blame.
        hold(t, 1, kOther);
        QCOMPARE(t.ask(kOther, kSize, machine(36), limits, 0).peer, good);
        QVERIFY(t.report(kLayer, machine(36), good, LayerTracker::Outcome::BadDigest, 0).peerMachine.isEmpty());
        QCOMPARE(t.ask(kLayer, kSize, machine(37), limits, 0).peer, good);
        QCOMPARE(t.ask(kLayer, kSize, machine(38), limits, 0).peer, good);
        QCOMPARE(t.ask(kLayer, kSize, machine(39), limits, 0).kind, LayerTracker::Source::Kind::Server);
        QVERIFY(t.report(kLayer, machine(39), good, LayerTracker::Outcome::BadDigest, 0).peerMachine.isEmpty());
        QCOMPARE(t.holderCount(kLayer), 1);
    }

    // A boot that two peers failed goes to Drover, even when Drover's slots are taken.
    void twoFailedPeersThenDrover()
    {
        LayerTracker t;
        const LayerTracker::Limits limits { 1, 1 };
        hold(t, 1);
        hold(t, 2);
        hold(t, 3);
        QCOMPARE(t.ask(kOther, kSize, machine(9), limits, 0).kind, LayerTracker::Source::Kind::Server);
        for (int i = 0; i < LayerTracker::kPeerFailuresPerBoot; ++i) {
            const auto s = t.ask(kLayer, kSize, machine(10), limits, 0);
            QCOMPARE(s.kind, LayerTracker::Source::Kind::Peer);
            t.report(kLayer, machine(10), s.peer, LayerTracker::Outcome::Unreachable, 0);
        }
        QCOMPARE(t.ask(kLayer, kSize, machine(10), limits, 0).kind, LayerTracker::Source::Kind::Server);
        QCOMPARE(t.serverInUse(0), 2);
    }

    // A machine that asks and never downloads holds a slot only until its assignment times out;
    // asking again gives back the slot it held.
    void slotsComeBack()
    {
        LayerTracker t;
        const LayerTracker::Limits limits { 1, 1 };
        QCOMPARE(t.ask(kLayer, kSize, machine(1), limits, 0).kind, LayerTracker::Source::Kind::Server);
        QCOMPARE(t.ask(kLayer, kSize, machine(2), limits, 0).kind, LayerTracker::Source::Kind::Wait);
        const qint64 timeout = LayerTracker::assignmentTimeoutMs(kSize);
        QCOMPARE(timeout, 20'000);
        QCOMPARE(t.ask(kLayer, kSize, machine(2), limits, timeout - 1).kind, LayerTracker::Source::Kind::Wait);
        QCOMPARE(t.ask(kLayer, kSize, machine(2), limits, timeout).kind, LayerTracker::Source::Kind::Server);
        // Machine 2 asks again (its init restarted the layer): its own slot is not held against it.
        QCOMPARE(t.ask(kLayer, kSize, machine(2), limits, timeout).kind, LayerTracker::Source::Kind::Server);
        QCOMPARE(t.serverInUse(timeout), 1);
    }

    // Monday morning: Friday's holders are not named (they are most likely off), today's are.
    void holdersAgeOut()
    {
        LayerTracker t;
        const LayerTracker::Limits limits { 1, 1 };
        hold(t, 1, kLayer, 0);
        const qint64 later = LayerTracker::kHolderLifetimeMs;
        QCOMPARE(t.ask(kLayer, kSize, machine(2), limits, later - 1).kind, LayerTracker::Source::Kind::Peer);
        t.report(kLayer, machine(2), machine(1).address, LayerTracker::Outcome::Verified, later - 1);
        // Machine 1's hour is over; machine 2 became a holder a moment ago.
        const auto s = t.ask(kLayer, kSize, machine(3), limits, later);
        QCOMPARE(s.kind, LayerTracker::Source::Kind::Peer);
        QCOMPARE(s.peer, machine(2).address);
        QCOMPARE(t.holderCount(kLayer), 1);
        // An excluded holder is not forgotten with its hour: its claims stay disbelieved.
        t.report(kLayer, machine(3), machine(2).address, LayerTracker::Outcome::BadDigest, later);
        QCOMPARE(t.ask(kLayer, kSize, machine(4), limits, later).peer, machine(2).address);
        QVERIFY(t.report(kLayer, machine(4), machine(2).address, LayerTracker::Outcome::BadDigest, later).excluded);
        const qint64 nextHour = later + LayerTracker::kHolderLifetimeMs;
        t.report(kLayer, machine(2), {}, LayerTracker::Outcome::Verified, nextHour);
        QCOMPARE(t.holderCount(kLayer), 0);
        QCOMPARE(t.ask(kLayer, kSize, machine(5), limits, nextHour).kind, LayerTracker::Source::Kind::Server);
    }

    // A machine that boots again holds nothing it held before; a peer is never itself, nor at
    // the asker's own address (machines behind one NAT cannot reach each other there).
    void forgetAndSelf()
    {
        LayerTracker t;
        const LayerTracker::Limits limits { 1, 1 };
        hold(t, 1);
        QCOMPARE(t.holderCount(kLayer), 1);
        QCOMPARE(t.ask(kLayer, kSize, machine(1), limits, 0).kind, LayerTracker::Source::Kind::Server);
        LayerTracker::Asker twin = machine(2);
        twin.address = machine(1).address;
        t.forget(machine(1).bootId);
        hold(t, 1);
        QCOMPARE(t.ask(kLayer, kSize, twin, limits, 0).kind, LayerTracker::Source::Kind::Server);
        t.forget(machine(1).bootId);
        QCOMPARE(t.holderCount(kLayer), 0);
        QCOMPARE(t.serverInUse(0), 1);
    }
};

QTEST_GUILESS_MAIN(TstLayerTracker)
#include "tst_layertracker.moc"
