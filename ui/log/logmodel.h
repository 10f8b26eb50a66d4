// LogModel: the newest log entries (boot, build, server), capped so a long-running window
// never grows without bound. Subscribes to the LogBus, and takes boot events from the
// catalog's feed when given one. Entries arrive in batches, every
// 100 ms at most, with one insertion (and at most one removal) each: a boot storm posts
// thousands of lines a second, and a view re-laid out per line would freeze the window.
#pragma once

#include "log/logbus.h"

#include <QAbstractTableModel>
#include <QList>
#include <QTimer>

namespace drover {

class CatalogEventFeed;

class LogModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogModel)
public:
    enum Column { Time, Severity, Source, Machine, Phase, Text, ColumnCount };
    enum Role { SeverityRole = Qt::UserRole + 1, TimeRole };
    static constexpr int kDefaultCapacity = 20000;

    explicit LogModel(LogBus *bus, QObject *parent = nullptr, int capacity = kDefaultCapacity);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // From now on boot events come from `feed` (every Drover serving the catalog, this one
    // included) and no longer from the bus, which would show this process's twice.
    void takeBootEventsFrom(CatalogEventFeed *feed);

    void append(const LogEntry &entry); // shown at the next flush
    void flush(); // shows what was appended since the last one now
    void clear();

private:
    QList<LogEntry> m_entries;
    QList<LogEntry> m_pending;
    QTimer *m_flushTimer;
    int m_capacity;
    bool m_bootEventsFromCatalog = false;
};

} // namespace drover
