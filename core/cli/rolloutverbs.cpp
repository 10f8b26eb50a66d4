// `drover rollout`: start a rollout of an image to a group in waves, watch it, pause,
// resume or abort it. The running boot server (window or --headless) moves it along.
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "fleet/rolloutengine.h"
#include "lab/lab.h"
#include "power/machinepower.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(RolloutVerbs)
};

void printRollout(CliContext &ctx, const Rollout &r)
{
    ctx.out << Text::tr("rollout of %1 to group %2: %3, wave %4 of %5, %6 of %7 machines done, %8 failed (limit %9)")
                   .arg(r.image, r.group, Rollout::stateKey(r.state))
                   .arg(r.currentWave + 1)
                   .arg(r.waves())
                   .arg(r.finished())
                   .arg(r.machines.size())
                   .arg(r.failures())
                   .arg(r.maxFailures)
            << Qt::endl;
    if (r.requireTest)
        ctx.out << "  "
                << (r.test.isEmpty() ? Text::tr("test in a VM first: not yet run")
                                     : Text::tr("test in a VM first: %1").arg(r.test))
                << (r.testUefi ? Text::tr(" (UEFI)") : QString()) << Qt::endl;
    if (!r.message.isEmpty())
        ctx.out << "  " << r.message << Qt::endl;
    QList<QStringList> rows;
    for (const RolloutMachine &m : r.machines) {
        const QString state = !m.result.isEmpty() ? m.result
            : m.readyMs > 0                       ? Text::tr("baking")
            : m.assignedMs > 0                    ? Text::tr("assigned")
                                                  : Text::tr("waiting");
        rows.append(
            { m.name, m.wave == 0 ? Text::tr("canary") : QString::number(m.wave + 1), state, m.previousImage, m.why });
    }
    printTable(
        ctx, { Text::tr("MACHINE"), Text::tr("WAVE"), Text::tr("STATE"), Text::tr("PREVIOUS"), Text::tr("WHY") }, rows);
}

int start(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("group"), Text::tr("The group to roll out to."), QStringLiteral("G") });
    p.addOption({ QStringLiteral("canary"), Text::tr("Machines first, alone: a count or a percentage (default 1)."),
        QStringLiteral("N|P%") });
    p.addOption({ QStringLiteral("wave"), Text::tr("Machines per wave after the canaries (default: all the rest)."),
        QStringLiteral("N|P%") });
    p.addOption({ QStringLiteral("bake"), Text::tr("How long each wave must stay ready (default 5m)."),
        QStringLiteral("DURATION") });
    p.addOption({ QStringLiteral("max-failures"),
        Text::tr("More failed machines than this stop the rollout and revert it (default 0)."), QStringLiteral("N") });
    p.addOption({ QStringLiteral("reboot"), Text::tr("Power-cycle each machine when it gets the image.") });
    p.addOption({ QStringLiteral("require-test"),
        Text::tr("No machine gets the image before it passes a test in a VM (the latest on record for "
                 "this image, or one the boot server runs first).") });
    p.addOption({ QStringLiteral("test-uefi"),
        Text::tr("The test in a VM boots UEFI firmware (OVMF), as a lab of UEFI machines does; implies "
                 "--require-test.") });
    if (auto code = parseVerbArgs(ctx, verb, p, 1, 1))
        return *code;
    const QString group = p.value(QStringLiteral("group"));
    if (group.isEmpty())
        return usageError(ctx, Text::tr("drover: rollout start needs --group"));
    auto canary = RolloutCount::parse(
        p.isSet(QStringLiteral("canary")) ? p.value(QStringLiteral("canary")) : QStringLiteral("1"),
        QStringLiteral("--canary"));
    auto wave = RolloutCount::parse(
        p.isSet(QStringLiteral("wave")) ? p.value(QStringLiteral("wave")) : QStringLiteral("100%"),
        QStringLiteral("--wave"));
    auto bake = parseDuration(p.isSet(QStringLiteral("bake")) ? p.value(QStringLiteral("bake")) : QStringLiteral("5m"),
        QStringLiteral("--bake"));
    bool numberOk = true;
    const int maxFailures
        = p.isSet(QStringLiteral("max-failures")) ? p.value(QStringLiteral("max-failures")).toInt(&numberOk) : 0;
    for (const QString &error :
        { canary ? QString() : canary.error(), wave ? QString() : wave.error(), bake ? QString() : bake.error(),
            numberOk && maxFailures >= 0
                ? QString()
                : Text::tr("--max-failures: '%1' is not a number").arg(p.value(QStringLiteral("max-failures"))) }) {
        if (!error.isEmpty())
            return usageError(ctx, QStringLiteral("drover: ") + error);
    }
    auto r = planRollout(*ctx.lab->catalog(), group, p.positionalArguments().first(), *canary, *wave, *bake,
        maxFailures, p.isSet(QStringLiteral("reboot")), ctx.who);
    if (!r)
        return fail(ctx, r.error());
    r->testUefi = p.isSet(QStringLiteral("test-uefi"));
    r->requireTest = r->testUefi || p.isSet(QStringLiteral("require-test"));
    if (Status s = r->save(*ctx.lab->catalog()); !s)
        return fail(ctx, s.error());
    if (ctx.json)
        printJson(ctx, r->toJson());
    else
        printRollout(ctx, *r);
    return ExitOk;
}

int status(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    if (auto code = parseVerbArgs(ctx, verb, p, 0, 1))
        return *code;
    QList<Rollout> list;
    if (!p.positionalArguments().isEmpty()) {
        auto r = Rollout::load(*ctx.lab->catalog(), p.positionalArguments().first());
        if (!r)
            return fail(ctx, r.error());
        list.append(*r);
    } else {
        list = Rollout::all(*ctx.lab->catalog());
    }
    if (ctx.json) {
        QJsonArray array;
        for (const Rollout &r : list)
            array.append(r.toJson());
        printJson(ctx, array);
        return ExitOk;
    }
    if (list.isEmpty())
        ctx.out << Text::tr("no rollouts") << Qt::endl;
    for (const Rollout &r : list)
        printRollout(ctx, r);
    return ExitOk;
}

int control(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    if (auto code = parseVerbArgs(ctx, verb, p, 1, 1))
        return *code;
    const QString group = p.positionalArguments().first();
    const QString what = verb.words.last();
    // Aborting a rollout that reboots machines reboots the reverted ones here and now.
    Catalog *catalog = ctx.lab->catalog();
    const QString who = ctx.who;
    const RolloutEngine::Reboot reboot = [catalog, who, &ctx](const Machine &machine) {
        if (auto r = powerMachine(*catalog, machine, PowerAction::Cycle, who); !r)
            ctx.err << "drover: " << r.error() << Qt::endl;
    };
    Status s = what == QLatin1String("pause") ? pauseRollout(*catalog, group)
        : what == QLatin1String("resume")     ? resumeRollout(*catalog, group)
                                              : abortRollout(*catalog, group, who, reboot);
    if (!s)
        return fail(ctx, s.error());
    if (auto r = Rollout::load(*ctx.lab->catalog(), group))
        printRollout(ctx, *r);
    return ExitOk;
}

} // namespace

QList<Verb> rolloutVerbs()
{
    return {
        { { QStringLiteral("rollout"), QStringLiteral("start") },
            QStringLiteral("NAME:VERSION --group G [--canary N|P%] [--wave N|P%] [--bake DURATION] [--max-failures N] "
                           "[--reboot] [--require-test] [--test-uefi]"),
            Text::tr("Roll an image out to a group: canaries first, then waves, each baked before the next."), start },
        { { QStringLiteral("rollout"), QStringLiteral("status") }, QStringLiteral("[GROUP]"),
            Text::tr("Show rollouts: waves, machines, failures."), status },
        { { QStringLiteral("rollout"), QStringLiteral("pause") }, QStringLiteral("GROUP"),
            Text::tr("Pause a rollout: machines keep what they have."), control },
        { { QStringLiteral("rollout"), QStringLiteral("resume") }, QStringLiteral("GROUP"),
            Text::tr("Resume a paused rollout."), control },
        { { QStringLiteral("rollout"), QStringLiteral("abort") }, QStringLiteral("GROUP"),
            Text::tr("Stop a rollout and give every machine it touched its previous image back."), control },
    };
}

} // namespace drover
