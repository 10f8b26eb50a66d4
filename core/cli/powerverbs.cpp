// `drover power`: switch machines on and off, wake them, ask their state, and set how
// (core/power/powerspec.h: a URL per machine or per group).
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "lab/lab.h"
#include "power/machinepower.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonObject>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(PowerVerbs)
};

int power(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption(
        { QStringLiteral("timeout"), Text::tr("Give up after this many seconds (default 20)."), QStringLiteral("S") });
    if (auto code = parseVerbArgs(ctx, verb, p, 2, 2))
        return *code;
    const QString name = p.positionalArguments().at(0);
    const auto action = powerActionFromKey(p.positionalArguments().at(1));
    if (!action) {
        ctx.err
            << Text::tr("drover: '%1' is not one of on, off, cycle, wake, status").arg(p.positionalArguments().at(1))
            << Qt::endl;
        return ExitUsage;
    }
    const auto machine = ctx.lab->catalog()->machineByName(name);
    if (!machine)
        return fail(ctx, Text::tr("no machine named '%1'").arg(name));
    auto spec = powerSpecFor(*ctx.lab->catalog(), *machine);
    if (!spec)
        return fail(ctx, spec.error());
    const int timeout = p.isSet(QStringLiteral("timeout")) ? p.value(QStringLiteral("timeout")).toInt() : 20;
    if (timeout <= 0)
        return fail(
            ctx, Text::tr("--timeout: '%1' is not a number of seconds").arg(p.value(QStringLiteral("timeout"))));
    auto outcome = powerMachine(*ctx.lab->catalog(), *machine, *action, ctx.who, timeout * 1000);
    if (!outcome)
        return fail(ctx, outcome.error());
    if (ctx.json) {
        printJson(ctx,
            QJsonObject { { QStringLiteral("machine"), machine->name },
                { QStringLiteral("action"), powerActionKey(*action) }, { QStringLiteral("method"), spec->toUrl(true) },
                { QStringLiteral("state"), outcome->state }, { QStringLiteral("detail"), outcome->detail } });
    } else if (*action == PowerAction::Status) {
        ctx.out << machine->name << ' ' << outcome->state << Qt::endl;
    } else {
        ctx.out << outcome->detail << Qt::endl;
    }
    return ExitOk;
}

int powerSet(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("group"), Text::tr("TARGET is a group (machines labelled group=TARGET).") });
    p.addOption({ QStringLiteral("clear"), Text::tr("Remove the setting: the group's, else Wake-on-LAN, applies.") });
    const bool clear = ctx.args.contains(QStringLiteral("--clear"));
    if (auto code = parseVerbArgs(ctx, verb, p, clear ? 1 : 2, clear ? 1 : 2))
        return *code;
    const QString target = p.positionalArguments().at(0);
    bool group = p.isSet(QStringLiteral("group"));
    if (!group && !ctx.lab->catalog()->machineByName(target)) {
        bool isGroup = false;
        for (const Machine &m : ctx.lab->catalog()->machines())
            isGroup = isGroup || m.group() == target;
        if (!isGroup)
            return fail(
                ctx, Text::tr("'%1' is neither a machine nor a group; use --group for a new group").arg(target));
        group = true;
    }
    const QString key = powerSettingKey(group, target);
    if (clear) {
        if (Status s = ctx.lab->catalog()->setSetting(key, QString()); !s)
            return fail(ctx, s.error());
        ctx.out << Text::tr("%1: power setting removed").arg(target) << Qt::endl;
        return ExitOk;
    }
    auto spec = PowerSpec::parse(p.positionalArguments().at(1));
    if (!spec)
        return fail(ctx, spec.error());
    if (Status s = ctx.lab->catalog()->setSetting(key, spec->toUrl(false)); !s)
        return fail(ctx, s.error());
    ctx.out << Text::tr("%1 %2: %3 (%4)")
                   .arg(group ? Text::tr("group") : Text::tr("machine"), target, spec->methodName(), spec->toUrl(true))
            << Qt::endl;
    return ExitOk;
}

} // namespace

QList<Verb> powerVerbs()
{
    return {
        { { QStringLiteral("power"), QStringLiteral("set") },
            QStringLiteral("MACHINE|GROUP URL [--group] | MACHINE|GROUP --clear"),
            Text::tr("Set how a machine or group is powered: wol://, ipmi://, redfish://, ssh://, qmp://."), powerSet },
        { { QStringLiteral("power") }, QStringLiteral("MACHINE on|off|cycle|wake|status [--timeout S]"),
            Text::tr("Switch a machine on or off, power-cycle it, wake it, or show its power state."), power },
    };
}

} // namespace drover
