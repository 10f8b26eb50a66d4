// GET /layer-source and /layer-report with real curl against the HTTP boot server: the
// tracker of machines that share layers. Off until the catalog says "on" (then the script's
// kernel line carries drover.peers=1); Drover serves its S slots, then "wait", then the
// holders; a bad-digest report is an error event naming the peer; a new boot forgets what
// the old one held; and the student (curl from 127.0.0.2) can speak for no other machine,
// claim nothing but a layer of its own image, and blame nobody it was not sent to.
#include "boot/bootindex.h"
#include "boot/bootrecorder.h"
#include "boot/http/httpbootserver.h"
#include "boot/layertracker.h"
#include "catalog/catalog.h"
#include "testlab.h"
#include "tst_http_support.h"

#include <QRegularExpression>
#include <QTest>

using namespace drover;
using namespace drover::test;

namespace {

struct Boot {
    QString mac;
    QString from; // the address curl speaks from
    QString id;
    QString token;
    QByteArray script;
};

} // namespace

class TstPeerRoutes : public QObject {
    Q_OBJECT

    TestLab m_t;
    HttpBootServer *m_server = nullptr;
    QString m_base;
    TestImage m_image; // debian:12, assigned to all
    TestImage m_other; // debian:13: its layer is no layer of debian:12
    const QString m_macA = QStringLiteral("52:54:00:0e:00:01");
    const QString m_macB = QStringLiteral("52:54:00:0e:00:02");

    Catalog *catalog() const { return m_t.lab->catalog(); }
    QString layer() const { return m_image.manifest.layers.value(0).digest.toString(); }

    CurlResult get(const QString &path, const QString &from) const
    {
        return curl({ QStringLiteral("--interface"), from, m_base + path });
    }

    Boot boot(const QString &mac, const QString &from) const
    {
        Boot b { mac, from, {}, {}, {} };
        b.script = get(QStringLiteral("/boot/%1.ipxe").arg(mac), from).body;
        const auto match = QRegularExpression(QStringLiteral("drover.boot=([0-9a-f]+) drover.token=([0-9a-f]+)"))
                               .match(QString::fromLatin1(b.script));
        if (match.hasMatch()) {
            b.id = match.captured(1);
            b.token = match.captured(2);
        }
        return b;
    }

    CurlResult source(const Boot &b, const QString &digest = {}) const
    {
        return get(QStringLiteral("/layer-source?mac=%1&boot=%2&token=%3&digest=%4")
                       .arg(b.mac, b.id, b.token, digest.isEmpty() ? layer() : digest),
            b.from);
    }

    int report(const Boot &b, const QString &result, const QString &from) const
    {
        return get(QStringLiteral("/layer-report?mac=%1&boot=%2&token=%3&digest=%4&result=%5&from=%6")
                       .arg(b.mac, b.id, b.token, layer(), result, from),
            b.from)
            .status;
    }

    void setPeers(const QString &on)
    {
        QVERIFY(catalog()->setSetting(QLatin1String(LayerTracker::kEnabledSetting), on).ok());
        QTRY_COMPARE(m_server->index()->snapshot()->setting(QLatin1String(LayerTracker::kEnabledSetting)), on);
    }

    QList<BootEvent> events(const QString &machine, const QString &phase) const
    {
        m_server->recorder()->flush();
        return catalog()->events(EventFilter { machine, phase, 0, 1000 });
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString why;
        m_t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(m_t.lab, qPrintable(why));
        auto image = addTestImage(m_t.lab.get(), QStringLiteral("debian"), QStringLiteral("12"));
        QVERIFY2(image.ok(), qPrintable(image.error()));
        m_image = image.value();
        auto other = addTestImage(m_t.lab.get(), QStringLiteral("debian"), QStringLiteral("13"));
        QVERIFY2(other.ok(), qPrintable(other.error()));
        m_other = other.value();
        QVERIFY(!m_image.manifest.layers.isEmpty());
        QVERIFY(catalog()->addMachine(testMachine(QStringLiteral("pc-a"), m_macA)).ok());
        QVERIFY(catalog()->addMachine(testMachine(QStringLiteral("pc-b"), m_macB)).ok());
        QVERIFY(catalog()->assign(TargetKind::Default, {}, QStringLiteral("debian:12"), QStringLiteral("t"), {}).ok());
        QVERIFY(catalog()->setSetting(QLatin1String(LayerTracker::kUploadsSetting), QStringLiteral("1")).ok());
        QVERIFY(catalog()->setSetting(QLatin1String(LayerTracker::kServerSlotsSetting), QStringLiteral("1")).ok());
        m_server = new HttpBootServer(m_t.lab.get(), this);
        HttpBootSettings settings;
        settings.port = 0;
        settings.address = QHostAddress::Any; // reachable from 127.0.0.2 as well
        const Status started = m_server->start(settings);
        QVERIFY2(started.ok(), qPrintable(started.error()));
        m_base = QStringLiteral("http://127.0.0.1:%1").arg(m_server->port());
        m_server->bindAddress(m_macA, QHostAddress(QStringLiteral("127.0.0.1")), QStringLiteral("test"));
        m_server->bindAddress(m_macB, QHostAddress(QStringLiteral("127.0.0.2")), QStringLiteral("test"));
    }

    void cleanupTestCase()
    {
        delete m_server;
        m_t = TestLab();
    }

    // Off by default: no drover.peers=1, and the tracker sends machines to Drover.
    void offUntilSwitchedOn()
    {
        const Boot a = boot(m_macA, QStringLiteral("127.0.0.1"));
        QVERIFY2(!a.id.isEmpty(), a.script.constData());
        QVERIFY(!a.script.contains("drover.peers"));
        const CurlResult r = source(a);
        QCOMPARE(r.status, 409);
        QVERIFY2(r.body.contains("fetch from the server"), r.body.constData());
        setPeers(QStringLiteral("on"));
        QVERIFY(boot(m_macA, QStringLiteral("127.0.0.1")).script.contains(" drover.peers=1"));
    }

    // K = 1, S = 1: Drover serves one, the other waits, then fetches from the first holder.
    void serverThenWaitThenPeer()
    {
        setPeers(QStringLiteral("on"));
        const Boot a = boot(m_macA, QStringLiteral("127.0.0.1"));
        const Boot b = boot(m_macB, QStringLiteral("127.0.0.2"));
        QVERIFY(!a.id.isEmpty() && !b.id.isEmpty());
        CurlResult r = source(a);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("server\n"));
        QCOMPARE(r.header("cache-control"), QByteArray("no-store"));
        QCOMPARE(source(b).body, QByteArray("wait 250\n"));
        QCOMPARE(report(a, QStringLiteral("verified"), QStringLiteral("server")), 204);
        r = source(b);
        QCOMPARE(r.body, QByteArray("peer 127.0.0.1 8099\nserver\n"));
        // From a neighbour, a verified layer is the boot's progress in the log.
        QCOMPARE(report(b, QStringLiteral("verified"), QStringLiteral("127.0.0.1")), 204);
        const auto fetched = events(QStringLiteral("pc-b"), QStringLiteral("layer"));
        QVERIFY(!fetched.isEmpty());
        QVERIFY2(fetched.first().detail.contains(QLatin1String("from its neighbour pc-a (127.0.0.1), verified")),
            qPrintable(fetched.first().detail));
        QCOMPARE(fetched.first().bootId, b.id);
    }

    // Wrong bytes from the peer it was sent to: an error naming both machines. A new boot of
    // the peer holds nothing.
    void badDigestAndReboot()
    {
        setPeers(QStringLiteral("on"));
        // New boots of both: nothing either held before counts.
        const Boot a = boot(m_macA, QStringLiteral("127.0.0.1"));
        const Boot b = boot(m_macB, QStringLiteral("127.0.0.2"));
        QCOMPARE(source(a).body, QByteArray("server\n"));
        QCOMPARE(report(a, QStringLiteral("verified"), QStringLiteral("server")), 204);
        QCOMPARE(source(b).body, QByteArray("peer 127.0.0.1 8099\nserver\n"));
        QCOMPARE(report(b, QStringLiteral("bad-digest"), QStringLiteral("127.0.0.1")), 204);
        const auto bad = events(QStringLiteral("pc-b"), QStringLiteral("peer"));
        QVERIFY(!bad.isEmpty());
        QCOMPARE(bad.first().severity, QStringLiteral("error"));
        QVERIFY2(bad.first().detail.contains(
                     QLatin1String("the neighbour pc-a (127.0.0.1) served bytes that do not match for layer 0")),
            qPrintable(bad.first().detail));
        // pc-b is not sent back to pc-a: Drover's slot is free.
        QCOMPARE(source(b).body, QByteArray("server\n"));
        QCOMPARE(report(b, QStringLiteral("verified"), QStringLiteral("server")), 204);
        // pc-b rebooted: what its old boot held went with it; pc-a now goes to Drover.
        boot(m_macB, QStringLiteral("127.0.0.2"));
        const Boot a2 = boot(m_macA, QStringLiteral("127.0.0.1"));
        QCOMPARE(source(a2).body, QByteArray("server\n"));
    }

    void refused_data()
    {
        QTest::addColumn<QString>("path"); // MAC, BOOT, TOKEN, LAYER: pc-b's; OTHER: debian:13's layer
        QTest::addColumn<QString>("from");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("answer");
        const QString q = QStringLiteral("mac=MAC&boot=BOOT&token=TOKEN");
        QTest::newRow("wrong token") << QStringLiteral("/layer-source?mac=MAC&boot=BOOT&token=%1&digest=LAYER")
                                            .arg(QString(32, QLatin1Char('0')))
                                     << "127.0.0.2" << 403 << QByteArray("wrong token");
        QTest::newRow("pc-b's boot from pc-a's address") << QStringLiteral("/layer-source?%1&digest=LAYER").arg(q)
                                                         << "127.0.0.1" << 403 << QByteArray("was issued to 127.0.0.2");
        QTest::newRow("no digest") << QStringLiteral("/layer-source?%1").arg(q) << "127.0.0.2" << 400
                                   << QByteArray("digest is not");
        QTest::newRow("another image's layer") << QStringLiteral("/layer-source?%1&digest=OTHER").arg(q) << "127.0.0.2"
                                               << 404 << QByteArray("not a layer of the image");
        QTest::newRow("the kernel is no layer")
            << QStringLiteral("/layer-report?%1&digest=KERNEL&result=verified&from=server").arg(q) << "127.0.0.2" << 404
            << QByteArray("not a layer");
        QTest::newRow("unknown result")
            << QStringLiteral("/layer-report?%1&digest=LAYER&result=great&from=server").arg(q) << "127.0.0.2" << 400
            << QByteArray("result must be one of");
        QTest::newRow("from neither server nor an address")
            << QStringLiteral("/layer-report?%1&digest=LAYER&result=stalled&from=http://x/").arg(q) << "127.0.0.2"
            << 400 << QByteArray("from must be");
        QTest::newRow("malformed query") << QStringLiteral("/layer-source?mac=%zz") << "127.0.0.2" << 400
                                         << QByteArray("Bad Request");
    }

    void refused()
    {
        QFETCH(QString, path);
        QFETCH(QString, from);
        QFETCH(int, status);
        QFETCH(QByteArray, answer);
        setPeers(QStringLiteral("on"));
        const Boot b = boot(m_macB, QStringLiteral("127.0.0.2"));
        QVERIFY(!b.id.isEmpty());
        path.replace(QLatin1String("MAC"), b.mac)
            .replace(QLatin1String("BOOT"), b.id)
            .replace(QLatin1String("TOKEN"), b.token)
            .replace(QLatin1String("LAYER"), layer())
            .replace(QLatin1String("OTHER"), m_other.manifest.layers.value(0).digest.toString())
            .replace(QLatin1String("KERNEL"), m_image.manifest.kernel.digest.toString());
        const CurlResult r = get(path, from);
        QCOMPARE(r.status, status);
        QVERIFY2(r.body.contains(answer), r.body.constData());
    }

    // Blame needs the assignment: a student who was never sent to pc-a cannot report it.
    void noBlameWithoutAssignment()
    {
        setPeers(QStringLiteral("on"));
        const Boot a = boot(m_macA, QStringLiteral("127.0.0.1"));
        const Boot b = boot(m_macB, QStringLiteral("127.0.0.2"));
        QCOMPARE(source(a).body, QByteArray("server\n"));
        QCOMPARE(report(a, QStringLiteral("verified"), QStringLiteral("server")), 204);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(report(b, QStringLiteral("bad-digest"), QStringLiteral("127.0.0.1")), 204);
        int unblamed = 0;
        for (const BootEvent &e : events(QStringLiteral("pc-b"), QStringLiteral("peer")))
            unblamed += e.bootId == b.id && e.detail.contains(QLatin1String("nobody is blamed")) ? 1 : 0;
        QCOMPARE(unblamed, 3);
        // pc-a is still named.
        QCOMPARE(source(b).body, QByteArray("peer 127.0.0.1 8099\nserver\n"));
    }
};

QTEST_GUILESS_MAIN(TstPeerRoutes)
#include "tst_peerroutes.moc"
