// The configuration URLs of the HTTP boot server with real curl: /config/<mac> answers 200
// with the rendered drover-config file, 404 without a configuration, 403 for a token that is
// not this boot's, 400 for a malformed MAC; an edit is served at the next request; each
// answer is a boot event. /nocloud/<mac>/… serves cloud-init's NoCloud files. Script results
// the ready unit reports are recorded with the boot.
#include "boot/bootrecorder.h"
#include "boot/http/httpbootserver.h"
#include "catalog/catalog.h"
#include "testlab.h"
#include "tst_http_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace drover;
using namespace drover::test;

class TstConfigRoutes : public QObject {
    Q_OBJECT

    TestLab m_t;
    HttpBootServer *m_server = nullptr;
    QString m_base;
    QString m_boot;
    QString m_token;
    const QString m_mac = QStringLiteral("52:54:00:12:34:56");

    QString url(const QString &path) const { return m_base + path; }
    QString configUrl(const QString &mac, const QString &boot, const QString &token) const
    {
        return url(QStringLiteral("/config/%1?boot=%2&token=%3").arg(mac, boot, token));
    }
    // A new boot, as the machine's iPXE would start it: its id and token.
    void newBoot()
    {
        QString why;
        const IssuedBoot issued = issueBoot(url(QStringLiteral("/boot/52-54-00-12-34-56.ipxe")), &why);
        QVERIFY2(!issued.boot.isEmpty(), qPrintable(why));
        m_boot = issued.boot;
        m_token = issued.token;
    }
    // The configuration is served once per boot: each fetch here is a new boot's.
    CurlResult fetchConfig()
    {
        newBoot();
        return curl({ configUrl(m_mac, m_boot, m_token) });
    }
    QList<BootEvent> events(const QString &phase) const
    {
        m_server->recorder()->flush();
        return m_t.lab->catalog()->events(EventFilter { QStringLiteral("pc-01"), phase, 0, 100 });
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString why;
        m_t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(m_t.lab, qPrintable(why));
        QVERIFY(addTestImage(m_t.lab.get(), QStringLiteral("debian"), QStringLiteral("12")).ok());
        Catalog *c = m_t.lab->catalog();
        Machine m = testMachine(QStringLiteral("pc-01"), m_mac, QStringLiteral("lab"));
        m.labels.insert(QStringLiteral("room"), QStringLiteral("b2"));
        QVERIFY(c->addMachine(m).ok());
        QVERIFY(c->assign(TargetKind::Default, {}, QStringLiteral("debian:12"), QStringLiteral("t"), {}).ok());
        m_server = startLoopbackBootServer(m_t.lab.get(), this, m_mac, &why);
        QVERIFY2(m_server, qPrintable(why));
        m_base = QStringLiteral("http://127.0.0.1:%1").arg(m_server->port());
        newBoot();
    }

    void cleanupTestCase()
    {
        delete m_server;
        m_t = TestLab();
    }

    void noConfiguration()
    {
        const CurlResult r = fetchConfig();
        QCOMPARE(r.status, 404);
        QTRY_VERIFY(!events(QStringLiteral("config")).isEmpty());
        QVERIFY(events(QStringLiteral("config")).last().detail.contains(QLatin1String("the image boots as built")));
    }

    void served()
    {
        Catalog *c = m_t.lab->catalog();
        auto g = c->setConfig(TargetKind::Group, QStringLiteral("lab"),
            QStringLiteral(R"({"hostname": "{{name}}.{{label.room}}.lab", "users": [{"name": "root",
                "keys": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHJvb3Qga2V5 admin"]}],
                "files": [{"path": "/etc/drover-ip", "content": "{{ip}}", "template": true}]})"),
            0, QStringLiteral("ann"));
        QVERIFY2(g.ok(), qPrintable(g.error()));
        CurlResult r = fetchConfig();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("cache-control"), QByteArray("no-store"));
        QVERIFY2(r.body.startsWith("drover-config 1\n"), r.body.constData());
        QVERIFY(r.body.contains("\nhostname pc-01.b2.lab\n"));
        QVERIFY(r.body.contains("\nkey root ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHJvb3Qga2V5 admin\n"));
        // {{ip}} is the address the request came from.
        QVERIFY(r.body.contains(
            QByteArray("file 0644 root:root /etc/drover-ip " + QByteArray("127.0.0.1").toBase64() + "\n")));
        // The MAC as iPXE's hexhyp or bare hex works too; once per boot.
        QCOMPARE(curl({ configUrl(QStringLiteral("52-54-00-12-34-56"), m_boot, m_token) }).status, 403);
        newBoot();
        QCOMPARE(curl({ configUrl(QStringLiteral("52-54-00-12-34-56"), m_boot, m_token) }).body, r.body);

        // An edit is served at the very next request.
        QVERIFY(
            c->setConfig(TargetKind::Machine, QStringLiteral("pc-01"), QStringLiteral(R"({"hostname": "special"})"), 0,
                 QStringLiteral("bob"))
                .ok());
        r = fetchConfig();
        QCOMPARE(r.status, 200);
        QVERIFY2(r.body.contains("\nhostname special\n"), r.body.constData());
        QVERIFY(r.body.contains("key root"));

        const auto served = events(QStringLiteral("config"));
        QVERIFY(!served.isEmpty());
        QVERIFY2(
            served.last().detail.contains(QLatin1String("configuration served to 127.0.0.1: hostname special, 0 users, "
                                                        "1 keys, 1 files, 0 scripts")),
            qPrintable(served.last().detail));
        QVERIFY(served.last().detail.contains(QLatin1String("group lab r1, machine pc-01 r1")));
        QCOMPARE(served.last().bootId, m_boot);
        QCOMPARE(served.last().image, QStringLiteral("debian:12"));
    }

    void refused_data()
    {
        QTest::addColumn<QString>("path"); // BOOT and TOKEN stand for this boot's
        QTest::addColumn<int>("status");
        const QString zeros(32, QLatin1Char('0'));
        QTest::newRow("wrong token") << QStringLiteral("/config/52:54:00:12:34:56?boot=BOOT&token=") + zeros << 403;
        QTest::newRow("another MAC's boot") << QStringLiteral("/config/52:54:00:12:34:57?boot=BOOT&token=TOKEN") << 403;
        QTest::newRow("bad MAC") << QStringLiteral("/config/52:54:00:12:34?boot=BOOT&token=TOKEN") << 400;
        QTest::newRow("traversal") << QStringLiteral("/config/..%2f..%2fetc%2fpasswd?boot=BOOT&token=TOKEN") << 400;
        QTest::newRow("no token") << QStringLiteral("/config/52:54:00:12:34:56?boot=BOOT") << 400;
        QTest::newRow("malformed token") << QStringLiteral("/config/52:54:00:12:34:56?boot=BOOT&token=a$(x)") << 400;
        QTest::newRow("bad escape") << QStringLiteral("/config/52:54:00:12:34:56?boot=BOOT&token=%zz") << 400;
    }
    void refused()
    {
        QFETCH(QString, path);
        QFETCH(int, status);
        path.replace(QLatin1String("BOOT"), m_boot).replace(QLatin1String("TOKEN"), m_token);
        QCOMPARE(curl({ url(path) }).status, status);
    }

    void refusedIsRecorded()
    {
        QCOMPARE(curl({ configUrl(m_mac, m_boot, QString(32, QLatin1Char('0'))) }).status, 403);
        m_server->recorder()->flush();
        const auto list = m_t.lab->catalog()->events(EventFilter { m_mac, QStringLiteral("refused"), 0, 100 });
        bool found = false;
        for (const BootEvent &e : list)
            found
                = found || (e.severity == QLatin1String("warning") && e.detail.contains(QLatin1String("wrong token")));
        QVERIFY(found);
        // POST is not a way in either.
        QCOMPARE(curl({ QStringLiteral("-X"), QStringLiteral("POST"), configUrl(m_mac, m_boot, m_token) }).status, 405);
    }

    void renderErrorIsAnError()
    {
        Catalog *c = m_t.lab->catalog();
        const auto own = c->config(TargetKind::Machine, QStringLiteral("pc-01"));
        QVERIFY(own);
        QVERIFY(
            c->setConfig(TargetKind::Machine, QStringLiteral("pc-01"),
                 QStringLiteral(R"({"hostname": "{{label.rack}}"})"), own->revision, {})
                .ok());
        QCOMPARE(fetchConfig().status, 500);
        const auto list = events(QStringLiteral("config"));
        QCOMPARE(list.last().severity, QStringLiteral("error"));
        QVERIFY2(list.last().detail.contains(QLatin1String("machine pc-01 has no label 'rack'")),
            qPrintable(list.last().detail));
        QVERIFY(c->removeConfig(TargetKind::Machine, QStringLiteral("pc-01"), own->revision + 1).ok());
        QCOMPARE(fetchConfig().status, 200);
    }

    void noCloud()
    {
        newBoot();
        // Only with the boot's id and token in the seed URL, and each file once per boot.
        QCOMPARE(curl({ url(QStringLiteral("/nocloud/52:54:00:12:34:56/user-data")) }).status, 403);
        const QString base = url(QStringLiteral("/nocloud/52:54:00:12:34:56/%1/%2/").arg(m_boot, m_token));
        CurlResult meta = curl({ base + QStringLiteral("meta-data") });
        QCOMPARE(meta.status, 200);
        const QJsonObject m = QJsonDocument::fromJson(meta.body).object();
        QCOMPARE(m.value(QStringLiteral("local-hostname")).toString(), QStringLiteral("pc-01.b2.lab"));
        QVERIFY(m.value(QStringLiteral("instance-id")).toString().startsWith(QLatin1String("drover-525400123456-")));
        CurlResult user = curl({ base + QStringLiteral("user-data") });
        QCOMPARE(user.status, 200);
        QVERIFY(user.body.startsWith("#cloud-config\n"));
        const QJsonObject u = QJsonDocument::fromJson(user.body.mid(14)).object();
        QCOMPARE(u.value(QStringLiteral("fqdn")).toString(), QStringLiteral("pc-01.b2.lab"));
        QCOMPARE(u[QStringLiteral("users")]
                     .toArray()
                     .at(1)[QStringLiteral("ssh_authorized_keys")]
                     .toArray()
                     .at(0)
                     .toString(),
            QStringLiteral("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHJvb3Qga2V5 admin"));
        CurlResult net = curl({ base + QStringLiteral("network-config") });
        QCOMPARE(net.status, 200);
        QCOMPARE(QJsonDocument::fromJson(net.body).object().value(QStringLiteral("version")).toInt(), 2);
        QCOMPARE(curl({ base + QStringLiteral("vendor-data") }).status, 200);
        QCOMPARE(curl({ base + QStringLiteral("user-data") }).status, 403); // once per boot
        QTRY_VERIFY(!events(QStringLiteral("nocloud")).isEmpty());
        QVERIFY(
            events(QStringLiteral("nocloud")).last().detail.contains(QLatin1String("user-data served to 127.0.0.1")));

        newBoot();
        QCOMPARE(curl({ url(QStringLiteral("/nocloud/52:54:00:12:34:56/%1/%2/meta-data")
                              .arg(m_boot, QString(32, QLatin1Char('1')))) })
                     .status,
            403);
        QCOMPARE(curl({ url(QStringLiteral("/nocloud/52:54:00:12:34:56/secret")) }).status, 404);
        QCOMPARE(curl({ url(QStringLiteral("/nocloud/52:54:00:12:34:56/../../meta-data")) }).status, 404);
        QCOMPARE(curl({ url(QStringLiteral("/nocloud/zz/meta-data")) }).status, 400);
        QCOMPARE(
            curl({ url(QStringLiteral("/nocloud/02:00:00:00:00:09/%1/%2/meta-data").arg(m_boot, m_token)) }).status,
            403);
    }

    // The ready unit reports its scripts' results in the ready and failed reports' details:
    // they are recorded with the boot and shown with it.
    void scriptResults()
    {
        newBoot();
        // A ready report names the manifest the machine booted.
        const QString who
            = QStringLiteral("/report?mac=52:54:00:12:34:56&boot=%1&token=%2&digest=%3")
                  .arg(m_boot, m_token, m_t.lab->catalog()->imageByTag(QStringLiteral("debian:12"))->manifestDigest);
        QCOMPARE(
            curl({ url(who + QStringLiteral("&phase=ready&detail=uptime%3D30s%20scripts%3D01-hello%3D0")) }).status,
            204);
        QTRY_VERIFY(!events(QStringLiteral("ready")).isEmpty());
        QVERIFY(events(QStringLiteral("ready")).last().detail.contains(QLatin1String("scripts=01-hello=0")));
        QCOMPARE(
            curl({ url(who
                     + QStringLiteral("&phase=failed&detail=ready%3A%20script%2002-broken%20exited%203%3A%20broken")) })
                .status,
            204);
        const auto failed = events(QStringLiteral("failed"));
        QVERIFY(!failed.isEmpty());
        QCOMPARE(failed.last().severity, QStringLiteral("error"));
        QVERIFY(failed.last().detail.contains(QLatin1String("ready: script 02-broken exited 3: broken")));
    }
};

QTEST_GUILESS_MAIN(TstConfigRoutes)
#include "tst_configroutes.moc"
