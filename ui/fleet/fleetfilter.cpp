#include "fleet/fleetfilter.h"

#include "fleet/fleetmodel.h"

#include <utility>

namespace drover {

namespace {

// Separates the columns in a row's search text; a search holding it is matched per column.
constexpr QChar separator(u'\x1f');

} // namespace

FleetFilter::FleetFilter(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setFilterCaseSensitivity(Qt::CaseInsensitive);
    setFilterKeyColumn(-1); // search every column
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void FleetFilter::setSourceModel(QAbstractItemModel *source)
{
    for (const QMetaObject::Connection &c : std::as_const(m_connections))
        disconnect(c);
    m_connections.clear();
    m_texts.clear();
    // Connected before the proxy's own handlers (QSortFilterProxyModel::setSourceModel
    // connects them), so a row the source changed is matched against its new text.
    if (source) {
        const auto forget = [this] { m_texts.clear(); };
        m_connections = {
            connect(source, &QAbstractItemModel::modelAboutToBeReset, this, forget),
            connect(source, &QAbstractItemModel::modelReset, this, forget),
            connect(source, &QAbstractItemModel::dataChanged, this, forget),
            connect(source, &QAbstractItemModel::layoutChanged, this, forget),
            connect(source, &QAbstractItemModel::rowsInserted, this, forget),
            connect(source, &QAbstractItemModel::rowsRemoved, this, forget),
            connect(source, &QAbstractItemModel::rowsMoved, this, forget),
            connect(source, &QAbstractItemModel::columnsInserted, this, forget),
            connect(source, &QAbstractItemModel::columnsRemoved, this, forget),
            connect(source, &QAbstractItemModel::columnsMoved, this, forget),
        };
    }
    QSortFilterProxyModel::setSourceModel(source);
}

void FleetFilter::setShow(Show show)
{
    if (show == m_show)
        return;
    m_show = show;
    Q_EMIT rowsFilterAboutToChange();
    invalidateRowsFilter();
    Q_EMIT rowsFilterChanged();
}

void FleetFilter::setSearch(const QString &text)
{
    if (text == m_search)
        return;
    m_search = text;
    Q_EMIT rowsFilterAboutToChange();
    invalidateRowsFilter();
    Q_EMIT rowsFilterChanged();
}

const QString &FleetFilter::searchText(int sourceRow) const
{
    const int rows = sourceModel()->rowCount();
    if (m_texts.size() != rows)
        m_texts = QList<QString>(rows);
    QString &text = m_texts[sourceRow];
    if (text.isEmpty()) {
        text.append(separator); // never empty once made
        const int columns = sourceModel()->columnCount();
        for (int column = 0; column < columns; ++column) {
            text.append(sourceModel()->index(sourceRow, column).data(filterRole()).toString());
            text.append(separator);
        }
    }
    return text;
}

bool FleetFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_show != Show::All) {
        const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
        const int role = m_show == Show::New  ? FleetModel::NewRole
            : m_show == Show::HardwareChanged ? FleetModel::HardwareChangedRole
                                              : FleetModel::BurninFailedRole;
        if (!index.data(role).toBool())
            return false;
    }
    if (!m_search.isEmpty()) {
        if (m_search.contains(separator) || sourceParent.isValid()) {
            bool found = false;
            const int columns = sourceModel()->columnCount(sourceParent);
            for (int column = 0; column < columns && !found; ++column) {
                found = sourceModel()
                            ->index(sourceRow, column, sourceParent)
                            .data(filterRole())
                            .toString()
                            .contains(m_search, filterCaseSensitivity());
            }
            if (!found)
                return false;
        } else if (!searchText(sourceRow).contains(m_search, filterCaseSensitivity())) {
            return false;
        }
    }
    return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
}

} // namespace drover
