#include "boot/bootwatch.h"

#include <QCoreApplication>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(BootWatch)
};

QString minutesText(qint64 ms)
{
    const qint64 seconds = ms / 1000;
    return seconds % 60 == 0 ? Text::tr("%n min", nullptr, int(seconds / 60)) : Text::tr("%n s", nullptr, int(seconds));
}

} // namespace

std::optional<BootWatch::Failure> BootWatch::restarted(const QString &mac, qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    const QString previous = m_bootOf.take(mac);
    if (previous.isEmpty())
        return std::nullopt;
    const Boot old = m_boots.take(previous);
    // A boot still at its script asked again (iPXE retries, a user pressed reset at once):
    // nothing of the image ran, so nothing failed.
    if (old.phase.isEmpty() || old.phase == QLatin1String("script"))
        return std::nullopt;
    return Failure { old.machine, old.image, previous, old.phase,
        Text::tr("%1 booted again %2 after its last boot, which reached '%3' but never reported ready with %4")
            .arg(old.machine, minutesText(nowMs - old.startedMs), old.phase, old.image) };
}

void BootWatch::started(const QString &mac, const QString &machine, const QString &bootId, const QString &image,
    qint64 nowMs, int deadlineSeconds)
{
    QMutexLocker lock(&m_mutex);
    if (const QString previous = m_bootOf.value(mac); !previous.isEmpty())
        m_boots.remove(previous);
    m_boots.insert(bootId,
        Boot { mac, machine, image, QStringLiteral("script"), nowMs, nowMs + qint64(qMax(1, deadlineSeconds)) * 1000 });
    m_bootOf.insert(mac, bootId);
}

void BootWatch::progressed(const QString &bootId, const QString &phase)
{
    QMutexLocker lock(&m_mutex);
    if (auto it = m_boots.find(bootId); it != m_boots.end())
        it->phase = phase;
}

void BootWatch::finished(const QString &bootId)
{
    QMutexLocker lock(&m_mutex);
    const Boot boot = m_boots.take(bootId);
    if (m_bootOf.value(boot.mac) == bootId)
        m_bootOf.remove(boot.mac);
}

QList<BootWatch::Failure> BootWatch::expire(qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    QList<Failure> failures;
    for (auto it = m_boots.begin(); it != m_boots.end();) {
        if (it->deadlineMs > nowMs) {
            ++it;
            continue;
        }
        failures.append(Failure { it->machine, it->image, it.key(), it->phase,
            Text::tr("%1 did not reach ready with %2 within %3 (last phase: %4)")
                .arg(it->machine, it->image, minutesText(it->deadlineMs - it->startedMs), it->phase) });
        if (m_bootOf.value(it->mac) == it.key())
            m_bootOf.remove(it->mac);
        it = m_boots.erase(it);
    }
    return failures;
}

int BootWatch::inFlight() const
{
    QMutexLocker lock(&m_mutex);
    return int(m_boots.size());
}

} // namespace drover
