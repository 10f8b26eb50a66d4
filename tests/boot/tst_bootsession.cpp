// Boot sessions (issues 12 and 13) with real curl against the HTTP boot server: a ready
// report counts only for the manifest the boot was given (also after a restart, from the
// catalog's boot_session table); a script goes only to the address the MAC is bound to;
// reports, /config and /nocloud only from the machine's newest boot, from its address,
// before its deadline; /config and each NoCloud file once per boot; cloned MACs (two
// addresses at once, another SMBIOS UUID, a required UUID missing) are refused with an
// alert; the token key lives in DATA/boot-secret (0600). The "student" is curl bound to
// 127.0.0.2, the machine 127.0.0.1.
#include "boot/bootbindings.h"
#include "boot/bootindex.h"
#include "boot/bootrecorder.h"
#include "boot/boottoken.h"
#include "boot/http/httpbootserver.h"
#include "catalog/catalog.h"
#include "testlab.h"
#include "tst_http_support.h"

#include <QDateTime>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace drover;
using namespace drover::test;

namespace {

const QHostAddress kMachineAddress(QStringLiteral("127.0.0.1"));
const QString kStudent = QStringLiteral("127.0.0.2");

struct Boot {
    QString id;
    QString token;
    QByteArray script;
    int status = 0;
};

} // namespace

class TstBootSession : public QObject {
    Q_OBJECT

    TestLab m_t;
    HttpBootServer *m_server = nullptr;
    QString m_base;
    TestImage m_good; // debian:12, assigned
    TestImage m_other; // debian:13, another image's manifest

    QString url(const QString &path) const { return m_base + path; }
    Catalog *catalog() const { return m_t.lab->catalog(); }

    void startServer()
    {
        HttpBootSettings settings;
        settings.port = 0;
        settings.address = QHostAddress::Any; // reachable from 127.0.0.2 as well
        const Status started = m_server->start(settings);
        QVERIFY2(started.ok(), qPrintable(started.error()));
        m_base = QStringLiteral("http://127.0.0.1:%1").arg(m_server->port());
    }

    // curl from the machine's address, or from the student's with `from`.
    CurlResult get(const QString &path, const QString &from = {}) const
    {
        QStringList args;
        if (!from.isEmpty())
            args << QStringLiteral("--interface") << from;
        args << url(path);
        return curl(args);
    }

    Boot boot(const QString &mac, const QString &from = {}, const QString &query = {}) const
    {
        Boot b;
        const CurlResult r = get(QStringLiteral("/boot/%1.ipxe%2").arg(mac, query), from);
        b.status = r.status;
        b.script = r.body;
        const auto match = QRegularExpression(QStringLiteral("drover.boot=([0-9a-f]+) drover.token=([0-9a-f]+)"))
                               .match(QString::fromLatin1(r.body));
        if (match.hasMatch()) {
            b.id = match.captured(1);
            b.token = match.captured(2);
        }
        return b;
    }

    int report(
        const QString &mac, const Boot &b, const QString &phase, const QString &digest, const QString &from = {}) const
    {
        QString q = QStringLiteral("/report?mac=%1&boot=%2&token=%3&phase=%4").arg(mac, b.id, b.token, phase);
        if (!digest.isNull())
            q += QStringLiteral("&digest=") + digest;
        return get(q, from).status;
    }

    Machine machine(const QString &name) const
    {
        m_server->recorder()->flush();
        return *catalog()->machineByName(name);
    }

    QList<BootEvent> events(const QString &who, const QString &phase) const
    {
        m_server->recorder()->flush();
        return catalog()->events(EventFilter { who, phase, 0, 1000 });
    }

    // A machine that booted debian:12 to ready once: its last-known-good image is debian:12.
    void addMachine(const QString &name, const QString &mac)
    {
        QVERIFY(catalog()->addMachine(testMachine(name, mac)).ok());
        m_server->bindAddress(mac, kMachineAddress, QStringLiteral("test"));
        QVERIFY(catalog()->recordBootResult(name, QStringLiteral("debian:12"), true).ok());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString why;
        m_t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(m_t.lab, qPrintable(why));
        auto good = addTestImage(m_t.lab.get(), QStringLiteral("debian"), QStringLiteral("12"));
        QVERIFY2(good.ok(), qPrintable(good.error()));
        m_good = good.value();
        auto other = addTestImage(m_t.lab.get(), QStringLiteral("debian"), QStringLiteral("13"));
        QVERIFY2(other.ok(), qPrintable(other.error()));
        m_other = other.value();
        QVERIFY(catalog()->assign(TargetKind::Default, {}, QStringLiteral("debian:12"), QStringLiteral("t"), {}).ok());
        m_server = new HttpBootServer(m_t.lab.get(), this);
        startServer();
    }

    void cleanupTestCase()
    {
        delete m_server;
        m_t = TestLab();
    }

    // Issue 12: ready with the digest of other bytes, or none, is a failed boot; never ready,
    // never last-known-good. Also for a boot issued before a restart (checked against the
    // catalog's boot_session, not the report's own digest).
    void readyMustNameTheAssignedManifest_data()
    {
        QTest::addColumn<QString>("digest"); // OTHER: another image's manifest; null: none sent
        QTest::addColumn<bool>("restart");
        QTest::addColumn<QString>("reason");
        QTest::newRow("other digest") << QStringLiteral("OTHER") << false << QStringLiteral("booted sha256:");
        QTest::newRow("no digest") << QString() << false << QStringLiteral("reported no digest");
        QTest::newRow("other digest after a restart")
            << QStringLiteral("OTHER") << true << QStringLiteral("booted sha256:");
        QTest::newRow("no digest after a restart") << QString() << true << QStringLiteral("reported no digest");
    }
    void readyMustNameTheAssignedManifest()
    {
        QFETCH(QString, digest);
        QFETCH(bool, restart);
        QFETCH(QString, reason);
        static int n = 0;
        const QString name = QStringLiteral("truth-%1").arg(++n);
        const QString mac = QStringLiteral("52:54:00:aa:00:%1").arg(n, 2, 10, QLatin1Char('0'));
        addMachine(name, mac);
        QVERIFY(catalog()->recordBootResult(name, QStringLiteral("debian:13"), true).ok()); // last good: debian:13
        const Boot b = boot(mac);
        QVERIFY2(!b.id.isEmpty(), b.script.constData());
        if (restart) {
            m_server->stop();
            startServer();
        }
        const QString sent = digest == QLatin1String("OTHER") ? m_other.record.manifestDigest : digest;
        const int status = report(mac, b, QStringLiteral("ready"), sent);
        const auto refusals = events(mac, QStringLiteral("refused"));
        QVERIFY2(status == 204, qPrintable(refusals.isEmpty() ? QString::number(status) : refusals.last().detail));
        const Machine m = machine(name);
        QCOMPARE(m.state, MachineState::Failed);
        QCOMPARE(m.lastGoodImage, QStringLiteral("debian:13")); // unchanged
        QCOMPARE(m.failedAttempts, 1);
        const auto failed = events(name, QStringLiteral("failed"));
        QVERIFY(!failed.isEmpty());
        QVERIFY2(failed.last().detail.contains(reason), qPrintable(failed.last().detail));
        if (!sent.isEmpty())
            QVERIFY2(failed.last().detail.contains(
                         QStringLiteral("booted %1, assigned %2").arg(sent, m_good.record.manifestDigest)),
                qPrintable(failed.last().detail));
        QVERIFY(events(name, QStringLiteral("ready")).isEmpty());

        // The right digest, after a restart too: ready, and last-known-good.
        const Boot again = boot(mac);
        if (restart) {
            m_server->stop();
            startServer();
        }
        QCOMPARE(report(mac, again, QStringLiteral("ready"), m_good.record.manifestDigest), 204);
        QCOMPARE(machine(name).state, MachineState::Ready);
        QCOMPARE(machine(name).lastGoodImage, QStringLiteral("debian:12"));
        const auto ready = events(name, QStringLiteral("ready"));
        QVERIFY(!ready.isEmpty());
        QVERIFY2(ready.last().detail.contains(QStringLiteral("[reported %1]").arg(m_good.record.manifestDigest)),
            qPrintable(ready.last().detail));
    }

    // Issue 13: only the bound address gets a script; anyone else changes nothing.
    void scriptOnlyToTheBoundAddress()
    {
        addMachine(QStringLiteral("victim"), QStringLiteral("52:54:00:bb:00:01"));
        const Machine before = machine(QStringLiteral("victim"));
        const Boot stolen = boot(QStringLiteral("52-54-00-bb-00-01"), kStudent);
        QCOMPARE(stolen.status, 403);
        QVERIFY(stolen.id.isEmpty());
        QVERIFY(!stolen.script.contains("drover.token"));
        const Machine after = machine(QStringLiteral("victim"));
        QCOMPARE(after.state, before.state);
        QCOMPARE(after.phase, before.phase);
        QVERIFY(events(QStringLiteral("victim"), QStringLiteral("script")).isEmpty());
        const auto refused = events(QStringLiteral("52:54:00:bb:00:01"), QStringLiteral("refused"));
        QCOMPARE(refused.size(), 1);
        QVERIFY2(refused.first().detail.contains(kStudent), qPrintable(refused.first().detail));
        // Refusals are logged once a minute per address, not once per request.
        QCOMPARE(boot(QStringLiteral("52-54-00-bb-00-01"), kStudent).status, 403);
        QCOMPARE(events(QStringLiteral("52:54:00:bb:00:01"), QStringLiteral("refused")).size(), 1);
        // A MAC DHCP never saw gets nothing either.
        QCOMPARE(boot(QStringLiteral("52-54-00-bb-00-99")).status, 403);
        // The machine itself boots.
        QVERIFY(!boot(QStringLiteral("52-54-00-bb-00-01")).id.isEmpty());
    }

    // Reports only from the newest boot, its address, for its image, before its deadline.
    void forgedReportsChangeNothing_data()
    {
        QTest::addColumn<QString>("forgery");
        QTest::newRow("from another address") << QStringLiteral("address");
        QTest::newRow("an older boot") << QStringLiteral("old");
        QTest::newRow("another image") << QStringLiteral("image");
        QTest::newRow("another MAC's token") << QStringLiteral("mac");
        QTest::newRow("past the deadline") << QStringLiteral("deadline");
    }
    void forgedReportsChangeNothing()
    {
        QFETCH(QString, forgery);
        static int n = 0;
        const QString name = QStringLiteral("forged-%1").arg(++n);
        const QString mac = QStringLiteral("52:54:00:cc:00:%1").arg(n, 2, 10, QLatin1Char('0'));
        addMachine(name, mac);
        if (forgery == QLatin1String("deadline"))
            QVERIFY(catalog()->setSetting(QStringLiteral("deadline/group/late"), QStringLiteral("1")).ok());
        if (forgery == QLatin1String("deadline")) {
            Machine m = *catalog()->machineByName(name);
            m.labels.insert(QStringLiteral("group"), QStringLiteral("late"));
            QVERIFY(catalog()->updateMachine(m).ok());
            m_server->index()->invalidate();
            QTRY_VERIFY(
                m_server->index()->snapshot()->setting(QStringLiteral("deadline/group/late")) == QLatin1String("1"));
            QTRY_VERIFY(m_server->index()->snapshot()->machineByMac(mac)
                && m_server->index()->snapshot()->machineByMac(mac)->group() == QLatin1String("late"));
        }
        Boot b = boot(mac);
        QVERIFY2(!b.id.isEmpty(), b.script.constData());
        QCOMPARE(report(mac, b, QStringLiteral("fetched"), m_good.record.manifestDigest), 204);
        const Machine before = machine(name);
        QString from;
        QString digest = m_good.record.manifestDigest;
        QString reportMac = mac;
        if (forgery == QLatin1String("address")) {
            from = kStudent;
        } else if (forgery == QLatin1String("old")) {
            const Boot newer = boot(mac);
            QVERIFY(!newer.id.isEmpty());
        } else if (forgery == QLatin1String("image")) {
            digest = m_other.record.manifestDigest;
        } else if (forgery == QLatin1String("mac")) {
            reportMac = QStringLiteral("52:54:00:bb:00:01");
        } else if (forgery == QLatin1String("deadline")) {
            QTest::qWait(1300);
        }
        // A forged ready (a canary passes) and a forged failure (a rollout reverts): neither.
        const QString phase = forgery == QLatin1String("image") ? QStringLiteral("mounted") : QStringLiteral("ready");
        QCOMPARE(report(reportMac, b, phase, digest, from), 403);
        if (forgery != QLatin1String("image"))
            QCOMPARE(report(reportMac, b, QStringLiteral("failed"), digest, from), 403);
        const Machine after = machine(name);
        if (forgery != QLatin1String("deadline") && forgery != QLatin1String("old")) {
            QCOMPARE(after.state, before.state);
            QCOMPARE(after.phase, before.phase);
        }
        // Past the deadline, or when a newer boot starts after this one fetched, BootWatch
        // counts the boot as failed itself; the forgery adds nothing.
        if (forgery != QLatin1String("deadline") && forgery != QLatin1String("old"))
            QCOMPARE(after.failedAttempts, before.failedAttempts);
        QCOMPARE(after.lastGoodImage, before.lastGoodImage);
        QVERIFY(events(name, QStringLiteral("ready")).isEmpty());
    }

    // /config once per boot; NoCloud only with the token, each file once per boot; a newer
    // boot revokes the older one's token.
    void configurationOncePerBoot()
    {
        const QString mac = QStringLiteral("52:54:00:dd:00:01");
        addMachine(QStringLiteral("cfg"), mac);
        QVERIFY(catalog()
                ->setConfig(TargetKind::Machine, QStringLiteral("cfg"), QStringLiteral(R"({"hostname": "secret-pc"})"),
                    0, QStringLiteral("t"))
                .ok());
        const Boot b = boot(mac);
        const QString config = QStringLiteral("/config/%1?boot=%2&token=%3").arg(mac, b.id, b.token);
        QCOMPARE(get(config, kStudent).status, 403); // the token alone is not enough
        const CurlResult first = get(config);
        QCOMPARE(first.status, 200);
        QVERIFY(first.body.contains("hostname secret-pc"));
        QCOMPARE(get(config).status, 403); // used

        // NoCloud: no token, no data; with it, each file once.
        QCOMPARE(get(QStringLiteral("/nocloud/%1/user-data").arg(mac)).status, 403);
        const QString seed = QStringLiteral("/nocloud/%1/%2/%3/").arg(mac, b.id, b.token);
        QCOMPARE(get(seed + QStringLiteral("user-data"), kStudent).status, 403);
        for (const QString &file : { QStringLiteral("meta-data"), QStringLiteral("user-data"),
                 QStringLiteral("vendor-data"), QStringLiteral("network-config") }) {
            QCOMPARE(get(seed + file).status, 200);
            QCOMPARE(get(seed + file).status, 403);
        }

        // A newer boot revokes the old token at once.
        const Boot older = boot(mac);
        const Boot newer = boot(mac);
        QCOMPARE(get(QStringLiteral("/config/%1?boot=%2&token=%3").arg(mac, older.id, older.token)).status, 403);
        QCOMPARE(get(QStringLiteral("/config/%1?boot=%2&token=%3").arg(mac, newer.id, newer.token)).status, 200);
        QVERIFY(newer.script.isEmpty() || !newer.script.contains(older.token.toLatin1()));
    }

    // Cloned identities: refused with an error event that says so.
    void clonedMacs_data()
    {
        QTest::addColumn<QString>("clone");
        QTest::newRow("two addresses at once") << QStringLiteral("addresses");
        QTest::newRow("another SMBIOS UUID") << QStringLiteral("uuid");
        QTest::newRow("UUID required, none sent") << QStringLiteral("required");
        QTest::newRow("UUID required for the group, none sent") << QStringLiteral("group");
    }
    void clonedMacs()
    {
        QFETCH(QString, clone);
        static int n = 0;
        const QString name = QStringLiteral("clone-%1").arg(++n);
        const QString mac = QStringLiteral("52:54:00:ee:00:%1").arg(n, 2, 10, QLatin1Char('0'));
        const QString uuid = QStringLiteral("4c4c4544-0042-3510-8057-b7c04f4e3%1").arg(n, 3, 10, QLatin1Char('0'));
        Machine m = testMachine(name, mac, clone == QLatin1String("group") ? QStringLiteral("exam") : QString());
        QVERIFY(catalog()->addMachine(m).ok());
        m_server->bindAddress(mac, kMachineAddress, QStringLiteral("test"));
        // The first boot records the machine's UUID (registration).
        QVERIFY(!boot(mac, {}, QStringLiteral("?uuid=") + uuid).id.isEmpty());
        QCOMPARE(catalog()->machineByName(name)->uuid, uuid);
        auto snapshotUuid = [&] {
            const Machine *known = m_server->index()->snapshot()->machineByMac(mac);
            return known ? known->uuid : QString();
        };
        QTRY_COMPARE(snapshotUuid(), uuid);
        QString query = QStringLiteral("?uuid=") + uuid;
        if (clone == QLatin1String("addresses")) {
            auto bindings = m_server->bindings();
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            bindings->observe(mac, kMachineAddress, QStringLiteral("dhcp"), now);
            QVERIFY(bindings->observe(mac, QHostAddress(kStudent), QStringLiteral("dhcp"), now + 1000).has_value());
        } else if (clone == QLatin1String("uuid")) {
            query = QStringLiteral("?uuid=00112233-4455-6677-8899-aabbccddeeff");
        } else {
            QVERIFY(catalog()
                    ->setSetting(clone == QLatin1String("group") ? QStringLiteral("boot/require-uuid/group/exam")
                                                                 : QStringLiteral("boot/require-uuid/machine/") + name,
                        QStringLiteral("1"))
                    .ok());
            QTRY_VERIFY(m_server->index()->snapshot()->setting(clone == QLatin1String("group")
                                ? QStringLiteral("boot/require-uuid/group/exam")
                                : QStringLiteral("boot/require-uuid/machine/") + name)
                == QLatin1String("1"));
            QVERIFY(!boot(mac, {}, QStringLiteral("?uuid=") + uuid).id.isEmpty()); // the right UUID boots
            query.clear();
        }
        const Machine before = machine(name);
        const Boot refused = boot(mac, clone == QLatin1String("addresses") ? kStudent : QString(), query);
        QCOMPARE(refused.status, 403);
        QVERIFY(refused.id.isEmpty());
        QCOMPARE(machine(name).state, before.state);
        const auto alerts = events(mac, QStringLiteral("refused"));
        QVERIFY(!alerts.isEmpty());
        QCOMPARE(alerts.last().severity, QStringLiteral("error"));
        QVERIFY2(alerts.last().detail.contains(QStringLiteral("possible cloned MAC %1").arg(mac)),
            qPrintable(alerts.last().detail));
    }

    void bindingsSettle()
    {
        BootBindings b;
        const QString mac = QStringLiteral("52:54:00:ff:00:01");
        QVERIFY(!b.observe(mac, QHostAddress(QStringLiteral("10.0.0.5")), QStringLiteral("dhcp"), 0));
        QVERIFY(!b.observe(mac, QHostAddress(QStringLiteral("10.0.0.5")), QStringLiteral("dhcp"), 1000));
        // A new address long after the last one: the machine moved, not a clone.
        QVERIFY(!b.observe(mac, QHostAddress(QStringLiteral("10.0.0.6")), QStringLiteral("dhcp"),
            1000 + BootBindings::kCloneWindowMs));
        QVERIFY(!b.conflict(mac, 2000 + BootBindings::kCloneWindowMs));
        // Two at once: conflicted for the window, then settled.
        const qint64 t = 5000 + BootBindings::kCloneWindowMs;
        QVERIFY(b.observe(mac, QHostAddress(QStringLiteral("10.0.0.7")), QStringLiteral("dhcp"), t));
        QVERIFY(b.conflict(mac, t + 1));
        QVERIFY(!b.conflict(mac, t + BootBindings::kCloneWindowMs));
        // An IPv4-mapped address is the same address.
        QVERIFY(BootBindings::sameAddress(
            QHostAddress(QStringLiteral("::ffff:10.0.0.7")), QHostAddress(QStringLiteral("10.0.0.7"))));
    }

    // The token key: a 0600 file in the data directory, not the catalog.
    void secretApartFromTheCatalog()
    {
        const QString path = BootTokens::secretPath(m_t.lab->dataDir());
        QVERIFY(QFile::exists(path));
        QCOMPARE(QFile::permissions(path)
                & ~(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadUser | QFileDevice::WriteUser),
            QFileDevice::Permissions());
        QVERIFY(catalog()->setting(QStringLiteral("boot/secret")).isEmpty());
        auto again = BootTokens::loadOrCreateSecret(catalog(), m_t.lab->dataDir());
        QVERIFY(again.ok());
        QCOMPARE(again.value().size(), 32);

        // An older catalog's key moves to the file and leaves the catalog.
        QTemporaryDir other;
        const QByteArray old(32, 'k');
        QVERIFY(catalog()->setSetting(QStringLiteral("boot/secret"), QString::fromLatin1(old.toHex())).ok());
        auto moved = BootTokens::loadOrCreateSecret(catalog(), other.path());
        QVERIFY2(moved.ok(), qPrintable(moved.error()));
        QCOMPARE(moved.value(), old);
        QVERIFY(catalog()->setting(QStringLiteral("boot/secret")).isEmpty());
        QFile file(BootTokens::secretPath(other.path()));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(QByteArray::fromHex(file.readAll().trimmed()), old);
    }

    // The catalog's boot sessions on both backends: newest per MAC, once-only marks.
    void catalogSessions_data() { addBackendRows(); }
    void catalogSessions()
    {
        QFETCH(QString, backend);
        QString why;
        TestLab t = openTestLab(backend, &why);
        if (!t.lab)
            QFAIL(qPrintable(why));
        Catalog *c = t.lab->catalog();
        const QString mac = QStringLiteral("52:54:00:12:34:56");
        const Status added = c->addBootSessions(
            { BootSessionRecord { QStringLiteral("0000000100000001"), QStringLiteral("pc"), mac,
                  QStringLiteral("10.0.0.5"), QStringLiteral("sha256:aa"), QStringLiteral("x:1"), 1000, 601000, {} },
                BootSessionRecord { QStringLiteral("0000000200000002"), QStringLiteral("pc"), mac,
                    QStringLiteral("10.0.0.5"), QStringLiteral("sha256:bb"), QStringLiteral("x:2"), 2000, 602000,
                    {} } });
        QVERIFY2(added.ok(), qPrintable(added.error()));
        QCOMPARE(c->newestBootSession(mac)->bootId, QStringLiteral("0000000200000002"));
        QCOMPARE(c->bootSession(QStringLiteral("0000000100000001"))->manifest, QStringLiteral("sha256:aa"));
        QVERIFY(!c->bootSession(QStringLiteral("0000000300000003")));
        QCOMPARE(c->useBootSession(QStringLiteral("0000000200000002"), QStringLiteral("config")).value(), true);
        QCOMPARE(c->useBootSession(QStringLiteral("0000000200000002"), QStringLiteral("config")).value(), false);
        QCOMPARE(
            c->useBootSession(QStringLiteral("0000000200000002"), QStringLiteral("nocloud/user-data")).value(), true);
        QCOMPARE(c->useBootSession(QStringLiteral("0000000300000003"), QStringLiteral("config")).value(), false);
        QVERIFY(
            c->setBootBinding(BootBindingRecord { mac, QStringLiteral("10.0.0.5"), QStringLiteral("dhcp"), 5 }).ok());
        QVERIFY(
            c->setBootBinding(BootBindingRecord { mac, QStringLiteral("10.0.0.6"), QStringLiteral("proxy"), 6 }).ok());
        QCOMPARE(c->bootBinding(mac)->address, QStringLiteral("10.0.0.6"));
        QVERIFY(c->pruneBootSessions(601500).ok());
        QVERIFY(!c->bootSession(QStringLiteral("0000000100000001")));
        QVERIFY(c->bootSession(QStringLiteral("0000000200000002")));
    }
};

QTEST_GUILESS_MAIN(TstBootSession)
#include "tst_bootsession.moc"
