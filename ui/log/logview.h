// LogView: the live log with filters by machine or text and by minimum severity, and an
// export of what it shows.
#pragma once

#include <QSortFilterProxyModel>
#include <QWidget>

class QComboBox;
class QLineEdit;
class QTableView;

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

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    int m_minimumSeverity = 0;
    QString m_text;
};

class LogView final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogView)
public:
    explicit LogView(LogModel *model, QWidget *parent = nullptr);

    LogFilterModel *filter() const { return m_filter; }
    // Writes the rows the view shows, tab-separated, to `path`.
    bool exportTo(const QString &path, QString *error) const;

private:
    void exportWithDialog();

    LogModel *m_model;
    LogFilterModel *m_filter;
    QLineEdit *m_text;
    QComboBox *m_severity;
    QTableView *m_table;
};

} // namespace drover
