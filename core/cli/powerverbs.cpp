// `drover power`: switch machines on and off, wake them, ask their state, and set how
// (core/power/powerspec.h: a URL per machine or per group).
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "lab/lab.h"
#include "power/machinepower.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonObject>

#include <cstdio>
#include <iostream>
#include <string>

#include <termios.h>
#include <unistd.h>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(PowerVerbs)
};

constexpr auto kPasswordVariable = "DROVER_BMC_PASSWORD";

// Asks for a password on the terminal without echoing it; nullopt when stdin is no terminal.
std::optional<QString> promptPassword(const QString &prompt)
{
    if (::isatty(STDIN_FILENO) == 0)
        return std::nullopt;
    std::fputs(qPrintable(prompt), stderr);
    std::fflush(stderr);
    termios saved {};
    const bool quiet = ::tcgetattr(STDIN_FILENO, &saved) == 0;
    if (quiet) {
        termios silent = saved;
        silent.c_lflag &= ~tcflag_t(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent);
    }
    std::string line;
    std::getline(std::cin, line);
    if (quiet)
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::fputs("\n", stderr);
    return QString::fromLocal8Bit(line);
}

// The BMC password for `power set`: from --password-file, else the environment, else asked
// on the terminal. Never from the command line, which every local user can read in /proc.
Result<QString> bmcPassword(const QCommandLineParser &p, const PowerSpec &spec)
{
    if (p.isSet(QStringLiteral("password-file"))) {
        const QString path = p.value(QStringLiteral("password-file"));
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return Result<QString>::failure(
                Text::tr("--password-file: cannot read %1: %2").arg(path, file.errorString()));
        QByteArray bytes = file.readAll();
        while (bytes.endsWith('\n') || bytes.endsWith('\r')) // a file written by echo ends with a newline
            bytes.chop(1);
        return QString::fromUtf8(bytes);
    }
    if (qEnvironmentVariableIsSet(kPasswordVariable))
        return qEnvironmentVariable(kPasswordVariable);
    if (auto typed = promptPassword(Text::tr("%1 password for %2@%3: ").arg(spec.methodName(), spec.user, spec.host)))
        return *typed;
    return Result<QString>::failure(Text::tr("%1 needs the BMC's password: set it in the environment variable %2, "
                                             "name a file holding it with --password-file FILE, or run on a terminal "
                                             "to be asked")
            .arg(spec.methodName(), QLatin1String(kPasswordVariable)));
}

int power(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption(
        { QStringLiteral("timeout"), Text::tr("Give up after this many seconds (default 20)."), QStringLiteral("S") });
    if (auto code = parseVerbArgs(ctx, verb, p, 2, 2))
        return *code;
    const QString name = p.positionalArguments().at(0);
    const auto action = powerActionFromKey(p.positionalArguments().at(1));
    if (!action)
        return usageError(ctx,
            Text::tr("drover: '%1' is not one of on, off, cycle, wake, status").arg(p.positionalArguments().at(1)));
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
    p.addOption({ QStringLiteral("password-file"),
        Text::tr("Read the BMC password (IPMI, Redfish) from FILE; else from DROVER_BMC_PASSWORD, else asked."),
        QStringLiteral("FILE") });
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
    if (clear) {
        if (Status s = clearPowerSpec(*ctx.lab->catalog(), group, target); !s)
            return fail(ctx, s.error());
        ctx.out << Text::tr("%1: power setting removed").arg(target) << Qt::endl;
        return ExitOk;
    }
    auto spec = PowerSpec::parse(p.positionalArguments().at(1));
    if (!spec)
        return fail(ctx, spec.error());
    if (!spec->password.isEmpty())
        return fail(ctx,
            Text::tr("a password may not be part of the URL: every user of this computer can read a command line. "
                     "Give the URL without it (%1) and the password in the environment variable %2, in a file "
                     "(--password-file FILE), or type it when asked")
                .arg(spec->toUrl(true).replace(QLatin1String(":***@"), QLatin1String("@")),
                    QLatin1String(kPasswordVariable)));
    if (spec->method == PowerMethod::Ipmi || spec->method == PowerMethod::Redfish) {
        auto password = bmcPassword(p, *spec);
        if (!password)
            return fail(ctx, password.error());
        spec->password = *password;
    }
    if (Status s = storePowerSpec(*ctx.lab->catalog(), group, target, *spec); !s)
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
            QStringLiteral("MACHINE|GROUP URL [--group] [--password-file FILE] | MACHINE|GROUP --clear"),
            Text::tr("Set how a machine or group is powered: wol://, ipmi://, redfish://, ssh://, qmp://."), powerSet },
        { { QStringLiteral("power") }, QStringLiteral("MACHINE on|off|cycle|wake|status [--timeout S]"),
            Text::tr("Switch a machine on or off, power-cycle it, wake it, or show its power state."), power },
    };
}

} // namespace drover
