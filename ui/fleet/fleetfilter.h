// FleetFilter: the fleet table's search (any column, case-insensitive) and its "Show" choice
// (every machine, or only those that need the technician: new, hardware changed, burn-in
// failed), both applied by one proxy so sorting and sections keep working on the result.
#pragma once

#include <QSortFilterProxyModel>

namespace drover {

class FleetFilter final : public QSortFilterProxyModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetFilter)
public:
    enum class Show { All, New, HardwareChanged, BurninFailed };
    explicit FleetFilter(QObject *parent = nullptr);

    Show show() const { return m_show; }
    void setShow(Show show);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    Show m_show = Show::All;
};

} // namespace drover
