// LabelGroupModel: the fleet table in sections, one per value of a label (group, room, …),
// each a header row with the machines under it; with no label chosen it is the flat table.
// Machines registered by their first boot and not yet looked at (named, or edited) come
// first, in a "New" section of their own, whatever their labels.
// It sits on the sorted, filtered fleet, so sections follow the search and sort in place.
#pragma once

#include <QAbstractItemModel>
#include <QHash>
#include <QList>
#include <QPersistentModelIndex>
#include <QPointer>

namespace drover {

class LabelGroupModel final : public QAbstractItemModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LabelGroupModel)
public:
    // Roles of a section row; a machine row answers the source's roles (MachineNameRole…).
    enum Role { IsSectionRole = Qt::UserRole + 100, SectionValueRole };

    explicit LabelGroupModel(QObject *parent = nullptr);

    // Rows must answer FleetModel::LabelsRole and StateRole in column 0.
    void setSourceModel(QAbstractItemModel *source);
    QAbstractItemModel *sourceModel() const { return m_source; }
    // An empty key is the flat table.
    void setGroupKey(const QString &key);
    QString groupKey() const { return m_key; }
    // The source is about to hide and show rows in many runs at once (a new search): grouped,
    // the sections are rebuilt once when endBulkChange comes, in one layout change, instead of
    // changing in place run by run (a thousand runs cost a thousand layout changes and a
    // thousand passes over every row). Flat, runs still pass through as rows.
    void beginBulkChange();
    void endBulkChange();

    bool isSection(const QModelIndex &index) const;
    // The label value of a section; empty for the section of machines without the label and
    // for the New section.
    QString sectionValue(const QModelIndex &index) const;
    bool isNewSection(const QModelIndex &index) const;
    // Names a section across rebuilds (its value, or a fixed id for the New section).
    QString sectionId(const QModelIndex &index) const;
    // The machines shown under a section, in the order shown.
    QStringList machinesIn(const QModelIndex &section) const;
    QModelIndex mapToSource(const QModelIndex &index) const;
    QModelIndex mapFromSource(const QModelIndex &sourceIndex) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    // Drops: on a machine row, the source handles it; on a section row, sectionDropped.
    QStringList mimeTypes() const override;
    Qt::DropActions supportedDropActions() const override;
    bool canDropMimeData(
        const QMimeData *data, Qt::DropAction action, int row, int column, const QModelIndex &parent) const override;
    bool dropMimeData(
        const QMimeData *data, Qt::DropAction action, int row, int column, const QModelIndex &parent) override;

Q_SIGNALS:
    // An image dropped on a section header: `value` is empty for the "(no key)" section.
    void imageDroppedOnSection(
        const QString &image, const QString &key, const QString &value, const QStringList &machines);

private:
    struct Section {
        QString value;
        bool isNew = false; // the New section
        QList<int> rows; // source rows, in source (sorted) order
        QList<int> states; // machines per MachineState
    };
    // What a persistent index pointed at, to find it again after the sections are rebuilt.
    struct Saved {
        QPersistentModelIndex source; // a machine row
        QString section; // a section row
        int column = 0;
        bool isSection = false;
    };

    void rebuild();
    // Files source row `row` under its section, appending it (made if new) to the section's
    // rows; byValue and newSection index the sections so far.
    void place(int row, QHash<QString, int> &byValue, int &newSection);
    // The New section first, then sections by value, the one without the label last.
    void sortSections();
    // m_sectionOfRow and m_positionOfRow from m_sections.
    void remap();
    // Source rows first..last, just inserted or removed: the sections follow in place, reading
    // only the inserted rows (a rebuild reads every row's labels).
    void insertSourceRows(int first, int last);
    void removeSourceRows(int first, int last);
    QString sectionText(const Section &section) const;
    void beginSourceLayoutChange();
    void endSourceLayoutChange(bool rebuildSections = true);
    // Source rows first..last about to be inserted or removed (removal), and done.
    void beginSourceRowChange(const QModelIndex &parent, int first, int last, bool removal);
    void endSourceRowChange(int first, int last, bool removal);
    void onSourceDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight, const QList<int> &roles);

    QPointer<QAbstractItemModel> m_source;
    QString m_key;
    QList<Section> m_sections;
    QList<int> m_sectionOfRow; // source row → section
    QList<int> m_positionOfRow; // source row → row within its section
    QList<QMetaObject::Connection> m_connections;
    QModelIndexList m_savedFrom; // our persistent indexes, before the change
    QList<Saved> m_saved;
    int m_layoutDepth = 0;
    // How the source's rows change now (between rowsAboutTo… and rows…): passed through as
    // our own rows (flat), the sections changed in place (grouped), or left to the layout
    // change around them.
    enum class RowChange { None, PassThrough, InPlace, Nested };
    RowChange m_rowChange = RowChange::None;
    QList<int> m_removedStates; // the states of the source rows about to be removed
    bool m_bulk = false; // between beginBulkChange and endBulkChange
    bool m_bulkLayoutOpen = false; // the bulk change's layout change has begun
};

} // namespace drover
