// The main window on the offscreen platform: its four areas, empty states that say what to
// do, live rows from the catalog, the Add Machine dialog, and layout restore.
#include "boot/bootserver.h"
#include "fleet/fleetview.h"
#include "lab/lab.h"
#include "log/logmodel.h"
#include "log/logview.h"
#include "main/addmachinedialog.h"
#include "main/emptystate.h"
#include "main/mainwindow.h"
#include "server/serverpanel.h"
#include "testlab.h"
#include "userlog.h"
#include "util/currentuser.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTreeView>

using namespace drover;
using namespace drover::test;

class TstMainWindow : public QObject {
    Q_OBJECT

    TestLab m_t;

private Q_SLOTS:
    void initTestCase() { isolateSettings(QStringLiteral("drover-test")); }

    void init() { m_t = sqliteLab(); }

    void cleanup()
    {
        m_t = TestLab();
        QVERIFY(QApplication::topLevelWidgets().isEmpty());
    }

    void areas()
    {
        MainWindow w(m_t.lab.get());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        // The fleet is the centre; the other areas are docks around it.
        QCOMPARE(w.centralWidget(), static_cast<QWidget *>(w.fleetView()));
        for (const char *name : { "imageDock", "logDock", "serverDock" }) {
            QDockWidget *d = w.dock(QString::fromLatin1(name));
            QVERIFY2(d, name);
            QVERIFY2(d->isVisible(), name);
            QVERIFY(d->features() & QDockWidget::DockWidgetMovable);
        }
    }

    void emptyStateThenRows()
    {
        MainWindow w(m_t.lab.get());
        w.show();
        auto *empty = w.fleetView()->findChild<EmptyState *>();
        QVERIFY(empty);
        QVERIFY(empty->showsMessage());
        QVERIFY(empty->message().contains(QLatin1String("Add Machine")));

        Machine m;
        m.name = QStringLiteral("pc-07");
        m.mac = QStringLiteral("52:54:00:00:00:07");
        QVERIFY(m_t.lab->catalog()->addMachine(m).ok());
        QTRY_COMPARE(w.fleetView()->table()->model()->rowCount(), 1);
        QVERIFY(!empty->showsMessage());
        QCOMPARE(w.fleetView()->table()->model()->index(0, 0).data().toString(), QStringLiteral("pc-07"));

        // The search box filters the rows.
        QTest::keyClicks(w.fleetView()->search(), QStringLiteral("nothing-like-this"));
        QCOMPARE(w.fleetView()->table()->model()->rowCount(), 0);
        w.fleetView()->search()->clear();
        QCOMPARE(w.fleetView()->table()->model()->rowCount(), 1);
    }

    void addMachineDialog()
    {
        AddMachineDialog dialog(m_t.lab->catalog());
        auto *ok = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
        QVERIFY(!ok->isEnabled());
        QTest::keyClicks(dialog.nameEdit(), QStringLiteral("pc-01"));
        QTest::keyClicks(dialog.macEdit(), QStringLiteral("52:54:00:zz"));
        QVERIFY(!ok->isEnabled());
        QVERIFY(dialog.errorText().contains(QLatin1String("MAC")));
        dialog.macEdit()->setText(QStringLiteral("52:54:00:00:00:01"));
        dialog.groupEdit()->setText(QStringLiteral("room-a"));
        QVERIFY(ok->isEnabled());
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(m_t.lab->catalog()->machineByName(QStringLiteral("pc-01"))->group(), QStringLiteral("room-a"));

        // A second machine with the same MAC is refused with the reason, and the dialog stays.
        AddMachineDialog again(m_t.lab->catalog());
        again.nameEdit()->setText(QStringLiteral("pc-02"));
        again.macEdit()->setText(QStringLiteral("52:54:00:00:00:01"));
        again.accept();
        QCOMPARE(again.result(), int(QDialog::Rejected));
        QVERIFY2(again.errorText().contains(QLatin1String("pc-01")), qPrintable(again.errorText()));
    }

    void layoutRestored()
    {
        {
            MainWindow w(m_t.lab.get());
            w.show();
            w.dock(QStringLiteral("serverDock"))->hide();
            w.close();
        }
        MainWindow again(m_t.lab.get());
        again.show();
        QVERIFY(!again.dock(QStringLiteral("serverDock"))->isVisible());
        again.resetLayout();
        QVERIFY(again.dock(QStringLiteral("serverDock"))->isVisible());
        again.close();
    }

    void serverStartAndStopLogged()
    {
        MainWindow w(m_t.lab.get());
        BootServerSettings s;
        s.dhcpMode = DhcpMode::Off;
        s.httpPort = 0; // the kernel's pick as it binds: no window for another to take it
        s.tftpEnabled = false;
        QVERIFY(w.serverPanel()->server()->start(s));
        w.serverPanel()->server()->stop();
        const auto logged = [&w](const QString &what) { return userActionLogged(w.logView(), what); };
        QTRY_VERIFY(logged(QStringLiteral("started the boot server (Serving on all interfaces · DHCP off)")));
        QTRY_VERIFY(logged(QStringLiteral("stopped the boot server")));
    }

    void logShowsBusEntries()
    {
        MainWindow w(m_t.lab.get());
        m_t.lab->log()->post(Severity::Warning, QStringLiteral("server"), QStringLiteral("port 69 in use"));
        QTRY_COMPARE(w.logView()->filter()->rowCount(), 1);
        w.logView()->filter()->setMinimumSeverity(int(Severity::Error));
        QCOMPARE(w.logView()->filter()->rowCount(), 0);
    }
};

QTEST_MAIN(TstMainWindow)
#include "tst_mainwindow.moc"
