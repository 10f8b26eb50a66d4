// Assign, plan, undo and roll back on both catalog backends.
#include "catalog/catalog.h"
#include "fleet/lifecycle.h"
#include "testlab.h"

#include <QTest>

using namespace drover;
using namespace drover::test;

class TstLifecycle : public QObject {
    Q_OBJECT

    TestLab m_t;
    Catalog *c() { return m_t.lab->catalog(); }

    void addMachine(const QString &name, const QString &mac, const QString &group)
    {
        Machine m;
        m.name = name;
        m.mac = mac;
        m.labels.insert(QStringLiteral("group"), group);
        QVERIFY(c()->addMachine(m).ok());
    }

private Q_SLOTS:
    void init()
    {
        QFETCH(QString, backend);
        QString why;
        m_t = openTestLab(backend, &why);
        QVERIFY2(m_t.lab, qPrintable(why));
        addMachine(QStringLiteral("pc-01"), QStringLiteral("52:54:00:00:00:01"), QStringLiteral("demo"));
        addMachine(QStringLiteral("pc-02"), QStringLiteral("52:54:00:00:00:02"), QStringLiteral("demo"));
        addMachine(QStringLiteral("pc-03"), QStringLiteral("52:54:00:00:00:03"), QStringLiteral("other"));
        for (const char *v : { "1", "2", "3" }) {
            QVERIFY(
                c()->addImage(ImageRecord { 0, QStringLiteral("deb"), QString::fromLatin1(v),
                                  QStringLiteral("sha256:") + QString(64, QLatin1Char(v[0])), 10, {}, {}, {} })
                    .ok());
        }
    }

    void plan_data() { addBackendRows(); }
    void plan()
    {
        Lifecycle life(c());
        QVERIFY(life.assign({ { TargetKind::Group, QStringLiteral("demo") } }, QStringLiteral("deb:1"), {}, {}).ok());
        QVERIFY(
            life.assign({ { TargetKind::Machine, QStringLiteral("pc-02") } }, QStringLiteral("deb:3"), {}, {}).ok());
        // The group moves to deb:2; pc-02 keeps its own deb:3; pc-03 is in another group.
        const auto changes = life.plan({ { TargetKind::Group, QStringLiteral("demo") } }, QStringLiteral("deb:2"));
        QCOMPARE(changes.size(), 1);
        QCOMPARE(changes.first().machine, QStringLiteral("pc-01"));
        QCOMPARE(changes.first().from, QStringLiteral("deb:1"));
        QCOMPARE(changes.first().to, QStringLiteral("deb:2"));
    }

    void assignIsAllOrNothing_data() { addBackendRows(); }
    void assignIsAllOrNothing()
    {
        Lifecycle life(c());
        auto done = life.assign(
            { { TargetKind::Machine, QStringLiteral("pc-01") }, { TargetKind::Machine, QStringLiteral("ghost") } },
            QStringLiteral("deb:1"), {}, {});
        QVERIFY(!done.ok());
        QVERIFY2(done.error().contains(QLatin1String("ghost")), qPrintable(done.error()));
        QVERIFY(c()->history(TargetKind::Machine, QStringLiteral("pc-01")).isEmpty());
    }

    void undoUntilBooted_data() { addBackendRows(); }
    void undoUntilBooted()
    {
        Lifecycle life(c());
        auto first = life.assign({ { TargetKind::Machine, QStringLiteral("pc-01") } }, QStringLiteral("deb:1"), {}, {});
        QVERIFY(first.ok());
        QVERIFY(life.undo(first.value()).ok());
        QVERIFY(c()->history(TargetKind::Machine, QStringLiteral("pc-01")).isEmpty());

        auto second
            = life.assign({ { TargetKind::Machine, QStringLiteral("pc-01") } }, QStringLiteral("deb:2"), {}, {});
        QVERIFY(second.ok());
        BootEvent booted;
        booted.machine = QStringLiteral("pc-01");
        booted.phase = QStringLiteral("script");
        booted.image = QStringLiteral("deb:2");
        QVERIFY(c()->addEvent(booted).ok());
        const Status refused = life.undo(second.value());
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().contains(QLatin1String("roll back")), qPrintable(refused.error()));
        QCOMPARE(c()->history(TargetKind::Machine, QStringLiteral("pc-01")).size(), 1);
    }

    void rollback_data() { addBackendRows(); }
    void rollback()
    {
        Lifecycle life(c());
        const AssignTarget group { TargetKind::Group, QStringLiteral("demo") };
        QVERIFY(!life.rollback(group, {}).ok()); // nothing to roll back to
        QVERIFY(life.assign({ group }, QStringLiteral("deb:1"), {}, {}).ok());
        QVERIFY(!life.rollback(group, {}).ok()); // only one image ever
        QVERIFY(life.assign({ group }, QStringLiteral("deb:2"), {}, {}).ok());
        auto back = life.rollback(group, QStringLiteral("alice"));
        QVERIFY2(back.ok(), qPrintable(back.error()));
        QCOMPARE(back->image, QStringLiteral("deb:1"));
        QCOMPARE(back->who, QStringLiteral("alice"));
        const auto history = c()->history(TargetKind::Group, QStringLiteral("demo"));
        QCOMPARE(history.size(), 3); // appended, nothing erased
        // A machine following its group rolls back through the group's history.
        auto machine = life.rollback({ TargetKind::Machine, QStringLiteral("pc-01") }, {});
        QVERIFY2(machine.ok(), qPrintable(machine.error()));
        QCOMPARE(machine->image, QStringLiteral("deb:2"));
        // A machine with its own newer assignment rolls back to what its group gives it.
        QVERIFY(
            life.assign({ { TargetKind::Machine, QStringLiteral("pc-02") } }, QStringLiteral("deb:3"), {}, {}).ok());
        auto own = life.rollback({ TargetKind::Machine, QStringLiteral("pc-02") }, {});
        QVERIFY2(own.ok(), qPrintable(own.error()));
        QCOMPARE(own->image, QStringLiteral("deb:1"));
        // An explicit target image.
        auto chosen = life.rollback(group, {}, QStringLiteral("deb:3"));
        QVERIFY(chosen.ok());
        QCOMPARE(c()->currentAssignment(TargetKind::Group, QStringLiteral("demo"))->image, QStringLiteral("deb:3"));
    }
};

QTEST_GUILESS_MAIN(TstLifecycle)
#include "tst_lifecycle.moc"
