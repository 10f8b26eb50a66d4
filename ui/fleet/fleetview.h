// FleetView: the fleet table with its search box, "Show" filter and "Group by" choice; sortable,
// multi-select, flat or in sections by a label.
#pragma once

#include <QHash>
#include <QSet>
#include <QWidget>

class QComboBox;
class QLineEdit;
class QTreeView;

namespace drover {

class ColumnLayout;
class EmptyState;
class FleetFilter;
class FleetModel;
class LabelGroupModel;

class FleetView final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetView)
public:
    explicit FleetView(FleetModel *model, QWidget *parent = nullptr);

    // A tree that looks like a table while flat; in sections when grouped by a label.
    QTreeView *table() const { return m_table; }
    QLineEdit *search() const { return m_search; }
    QComboBox *groupBy() const { return m_groupBy; }
    FleetFilter *proxy() const { return m_proxy; }
    // "Show": every machine, or only the new ones, those whose hardware changed, or whose
    // burn-in failed.
    QComboBox *showFilter() const { return m_show; }
    LabelGroupModel *groups() const { return m_groups; }
    // The selected machines; a selected section header stands for the machines under it.
    QStringList selectedMachines() const;
    FleetModel *model() const { return m_model; }
    // Shows the machines in sections by the label `key`; empty for the flat table. Remembered.
    void setGroupKey(const QString &key);
    QString groupKey() const;
    // The label keys the catalog's machines have, "group" first: what the combo offers.
    QStringList labelKeys() const;
    // A strip shown above the search box (the rollout banner); the view takes it over.
    void setBanner(QWidget *banner);
    // What the area shows while there are no machines (the first-run guide).
    void setEmptyPlaceholder(QWidget *placeholder);
    // Shows or hides a column (the header's context menu does it) and remembers the choice.
    void setColumnShown(int column, bool shown);
    ColumnLayout *columns() const { return m_columns; }

private:
    EmptyState *m_empty = nullptr;
    void refreshGroupChoices();
    void applySections();
    // Widens the image columns to the longest tag the machines show, until the user sizes them.
    void fitImageColumns();
    void rememberExpanded(const QModelIndex &index, bool expanded);

    FleetModel *m_model;
    FleetFilter *m_proxy;
    LabelGroupModel *m_groups;
    QLineEdit *m_search;
    QComboBox *m_groupBy;
    QComboBox *m_show;
    QTreeView *m_table;
    ColumnLayout *m_columns = nullptr;
    QHash<int, int> m_fitted; // image column → the width last fitted to its tags
    // Collapsed sections per label key, by value: kept across the model's resets.
    QHash<QString, QSet<QString>> m_collapsed;
};

} // namespace drover
