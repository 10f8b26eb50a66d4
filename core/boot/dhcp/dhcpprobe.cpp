// The probe DISCOVER sets the broadcast flag: the host already has an address on the
// interface, and a server unicasting its OFFER to the offered address would never reach us.
#include "boot/dhcp/dhcpprobe.h"

#include "boot/dhcp/dhcppacket.h"
#include "boot/net/udpbind.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QNetworkDatagram>
#include <QNetworkInterface>
#include <QRandomGenerator>
#include <QUdpSocket>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(DhcpProbe)
};

QByteArray hardwareAddress(const QString &interfaceName)
{
    QByteArray mac = QByteArray::fromHex(
        QNetworkInterface::interfaceFromName(interfaceName).hardwareAddress().remove(QLatin1Char(':')).toLatin1());
    if (mac.size() != 6) {
        // No Ethernet address (a tunnel?): a random locally administered one.
        mac = QByteArray(6, '\0');
        for (char &c : mac)
            c = char(QRandomGenerator::system()->bounded(256));
        mac[0] = char((quint8(mac[0]) & 0xfe) | 0x02);
    }
    return mac;
}

} // namespace

Result<std::optional<ForeignDhcpServer>> probeForDhcpServer(const DhcpProbeSettings &settings)
{
    using R = Result<std::optional<ForeignDhcpServer>>;
    if (settings.interfaceName.isEmpty())
        return R::failure(Text::tr("DHCP: the probe for other DHCP servers needs an interface"));
    auto socket = bindUdpSocket(UdpBindOptions {
        Text::tr("DHCP probe"), settings.interfaceName, QHostAddress::AnyIPv4, settings.clientPort, true });
    if (!socket)
        return R::failure(socket.error());

    DhcpPacket discover;
    discover.xid = QRandomGenerator::system()->generate();
    discover.flags = DhcpPacket::BroadcastFlag;
    discover.chaddr = hardwareAddress(settings.interfaceName) + QByteArray(10, '\0');
    discover.setOption(DhcpOption::MessageType, QByteArray(1, char(DhcpMessageType::Discover)));
    discover.setOption(DhcpOption::ParameterRequest, QByteArray("\x01\x03\x06\x36", 4));
    const QByteArray bytes = discover.encode();

    QUdpSocket *s = socket.value().get();
    const QDeadlineTimer deadline(settings.timeoutMs);
    // DISCOVER again every second, as a client would: dnsmasq pings an address for 3 s
    // before offering it and ignores the DISCOVERs that arrive meanwhile.
    QDeadlineTimer resend(0);
    while (!deadline.hasExpired()) {
        if (resend.hasExpired()) {
            if (s->writeDatagram(bytes, QHostAddress::Broadcast, settings.serverPort) < 0)
                return R::failure(
                    Text::tr("DHCP: cannot send the probe on %1: %2").arg(settings.interfaceName, s->errorString()));
            resend.setRemainingTime(1000);
        }
        const qint64 wait = qMin(deadline.remainingTime(), resend.remainingTime());
        if (!s->hasPendingDatagrams() && !s->waitForReadyRead(int(qMax<qint64>(1, wait))))
            continue;
        while (s->hasPendingDatagrams()) {
            const QNetworkDatagram d = s->receiveDatagram();
            auto reply = DhcpPacket::parse(d.data());
            if (!reply || reply->op != 2 || reply->xid != discover.xid)
                continue;
            const auto type = reply->messageType();
            if (type != DhcpMessageType::Offer && type != DhcpMessageType::Ack)
                continue;
            const quint32 id = reply->addressOption(DhcpOption::ServerId);
            ForeignDhcpServer found { id ? QHostAddress(id) : d.senderAddress(),
                reply->yiaddr ? QHostAddress(reply->yiaddr) : QHostAddress() };
            return R(found);
        }
    }
    return R(std::optional<ForeignDhcpServer>());
}

} // namespace drover
