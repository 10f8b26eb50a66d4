// The client follows RFC 1350/2347/7440 as a PXE ROM would: the server's first reply fixes
// its transfer ID, every in-order block is kept, the end of a window (or a short block) is
// acknowledged, a gap is answered by acknowledging the last block received in order.
#include "tst_tftp_client.h"

#include <QEventLoop>
#include <QNetworkDatagram>
#include <QUdpSocket>
#include <QVariant>
#include <QtEndian>

namespace drover::test {

struct TftpClientRun::Transfer {
    TftpGet get;
    TftpResult result;
    std::unique_ptr<QUdpSocket> socket;
    QTimer timer;
    QElapsedTimer clock;
    quint16 peerPort = 0;
    quint64 expected = 1;
    int inWindow = 0;
    int tries = 0;
    QByteArray lastSent;
    bool droppedOnce = false;
    bool silent = false;
    bool done = false;
};

namespace {

QByteArray request(const TftpGet &g)
{
    QByteArray out;
    out.append('\0').append('\1').append(g.file).append('\0').append("octet").append('\0');
    auto option = [&out](const char *name, qint64 value) {
        out.append(name).append('\0').append(QByteArray::number(value)).append('\0');
    };
    if (g.blockSize)
        option("blksize", g.blockSize);
    if (g.askSize)
        option("tsize", 0);
    if (g.windowSize)
        option("windowsize", g.windowSize);
    if (g.askTimeout)
        option("timeout", g.askTimeout);
    return out;
}

} // namespace

TftpClientRun::TftpClientRun(QObject *parent)
    : QObject(parent)
{
    m_overall.setSingleShot(true);
    connect(&m_overall, &QTimer::timeout, this, [this] {
        for (auto &t : m_transfers) {
            if (!t->done)
                end(t.get(), false, QStringLiteral("overall timeout"));
        }
    });
}

TftpClientRun::~TftpClientRun() = default;

void TftpClientRun::start(const QList<TftpGet> &gets, int overallTimeoutMs)
{
    m_transfers.clear();
    m_results = QList<TftpResult>(gets.size());
    m_running = int(gets.size());
    m_clock.start();
    for (const TftpGet &g : gets) {
        auto t = std::make_unique<Transfer>();
        t->get = g;
        t->socket = std::make_unique<QUdpSocket>();
        t->socket->bind(g.source, 0);
        t->socket->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, QVariant(1 << 20));
        t->timer.setSingleShot(true);
        Transfer *raw = t.get();
        connect(t->socket.get(), &QUdpSocket::readyRead, this, [this, raw] { onReadable(raw); });
        connect(&t->timer, &QTimer::timeout, this, [this, raw] { onTimeout(raw); });
        m_transfers.push_back(std::move(t));
    }
    for (auto &t : m_transfers) {
        t->clock.start();
        t->lastSent = request(t->get);
        t->socket->writeDatagram(t->lastSent, t->get.server, t->get.port);
        t->timer.start(t->get.timeoutMs);
    }
    if (m_running == 0)
        QTimer::singleShot(0, this, &TftpClientRun::finished);
    m_overall.start(overallTimeoutMs);
}

void TftpClientRun::sendAck(Transfer *t, quint16 block)
{
    if (t->silent)
        return;
    QByteArray ack(4, '\0');
    ack[1] = 4;
    qToBigEndian<quint16>(block, ack.data() + 2);
    t->lastSent = ack;
    t->socket->writeDatagram(ack, t->get.server, t->peerPort);
}

void TftpClientRun::onReadable(Transfer *t)
{
    while (t->socket->hasPendingDatagrams()) {
        const QNetworkDatagram d = t->socket->receiveDatagram();
        if (t->done)
            continue;
        if (t->peerPort == 0)
            t->peerPort = quint16(d.senderPort());
        else if (quint16(d.senderPort()) != t->peerPort)
            continue;
        const QByteArray p = d.data();
        if (p.size() < 4)
            continue;
        const quint16 opcode = qFromBigEndian<quint16>(p.constData());
        t->tries = 0;
        t->timer.start(t->get.timeoutMs);
        if (opcode == 5) {
            end(t, false, QString::fromLatin1(p.mid(4).split('\0').value(0)),
                qFromBigEndian<quint16>(p.constData() + 2));
            return;
        }
        if (opcode == 6) {
            const QList<QByteArray> fields = p.mid(2).split('\0');
            for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
                if (fields[i] == "blksize")
                    t->result.blockSize = fields[i + 1].toInt();
                else if (fields[i] == "windowsize")
                    t->result.windowSize = fields[i + 1].toInt();
                else if (fields[i] == "tsize")
                    t->result.tsize = fields[i + 1].toLongLong();
                else if (fields[i] == "timeout")
                    t->result.timeout = fields[i + 1].toInt();
            }
            sendAck(t, 0);
            continue;
        }
        if (opcode != 3)
            continue;
        const quint16 block = qFromBigEndian<quint16>(p.constData() + 2);
        if (block != quint16(t->expected)) {
            // A gap (a block was lost) or a duplicate: say where we are.
            sendAck(t, quint16(t->expected - 1));
            t->inWindow = 0;
            continue;
        }
        if (t->get.dropBlockOnce && quint64(t->get.dropBlockOnce) == t->expected && !t->droppedOnce) {
            t->droppedOnce = true;
            continue;
        }
        const QByteArray payload = p.mid(4);
        t->result.data.append(payload);
        ++t->expected;
        ++t->inWindow;
        if (t->get.stopAfterBlock && t->expected > quint64(t->get.stopAfterBlock))
            t->silent = true;
        if (payload.size() < t->result.blockSize) {
            sendAck(t, block);
            if (!t->silent)
                end(t, true, {});
            return;
        }
        if (t->inWindow >= t->result.windowSize) {
            sendAck(t, block);
            t->inWindow = 0;
        }
    }
}

void TftpClientRun::onTimeout(Transfer *t)
{
    if (t->done)
        return;
    if (++t->tries > 8) {
        end(t, false, QStringLiteral("client timeout"));
        return;
    }
    if (!t->silent)
        t->socket->writeDatagram(t->lastSent, t->get.server, t->peerPort ? t->peerPort : t->get.port);
    t->timer.start(t->get.timeoutMs);
}

void TftpClientRun::end(Transfer *t, bool ok, const QString &error, quint16 code)
{
    if (t->done)
        return;
    t->done = true;
    t->timer.stop();
    t->result.ok = ok;
    t->result.error = error;
    t->result.errorCode = code;
    t->result.elapsedMs = t->clock.elapsed();
    for (size_t i = 0; i < m_transfers.size(); ++i) {
        if (m_transfers[i].get() == t)
            m_results[qsizetype(i)] = t->result;
    }
    if (--m_running == 0) {
        m_elapsed = m_clock.elapsed();
        m_overall.stop();
        Q_EMIT finished();
    }
}

QList<TftpResult> TftpClientRun::run(const QList<TftpGet> &gets, qint64 *elapsedMs, int overallTimeoutMs)
{
    TftpClientRun client;
    QEventLoop loop;
    connect(&client, &TftpClientRun::finished, &loop, &QEventLoop::quit);
    client.start(gets, overallTimeoutMs);
    if (!gets.isEmpty())
        loop.exec();
    if (elapsedMs)
        *elapsedMs = client.elapsedMs();
    return client.results();
}

QByteArray tftpExchange(const QByteArray &requestBytes, quint16 port, int timeoutMs)
{
    QUdpSocket socket;
    socket.bind(QHostAddress::LocalHost, 0);
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    QObject::connect(&socket, &QUdpSocket::readyRead, &loop, &QEventLoop::quit);
    socket.writeDatagram(requestBytes, QHostAddress::LocalHost, port);
    timer.start(timeoutMs);
    if (!socket.hasPendingDatagrams())
        loop.exec();
    return socket.hasPendingDatagrams() ? socket.receiveDatagram().data() : QByteArray();
}

} // namespace drover::test
