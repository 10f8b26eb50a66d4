#include "boot/bootrecorder.h"

#include "boot/resourcelimits.h"
#include "catalog/catalog.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QMutexLocker>
#include <QThread>
#include <QTimer>

namespace drover {

namespace {

constexpr int kBatchDelayMs = 100;
constexpr int kFirstPruneMs = 60 * 1000;
constexpr int kPruneAgainMs = 1000; // a run left rows over: the next batch soon, not at once

struct Text {
    Q_DECLARE_TR_FUNCTIONS(BootRecorder)
};

QString severityKey(Severity severity)
{
    switch (severity) {
    case Severity::Warning:
        return QStringLiteral("warning");
    case Severity::Error:
        return QStringLiteral("error");
    default:
        return QStringLiteral("info");
    }
}

} // namespace

BootRecorder::BootRecorder(Catalog *catalog, LogBus *log, QObject *parent)
    : QObject(parent)
    , m_catalog(catalog)
    , m_log(log)
    , m_thread(new QThread(this))
    , m_worker(new QObject)
    , m_timer(new QTimer(m_worker))
    , m_pruneTimer(new QTimer(m_worker))
{
    m_thread->setObjectName(QStringLiteral("drover-recorder"));
    m_timer->setSingleShot(true);
    m_timer->setInterval(kBatchDelayMs);
    connect(m_timer, &QTimer::timeout, m_worker, [this] { writeQueued(); });
    m_pruneTimer->setSingleShot(true);
    m_pruneTimer->setInterval(kFirstPruneMs);
    connect(m_pruneTimer, &QTimer::timeout, m_worker, [this] {
        const auto pruned = prune();
        m_pruneTimer->start(pruned && pruned.value() > 0 ? kPruneAgainMs : kDefaultPruneIntervalMs);
    });
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start();
    QMetaObject::invokeMethod(m_pruneTimer, qOverload<>(&QTimer::start), Qt::QueuedConnection);
}

void BootRecorder::setPruneInterval(int intervalMs)
{
    QMetaObject::invokeMethod(
        m_pruneTimer, [this, intervalMs] { m_pruneTimer->start(intervalMs); }, Qt::QueuedConnection);
}

Result<qint64> BootRecorder::pruneNow()
{
    if (QThread::currentThread() == m_thread)
        return prune();
    Result<qint64> result = qint64(0);
    QMetaObject::invokeMethod(m_worker, [this, &result] { result = prune(); }, Qt::BlockingQueuedConnection);
    return result;
}

Result<qint64> BootRecorder::prune()
{
    writeQueued(); // what is queued counts too
    const ResourceLimits limits = ResourceLimits::fromCatalog(*m_catalog);
    const qint64 cutoff = QDateTime::currentMSecsSinceEpoch() - qint64(limits.eventsMaxAgeDays) * 24 * 3600 * 1000;
    auto pruned = m_catalog->pruneEvents(limits.eventsMaxCount, cutoff);
    if (!pruned) {
        m_log->post(Severity::Error, QStringLiteral("catalog"), pruned.error());
    } else if (pruned.value() > 0) {
        m_log->post(Severity::Info, QStringLiteral("catalog"),
            Text::tr("removed %n old boot event(s) (keeping at most %1, none older than %2 days)", nullptr,
                int(qMin<qint64>(pruned.value(), 1'000'000'000)))
                .arg(limits.eventsMaxCount)
                .arg(limits.eventsMaxAgeDays));
    }
    return pruned;
}

BootRecorder::~BootRecorder()
{
    flush();
    m_thread->quit();
    m_thread->wait();
}

void BootRecorder::event(const BootEvent &event, Severity severity, const QString &logText)
{
    Item item;
    item.kind = Item::Kind::Event;
    item.event = event;
    if (!item.event.time.isValid())
        item.event.time = QDateTime::currentDateTimeUtc();
    item.event.severity = severityKey(severity);
    m_log->post(LogEntry { item.event.time, severity, QStringLiteral("boot"),
        event.machine.isEmpty() ? event.mac : event.machine, event.phase, logText.isEmpty() ? event.detail : logText,
        true });
    enqueue(std::move(item));
}

void BootRecorder::machineSeen(const QString &machine, MachineState state, const QString &phase, const QString &address)
{
    Item item;
    item.kind = Item::Kind::Seen;
    item.machine = machine;
    item.state = state;
    item.phase = phase;
    item.address = address;
    enqueue(std::move(item));
}

void BootRecorder::bootResult(const QString &machine, const QString &image, bool ready)
{
    Item item;
    item.kind = Item::Kind::Result;
    item.machine = machine;
    item.image = image;
    item.ready = ready;
    enqueue(std::move(item));
}

void BootRecorder::machineAddress(const QString &machine, const QString &address)
{
    Item item;
    item.kind = Item::Kind::Address;
    item.machine = machine;
    item.address = address;
    enqueue(std::move(item));
}

void BootRecorder::bootBinding(const BootBindingRecord &binding)
{
    Item item;
    item.kind = Item::Kind::Binding;
    item.binding = binding;
    enqueue(std::move(item));
}

void BootRecorder::machineFirmware(const QString &machine, const FirmwareFacts &facts)
{
    if (facts.isEmpty())
        return;
    Item item;
    item.kind = Item::Kind::Firmware;
    item.machine = machine;
    item.firmware = facts;
    enqueue(std::move(item));
}

void BootRecorder::machineInventory(
    const QString &machine, const QString &mac, const QString &bootId, const HardwareInventory &hardware)
{
    Item item;
    item.kind = Item::Kind::Inventory;
    item.machine = machine;
    item.event.mac = mac;
    item.event.bootId = bootId;
    item.inventory = hardware;
    enqueue(std::move(item));
}

void BootRecorder::writeInventory(const Item &item, QStringList *failures)
{
    const auto stored = m_catalog->recordInventory(item.machine, item.event.bootId, item.inventory);
    if (!stored) {
        failures->append(stored.error());
        return;
    }
    // A record this boot began, with changes: the hardware is not what it was last time.
    if (stored->bootId != item.event.bootId || stored->changes.isEmpty())
        return;
    const QString text = tr("%1: hardware changed: %2").arg(item.machine, stored->changes.join(QStringLiteral("; ")));
    const BootEvent event { 0, {}, item.machine, item.event.mac, item.event.bootId, QStringLiteral("inventory"), {},
        QStringLiteral("warning"), text };
    if (auto added = m_catalog->addEvent(event); !added)
        failures->append(added.error());
    m_log->post(Severity::Warning, QStringLiteral("boot"), text, item.machine);
}

void BootRecorder::machineTests(
    const QString &machine, const QString &mac, const QString &bootId, const TestReport &report)
{
    Item item;
    item.kind = Item::Kind::Tests;
    item.machine = machine;
    item.event.mac = mac;
    item.event.bootId = bootId;
    item.tests = report;
    enqueue(std::move(item));
}

void BootRecorder::writeTests(const Item &item, QStringList *failures)
{
    const auto stored = m_catalog->recordTestRun(item.machine, item.event.bootId, item.tests);
    if (!stored) {
        failures->append(stored.error());
        return;
    }
    const int total = int(item.tests.tests.size());
    const QStringList failed = item.tests.failedTests();
    const QString suite = item.tests.suite.isEmpty() ? tr("tests") : item.tests.suite;
    const QString text = failed.isEmpty()
        ? tr("%1: %2 passed (%n test(s))", nullptr, total).arg(item.machine, suite)
        : tr("%1: %2 failed: %3 of %n test(s) (%4); no rollout reaches it until the failure is cleared", nullptr, total)
              .arg(item.machine, suite)
              .arg(failed.size())
              .arg(failed.join(QStringLiteral(", ")));
    const BootEvent event { 0, {}, item.machine, item.event.mac, item.event.bootId, QStringLiteral("tests"), {},
        failed.isEmpty() ? QStringLiteral("info") : QStringLiteral("error"), text };
    if (auto added = m_catalog->addEvent(event); !added)
        failures->append(added.error());
    m_log->post(failed.isEmpty() ? Severity::Info : Severity::Error, QStringLiteral("boot"), text, item.machine);
}

void BootRecorder::bootSession(const BootSessionRecord &session)
{
    Item item;
    item.kind = Item::Kind::Session;
    item.session = session;
    enqueue(std::move(item));
}

void BootRecorder::enqueue(Item item)
{
    QMutexLocker lock(&m_mutex);
    m_queue.append(std::move(item));
    if (!m_scheduled) {
        m_scheduled = true;
        QMetaObject::invokeMethod(m_timer, qOverload<>(&QTimer::start), Qt::QueuedConnection);
    }
}

void BootRecorder::flush()
{
    if (QThread::currentThread() == m_thread)
        writeQueued();
    else
        QMetaObject::invokeMethod(m_worker, [this] { writeQueued(); }, Qt::BlockingQueuedConnection);
}

void BootRecorder::writeQueued()
{
    QList<Item> items;
    {
        QMutexLocker lock(&m_mutex);
        items.swap(m_queue);
        m_scheduled = false;
    }
    if (items.isEmpty())
        return;
    // One batch per kind; a machine seen several times needs only its last state.
    QList<BootEvent> events;
    QList<Machine> seen;
    QHash<QString, qsizetype> seenAt;
    QList<const Item *> results;
    QList<BootSessionRecord> sessions;
    for (const Item &item : std::as_const(items)) {
        switch (item.kind) {
        case Item::Kind::Event:
            events.append(item.event);
            break;
        case Item::Kind::Seen: {
            Machine m;
            m.name = item.machine;
            m.state = item.state;
            m.phase = item.phase;
            m.address = item.address;
            if (const auto at = seenAt.constFind(item.machine); at != seenAt.cend()) {
                if (m.address.isEmpty())
                    m.address = seen.at(*at).address;
                seen[*at] = m;
            } else {
                seenAt.insert(item.machine, seen.size());
                seen.append(m);
            }
            break;
        }
        case Item::Kind::Result:
        case Item::Kind::Address:
        case Item::Kind::Firmware:
        case Item::Kind::Inventory:
        case Item::Kind::Tests:
        case Item::Kind::Binding:
            results.append(&item);
            break;
        case Item::Kind::Session:
            sessions.append(item.session);
            break;
        }
    }
    QStringList failures;
    if (Status s = m_catalog->addBootSessions(sessions); !s)
        failures.append(s.error());
    if (const qint64 now = QDateTime::currentMSecsSinceEpoch(); !sessions.isEmpty() && now - m_prunedMs > 3'600'000) {
        m_prunedMs = now;
        if (Status s = m_catalog->pruneBootSessions(now - qint64(24) * 3600 * 1000); !s)
            failures.append(s.error());
    }
    if (Status s = m_catalog->addEvents(events); !s)
        failures.append(s.error());
    if (Status s = m_catalog->recordMachinesSeen(seen); !s)
        failures.append(s.error());
    for (const Item *item : std::as_const(results)) {
        Status s;
        switch (item->kind) {
        case Item::Kind::Address:
            s = m_catalog->recordMachineAddress(item->machine, item->address);
            break;
        case Item::Kind::Firmware:
            s = m_catalog->recordFirmware(item->machine, item->firmware);
            break;
        case Item::Kind::Inventory:
            writeInventory(*item, &failures);
            break;
        case Item::Kind::Tests:
            writeTests(*item, &failures);
            break;
        case Item::Kind::Binding:
            s = m_catalog->setBootBinding(item->binding);
            break;
        default:
            s = m_catalog->recordBootResult(item->machine, item->image, item->ready);
            break;
        }
        if (!s)
            failures.append(s.error());
    }
    for (const QString &failure : std::as_const(failures))
        m_log->post(Severity::Error, QStringLiteral("boot"), failure);
    Q_EMIT written(int(items.size()));
}

} // namespace drover
