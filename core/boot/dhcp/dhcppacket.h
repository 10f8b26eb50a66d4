// DhcpPacket: one DHCPv4/BOOTP message as a value (RFC 2131/2132), with the PXE options
// Drover decides by (93 client architecture, 60 vendor class, 77 user class, 97 client UUID).
// parse() never reads past its input and rejects every malformed length; encode() writes what
// parse() reads, so parse → encode → parse gives the same packet. Depends on Qt Core only, so
// the fuzz target links it alone.
#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>

namespace drover {

// Option codes used by Drover (RFC 2132, 3004, 4578).
namespace DhcpOption {
constexpr quint8 Pad = 0;
constexpr quint8 SubnetMask = 1;
constexpr quint8 Router = 3;
constexpr quint8 DnsServers = 6;
constexpr quint8 HostName = 12;
constexpr quint8 VendorSpecific = 43;
constexpr quint8 RequestedAddress = 50;
constexpr quint8 LeaseTime = 51;
constexpr quint8 Overload = 52;
constexpr quint8 MessageType = 53;
constexpr quint8 ServerId = 54;
constexpr quint8 ParameterRequest = 55;
constexpr quint8 Message = 56;
constexpr quint8 MaxMessageSize = 57;
constexpr quint8 RenewalTime = 58;
constexpr quint8 RebindingTime = 59;
constexpr quint8 VendorClass = 60;
constexpr quint8 ClientId = 61;
constexpr quint8 TftpServerName = 66;
constexpr quint8 BootFileName = 67;
constexpr quint8 UserClass = 77;
constexpr quint8 ClientArch = 93;
constexpr quint8 ClientNdi = 94;
constexpr quint8 ClientUuid = 97;
constexpr quint8 End = 255;
} // namespace DhcpOption

enum class DhcpMessageType : quint8 {
    Discover = 1,
    Offer = 2,
    Request = 3,
    Decline = 4,
    Ack = 5,
    Nak = 6,
    Release = 7,
    Inform = 8,
};
QString dhcpMessageTypeName(DhcpMessageType type); // "DISCOVER", …

// One option: its code and its value, already joined when the sender split it (RFC 3396).
struct DhcpOptionValue {
    quint8 code = 0;
    QByteArray value;
    bool operator==(const DhcpOptionValue &) const = default;
};

struct DhcpPacket {
    static constexpr int HeaderSize = 236; // fixed BOOTP fields, before the magic cookie
    static constexpr int MinimumSize = 300; // BOOTP's minimum; some PXE ROMs drop shorter replies
    static constexpr quint16 BroadcastFlag = 0x8000;

    quint8 op = 1; // 1 request, 2 reply
    quint8 htype = 1; // 1 Ethernet
    quint8 hlen = 6;
    quint8 hops = 0;
    quint32 xid = 0;
    quint16 secs = 0;
    quint16 flags = 0;
    quint32 ciaddr = 0; // IPv4 addresses in host byte order
    quint32 yiaddr = 0;
    quint32 siaddr = 0;
    quint32 giaddr = 0;
    QByteArray chaddr = QByteArray(16, '\0'); // always 16 bytes
    QByteArray sname; // up to the first NUL; empty when the field carried options
    QByteArray file; // likewise
    QList<DhcpOptionValue> options; // in order of first appearance, without Pad, End, Overload

    bool operator==(const DhcpPacket &) const = default;

    static Result<DhcpPacket> parse(QByteArrayView bytes);
    QByteArray encode() const;

    bool hasOption(quint8 code) const;
    QByteArray option(quint8 code) const; // empty when absent
    void setOption(quint8 code, const QByteArray &value); // replaces, or appends
    void removeOption(quint8 code);

    std::optional<DhcpMessageType> messageType() const;
    QString clientMac() const; // "aa:bb:cc:dd:ee:ff", empty unless Ethernet
    std::optional<quint16> clientArch() const; // the first architecture of option 93
    QString vendorClass() const; // option 60
    bool isPxeClient() const; // vendor class PXEClient…
    bool isHttpClient() const; // vendor class HTTPClient…
    bool isIpxe() const; // user class "iPXE" (raw, as iPXE sends it, or RFC 3004 list)
    QString clientUuid() const; // option 97 type 0, as 8-4-4-4-12 hex; empty when absent
    quint32 addressOption(quint8 code) const; // 0 when absent or not 4 bytes

    static QByteArray addressBytes(quint32 address);
    static QByteArray u32Bytes(quint32 value);
};

// Option 43 for PXE clients: PXE_DISCOVERY_CONTROL = 8 ("boot the file named in this
// offer, no menu, no boot server discovery"), then End.
QByteArray pxeVendorOptions();

} // namespace drover
