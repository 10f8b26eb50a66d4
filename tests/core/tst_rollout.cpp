// Rollouts: the counts and durations users type, the plan (canaries, waves), and the engine
// moving a rollout along as machines report — a good image through every wave, a bad one
// stopped at the canary and reverted, pause and resume, abort, a restart of Drover in the
// middle, and the test in a VM a rollout can require (the real ImageTest runs in the qemu
// rollout e2e; here a stand-in answers, to reach every verdict). Machines report through
// the catalog as the boot routes do.
#include "catalog/catalog.h"
#include "fleet/lifecycle.h"
#include "fleet/rolloutengine.h"
#include "testlab.h"
#include "tst_http_support.h"
#include "vm/imagetest.h"

#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using namespace drover;
using namespace drover::test;

class TstRollout : public QObject {
    Q_OBJECT
    TestLab m_t;
    Catalog *c() const { return m_t.lab->catalog(); }

    // What the boot routes write when a machine reports.
    void reportReady(const QString &machine, const QString &image)
    {
        QTest::qWait(5); // lastSeen must be later than the assignment
        QVERIFY(c()->recordMachineSeen(machine, MachineState::Ready, QStringLiteral("ready"), {}).ok());
        QVERIFY(c()->recordBootResult(machine, image, true).ok());
    }
    void reportFailed(const QString &machine, const QString &image)
    {
        QTest::qWait(5);
        QVERIFY(c()->recordMachineSeen(machine, MachineState::Failed, QStringLiteral("failed"), {}).ok());
        QVERIFY(c()->recordBootResult(machine, image, false).ok());
    }
    QString assigned(const QString &machine) const
    {
        return c()->effectiveAssignment(*c()->machineByName(machine))->image;
    }

private Q_SLOTS:
    void counts_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("total");
        QTest::addColumn<int>("expected"); // -1: refused
        QTest::newRow("one") << "1" << 10 << 1;
        QTest::newRow("more than the group") << "50" << 10 << 10;
        QTest::newRow("25% of 10 rounds up") << "25%" << 10 << 3;
        QTest::newRow("1% is still a machine") << "1%" << 3 << 1;
        QTest::newRow("zero") << "0" << 10 << -1;
        QTest::newRow("over 100%") << "120%" << 10 << -1;
        QTest::newRow("words") << "a few" << 10 << -1;
        QTest::newRow("surrounding space is trimmed") << " 3\n" << 10 << 3;
    }

    void counts()
    {
        QFETCH(QString, text);
        QFETCH(int, total);
        QFETCH(int, expected);
        const auto count = RolloutCount::parse(text, QStringLiteral("--canary"));
        QCOMPARE(count.ok(), expected >= 0);
        if (!count) {
            QVERIFY2(count.error().startsWith(QLatin1String("--canary: '") + text), qPrintable(count.error()));
            return;
        }
        QCOMPARE(count->of(total), expected);
        QCOMPARE(RolloutCount::parse(count->toString(), {})->of(total), expected);
    }

    void durations_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("seconds"); // -1: refused
        QTest::newRow("seconds") << "90" << 90;
        QTest::newRow("suffix s") << "45s" << 45;
        QTest::newRow("minutes") << "5m" << 300;
        QTest::newRow("hours") << "2h" << 7200;
        QTest::newRow("negative") << "-5m" << -1;
        QTest::newRow("days") << "1d" << -1;
    }

    void durations()
    {
        QFETCH(QString, text);
        QFETCH(int, seconds);
        const auto d = parseDuration(text, QStringLiteral("--bake"));
        QCOMPARE(d.ok(), seconds >= 0);
        if (d)
            QCOMPARE(*d, seconds);
        else
            QVERIFY2(d.error().contains(QLatin1String("--bake")), qPrintable(d.error()));
    }

    void init()
    {
        QString why;
        m_t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(m_t.lab, qPrintable(why));
        for (const QString &version : { QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("3") })
            QVERIFY(addTestImage(m_t.lab.get(), QStringLiteral("os"), version).ok());
        for (int i = 1; i <= 5; ++i)
            QVERIFY(
                c()->addMachine(testMachine(QStringLiteral("pc-0%1").arg(i),
                                    QStringLiteral("52:54:00:00:01:0%1").arg(i), QStringLiteral("demo")))
                    .ok());
        QVERIFY(
            c()->assign(TargetKind::Group, QStringLiteral("demo"), QStringLiteral("os:1"), QStringLiteral("t"), {})
                .ok());
        for (int i = 1; i <= 5; ++i)
            reportReady(QStringLiteral("pc-0%1").arg(i), QStringLiteral("os:1"));
    }

    void plan()
    {
        auto r = planRollout(*c(), QStringLiteral("demo"), QStringLiteral("os:2"), { 1, false }, { 40, true }, 60, 0,
            false, QStringLiteral("t"));
        QVERIFY2(r, qPrintable(r.error()));
        QCOMPARE(r->machines.size(), 5);
        QCOMPARE(r->waves(), 3); // 1 canary, then 2 + 2 (40% of 5)
        QCOMPARE(r->machines.at(0).wave, 0);
        QCOMPARE(r->machines.at(2).wave, 1);
        QCOMPARE(r->machines.at(4).wave, 2);
        QVERIFY(r->save(*c()).ok());
        const auto again = planRollout(*c(), QStringLiteral("demo"), QStringLiteral("os:3"), {}, {}, 0, 0, false, {});
        QVERIFY(!again);
        QVERIFY2(again.error().contains(QLatin1String("abort it first")), qPrintable(again.error()));
        QVERIFY(!planRollout(*c(), QStringLiteral("nobody"), QStringLiteral("os:2"), {}, {}, 0, 0, false, {}));
        QVERIFY(!planRollout(*c(), QStringLiteral("demo"), QStringLiteral("os:9"), {}, {}, 0, 0, false, {}));
        // Stored and read back whole.
        QCOMPARE(Rollout::load(*c(), QStringLiteral("demo"))->toJson(), r->toJson());
    }

    void goodImageGoesEverywhere()
    {
        auto r = planRollout(*c(), QStringLiteral("demo"), QStringLiteral("os:2"), { 1, false }, { 2, false }, 0, 0,
            true, QStringLiteral("t"));
        QVERIFY(r && r->save(*c()).ok());
        RolloutEngine engine(c());
        QStringList rebooted;
        engine.setReboot([&rebooted](const Machine &m) { rebooted.append(m.name); });
        QSignalSpy progressed(&engine, &RolloutEngine::progressed);

        engine.tick(); // the canary gets the image and a power cycle
        QCOMPARE(assigned(QStringLiteral("pc-01")), QStringLiteral("os:2"));
        QCOMPARE(assigned(QStringLiteral("pc-02")), QStringLiteral("os:1"));
        QCOMPARE(rebooted, QStringList { QStringLiteral("pc-01") });
        QVERIFY(!progressed.isEmpty());
        engine.tick(); // nothing reported yet: it waits
        QCOMPARE(assigned(QStringLiteral("pc-02")), QStringLiteral("os:1"));

        // A restart of Drover here: a new engine picks the rollout up from the catalog.
        RolloutEngine restarted(c());
        restarted.setReboot([&rebooted](const Machine &m) { rebooted.append(m.name); });
        reportReady(QStringLiteral("pc-01"), QStringLiteral("os:2"));
        restarted.tick(); // canary baked (bake 0): the wave is done
        restarted.tick(); // wave 2: pc-02, pc-03
        QCOMPARE(assigned(QStringLiteral("pc-02")), QStringLiteral("os:2"));
        QCOMPARE(assigned(QStringLiteral("pc-03")), QStringLiteral("os:2"));
        QCOMPARE(assigned(QStringLiteral("pc-04")), QStringLiteral("os:1"));
        for (const QString &m : { QStringLiteral("pc-02"), QStringLiteral("pc-03") })
            reportReady(m, QStringLiteral("os:2"));
        restarted.tick();
        restarted.tick();
        for (const QString &m : { QStringLiteral("pc-04"), QStringLiteral("pc-05") })
            reportReady(m, QStringLiteral("os:2"));
        restarted.tick();
        restarted.tick();
        const auto done = Rollout::load(*c(), QStringLiteral("demo"));
        QCOMPARE(done->state, Rollout::State::Done);
        QCOMPARE(done->finished(), 5);
        QCOMPARE(done->failures(), 0);
        QCOMPARE(rebooted.size(), 5);
        // The group itself boots the image now, for machines added later, and the machines
        // follow their group again: rolling the group back brings every one back.
        const auto history = c()->history(TargetKind::Group, QStringLiteral("demo"));
        QCOMPARE(history.first().image, QStringLiteral("os:2"));
        QVERIFY(c()->history(TargetKind::Machine, QStringLiteral("pc-03")).first().image.isEmpty());
        QCOMPARE(c()->imagesInUse().count(QString()), 0);
        QVERIFY(Lifecycle(c()).rollback({ TargetKind::Group, QStringLiteral("demo") }, QStringLiteral("t")));
        for (int i = 1; i <= 5; ++i)
            QCOMPARE(assigned(QStringLiteral("pc-0%1").arg(i)), QStringLiteral("os:1"));
        // Only a machine can follow its group.
        QVERIFY(!c()->assign(TargetKind::Group, QStringLiteral("demo"), QString(), QStringLiteral("t"), {}));
    }

    void badImageStopsAtTheCanary()
    {
        auto r = planRollout(*c(), QStringLiteral("demo"), QStringLiteral("os:3"), { 1, false }, { 100, true }, 300, 0,
            false, QStringLiteral("t"));
        QVERIFY(r && r->save(*c()).ok());
        RolloutEngine engine(c());
        engine.tick();
        QCOMPARE(assigned(QStringLiteral("pc-01")), QStringLiteral("os:3"));
        reportFailed(QStringLiteral("pc-01"), QStringLiteral("os:3")); // its ready unit failed
        engine.tick();
        const auto stopped = Rollout::load(*c(), QStringLiteral("demo"));
        QCOMPARE(stopped->state, Rollout::State::Failed);
        QCOMPARE(stopped->machines.first().result, QStringLiteral("reverted"));
        QVERIFY2(stopped->machines.first().why.contains(QLatin1String("failed to boot os:3")),
            qPrintable(stopped->machines.first().why));
        // The canary has its previous image back; the others never left theirs.
        for (int i = 1; i <= 5; ++i)
            QCOMPARE(assigned(QStringLiteral("pc-0%1").arg(i)), QStringLiteral("os:1"));
        const auto history = c()->history(TargetKind::Machine, QStringLiteral("pc-01"));
        QVERIFY2(history.first().why.contains(QLatin1String("stopped")), qPrintable(history.first().why));
        // A new rollout of the group is allowed again.
        QVERIFY(planRollout(*c(), QStringLiteral("demo"), QStringLiteral("os:2"), {}, {}, 0, 0, false, {}));
    }

    // A machine whose burn-in fails after the rollout was planned gets no image from it: it
    // counts as a failed machine of the rollout, which stops it (no failures allowed).
    void burninFailureDuringARollout()
    {
        auto r = planRollout(*c(), QStringLiteral("demo"), QStringLiteral("os:2"), { 1, false }, { 100, true }, 0, 0,
            false, QStringLiteral("t"));
        QVERIFY(r && r->save(*c()).ok());
        const TestReport failed { QStringLiteral("burn-in"),
            { TestResult { QStringLiteral("cpu"), false, 1, {}, {} } } };
        QVERIFY(c()->recordTestRun(QStringLiteral("pc-01"), QStringLiteral("b1"), failed).ok());
        RolloutEngine engine(c());
        engine.tick();
        QCOMPARE(assigned(QStringLiteral("pc-01")), QStringLiteral("os:1"));
        const auto stopped = Rollout::load(*c(), QStringLiteral("demo"));
        QVERIFY2(stopped->machines.first().result != QLatin1String("ok"), qPrintable(stopped->machines.first().result));
        QVERIFY2(stopped->machines.first().why.contains(QLatin1String("failed its burn-in")),
            qPrintable(stopped->machines.first().why));
        engine.tick();
        QCOMPARE(Rollout::load(*c(), QStringLiteral("demo"))->state, Rollout::State::Failed);
        for (int i = 1; i <= 5; ++i)
            QCOMPARE(assigned(QStringLiteral("pc-0%1").arg(i)), QStringLiteral("os:1"));
    }

    void bakeTimeCatchesALateFailure()
    {
        auto r = planRollout(*c(), QStringLiteral("demo"), QStringLiteral("os:3"), { 1, false }, { 100, true }, 3600, 0,
            false, QStringLiteral("t"));
        QVERIFY(r && r->save(*c()).ok());
        RolloutEngine engine(c());
        engine.tick();
        reportReady(QStringLiteral("pc-01"), QStringLiteral("os:3"));
        engine.tick();
        QCOMPARE(Rollout::load(*c(), QStringLiteral("demo"))->state, Rollout::State::Running); // baking
        QTest::qWait(5);
        QVERIFY(
            c()->recordMachineSeen(QStringLiteral("pc-01"), MachineState::Booting, QStringLiteral("kernel"), {}).ok());
        engine.tick();
        const auto stopped = Rollout::load(*c(), QStringLiteral("demo"));
        QCOMPARE(stopped->state, Rollout::State::Failed);
        QVERIFY2(stopped->machines.first().why.contains(QLatin1String("left ready during the bake time")),
            qPrintable(stopped->machines.first().why));
    }

    void pauseResumeAbort()
    {
        auto r = planRollout(*c(), QStringLiteral("demo"), QStringLiteral("os:2"), { 2, false }, { 100, true }, 0, 0,
            false, QStringLiteral("t"));
        QVERIFY(r && r->save(*c()).ok());
        RolloutEngine engine(c());
        engine.tick();
        QVERIFY(pauseRollout(*c(), QStringLiteral("demo")).ok());
        reportReady(QStringLiteral("pc-01"), QStringLiteral("os:2"));
        reportReady(QStringLiteral("pc-02"), QStringLiteral("os:2"));
        engine.tick();
        engine.tick();
        QCOMPARE(assigned(QStringLiteral("pc-03")), QStringLiteral("os:1")); // paused: no next wave
        QVERIFY(!pauseRollout(*c(), QStringLiteral("nobody")).ok());
        QVERIFY(resumeRollout(*c(), QStringLiteral("demo")).ok());
        engine.tick();
        engine.tick();
        QCOMPARE(assigned(QStringLiteral("pc-03")), QStringLiteral("os:2"));
        QVERIFY(abortRollout(*c(), QStringLiteral("demo"), QStringLiteral("admin")).ok());
        for (int i = 1; i <= 5; ++i)
            QCOMPARE(assigned(QStringLiteral("pc-0%1").arg(i)), QStringLiteral("os:1"));
        const auto aborted = Rollout::load(*c(), QStringLiteral("demo"));
        QCOMPARE(aborted->state, Rollout::State::Aborted);
        QVERIFY2(aborted->message.contains(QLatin1String("aborted by admin")), qPrintable(aborted->message));
        QVERIFY(!abortRollout(*c(), QStringLiteral("demo"), QStringLiteral("admin")).ok()); // once is enough
    }

    void requireTest_data()
    {
        QTest::addColumn<QString>("recorded"); // "", "passed", "failed": a verdict on record
        QTest::addColumn<QString>("tester"); // "passes", "fails", "no verdict", "none"
        QTest::addColumn<int>("testsRun");
        QTest::addColumn<bool>("goesOn"); // the canary gets the image
        QTest::addColumn<QString>("message");
        QTest::addColumn<bool>("uefi"); // the rollout's test boots UEFI; verdicts on record are BIOS
        QTest::newRow("test passes") << "" << "passes" << 1 << true << "os:2 passed its test in a VM" << false;
        QTest::newRow("test fails") << "" << "fails" << 1 << false << "check 50-service exited 1" << false;
        QTest::newRow("no verdict") << "" << "no verdict" << 1 << false << "gave no verdict" << false;
        QTest::newRow("pass on record") << "passed" << "fails" << 0 << true << "passed its test in a VM (" << false;
        QTest::newRow("failure on record") << "failed" << "passes" << 0 << false << "drover image test os:2" << false;
        QTest::newRow("no tester") << "" << "none" << 0 << false << "cannot test images in a VM" << false;
        // A BIOS verdict says nothing about UEFI: the test runs, with UEFI.
        QTest::newRow("BIOS pass on record, UEFI wanted")
            << "passed" << "passes" << 1 << true << "passed its test in a VM (ready after" << true;
        QTest::newRow("BIOS failure on record, UEFI wanted")
            << "failed" << "passes" << 1 << true << "passed its test in a VM (ready after" << true;
    }

    void requireTest()
    {
        QFETCH(QString, recorded);
        QFETCH(QString, tester);
        QFETCH(int, testsRun);
        QFETCH(bool, goesOn);
        QFETCH(QString, message);
        QFETCH(bool, uefi);
        if (!recorded.isEmpty()) {
            ImageTestResult verdict;
            verdict.image = QStringLiteral("os:2");
            verdict.passed = recorded == QLatin1String("passed");
            verdict.reason = QStringLiteral("check 50-service exited 1");
            QVERIFY(recordImageTest(*c(), verdict).ok());
        }
        auto r = planRollout(*c(), QStringLiteral("demo"), QStringLiteral("os:2"), { 1, false }, { 100, true }, 0, 0,
            false, QStringLiteral("t"));
        QVERIFY(r);
        r->requireTest = true;
        r->testUefi = uefi;
        QVERIFY(r->save(*c()).ok());
        RolloutEngine engine(c());
        int runs = 0;
        bool testedUefi = false;
        if (tester != QLatin1String("none")) {
            engine.setTester(
                [&](const QString &image, bool withUefi, const RolloutEngine::TestDone &done) -> RolloutEngine::Cancel {
                    ++runs;
                    testedUefi = withUefi;
                    ImageTestResult result;
                    result.image = image;
                    result.passed = tester == QLatin1String("passes");
                    result.verdict = tester != QLatin1String("no verdict");
                    result.reason
                        = result.verdict ? QStringLiteral("check 50-service exited 1") : QStringLiteral("qemu died");
                    QTimer::singleShot(10, &engine, [done, result] { done(result); });
                    return {};
                });
        }
        engine.tick();
        if (testsRun > 0) {
            // While the test runs, no machine gets the image.
            QCOMPARE(Rollout::load(*c(), QStringLiteral("demo"))->test, QStringLiteral("running"));
            QCOMPARE(assigned(QStringLiteral("pc-01")), QStringLiteral("os:1"));
            QTRY_COMPARE(runs, testsRun);
            QTRY_VERIFY(Rollout::load(*c(), QStringLiteral("demo"))->test != QLatin1String("running"));
        }
        const auto after = Rollout::load(*c(), QStringLiteral("demo"));
        QVERIFY2(after->message.contains(message), qPrintable(after->message));
        engine.tick();
        QCOMPARE(runs, testsRun); // the verdict stands: no second test
        QCOMPARE(testedUefi, uefi && testsRun > 0);
        QCOMPARE(assigned(QStringLiteral("pc-01")), goesOn ? QStringLiteral("os:2") : QStringLiteral("os:1"));
        QCOMPARE(Rollout::load(*c(), QStringLiteral("demo"))->state,
            goesOn ? Rollout::State::Running : Rollout::State::Failed);
        for (int i = 2; i <= 5; ++i)
            QCOMPARE(assigned(QStringLiteral("pc-0%1").arg(i)), QStringLiteral("os:1"));
    }

    void requireTestAfterRestartAndAbort()
    {
        // Drover stopped while the test ran: the next engine runs it again.
        auto r = planRollout(*c(), QStringLiteral("demo"), QStringLiteral("os:2"), { 1, false }, { 100, true }, 0, 0,
            false, QStringLiteral("t"));
        QVERIFY(r);
        r->requireTest = true;
        r->test = QStringLiteral("running");
        QVERIFY(r->save(*c()).ok());
        RolloutEngine engine(c());
        int runs = 0;
        bool cancelled = false;
        engine.setTester(
            [&runs, &cancelled](const QString &, bool, const RolloutEngine::TestDone &) -> RolloutEngine::Cancel {
                ++runs;
                return [&cancelled] { cancelled = true; };
            });
        engine.tick();
        engine.tick(); // once is enough while it runs
        QTRY_COMPARE(runs, 1);
        QTest::qWait(20);
        QCOMPARE(runs, 1);
        // Aborted while the test runs (from the command line, say): the test stops.
        engine.tick();
        QVERIFY(!cancelled);
        QVERIFY(abortRollout(*c(), QStringLiteral("demo"), QStringLiteral("admin")).ok());
        engine.tick();
        QVERIFY(cancelled);
        QCOMPARE(assigned(QStringLiteral("pc-01")), QStringLiteral("os:1"));
    }
};

QTEST_GUILESS_MAIN(TstRollout)
#include "tst_rollout.moc"
