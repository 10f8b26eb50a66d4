// Numbers in options are parsed by hand from at most 10 ASCII digits: no locale, no sign,
// no overflow.
#include "boot/tftp/tftppacket.h"

#include <QCoreApplication>
#include <QtEndian>

#include <algorithm>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(TftpPacket)
};

std::optional<qint64> decimal(const QByteArray &text)
{
    if (text.isEmpty() || text.size() > 10)
        return std::nullopt;
    qint64 value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

void putU16(QByteArray *out, quint16 value)
{
    out->append(char(value >> 8));
    out->append(char(value & 0xff));
}

} // namespace

Result<TftpRequest> parseTftpRequest(QByteArrayView b)
{
    using R = Result<TftpRequest>;
    if (b.size() < 4)
        return R::failure(Text::tr("TFTP: a request of %1 bytes is too short").arg(b.size()));
    if (b.size() > TftpRequest::MaxSize)
        return R::failure(
            Text::tr("TFTP: a request of %1 bytes exceeds %2 bytes").arg(b.size()).arg(TftpRequest::MaxSize));
    TftpRequest r;
    r.opcode = qFromBigEndian<quint16>(b.data());
    if (r.opcode != TftpOpcode::Rrq && r.opcode != TftpOpcode::Wrq)
        return R::failure(Text::tr("TFTP: opcode %1 is not a request").arg(r.opcode));
    const QByteArrayView body = b.sliced(2);
    if (body.back() != '\0')
        return R::failure(Text::tr("TFTP: the request does not end with a NUL byte"));
    QList<QByteArray> fields;
    qsizetype start = 0;
    for (qsizetype i = 0; i < body.size(); ++i) {
        if (body[i] == '\0') {
            fields.append(body.sliced(start, i - start).toByteArray());
            start = i + 1;
        }
    }
    if (fields.size() < 2 || fields.size() % 2 != 0)
        return R::failure(
            Text::tr("TFTP: the request has %1 fields; a name, a mode and option pairs expected").arg(fields.size()));
    r.fileName = fields[0];
    r.mode = fields[1].toLower();
    if (r.fileName.isEmpty())
        return R::failure(Text::tr("TFTP: the request names no file"));
    if (r.mode != "octet" && r.mode != "netascii" && r.mode != "mail")
        return R::failure(Text::tr("TFTP: unknown transfer mode"));
    for (qsizetype i = 2; i < fields.size(); i += 2) {
        const QByteArray name = fields[i].toLower();
        if (name.isEmpty())
            return R::failure(Text::tr("TFTP: an option without a name"));
        const bool seen
            = std::any_of(r.options.cbegin(), r.options.cend(), [&name](const auto &o) { return o.first == name; });
        if (!seen)
            r.options.append({ name, fields[i + 1] });
    }
    return r;
}

TftpTransferOptions negotiateTftpOptions(const TftpRequest &request, qint64 fileSize, const TftpLimits &limits)
{
    TftpTransferOptions t;
    t.timeoutMs = limits.defaultTimeoutMs;
    for (const auto &[name, value] : request.options) {
        const auto number = decimal(value);
        if (!number)
            continue;
        if (name == "blksize" && *number >= 8) {
            t.blockSize = int(qMin<qint64>(*number, limits.maxBlockSize));
            t.acknowledged.append({ name, QByteArray::number(t.blockSize) });
        } else if (name == "timeout" && *number >= 1 && *number <= qMin(255, limits.maxTimeoutSeconds)) {
            t.timeoutMs = int(*number) * 1000;
            t.acknowledged.append({ name, QByteArray::number(*number) });
        } else if (name == "tsize" && fileSize >= 0) {
            t.acknowledged.append({ name, QByteArray::number(fileSize) });
        } else if (name == "windowsize" && *number >= 1) {
            t.windowSize = int(qMin<qint64>(*number, limits.maxWindowSize));
            t.acknowledged.append({ name, QByteArray::number(t.windowSize) });
        }
    }
    return t;
}

std::optional<TftpClientPacket> parseTftpClientPacket(QByteArrayView b)
{
    if (b.size() < 4)
        return std::nullopt;
    TftpClientPacket p;
    p.opcode = qFromBigEndian<quint16>(b.data());
    if (p.opcode == TftpOpcode::Ack) {
        // Trailing bytes are ignored, as other servers do: some ROMs pad their ACKs.
        p.block = qFromBigEndian<quint16>(b.data() + 2);
        return p;
    }
    if (p.opcode == TftpOpcode::Error) {
        p.errorCode = qFromBigEndian<quint16>(b.data() + 2);
        const QByteArrayView message = b.sliced(4);
        const qsizetype nul = message.indexOf('\0');
        const QByteArrayView text = nul < 0 ? message : message.first(nul);
        p.errorMessage = text.first(qMin<qsizetype>(text.size(), 255)).toByteArray();
        return p;
    }
    return std::nullopt;
}

QString printableTftpName(QByteArrayView name)
{
    QString out;
    for (qsizetype i = 0; i < name.size() && out.size() < 64; ++i) {
        const char c = name[i];
        out.append(c >= 0x20 && c < 0x7f ? QLatin1Char(c) : QLatin1Char('?'));
    }
    if (name.size() > 64)
        out.append(QStringLiteral("…"));
    return out;
}

QByteArray encodeTftpError(TftpError code, QByteArrayView message)
{
    QByteArray out;
    putU16(&out, TftpOpcode::Error);
    putU16(&out, quint16(code));
    out.append(message.first(qMin<qsizetype>(message.size(), 255)));
    out.append('\0');
    return out;
}

QByteArray encodeTftpOack(const TftpOptionList &options)
{
    QByteArray out;
    putU16(&out, TftpOpcode::Oack);
    for (const auto &[name, value] : options) {
        out.append(name);
        out.append('\0');
        out.append(value);
        out.append('\0');
    }
    return out;
}

QByteArray encodeTftpAck(quint16 block)
{
    QByteArray out;
    putU16(&out, TftpOpcode::Ack);
    putU16(&out, block);
    return out;
}

QByteArray encodeTftpRequest(const TftpRequest &request)
{
    QByteArray out;
    putU16(&out, request.opcode);
    out.append(request.fileName);
    out.append('\0');
    out.append(request.mode);
    out.append('\0');
    for (const auto &[name, value] : request.options) {
        out.append(name);
        out.append('\0');
        out.append(value);
        out.append('\0');
    }
    return out;
}

} // namespace drover
