#include "fleet/fleetmodel.h"

#include "fleet/rollout.h"
#include "main/readablecolor.h"

#include "boot/firmwarefacts.h"
#include "catalog/boottarget.h"
#include "catalog/catalog.h"
#include "images/imagemodel.h"

#include <QColor>
#include <QIcon>
#include <QMimeData>

namespace drover {

FleetModel::FleetModel(Catalog *catalog, QObject *parent)
    : QAbstractTableModel(parent)
    , m_catalog(catalog)
{
    connect(catalog, &Catalog::changed, this, [this](const QString &table) {
        if (table != QLatin1String("boot_event"))
            reload(); // settings too: rollouts live there
    });
    reload();
}

void FleetModel::reload()
{
    QList<Machine> machines = m_catalog->machines();
    QList<QString> assigned;
    assigned.reserve(machines.size());
    for (const auto &a : m_catalog->effectiveAssignments(machines))
        assigned.append(a ? a->image : QString());
    // Where each machine stands in an active rollout, for the assigned-image column.
    QHash<QString, QString> inRollout;
    for (const Rollout &r : Rollout::all(*m_catalog)) {
        if (!r.active())
            continue;
        for (const RolloutMachine &rm : r.machines) {
            const QString wave = rm.wave == 0 ? tr("canary") : tr("wave %1").arg(rm.wave + 1);
            const bool untested = r.requireTest && r.test != QLatin1String("passed");
            const QString state = !rm.result.isEmpty() ? rm.result
                : rm.readyMs > 0                       ? tr("baking")
                : rm.assignedMs > 0                    ? tr("rolling out")
                : untested                             ? tr("waiting for the test of %1 in a VM").arg(r.image)
                                                       : tr("waiting for %1").arg(r.image);
            inRollout.insert(rm.name, tr("%1, %2").arg(wave, state));
        }
    }
    QList<QString> rollout;
    rollout.reserve(machines.size());
    for (const Machine &m : machines)
        rollout.append(inRollout.value(m.name));
    QHash<QString, InventoryRecord> inventory = m_catalog->latestInventories();
    beginResetModel();
    m_inventory = std::move(inventory);
    m_machines = std::move(machines);
    m_assigned = std::move(assigned);
    m_rollout = std::move(rollout);
    endResetModel();
}

int FleetModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_machines.size());
}

int FleetModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

namespace {

QString stateText(const Machine &m)
{
    switch (m.state) {
    case MachineState::Unknown:
        return m.isNew ? FleetModel::tr("new") : FleetModel::tr("unknown");
    case MachineState::Booting:
        return m.phase.isEmpty() ? FleetModel::tr("booting") : FleetModel::tr("booting: %1").arg(m.phase);
    case MachineState::Ready:
        return FleetModel::tr("ready");
    case MachineState::Failed:
        return m.phase.isEmpty() ? FleetModel::tr("failed") : FleetModel::tr("failed: %1").arg(m.phase);
    case MachineState::Offline:
        return FleetModel::tr("offline");
    }
    return {};
}

QColor stateColor(MachineState state)
{
    switch (state) {
    case MachineState::Booting:
        return QColor(0x1e, 0x6f, 0xd9);
    case MachineState::Ready:
        return QColor(0x2e, 0x9e, 0x44);
    case MachineState::Failed:
        return QColor(0xd0, 0x31, 0x2d);
    case MachineState::Offline:
    case MachineState::Unknown:
        break;
    }
    return QColor(0x80, 0x80, 0x80);
}

QIcon stateIcon(MachineState state)
{
    switch (state) {
    case MachineState::Booting:
        return QIcon(QStringLiteral(":/icons/state-booting.svg"));
    case MachineState::Ready:
        return QIcon(QStringLiteral(":/icons/state-ready.svg"));
    case MachineState::Failed:
        return QIcon(QStringLiteral(":/icons/state-failed.svg"));
    case MachineState::Offline:
    case MachineState::Unknown:
        break;
    }
    return QIcon(QStringLiteral(":/icons/state-unknown.svg"));
}

} // namespace

QVariant FleetModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Machine &m = m_machines.at(index.row());
    if (role == MachineNameRole)
        return m.name;
    if (role == StateRole)
        return int(m.state);
    if (role == SecureBootRole)
        return m.firmware.secureBoot == QLatin1String("on");
    if (role == HardwareChangedRole)
        return m.hardwareChanged.isValid();
    if (role == BurninFailedRole)
        return m.burninFailed.isValid();
    if (role == NewRole)
        return m.isNew;
    // A failed burn-in outranks a hardware change: it is the one that blocks the machine.
    if (index.column() == Name && m.burninFailed.isValid()) {
        if (role == Qt::DecorationRole)
            return QIcon(QStringLiteral(":/icons/burnin-failed.svg"));
        if (role == Qt::ToolTipRole) {
            return tr("%1 failed its burn-in (%2): no rollout gives it an image until the failure is cleared in the "
                      "Tests tab.")
                .arg(m.name, QLocale().toString(m.burninFailed.toLocalTime(), QLocale::ShortFormat));
        }
    }
    if (index.column() == Name && m.hardwareChanged.isValid()) {
        if (role == Qt::DecorationRole)
            return QIcon(QStringLiteral(":/icons/hardware-changed.svg"));
        if (role == Qt::ToolTipRole) {
            return tr("%1: the hardware changed (%2): %3. The Hardware tab shows it and acknowledges it.")
                .arg(m.name, QLocale().toString(m.hardwareChanged.toLocalTime(), QLocale::ShortFormat),
                    m_inventory.value(m.name).changes.join(QStringLiteral("; ")));
        }
    }
    if (role == LabelsRole) {
        QVariantMap labels;
        for (auto it = m.labels.cbegin(); it != m.labels.cend(); ++it)
            labels.insert(it.key(), it.value());
        return labels;
    }
    if (role == ImageTagRole) {
        if (index.column() == CurrentImage)
            return describeAssigned(m.currentImage);
        if (index.column() == AssignedImage)
            return describeAssigned(m_assigned.at(index.row()));
        return {};
    }
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (Column(index.column())) {
        case Name:
            return m.name;
        case Mac:
            return role == Qt::ToolTipRole && !m.vendor.isEmpty() ? m.vendor : m.mac;
        case Address:
            return m.address;
        case Status:
            if (const QString facts = describeFirmwareFacts(m.firmware); role == Qt::ToolTipRole && !facts.isEmpty())
                return QString(stateText(m) + QLatin1Char('\n') + facts); // the facts, where the shield is
            return stateText(m);
        case CurrentImage:
            return describeAssigned(m.currentImage);
        case AssignedImage:
            return m_rollout.at(index.row()).isEmpty()
                ? describeAssigned(m_assigned.at(index.row()))
                : tr("%1 (rollout: %2)").arg(describeAssigned(m_assigned.at(index.row())), m_rollout.at(index.row()));
        case LastSeen:
            return m.lastSeen.isValid() ? QLocale().toString(m.lastSeen.toLocalTime(), QLocale::ShortFormat)
                                        : QString();
        case Labels: {
            QStringList parts;
            for (auto it = m.labels.cbegin(); it != m.labels.cend(); ++it)
                parts.append(it.key() + QLatin1Char('=') + it.value());
            return parts.join(QStringLiteral(", "));
        }
        case Model: {
            const HardwareInventory &h = m_inventory.value(m.name).hardware;
            return QStringList { h.systemVendor, h.systemProduct }.join(QLatin1Char(' ')).trimmed();
        }
        case Serial:
            return m_inventory.value(m.name).hardware.systemSerial;
        case Cpu: {
            const HardwareInventory &h = m_inventory.value(m.name).hardware;
            if (role == Qt::ToolTipRole)
                return h.cpuModel;
            return h.cpuThreads > 0 ? tr("%n thread(s)", nullptr, h.cpuThreads) : QString();
        }
        case Memory: {
            const qint64 kib = m_inventory.value(m.name).hardware.memoryKib;
            return kib > 0 ? QLocale().formattedDataSize(kib * 1024, 1) : QString();
        }
        case ColumnCount:
            break;
        }
    }
    if (index.column() == Status) {
        if (role == Qt::ForegroundRole)
            return readableOnBase(stateColor(m.state)); // a dark palette lightens it
        if (role == Qt::DecorationRole)
            return stateIcon(m.state);
    }
    if (role == Qt::UserRole && index.column() == LastSeen)
        return m.lastSeen;
    return {};
}

Qt::ItemFlags FleetModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid())
        f |= Qt::ItemIsDropEnabled;
    return f;
}

QStringList FleetModel::mimeTypes() const
{
    return { ImageModel::mimeType() };
}

Qt::DropActions FleetModel::supportedDropActions() const
{
    return Qt::CopyAction | Qt::MoveAction;
}

bool FleetModel::canDropMimeData(const QMimeData *data, Qt::DropAction, int, int, const QModelIndex &parent) const
{
    // Only onto a machine's row, never between rows.
    return data && data->hasFormat(ImageModel::mimeType()) && parent.isValid() && parent.row() < m_machines.size();
}

bool FleetModel::dropMimeData(
    const QMimeData *data, Qt::DropAction action, int row, int column, const QModelIndex &parent)
{
    if (!canDropMimeData(data, action, row, column, parent))
        return false;
    Q_EMIT imageDropped(QString::fromUtf8(data->data(ImageModel::mimeType())), m_machines.at(parent.row()).name);
    // The catalog, not the drop, changes the rows: nothing to insert here.
    return false;
}

QVariant FleetModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Name:
        return tr("Name");
    case Mac:
        return tr("MAC");
    case Address:
        return tr("Address");
    case Status:
        return tr("Status");
    case CurrentImage:
        return tr("Current image");
    case AssignedImage:
        return tr("Assigned image");
    case LastSeen:
        return tr("Last seen");
    case Labels:
        return tr("Labels");
    case Model:
        return tr("Model");
    case Serial:
        return tr("Serial number");
    case Cpu:
        return tr("CPU");
    case Memory:
        return tr("Memory");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace drover
