#include "log/logmodel.h"

#include "log/catalogeventfeed.h"
#include "main/readablecolor.h"

#include <QColor>
#include <QLocale>

namespace drover {

LogModel::LogModel(LogBus *bus, QObject *parent, int capacity)
    : QAbstractTableModel(parent)
    , m_flushTimer(new QTimer(this))
    , m_capacity(qMax(1, capacity))
{
    m_flushTimer->setSingleShot(true);
    m_flushTimer->setInterval(100);
    connect(m_flushTimer, &QTimer::timeout, this, &LogModel::flush);
    connect(bus, &LogBus::entryPosted, this, [this](const LogEntry &entry) {
        if (!(m_bootEventsFromCatalog && entry.catalogEvent))
            append(entry);
    });
}

void LogModel::takeBootEventsFrom(CatalogEventFeed *feed)
{
    m_bootEventsFromCatalog = true;
    connect(feed, &CatalogEventFeed::entriesArrived, this, [this](const QList<LogEntry> &entries) {
        for (const LogEntry &entry : entries)
            append(entry);
    });
}

void LogModel::append(const LogEntry &entry)
{
    m_pending.append(entry);
    if (m_pending.size() > m_capacity) // a flood between two flushes: only the newest can be shown
        m_pending.remove(0, m_pending.size() - m_capacity);
    if (!m_flushTimer->isActive())
        m_flushTimer->start();
}

void LogModel::flush()
{
    m_flushTimer->stop();
    if (m_pending.isEmpty())
        return;
    const qsizetype overflow = m_entries.size() + m_pending.size() - m_capacity;
    if (overflow > 0) {
        // Drop at least a tenth at once, so a steady trickle does not cost a removal per batch.
        const int drop = int(qMin<qsizetype>(m_entries.size(), qMax<qsizetype>(overflow, m_capacity / 10)));
        if (drop > 0) {
            beginRemoveRows({}, 0, drop - 1);
            m_entries.remove(0, drop);
            endRemoveRows();
        }
    }
    const int first = int(m_entries.size());
    beginInsertRows({}, first, first + int(m_pending.size()) - 1);
    m_entries.append(m_pending);
    m_pending.clear();
    endInsertRows();
}

void LogModel::clear()
{
    beginResetModel();
    m_entries.clear();
    m_pending.clear();
    endResetModel();
}

int LogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int LogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const LogEntry &e = m_entries.at(index.row());
    if (role == SeverityRole)
        return int(e.severity);
    if (role == TimeRole)
        return e.time;
    if (role == Qt::ForegroundRole && e.severity >= drover::Severity::Warning)
        return readableOnBase(
            e.severity == drover::Severity::Error ? QColor(0xd0, 0x31, 0x2d) : QColor(0xb0, 0x6d, 0x00));
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (Column(index.column())) {
    case Time:
        return e.time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
    case Severity:
        return severityName(e.severity);
    case Source:
        return e.source;
    case Machine:
        return e.machine;
    case Phase:
        return e.phase;
    case Text:
        return e.text;
    case ColumnCount:
        break;
    }
    return {};
}

QVariant LogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Time:
        return tr("Time");
    case Severity:
        return tr("Severity");
    case Source:
        return tr("Source");
    case Machine:
        return tr("Machine");
    case Phase:
        return tr("Phase");
    case Text:
        return tr("Message");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace drover
