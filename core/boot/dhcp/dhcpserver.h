// DhcpServer: the first step of every network boot. In proxy mode (the default) it only adds
// boot information for PXE, HTTP Boot and iPXE clients beside the lab's own DHCP server
// (ProxyDHCP: port 67 and 4011); in full mode it also hands out addresses from a range, with
// leases in the catalog, after checking no other DHCP server answers on the segment. Every
// answer becomes a boot event. Malformed packets are counted and dropped.
//
// Lives on the thread that creates it; counters() and macForAddress() may be called from any.
#pragma once

#include "boot/bootbindings.h"
#include "boot/dhcp/bootfile.h"
#include "boot/dhcp/dhcpleases.h"
#include "boot/dhcp/dhcppacket.h"
#include "util/result.h"

#include <QHash>
#include <QHostAddress>
#include <QMutex>
#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

class QNetworkDatagram;
class QUdpSocket;

namespace drover {

class BootRecorder;
class Catalog;
class LogBus;

enum class DhcpMode { Off, Proxy, Full };
QString dhcpModeKey(DhcpMode mode); // "off", "proxy", "full"
std::optional<DhcpMode> dhcpModeFromKey(const QString &key);

struct DhcpSettings {
    DhcpMode mode = DhcpMode::Proxy;
    QString interfaceName; // SO_BINDTODEVICE to it; empty = all interfaces (not allowed in full mode)
    QHostAddress serverAddress; // our IPv4 on that interface: siaddr / next-server / option 54; null = the interface's
    quint16 port = 67; // server port (tests use high ports)
    quint16 proxyPort = 4011; // proxy mode's second port
    quint16 clientPort = 68; // where replies go
    QString httpBaseUrl; // e.g. http://10.0.0.1:8080 ; iPXE script = httpBaseUrl + "/boot.ipxe"
    QString uefiBinary = QStringLiteral("ipxe.efi"); // or snponly.efi
    // full mode only
    QHostAddress rangeStart, rangeEnd, subnetMask, router, dns;
    int leaseSeconds = 3600;
    int declineQuarantineSeconds = 600; // setting dhcp/decline-quarantine (ResourceLimits)
    bool probeFirst = true; // look for another DHCP server before starting
    int probeTimeoutMs = 5000; // see DhcpProbeSettings::timeoutMs
};

class DhcpServer final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DhcpServer)
public:
    explicit DhcpServer(Catalog *catalog, LogBus *log, QObject *parent = nullptr);
    ~DhcpServer() override;

    // Binds the ports (and in full mode first probes the segment, which blocks for up to
    // probeTimeoutMs). The message names the cause: port in use, missing privilege, another
    // DHCP server found, an invalid range.
    Status start(const DhcpSettings &settings);
    void stop();
    bool isRunning() const;
    DhcpSettings settings() const { return m_settings; }

    struct Counters {
        quint64 received = 0, answered = 0, dropped = 0, ignored = 0;
        quint64 leaseCommits = 0; // transactions that stored leases: one per burst of clients
    };
    Counters counters() const;

    // Boot events and machines seen then go through `recorder` (batched, on its own thread)
    // instead of being written to the catalog from this thread. Optional: without one, each
    // answer is one catalog write.
    void setRecorder(BootRecorder *recorder) { m_recorder = recorder; }

    // The client last seen at `address` (a full-mode lease, or a proxy-mode request from an
    // address): lets the TFTP and HTTP servers name the machine. Empty when unknown.
    QString macForAddress(const QHostAddress &address) const;
    // Where the addresses seen go for the boot path: a MAC's boot token is issued only to
    // the address DHCP saw it use (BootBindings). Optional.
    void setBindings(std::shared_ptr<BootBindings> bindings) { m_bindings = std::move(bindings); }
    // Whether the UEFI client with this MAC gets the Secure Boot chain (shim → GRUB) rather
    // than iPXE: the boot decision's answer (BootDecider::signedChain). Without one, iPXE.
    void setSignedChainResolver(std::function<bool(const QString &mac)> resolver)
    {
        m_signedChain = std::move(resolver);
    }

Q_SIGNALS:
    void countersChanged();
    // A client step was recorded (offer, ack, nak, release…); detail as in the boot event.
    void answered(const QString &mac, const QString &detail);
    // A client asked another DHCP server for its lease (a REQUEST naming a server that is
    // not us): at most once a minute per server. Anyone can send such a packet, so it is a
    // hint for the admin, never a reason to act.
    void foreignServerSeen(const QHostAddress &server, const QString &mac);

private:
    struct Request;

    Status validateFull(DhcpSettings *settings) const;
    void readPending(QUdpSocket *socket, bool proxyPort);
    // Answers whose lease is in the lease batch go out once the batch is stored: `answer` on
    // success; on a failure a REQUEST gets a NAK with the reason, an OFFER is not sent.
    void afterLeaseStored(const Request &request, std::function<void()> answer);
    void commitLeaseBatch();
    void handle(const QNetworkDatagram &datagram, bool proxyPort);
    void handleProxy(const Request &request);
    void handleFull(const Request &request);
    DhcpPacket replyTo(const Request &request, DhcpMessageType type) const;
    void addBootOptions(DhcpPacket *reply, const Request &request, const BootChoice &choice) const;
    void addLeaseOptions(DhcpPacket *reply) const;
    void send(const Request &request, const DhcpPacket &reply, bool unicastToSender);
    // `client`: a boot client's facts go with the machine too (FirmwareFacts).
    void record(const Request &request, const QString &detail, const QString &severity = QStringLiteral("info"),
        const BootClient *client = nullptr);
    bool chainedFromFirmware(const QString &mac, const BootClient &client);
    void remember(quint32 address, const Request &request, const QString &source);
    void noteChosenServer(const Request &request);
    QHostAddress serverAddressFor(const QNetworkDatagram &datagram) const;

    Catalog *m_catalog;
    LogBus *m_log;
    BootRecorder *m_recorder = nullptr;
    std::function<bool(const QString &)> m_signedChain;
    DhcpSettings m_settings;
    BootFileSettings m_bootFiles;
    int m_ifindex = 0;
    std::unique_ptr<QUdpSocket> m_socket;
    std::unique_ptr<QUdpSocket> m_proxySocket;
    std::unique_ptr<DhcpLeases> m_leases;
    std::shared_ptr<BootBindings> m_bindings;
    std::atomic<quint64> m_received { 0 }, m_answered { 0 }, m_dropped { 0 }, m_ignored { 0 }, m_leaseCommits { 0 };
    mutable QMutex m_clientsLock;
    QHash<quint32, QString> m_clients; // address → MAC
    QHash<QString, qint64> m_firmwareRequests; // MAC → when its firmware's own PXE/HTTP Boot request came
    QHash<quint32, qint64> m_foreignServers; // server id → when it was last reported (bounded)
    struct PendingAnswer;
    QList<PendingAnswer> m_pendingAnswers; // waiting for the lease batch (afterLeaseStored)
};

} // namespace drover
