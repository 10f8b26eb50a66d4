// CatalogEventFeed: the boot events of every Drover serving this catalog — a headless server,
// the demo, a second admin's window, and this process — as the log view shows them. Events
// come from the catalog's event table, fetched after the newest one seen whenever the catalog
// says it changed (this process at once, another within a second: SQLite's data version, or
// PostgreSQL's notifications). A burst is fetched once, however many changes it made.
#pragma once

#include "log/logbus.h"

#include <QList>
#include <QObject>
#include <QTimer>

namespace drover {

class Catalog;
struct BootEvent;
struct EventFilter;

class CatalogEventFeed final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CatalogEventFeed)
public:
    // `backlog`: how many of the newest events start() delivers first.
    explicit CatalogEventFeed(Catalog *catalog, int backlog = 500, QObject *parent = nullptr);

    void start();
    static LogEntry toLogEntry(const BootEvent &event);

Q_SIGNALS:
    void entriesArrived(const QList<drover::LogEntry> &entries);

private:
    void fetch();
    void deliver(const EventFilter &filter);

    Catalog *m_catalog;
    int m_backlog;
    qint64 m_lastId = 0;
    QTimer m_coalesce;
};

} // namespace drover
