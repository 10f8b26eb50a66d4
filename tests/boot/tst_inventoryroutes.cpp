// POST /inventory with real curl and raw sockets: a boot's hardware report is stored with
// its machine once, only with that boot's token and from its address; a malformed report is
// refused naming the line; a body over 64 KiB is 413; a body split across packets and a
// request pipelined after one are read right; a change of hardware is a warning event.
// POST /tests the same way: a failed burn-in is an error event, marks the machine and keeps
// rollouts away from it until cleared.
#include "boot/bootrecorder.h"
#include "boot/http/httpbootserver.h"
#include "catalog/catalog.h"
#include "fleet/rollout.h"
#include "testlab.h"
#include "tst_http_support.h"

#include <QTemporaryDir>
#include <QTest>

using namespace drover;
using namespace drover::test;

class TstInventoryRoutes : public QObject {
    Q_OBJECT

    TestLab m_t;
    HttpBootServer *m_server = nullptr;
    QTemporaryDir m_dir;
    QString m_base;
    QString m_boot;
    QString m_token;
    const QString m_mac = QStringLiteral("52:54:00:12:34:56");

    void newBoot()
    {
        QString why;
        const IssuedBoot issued = issueBoot(m_base + QStringLiteral("/boot/52-54-00-12-34-56.ipxe"), &why);
        QVERIFY2(!issued.boot.isEmpty(), qPrintable(why));
        m_boot = issued.boot;
        m_token = issued.token;
    }
    QString inventoryUrl(const QString &token = {}, const QString &route = QStringLiteral("inventory")) const
    {
        return m_base
            + QStringLiteral("/%4?mac=%1&boot=%2&token=%3")
                  .arg(m_mac, m_boot, token.isEmpty() ? m_token : token, route);
    }
    QString testsUrl() const { return inventoryUrl({}, QStringLiteral("tests")); }
    static QByteArray testReport(bool memoryPasses)
    {
        return QByteArray("suite\tburn-in\ntest.0.name\t10-cpu-memory\ntest.0.result\t")
            + (memoryPasses ? "pass" : "fail")
            + "\ntest.0.duration_ms\t5120\ntest.0.metric\tmemory_mib=1987\ntest.0.output\tmemory 1987 MiB < 4096 MiB\n"
              "test.1.name\t40-nic-speed\ntest.1.result\tpass\ntest.1.duration_ms\t12\n";
    }
    CurlResult post(const QByteArray &body, const QString &url)
    {
        const QString file = m_dir.filePath(QStringLiteral("report.txt"));
        QFile f(file);
        if (!f.open(QIODevice::WriteOnly) || f.write(body) != body.size())
            qFatal("cannot write the report");
        f.close();
        return curl({ QStringLiteral("-H"), QStringLiteral("Content-Type: text/plain"), QStringLiteral("--data-binary"),
            QLatin1Char('@') + file, url });
    }
    QByteArray report(const QString &serial, const QString &diskSerial) const
    {
        return QStringLiteral("system.vendor\tQEMU\nsystem.serial\t%1\nmemory.kib\t2048000\ndisk.0.name\tvda\n"
                              "disk.0.serial\t%2\ndisk.0.bytes\t1073741824\nnic.0.name\tens3\nnic.0.mac\t%3\n")
            .arg(serial, diskSerial, m_mac)
            .toUtf8();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString why;
        m_t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(m_t.lab, qPrintable(why));
        QVERIFY(addTestImage(m_t.lab.get(), QStringLiteral("debian"), QStringLiteral("12")).ok());
        Catalog *c = m_t.lab->catalog();
        QVERIFY(c->addMachine(testMachine(QStringLiteral("pc-01"), m_mac, QStringLiteral("lab"))).ok());
        QVERIFY(c->assign(TargetKind::Default, {}, QStringLiteral("debian:12"), QStringLiteral("t"), {}).ok());
        m_server = startLoopbackBootServer(m_t.lab.get(), this, m_mac, &why);
        QVERIFY2(m_server, qPrintable(why));
        m_base = QStringLiteral("http://127.0.0.1:%1").arg(m_server->port());
    }

    void cleanupTestCase()
    {
        delete m_server;
        m_t = TestLab();
    }

    void storedOncePerBoot()
    {
        newBoot();
        CurlResult r = post(report(QStringLiteral("SN-1"), QStringLiteral("D1")), inventoryUrl());
        QCOMPARE(r.status, 204);
        m_server->recorder()->flush();
        const auto stored = m_t.lab->catalog()->inventory(QStringLiteral("pc-01"));
        QVERIFY(stored);
        QCOMPARE(stored->hardware.systemSerial, QStringLiteral("SN-1"));
        QCOMPARE(stored->hardware.disks.value(0).serial, QStringLiteral("D1"));
        QCOMPARE(stored->bootId, m_boot);
        // Once per boot: a second report of the same boot is someone else's.
        r = post(report(QStringLiteral("SN-X"), QStringLiteral("DX")), inventoryUrl());
        QCOMPARE(r.status, 403);
        m_server->recorder()->flush();
        QCOMPARE(m_t.lab->catalog()->inventory(QStringLiteral("pc-01"))->hardware.systemSerial, QStringLiteral("SN-1"));
    }

    void refused_data()
    {
        QTest::addColumn<QString>("url"); // TOKEN: this boot's
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("answer");
        const QByteArray ok = report(QStringLiteral("SN-2"), QStringLiteral("D2"));
        QTest::newRow("wrong token") << QString(32, QLatin1Char('0')) << QByteArray("POST") << ok << 403
                                     << QByteArray("wrong token");
        QTest::newRow("GET") << QString() << QByteArray("GET") << QByteArray() << 405 << QByteArray();
        QTest::newRow("malformed") << QString() << QByteArray("POST") << QByteArray("memory.kib\tlots\n") << 400
                                   << QByteArray("line 1: memory.kib is not a whole number");
        QTest::newRow("too large") << QString() << QByteArray("POST") << QByteArray(70000, 'x') << 413 << QByteArray();
    }
    void refused()
    {
        QFETCH(QString, url);
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QByteArray, answer);
        newBoot();
        const CurlResult r = method == "GET" ? curl({ inventoryUrl() }) : post(body, inventoryUrl(url));
        QCOMPARE(r.status, status);
        QVERIFY2(r.body.contains(answer), r.body.constData());
        m_server->recorder()->flush();
        QCOMPARE(m_t.lab->catalog()->inventory(QStringLiteral("pc-01"))->hardware.systemSerial, QStringLiteral("SN-1"));
    }

    void changeIsAWarningEvent()
    {
        newBoot();
        QCOMPARE(post(report(QStringLiteral("SN-1"), QStringLiteral("D9")), inventoryUrl()).status, 204);
        m_server->recorder()->flush();
        const auto events
            = m_t.lab->catalog()->events(EventFilter { QStringLiteral("pc-01"), QStringLiteral("inventory"), 0, 10 });
        QCOMPARE(events.size(), 1);
        QCOMPARE(events[0].severity, QStringLiteral("warning"));
        QVERIFY2(
            events[0].detail.contains(QLatin1String("disk vda (D1, 1.0 GiB) removed")), qPrintable(events[0].detail));
        QVERIFY(events[0].detail.contains(QLatin1String("disk vda (D9, 1.0 GiB) added")));
        QVERIFY(m_t.lab->catalog()->machineByName(QStringLiteral("pc-01"))->hardwareChanged.isValid());
    }

    void testResultsMarkTheMachine()
    {
        Catalog *c = m_t.lab->catalog();
        QVERIFY(c->setLabel(QStringLiteral("pc-01"), QStringLiteral("group"), QStringLiteral("bench")).ok());
        newBoot();
        QCOMPARE(post("test.0.name\tx\n", testsUrl()).status, 400); // no result: refused, the mark kept
        CurlResult r = post(testReport(false), testsUrl());
        QCOMPARE(r.status, 204);
        QCOMPARE(post(testReport(true), testsUrl()).status, 403); // once per boot
        m_server->recorder()->flush();
        QList<TestRunRecord> runs = c->testRuns(QStringLiteral("pc-01"));
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs[0].bootId, m_boot);
        QCOMPARE(runs[0].suite, QStringLiteral("burn-in"));
        QVERIFY(!runs[0].passed);
        QCOMPARE(runs[0].tests.size(), 2);
        QCOMPARE(
            runs[0].tests[0].metrics.value(0), (std::pair<QString, double> { QStringLiteral("memory_mib"), 1987 }));
        QCOMPARE(runs[0].tests[0].durationMs, 5120);
        QVERIFY(c->machineByName(QStringLiteral("pc-01"))->burninFailed.isValid());
        auto events = c->events(EventFilter { QStringLiteral("pc-01"), QStringLiteral("tests"), 0, 10 });
        QCOMPARE(events.size(), 1);
        QCOMPARE(events[0].severity, QStringLiteral("error"));
        QVERIFY2(events[0].detail.contains(QLatin1String("burn-in failed: 1 of 2 test")), qPrintable(events[0].detail));
        QVERIFY2(events[0].detail.contains(QLatin1String("(10-cpu-memory)")), qPrintable(events[0].detail));

        // No rollout reaches the machine until the failure is cleared.
        auto plan = planRollout(*c, QStringLiteral("bench"), QStringLiteral("debian:12"), { 1, false }, { 100, true },
            0, 0, false, QStringLiteral("t"));
        QVERIFY(!plan);
        QVERIFY2(plan.error().contains(QLatin1String("pc-01")) && plan.error().contains(QLatin1String("burn-in")),
            qPrintable(plan.error()));

        // A passing run later does not clear it: a person does.
        newBoot();
        QCOMPARE(post(testReport(true), testsUrl()).status, 204);
        m_server->recorder()->flush();
        QVERIFY(c->testRuns(QStringLiteral("pc-01")).first().passed);
        QVERIFY(c->machineByName(QStringLiteral("pc-01"))->burninFailed.isValid());
        events = c->events(EventFilter { QStringLiteral("pc-01"), QStringLiteral("tests"), 0, 10 });
        QCOMPARE(events.size(), 2);
        QCOMPARE(events.last().severity, QStringLiteral("info"));
        QVERIFY(c->clearBurninFailure(QStringLiteral("pc-01")).ok());
        QVERIFY(!c->machineByName(QStringLiteral("pc-01"))->burninFailed.isValid());
        QVERIFY(planRollout(*c, QStringLiteral("bench"), QStringLiteral("debian:12"), { 1, false }, { 100, true }, 0, 0,
            false, QStringLiteral("t")));
        QVERIFY(!c->clearBurninFailure(QStringLiteral("nobody")).ok());
    }

    // Named on the bench while its burn-in runs: the results of the boot that began under the
    // old name are the renamed machine's.
    void renamedDuringItsBoot()
    {
        Catalog *c = m_t.lab->catalog();
        newBoot();
        QVERIFY(c->renameMachines({ { QStringLiteral("pc-01"), QStringLiteral("lab-01") } }).ok());
        QCOMPARE(post(testReport(true), testsUrl()).status, 204);
        m_server->recorder()->flush();
        const QList<TestRunRecord> runs = c->testRuns(QStringLiteral("lab-01"));
        QVERIFY(!runs.isEmpty());
        QCOMPARE(runs.first().bootId, m_boot);
        QVERIFY(c->renameMachines({ { QStringLiteral("lab-01"), QStringLiteral("pc-01") } }).ok());
    }

    void splitAndPipelinedBodies()
    {
        newBoot();
        const QByteArray body = report(QStringLiteral("SN-1"), QStringLiteral("D9"));
        const QByteArray head = "POST /inventory?mac=" + m_mac.toLatin1() + "&boot=" + m_boot.toLatin1()
            + "&token=" + m_token.toLatin1()
            + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";
        // The body in two packets, then a second request on the same connection.
        const QByteArray answer = rawRequest(
            m_server->port(), { head + body.left(20), body.mid(20) + "GET / HTTP/1.1\r\nHost: x\r\n\r\n" });
        QVERIFY2(answer.startsWith("HTTP/1.1 204"), answer.constData());
        QVERIFY2(answer.contains("HTTP/1.1 200") && answer.contains("Drover boot server"), answer.constData());
        // A body promised and never sent ends in a timeout, not a stored report.
        newBoot();
        const QByteArray cut = rawRequest(m_server->port(),
            QByteArray("POST /inventory?mac=" + m_mac.toLatin1() + "&boot=" + m_boot.toLatin1() + "&token="
                + m_token.toLatin1() + " HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\nsystem.vendor\tX"));
        QVERIFY2(!cut.startsWith("HTTP/1.1 204"), cut.constData());
        // A body to a route that takes none is read past and refused.
        const QByteArray other = rawRequest(m_server->port(),
            QByteArray("POST /report HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET / "
                       "HTTP/1.1\r\nHost: x\r\n\r\n"));
        QVERIFY2(other.startsWith("HTTP/1.1 405"), other.constData());
        QVERIFY2(other.contains("Drover boot server"), other.constData());
    }
};

QTEST_GUILESS_MAIN(TstInventoryRoutes)
#include "tst_inventoryroutes.moc"
