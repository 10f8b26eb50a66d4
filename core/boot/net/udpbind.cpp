// The socket is made by hand so that SO_BINDTODEVICE and SO_REUSEADDR are set before
// bind(2) and bind's errno is known exactly; Qt then adopts the descriptor.
#include "boot/net/udpbind.h"

#include <QCoreApplication>
#include <QNetworkInterface>
#include <QUdpSocket>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(UdpBind)
};

QString privilegeHint()
{
    return Text::tr("Run Drover as root, or grant the capabilities once with "
                    "`sudo setcap cap_net_bind_service,cap_net_raw+ep %1`.")
        .arg(QCoreApplication::applicationFilePath().isEmpty() ? QStringLiteral("/path/to/drover")
                                                               : QCoreApplication::applicationFilePath());
}

QString bindError(const UdpBindOptions &o, int error)
{
    const QString where = o.interfaceName.isEmpty()
        ? Text::tr("%1: cannot listen on UDP port %2").arg(o.service).arg(o.port)
        : Text::tr("%1: cannot listen on UDP port %2 of interface %3").arg(o.service).arg(o.port).arg(o.interfaceName);
    switch (error) {
    case EACCES:
        return where
            + Text::tr(": permission denied. Ports below 1024 need root or the CAP_NET_BIND_SERVICE capability. ")
            + privilegeHint();
    case EADDRINUSE:
        return where
            + Text::tr(": the port is in use by another program (another DHCP or TFTP server such as dnsmasq?). "
                       "Find it with `ss -ulpn sport = :%1`, stop it, or choose another port.")
                  .arg(o.port);
    case EADDRNOTAVAIL:
        return where + Text::tr(": the address %1 is not one of this host's addresses.").arg(o.address.toString());
    default:
        return where + QStringLiteral(": ") + QString::fromLocal8Bit(std::strerror(error));
    }
}

class Fd {
public:
    explicit Fd(int fd)
        : m_fd(fd)
    { }
    ~Fd()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    int get() const { return m_fd; }
    int release() { return std::exchange(m_fd, -1); }

private:
    int m_fd;
};

} // namespace

int interfaceIndex(const QString &name)
{
    return int(::if_nametoindex(name.toLocal8Bit().constData()));
}

QHostAddress interfaceIPv4(int index)
{
    const QNetworkInterface iface = QNetworkInterface::interfaceFromIndex(index);
    for (const QNetworkAddressEntry &entry : iface.addressEntries()) {
        if (entry.ip().protocol() == QAbstractSocket::IPv4Protocol)
            return entry.ip();
    }
    return {};
}

Result<int> bindUdpDescriptor(const UdpBindOptions &o)
{
    using R = Result<int>;
    Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (fd.get() < 0)
        return R::failure(bindError(o, errno));
    const int on = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_BROADCAST, &on, sizeof on);
    ::setsockopt(fd.get(), IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
    if (o.reuseAddress)
        ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (!o.interfaceName.isEmpty()) {
        const QByteArray name = o.interfaceName.toLocal8Bit();
        if (name.size() >= IFNAMSIZ || interfaceIndex(o.interfaceName) == 0)
            return R::failure(Text::tr("%1: there is no network interface named '%2'").arg(o.service, o.interfaceName));
        if (::setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, name.constData(), socklen_t(name.size())) != 0) {
            const int error = errno;
            if (error == EPERM)
                return R::failure(Text::tr("%1: binding to interface %2 needs root or the CAP_NET_RAW capability. ")
                                      .arg(o.service, o.interfaceName)
                    + privilegeHint());
            return R::failure(bindError(o, error));
        }
    }
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(o.port);
    addr.sin_addr.s_addr = o.address.isNull() || o.address == QHostAddress(QHostAddress::AnyIPv4)
        ? htonl(INADDR_ANY)
        : htonl(o.address.toIPv4Address());
    if (::bind(fd.get(), reinterpret_cast<const sockaddr *>(&addr), sizeof addr) != 0)
        return R::failure(bindError(o, errno));
    return fd.release();
}

Result<std::unique_ptr<QUdpSocket>> bindUdpSocket(const UdpBindOptions &o)
{
    using R = Result<std::unique_ptr<QUdpSocket>>;
    auto bound = bindUdpDescriptor(o);
    if (!bound)
        return R::failure(bound.error());
    Fd fd(bound.value());
    auto socket = std::make_unique<QUdpSocket>();
    if (!socket->setSocketDescriptor(fd.get(), QAbstractSocket::BoundState, QIODevice::ReadWrite))
        return R::failure(Text::tr("%1: cannot use the UDP socket: %2").arg(o.service, socket->errorString()));
    fd.release();
    return R(std::move(socket));
}

} // namespace drover
