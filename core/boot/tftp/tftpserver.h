// TftpServer: serves the iPXE binaries, and nothing else, to PXE firmware. The allowed names
// are a fixed list read into memory at start (each file ~1 MB); a request is answered by
// looking its name up in that table, so no byte of a client's file name ever reaches the
// filesystem. Read requests only; each transfer runs on its own port.
//
// Lives on the thread that creates it; counters() may be called from any.
#pragma once

#include "boot/secureboot.h"
#include "boot/tftp/tftppacket.h"
#include "boot/tftp/tftptransfer.h"
#include "catalog/records.h"
#include "util/result.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>

class QNetworkDatagram;
class QUdpSocket;

namespace drover {

class BootRecorder;
class Catalog;
class LogBus;

struct TftpSettings {
    QString interfaceName; // SO_BINDTODEVICE to it; empty = all interfaces
    QHostAddress address = QHostAddress::AnyIPv4;
    quint16 port = 69;
    QString ipxeDir = QStringLiteral("/usr/lib/ipxe");
    QStringList files = { QStringLiteral("undionly.kpxe"), QStringLiteral("ipxe.efi"), QStringLiteral("snponly.efi") };
    // The Secure Boot chain (shim, GRUB and the bootstrap grub/grub.cfg that points GRUB at
    // `httpPort`), served when both signed binaries are installed.
    SignedLoaders signedLoaders;
    quint16 httpPort = 0; // 0: no Secure Boot chain
    int maxTransfers = 500; // setting tftp/max-transfers (ResourceLimits)
    int maxPerClient = 8; // setting tftp/max-per-client: transfers at once from one address
    int retries = 5; // resends of a window before the transfer is given up
    TftpLimits limits;
};

class TftpServer final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TftpServer)
public:
    static constexpr qint64 MaxFileSize = qint64(64) * 1024 * 1024;

    explicit TftpServer(Catalog *catalog, LogBus *log, QObject *parent = nullptr);
    ~TftpServer() override;

    // Reads the files and binds the port. Fails when the port cannot be had (in use, or
    // below 1024 without privilege: the message says how to grant it) or no file is readable.
    Status start(const TftpSettings &settings);
    void stop();
    bool isRunning() const;
    TftpSettings settings() const { return m_settings; }
    QStringList servedFiles() const; // the names actually loaded
    bool servesSignedChain() const; // shim, GRUB and grub/grub.cfg are among them

    struct Counters {
        quint64 transfers = 0; // completed
        quint64 active = 0;
        quint64 errors = 0; // refused requests and failed transfers
        quint64 dropped = 0; // malformed or stray packets
        quint64 aborted = 0; // ended by the client (PXE ROMs often ask the size, then stop)
        quint64 repeated = 0; // requests repeated before the client heard the answer: not a new transfer
    };
    Counters counters() const;

    // Boot events then go through `recorder` (batched, on its own thread). Without one they
    // are written here, a batch every 250 ms.
    void setRecorder(BootRecorder *recorder) { m_recorder = recorder; }
    BootRecorder *recorder() const { return m_recorder; }

    // Names the MAC of a client address for boot events (the DHCP server knows it).
    void setClientResolver(std::function<QString(const QHostAddress &)> resolver);

Q_SIGNALS:
    void countersChanged();
    void transferFinished(const QHostAddress &client, const QString &file, bool ok);

private:
    void readPending();
    void handleRequest(const QNetworkDatagram &datagram);
    void refuse(const QNetworkDatagram &datagram, TftpError code, const QByteArray &message, const QString &why);
    void transferDone(TftpTransfer *transfer, TftpTransfer::Outcome outcome, const QString &detail);
    void record(const QHostAddress &client, const QString &detail, const QString &severity);
    void tick();
    void flushEvents();

    Catalog *m_catalog;
    LogBus *m_log;
    BootRecorder *m_recorder = nullptr;
    TftpSettings m_settings;
    QHash<QByteArray, QByteArray> m_files; // name → contents: the allow-list itself
    std::unique_ptr<QUdpSocket> m_socket;
    QList<TftpTransfer *> m_transfers; // children of this
    QTimer m_tick; // drives every transfer's retransmission while any runs
    // Boot events wait here briefly and go to the catalog in one transaction: a boot storm
    // ends hundreds of transfers at once, and a commit (an fsync) each would stall them all.
    QList<BootEvent> m_pendingEvents;
    QTimer m_flush;
    std::function<QString(const QHostAddress &)> m_resolver;
    std::atomic<quint64> m_completed { 0 }, m_active { 0 }, m_errors { 0 }, m_dropped { 0 }, m_aborted { 0 },
        m_repeated { 0 };
};

} // namespace drover
