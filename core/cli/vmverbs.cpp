// `drover vm`: the virtual lab — qemu machines that netboot from the running Drover.
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "lab/lab.h"
#include "vm/virtuallab.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(VmVerbs)
};

int add(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("count"), Text::tr("How many (default 1)."), QStringLiteral("N") });
    p.addOption({ QStringLiteral("prefix"), Text::tr("Names are PREFIX-1, PREFIX-2, … (default vm)."),
        QStringLiteral("PREFIX") });
    p.addOption({ QStringLiteral("group"), Text::tr("Put them in this group."), QStringLiteral("G") });
    p.addOption({ QStringLiteral("uefi"), Text::tr("UEFI firmware (OVMF) instead of BIOS.") });
    p.addOption(
        { QStringLiteral("memory"), Text::tr("Memory of each, in MiB (default 1536)."), QStringLiteral("MIB") });
    if (auto code = parseVerbArgs(ctx, verb, p, 0, 0))
        return *code;
    bool countOk = true;
    bool memoryOk = true;
    const int count = p.isSet(QStringLiteral("count")) ? p.value(QStringLiteral("count")).toInt(&countOk) : 1;
    const int memory = p.isSet(QStringLiteral("memory")) ? p.value(QStringLiteral("memory")).toInt(&memoryOk) : 1536;
    if (!countOk || !memoryOk)
        return usageError(ctx, Text::tr("drover: --count and --memory take numbers"));
    auto added = addVirtualMachines(ctx.lab, count,
        p.isSet(QStringLiteral("prefix")) ? p.value(QStringLiteral("prefix")) : QStringLiteral("vm"),
        p.value(QStringLiteral("group")), p.isSet(QStringLiteral("uefi")), memory);
    if (!added)
        return fail(ctx, added.error());
    if (ctx.json) {
        printJson(ctx, QJsonArray::fromStringList(*added));
        return ExitOk;
    }
    ctx.out << Text::tr("added %1; the running boot server (window or --headless) starts them")
                   .arg(added->join(QStringLiteral(", ")))
            << Qt::endl;
    return ExitOk;
}

int list(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    if (auto code = parseVerbArgs(ctx, verb, p, 0, 0))
        return *code;
    const auto vms = virtualMachines(ctx.lab);
    if (ctx.json) {
        QJsonArray array;
        for (const VmSpec &vm : vms) {
            QJsonObject o = vm.toJson();
            o.insert(QStringLiteral("name"), vm.name);
            o.insert(QStringLiteral("console"), vmConsolePath(ctx.lab, vm.name));
            array.append(o);
        }
        printJson(ctx, array);
        return ExitOk;
    }
    QList<QStringList> rows;
    for (const VmSpec &vm : vms) {
        const auto m = ctx.lab->catalog()->machineByName(vm.name);
        rows.append({ vm.name, vm.uefi ? QStringLiteral("UEFI") : QStringLiteral("BIOS"), QString::number(vm.memoryMiB),
            vm.group, m ? machineStateKey(m->state) : QString(), vmConsolePath(ctx.lab, vm.name) });
    }
    printTable(ctx,
        { Text::tr("NAME"), Text::tr("FIRMWARE"), Text::tr("MIB"), Text::tr("GROUP"), Text::tr("STATE"),
            Text::tr("CONSOLE") },
        rows);
    return ExitOk;
}

int remove(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    if (auto code = parseVerbArgs(ctx, verb, p, 1, 64))
        return *code;
    for (const QString &name : p.positionalArguments()) {
        if (Status s = removeVirtualMachine(ctx.lab, name); !s)
            return fail(ctx, s.error());
        ctx.out << Text::tr("%1 removed").arg(name) << Qt::endl;
    }
    return ExitOk;
}

} // namespace

QList<Verb> vmVerbs()
{
    return {
        { { QStringLiteral("vm"), QStringLiteral("add") },
            QStringLiteral("[--count N] [--prefix P] [--group G] [--uefi] [--memory MIB]"),
            Text::tr("Add virtual machines that netboot from this Drover (qemu, user network)."), add },
        { { QStringLiteral("vm"), QStringLiteral("ls") }, QString(), Text::tr("List the virtual machines."), list },
        { { QStringLiteral("vm"), QStringLiteral("rm") }, QStringLiteral("NAME…"),
            Text::tr("Stop and remove virtual machines."), remove },
    };
}

} // namespace drover
