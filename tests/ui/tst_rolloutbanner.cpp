// The rollout banner above the fleet table: shown while a rollout is active (also one
// started from the command line), with its progress; Pause, Resume and Abort act on the
// rollout in the catalog; gone when nothing is rolling out.
#include "catalog/catalog.h"
#include "fleet/fleetmodel.h"
#include "fleet/fleetview.h"
#include "fleet/rolloutbanner.h"
#include "fleet/rolloutdialog.h"
#include "fleet/rolloutengine.h"
#include "main/mainwindow.h"
#include "testlab.h"
#include "tst_http_support.h"
#include "vm/imagetest.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QTest>
#include <QTreeView>

using namespace drover;
using namespace drover::test;

class TstRolloutBanner : public QObject {
    Q_OBJECT
    TestLab m_t;

    static QPushButton *button(RolloutBanner *banner, const char *name)
    {
        return banner->findChild<QPushButton *>(QString::fromLatin1(name));
    }

private Q_SLOTS:
    void initTestCase() { isolateSettings(QStringLiteral("drover-test-rolloutbanner")); }

    void pauseResumeAbort()
    {
        m_t = sqliteLab();
        Catalog *c = m_t.lab->catalog();
        QVERIFY(addTestImage(m_t.lab.get(), QStringLiteral("os"), QStringLiteral("1")).ok());
        QVERIFY(addTestImage(m_t.lab.get(), QStringLiteral("os"), QStringLiteral("2")).ok());
        for (int i = 1; i <= 3; ++i)
            QVERIFY(
                c->addMachine(testMachine(QStringLiteral("vm-%1").arg(i), QStringLiteral("52:54:00:00:02:0%1").arg(i),
                                  QStringLiteral("demo")))
                    .ok());
        QVERIFY(
            c->assign(TargetKind::Group, QStringLiteral("demo"), QStringLiteral("os:1"), QStringLiteral("t"), {}).ok());

        MainWindow w(m_t.lab.get());
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        RolloutBanner *banner = w.rolloutBanner();
        QVERIFY(!banner->isVisible()); // nothing rolling out

        // Started elsewhere (the command line), moved one step by an engine.
        auto r = planRollout(*c, QStringLiteral("demo"), QStringLiteral("os:2"), { 1, false }, { 100, true }, 60, 0,
            false, QStringLiteral("t"));
        QVERIFY(r && r->save(*c).ok());
        RolloutEngine(c).tick();
        QTRY_VERIFY(banner->isVisible());
        QCOMPARE(banner->lines().size(), 1);
        QVERIFY2(banner->lines().first().contains(QLatin1String("os:2")), qPrintable(banner->lines().first()));
        QVERIFY2(banner->lines().first().contains(QLatin1String("wave 1 of 2")), qPrintable(banner->lines().first()));
        // The table shows where each machine stands.
        QTreeView *table = w.fleetView()->table();
        auto assignedText
            = [table](int row) { return table->model()->index(row, FleetModel::AssignedImage).data().toString(); };
        QTRY_COMPARE(assignedText(0), QStringLiteral("os:2 (rollout: canary, rolling out)"));
        QCOMPARE(assignedText(1), QStringLiteral("os:1 (rollout: wave 2, waiting for os:2)"));

        QTest::mouseClick(button(banner, "rolloutToggle"), Qt::LeftButton);
        QTRY_COMPARE(Rollout::load(*c, QStringLiteral("demo"))->state, Rollout::State::Paused);
        QTRY_VERIFY(banner->lines().value(0).startsWith(QLatin1String("Paused:")));
        QTest::mouseClick(button(banner, "rolloutToggle"), Qt::LeftButton);
        QTRY_COMPARE(Rollout::load(*c, QStringLiteral("demo"))->state, Rollout::State::Running);

        int asked = 0;
        banner->setConfirm([&asked](const QString &) {
            ++asked;
            return asked > 1; // declined once, then confirmed
        });
        QTest::mouseClick(button(banner, "rolloutAbort"), Qt::LeftButton);
        QCOMPARE(Rollout::load(*c, QStringLiteral("demo"))->state, Rollout::State::Running);
        QTRY_VERIFY(button(banner, "rolloutAbort"));
        QTest::mouseClick(button(banner, "rolloutAbort"), Qt::LeftButton);
        QCOMPARE(Rollout::load(*c, QStringLiteral("demo"))->state, Rollout::State::Aborted);
        QTRY_VERIFY(!banner->isVisible());
        // The canary is back on its previous image.
        QCOMPARE(c->effectiveAssignment(*c->machineByName(QStringLiteral("vm-1")))->image, QStringLiteral("os:1"));

        // Started from the image panel's Roll Out…: bad input is named, nothing saved. The
        // dialog names the image's latest test in a VM, and requires one by default.
        ImageTestResult verdict;
        verdict.image = QStringLiteral("os:2");
        verdict.passed = false;
        verdict.reason = QStringLiteral("check 50-service exited 1");
        QVERIFY(recordImageTest(*c, verdict).ok());
        RolloutDialog dialog(m_t.lab.get(), QStringLiteral("os:2"), &w);
        QVERIFY2(dialog.requireTestBox()->text().contains(QLatin1String("failed on")),
            qPrintable(dialog.requireTestBox()->text()));
        QVERIFY(dialog.requireTestBox()->isChecked());
        QVERIFY(!dialog.testUefiBox()->isChecked()); // the verdict on record was a BIOS boot
        dialog.testUefiBox()->setChecked(true);
        QCOMPARE(dialog.groupBox()->currentText(), QStringLiteral("demo"));
        dialog.canaryEdit()->setText(QStringLiteral("half"));
        QVERIFY(!dialog.startRollout());
        QVERIFY2(dialog.errorLabel()->text().startsWith(QLatin1String("Canaries: 'half'")),
            qPrintable(dialog.errorLabel()->text()));
        dialog.canaryEdit()->setText(QStringLiteral("1"));
        dialog.bakeEdit()->setText(QStringLiteral("2m"));
        QVERIFY2(dialog.startRollout(), qPrintable(dialog.errorLabel()->text()));
        const auto started = Rollout::load(*c, QStringLiteral("demo"));
        QCOMPARE(started->state, Rollout::State::Running);
        QCOMPARE(started->bakeSeconds, 120);
        QVERIFY(started->requireTest);
        QVERIFY(started->testUefi);
        QTRY_VERIFY(banner->isVisible());
    }
};

QTEST_MAIN(TstRolloutBanner)
#include "tst_rolloutbanner.moc"
