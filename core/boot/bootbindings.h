// BootBindings: which address each MAC may boot from. The DHCP server tells it the address
// it saw a MAC use (a full-mode lease, a proxy-mode request); the virtual lab and the image
// test bind their VMs to the loopback address qemu's user network connects from. A boot
// script — and with it a boot token — goes only to a MAC's bound address. Two different
// addresses for one MAC within kCloneWindowMs mean two machines with one MAC: the MAC is
// marked conflicted and boots nowhere until the window has passed. Thread-safe; in memory
// (the boot routes also look in the catalog's boot_binding table, written by the recorder).
#pragma once

#include <QHash>
#include <QHostAddress>
#include <QMutex>
#include <QString>

#include <optional>

namespace drover {

class BootBindings final {
    Q_DISABLE_COPY_MOVE(BootBindings)
public:
    static constexpr qint64 kCloneWindowMs = 120'000;

    BootBindings() = default;

    struct Binding {
        QHostAddress address;
        QString source; // "dhcp", "proxy", "vm", "test"
        qint64 seenMs = 0;
        QHostAddress conflict; // the other address seen within the window, if any
        qint64 conflictMs = 0;
    };

    // DHCP saw `mac` at `address`. Returns the other address when this one differs from an
    // address seen within the clone window (the caller raises the alert); the binding then
    // stays conflicted for the window.
    std::optional<QHostAddress> observe(
        const QString &mac, const QHostAddress &address, const QString &source, qint64 nowMs);
    // A binding nobody can contest (a VM of this server on loopback, tests).
    void bind(const QString &mac, const QHostAddress &address, const QString &source, qint64 nowMs);
    std::optional<Binding> binding(const QString &mac) const;
    // Conflicted at `nowMs`: the other address, else nullopt.
    std::optional<QHostAddress> conflict(const QString &mac, qint64 nowMs) const;

    // One IPv4 form for an address that may come IPv4-mapped from a dual-stack socket.
    static QHostAddress canonical(const QHostAddress &address);
    static bool sameAddress(const QHostAddress &a, const QHostAddress &b);

private:
    mutable QMutex m_mutex;
    QHash<QString, Binding> m_bindings; // normalized MAC → binding
};

} // namespace drover
