// Every read is bounds-checked against the view it reads from: the lessons of dnsmasq's
// CVE-2017-14491..14496 (lengths trusted from the wire) are the reason for each check.
#include "boot/dhcp/dhcppacket.h"

#include <QCoreApplication>
#include <QUuid>
#include <QtEndian>

#include <algorithm>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(DhcpPacket)
};

constexpr quint32 MagicCookie = 0x63825363;
constexpr int SnameOffset = 44;
constexpr int SnameSize = 64;
constexpr int FileOffset = 108;
constexpr int FileSize = 128;

quint8 byteAt(QByteArrayView b, qsizetype at)
{
    return quint8(b[at]);
}

QByteArray untilNul(QByteArrayView field)
{
    const qsizetype nul = field.indexOf('\0');
    return (nul < 0 ? field : field.first(nul)).toByteArray();
}

// Collects options from one area (options field, file or sname), joining repeated codes.
class OptionScanner {
public:
    QList<DhcpOptionValue> options;
    quint8 overload = 0;

    bool scan(QByteArrayView area, bool mainArea, QString *error)
    {
        qsizetype i = 0;
        const qsizetype n = area.size();
        while (i < n) {
            const quint8 code = byteAt(area, i);
            if (code == DhcpOption::Pad) {
                ++i;
                continue;
            }
            if (code == DhcpOption::End)
                return true;
            if (i + 1 >= n) {
                *error = Text::tr("DHCP: option %1 has no length byte").arg(code);
                return false;
            }
            const qsizetype length = byteAt(area, i + 1);
            if (length > n - i - 2) {
                *error = Text::tr("DHCP: option %1 claims %2 bytes but only %3 remain")
                             .arg(code)
                             .arg(length)
                             .arg(n - i - 2);
                return false;
            }
            const QByteArrayView value = area.sliced(i + 2, length);
            i += 2 + length;
            if (code == DhcpOption::Overload) {
                // Only meaningful in the options field; elsewhere it is noise.
                if (!mainArea)
                    continue;
                if (length != 1 || byteAt(value, 0) < 1 || byteAt(value, 0) > 3 || overload != 0) {
                    *error = Text::tr("DHCP: invalid option overload");
                    return false;
                }
                overload = byteAt(value, 0);
                continue;
            }
            append(code, value);
        }
        return true;
    }

private:
    void append(quint8 code, QByteArrayView value)
    {
        for (DhcpOptionValue &o : options) {
            if (o.code == code) {
                o.value.append(value); // RFC 3396: a long option split over several instances
                return;
            }
        }
        options.append(DhcpOptionValue { code, value.toByteArray() });
    }
};

} // namespace

QString dhcpMessageTypeName(DhcpMessageType type)
{
    switch (type) {
    case DhcpMessageType::Discover:
        return QStringLiteral("DISCOVER");
    case DhcpMessageType::Offer:
        return QStringLiteral("OFFER");
    case DhcpMessageType::Request:
        return QStringLiteral("REQUEST");
    case DhcpMessageType::Decline:
        return QStringLiteral("DECLINE");
    case DhcpMessageType::Ack:
        return QStringLiteral("ACK");
    case DhcpMessageType::Nak:
        return QStringLiteral("NAK");
    case DhcpMessageType::Release:
        return QStringLiteral("RELEASE");
    case DhcpMessageType::Inform:
        return QStringLiteral("INFORM");
    }
    return QStringLiteral("UNKNOWN");
}

Result<DhcpPacket> DhcpPacket::parse(QByteArrayView b)
{
    using R = Result<DhcpPacket>;
    if (b.size() < HeaderSize + 4)
        return R::failure(Text::tr("DHCP: a packet of %1 bytes is shorter than the %2-byte minimum")
                .arg(b.size())
                .arg(HeaderSize + 4));
    DhcpPacket p;
    p.op = byteAt(b, 0);
    p.htype = byteAt(b, 1);
    p.hlen = byteAt(b, 2);
    p.hops = byteAt(b, 3);
    if (p.op != 1 && p.op != 2)
        return R::failure(Text::tr("DHCP: unknown op %1").arg(p.op));
    if (p.hlen > 16)
        return R::failure(Text::tr("DHCP: hardware address length %1 exceeds 16").arg(p.hlen));
    p.xid = qFromBigEndian<quint32>(b.data() + 4);
    p.secs = qFromBigEndian<quint16>(b.data() + 8);
    p.flags = qFromBigEndian<quint16>(b.data() + 10);
    p.ciaddr = qFromBigEndian<quint32>(b.data() + 12);
    p.yiaddr = qFromBigEndian<quint32>(b.data() + 16);
    p.siaddr = qFromBigEndian<quint32>(b.data() + 20);
    p.giaddr = qFromBigEndian<quint32>(b.data() + 24);
    p.chaddr = b.sliced(28, 16).toByteArray();
    if (qFromBigEndian<quint32>(b.data() + HeaderSize) != MagicCookie)
        return R::failure(Text::tr("DHCP: no DHCP magic cookie (a plain BOOTP packet?)"));

    OptionScanner scanner;
    QString error;
    if (!scanner.scan(b.sliced(HeaderSize + 4), true, &error))
        return R::failure(error);
    const QByteArrayView fileField = b.sliced(FileOffset, FileSize);
    const QByteArrayView snameField = b.sliced(SnameOffset, SnameSize);
    // RFC 2131 4.1: options field, then file, then sname.
    if (scanner.overload & 1) {
        if (!scanner.scan(fileField, false, &error))
            return R::failure(error);
    } else {
        p.file = untilNul(fileField);
    }
    if (scanner.overload & 2) {
        if (!scanner.scan(snameField, false, &error))
            return R::failure(error);
    } else {
        p.sname = untilNul(snameField);
    }
    p.options = std::move(scanner.options);
    return p;
}

QByteArray DhcpPacket::encode() const
{
    QByteArray out(HeaderSize + 4, '\0');
    char *d = out.data();
    d[0] = char(op);
    d[1] = char(htype);
    d[2] = char(hlen);
    d[3] = char(hops);
    qToBigEndian<quint32>(xid, d + 4);
    qToBigEndian<quint16>(secs, d + 8);
    qToBigEndian<quint16>(flags, d + 10);
    qToBigEndian<quint32>(ciaddr, d + 12);
    qToBigEndian<quint32>(yiaddr, d + 16);
    qToBigEndian<quint32>(siaddr, d + 20);
    qToBigEndian<quint32>(giaddr, d + 24);
    std::copy_n(chaddr.constData(), qMin<qsizetype>(chaddr.size(), 16), d + 28);
    std::copy_n(sname.constData(), qMin<qsizetype>(sname.size(), SnameSize), d + SnameOffset);
    std::copy_n(file.constData(), qMin<qsizetype>(file.size(), FileSize), d + FileOffset);
    qToBigEndian<quint32>(MagicCookie, d + HeaderSize);
    for (const DhcpOptionValue &o : options) {
        // Values longer than 255 bytes go out as consecutive instances (RFC 3396).
        qsizetype at = 0;
        do {
            const qsizetype chunk = qMin<qsizetype>(o.value.size() - at, 255);
            out.append(char(o.code));
            out.append(char(chunk));
            out.append(o.value.constData() + at, chunk);
            at += chunk;
        } while (at < o.value.size());
    }
    out.append(char(DhcpOption::End));
    if (out.size() < MinimumSize)
        out.append(MinimumSize - out.size(), '\0');
    return out;
}

bool DhcpPacket::hasOption(quint8 code) const
{
    return std::any_of(options.cbegin(), options.cend(), [code](const DhcpOptionValue &o) { return o.code == code; });
}

QByteArray DhcpPacket::option(quint8 code) const
{
    for (const DhcpOptionValue &o : options) {
        if (o.code == code)
            return o.value;
    }
    return {};
}

void DhcpPacket::setOption(quint8 code, const QByteArray &value)
{
    for (DhcpOptionValue &o : options) {
        if (o.code == code) {
            o.value = value;
            return;
        }
    }
    options.append(DhcpOptionValue { code, value });
}

void DhcpPacket::removeOption(quint8 code)
{
    options.removeIf([code](const DhcpOptionValue &o) { return o.code == code; });
}

std::optional<DhcpMessageType> DhcpPacket::messageType() const
{
    const QByteArray v = option(DhcpOption::MessageType);
    if (v.size() != 1 || quint8(v[0]) < 1 || quint8(v[0]) > 8)
        return std::nullopt;
    return DhcpMessageType(quint8(v[0]));
}

QString DhcpPacket::clientMac() const
{
    if (htype != 1 || hlen != 6)
        return {};
    return QString::fromLatin1(chaddr.first(6).toHex(':'));
}

std::optional<quint16> DhcpPacket::clientArch() const
{
    const QByteArray v = option(DhcpOption::ClientArch);
    if (v.size() < 2 || v.size() % 2 != 0)
        return std::nullopt;
    return qFromBigEndian<quint16>(v.constData());
}

QString DhcpPacket::vendorClass() const
{
    return QString::fromLatin1(option(DhcpOption::VendorClass));
}

bool DhcpPacket::isPxeClient() const
{
    return option(DhcpOption::VendorClass).startsWith("PXEClient");
}

bool DhcpPacket::isHttpClient() const
{
    return option(DhcpOption::VendorClass).startsWith("HTTPClient");
}

bool DhcpPacket::isIpxe() const
{
    const QByteArray v = option(DhcpOption::UserClass);
    if (v == "iPXE")
        return true;
    // RFC 3004: a list of length-prefixed class names.
    qsizetype i = 0;
    while (i < v.size()) {
        const qsizetype length = quint8(v[i]);
        if (length == 0 || length > v.size() - i - 1)
            return false;
        if (QByteArrayView(v).sliced(i + 1, length) == "iPXE")
            return true;
        i += 1 + length;
    }
    return false;
}

QString DhcpPacket::clientUuid() const
{
    const QByteArray v = option(DhcpOption::ClientUuid);
    if (v.size() != 17 || v[0] != 0)
        return {};
    return QUuid::fromRfc4122(QByteArrayView(v).sliced(1)).toString(QUuid::WithoutBraces);
}

quint32 DhcpPacket::addressOption(quint8 code) const
{
    const QByteArray v = option(code);
    return v.size() == 4 ? qFromBigEndian<quint32>(v.constData()) : 0;
}

QByteArray DhcpPacket::addressBytes(quint32 address)
{
    return u32Bytes(address);
}

QByteArray DhcpPacket::u32Bytes(quint32 value)
{
    QByteArray out(4, '\0');
    qToBigEndian<quint32>(value, out.data());
    return out;
}

QByteArray pxeVendorOptions()
{
    return QByteArray("\x06\x01\x08\xff", 4);
}

} // namespace drover
