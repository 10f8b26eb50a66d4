// UDP sockets for the boot services: bound to one interface (SO_BINDTODEVICE) so a
// DHCP server on a lab segment never answers on the office network, allowed to broadcast,
// and reporting the arrival interface and address of each datagram (IP_PKTINFO). When the
// bind fails the message names the cause and the fix (port in use, missing privilege).
#pragma once

#include "util/result.h"

#include <QHostAddress>
#include <QString>

#include <memory>

class QUdpSocket;

namespace drover {

struct UdpBindOptions {
    QString service; // "DHCP", "TFTP": names the service in error messages
    QString interfaceName; // empty: every interface
    QHostAddress address = QHostAddress::AnyIPv4;
    quint16 port = 0; // 0: an ephemeral port
    bool reuseAddress = false; // several sockets on one port (one per interface)
};

// A QUdpSocket bound as `options` say, or the reason it could not be.
Result<std::unique_ptr<QUdpSocket>> bindUdpSocket(const UdpBindOptions &options);

// The same as a bare non-blocking descriptor, for hot paths that read and write with
// recvfrom(2)/sendto(2) themselves; the caller closes it.
Result<int> bindUdpDescriptor(const UdpBindOptions &options);

// The kernel's index of `name`, 0 when there is no such interface.
int interfaceIndex(const QString &name);

// The first IPv4 address of interface `index` (null when it has none).
QHostAddress interfaceIPv4(int index);

} // namespace drover
