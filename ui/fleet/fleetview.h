// FleetView: the fleet table with its search box; sortable, multi-select.
#pragma once

#include <QWidget>

class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace drover {

class FleetModel;

class FleetView final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetView)
public:
    explicit FleetView(FleetModel *model, QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }
    QLineEdit *search() const { return m_search; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    QStringList selectedMachines() const;
    FleetModel *model() const { return m_model; }
    // A strip shown above the search box (the rollout banner); the view takes it over.
    void setBanner(QWidget *banner);

private:
    FleetModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QLineEdit *m_search;
    QTableView *m_table;
};

} // namespace drover
