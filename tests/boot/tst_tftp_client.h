// A TFTP read client for tests and the benchmark: many transfers at once on one thread,
// event-driven, with blksize/tsize/windowsize options, and fault injection (lose a data
// block once, or stop answering) to exercise the server's retransmission.
#pragma once

#include <QElapsedTimer>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QTimer>

#include <memory>

class QUdpSocket;

namespace drover::test {

struct TftpGet {
    QHostAddress server = QHostAddress::LocalHost;
    quint16 port = 69;
    QByteArray file;
    int blockSize = 0; // 0: do not ask (RFC 1350's 512)
    int windowSize = 0; // 0: do not ask
    bool askSize = false;
    int timeoutMs = 1000; // client retransmission
    int dropBlockOnce = 0; // act as if this DATA block was lost, the first time it comes
    int stopAfterBlock = 0; // stop answering after this block (the server must give up)
    int askTimeout = 0; // RFC 2349 timeout option in seconds; 0: do not ask
    QHostAddress source = QHostAddress::AnyIPv4; // the client's address (127.x.y.z: another client)
};

struct TftpResult {
    bool ok = false;
    QByteArray data;
    QString error; // the server's ERROR message, or a timeout
    quint16 errorCode = 0;
    qint64 tsize = -1; // from the OACK
    int blockSize = 512; // as acknowledged
    int windowSize = 1;
    int timeout = 0; // seconds, as acknowledged; 0: left out of the OACK
    qint64 elapsedMs = 0;
};

class TftpClientRun final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TftpClientRun)
public:
    explicit TftpClientRun(QObject *parent = nullptr);
    ~TftpClientRun() override;

    // Starts every get at once; finished() fires when all have ended.
    void start(const QList<TftpGet> &gets, int overallTimeoutMs = 120000);
    const QList<TftpResult> &results() const { return m_results; }
    qint64 elapsedMs() const { return m_elapsed; }

    // Runs `gets` to the end in a local event loop.
    static QList<TftpResult> run(
        const QList<TftpGet> &gets, qint64 *elapsedMs = nullptr, int overallTimeoutMs = 120000);

Q_SIGNALS:
    void finished();

private:
    struct Transfer;
    void onReadable(Transfer *t);
    void onTimeout(Transfer *t);
    void sendAck(Transfer *t, quint16 block);
    void end(Transfer *t, bool ok, const QString &error, quint16 code = 0);

    std::vector<std::unique_ptr<Transfer>> m_transfers;
    QList<TftpResult> m_results;
    QTimer m_overall;
    QElapsedTimer m_clock;
    qint64 m_elapsed = 0;
    int m_running = 0;
};

// Sends one raw request and returns the first packet that comes back (empty after timeoutMs).
QByteArray tftpExchange(const QByteArray &request, quint16 port, int timeoutMs = 2000);

} // namespace drover::test
