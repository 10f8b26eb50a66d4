// BootWatch: which boots count as failed without a report — a machine booting again after
// its last boot got past the script, and a boot past its deadline.
#include "boot/bootwatch.h"

#include <QTest>

using namespace drover;

class TstBootWatch : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void restart_data()
    {
        QTest::addColumn<QString>("reached"); // the last phase of the first boot; "finished": reported
        QTest::addColumn<bool>("failed");
        QTest::newRow("asked for the script again") << "script" << false;
        QTest::newRow("kernel fetched, then reset") << "kernel" << true;
        QTest::newRow("layers mounted, then crashed") << "mounted" << true;
        QTest::newRow("reported ready") << "finished" << false;
    }

    void restart()
    {
        QFETCH(QString, reached);
        QFETCH(bool, failed);
        BootWatch watch;
        const QString mac1 = QStringLiteral("52:54:00:00:00:01");
        QVERIFY(!watch.restarted(mac1, 1000)); // its first boot
        watch.started(mac1, QStringLiteral("pc-01"), QStringLiteral("b1"), QStringLiteral("os:2"), 1000, 600);
        if (reached == QLatin1String("finished")) {
            watch.progressed(QStringLiteral("b1"), QStringLiteral("configured"));
            watch.finished(QStringLiteral("b1"));
        } else {
            watch.progressed(QStringLiteral("b1"), reached);
        }
        // Another machine's boots never count against this one.
        const QString mac2 = QStringLiteral("52:54:00:00:00:02");
        QVERIFY(!watch.restarted(mac2, 2000));
        watch.started(mac2, QStringLiteral("pc-02"), QStringLiteral("c1"), QStringLiteral("os:2"), 2000, 600);
        const auto failure = watch.restarted(mac1, 61000);
        watch.started(mac1, QStringLiteral("pc-01"), QStringLiteral("b2"), QStringLiteral("os:2"), 61000, 600);
        QCOMPARE(bool(failure), failed);
        if (failed) {
            QCOMPARE(failure->machine, QStringLiteral("pc-01"));
            QCOMPARE(failure->bootId, QStringLiteral("b1"));
            QCOMPARE(failure->image, QStringLiteral("os:2"));
            QCOMPARE(failure->phase, reached);
            QVERIFY2(failure->reason.contains(QLatin1String("never reported ready")), qPrintable(failure->reason));
            QVERIFY2(failure->reason.contains(QLatin1String("1 min")), qPrintable(failure->reason));
        }
        QCOMPARE(watch.inFlight(), 2); // b2 and c1
    }

    void deadline()
    {
        BootWatch watch;
        const QString mac1 = QStringLiteral("52:54:00:00:00:01");
        watch.started(mac1, QStringLiteral("pc-01"), QStringLiteral("b1"), QStringLiteral("os:3"), 0, 600);
        watch.started(QStringLiteral("52:54:00:00:00:02"), QStringLiteral("pc-02"), QStringLiteral("c1"),
            QStringLiteral("os:3"), 0, 120);
        watch.progressed(QStringLiteral("b1"), QStringLiteral("configured"));
        QVERIFY(watch.expire(119999).isEmpty());
        const auto early = watch.expire(120000);
        QCOMPARE(early.size(), 1);
        QCOMPARE(early.first().machine, QStringLiteral("pc-02"));
        QVERIFY2(early.first().reason.contains(QLatin1String("within 2 min")), qPrintable(early.first().reason));
        const auto late = watch.expire(600000);
        QCOMPARE(late.size(), 1);
        QCOMPARE(late.first().phase, QStringLiteral("configured"));
        QVERIFY2(late.first().reason.contains(QLatin1String("os:3")), qPrintable(late.first().reason));
        // Expired boots are forgotten: a new boot of the machine does not count them twice.
        QCOMPARE(watch.inFlight(), 0);
        QVERIFY(!watch.restarted(mac1, 700000));
    }

    void finishedBootsNeverExpire()
    {
        BootWatch watch;
        watch.started(QStringLiteral("52:54:00:00:00:01"), QStringLiteral("pc-01"), QStringLiteral("b1"),
            QStringLiteral("os:1"), 0, 60);
        watch.finished(QStringLiteral("b1"));
        watch.finished(QStringLiteral("unknown")); // a report of a boot this server never issued
        QVERIFY(watch.expire(3600000).isEmpty());
        QCOMPARE(watch.inFlight(), 0);
    }
};

QTEST_GUILESS_MAIN(TstBootWatch)
#include "tst_bootwatch.moc"
