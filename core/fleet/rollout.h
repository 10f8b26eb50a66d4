// Rollout: "try it on one first". An image goes to a group in waves — the canaries first,
// then the rest a wave at a time — and each wave must reach ready with the image and stay
// up for the bake time before the next starts. When more machines fail than allowed, every
// machine the rollout touched gets its previous image back. The whole state is one JSON
// document in the catalog (setting rollout/<group>), so a rollout survives a restart of
// Drover and any Drover on the same catalog sees it; RolloutEngine moves it along.
#pragma once

#include "util/result.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace drover {

class Catalog;

// "3" machines or "25%" of the group (at least one machine).
struct RolloutCount {
    int value = 1;
    bool percent = false;
    static Result<RolloutCount> parse(const QString &text, const QString &option);
    int of(int total) const;
    QString toString() const;
};

// "90", "90s", "5m", "1h": seconds.
Result<int> parseDuration(const QString &text, const QString &option);

struct RolloutMachine {
    QString name;
    QString previousImage; // what it would boot without the rollout; empty: nothing assigned
    int wave = 0; // 0: the canaries
    qint64 assignedMs = 0; // 0: not yet
    qint64 readyMs = 0; // when it first reported ready with the image
    QString result; // "", "ok" (baked), "failed", "reverted"
    QString why; // of a failure
};

struct Rollout {
    enum class State { Running, Paused, Done, Failed, Aborted };
    QString group;
    QString image;
    QString who;
    RolloutCount canary;
    RolloutCount wave { 100, true };
    int bakeSeconds = 300;
    int maxFailures = 0; // more failed machines than this stops and reverts the rollout
    bool reboot = false; // power-cycle each machine when it is assigned
    // A passing test in a VM (core/vm/imagetest) before any machine gets the image: the
    // latest test on record for the image's manifest, or one the engine runs.
    bool requireTest = false;
    bool testUefi = false; // the test boots UEFI firmware (OVMF), for a lab of UEFI machines
    QString test; // "", "running", "passed", "failed"
    State state = State::Running;
    int currentWave = 0;
    qint64 startedMs = 0;
    QString message; // the latest thing that happened, for the banner and status
    QList<RolloutMachine> machines; // every machine of the group, in wave order

    static QString stateKey(State state);
    bool active() const { return state == State::Running || state == State::Paused; }
    int waves() const;
    int failures() const;
    int finished() const; // machines with a result
    QJsonObject toJson() const;
    static Result<Rollout> fromJson(const QJsonObject &o);

    static QString settingKey(const QString &group) { return QStringLiteral("rollout/") + group; }
    // Reads every rollout in the catalog (active or finished).
    static QList<Rollout> all(const Catalog &catalog);
    static Result<Rollout> load(const Catalog &catalog, const QString &group);
    Status save(Catalog &catalog) const;
};

// Plans a rollout of `image` to the machines of `group` (canaries and waves), refusing an
// image the catalog lacks, an empty group, or a group with a rollout still active.
Result<Rollout> planRollout(const Catalog &catalog, const QString &group, const QString &image, RolloutCount canary,
    RolloutCount wave, int bakeSeconds, int maxFailures, bool reboot, const QString &who);

} // namespace drover
