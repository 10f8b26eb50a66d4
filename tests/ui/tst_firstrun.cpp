// The first-run guide in the real main window on the offscreen platform: an empty lab shows
// the three steps in the fleet area, each button does its step, and each mark follows the
// catalog and the server; once a machine exists the fleet table takes the area back.
#include "boot/bootserver.h"
#include "builder/buildwizard.h"
#include "catalog/catalog.h"
#include "fleet/fleetview.h"
#include "main/firstrunguide.h"
#include "main/mainwindow.h"
#include "server/serverpanel.h"
#include "testlab.h"

#include <QAbstractItemView>
#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTest>
#include <QUdpSocket>

using namespace drover;
using namespace drover::test;

class TstFirstRun : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { isolateSettings(QStringLiteral("drover-test-firstrun")); }

    void emptyLabGuidesThroughThreeSteps()
    {
        TestLab t = sqliteLab();
        MainWindow main(t.lab.get());
        main.show();
        QVERIFY(QTest::qWaitForWindowExposed(&main));
        auto *guide = main.fleetView()->findChild<FirstRunGuide *>();
        QVERIFY(guide);
        QVERIFY(guide->isVisible());
        for (int step = 0; step < 3; ++step)
            QVERIFY(!guide->stepDone(step));

        // 1: the image button opens the build wizard.
        QTest::mouseClick(guide->imageButton(), Qt::LeftButton);
        QVERIFY(main.buildWizard());
        main.buildWizard()->reject();
        ImageRecord image;
        image.name = QStringLiteral("web");
        image.version = QStringLiteral("1");
        image.manifestDigest = QStringLiteral("sha256:") + QString(64, QLatin1Char('a'));
        QVERIFY(t.lab->catalog()->addImage(image).ok());
        QTRY_VERIFY(guide->stepDone(0));

        // 2: the serve button starts the server with the panel's settings (here DHCP off, on
        // free high ports, so the test serves nothing to the host's networks).
        ServerPanel *panel = main.serverPanel();
        panel->modeBox()->setCurrentIndex(panel->modeBox()->findData(QStringLiteral("off")));
        QTcpServer tcp;
        QVERIFY(tcp.listen(QHostAddress::LocalHost, 0));
        const quint16 http = tcp.serverPort();
        tcp.close();
        QUdpSocket udp;
        QVERIFY(udp.bind(QHostAddress::LocalHost, 0));
        const quint16 tftp = udp.localPort();
        udp.close();
        panel->httpPortBox()->setValue(http);
        panel->tftpPortBox()->setValue(tftp);
        QTest::mouseClick(guide->serveButton(), Qt::LeftButton);
        QTRY_VERIFY(guide->stepDone(1));
        QVERIFY(panel->server()->isRunning());
        QVERIFY(!guide->serveButton()->isEnabled());

        // 3: a machine; the fleet table takes the area back.
        Machine m;
        m.name = QStringLiteral("pc-01");
        m.mac = QStringLiteral("52:54:00:00:00:01");
        QVERIFY(t.lab->catalog()->addMachine(m));
        QTRY_VERIFY(guide->stepDone(2));
        QTRY_VERIFY(!guide->isVisible());
        panel->server()->stop();
        QTRY_VERIFY(!guide->stepDone(1));
    }

    // A screen reader can name every view, input and status light of the window: by its
    // accessible name, or by the label it is the buddy of.
    void widgetsHaveAccessibleNames()
    {
        TestLab t = sqliteLab();
        MainWindow main(t.lab.get());
        QSet<const QWidget *> labelled;
        for (const QLabel *label : main.findChildren<QLabel *>()) {
            if (label->buddy())
                labelled.insert(label->buddy());
        }
        QStringList unnamed;
        for (QWidget *w : main.findChildren<QWidget *>()) {
            const bool input = qobject_cast<QAbstractItemView *>(w) || qobject_cast<QComboBox *>(w)
                || qobject_cast<QLineEdit *>(w) || qobject_cast<QAbstractSpinBox *>(w)
                || w->objectName().endsWith(QLatin1String("Light"));
            if (!input || w->inherits("QComboBoxListView") || qobject_cast<QAbstractItemView *>(w->parentWidget())
                || qobject_cast<QComboBox *>(w->parentWidget()) || qobject_cast<QAbstractSpinBox *>(w->parentWidget()))
                continue; // the inner parts of a combo box or spin box
            if (w->accessibleName().isEmpty() && !labelled.contains(w))
                unnamed.append(QStringLiteral("%1 (%2 in %3)")
                        .arg(w->objectName(), QString::fromLatin1(w->metaObject()->className()),
                            QString::fromLatin1(w->parentWidget()->metaObject()->className())));
        }
        QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(QStringLiteral(", "))));
    }
};

QTEST_MAIN(TstFirstRun)
#include "tst_firstrun.moc"
