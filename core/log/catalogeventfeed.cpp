#include "log/catalogeventfeed.h"

#include "catalog/catalog.h"

namespace drover {

namespace {

// The most one fetch takes: a storm beyond it shows its newest events, not a frozen window.
constexpr int kFetchLimit = 5000;

Severity severityOf(const QString &key)
{
    if (key == QLatin1String("error"))
        return Severity::Error;
    if (key == QLatin1String("warning"))
        return Severity::Warning;
    if (key == QLatin1String("debug"))
        return Severity::Debug;
    return Severity::Info;
}

} // namespace

CatalogEventFeed::CatalogEventFeed(Catalog *catalog, int backlog, QObject *parent)
    : QObject(parent)
    , m_catalog(catalog)
    , m_backlog(backlog)
{
    m_coalesce.setSingleShot(true);
    m_coalesce.setInterval(50);
    connect(&m_coalesce, &QTimer::timeout, this, &CatalogEventFeed::fetch);
    connect(m_catalog, &Catalog::changed, this, [this](const QString &table) {
        if (table == QLatin1String("boot_event") || table == QLatin1String("*"))
            m_coalesce.start();
    });
}

void CatalogEventFeed::start()
{
    EventFilter filter;
    filter.limit = qMax(1, m_backlog);
    deliver(filter);
}

void CatalogEventFeed::fetch()
{
    EventFilter filter;
    filter.afterId = m_lastId;
    filter.limit = kFetchLimit;
    deliver(filter);
}

void CatalogEventFeed::deliver(const EventFilter &filter)
{
    const QList<BootEvent> events = m_catalog->events(filter);
    if (events.isEmpty())
        return;
    QList<LogEntry> entries;
    entries.reserve(events.size());
    for (const BootEvent &event : events) {
        entries.append(toLogEntry(event));
        m_lastId = qMax(m_lastId, event.id);
    }
    Q_EMIT entriesArrived(entries);
}

LogEntry CatalogEventFeed::toLogEntry(const BootEvent &event)
{
    LogEntry entry;
    entry.time = event.time;
    entry.severity = severityOf(event.severity);
    entry.source = QStringLiteral("boot");
    entry.machine = event.machine.isEmpty() ? event.mac : event.machine;
    entry.phase = event.phase;
    entry.text = event.detail;
    entry.catalogEvent = true;
    return entry;
}

} // namespace drover
