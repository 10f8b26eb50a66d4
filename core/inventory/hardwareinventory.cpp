#include "inventory/hardwareinventory.h"

#include "inventory/reportlines.h"
#include "util/mac.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QLocale>
#include <QMap>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(HardwareInventory)
};

// One table of fields drives parsing, the JSON form and reading it back, so a field added
// here is reported, stored and shown alike. Keys are "section.field"; the JSON nests them.
enum class Kind { Text, Number, Flag };

template <typename T> struct Field {
    const char *key;
    Kind kind;
    QString T::*text = nullptr;
    qint64 T::*number = nullptr;
    int T::*count = nullptr;
    bool T::*flag = nullptr;
    QStringList allowed {}; // for text: the only values accepted (empty: any)
};

using HI = HardwareInventory;

const QList<Field<HI>> &scalarFields()
{
    static const QList<Field<HI>> fields {
        { "system.vendor", Kind::Text, &HI::systemVendor },
        { "system.product", Kind::Text, &HI::systemProduct },
        { "system.version", Kind::Text, &HI::systemVersion },
        { "system.serial", Kind::Text, &HI::systemSerial },
        { "system.uuid", Kind::Text, &HI::systemUuid },
        { "board.vendor", Kind::Text, &HI::boardVendor },
        { "board.product", Kind::Text, &HI::boardProduct },
        { "board.serial", Kind::Text, &HI::boardSerial },
        { "firmware.vendor", Kind::Text, &HI::firmwareVendor },
        { "firmware.version", Kind::Text, &HI::firmwareVersion },
        { "firmware.date", Kind::Text, &HI::firmwareDate },
        { "firmware.mode", Kind::Text, &HI::firmwareMode, nullptr, nullptr, nullptr,
            { QStringLiteral("bios"), QStringLiteral("uefi") } },
        { "firmware.secureboot", Kind::Text, &HI::secureBoot, nullptr, nullptr, nullptr,
            { QStringLiteral("on"), QStringLiteral("off") } },
        { "cpu.model", Kind::Text, &HI::cpuModel },
        { "cpu.sockets", Kind::Number, nullptr, nullptr, &HI::cpuSockets },
        { "cpu.cores", Kind::Number, nullptr, nullptr, &HI::cpuCores },
        { "cpu.threads", Kind::Number, nullptr, nullptr, &HI::cpuThreads },
        { "memory.kib", Kind::Number, nullptr, &HI::memoryKib },
    };
    return fields;
}

const QList<Field<DimmInfo>> &dimmFields()
{
    static const QList<Field<DimmInfo>> fields {
        { "locator", Kind::Text, &DimmInfo::locator },
        { "type", Kind::Text, &DimmInfo::type },
        { "size_mib", Kind::Number, nullptr, &DimmInfo::sizeMib },
        { "speed_mts", Kind::Number, nullptr, &DimmInfo::speedMts },
    };
    return fields;
}

const QList<Field<DiskInfo>> &diskFields()
{
    static const QList<Field<DiskInfo>> fields {
        { "name", Kind::Text, &DiskInfo::name },
        { "model", Kind::Text, &DiskInfo::model },
        { "serial", Kind::Text, &DiskInfo::serial },
        { "bytes", Kind::Number, nullptr, &DiskInfo::bytes },
        { "rotational", Kind::Flag, nullptr, nullptr, nullptr, &DiskInfo::rotational },
        { "smart", Kind::Text, &DiskInfo::smart, nullptr, nullptr, nullptr,
            { QStringLiteral("passed"), QStringLiteral("failed") } },
    };
    return fields;
}

const QList<Field<NicInfo>> &nicFields()
{
    static const QList<Field<NicInfo>> fields {
        { "name", Kind::Text, &NicInfo::name },
        { "mac", Kind::Text, &NicInfo::mac },
        { "driver", Kind::Text, &NicInfo::driver },
        { "pci", Kind::Text, &NicInfo::pci },
        { "speed_mbps", Kind::Number, nullptr, &NicInfo::speedMbps },
    };
    return fields;
}

// Sets `field` of `target` from a report value; the reason on failure.
template <typename T> QString assign(T &target, const Field<T> &field, const QString &value)
{
    switch (field.kind) {
    case Kind::Text:
        if (!field.allowed.isEmpty() && !value.isEmpty() && !field.allowed.contains(value))
            return Text::tr("is not one of %1").arg(field.allowed.join(QStringLiteral(", ")));
        target.*field.text = value;
        return {};
    case Kind::Number: {
        bool ok = value.size() <= 15 && !value.isEmpty();
        for (QChar c : value)
            ok = ok && c >= QLatin1Char('0') && c <= QLatin1Char('9');
        const qint64 n = ok ? value.toLongLong(&ok) : 0;
        if (!ok)
            return Text::tr("is not a whole number");
        if (field.count) {
            if (n > 1'000'000)
                return Text::tr("is too large");
            target.*field.count = int(n);
        } else {
            target.*field.number = n;
        }
        return {};
    }
    case Kind::Flag:
        if (value != QLatin1String("0") && value != QLatin1String("1"))
            return Text::tr("is not 0 or 1");
        target.*field.flag = value == QLatin1String("1");
        return {};
    }
    return {};
}

template <typename T> const Field<T> *findField(const QList<Field<T>> &fields, QStringView key)
{
    for (const Field<T> &f : fields) {
        if (key == QLatin1StringView(f.key))
            return &f;
    }
    return nullptr;
}

template <typename T> QJsonObject fieldsToJson(const T &item, const QList<Field<T>> &fields, bool nested)
{
    QJsonObject out;
    for (const Field<T> &f : fields) {
        QString key = QString::fromLatin1(f.key);
        QJsonValue value;
        switch (f.kind) {
        case Kind::Text:
            if ((item.*f.text).isEmpty())
                continue;
            value = item.*f.text;
            break;
        case Kind::Number: {
            const qint64 n = f.count ? qint64(item.*f.count) : item.*f.number;
            if (n == 0)
                continue;
            value = n;
            break;
        }
        case Kind::Flag:
            value = item.*f.flag;
            break;
        }
        if (!nested) {
            out.insert(key, value);
            continue;
        }
        const qsizetype dot = key.indexOf(QLatin1Char('.'));
        const QString section = key.left(dot);
        QJsonObject inner = out.value(section).toObject();
        inner.insert(key.mid(dot + 1), value);
        out.insert(section, inner);
    }
    return out;
}

template <typename T> T fieldsFromJson(const QJsonObject &object, const QList<Field<T>> &fields, bool nested)
{
    T item;
    for (const Field<T> &f : fields) {
        const QString key = QString::fromLatin1(f.key);
        QJsonValue value;
        if (nested) {
            const qsizetype dot = key.indexOf(QLatin1Char('.'));
            value = object.value(key.left(dot)).toObject().value(key.mid(dot + 1));
        } else {
            value = object.value(key);
        }
        switch (f.kind) {
        case Kind::Text:
            item.*f.text = value.toString();
            break;
        case Kind::Number:
            if (f.count)
                item.*f.count = value.toInt();
            else
                item.*f.number = value.toInteger();
            break;
        case Kind::Flag:
            item.*f.flag = value.toBool();
            break;
        }
    }
    return item;
}

template <typename T> QJsonArray listToJson(const QList<T> &items, const QList<Field<T>> &fields)
{
    QJsonArray out;
    for (const T &item : items)
        out.append(fieldsToJson(item, fields, false));
    return out;
}

template <typename T> QList<T> listFromJson(const QJsonValue &value, const QList<Field<T>> &fields)
{
    QList<T> out;
    const QJsonArray array = value.toArray();
    for (const auto &v : array)
        out.append(fieldsFromJson(v.toObject(), fields, false));
    return out;
}

// A list entry of a report: "disk.3.serial" → into items[3].
template <typename T>
QString assignListed(QMap<int, T> &items, const QList<Field<T>> &fields, QStringView rest, const QString &value)
{
    const qsizetype dot = rest.indexOf(QLatin1Char('.'));
    if (dot <= 0 || dot > 2)
        return Text::tr("has no index");
    bool ok = true;
    for (QChar c : rest.left(dot))
        ok = ok && c.isDigit();
    const int index = ok ? rest.left(dot).toInt(&ok) : -1;
    if (!ok || index >= kInventoryMaxItems)
        return Text::tr("has an index that is not 0 to %1").arg(kInventoryMaxItems - 1);
    const Field<T> *field = findField(fields, rest.mid(dot + 1));
    if (!field)
        return {}; // a field a newer collector reports
    return assign(items[index], *field, value);
}

QString sizeText(qint64 bytes)
{
    return QLocale::system().formattedDataSize(bytes, 1);
}

QString diskText(const DiskInfo &d)
{
    QStringList parts;
    if (!d.serial.isEmpty())
        parts << d.serial;
    if (d.bytes > 0)
        parts << sizeText(d.bytes);
    return parts.isEmpty() ? d.name : QStringLiteral("%1 (%2)").arg(d.name, parts.join(QStringLiteral(", ")));
}

// Disks are the same disk when their serials match, or, without serials, their names.
QString diskKey(const DiskInfo &d)
{
    return d.serial.isEmpty() ? QStringLiteral("name:") + d.name : QStringLiteral("serial:") + d.serial;
}

} // namespace

QJsonObject HardwareInventory::toJson() const
{
    QJsonObject out = fieldsToJson(*this, scalarFields(), true);
    if (!dimms.isEmpty())
        out.insert(QStringLiteral("dimms"), listToJson(dimms, dimmFields()));
    if (!disks.isEmpty())
        out.insert(QStringLiteral("disks"), listToJson(disks, diskFields()));
    if (!nics.isEmpty())
        out.insert(QStringLiteral("nics"), listToJson(nics, nicFields()));
    return out;
}

HardwareInventory HardwareInventory::fromJson(const QJsonObject &object)
{
    HardwareInventory inv = fieldsFromJson(object, scalarFields(), true);
    inv.dimms = listFromJson(object.value(QStringLiteral("dimms")), dimmFields());
    inv.disks = listFromJson(object.value(QStringLiteral("disks")), diskFields());
    inv.nics = listFromJson(object.value(QStringLiteral("nics")), nicFields());
    return inv;
}

QString HardwareInventory::summary() const
{
    QStringList parts;
    const QString system = QStringList { systemVendor, systemProduct }.join(QLatin1Char(' ')).trimmed();
    if (!system.isEmpty())
        parts << system;
    if (cpuThreads > 0)
        parts << Text::tr("%n thread(s)", nullptr, cpuThreads);
    if (memoryKib > 0)
        parts << sizeText(memoryKib * 1024);
    if (!disks.isEmpty())
        parts << Text::tr("%n disk(s)", nullptr, int(disks.size()));
    if (!nics.isEmpty())
        parts << Text::tr("%n NIC(s)", nullptr, int(nics.size()));
    return parts.join(QStringLiteral(" · "));
}

HardwareInventory HardwareInventory::hardwareOnly() const
{
    HardwareInventory h = *this;
    for (DiskInfo &d : h.disks)
        d.smart.clear();
    for (NicInfo &n : h.nics)
        n.speedMbps = 0;
    return h;
}

std::optional<HardwareInventory> parseInventoryReport(QByteArrayView text, QString *error)
{
    HardwareInventory inv;
    QMap<int, DimmInfo> dimms;
    QMap<int, DiskInfo> disks;
    QMap<int, NicInfo> nics;
    const QString why = readReportLines(
        text, kInventoryMaxBytes, kInventoryMaxValue, [&](QStringView key, const QString &value) -> QString {
            QString problem;
            if (const Field<HI> *field = findField(scalarFields(), key)) {
                problem = assign(inv, *field, value);
            } else if (key.startsWith(QLatin1String("dimm."))) {
                problem = assignListed(dimms, dimmFields(), key.mid(5), value);
            } else if (key.startsWith(QLatin1String("disk."))) {
                problem = assignListed(disks, diskFields(), key.mid(5), value);
            } else if (key.startsWith(QLatin1String("nic."))) {
                if (key.endsWith(QLatin1String(".mac")) && !value.isEmpty() && !normalizeMac(value))
                    problem = Text::tr("is not a MAC address");
                else
                    problem = assignListed(nics, nicFields(), key.mid(4), value);
            }
            return problem.isEmpty() ? QString() : Text::tr("%1 %2").arg(key, problem);
        });
    if (!why.isEmpty()) {
        if (error)
            *error = why;
        return std::nullopt;
    }
    inv.dimms = dimms.values();
    inv.disks = disks.values();
    inv.nics = nics.values();
    for (NicInfo &n : inv.nics)
        n.mac = normalizeMac(n.mac).value_or(QString());
    return inv;
}

QList<std::pair<QString, QString>> describeInventory(const HardwareInventory &inv)
{
    QList<std::pair<QString, QString>> rows;
    auto add = [&rows](const QString &label, const QStringList &parts) {
        QStringList present;
        for (const QString &p : parts) {
            if (!p.trimmed().isEmpty())
                present << p.trimmed();
        }
        if (!present.isEmpty())
            rows.append({ label, present.join(QStringLiteral(" · ")) });
    };
    add(Text::tr("System"), { QStringList { inv.systemVendor, inv.systemProduct, inv.systemVersion }.join(u' ') });
    add(Text::tr("Serial number"), { inv.systemSerial });
    add(Text::tr("UUID"), { inv.systemUuid });
    add(Text::tr("Board"),
        { QStringList { inv.boardVendor, inv.boardProduct }.join(u' '),
            inv.boardSerial.isEmpty() ? QString() : Text::tr("serial %1").arg(inv.boardSerial) });
    QString mode = inv.firmwareMode == QLatin1String("uefi") ? Text::tr("UEFI")
        : inv.firmwareMode == QLatin1String("bios")          ? Text::tr("BIOS")
                                                             : QString();
    if (!inv.secureBoot.isEmpty())
        mode += QLatin1Char(' ')
            + (inv.secureBoot == QLatin1String("on") ? Text::tr("(Secure Boot on)") : Text::tr("(Secure Boot off)"));
    add(Text::tr("Firmware"),
        { QStringList { inv.firmwareVendor, inv.firmwareVersion }.join(u' '), inv.firmwareDate, mode });
    add(Text::tr("CPU"),
        { inv.cpuModel, inv.cpuSockets > 1 ? Text::tr("%n socket(s)", nullptr, inv.cpuSockets) : QString(),
            inv.cpuCores > 0 ? Text::tr("%n core(s)", nullptr, inv.cpuCores) : QString(),
            inv.cpuThreads > 0 ? Text::tr("%n thread(s)", nullptr, inv.cpuThreads) : QString() });
    add(Text::tr("Memory"), { inv.memoryKib > 0 ? sizeText(inv.memoryKib * 1024) : QString() });
    for (qsizetype i = 0; i < inv.dimms.size(); ++i) {
        const DimmInfo &d = inv.dimms.at(i);
        // Firmware often names the slot "DIMM 0" already.
        const bool named = d.locator.startsWith(QLatin1String("DIMM"), Qt::CaseInsensitive);
        add(named ? d.locator : Text::tr("DIMM %1").arg(d.locator.isEmpty() ? QString::number(i) : d.locator),
            // A report's numbers go up to 15 digits: in bytes, a made-up DIMM size would overflow.
            { sizeText(qMin(d.sizeMib, qint64(1) << 40) * 1024 * 1024), d.type,
                d.speedMts > 0 ? Text::tr("%1 MT/s").arg(d.speedMts) : QString() });
    }
    for (const DiskInfo &d : inv.disks) {
        add(Text::tr("Disk %1").arg(d.name),
            { d.model, d.serial.isEmpty() ? QString() : Text::tr("serial %1").arg(d.serial),
                d.bytes > 0 ? sizeText(d.bytes) : QString(),
                d.rotational ? Text::tr("rotational") : Text::tr("solid state"),
                d.smart.isEmpty() ? QString() : Text::tr("SMART %1").arg(d.smart) });
    }
    for (const NicInfo &n : inv.nics) {
        add(Text::tr("NIC %1").arg(n.name),
            { n.mac, n.driver, n.pci.isEmpty() ? QString() : Text::tr("PCI %1").arg(n.pci),
                n.speedMbps > 0 ? Text::tr("%1 Mb/s").arg(n.speedMbps) : Text::tr("no link") });
    }
    return rows;
}

QStringList inventoryChanges(const HardwareInventory &before, const HardwareInventory &after)
{
    QStringList changes;
    auto changed = [&changes](const QString &what, const QString &was, const QString &is) {
        if (was != is)
            changes << Text::tr("%1 %2 → %3")
                           .arg(what, was.isEmpty() ? Text::tr("(none)") : was, is.isEmpty() ? Text::tr("(none)") : is);
    };
    changed(Text::tr("system serial"), before.systemSerial, after.systemSerial);
    changed(Text::tr("system UUID"), before.systemUuid, after.systemUuid);
    changed(Text::tr("system"), QStringList { before.systemVendor, before.systemProduct }.join(QLatin1Char(' ')),
        QStringList { after.systemVendor, after.systemProduct }.join(QLatin1Char(' ')));
    changed(Text::tr("board"), QStringList { before.boardVendor, before.boardProduct }.join(QLatin1Char(' ')),
        QStringList { after.boardVendor, after.boardProduct }.join(QLatin1Char(' ')));
    changed(Text::tr("firmware"), QStringList { before.firmwareVendor, before.firmwareVersion }.join(QLatin1Char(' ')),
        QStringList { after.firmwareVendor, after.firmwareVersion }.join(QLatin1Char(' ')));
    changed(Text::tr("firmware mode"), before.firmwareMode, after.firmwareMode);
    changed(Text::tr("CPU"), before.cpuModel, after.cpuModel);
    if (before.cpuThreads != after.cpuThreads)
        changed(Text::tr("CPU threads"), QString::number(before.cpuThreads), QString::number(after.cpuThreads));
    // Memory: the kernel's total moves by a few MiB between kernels; a DIMM is 256 MiB or more.
    if (qAbs(before.memoryKib - after.memoryKib) > qint64(64) * 1024)
        changed(Text::tr("memory"), sizeText(before.memoryKib * 1024), sizeText(after.memoryKib * 1024));
    if (before.dimms.size() != after.dimms.size())
        changed(Text::tr("DIMMs"), QString::number(before.dimms.size()), QString::number(after.dimms.size()));

    QMap<QString, DiskInfo> oldDisks, newDisks;
    for (const DiskInfo &d : before.disks)
        oldDisks.insert(diskKey(d), d);
    for (const DiskInfo &d : after.disks)
        newDisks.insert(diskKey(d), d);
    for (auto it = oldDisks.cbegin(); it != oldDisks.cend(); ++it) {
        if (!newDisks.contains(it.key()))
            changes << Text::tr("disk %1 removed").arg(diskText(*it));
        else if (newDisks.value(it.key()).bytes != it->bytes)
            changed(
                Text::tr("disk %1 size").arg(it->name), sizeText(it->bytes), sizeText(newDisks.value(it.key()).bytes));
    }
    for (auto it = newDisks.cbegin(); it != newDisks.cend(); ++it) {
        if (!oldDisks.contains(it.key()))
            changes << Text::tr("disk %1 added").arg(diskText(*it));
    }

    QMap<QString, NicInfo> oldNics, newNics;
    for (const NicInfo &n : before.nics)
        oldNics.insert(n.mac.isEmpty() ? n.name : n.mac, n);
    for (const NicInfo &n : after.nics)
        newNics.insert(n.mac.isEmpty() ? n.name : n.mac, n);
    for (auto it = oldNics.cbegin(); it != oldNics.cend(); ++it) {
        if (!newNics.contains(it.key()))
            changes << Text::tr("NIC %1 (%2) removed").arg(it.key(), it->driver);
    }
    for (auto it = newNics.cbegin(); it != newNics.cend(); ++it) {
        if (!oldNics.contains(it.key()))
            changes << Text::tr("NIC %1 (%2) added").arg(it.key(), it->driver);
    }
    return changes;
}

} // namespace drover
