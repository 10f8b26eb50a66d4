// LogView: the live log with filters by text, minimum severity, phase, time and the machines
// selected in the fleet table (one click), and an export of what it shows.
#pragma once

#include <QDateTime>
#include <QSortFilterProxyModel>
#include <QStringList>
#include <QWidget>

class QComboBox;
class QLineEdit;
class QTableView;
class QToolButton;

namespace drover {

class LogModel;

// Filters log rows by minimum severity and by a text found in machine, phase or message.
class LogFilterModel final : public QSortFilterProxyModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogFilterModel)
public:
    explicit LogFilterModel(QObject *parent = nullptr);
    void setMinimumSeverity(int severity);
    void setText(const QString &text);
    void setMachines(const QStringList &machines); // exact names (or MACs); empty: every one
    void setPhase(const QString &phase); // empty: every phase
    void setSince(const QDateTime &since); // invalid: any time

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    int m_minimumSeverity = 0;
    QString m_text;
    QStringList m_machines;
    QString m_phase;
    QDateTime m_since;
};

class LogView final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogView)
public:
    explicit LogView(LogModel *model, QWidget *parent = nullptr);

    LogFilterModel *filter() const { return m_filter; }
    QComboBox *phaseFilter() const { return m_phase; }
    QComboBox *timeFilter() const { return m_time; }
    QToolButton *selectedMachinesButton() const { return m_onlySelected; }
    // The machines selected in the fleet table, for "Selected machines".
    void setSelectedMachines(const QStringList &machines);
    // Writes the rows the view shows, tab-separated, to `path`.
    bool exportTo(const QString &path, QString *error) const;

private:
    void exportWithDialog();

    LogModel *m_model;
    LogFilterModel *m_filter;
    QLineEdit *m_text;
    QComboBox *m_severity;
    QComboBox *m_phase;
    QComboBox *m_time;
    QToolButton *m_onlySelected;
    QStringList m_selectedMachines;
    QTableView *m_table;
};

} // namespace drover
