#include "fleet/rolloutengine.h"

#include "catalog/catalog.h"
#include "fleet/lifecycle.h"
#include "vm/imagetest.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(RolloutEngine)
};

Result<Rollout> loadActive(const Catalog &catalog, const QString &group)
{
    auto r = Rollout::load(catalog, group);
    if (r && !r->active())
        return Result<Rollout>::failure(
            Text::tr("the rollout of %1 to %2 is %3 already").arg(r->image, group, Rollout::stateKey(r->state)));
    return r;
}

} // namespace

RolloutEngine::RolloutEngine(Catalog *catalog, QObject *parent)
    : QObject(parent)
    , m_catalog(catalog)
{
    connect(&m_timer, &QTimer::timeout, this, &RolloutEngine::tick);
}

void RolloutEngine::start(int intervalMs)
{
    m_timer.start(intervalMs);
}

void RolloutEngine::stop()
{
    m_timer.stop();
}

void RolloutEngine::tick()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    // A test whose rollout was aborted or replaced (here or by another Drover) stops.
    for (const QString &group : m_testing.keys()) {
        const auto r = Rollout::load(*m_catalog, group);
        if (r && r->active() && r->test == QLatin1String("running"))
            continue;
        if (const Cancel cancel = m_testing.take(group))
            cancel();
    }
    for (Rollout r : Rollout::all(*m_catalog)) {
        if (r.state != Rollout::State::Running)
            continue;
        const QJsonObject before = r.toJson();
        step(r, now);
        if (r.toJson() == before)
            continue;
        if (Status s = r.save(*m_catalog); !s)
            r.message = Text::tr("cannot save the rollout: %1").arg(s.error());
        Q_EMIT progressed(r.group, r.message);
    }
}

bool RolloutEngine::tested(Rollout &r)
{
    if (!r.requireTest || r.test == QLatin1String("passed"))
        return true;
    // A verdict counts for the firmware it was reached with: BIOS and UEFI boot differently.
    if (const auto record = lastImageTest(*m_catalog, r.image); record && record->uefi == r.testUefi) {
        const QString when = QLocale().toString(record->at, QLocale::ShortFormat);
        if (record->passed) { // the machines follow from the next step: the log shows why
            r.test = QStringLiteral("passed");
            r.message = Text::tr("%1 passed its test in a VM (%2, ready after %3 s)")
                            .arg(r.image, when)
                            .arg(record->seconds, 0, 'f', 1);
            return false;
        }
        r.test = QStringLiteral("failed");
        r.state = Rollout::State::Failed;
        r.message = Text::tr("%1 failed its test in a VM (%2): %3; no machine was touched. After a fix, "
                             "test it again: drover image test %1")
                        .arg(r.image, when, record->reason);
        return false;
    }
    if (m_testing.contains(r.group))
        return false;
    if (!m_tester) {
        r.state = Rollout::State::Failed;
        r.message = Text::tr("this Drover cannot test images in a VM; no machine was touched");
        return false;
    }
    // Also after a restart mid-test: the test that was running then is gone, so it runs again.
    m_testing.insert(r.group, {});
    r.test = QStringLiteral("running");
    r.message = Text::tr("testing %1 in a VM before any machine gets it").arg(r.image);
    // Queued: the tester may answer at once (it cannot start), and this rollout is saved
    // by tick() after this step.
    QMetaObject::invokeMethod(
        this,
        [this, group = r.group, image = r.image, uefi = r.testUefi] {
            if (!m_testing.contains(group))
                return; // aborted before the test started
            Cancel cancel = m_tester(image, uefi,
                [this, group, image](const ImageTestResult &result) { testFinished(group, image, result); });
            if (m_testing.contains(group)) // not answered already
                m_testing[group] = std::move(cancel);
        },
        Qt::QueuedConnection);
    return false;
}

void RolloutEngine::testFinished(const QString &group, const QString &image, const ImageTestResult &result)
{
    m_testing.remove(group);
    auto r = Rollout::load(*m_catalog, group);
    if (!r || !r->active() || r->image != image || r->test != QLatin1String("running"))
        return; // aborted or replaced while the test ran
    if (result.passed) {
        r->test = QStringLiteral("passed");
        r->message
            = Text::tr("%1 passed its test in a VM (ready after %2 s)").arg(image).arg(result.seconds, 0, 'f', 1);
    } else {
        r->test = QStringLiteral("failed");
        r->state = Rollout::State::Failed;
        r->message = result.verdict
            ? Text::tr("%1 failed its test in a VM: %2; no machine was touched").arg(image, result.reason)
            : Text::tr("the test of %1 in a VM gave no verdict: %2; no machine was touched").arg(image, result.reason);
    }
    if (Status s = r->save(*m_catalog); !s)
        r->message = Text::tr("cannot save the rollout: %1").arg(s.error());
    Q_EMIT progressed(group, r->message);
}

void RolloutEngine::step(Rollout &r, qint64 now)
{
    if (!tested(r))
        return;
    Lifecycle lifecycle(m_catalog);
    const QString why
        = Text::tr("rollout of %1 to %2, wave %3 of %4").arg(r.image, r.group).arg(r.currentWave + 1).arg(r.waves());
    // 1. The current wave gets the image.
    for (RolloutMachine &m : r.machines) {
        if (m.wave != r.currentWave || m.assignedMs != 0 || !m.result.isEmpty())
            continue;
        const auto machine = m_catalog->machineByName(m.name);
        if (!machine) {
            m.result = QStringLiteral("failed");
            m.why = Text::tr("%1 is no longer in the catalog").arg(m.name);
            continue;
        }
        // Marked after the rollout was planned: the machine counts as failed, not as a
        // target, as the plan would have refused it.
        if (machine->burninFailed.isValid()) {
            m.result = QStringLiteral("failed");
            m.why = Text::tr("%1 failed its burn-in; clear the failure before it gets an image by rollout").arg(m.name);
            continue;
        }
        const auto current = m_catalog->effectiveAssignment(*machine);
        m.previousImage = current ? current->image : QString();
        auto assigned = lifecycle.assign({ AssignTarget { TargetKind::Machine, m.name } }, r.image, r.who, why);
        if (!assigned) {
            m.result = QStringLiteral("failed");
            m.why = assigned.error();
            continue;
        }
        m.assignedMs = now;
        if (r.reboot && m_reboot)
            m_reboot(*machine);
        r.message = r.currentWave == 0
            ? Text::tr("%1 assigned to canary %2").arg(r.image, m.name)
            : Text::tr("wave %1: %2 assigned to %3").arg(r.currentWave + 1).arg(r.image, m.name);
    }
    // 2. How the wave's machines are doing.
    bool waveDone = true;
    for (RolloutMachine &m : r.machines) {
        if (m.wave != r.currentWave || !m.result.isEmpty())
            continue;
        const auto machine = m_catalog->machineByName(m.name);
        if (!machine) {
            m.result = QStringLiteral("failed");
            m.why = Text::tr("%1 is no longer in the catalog").arg(m.name);
            continue;
        }
        const bool since = machine->lastSeen.isValid() && machine->lastSeen.toMSecsSinceEpoch() >= m.assignedMs;
        const bool readyWithImage = machine->state == MachineState::Ready && machine->currentImage == r.image;
        if (since && readyWithImage) {
            if (m.readyMs == 0) {
                m.readyMs = now;
                r.message = Text::tr("%1 is ready with %2; baking for %3 s").arg(m.name, r.image).arg(r.bakeSeconds);
            }
            if (now - m.readyMs >= qint64(r.bakeSeconds) * 1000) {
                m.result = QStringLiteral("ok");
                r.message = Text::tr("%1 stayed up with %2 for the bake time").arg(m.name, r.image);
                continue;
            }
        } else if (m.readyMs != 0) {
            m.result = QStringLiteral("failed");
            m.why = Text::tr("%1 left ready during the bake time (now %2 %3)")
                        .arg(m.name, machineStateKey(machine->state), machine->phase);
        } else if (since && machine->state == MachineState::Failed) {
            m.result = QStringLiteral("failed");
            m.why = Text::tr("%1 failed to boot %2 (phase %3)").arg(m.name, r.image, machine->phase);
        } else if (since && machine->state == MachineState::Ready && machine->failedAttempts == 0
            && !machine->currentImage.isEmpty() && machine->currentImage != r.image) {
            m.result = QStringLiteral("failed");
            m.why = Text::tr("%1 booted %2 instead of %3 (its last-known-good image, after failed boots)")
                        .arg(m.name, machine->currentImage, r.image);
        }
        if (m.result == QLatin1String("failed"))
            r.message = m.why;
        waveDone = waveDone && !m.result.isEmpty();
    }
    // 3. Too many failures: everything back.
    if (r.failures() > r.maxFailures) {
        revertRollout(*m_catalog, r, r.who,
            Text::tr("rollout of %1 to %2 stopped: %n machine(s) failed", nullptr, r.failures()).arg(r.image, r.group),
            r.reboot ? m_reboot : RolloutEngine::Reboot());
        r.state = Rollout::State::Failed;
        return;
    }
    if (!waveDone)
        return;
    // 4. Next wave, or done: the group itself gets the image, for machines added later.
    if (r.currentWave + 1 < r.waves()) {
        ++r.currentWave;
        r.message = Text::tr("wave %1 of %2 starts").arg(r.currentWave + 1).arg(r.waves());
        return;
    }
    // Done: the group itself gets the image (for machines added later), and the machines
    // follow their group again, so that rolling the group back brings them all back.
    const QString finished = Text::tr("rollout of %1 to %2 finished").arg(r.image, r.group);
    if (auto a = lifecycle.assign({ AssignTarget { TargetKind::Group, r.group } }, r.image, r.who, finished); !a) {
        r.message = a.error();
        return;
    }
    for (const RolloutMachine &m : std::as_const(r.machines)) {
        if (m.result == QLatin1String("ok"))
            (void)m_catalog->assign(TargetKind::Machine, m.name, QString(), r.who, finished);
    }
    r.state = Rollout::State::Done;
    r.message
        = Text::tr("rollout of %1 to %2 done: %n machine(s)", nullptr, int(r.machines.size())).arg(r.image, r.group);
}

void revertRollout(
    Catalog &catalog, Rollout &r, const QString &who, const QString &why, const RolloutEngine::Reboot &reboot)
{
    Lifecycle lifecycle(&catalog);
    int reverted = 0;
    for (RolloutMachine &m : r.machines) {
        if (m.assignedMs == 0 || m.result == QLatin1String("reverted"))
            continue;
        const QString to = m.previousImage.isEmpty() ? QString() : m.previousImage;
        Status done;
        if (to.isEmpty())
            done = Status::failure(Text::tr("%1 had no image before the rollout; it keeps %2").arg(m.name, r.image));
        else if (auto a = lifecycle.assign({ AssignTarget { TargetKind::Machine, m.name } }, to, who, why); !a)
            done = Status::failure(a.error());
        if (!done) {
            m.why = m.why.isEmpty() ? done.error() : m.why + QStringLiteral("; ") + done.error();
            continue;
        }
        m.result = QStringLiteral("reverted");
        ++reverted;
        if (reboot) {
            if (const auto machine = catalog.machineByName(m.name))
                reboot(*machine);
        }
    }
    r.message = Text::tr("%1; %n machine(s) back on their previous image", nullptr, reverted).arg(why);
}

Status pauseRollout(Catalog &catalog, const QString &group)
{
    auto r = loadActive(catalog, group);
    if (!r)
        return Status::failure(r.error());
    r->state = Rollout::State::Paused;
    r->message = Text::tr("paused");
    return r->save(catalog);
}

Status resumeRollout(Catalog &catalog, const QString &group)
{
    auto r = loadActive(catalog, group);
    if (!r)
        return Status::failure(r.error());
    r->state = Rollout::State::Running;
    r->message = Text::tr("resumed");
    return r->save(catalog);
}

Status abortRollout(Catalog &catalog, const QString &group, const QString &who, const RolloutEngine::Reboot &reboot)
{
    auto r = loadActive(catalog, group);
    if (!r)
        return Status::failure(r.error());
    revertRollout(catalog, *r, who, Text::tr("rollout of %1 to %2 aborted by %3").arg(r->image, group, who),
        r->reboot ? reboot : RolloutEngine::Reboot());
    r->state = Rollout::State::Aborted;
    return r->save(catalog);
}

} // namespace drover
