// Replies go where RFC 2131 4.1 says: to a relay's giaddr, to ciaddr when the client has an
// address, else broadcast on the interface the request came in on (the client has no
// address yet and we cannot unicast without writing its ARP entry). A request from a
// non-zero source address (a client that already has one, or a test on loopback) is
// answered by unicast. ProxyDHCP requests on port 4011 are answered to their source port.
#include "boot/dhcp/dhcpserver.h"

#include "boot/bootrecorder.h"
#include "boot/dhcp/dhcpprobe.h"
#include "boot/firmwarefacts.h"
#include "boot/net/udpbind.h"
#include "catalog/catalog.h"
#include "log/logbus.h"

#include <QDateTime>
#include <QNetworkDatagram>
#include <QNetworkInterface>
#include <QUdpSocket>

namespace drover {

struct DhcpServer::Request {
    DhcpPacket packet;
    DhcpMessageType type = DhcpMessageType::Discover;
    QString mac;
    QHostAddress sender;
    quint16 senderPort = 0;
    int ifindex = 0;
    QHostAddress server; // our address as this client sees it
    bool proxyPort = false;
};

QString dhcpModeKey(DhcpMode mode)
{
    switch (mode) {
    case DhcpMode::Off:
        return QStringLiteral("off");
    case DhcpMode::Proxy:
        return QStringLiteral("proxy");
    case DhcpMode::Full:
        return QStringLiteral("full");
    }
    return {};
}

std::optional<DhcpMode> dhcpModeFromKey(const QString &key)
{
    for (DhcpMode m : { DhcpMode::Off, DhcpMode::Proxy, DhcpMode::Full }) {
        if (dhcpModeKey(m) == key)
            return m;
    }
    return std::nullopt;
}

DhcpServer::DhcpServer(Catalog *catalog, LogBus *log, QObject *parent)
    : QObject(parent)
    , m_catalog(catalog)
    , m_log(log)
{ }

DhcpServer::~DhcpServer() = default;

bool DhcpServer::isRunning() const
{
    return m_socket != nullptr;
}

DhcpServer::Counters DhcpServer::counters() const
{
    return Counters { m_received.load(), m_answered.load(), m_dropped.load(), m_ignored.load(), m_leaseCommits.load() };
}

QString DhcpServer::macForAddress(const QHostAddress &address) const
{
    QMutexLocker lock(&m_clientsLock);
    return m_clients.value(address.toIPv4Address());
}

void DhcpServer::remember(quint32 address, const Request &r, const QString &source)
{
    if (!address)
        return;
    {
        QMutexLocker lock(&m_clientsLock);
        m_clients.insert(address, r.mac);
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_bindings) {
        if (const auto other = m_bindings->observe(r.mac, QHostAddress(address), source, now)) {
            record(r,
                tr("possible cloned MAC %1: seen at %2 and at %3 within %4 s; no boot for this MAC until it "
                   "settles")
                    .arg(r.mac, other->toString(), QHostAddress(address).toString())
                    .arg(BootBindings::kCloneWindowMs / 1000),
                QStringLiteral("error"));
        }
    }
    // Another Drover on this catalog (or this one after a restart) finds the binding there.
    // Through the recorder when there is one: a synced commit per ACK on this thread held up
    // every DHCP and TFTP answer behind it in a boot storm.
    const BootBindingRecord record { r.mac, QHostAddress(address).toString(), source, now };
    if (m_recorder)
        m_recorder->bootBinding(record);
    else if (m_catalog)
        (void)m_catalog->setBootBinding(record);
}

Status DhcpServer::validateFull(DhcpSettings *s) const
{
    if (s->interfaceName.isEmpty())
        return Status::failure(tr("DHCP: full mode hands out addresses and needs the interface of the lab network; "
                                  "choose one"));
    bool okStart = false, okEnd = false;
    const quint32 first = s->rangeStart.toIPv4Address(&okStart);
    const quint32 last = s->rangeEnd.toIPv4Address(&okEnd);
    if (!okStart || !okEnd || first == 0 || last == 0)
        return Status::failure(tr("DHCP: full mode needs an IPv4 address range (first and last address)"));
    if (first > last)
        return Status::failure(
            tr("DHCP: the range starts at %1, after its end %2").arg(s->rangeStart.toString(), s->rangeEnd.toString()));
    if (last - first >= 65536)
        return Status::failure(tr("DHCP: the range %1 – %2 holds more than 65536 addresses")
                .arg(s->rangeStart.toString(), s->rangeEnd.toString()));
    if (s->leaseSeconds < 60)
        return Status::failure(tr("DHCP: a lease of %1 s is too short (at least 60 s)").arg(s->leaseSeconds));
    if (s->subnetMask.isNull()) {
        const QNetworkInterface iface = QNetworkInterface::interfaceFromIndex(m_ifindex);
        for (const QNetworkAddressEntry &e : iface.addressEntries()) {
            if (e.ip() == s->serverAddress)
                s->subnetMask = e.netmask();
        }
        if (s->subnetMask.isNull())
            s->subnetMask = QHostAddress(QStringLiteral("255.255.255.0"));
    }
    return {};
}

Status DhcpServer::start(const DhcpSettings &settings)
{
    stop();
    DhcpSettings s = settings;
    if (s.mode == DhcpMode::Off)
        return {};
    m_ifindex = 0;
    if (!s.interfaceName.isEmpty()) {
        m_ifindex = interfaceIndex(s.interfaceName);
        if (m_ifindex == 0)
            return Status::failure(tr("DHCP: there is no network interface named '%1'").arg(s.interfaceName));
        if (s.serverAddress.isNull())
            s.serverAddress = interfaceIPv4(m_ifindex);
        if (s.serverAddress.isNull())
            return Status::failure(
                tr("DHCP: interface %1 has no IPv4 address; give it one first").arg(s.interfaceName));
    }
    if (!s.serverAddress.isNull() && s.serverAddress.protocol() != QAbstractSocket::IPv4Protocol)
        return Status::failure(tr("DHCP: the server address %1 is not IPv4").arg(s.serverAddress.toString()));

    if (s.mode == DhcpMode::Full) {
        if (Status v = validateFull(&s); !v)
            return v;
        if (s.probeFirst) {
            auto found
                = probeForDhcpServer(DhcpProbeSettings { s.interfaceName, s.port, s.clientPort, s.probeTimeoutMs });
            if (!found)
                return Status::failure(found.error());
            if (found.value()) {
                const ForeignDhcpServer &other = *found.value();
                const QString offered = other.offered.isNull() ? tr("boot information only") : other.offered.toString();
                return Status::failure(tr("DHCP: another DHCP server answers on %1: %2 (it offered %3). Full mode "
                                          "would hand out conflicting addresses: use proxy mode beside it, or stop it.")
                        .arg(s.interfaceName, other.server.toString(), offered));
            }
        }
    }

    auto main
        = bindUdpSocket(UdpBindOptions { QStringLiteral("DHCP"), s.interfaceName, QHostAddress::AnyIPv4, s.port });
    if (!main)
        return Status::failure(main.error());
    std::unique_ptr<QUdpSocket> proxy;
    if (s.mode == DhcpMode::Proxy) {
        auto bound = bindUdpSocket(
            UdpBindOptions { QStringLiteral("DHCP"), s.interfaceName, QHostAddress::AnyIPv4, s.proxyPort });
        if (!bound)
            return Status::failure(bound.error());
        proxy = std::move(bound).value();
    }

    m_settings = s;
    m_bootFiles = BootFileSettings { s.httpBaseUrl, s.uefiBinary };
    m_socket = std::move(main).value();
    m_proxySocket = std::move(proxy);
    connect(m_socket.get(), &QUdpSocket::readyRead, this, [this] { readPending(m_socket.get(), false); });
    if (m_proxySocket)
        connect(m_proxySocket.get(), &QUdpSocket::readyRead, this, [this] { readPending(m_proxySocket.get(), true); });
    if (s.mode == DhcpMode::Full) {
        DhcpPool pool { s.rangeStart.toIPv4Address(), s.rangeEnd.toIPv4Address(), {} };
        if (!s.serverAddress.isNull())
            pool.excluded.insert(s.serverAddress.toIPv4Address());
        if (!s.router.isNull())
            pool.excluded.insert(s.router.toIPv4Address());
        m_leases = std::make_unique<DhcpLeases>(m_catalog, pool, s.leaseSeconds, s.declineQuarantineSeconds);
    }
    const QString where = s.interfaceName.isEmpty() ? tr("every interface") : s.interfaceName;
    if (m_log) {
        m_log->post(Severity::Info, QStringLiteral("server"),
            s.mode == DhcpMode::Full
                ? tr("DHCP: full mode on %1, port %2, addresses %3 – %4")
                      .arg(where)
                      .arg(s.port)
                      .arg(s.rangeStart.toString(), s.rangeEnd.toString())
                : tr("DHCP: proxy mode on %1, ports %2 and %3").arg(where).arg(s.port).arg(s.proxyPort));
    }
    return {};
}

void DhcpServer::stop()
{
    const bool wasRunning = isRunning();
    m_socket.reset();
    m_proxySocket.reset();
    m_leases.reset();
    m_foreignServers.clear();
    if (wasRunning && m_log)
        m_log->post(Severity::Info, QStringLiteral("server"), tr("DHCP: stopped"));
}

struct DhcpServer::PendingAnswer {
    Request request;
    std::function<void()> answer;
};

void DhcpServer::readPending(QUdpSocket *socket, bool proxyPort)
{
    // What queued while the thread was busy is one batch of leases (full mode), up to
    // kLeaseBatch clients: a classroom's DISCOVERs cost one synced commit, not one each.
    constexpr int kLeaseBatch = 64;
    int inBatch = 0;
    if (m_leases)
        m_leases->beginBatch();
    while (socket && socket->hasPendingDatagrams()) {
        handle(socket->receiveDatagram(), proxyPort);
        // handle() may have stopped the server (it never does today, but a slot connected
        // to countersChanged might): stop reading from a socket that is gone. The batch's
        // clients get no answer; they ask again.
        if (!isRunning()) {
            m_pendingAnswers.clear();
            return;
        }
        if (m_leases && ++inBatch == kLeaseBatch) {
            commitLeaseBatch();
            m_leases->beginBatch();
            inBatch = 0;
        }
    }
    commitLeaseBatch();
}

void DhcpServer::afterLeaseStored(const Request &request, std::function<void()> answer)
{
    if (m_leases && m_leases->inBatch())
        m_pendingAnswers.append(PendingAnswer { request, std::move(answer) });
    else
        answer();
}

void DhcpServer::commitLeaseBatch()
{
    if (!m_leases)
        return;
    const bool writes = m_leases->pendingCount() > 0;
    const Status stored = m_leases->commitBatch();
    if (writes && stored)
        ++m_leaseCommits;
    const QList<PendingAnswer> answers = std::exchange(m_pendingAnswers, {});
    for (const PendingAnswer &pending : answers) {
        if (stored) {
            pending.answer();
        } else if (pending.request.type == DhcpMessageType::Request) {
            DhcpPacket nak = replyTo(pending.request, DhcpMessageType::Nak);
            nak.setOption(DhcpOption::Message, stored.error().toUtf8().left(250));
            send(pending.request, nak, false);
            record(pending.request, tr("nak: %1").arg(stored.error()), QStringLiteral("warning"));
        } else {
            record(pending.request, stored.error(), QStringLiteral("warning"));
        }
    }
}

QHostAddress DhcpServer::serverAddressFor(const QNetworkDatagram &d) const
{
    if (!m_settings.serverAddress.isNull())
        return m_settings.serverAddress;
    QHostAddress to = d.destinationAddress();
    bool isV4 = false;
    const quint32 v4 = to.toIPv4Address(&isV4);
    if (isV4 && v4 != 0 && v4 != 0xffffffffu)
        return to;
    return interfaceIPv4(d.interfaceIndex());
}

void DhcpServer::handle(const QNetworkDatagram &d, bool proxyPort)
{
    ++m_received;
    auto parsed = DhcpPacket::parse(d.data());
    if (!parsed || parsed->op != 1 || !parsed->messageType() || parsed->clientMac().isEmpty()) {
        // Garbage, a reply of another server, BOOTP without a type, or not Ethernet.
        ++m_dropped;
        Q_EMIT countersChanged();
        return;
    }
    Request r;
    r.packet = std::move(parsed).value();
    r.type = *r.packet.messageType();
    r.mac = r.packet.clientMac();
    r.sender = d.senderAddress();
    r.senderPort = quint16(d.senderPort());
    r.ifindex = d.interfaceIndex();
    r.server = serverAddressFor(d);
    r.proxyPort = proxyPort;
    if (r.type == DhcpMessageType::Request)
        noteChosenServer(r);
    if (m_settings.mode == DhcpMode::Proxy)
        handleProxy(r);
    else
        handleFull(r);
    Q_EMIT countersChanged();
}

void DhcpServer::noteChosenServer(const Request &r)
{
    const quint32 id = r.packet.addressOption(DhcpOption::ServerId);
    if (id == 0 || id == r.server.toIPv4Address())
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    auto last = m_foreignServers.constFind(id);
    if (last != m_foreignServers.constEnd() && now - last.value() < qint64(60) * 1000)
        return;
    // A student can name a new server in every packet: the memory stays small.
    if (m_foreignServers.size() >= 64)
        m_foreignServers.clear();
    m_foreignServers.insert(id, now);
    Q_EMIT foreignServerSeen(QHostAddress(id), r.mac);
}

DhcpPacket DhcpServer::replyTo(const Request &r, DhcpMessageType type) const
{
    DhcpPacket reply;
    reply.op = 2;
    reply.htype = r.packet.htype;
    reply.hlen = r.packet.hlen;
    reply.xid = r.packet.xid;
    reply.flags = r.packet.flags;
    reply.giaddr = r.packet.giaddr;
    reply.chaddr = r.packet.chaddr;
    reply.setOption(DhcpOption::MessageType, QByteArray(1, char(type)));
    reply.setOption(DhcpOption::ServerId, DhcpPacket::addressBytes(r.server.toIPv4Address()));
    return reply;
}

void DhcpServer::addBootOptions(DhcpPacket *reply, const Request &r, const BootChoice &choice) const
{
    const QByteArray file = choice.bootFile.toUtf8();
    reply->siaddr = r.server.toIPv4Address();
    reply->setOption(DhcpOption::VendorClass, choice.vendorClass.toLatin1());
    if (choice.vendorClass == QLatin1String("PXEClient"))
        reply->setOption(DhcpOption::VendorSpecific, pxeVendorOptions());
    if (r.packet.hasOption(DhcpOption::ClientUuid)) // the PXE spec wants it echoed
        reply->setOption(DhcpOption::ClientUuid, r.packet.option(DhcpOption::ClientUuid));
    if (choice.transport == BootTransport::Tftp)
        reply->setOption(DhcpOption::TftpServerName, r.server.toString().toLatin1());
    reply->setOption(DhcpOption::BootFileName, file);
    if (file.size() < 128)
        reply->file = file;
}

void DhcpServer::addLeaseOptions(DhcpPacket *reply) const
{
    const quint32 lease = quint32(m_settings.leaseSeconds);
    reply->setOption(DhcpOption::LeaseTime, DhcpPacket::u32Bytes(lease));
    reply->setOption(DhcpOption::RenewalTime, DhcpPacket::u32Bytes(lease / 2));
    reply->setOption(DhcpOption::RebindingTime, DhcpPacket::u32Bytes(quint32(quint64(lease) * 7 / 8)));
    reply->setOption(DhcpOption::SubnetMask, DhcpPacket::addressBytes(m_settings.subnetMask.toIPv4Address()));
    if (!m_settings.router.isNull())
        reply->setOption(DhcpOption::Router, DhcpPacket::addressBytes(m_settings.router.toIPv4Address()));
    if (!m_settings.dns.isNull())
        reply->setOption(DhcpOption::DnsServers, DhcpPacket::addressBytes(m_settings.dns.toIPv4Address()));
}

void DhcpServer::send(const Request &r, const DhcpPacket &reply, bool toSenderPort)
{
    QUdpSocket *socket = r.proxyPort ? m_proxySocket.get() : m_socket.get();
    QNetworkDatagram out;
    out.setData(reply.encode());
    const bool nak = reply.messageType() == DhcpMessageType::Nak;
    bool senderIsV4 = false;
    const quint32 sender = r.sender.toIPv4Address(&senderIsV4);
    if (toSenderPort) {
        out.setDestination(r.sender, r.senderPort);
    } else if (r.packet.giaddr) {
        out.setDestination(QHostAddress(r.packet.giaddr), m_settings.port);
    } else if (r.packet.ciaddr && !nak) {
        out.setDestination(QHostAddress(r.packet.ciaddr), m_settings.clientPort);
    } else if (senderIsV4 && sender != 0) {
        out.setDestination(r.sender, m_settings.clientPort);
    } else {
        out.setDestination(QHostAddress(QHostAddress::Broadcast), m_settings.clientPort);
        if (m_ifindex == 0) // not bound to a device: leave by the interface the request came in on
            out.setInterfaceIndex(uint(r.ifindex));
    }
    if (socket && socket->writeDatagram(out) >= 0) {
        ++m_answered;
    } else if (m_log) {
        m_log->post(Severity::Warning, QStringLiteral("boot"),
            tr("DHCP: cannot answer %1: %2").arg(r.mac, socket ? socket->errorString() : QString()), r.mac,
            QStringLiteral("dhcp"));
    }
}

bool DhcpServer::chainedFromFirmware(const QString &mac, const BootClient &client)
{
    // iPXE asks for an address again after the firmware's PXE client loaded it: that is a
    // chain. A ROM that is iPXE itself (qemu's, many NICs flashed for labs) asks first.
    constexpr qint64 kChainWindowMs = 10LL * 60 * 1000;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (client.ipxe) {
        const auto it = m_firmwareRequests.constFind(mac);
        return it != m_firmwareRequests.cend() && now - *it < kChainWindowMs;
    }
    // Anyone can send requests for made-up MACs: the table forgets old ones, and at worst
    // all of them, which only makes a chained iPXE look like an iPXE ROM in the facts.
    if (m_firmwareRequests.size() >= 4096) {
        m_firmwareRequests.removeIf([now](const auto &entry) { return now - entry.value() >= kChainWindowMs; });
        if (m_firmwareRequests.size() >= 4096)
            m_firmwareRequests.clear();
    }
    m_firmwareRequests.insert(mac, now);
    return false;
}

void DhcpServer::record(const Request &r, const QString &detail, const QString &severity, const BootClient *client)
{
    std::optional<Machine> known;
    if (m_catalog)
        known = m_catalog->machineByMac(r.mac);
    const QString machine = known ? known->name : QString();
    if (client) {
        const bool chained = chainedFromFirmware(r.mac, *client);
        if (const FirmwareFacts facts = firmwareFromDhcp(*client, chained);
            known && firmwareFactsChange(known->firmware, facts)) {
            if (m_recorder)
                m_recorder->machineFirmware(machine, facts);
            else if (Status s = m_catalog->recordFirmware(machine, facts); !s && m_log)
                m_log->post(Severity::Error, QStringLiteral("catalog"), s.error(), r.mac, QStringLiteral("dhcp"));
        }
    }
    const Severity level = severity == QLatin1String("warning") ? Severity::Warning
        : severity == QLatin1String("error")                    ? Severity::Error
                                                                : Severity::Info;
    BootEvent e;
    e.machine = machine;
    e.mac = r.mac;
    e.phase = QStringLiteral("dhcp");
    e.severity = severity;
    e.detail = detail;
    if (m_recorder) {
        m_recorder->event(e, level); // it posts to the log bus too
    } else {
        if (m_catalog) {
            if (auto added = m_catalog->addEvent(e); !added && m_log)
                m_log->post(Severity::Error, QStringLiteral("catalog"), added.error(), r.mac, QStringLiteral("dhcp"));
        }
        if (m_log)
            m_log->post(
                level, QStringLiteral("boot"), detail, machine.isEmpty() ? r.mac : machine, QStringLiteral("dhcp"));
    }
    Q_EMIT answered(r.mac, detail);
}

void DhcpServer::handleProxy(const Request &r)
{
    // Port 67: DISCOVERs only (the lab's DHCP server acknowledges the address); port 4011:
    // the client's REQUEST (or INFORM) for boot information, sent once it has an address.
    const bool wanted = r.proxyPort ? (r.type == DhcpMessageType::Request || r.type == DhcpMessageType::Inform)
                                    : r.type == DhcpMessageType::Discover;
    // iPXE asks the lab's DHCP server for its address with a broadcast REQUEST (option 50)
    // and, given boot information on port 67 already, never comes to port 4011: that
    // REQUEST is where a proxy learns the address the machine's script request will come
    // from. (As spoofable as a port-4011 request; two addresses for one MAC raise the clone
    // alert, docs/security.md.)
    const BootClient client = BootClient::from(r.packet);
    // On the Secure Boot chain the firmware's own PXE client sends the only such REQUEST:
    // GRUB asks no DHCP server after it. (Not for a firmware that chains iPXE: iPXE's own
    // REQUEST may name another address, which would look like a clone.)
    const bool signedChain
        = !client.ipxe && client.arch && *client.arch != ClientArch::BiosX86 && m_signedChain && m_signedChain(r.mac);
    if (!r.proxyPort && r.type == DhcpMessageType::Request && (client.ipxe || signedChain)) {
        if (const quint32 requested = r.packet.addressOption(DhcpOption::RequestedAddress))
            remember(requested, r, QStringLiteral("proxy"));
    }
    if (!wanted) {
        ++m_ignored;
        return;
    }
    QString reason;
    const auto choice = chooseBootFile(client, m_bootFiles, &reason, signedChain);
    if (!choice) {
        ++m_ignored;
        // A boot client we cannot serve is worth a warning; others are not ours.
        const bool bootClient = r.packet.isPxeClient() || r.packet.isHttpClient() || client.ipxe;
        if (bootClient && m_log)
            m_log->post(Severity::Warning, QStringLiteral("boot"), tr("DHCP: not answering %1: %2").arg(r.mac, reason),
                r.mac, QStringLiteral("dhcp"));
        return;
    }
    DhcpPacket reply = replyTo(r, r.proxyPort ? DhcpMessageType::Ack : DhcpMessageType::Offer);
    reply.ciaddr = r.proxyPort ? r.packet.ciaddr : 0;
    addBootOptions(&reply, r, *choice);
    if (r.proxyPort)
        remember(r.packet.ciaddr ? r.packet.ciaddr : r.sender.toIPv4Address(), r, QStringLiteral("proxy"));
    send(r, reply, r.proxyPort);
    record(r,
        (r.proxyPort ? tr("proxy ack, %1 (%2)") : tr("proxy offer, %1 (%2)")).arg(choice->describe(), choice->platform),
        QStringLiteral("info"), &client);
}

void DhcpServer::handleFull(const Request &r)
{
    const QHostAddress ours = r.server;
    const BootClient client = BootClient::from(r.packet);
    // Only a boot client's packets need the decision (it reads the catalog).
    const bool signedChain = !client.ipxe && client.arch && m_signedChain && m_signedChain(r.mac);
    const auto choice = chooseBootFile(client, m_bootFiles, nullptr, signedChain);
    auto describe = [&choice](quint32 address, const QString &verb) {
        const QString ip = QHostAddress(address).toString();
        return choice ? QStringLiteral("%1 %2, %3").arg(verb, ip, choice->describe()) : verb + QLatin1Char(' ') + ip;
    };
    switch (r.type) {
    case DhcpMessageType::Discover: {
        auto offered = m_leases->offer(r.mac, r.packet.addressOption(DhcpOption::RequestedAddress));
        if (!offered) {
            record(r, offered.error(), QStringLiteral("warning"));
            return;
        }
        DhcpPacket reply = replyTo(r, DhcpMessageType::Offer);
        reply.yiaddr = offered.value();
        addLeaseOptions(&reply);
        if (choice)
            addBootOptions(&reply, r, *choice);
        afterLeaseStored(
            r, [this, r, reply, client, detail = describe(offered.value(), tr("offer")), boot = bool(choice)] {
                send(r, reply, false);
                record(r, detail, QStringLiteral("info"), boot ? &client : nullptr);
            });
        return;
    }
    case DhcpMessageType::Request: {
        const quint32 serverId = r.packet.addressOption(DhcpOption::ServerId);
        if (serverId && serverId != ours.toIPv4Address()) {
            ++m_ignored; // the client took another server's offer
            return;
        }
        const quint32 address = r.packet.addressOption(DhcpOption::RequestedAddress)
            ? r.packet.addressOption(DhcpOption::RequestedAddress)
            : r.packet.ciaddr;
        if (!address) {
            ++m_dropped;
            return;
        }
        auto lease = m_leases->bind(r.mac, address);
        if (!lease) {
            DhcpPacket nak = replyTo(r, DhcpMessageType::Nak);
            nak.setOption(DhcpOption::Message, lease.error().toUtf8().left(250));
            send(r, nak, false);
            record(r, tr("nak %1: %2").arg(QHostAddress(address).toString(), lease.error()), QStringLiteral("warning"));
            return;
        }
        DhcpPacket reply = replyTo(r, DhcpMessageType::Ack);
        reply.ciaddr = r.packet.ciaddr;
        reply.yiaddr = address;
        addLeaseOptions(&reply);
        if (choice)
            addBootOptions(&reply, r, *choice);
        afterLeaseStored(
            r, [this, r, reply, client, address, detail = describe(address, tr("ack")), boot = bool(choice)] {
                remember(address, r, QStringLiteral("dhcp"));
                send(r, reply, false);
                record(r, detail, QStringLiteral("info"), boot ? &client : nullptr);
                // Only a boot client starts a boot: the running OS renewing its lease (networkd,
                // the init's udhcpc) must not turn a ready machine back into a booting one; it
                // only tells where the machine is now.
                if (m_catalog) {
                    if (const auto m = m_catalog->machineByMac(r.mac)) {
                        const QString ip = QHostAddress(address).toString();
                        if (boot && m_recorder)
                            m_recorder->machineSeen(m->name, MachineState::Booting, QStringLiteral("dhcp"), ip);
                        else if (boot)
                            (void)m_catalog->recordMachineSeen(
                                m->name, MachineState::Booting, QStringLiteral("dhcp"), ip);
                        else if (m_recorder)
                            m_recorder->machineAddress(m->name, ip);
                        else
                            (void)m_catalog->recordMachineAddress(m->name, ip);
                    }
                }
            });
        return;
    }
    case DhcpMessageType::Release:
        (void)m_leases->release(r.mac, r.packet.ciaddr);
        record(r, tr("release %1").arg(QHostAddress(r.packet.ciaddr).toString()));
        return;
    case DhcpMessageType::Decline: {
        const quint32 address = r.packet.addressOption(DhcpOption::RequestedAddress);
        if (Status s = m_leases->decline(r.mac, address); !s) {
            // Anyone can send this for any address: not a boot event, and the pool stays.
            ++m_ignored;
            if (m_log)
                m_log->post(Severity::Warning, QStringLiteral("boot"), tr("DHCP: ignored a decline: %1").arg(s.error()),
                    r.mac, QStringLiteral("dhcp"));
            return;
        }
        record(r,
            tr("decline %1: another host uses it; out of the pool for %n s", nullptr,
                m_settings.declineQuarantineSeconds)
                .arg(QHostAddress(address).toString()),
            QStringLiteral("warning"));
        return;
    }
    case DhcpMessageType::Inform: {
        DhcpPacket reply = replyTo(r, DhcpMessageType::Ack);
        reply.ciaddr = r.packet.ciaddr;
        addLeaseOptions(&reply);
        reply.removeOption(DhcpOption::LeaseTime); // RFC 2131: no lease time in an ACK to INFORM
        reply.removeOption(DhcpOption::RenewalTime);
        reply.removeOption(DhcpOption::RebindingTime);
        if (choice)
            addBootOptions(&reply, r, *choice);
        send(r, reply, false);
        return;
    }
    default:
        ++m_ignored;
        return;
    }
}

} // namespace drover
