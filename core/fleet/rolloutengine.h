// RolloutEngine: moves the catalog's rollouts along, one step every two seconds — assigns the
// current wave's machines (power-cycling them when the rollout says so), watches them reach
// ready with the image and stay up for the bake time, starts the next wave, and stops and
// reverts everything the rollout touched when too many fail. A rollout that requires a test
// waits for a passing test in a VM before its first wave, and fails touching no machine
// when the image fails it. It keeps no state of its own:
// whichever Drover runs the boot server drives the rollouts of its catalog, and picks them
// up where they were after a restart.
#pragma once

#include "fleet/rollout.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>

namespace drover {

class Catalog;
struct ImageTestResult;
struct Machine;

class RolloutEngine final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RolloutEngine)
public:
    // Called for each machine the rollout assigns (rollouts with reboot) or reverts.
    using Reboot = std::function<void(const Machine &machine)>;
    // Tests an image in a throwaway VM (ImageTest); calls `done` once, later, with the
    // result, and returns what cancels the test (a rollout aborted while its test runs).
    using TestDone = std::function<void(const ImageTestResult &)>;
    using Cancel = std::function<void()>;
    using Tester = std::function<Cancel(const QString &image, bool uefi, TestDone done)>;

    explicit RolloutEngine(Catalog *catalog, QObject *parent = nullptr);

    void setReboot(Reboot reboot) { m_reboot = std::move(reboot); }
    void setTester(Tester tester) { m_tester = std::move(tester); }
    void start(int intervalMs = 2000);
    void stop();
    // One step of every running rollout (the timer calls it; tests call it directly).
    void tick();

Q_SIGNALS:
    // A rollout changed: a wave started, a machine passed or failed, it finished.
    void progressed(const QString &group, const QString &message);

private:
    void step(Rollout &rollout, qint64 nowMs);
    // The test gate: true when the rollout may assign machines.
    bool tested(Rollout &rollout);
    void testFinished(const QString &group, const QString &image, const ImageTestResult &result);

    Catalog *m_catalog;
    QTimer m_timer;
    Reboot m_reboot;
    Tester m_tester;
    QHash<QString, Cancel> m_testing; // groups whose test runs in this process
};

// What `drover rollout pause|resume|abort` and the banner's buttons do. Aborting (and a
// failed rollout) gives every machine the rollout assigned its previous image back, by a
// new assignment saying why; `reboot` is called for each when the rollout reboots machines.
Status pauseRollout(Catalog &catalog, const QString &group);
Status resumeRollout(Catalog &catalog, const QString &group);
Status abortRollout(
    Catalog &catalog, const QString &group, const QString &who, const RolloutEngine::Reboot &reboot = {});
// Reverts the machines of `rollout` (in place), naming `why` in the assignments.
void revertRollout(
    Catalog &catalog, Rollout &rollout, const QString &who, const QString &why, const RolloutEngine::Reboot &reboot);

} // namespace drover
