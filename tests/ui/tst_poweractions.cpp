// The fleet table's Power menu: the selected machines switched by their power method, off
// the GUI thread — a real qemu behind QMP and a Wake-on-LAN packet on a socket; off and
// cycle only after confirmation; every action in the catalog's events.
#include "catalog/catalog.h"
#include "fleet/fleetview.h"
#include "fleet/poweractions.h"
#include "main/mainwindow.h"
#include "power/powerspec.h"
#include "qmpvm.h"
#include "testlab.h"

#include <QFile>
#include <QItemSelectionModel>
#include <QMenu>
#include <QNetworkDatagram>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QUdpSocket>

using namespace drover;
using namespace drover::test;

class TstPowerActions : public QObject {
    Q_OBJECT
    TestLab m_t;

    static void selectRows(QTreeView *table, const QList<int> &rows)
    {
        table->selectionModel()->clearSelection();
        for (int row : rows)
            table->selectionModel()->select(
                table->model()->index(row, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }

private Q_SLOTS:
    void initTestCase() { isolateSettings(QStringLiteral("drover-test-poweractions")); }

    void init()
    {
        m_t = sqliteLab();
        QVERIFY(addTestMachines(m_t.lab->catalog(), 2));
    }

    void menuNeedsASelection()
    {
        MainWindow w(m_t.lab.get());
        QMenu menu;
        w.powerActions()->populateContextMenu(&menu);
        QMenu *power = menu.actions().first()->menu();
        QVERIFY(power);
        QCOMPARE(power->actions().size(), 6); // on, wake, cycle, off, separator, status
        QVERIFY(!power->isEnabled());
        QTreeView *table = w.fleetView()->table();
        QTRY_COMPARE(table->model()->rowCount(), 2);
        selectRows(table, { 0 });
        Q_EMIT menu.aboutToShow();
        QVERIFY(power->isEnabled());
    }

    void qmpMachineFromTheMenu()
    {
        QTemporaryDir dir;
        const QString socket = dir.filePath(QStringLiteral("pc-01.qmp"));
        QProcess vm;
        QString why;
        QVERIFY2(startQmpVm(vm, socket, &why), qPrintable(why));
        QVERIFY(m_t.lab->catalog()
                ->setSetting(powerSettingKey(false, QStringLiteral("pc-01")), QStringLiteral("qmp://") + socket)
                .ok());

        MainWindow w(m_t.lab.get());
        PowerActions *power = w.powerActions();
        QSignalSpy finished(power, &PowerActions::finished);
        QTreeView *table = w.fleetView()->table();
        QTRY_COMPARE(table->model()->rowCount(), 2);

        QVERIFY(power->run(PowerAction::On, { QStringLiteral("pc-01") }));
        QTRY_COMPARE(finished.size(), 1);
        QVERIFY2(finished.at(0).at(2).toBool(), qPrintable(finished.at(0).at(3).toString()));
        QVERIFY(power->run(PowerAction::Status, { QStringLiteral("pc-01") }));
        QTRY_COMPARE(finished.size(), 2);
        QVERIFY2(finished.at(1).at(3).toString().contains(QLatin1String("pc-01: on")),
            qPrintable(finished.at(1).at(3).toString()));

        // Off asks first; declined, nothing happens.
        QStringList asked;
        power->setConfirm([&asked](PowerAction, const QStringList &machines) {
            asked = machines;
            return false;
        });
        QVERIFY(!power->run(PowerAction::Off, { QStringLiteral("pc-01") }));
        QCOMPARE(asked, QStringList { QStringLiteral("pc-01") });
        QCOMPARE(vm.state(), QProcess::Running);
        power->setConfirm([](PowerAction, const QStringList &) { return true; });
        QVERIFY(power->run(PowerAction::Off, { QStringLiteral("pc-01") }));
        QTRY_COMPARE(finished.size(), 3);
        QVERIFY(finished.at(2).at(2).toBool());
        QTRY_COMPARE_WITH_TIMEOUT(vm.state(), QProcess::NotRunning, 15000); // qemu really went away

        // The window stayed responsive and the catalog tells the story.
        const auto events
            = m_t.lab->catalog()->events(EventFilter { QStringLiteral("pc-01"), QStringLiteral("power"), 0, 10 });
        QCOMPARE(events.size(), 2); // on and off; status is not an event
        QVERIFY2(events.last().detail.contains(QLatin1String("powered off")), qPrintable(events.last().detail));
    }

    void wakeTwoMachines()
    {
        QUdpSocket receiver;
        QVERIFY(receiver.bind(QHostAddress::LocalHost, 0));
        for (const QString &name : { QStringLiteral("pc-01"), QStringLiteral("pc-02") })
            QVERIFY(m_t.lab->catalog()
                    ->setSetting(
                        powerSettingKey(false, name), QStringLiteral("wol://127.0.0.1:%1").arg(receiver.localPort()))
                    .ok());
        MainWindow w(m_t.lab.get());
        QSignalSpy finished(w.powerActions(), &PowerActions::finished);
        QTreeView *table = w.fleetView()->table();
        QTRY_COMPARE(table->model()->rowCount(), 2);
        selectRows(table, { 0, 1 });
        QVERIFY(w.powerActions()->run(PowerAction::Wake, w.fleetView()->selectedMachines()));
        QTRY_COMPARE(finished.size(), 2);
        QSet<QByteArray> macs;
        QTRY_VERIFY(receiver.hasPendingDatagrams());
        while (macs.size() < 2 && receiver.waitForReadyRead(2000)) {
            while (receiver.hasPendingDatagrams())
                macs.insert(receiver.receiveDatagram().data().mid(6, 6).toHex());
        }
        QCOMPARE(macs, (QSet<QByteArray> { "525400000001", "525400000002" }));
        // Wake-on-LAN cannot switch off: the reason reaches the user.
        QVERIFY(w.powerActions()->run(PowerAction::Status, { QStringLiteral("pc-01") }));
        QTRY_COMPARE(finished.size(), 3);
        QVERIFY(!finished.at(2).at(2).toBool());
        QVERIFY2(finished.at(2).at(3).toString().contains(QLatin1String("Wake-on-LAN can only switch a machine on")),
            qPrintable(finished.at(2).at(3).toString()));
    }
};

QTEST_MAIN(TstPowerActions)
#include "tst_poweractions.moc"
