// `drover inventory show|export|summary|ack`: the hardware each machine reported at boot, its
// history, a whole group's as CSV or JSON, and a printable hand-over page.
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "inventory/handover.h"
#include "lab/lab.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(InventoryVerbs)
};

QJsonObject recordJson(const InventoryRecord &r)
{
    return QJsonObject {
        { QStringLiteral("machine"), r.machine },
        { QStringLiteral("bootId"), r.bootId },
        { QStringLiteral("firstSeen"), r.firstSeen.toString(Qt::ISODateWithMs) },
        { QStringLiteral("lastSeen"), r.lastSeen.toString(Qt::ISODateWithMs) },
        { QStringLiteral("changes"), QJsonArray::fromStringList(r.changes) },
        { QStringLiteral("hardware"), r.hardware.toJson() },
    };
}

// The machines in `group` (every machine for an empty group), or why there are none.
Result<QList<Machine>> machinesOf(const Catalog &catalog, const QString &group)
{
    QList<Machine> machines;
    for (const Machine &m : catalog.machines()) {
        if (group.isEmpty() || m.group() == group)
            machines << m;
    }
    if (!group.isEmpty() && machines.isEmpty())
        return Result<QList<Machine>>::failure(Text::tr("no machine is in group '%1'").arg(group));
    return machines;
}

// `bytes` to the output, or to the file of --output, whole or not at all: a half-written
// export is worse than none.
int writeOutput(CliContext &ctx, const QCommandLineParser &p, const QByteArray &bytes)
{
    if (!p.isSet(QStringLiteral("output"))) {
        ctx.out << QString::fromUtf8(bytes) << Qt::flush;
        return ExitOk;
    }
    QSaveFile file(p.value(QStringLiteral("output")));
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return fail(ctx, Text::tr("cannot write %1: %2").arg(file.fileName(), file.errorString()));
    return ExitOk;
}

int inventoryShow(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("history"), Text::tr("Every distinct hardware reported, newest first.") });
    if (auto code = parseVerbArgs(ctx, verb, p, 1, 1))
        return *code;
    const QString name = p.positionalArguments().constFirst();
    const Catalog *catalog = ctx.lab->catalog();
    const auto machine = catalog->machineByName(name);
    if (!machine)
        return fail(ctx, Text::tr("no machine named '%1'").arg(name));
    const QList<InventoryRecord> records = catalog->inventoryHistory(name, p.isSet(QStringLiteral("history")) ? 50 : 1);
    if (ctx.json) {
        QJsonArray array;
        for (const InventoryRecord &r : records)
            array.append(recordJson(r));
        printJson(ctx,
            p.isSet(QStringLiteral("history")) ? QJsonValue(array)
                : records.isEmpty()            ? QJsonValue(QJsonValue::Null)
                                               : array.first());
        return ExitOk;
    }
    if (records.isEmpty()) {
        ctx.out << Text::tr("%1 has not reported its hardware yet: it does at every boot into a Drover image").arg(name)
                << Qt::endl;
        return ExitOk;
    }
    for (const InventoryRecord &r : records) {
        ctx.out << Text::tr("Hardware of %1, reported %2 to %3")
                       .arg(name, r.firstSeen.toLocalTime().toString(Qt::ISODate),
                           r.lastSeen.toLocalTime().toString(Qt::ISODate))
                << '\n';
        for (const auto &[label, value] : describeInventory(r.hardware))
            ctx.out << "  " << QString(label + QLatin1Char(':')).leftJustified(16) << value << '\n';
        for (const QString &change : r.changes)
            ctx.out << "  " << Text::tr("changed: %1").arg(change) << '\n';
    }
    if (machine->hardwareChanged.isValid())
        ctx.out << Text::tr("The hardware changed %1; drover inventory ack %2 clears the mark.")
                       .arg(machine->hardwareChanged.toLocalTime().toString(Qt::ISODate), name)
                << '\n';
    ctx.out << Qt::flush;
    return ExitOk;
}

// One CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
QString csvField(const QString &value)
{
    if (!value.contains(QLatin1Char(',')) && !value.contains(QLatin1Char('"')) && !value.contains(QLatin1Char('\n')))
        return value;
    return QLatin1Char('"') + QString(value).replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
}

QStringList csvRow(const Machine &m, const InventoryRecord &r)
{
    const HardwareInventory &h = r.hardware;
    QStringList disks, nics;
    for (const DiskInfo &d : h.disks)
        disks
            << QStringList { d.name, d.model, d.serial, QString::number(d.bytes) }.join(QLatin1Char(' ')).simplified();
    for (const NicInfo &n : h.nics)
        nics << QStringList { n.mac, n.driver, n.speedMbps > 0 ? QString::number(n.speedMbps) : QString() }
                    .join(QLatin1Char(' '))
                    .simplified();
    return { m.name, m.mac, m.group(), h.systemVendor, h.systemProduct, h.systemSerial, h.systemUuid, h.firmwareVendor,
        h.firmwareVersion, h.firmwareMode, h.secureBoot, h.cpuModel, QString::number(h.cpuSockets),
        QString::number(h.cpuCores), QString::number(h.cpuThreads), QString::number(h.memoryKib / 1024),
        QString::number(h.dimms.size()), disks.join(QStringLiteral("; ")), nics.join(QStringLiteral("; ")),
        r.lastSeen.toString(Qt::ISODate), m.hardwareChanged.isValid() ? QStringLiteral("yes") : QStringLiteral("no") };
}

int inventoryExport(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("group"), Text::tr("Only the machines of this group."), QStringLiteral("GROUP") });
    p.addOption({ QStringLiteral("format"), Text::tr("csv (default) or json."), QStringLiteral("FORMAT") });
    p.addOption({ { QStringLiteral("o"), QStringLiteral("output") }, Text::tr("Write to FILE instead of the output."),
        QStringLiteral("FILE") });
    if (auto code = parseVerbArgs(ctx, verb, p, 0, 0))
        return *code;
    const QString format = p.isSet(QStringLiteral("format")) ? p.value(QStringLiteral("format"))
        : ctx.json                                           ? QStringLiteral("json")
                                                             : QStringLiteral("csv");
    if (format != QLatin1String("csv") && format != QLatin1String("json"))
        return usageError(ctx, Text::tr("drover: --format '%1' is neither csv nor json").arg(format));
    const Catalog *catalog = ctx.lab->catalog();
    const auto selected = machinesOf(*catalog, p.value(QStringLiteral("group")));
    if (!selected)
        return fail(ctx, selected.error());
    const QList<Machine> &machines = *selected;
    const QHash<QString, InventoryRecord> inventories = catalog->latestInventories();

    QByteArray bytes;
    if (format == QLatin1String("json")) {
        QJsonArray array;
        for (const Machine &m : std::as_const(machines)) {
            QJsonObject o { { QStringLiteral("machine"), m.name }, { QStringLiteral("mac"), m.mac },
                { QStringLiteral("group"), m.group() } };
            if (const auto it = inventories.constFind(m.name); it != inventories.cend())
                o.insert(QStringLiteral("inventory"), recordJson(*it));
            array.append(o);
        }
        bytes = QJsonDocument(array).toJson(QJsonDocument::Indented);
    } else {
        // Column names stay English: spreadsheets and scripts key on them.
        QStringList lines { QStringLiteral("machine,mac,group,system_vendor,system_product,serial,uuid,"
                                           "firmware_vendor,firmware_version,firmware_mode,secure_boot,cpu_model,"
                                           "cpu_sockets,cpu_cores,cpu_threads,memory_mib,dimms,disks,nics,"
                                           "reported,hardware_changed") };
        for (const Machine &m : std::as_const(machines)) {
            const InventoryRecord r = inventories.value(m.name);
            QStringList fields;
            for (const QString &f : csvRow(m, r))
                fields << csvField(f);
            lines << fields.join(QLatin1Char(','));
        }
        bytes = lines.join(QStringLiteral("\r\n")).toUtf8() + "\r\n";
    }
    if (const int code = writeOutput(ctx, p, bytes); code != ExitOk || !p.isSet(QStringLiteral("output")))
        return code;
    if (!ctx.json)
        ctx.err << Text::tr("wrote the hardware of %n machine(s) to %1", nullptr, int(machines.size()))
                       .arg(p.value(QStringLiteral("output")))
                << Qt::endl;
    return ExitOk;
}

int inventorySummary(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("group"), Text::tr("Every machine of this group."), QStringLiteral("GROUP") });
    p.addOption({ { QStringLiteral("o"), QStringLiteral("output") }, Text::tr("Write the HTML page to FILE."),
        QStringLiteral("FILE") });
    if (auto code = parseVerbArgs(ctx, verb, p, 0, -1))
        return *code;
    const QString group = p.value(QStringLiteral("group"));
    const QStringList named = p.positionalArguments();
    if (group.isEmpty() == named.isEmpty())
        return usageError(ctx, Text::tr("drover: name machines or --group GROUP, not both or neither"));
    QStringList machines = named;
    if (!group.isEmpty()) {
        const auto selected = machinesOf(*ctx.lab->catalog(), group);
        if (!selected)
            return fail(ctx, selected.error());
        for (const Machine &m : *selected)
            machines << m.name;
    }
    const auto entries = handoverEntries(*ctx.lab->catalog(), machines);
    if (!entries)
        return fail(ctx, entries.error());
    const QString title = group.isEmpty() ? Text::tr("Machines handed over") : Text::tr("Group %1").arg(group);
    return writeOutput(ctx, p, handoverHtml(title, *entries).toUtf8());
}

int inventoryAck(CliContext &ctx, const Verb &verb)
{
    return actOnMachines(
        ctx, verb, [&ctx](const QString &name) { return ctx.lab->catalog()->acknowledgeHardwareChange(name); });
}

} // namespace

QList<Verb> inventoryVerbs()
{
    const QString inventory = QStringLiteral("inventory");
    return {
        { { inventory, QStringLiteral("show") }, QStringLiteral("NAME [--history]"),
            Text::tr("Show the hardware a machine reported at its last boot."), inventoryShow },
        { { inventory, QStringLiteral("export") }, QStringLiteral("[--group G] [--format csv|json] [-o FILE]"),
            Text::tr("Export the hardware of every machine (or a group's) as CSV or JSON."), inventoryExport },
        { { inventory, QStringLiteral("summary") }, QStringLiteral("MACHINE…|--group G [-o FILE.html]"),
            Text::tr("A printable hand-over page: each machine's hardware, labels and image."), inventorySummary },
        { { inventory, QStringLiteral("ack") }, QStringLiteral("NAME…"),
            Text::tr("Clear the 'hardware changed' mark of machines."), inventoryAck },
    };
}

} // namespace drover
