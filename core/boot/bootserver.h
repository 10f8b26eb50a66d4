// BootServer: the whole boot service of one Drover — DHCP (proxy, full or off), TFTP for the
// iPXE binaries, and HTTP for scripts, blobs and reports — started and stopped together with
// one set of settings. The GUI's server panel and `drover --headless` both drive this.
#pragma once

#include "boot/bootdecision.h"
#include "boot/dhcp/dhcpserver.h"
#include "boot/http/httpbootserver.h"
#include "boot/tftp/tftpserver.h"
#include "util/result.h"

#include <QDateTime>
#include <QHostAddress>
#include <QList>
#include <QObject>

#include <optional>
#include <utility>

namespace drover {

class Lab;
class RolloutEngine;
class VirtualLab;

struct BootServerSettings {
    DhcpMode dhcpMode = DhcpMode::Proxy;
    QString interfaceName; // the lab network; empty: every interface (DHCP off or proxy only)
    QHostAddress serverAddress; // how machines reach us; null: the interface's first IPv4
    quint16 httpPort = 8080;
    quint16 tftpPort = 69;
    bool tftpEnabled = true;
    std::optional<UnknownPolicy> unknownPolicy; // null: the catalog's boot/unknown setting
    QString ipxeDir = QStringLiteral("/usr/lib/ipxe");
    int httpThreads = 2; // accept and answer on two threads: the p99 of a boot storm (BENCHMARKS.md)
    // Full DHCP mode: the range handed out and what goes with it.
    QHostAddress rangeStart, rangeEnd, subnetMask, router, dns;
    int leaseSeconds = 3600;
    bool probeDhcpFirst = true; // full mode: look for another DHCP server first
    // Ports for tests (the standard ones need privilege and collide with real servers).
    quint16 dhcpPort = 67, dhcpProxyPort = 4011, dhcpClientPort = 68;
};

enum class BootService { Dhcp, Tftp, Http };
enum class ServiceState { Stopped, Running, Failed };

struct ServiceStatus {
    ServiceState state = ServiceState::Stopped;
    QString message; // why it failed, or what it listens on
};

struct HostInterface {
    QString name; // eth0
    QString label; // "eth0 — 10.0.0.1/24" for a combo box
    QList<QHostAddress> ipv4;
    bool up = false;
    bool loopback = false;
};

// The flags of `drover --headless [--dhcp proxy|full|off] [--interface IF] [--http-port N]
// [--tftp-port N] [--unknown ignore|register|boot] [--range FIRST-LAST]` as given.
struct BootFlags {
    QString dhcp, interfaceName, httpPort, tftpPort, unknown, range;
};

// The flags as settings; empty strings keep the defaults. A bad value fails with a message
// naming the option.
Result<BootServerSettings> bootSettingsFromFlags(const BootFlags &flags);

// Full DHCP mode without a configured range: the addresses .100–.199 of the server's /24 (or
// the upper half of a smaller subnet), never the server's own address. Null addresses when the
// subnet is too small to share.
std::pair<QHostAddress, QHostAddress> defaultDhcpRange(const QHostAddress &server, const QHostAddress &netmask);

class BootServer final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BootServer)
public:
    explicit BootServer(Lab *lab, QObject *parent = nullptr);
    ~BootServer() override;

    // Starts HTTP, then TFTP, then DHCP (which points machines at the other two). All or
    // nothing: when one service cannot start, the others are stopped again and the message
    // names the service and the cause (port in use, missing privilege, no such interface).
    Status start(const BootServerSettings &settings);
    // The same, with the slow part — full mode's probe for another DHCP server, up to a few
    // seconds — off the calling thread; startFinished() tells the outcome.
    void startInBackground(const BootServerSettings &settings);
    bool isStarting() const { return m_starting; }
    void stop();
    bool isRunning() const { return m_running; }
    BootServerSettings settings() const { return m_settings; }
    ServiceStatus status(BootService service) const;
    QString httpBaseUrl() const { return m_baseUrl; } // http://address:port, when known
    QHostAddress serverAddress() const { return m_address; } // how machines reach us; null when unknown
    QDateTime startedAt() const { return m_startedAt; } // null while stopped
    // Another DHCP server that clients of the lab network use where it should not be: in full
    // mode any other, in proxy mode a second one beside the lab's. Empty when none was seen
    // since the server started. A hint only: a student's PC can forge the packets behind it.
    QString dhcpWarning() const { return m_dhcpWarning; }

    HttpBootServer *http() const { return m_http; }
    DhcpServer *dhcp() const { return m_dhcp; }
    TftpServer *tftp() const { return m_tftp; }
    VirtualLab *virtualLab() const { return m_virtualLab; }

    // The host's interfaces with their IPv4 addresses, loopback last.
    static QList<HostInterface> hostInterfaces();
    // The interface of the lab network when one stands out: the only one that is up, has an
    // IPv4 address and is neither loopback nor a container's or VPN's (a wired one before a
    // wireless one). Empty when there is none, or several to choose from.
    static QString labInterface(const QList<HostInterface> &interfaces);
    // The first IPv4 address of `name`; null when it has none or does not exist.
    static QHostAddress interfaceAddress(const QString &name);
    // The netmask of ADDRESS on interface NAME; null when the interface does not have it.
    static QHostAddress interfaceNetmask(const QString &name, const QHostAddress &address);

Q_SIGNALS:
    void statusChanged();
    void countersChanged();
    void startFinished(bool ok, const QString &message);
    void dhcpWarningChanged();

private:
    void setStatus(BootService service, ServiceState state, const QString &message);
    void noteForeignDhcpServer(const QHostAddress &server, const QString &mac);

    Lab *m_lab;
    HttpBootServer *m_http;
    DhcpServer *m_dhcp;
    TftpServer *m_tftp;
    RolloutEngine *m_rollouts;
    VirtualLab *m_virtualLab;
    BootServerSettings m_settings;
    QString m_baseUrl;
    QHostAddress m_address;
    QDateTime m_startedAt;
    QString m_dhcpWarning;
    QList<QHostAddress> m_foreignDhcpServers; // seen since start, at most a few
    bool m_running = false;
    bool m_starting = false;
    ServiceStatus m_status[3];
};

} // namespace drover
