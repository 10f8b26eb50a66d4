// FleetModel: one row per machine in the catalog, with its status, current and assigned
// image; refreshed whenever the catalog reports a change (from this or another instance).
#pragma once

#include "catalog/records.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

namespace drover {

class Catalog;

class FleetModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetModel)
public:
    // The hardware columns (Model … Memory) come from each machine's newest inventory; the
    // view hides them until chosen.
    enum Column {
        Name,
        Mac,
        Address,
        Status,
        CurrentImage,
        AssignedImage,
        LastSeen,
        Labels,
        Model,
        Serial,
        Cpu,
        Memory,
        ColumnCount
    };
    // LabelsRole: the machine's labels as a QVariantMap, for grouping by label.
    enum Role {
        MachineNameRole = Qt::UserRole + 1,
        StateRole,
        LabelsRole,
        SecureBootRole, // bool: the last boot reported Secure Boot on (StatusDelegate's shield)
        HardwareChangedRole, // bool: its hardware changed and nobody acknowledged it yet
        BurninFailedRole, // bool: its burn-in failed and nobody cleared it: no rollout reaches it
        NewRole, // bool: registered by its first boot, not yet looked at
        // The image columns' tag alone, without the rollout's note: what the column is sized
        // for (the note may elide; the tooltip holds it whole).
        ImageTagRole,
    };

    explicit FleetModel(Catalog *catalog, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const Machine &machineAt(int row) const { return m_machines.at(row); }

    // Drop target: an image tag dropped on a row asks for an assignment; the view decides
    // whether it means that machine or the whole selection, and confirms first.
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QStringList mimeTypes() const override;
    Qt::DropActions supportedDropActions() const override;
    bool canDropMimeData(
        const QMimeData *data, Qt::DropAction action, int row, int column, const QModelIndex &parent) const override;
    bool dropMimeData(
        const QMimeData *data, Qt::DropAction action, int row, int column, const QModelIndex &parent) override;

Q_SIGNALS:
    void imageDropped(const QString &image, const QString &machine);

public Q_SLOTS:
    void reload();

private:
    Catalog *m_catalog;
    QList<Machine> m_machines;
    QList<QString> m_assigned;
    QList<QString> m_rollout; // "canary, baking" while the machine is in an active rollout
    QHash<QString, InventoryRecord> m_inventory; // machine name → newest hardware report
};

} // namespace drover
