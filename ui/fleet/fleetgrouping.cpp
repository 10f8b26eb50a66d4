#include "fleet/fleetgrouping.h"

#include "catalog/records.h"
#include "fleet/fleetmodel.h"
#include "images/imagemodel.h"

#include <QFont>
#include <QMimeData>

#include <algorithm>
#include <utility>

namespace drover {

namespace {

constexpr int stateCount = int(MachineState::Offline) + 1;

} // namespace

LabelGroupModel::LabelGroupModel(QObject *parent)
    : QAbstractItemModel(parent)
{ }

void LabelGroupModel::setSourceModel(QAbstractItemModel *source)
{
    beginResetModel();
    for (const QMetaObject::Connection &c : std::as_const(m_connections))
        disconnect(c);
    m_connections.clear();
    m_source = source;
    if (source) {
        // FleetModel resets on every catalog change; sorting and searching in the proxy move
        // and hide rows. A reset, a sort and a changed row rebuild the sections; all but a
        // reset keep the selection, the current row and the expanded sections by remapping
        // persistent indexes. A search hides and shows rows in runs (a thousand runs for a
        // label every tenth machine has): flat, each run passes through as rows removed or
        // inserted; grouped, the sections change in place, without reading every row again.
        m_connections = {
            connect(source, &QAbstractItemModel::modelAboutToBeReset, this, [this] { beginResetModel(); }),
            connect(source, &QAbstractItemModel::modelReset, this,
                [this] {
                    rebuild();
                    endResetModel();
                }),
            connect(source, &QAbstractItemModel::layoutAboutToBeChanged, this, [this] { beginSourceLayoutChange(); }),
            connect(source, &QAbstractItemModel::layoutChanged, this, [this] { endSourceLayoutChange(); }),
            connect(source, &QAbstractItemModel::rowsAboutToBeInserted, this,
                [this](const QModelIndex &parent, int first, int last) {
                    beginSourceRowChange(parent, first, last, false);
                }),
            connect(source, &QAbstractItemModel::rowsInserted, this,
                [this](const QModelIndex &, int first, int last) { endSourceRowChange(first, last, false); }),
            connect(source, &QAbstractItemModel::rowsAboutToBeRemoved, this,
                [this](const QModelIndex &parent, int first, int last) {
                    beginSourceRowChange(parent, first, last, true);
                }),
            connect(source, &QAbstractItemModel::rowsRemoved, this,
                [this](const QModelIndex &, int first, int last) { endSourceRowChange(first, last, true); }),
            connect(source, &QAbstractItemModel::rowsAboutToBeMoved, this, [this] { beginSourceLayoutChange(); }),
            connect(source, &QAbstractItemModel::rowsMoved, this, [this] { endSourceLayoutChange(); }),
            connect(source, &QAbstractItemModel::columnsAboutToBeInserted, this, [this] { beginResetModel(); }),
            connect(source, &QAbstractItemModel::columnsInserted, this,
                [this] {
                    rebuild();
                    endResetModel();
                }),
            connect(source, &QAbstractItemModel::columnsAboutToBeRemoved, this, [this] { beginResetModel(); }),
            connect(source, &QAbstractItemModel::columnsRemoved, this,
                [this] {
                    rebuild();
                    endResetModel();
                }),
            connect(source, &QAbstractItemModel::dataChanged, this, &LabelGroupModel::onSourceDataChanged),
            connect(source, &QAbstractItemModel::headerDataChanged, this, &QAbstractItemModel::headerDataChanged),
        };
    }
    rebuild();
    endResetModel();
}

void LabelGroupModel::setGroupKey(const QString &key)
{
    if (key == m_key)
        return;
    beginResetModel();
    m_key = key;
    rebuild();
    endResetModel();
}

void LabelGroupModel::rebuild()
{
    m_sections.clear();
    m_sectionOfRow.clear();
    m_positionOfRow.clear();
    if (!m_source || m_key.isEmpty())
        return;
    QHash<QString, int> byValue;
    int newSection = -1;
    const int rows = m_source->rowCount();
    for (int row = 0; row < rows; ++row)
        place(row, byValue, newSection);
    sortSections();
    remap();
}

void LabelGroupModel::place(int row, QHash<QString, int> &byValue, int &newSection)
{
    const QModelIndex source = m_source->index(row, 0);
    int at = -1;
    if (source.data(FleetModel::NewRole).toBool()) {
        if (newSection < 0) {
            newSection = int(m_sections.size());
            m_sections.append(Section { {}, true, {}, QList<int>(stateCount, 0) });
        }
        at = newSection;
    } else {
        // An empty value counts as no label: it could not name a group to assign to.
        const QString value = source.data(FleetModel::LabelsRole).toMap().value(m_key).toString();
        auto it = byValue.find(value);
        if (it == byValue.end()) {
            it = byValue.insert(value, int(m_sections.size()));
            m_sections.append(Section { value, false, {}, QList<int>(stateCount, 0) });
        }
        at = *it;
    }
    Section &section = m_sections[at];
    section.rows.append(row);
    const int state = source.data(FleetModel::StateRole).toInt();
    if (state >= 0 && state < stateCount)
        ++section.states[state];
}

void LabelGroupModel::sortSections()
{
    std::sort(m_sections.begin(), m_sections.end(), [](const Section &a, const Section &b) {
        if (a.isNew != b.isNew)
            return a.isNew;
        if (a.value.isEmpty() != b.value.isEmpty())
            return b.value.isEmpty();
        const int c = a.value.localeAwareCompare(b.value);
        return c != 0 ? c < 0 : a.value < b.value;
    });
}

void LabelGroupModel::remap()
{
    const int rows = m_source ? m_source->rowCount() : 0;
    m_sectionOfRow.fill(0, rows);
    m_positionOfRow.fill(0, rows);
    for (int s = 0; s < m_sections.size(); ++s) {
        const QList<int> &sectionRows = m_sections.at(s).rows;
        for (int i = 0; i < sectionRows.size(); ++i) {
            if (sectionRows.at(i) < rows) {
                m_sectionOfRow[sectionRows.at(i)] = s;
                m_positionOfRow[sectionRows.at(i)] = i;
            }
        }
    }
}

void LabelGroupModel::insertSourceRows(int first, int last)
{
    const int count = last - first + 1;
    QHash<QString, int> byValue;
    int newSection = -1;
    QList<qsizetype> sizes; // each section's rows before the insertion
    sizes.reserve(m_sections.size());
    for (int s = 0; s < m_sections.size(); ++s) {
        Section &section = m_sections[s];
        if (section.isNew)
            newSection = s;
        else
            byValue.insert(section.value, s);
        sizes.append(section.rows.size());
        // The rows after the inserted ones move down.
        for (auto it = std::lower_bound(section.rows.begin(), section.rows.end(), first); it != section.rows.end();
            ++it)
            *it += count;
    }
    for (int row = first; row <= last; ++row)
        place(row, byValue, newSection);
    // Each section's new rows were appended; they go where their source rows are.
    for (int s = 0; s < m_sections.size(); ++s) {
        QList<int> &rows = m_sections[s].rows;
        const qsizetype before = sizes.value(s, 0);
        if (before > 0 && before < rows.size())
            std::inplace_merge(rows.begin(), rows.begin() + before, rows.end());
    }
    if (m_sections.size() > sizes.size())
        sortSections();
    remap();
}

void LabelGroupModel::removeSourceRows(int first, int last)
{
    const int count = last - first + 1;
    for (int row = first; row <= last && row < m_sectionOfRow.size(); ++row) {
        const int state = m_removedStates.value(row - first, -1);
        if (state >= 0 && state < stateCount)
            --m_sections[m_sectionOfRow.at(row)].states[state];
    }
    for (Section &section : m_sections) {
        const auto from = std::lower_bound(section.rows.begin(), section.rows.end(), first);
        const auto to = std::lower_bound(from, section.rows.end(), last + 1);
        auto it = section.rows.erase(from, to);
        for (; it != section.rows.end(); ++it)
            *it -= count;
    }
    m_sections.removeIf([](const Section &section) { return section.rows.isEmpty(); });
    remap();
}

void LabelGroupModel::beginBulkChange()
{
    m_bulk = true;
}

void LabelGroupModel::endBulkChange()
{
    m_bulk = false;
    if (std::exchange(m_bulkLayoutOpen, false))
        endSourceLayoutChange();
}

void LabelGroupModel::beginSourceRowChange(const QModelIndex &parent, int first, int last, bool removal)
{
    // The first run of a bulk change opens one layout change that stays open until its end;
    // the runs in it are nested changes, and the sections are rebuilt once at the end.
    if (m_bulk && !m_bulkLayoutOpen && !m_key.isEmpty() && !parent.isValid()) {
        m_bulkLayoutOpen = true;
        beginSourceLayoutChange();
    }
    if (m_layoutDepth > 0 || parent.isValid()) {
        m_rowChange = RowChange::Nested;
        beginSourceLayoutChange();
    } else if (m_key.isEmpty()) {
        m_rowChange = RowChange::PassThrough;
        if (removal)
            beginRemoveRows({}, first, last);
        else
            beginInsertRows({}, first, last);
    } else {
        m_rowChange = RowChange::InPlace;
        // The headers count machines by state: the removed rows' states, while the source
        // still has them.
        m_removedStates.clear();
        for (int row = first; removal && row <= last; ++row)
            m_removedStates.append(m_source->index(row, 0).data(FleetModel::StateRole).toInt());
        beginSourceLayoutChange();
    }
}

void LabelGroupModel::endSourceRowChange(int first, int last, bool removal)
{
    const RowChange change = std::exchange(m_rowChange, RowChange::None);
    if (change == RowChange::PassThrough) {
        if (removal)
            endRemoveRows();
        else
            endInsertRows();
    } else if (change == RowChange::InPlace) {
        if (removal)
            removeSourceRows(first, last);
        else
            insertSourceRows(first, last);
        m_removedStates.clear();
        endSourceLayoutChange(false);
    } else {
        endSourceLayoutChange();
    }
}

void LabelGroupModel::beginSourceLayoutChange()
{
    if (m_layoutDepth++ > 0)
        return;
    Q_EMIT layoutAboutToBeChanged();
    m_saved.clear();
    m_savedFrom = persistentIndexList();
    for (const QModelIndex &index : std::as_const(m_savedFrom)) {
        Saved saved;
        saved.column = index.column();
        saved.isSection = isSection(index);
        if (saved.isSection)
            saved.section = sectionId(index);
        else
            saved.source = QPersistentModelIndex(mapToSource(index));
        m_saved.append(saved);
    }
}

void LabelGroupModel::endSourceLayoutChange(bool rebuildSections)
{
    if (m_layoutDepth == 0)
        return;
    --m_layoutDepth;
    if (m_layoutDepth > 0)
        return;
    if (rebuildSections)
        rebuild();
    QHash<QString, int> sectionById;
    for (int s = 0; s < m_sections.size(); ++s)
        sectionById.insert(sectionId(index(s, 0)), s);
    QModelIndexList from;
    QModelIndexList to;
    from.reserve(m_saved.size());
    to.reserve(m_saved.size());
    for (int i = 0; i < m_saved.size() && i < m_savedFrom.size(); ++i) {
        const Saved &saved = m_saved.at(i);
        QModelIndex now;
        if (saved.isSection) {
            if (const auto it = sectionById.constFind(saved.section); it != sectionById.cend())
                now = index(*it, saved.column);
        } else if (saved.source.isValid()) {
            now = mapFromSource(m_source->index(saved.source.row(), saved.column));
        }
        from.append(m_savedFrom.at(i));
        to.append(now);
    }
    changePersistentIndexList(from, to);
    m_saved.clear();
    m_savedFrom.clear();
    Q_EMIT layoutChanged();
}

void LabelGroupModel::onSourceDataChanged(
    const QModelIndex &topLeft, const QModelIndex &bottomRight, const QList<int> &roles)
{
    if (m_key.isEmpty()) {
        Q_EMIT dataChanged(mapFromSource(topLeft), mapFromSource(bottomRight), roles);
        return;
    }
    // A machine may have changed section or state: the headers' counts follow.
    beginSourceLayoutChange();
    endSourceLayoutChange();
}

bool LabelGroupModel::isSection(const QModelIndex &index) const
{
    return index.isValid() && index.model() == this && !m_key.isEmpty() && index.internalId() == 0;
}

QString LabelGroupModel::sectionValue(const QModelIndex &index) const
{
    return isSection(index) && index.row() < m_sections.size() ? m_sections.at(index.row()).value : QString();
}

bool LabelGroupModel::isNewSection(const QModelIndex &index) const
{
    return isSection(index) && index.row() < m_sections.size() && m_sections.at(index.row()).isNew;
}

QString LabelGroupModel::sectionId(const QModelIndex &index) const
{
    // No label value starts with a control character.
    return isNewSection(index) ? QStringLiteral("\x01new") : sectionValue(index);
}

QStringList LabelGroupModel::machinesIn(const QModelIndex &section) const
{
    QStringList names;
    if (!isSection(section) || section.row() >= m_sections.size())
        return names;
    const QList<int> &rows = m_sections.at(section.row()).rows;
    names.reserve(rows.size());
    for (int row : rows)
        names.append(m_source->index(row, 0).data(FleetModel::MachineNameRole).toString());
    return names;
}

QModelIndex LabelGroupModel::mapToSource(const QModelIndex &index) const
{
    if (!m_source || !index.isValid() || index.model() != this)
        return {};
    if (m_key.isEmpty())
        return m_source->index(index.row(), index.column());
    if (index.internalId() == 0)
        return {}; // a section has no source row
    const int section = int(index.internalId()) - 1;
    if (section >= m_sections.size() || index.row() >= m_sections.at(section).rows.size())
        return {};
    return m_source->index(m_sections.at(section).rows.at(index.row()), index.column());
}

QModelIndex LabelGroupModel::mapFromSource(const QModelIndex &sourceIndex) const
{
    if (!m_source || !sourceIndex.isValid() || sourceIndex.model() != m_source)
        return {};
    if (m_key.isEmpty())
        return createIndex(sourceIndex.row(), sourceIndex.column(), quintptr(0));
    if (sourceIndex.row() >= m_sectionOfRow.size())
        return {};
    return createIndex(m_positionOfRow.at(sourceIndex.row()), sourceIndex.column(),
        quintptr(m_sectionOfRow.at(sourceIndex.row())) + 1);
}

QModelIndex LabelGroupModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, quintptr(0));
    return createIndex(row, column, quintptr(parent.row()) + 1); // a machine under section parent.row()
}

QModelIndex LabelGroupModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || m_key.isEmpty() || child.internalId() == 0)
        return {};
    return createIndex(int(child.internalId()) - 1, 0, quintptr(0));
}

int LabelGroupModel::rowCount(const QModelIndex &parent) const
{
    if (!m_source)
        return 0;
    if (m_key.isEmpty())
        return parent.isValid() ? 0 : m_source->rowCount();
    if (!parent.isValid())
        return int(m_sections.size());
    if (isSection(parent) && parent.column() == 0 && parent.row() < m_sections.size())
        return int(m_sections.at(parent.row()).rows.size());
    return 0;
}

int LabelGroupModel::columnCount(const QModelIndex &) const
{
    return m_source ? m_source->columnCount() : 0;
}

QString LabelGroupModel::sectionText(const Section &section) const
{
    const QString title = section.isNew ? tr("New: registered by their first boot, not yet named")
        : section.value.isEmpty()       ? tr("(no %1)").arg(m_key)
                                        : tr("%1: %2").arg(m_key, section.value);
    QStringList parts { tr("%n machine(s)", nullptr, int(section.rows.size())) };
    const auto count = [&section](MachineState state) { return section.states.value(int(state)); };
    if (const int n = count(MachineState::Ready))
        parts.append(tr("%n ready", nullptr, n));
    if (const int n = count(MachineState::Booting))
        parts.append(tr("%n booting", nullptr, n));
    if (const int n = count(MachineState::Failed))
        parts.append(tr("%n failed", nullptr, n));
    if (const int n = count(MachineState::Offline))
        parts.append(tr("%n offline", nullptr, n));
    if (const int n = count(MachineState::Unknown))
        parts.append(tr("%n unknown", nullptr, n));
    return tr("%1 — %2").arg(title, parts.join(QStringLiteral(", ")));
}

QVariant LabelGroupModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (!isSection(index)) {
        if (role == IsSectionRole)
            return false;
        return mapToSource(index).data(role);
    }
    if (index.row() >= m_sections.size())
        return {};
    const Section &section = m_sections.at(index.row());
    switch (role) {
    case IsSectionRole:
        return true;
    case SectionValueRole:
        return section.value;
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        return index.column() == 0 ? QVariant(sectionText(section)) : QVariant();
    case Qt::FontRole: {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    default:
        return {};
    }
}

QVariant LabelGroupModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    return m_source ? m_source->headerData(section, orientation, role) : QVariant();
}

Qt::ItemFlags LabelGroupModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return m_source ? m_source->flags({}) : Qt::NoItemFlags;
    if (isSection(index))
        return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDropEnabled;
    return m_source ? m_source->flags(mapToSource(index)) : Qt::NoItemFlags;
}

void LabelGroupModel::sort(int column, Qt::SortOrder order)
{
    // The source sorts; each section keeps the source's order, so sorting is per section.
    if (m_source)
        m_source->sort(column, order);
}

QStringList LabelGroupModel::mimeTypes() const
{
    return m_source ? m_source->mimeTypes() : QStringList();
}

Qt::DropActions LabelGroupModel::supportedDropActions() const
{
    return m_source ? m_source->supportedDropActions() : Qt::IgnoreAction;
}

bool LabelGroupModel::canDropMimeData(
    const QMimeData *data, Qt::DropAction action, int row, int /*column*/, const QModelIndex &parent) const
{
    // Onto a row only, never between rows.
    if (!m_source || !data || !parent.isValid() || row != -1)
        return false;
    if (isSection(parent))
        return data->hasFormat(ImageModel::mimeType());
    return m_source->canDropMimeData(data, action, -1, -1, mapToSource(parent));
}

bool LabelGroupModel::dropMimeData(
    const QMimeData *data, Qt::DropAction action, int row, int column, const QModelIndex &parent)
{
    if (!canDropMimeData(data, action, row, column, parent))
        return false;
    if (!isSection(parent))
        return m_source->dropMimeData(data, action, -1, -1, mapToSource(parent));
    Q_EMIT imageDroppedOnSection(QString::fromUtf8(data->data(ImageModel::mimeType())), m_key, sectionValue(parent),
        machinesIn(parent.siblingAtColumn(0)));
    // The catalog, not the drop, changes the rows.
    return false;
}

} // namespace drover
