#include "boot/bootbindings.h"

#include <QMutexLocker>

namespace drover {

QHostAddress BootBindings::canonical(const QHostAddress &address)
{
    bool v4 = false;
    const quint32 ip = address.toIPv4Address(&v4);
    return v4 ? QHostAddress(ip) : address;
}

bool BootBindings::sameAddress(const QHostAddress &a, const QHostAddress &b)
{
    return !a.isNull() && canonical(a) == canonical(b);
}

std::optional<QHostAddress> BootBindings::observe(
    const QString &mac, const QHostAddress &address, const QString &source, qint64 nowMs)
{
    const QHostAddress ip = canonical(address);
    if (ip.isNull() || ip == QHostAddress(QHostAddress::AnyIPv4))
        return std::nullopt;
    QMutexLocker lock(&m_mutex);
    Binding &b = m_bindings[mac.toLower()];
    std::optional<QHostAddress> other;
    // A VM's binding is this server's own: DHCP packets with its MAC are someone else's.
    if (b.source == QLatin1String("vm") && b.address != ip) {
        b.conflict = ip;
        b.conflictMs = nowMs;
        return b.address;
    }
    if (!b.address.isNull() && b.address != ip && nowMs - b.seenMs < kCloneWindowMs) {
        other = b.address;
        b.conflict = b.address;
        b.conflictMs = nowMs;
    }
    b.address = ip;
    b.source = source;
    b.seenMs = nowMs;
    return other;
}

void BootBindings::bind(const QString &mac, const QHostAddress &address, const QString &source, qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    m_bindings.insert(mac.toLower(), Binding { canonical(address), source, nowMs, {}, 0 });
}

std::optional<BootBindings::Binding> BootBindings::binding(const QString &mac) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_bindings.constFind(mac.toLower());
    return it == m_bindings.cend() ? std::nullopt : std::optional<Binding>(*it);
}

std::optional<QHostAddress> BootBindings::conflict(const QString &mac, qint64 nowMs) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_bindings.constFind(mac.toLower());
    if (it == m_bindings.cend() || it->conflict.isNull() || nowMs - it->conflictMs >= kCloneWindowMs)
        return std::nullopt;
    return it->conflict;
}

} // namespace drover
