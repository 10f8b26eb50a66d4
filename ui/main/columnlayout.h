// ColumnLayout: a table's columns as the user left them — which are shown (chosen from the
// header's context menu), their widths and their order — kept in QSettings under one key, so
// the fleet and the images open as they were closed. The column that names a row stays.
#pragma once

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

class QHeaderView;
class QPoint;
class QTimer;

namespace drover {

class ColumnLayout final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ColumnLayout)
public:
    // `settingsKey` e.g. "fleet/columns"; `keptColumn` cannot be hidden (the row's name).
    ColumnLayout(QHeaderView *header, QString settingsKey, int keptColumn, QObject *parent);
    ~ColumnLayout() override;

    // Call once the default widths are set: the saved layout when there is one for this many
    // columns (a newer Drover may add columns), else these columns hidden.
    void restore(const QList<int> &hiddenByDefault);
    void setColumnShown(int column, bool shown);
    void showMenu(const QPoint &at);
    // Back to the defaults given to restore(), widths included.
    void reset();

private:
    void scheduleSave();
    void save();

    // Guarded: should the view (and its header) go before this object, a save still pending
    // at its destruction must not touch it.
    QPointer<QHeaderView> m_header;
    QString m_key;
    int m_kept;
    QTimer *m_saveTimer; // a drag of a column edge resizes many times: saved once it rests
    QByteArray m_defaults;
    QList<int> m_hiddenByDefault;
    bool m_restoring = false;
};

} // namespace drover
