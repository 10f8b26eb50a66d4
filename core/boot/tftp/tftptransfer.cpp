// Blocks are numbered from 1 as 64-bit counters internally; on the wire they are the low 16
// bits, so files above 65535 blocks roll over to 0 as most clients expect.
#include "boot/tftp/tftptransfer.h"

#include "boot/net/udpbind.h"

#include <QSocketNotifier>

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace drover {

qint64 TftpTransfer::steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

TftpTransfer::TftpTransfer(TftpTransferParams params, QObject *parent)
    : QObject(parent)
    , m_params(std::move(params))
{
    const int bs = m_params.options.blockSize;
    m_blocks = quint64(m_params.data.size()) / quint64(bs) + 1;
    m_packet.resize(4 + bs);
    m_clientAddress = m_params.client.toIPv4Address();
    if (!m_params.options.acknowledged.isEmpty()) {
        m_oack = encodeTftpOack(m_params.options.acknowledged);
        m_oackPending = true;
    }
}

TftpTransfer::~TftpTransfer()
{
    m_notifier.reset(); // before its descriptor goes
    if (m_fd >= 0)
        ::close(m_fd);
}

Status TftpTransfer::start()
{
    m_clock.start();
    auto fd = bindUdpDescriptor(UdpBindOptions { QStringLiteral("TFTP"), m_params.interfaceName, m_params.local, 0 });
    if (!fd)
        return Status::failure(fd.error());
    m_fd = fd.value();
    m_notifier = std::make_unique<QSocketNotifier>(qintptr(m_fd), QSocketNotifier::Read);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, &TftpTransfer::readPending);
    if (m_oackPending) {
        sendTo(m_oack.constData(), m_oack.size(), m_clientAddress, m_params.clientPort);
        m_deadline = steadyMs() + m_params.options.timeoutMs;
    } else {
        sendWindow();
    }
    return {};
}

void TftpTransfer::sendTo(const char *data, qsizetype size, quint32 address, quint16 port)
{
    sockaddr_in to {};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(address);
    // A full send buffer loses the packet like the network would; the timeout resends it.
    (void)::sendto(m_fd, data, size_t(size), MSG_DONTWAIT, reinterpret_cast<const sockaddr *>(&to), sizeof to);
}

void TftpTransfer::readPending()
{
    char buffer[1024]; // ACKs are 4 bytes, ERRORs at most a few hundred; longer is not a client
    for (;;) {
        sockaddr_in from {};
        socklen_t fromLength = sizeof from;
        const ssize_t n = ::recvfrom(
            m_fd, buffer, sizeof buffer, MSG_DONTWAIT | MSG_TRUNC, reinterpret_cast<sockaddr *>(&from), &fromLength);
        if (n < 0)
            return; // EAGAIN: drained
        if (m_done)
            continue;
        const quint32 address = ntohl(from.sin_addr.s_addr);
        const quint16 port = ntohs(from.sin_port);
        if (address != m_clientAddress || port != m_params.clientPort) {
            // RFC 1350: a packet from another transfer ID gets an error, the transfer goes on.
            const QByteArray error = encodeTftpError(TftpError::UnknownTransferId, "unknown transfer ID");
            sendTo(error.constData(), error.size(), address, port);
            Q_EMIT strayPacket();
            continue;
        }
        const auto packet = n <= qsizetype(sizeof buffer) ? parseTftpClientPacket(QByteArrayView(buffer, qsizetype(n)))
                                                          : std::nullopt;
        if (!packet) {
            Q_EMIT strayPacket();
            continue;
        }
        if (packet->opcode == TftpOpcode::Error) {
            finish(Outcome::Aborted,
                tr("the client ended the transfer (error %1: %2)")
                    .arg(packet->errorCode)
                    .arg(printableTftpName(packet->errorMessage)));
            return;
        }
        onAck(packet->block);
    }
}

void TftpTransfer::onAck(quint16 block)
{
    if (m_oackPending) {
        if (block != 0)
            return;
        m_oackPending = false;
        m_answered = true;
        m_tries = 0;
        sendWindow();
        return;
    }
    // Which sent, unacknowledged block does this ACK name? Older ACKs are duplicates.
    for (quint64 k = m_sent; k > m_acked; --k) {
        if (quint16(k & 0xffff) == block) {
            m_acked = k;
            m_answered = true;
            m_tries = 0;
            if (m_acked == m_blocks) {
                finish(Outcome::Completed, {});
                return;
            }
            // The client ACKs the end of each window, or the last block it got in order:
            // either way the next window starts after it.
            sendWindow();
            return;
        }
    }
}

void TftpTransfer::sendBlock(quint64 block)
{
    const qint64 bs = m_params.options.blockSize;
    const qint64 offset = qint64(block - 1) * bs;
    const qint64 length = qBound<qint64>(0, m_params.data.size() - offset, bs);
    char *p = m_packet.data();
    p[0] = 0;
    p[1] = char(TftpOpcode::Data);
    p[2] = char((block >> 8) & 0xff);
    p[3] = char(block & 0xff);
    if (length > 0)
        std::memcpy(p + 4, m_params.data.constData() + offset, size_t(length));
    sendTo(p, 4 + length, m_clientAddress, m_params.clientPort);
}

void TftpTransfer::sendWindow()
{
    const quint64 last = qMin<quint64>(m_acked + quint64(m_params.options.windowSize), m_blocks);
    for (quint64 k = m_acked + 1; k <= last; ++k)
        sendBlock(k);
    m_sent = qMax(m_sent, last);
    m_deadline = steadyMs() + m_params.options.timeoutMs;
}

void TftpTransfer::tick(qint64 nowMs)
{
    if (m_done || m_fd < 0 || nowMs < m_deadline)
        return;
    if (++m_tries > m_params.retries) {
        finish(Outcome::Failed,
            tr("no answer from the client after %1 retries (block %2 of %3)")
                .arg(m_params.retries)
                .arg(m_acked + 1)
                .arg(m_blocks));
        return;
    }
    if (m_oackPending) {
        sendTo(m_oack.constData(), m_oack.size(), m_clientAddress, m_params.clientPort);
        m_deadline = nowMs + m_params.options.timeoutMs;
        return;
    }
    sendWindow(); // the whole window again, from the first missing block
}

void TftpTransfer::finish(Outcome outcome, const QString &detail)
{
    if (m_done)
        return;
    m_done = true;
    if (outcome == Outcome::Failed && m_fd >= 0) {
        const QByteArray error = encodeTftpError(TftpError::NotDefined, "timed out");
        sendTo(error.constData(), error.size(), m_clientAddress, m_params.clientPort);
    }
    if (m_notifier)
        m_notifier->setEnabled(false);
    Q_EMIT finished(outcome, detail);
}

} // namespace drover
