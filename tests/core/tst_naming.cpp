// Naming machines from a pattern: the names a pattern gives, the patterns refused with the
// reason, and a rename that keeps each machine's assignments, configuration and events while
// refusing names that are taken and machines in an active rollout.
#include "catalog/catalog.h"
#include "fleet/naming.h"
#include "fleet/rollout.h"
#include "testlab.h"

#include <QTest>

using namespace drover;
using namespace drover::test;

class TstNaming : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void patterns_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<int>("first");
        QTest::addColumn<QStringList>("names"); // for three machines; empty: refused
        QTest::addColumn<QString>("reason");
        QTest::newRow("padded") << QStringLiteral("lab-{n:02}") << 1
                                << QStringList { QStringLiteral("lab-01"), QStringLiteral("lab-02"),
                                       QStringLiteral("lab-03") }
                                << QString();
        QTest::newRow("plain from 9") << QStringLiteral(
            "pc{n}") << 9 << QStringList { QStringLiteral("pc9"), QStringLiteral("pc10"), QStringLiteral("pc11") }
                                      << QString();
        QTest::newRow("twice, wider than asked")
            << QStringLiteral("r{n}-s{n:03}") << 999
            << QStringList { QStringLiteral("r999-s999"), QStringLiteral("r1000-s1000"), QStringLiteral("r1001-s1001") }
            << QString();
        QTest::newRow("no number") << QStringLiteral("lab") << 1 << QStringList()
                                   << QStringLiteral("the pattern 'lab' has no {n} (or {n:02}) for the number");
        QTest::newRow("typo") << QStringLiteral("lab-{n:2}") << 1 << QStringList()
                              << QStringLiteral("the pattern 'lab-{n:2}' has no {n} (or {n:02}) for the number");
        QTest::newRow("other placeholder")
            << QStringLiteral("{room}-{n}") << 1 << QStringList()
            << QStringLiteral("the pattern '{room}-{n}' has a placeholder other than {n} or {n:0W}");
        QTest::newRow("not a host name")
            << QStringLiteral("lab {n}") << 1 << QStringList()
            << QStringLiteral(
                   "'lab 1' is not a host name: letters, digits and '-', at most 63, not starting or ending with '-'");
        QTest::newRow("trailing dash") << QStringLiteral("{n}-") << 1 << QStringList()
                                       << QStringLiteral(
                                              "'1-' is not a host name: letters, digits and '-', at most 63, "
                                              "not starting or ending with '-'");
    }
    void patterns()
    {
        QFETCH(QString, pattern);
        QFETCH(int, first);
        QFETCH(QStringList, names);
        QFETCH(QString, reason);
        const auto got = expandNamePattern(pattern, 3, first);
        if (names.isEmpty()) {
            QVERIFY(!got);
            QCOMPARE(got.error(), reason);
        } else {
            QVERIFY2(got, qPrintable(got.error()));
            QCOMPARE(*got, names);
        }
    }

    void renameKeepsWhatFollowsTheName_data() { addBackendRows(); }
    void renameKeepsWhatFollowsTheName()
    {
        QFETCH(QString, backend);
        QString why;
        TestLab t = openTestLab(backend, &why);
        QVERIFY2(t.lab, qPrintable(why));
        Catalog *c = t.lab->catalog();
        for (int i = 1; i <= 3; ++i) {
            Machine m;
            m.name = QStringLiteral("new-%1").arg(i);
            m.mac = QStringLiteral("52:54:00:cc:00:0%1").arg(i);
            m.isNew = true;
            QVERIFY(c->addMachine(m).ok());
        }
        QVERIFY(
            c->addImage(ImageRecord { 0, QStringLiteral("deb"), QStringLiteral("1"),
                            QStringLiteral("sha256:") + QString(64, QLatin1Char('1')), 1, {}, {}, {} })
                .ok());
        QVERIFY(c->assign(TargetKind::Machine, QStringLiteral("new-2"), QStringLiteral("deb:1"), {}, {}).ok());
        QVERIFY(
            c->setConfig(TargetKind::Machine, QStringLiteral("new-2"), QStringLiteral(R"({"hostname": "x"})"), 0, {})
                .ok());
        BootEvent e;
        e.machine = QStringLiteral("new-2");
        e.phase = QStringLiteral("ready");
        QVERIFY(c->addEvent(e).ok());

        const QStringList bench { QStringLiteral("new-1"), QStringLiteral("new-2"), QStringLiteral("new-3") };
        const auto named = nameMachines(
            *c, bench, QStringLiteral("lab-{n:02}"), 1, { { QStringLiteral("group"), QStringLiteral("room-b") } });
        QVERIFY2(named.ok(), qPrintable(named.error()));
        QCOMPARE(
            *named, (QStringList { QStringLiteral("lab-01"), QStringLiteral("lab-02"), QStringLiteral("lab-03") }));
        QVERIFY(!c->machineByName(QStringLiteral("new-2")));
        const auto renamed = c->machineByName(QStringLiteral("lab-02"));
        QVERIFY(renamed);
        QCOMPARE(renamed->mac, QStringLiteral("52:54:00:cc:00:02"));
        QCOMPARE(renamed->group(), QStringLiteral("room-b"));
        QVERIFY(!renamed->isNew);
        QCOMPARE(c->currentAssignment(TargetKind::Machine, QStringLiteral("lab-02"))->image, QStringLiteral("deb:1"));
        QVERIFY(c->config(TargetKind::Machine, QStringLiteral("lab-02")));
        QCOMPARE(c->events(EventFilter { QStringLiteral("lab-02"), {}, 0, 10 }).size(), 1);

        // Taken names and machines that are not there change nothing.
        QVERIFY(!nameMachines(*c, { QStringLiteral("lab-01") }, QStringLiteral("lab-{n:02}"), 3).ok());
        QVERIFY(!c->renameMachines({ { QStringLiteral("ghost"), QStringLiteral("x") } }).ok());
        QVERIFY(
            !c->renameMachines({ { QStringLiteral("lab-01"), QStringLiteral("y") },
                                   { QStringLiteral("lab-02"), QStringLiteral("y") } })
                .ok());
        QVERIFY(c->machineByName(QStringLiteral("lab-01")));
        QVERIFY(c->machineByName(QStringLiteral("lab-03")));

        // A machine in an active rollout keeps its name: the rollout follows it by name.
        auto plan = planRollout(*c, QStringLiteral("room-b"), QStringLiteral("deb:1"), { 1, false }, { 100, true }, 0,
            0, false, QStringLiteral("t"));
        QVERIFY2(plan.ok(), qPrintable(plan.error()));
        QVERIFY(plan->save(*c).ok());
        const auto refused = nameMachines(*c, { QStringLiteral("lab-02") }, QStringLiteral("pc-{n}"), 1);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().contains(QLatin1String("lab-02 is in the active rollout of deb:1")),
            qPrintable(refused.error()));
        QVERIFY(c->machineByName(QStringLiteral("lab-02")));
    }
};

QTEST_GUILESS_MAIN(TstNaming)
#include "tst_naming.moc"
