// Loading and swapping the boot path's snapshot of the catalog.
#include "boot/bootindex.h"

#include <QElapsedTimer>
#include <QMutexLocker>
#include <QThread>

namespace drover {

namespace {

// Changes closer together than these share one reload. Assignments, images and settings
// change when an admin acts: soon. Machine rows change with every machine seen booting,
// and "*" (another connection wrote) with every batch the boot path records, so in a boot
// storm those would reload all the time: they wait longer. A machine added meanwhile is
// still found (the decision checks the catalog when the snapshot misses).
constexpr int kAdminChangeDelayMs = 300;
constexpr int kMachineChangeDelayMs = 2000;

} // namespace

const Machine *BootSnapshot::machineByMac(const QString &mac) const
{
    const auto it = byMac.constFind(mac.toLower());
    return it == byMac.cend() ? nullptr : &machines.at(*it);
}

const Machine *BootSnapshot::machineByUuid(const QString &uuid) const
{
    if (uuid.isEmpty())
        return nullptr;
    const auto it = byUuid.constFind(uuid.toLower());
    return it == byUuid.cend() ? nullptr : &machines.at(*it);
}

std::optional<Assignment> BootSnapshot::effectiveAssignment(const Machine &machine) const
{
    if (auto own = machineAssignments.constFind(machine.name); own != machineAssignments.cend())
        return *own;
    if (!machine.group().isEmpty()) {
        if (auto group = groupAssignments.constFind(machine.group()); group != groupAssignments.cend())
            return *group;
    }
    return defaultAssignment;
}

std::optional<ImageRecord> BootSnapshot::imageByTag(const QString &tag) const
{
    const auto it = images.constFind(tag);
    return it == images.cend() ? std::nullopt : std::optional<ImageRecord>(*it);
}

QString BootSnapshot::setting(const QString &key, const QString &fallback) const
{
    return settings.value(key, fallback);
}

Result<std::shared_ptr<const BootSnapshot>> BootSnapshot::load(const Catalog &catalog)
{
    auto s = std::make_shared<BootSnapshot>();
    s->machines = catalog.machines();
    s->byMac.reserve(s->machines.size());
    for (qsizetype i = 0; i < s->machines.size(); ++i) {
        const Machine &m = s->machines.at(i);
        s->byMac.insert(m.mac.toLower(), i);
        if (!m.uuid.isEmpty())
            s->byUuid.insert(m.uuid.toLower(), i);
    }
    for (const Assignment &a : catalog.currentAssignments()) {
        switch (a.kind) {
        case TargetKind::Machine:
            if (!a.image.isEmpty()) // empty: the machine follows its group again
                s->machineAssignments.insert(a.target, a);
            break;
        case TargetKind::Group:
            s->groupAssignments.insert(a.target, a);
            break;
        case TargetKind::Default:
            s->defaultAssignment = a;
            break;
        }
    }
    for (const ImageRecord &image : catalog.images())
        s->images.insert(image.tag(), image);
    s->isos = catalog.isos();
    s->settings = catalog.settings(QStringLiteral("boot/"));
    s->settings.insert(catalog.settings(QStringLiteral("kernelargs/")));
    s->settings.insert(catalog.settings(QStringLiteral("deadline/")));
    s->settings.insert(catalog.settings(QStringLiteral("secureboot/")));
    s->settings.insert(catalog.settings(QStringLiteral("vm/"))); // the virtual lab's machines: bound to loopback
    return std::shared_ptr<const BootSnapshot>(std::move(s));
}

BootIndex::BootIndex(Catalog *catalog, QObject *parent)
    : QObject(parent)
    , m_catalog(catalog)
    , m_thread(new QThread(this))
    , m_loader(new QObject)
    , m_delay(new QTimer(m_loader))
{
    m_thread->setObjectName(QStringLiteral("drover-bootindex"));
    m_delay->setSingleShot(true);
    connect(m_delay, &QTimer::timeout, m_loader, [this] { reload(); });
    connect(catalog, &Catalog::changed, m_loader, [this](const QString &table) {
        if (table == QLatin1String("boot_event"))
            return;
        scheduleReload(table == QLatin1String("machine") || table == QLatin1String("*") ? kMachineChangeDelayMs
                                                                                        : kAdminChangeDelayMs);
    });
    m_loader->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_loader, &QObject::deleteLater);
    m_thread->start();
}

BootIndex::~BootIndex()
{
    // A reload in flight finishes first; the thread's catalog connection goes with it.
    m_thread->quit();
    m_thread->wait();
}

std::shared_ptr<const BootSnapshot> BootIndex::snapshot()
{
    {
        QMutexLocker lock(&m_mutex);
        if (m_snapshot)
            return m_snapshot;
    }
    if (Status s = refresh(); !s)
        return std::make_shared<const BootSnapshot>();
    QMutexLocker lock(&m_mutex);
    return m_snapshot;
}

Status BootIndex::refresh()
{
    auto loaded = BootSnapshot::load(*m_catalog);
    if (!loaded)
        return Status::failure(loaded.error());
    QMutexLocker lock(&m_mutex);
    m_snapshot = std::move(loaded).value();
    return {};
}

void BootIndex::invalidate()
{
    QMetaObject::invokeMethod(m_loader, [this] { scheduleReload(kAdminChangeDelayMs); }, Qt::QueuedConnection);
}

void BootIndex::scheduleReload(int minIntervalMs)
{
    const qint64 since = m_sinceReload.isValid() ? m_sinceReload.elapsed() : minIntervalMs;
    const int wait = int(qMax<qint64>(0, minIntervalMs - since));
    // An earlier deadline wins over a later one already set.
    if (m_delay->isActive() && m_delay->remainingTime() <= wait)
        return;
    m_delay->start(wait);
}

void BootIndex::reload()
{
    m_sinceReload.start();
    auto loaded = BootSnapshot::load(*m_catalog);
    int count = 0;
    if (loaded) {
        QMutexLocker lock(&m_mutex);
        m_snapshot = std::move(loaded).value();
        count = int(m_snapshot->machines.size());
    }
    Q_EMIT reloaded(count, m_sinceReload.elapsed());
}

} // namespace drover
