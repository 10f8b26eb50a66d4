// TftpTransfer: one read transfer on its own ephemeral UDP port (the server's transfer ID),
// sending a window of blocks, then waiting for the client's ACK; when the server's tick finds
// it overdue it resends from the first unacknowledged block, a bounded number of times.
// Duplicate ACKs never trigger a resend (the Sorcerer's Apprentice bug of RFC 1350).
//
// Hundreds run at once, so each packet costs one recvfrom(2) or sendto(2) on a bare
// descriptor, and no per-transfer timer is re-armed per packet: the server ticks them all.
#pragma once

#include "boot/tftp/tftppacket.h"
#include "util/result.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>

#include <memory>

class QSocketNotifier;

namespace drover {

struct TftpTransferParams {
    QHostAddress client;
    quint16 clientPort = 0;
    QHostAddress local; // the address the request came to: replies come from it
    QString interfaceName;
    QByteArray fileName;
    QByteArray data; // shared with the server's copy, never duplicated
    TftpTransferOptions options;
    int retries = 5;
};

class TftpTransfer final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TftpTransfer)
public:
    enum class Outcome { Completed, Failed, Aborted };

    explicit TftpTransfer(TftpTransferParams params, QObject *parent = nullptr);
    ~TftpTransfer() override;

    // Binds the transfer's port and sends the OACK or the first window.
    Status start();
    // Resends or gives up when the client has been silent past the timeout; `nowMs` is
    // steadyMs(). Called by the server a few times per second.
    void tick(qint64 nowMs);
    const TftpTransferParams &params() const { return m_params; }
    // Whether the client has acknowledged anything yet (the OACK or a block): until then a
    // request it repeats is a retransmission of the one this transfer answers.
    bool clientAnswered() const { return m_answered; }
    // Ends the transfer without telling the client (it asked again: it will take the new one).
    void abort(const QString &why) { finish(Outcome::Aborted, why); }
    qint64 elapsedMs() const { return m_clock.elapsed(); }

    static qint64 steadyMs();

Q_SIGNALS:
    // Emitted once; detail says why for Failed and Aborted.
    void finished(drover::TftpTransfer::Outcome outcome, const QString &detail);
    void strayPacket(); // a malformed packet or one from another peer

private:
    void readPending();
    void onAck(quint16 block);
    void sendWindow();
    void sendBlock(quint64 block);
    void sendTo(const char *data, qsizetype size, quint32 address, quint16 port);
    void finish(Outcome outcome, const QString &detail);

    TftpTransferParams m_params;
    int m_fd = -1;
    std::unique_ptr<QSocketNotifier> m_notifier;
    quint32 m_clientAddress = 0; // host byte order
    qint64 m_deadline = 0; // steadyMs() after which the window is resent
    QElapsedTimer m_clock;
    QByteArray m_oack;
    QByteArray m_packet; // reused send buffer
    quint64 m_blocks = 0; // the last block is shorter than blockSize, possibly empty
    quint64 m_acked = 0; // every block up to here arrived
    quint64 m_sent = 0; // the highest block sent
    bool m_oackPending = false;
    bool m_answered = false;
    int m_tries = 0;
    bool m_done = false;
};

} // namespace drover
