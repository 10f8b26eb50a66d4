#include "fleet/fleetfilter.h"

#include "fleet/fleetmodel.h"

namespace drover {

FleetFilter::FleetFilter(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setFilterCaseSensitivity(Qt::CaseInsensitive);
    setFilterKeyColumn(-1); // search every column
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void FleetFilter::setShow(Show show)
{
    if (show == m_show)
        return;
    m_show = show;
    invalidateRowsFilter();
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
    return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
}

} // namespace drover
