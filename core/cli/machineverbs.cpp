// `drover machine add|ls|show|rm|label|name`: the fleet from the command line.
#include "boot/firmwarefacts.h"
#include "catalog/boottarget.h"
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "fleet/naming.h"
#include "lab/lab.h"
#include "util/mac.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(MachineVerbs)
};

QJsonObject machineJson(const Machine &m)
{
    QJsonObject labels;
    for (auto it = m.labels.cbegin(); it != m.labels.cend(); ++it)
        labels.insert(it.key(), it.value());
    return QJsonObject {
        { QStringLiteral("name"), m.name },
        { QStringLiteral("mac"), m.mac },
        { QStringLiteral("uuid"), m.uuid },
        { QStringLiteral("serial"), m.serial },
        { QStringLiteral("vendor"), m.vendor },
        { QStringLiteral("state"), machineStateKey(m.state) },
        { QStringLiteral("phase"), m.phase },
        { QStringLiteral("address"), m.address },
        { QStringLiteral("lastSeen"), m.lastSeen.isValid() ? m.lastSeen.toString(Qt::ISODateWithMs) : QString() },
        { QStringLiteral("currentImage"), m.currentImage },
        { QStringLiteral("lastGoodImage"), m.lastGoodImage },
        { QStringLiteral("failedAttempts"), m.failedAttempts },
        { QStringLiteral("new"), m.isNew },
        { QStringLiteral("hardwareChanged"),
            m.hardwareChanged.isValid() ? m.hardwareChanged.toString(Qt::ISODateWithMs) : QString() },
        { QStringLiteral("burninFailed"),
            m.burninFailed.isValid() ? m.burninFailed.toString(Qt::ISODateWithMs) : QString() },
        { QStringLiteral("labels"), labels },
        { QStringLiteral("firmware"),
            QJsonObject {
                { QStringLiteral("firmware"), m.firmware.firmware },
                { QStringLiteral("arch"), m.firmware.arch },
                { QStringLiteral("secureBoot"), m.firmware.secureBoot },
                { QStringLiteral("protocol"), m.firmware.protocol },
                { QStringLiteral("loader"), m.firmware.loader },
            } },
    };
}

// "KEY=VALUE" as its two parts; null when there is no key.
std::optional<std::pair<QString, QString>> splitLabel(const QString &label)
{
    const qsizetype eq = label.indexOf(QLatin1Char('='));
    if (eq <= 0)
        return std::nullopt;
    return std::pair { label.left(eq), label.mid(eq + 1) };
}

QString labelText(const Machine &m)
{
    QStringList parts;
    for (auto it = m.labels.cbegin(); it != m.labels.cend(); ++it)
        parts.append(it.key() + QLatin1Char('=') + it.value());
    return parts.join(QLatin1Char(','));
}

int machineAdd(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("mac"), Text::tr("The machine's MAC address."), QStringLiteral("MAC") });
    p.addOption({ QStringLiteral("uuid"), Text::tr("The machine's SMBIOS UUID."), QStringLiteral("UUID") });
    p.addOption({ QStringLiteral("label"), Text::tr("A label KEY=VALUE; group=NAME puts it in a group."),
        QStringLiteral("K=V") });
    if (auto code = parseVerbArgs(ctx, verb, p, 1, 1))
        return *code;
    Machine m;
    m.name = p.positionalArguments().first();
    const auto mac = normalizeMac(p.value(QStringLiteral("mac")));
    if (!mac)
        return usageError(ctx,
            Text::tr("drover: --mac '%1' is not a MAC address like 52:54:00:12:34:56")
                .arg(p.value(QStringLiteral("mac"))));
    m.mac = *mac;
    m.uuid = p.value(QStringLiteral("uuid")).toLower();
    for (const QString &label : p.values(QStringLiteral("label"))) {
        const auto parts = splitLabel(label);
        if (!parts)
            return usageError(ctx, Text::tr("drover: --label '%1' is not KEY=VALUE").arg(label));
        m.labels.insert(parts->first, parts->second);
    }
    auto added = ctx.lab->catalog()->addMachine(m);
    if (!added)
        return fail(ctx, added.error());
    return printResult(ctx, machineJson(added.value()), Text::tr("added machine %1 (%2)").arg(added->name, added->mac));
}

int machineList(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    if (auto code = parseVerbArgs(ctx, verb, p, 0, 0))
        return *code;
    Listing listing({ Text::tr("NAME"), Text::tr("MAC"), Text::tr("STATE"), Text::tr("IMAGE"), Text::tr("LABELS") });
    for (const Machine &m : ctx.lab->catalog()->machines()) {
        listing.add(machineJson(m),
            { m.name, m.mac, machineStateKey(m.state), describeAssigned(m.currentImage), labelText(m) });
    }
    return listing.print(ctx);
}

int machineShow(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    if (auto code = parseVerbArgs(ctx, verb, p, 1, 1))
        return *code;
    const QString name = p.positionalArguments().first();
    auto m = ctx.lab->catalog()->machineByName(name);
    if (!m)
        return fail(ctx, Text::tr("no machine named '%1'").arg(name));
    QJsonObject json = machineJson(*m);
    const auto inventory = ctx.lab->catalog()->inventory(name);
    if (ctx.json) {
        if (inventory)
            json.insert(QStringLiteral("hardware"), inventory->hardware.toJson());
        printJson(ctx, json);
        return ExitOk;
    }
    for (auto it = json.constBegin(); it != json.constEnd(); ++it) {
        const QString value = it.key() == QLatin1String("labels") ? labelText(*m)
            : it.key() == QLatin1String("firmware")               ? describeFirmwareFacts(m->firmware)
            : it.key() == QLatin1String("currentImage") || it.key() == QLatin1String("lastGoodImage")
            ? describeAssigned(it->toString())
            : it->toVariant().toString();
        printField(ctx, it.key(), value);
    }
    printField(ctx, QStringLiteral("hardware"),
        inventory ? Text::tr("%1 (drover inventory show %2)").arg(inventory->hardware.summary(), name)
                  : Text::tr("not reported yet"));
    const QList<TestRunRecord> runs = ctx.lab->catalog()->testRuns(name, 1);
    printField(ctx, QStringLiteral("burn-in"),
        m->burninFailed.isValid() ? Text::tr("failed %1; no rollout reaches it until cleared (drover tests clear %2)")
                                        .arg(m->burninFailed.toLocalTime().toString(Qt::ISODate), name)
            : runs.isEmpty() ? Text::tr("no tests run")
            : runs.first().passed
            ? Text::tr("passed %1").arg(runs.first().at.toLocalTime().toString(Qt::ISODate))
            : Text::tr("failed %1, cleared").arg(runs.first().at.toLocalTime().toString(Qt::ISODate)));
    ctx.out << Qt::flush;
    return ExitOk;
}

int machineRemove(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    if (auto code = parseVerbArgs(ctx, verb, p, 1, -1))
        return *code;
    for (const QString &name : p.positionalArguments()) {
        if (Status s = ctx.lab->catalog()->removeMachine(name); !s)
            return fail(ctx, s.error());
        if (!ctx.json)
            ctx.out << Text::tr("removed machine %1").arg(name) << Qt::endl;
    }
    return ExitOk;
}

int machineLabel(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    if (auto code = parseVerbArgs(ctx, verb, p, 2, -1))
        return *code;
    const QStringList args = p.positionalArguments();
    for (const QString &label : args.mid(1)) {
        const auto parts = splitLabel(label);
        if (!parts)
            return usageError(
                ctx, Text::tr("drover: '%1' is not KEY=VALUE (an empty VALUE removes the label)").arg(label));
        if (Status s = ctx.lab->catalog()->setLabel(args.first(), parts->first, parts->second); !s)
            return fail(ctx, s.error());
    }
    return ExitOk;
}

int machineName(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption(
        { QStringLiteral("first"), Text::tr("The number of the first machine (default 1)."), QStringLiteral("N") });
    p.addOption(
        { QStringLiteral("label"), Text::tr("A label KEY=VALUE every named machine gets."), QStringLiteral("K=V") });
    if (auto code = parseVerbArgs(ctx, verb, p, 2, -1))
        return *code;
    const QStringList args = p.positionalArguments();
    bool ok = true;
    const int first = p.isSet(QStringLiteral("first")) ? p.value(QStringLiteral("first")).toInt(&ok) : 1;
    if (!ok)
        return usageError(ctx, Text::tr("drover: --first '%1' is not a number").arg(p.value(QStringLiteral("first"))));
    QList<std::pair<QString, QString>> labels;
    for (const QString &label : p.values(QStringLiteral("label"))) {
        const auto parts = splitLabel(label);
        if (!parts)
            return usageError(ctx, Text::tr("drover: --label '%1' is not KEY=VALUE").arg(label));
        labels.append(*parts);
    }
    const QStringList machines = args.mid(1);
    const auto names = nameMachines(*ctx.lab->catalog(), machines, args.first(), first, labels);
    if (!names)
        return fail(ctx, names.error());
    if (!ctx.json) {
        for (qsizetype i = 0; i < machines.size(); ++i)
            ctx.out << Text::tr("%1 is now %2").arg(machines.at(i), names->at(i)) << '\n';
        ctx.out << Qt::flush;
    }
    return ExitOk;
}

} // namespace

QList<Verb> machineVerbs()
{
    return {
        { { QStringLiteral("machine"), QStringLiteral("add") },
            QStringLiteral("NAME --mac MAC [--uuid UUID] [--label K=V]…"), Text::tr("Add a machine to the catalog."),
            machineAdd },
        { { QStringLiteral("machine"), QStringLiteral("ls") }, QString(), Text::tr("List the machines."), machineList },
        { { QStringLiteral("machine"), QStringLiteral("show") }, QStringLiteral("NAME"), Text::tr("Show one machine."),
            machineShow },
        { { QStringLiteral("machine"), QStringLiteral("rm") }, QStringLiteral("NAME…"),
            Text::tr("Remove machines from the catalog."), machineRemove },
        { { QStringLiteral("machine"), QStringLiteral("label") }, QStringLiteral("NAME K=V…"),
            Text::tr("Set or remove (K=) labels of a machine."), machineLabel },
        { { QStringLiteral("machine"), QStringLiteral("name") },
            QStringLiteral("PATTERN MACHINE… [--first N] [--label K=V]…"),
            Text::tr("Rename machines from a pattern: lab-{n:02} gives lab-01, lab-02, … in the order given."),
            machineName },
    };
}

} // namespace drover
