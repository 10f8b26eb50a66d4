// The machine details pane: why a machine boots what it boots, and its last boot phase by
// phase with the time each took.
#include "catalog/catalog.h"
#include "fleet/machinedetails.h"
#include "testlab.h"

#include <QLabel>
#include <QTest>
#include <QTreeWidget>

using namespace drover;
using namespace drover::test;

class TstMachineDetails : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void lastBootPhases()
    {
        QString why;
        TestLab t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(t.lab, qPrintable(why));
        Catalog *c = t.lab->catalog();
        Machine m;
        m.name = QStringLiteral("pc-01");
        m.mac = QStringLiteral("52:54:00:00:00:01");
        m.labels.insert(QStringLiteral("group"), QStringLiteral("demo"));
        QVERIFY(c->addMachine(m).ok());
        QVERIFY(
            c->addImage(ImageRecord { 0, QStringLiteral("deb"), QStringLiteral("1"),
                            QStringLiteral("sha256:") + QString(64, QLatin1Char('1')), 1, {}, {}, {} })
                .ok());
        QVERIFY(c->assign(TargetKind::Group, QStringLiteral("demo"), QStringLiteral("deb:1"), {}, {}).ok());
        const QDateTime t0 = QDateTime::currentDateTimeUtc();
        // An older boot, then the last one: only the last one is shown.
        const QList<std::tuple<QString, QString, int>> rows {
            { QStringLiteral("old"), QStringLiteral("script"), 0 },
            { QStringLiteral("b2"), QStringLiteral("script"), 60000 },
            { QStringLiteral("b2"), QStringLiteral("fetched"), 62500 },
            { QStringLiteral("b2"), QStringLiteral("ready"), 90000 },
        };
        for (const auto &[boot, phase, ms] : rows) {
            BootEvent e;
            e.machine = QStringLiteral("pc-01");
            e.bootId = boot;
            e.phase = phase;
            e.time = t0.addMSecs(ms);
            QVERIFY(c->addEvent(e).ok());
        }
        MachineDetails details(c);
        details.showMachine(QStringLiteral("pc-01"));
        QCOMPARE(details.phases()->topLevelItemCount(), 3);
        QCOMPARE(details.phases()->topLevelItem(1)->text(0), QStringLiteral("fetched"));
        QCOMPARE(details.phases()->topLevelItem(1)->text(2), QStringLiteral("2.5 s"));
        QCOMPARE(details.phases()->topLevelItem(2)->text(1), QStringLiteral("+30.0 s"));
        QVERIFY(details.findChild<QLabel *>()->text().contains(QLatin1String("from group demo")));
        // A new assignment shows up without asking.
        QVERIFY(
            c->assign(TargetKind::Machine, QStringLiteral("pc-01"), QStringLiteral("deb:1"), QStringLiteral("bob"), {})
                .ok());
        QCOMPARE(details.history()->topLevelItemCount(), 1);
        QCOMPARE(details.history()->topLevelItem(0)->text(2), QStringLiteral("bob"));
    }
};

QTEST_MAIN(TstMachineDetails)
#include "tst_machinedetails.moc"
