// FleetFilter: the fleet table's search (any column, case-insensitive) and its "Show" choice
// (every machine, or only those that need the technician: new, hardware changed, burn-in
// failed), both applied by one proxy so sorting and sections keep working on the result.
#pragma once

#include <QList>
#include <QMetaObject>
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
    // The search: rows with `text` in any column (as displayed, case-insensitive), the same
    // rows as setFilterFixedString(text) with every column as the key, found in one string
    // per row kept between keystrokes rather than in every cell of every row on each key.
    void setSearch(const QString &text);
    QString search() const { return m_search; }

    void setSourceModel(QAbstractItemModel *source) override;

Q_SIGNALS:
    // Around a new search or Show choice, which hides and shows rows in many runs at once
    // (LabelGroupModel::beginBulkChange).
    void rowsFilterAboutToChange();
    void rowsFilterChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    // Every column's text of a source row, separated by a character no search holds.
    const QString &searchText(int sourceRow) const;

    Show m_show = Show::All;
    QString m_search;
    mutable QList<QString> m_texts; // per source row; empty until needed (never empty after)
    QList<QMetaObject::Connection> m_connections;
};

} // namespace drover
