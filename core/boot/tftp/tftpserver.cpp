// Refusals are logged (warning) but not written to the catalog: anyone on the segment can
// send requests, and a flood of bad names must not fill the boot event table.
#include "boot/tftp/tftpserver.h"

#include "boot/bootrecorder.h"
#include "boot/grubscript.h"
#include "boot/net/udpbind.h"
#include "catalog/catalog.h"
#include "log/logbus.h"

#include <QDir>
#include <QFile>
#include <QNetworkDatagram>
#include <QSqlError>
#include <QUdpSocket>
#include <QtEndian>

#include <algorithm>

namespace drover {

TftpServer::TftpServer(Catalog *catalog, LogBus *log, QObject *parent)
    : QObject(parent)
    , m_catalog(catalog)
    , m_log(log)
{
    m_tick.setInterval(100);
    connect(&m_tick, &QTimer::timeout, this, &TftpServer::tick);
    m_flush.setSingleShot(true);
    m_flush.setInterval(250);
    connect(&m_flush, &QTimer::timeout, this, &TftpServer::flushEvents);
}

void TftpServer::tick()
{
    const qint64 now = TftpTransfer::steadyMs();
    const QList<TftpTransfer *> transfers = m_transfers; // tick() may finish and remove one
    for (TftpTransfer *t : transfers)
        t->tick(now);
    if (m_transfers.isEmpty())
        m_tick.stop();
}

TftpServer::~TftpServer()
{
    stop();
}

bool TftpServer::isRunning() const
{
    return m_socket != nullptr;
}

QStringList TftpServer::servedFiles() const
{
    QStringList names;
    for (auto it = m_files.cbegin(); it != m_files.cend(); ++it)
        names.append(QString::fromUtf8(it.key()));
    names.sort();
    return names;
}

TftpServer::Counters TftpServer::counters() const
{
    return Counters { m_completed.load(), m_active.load(), m_errors.load(), m_dropped.load(), m_aborted.load(),
        m_repeated.load() };
}

void TftpServer::setClientResolver(std::function<QString(const QHostAddress &)> resolver)
{
    m_resolver = std::move(resolver);
}

Status TftpServer::start(const TftpSettings &settings)
{
    stop();
    QHash<QByteArray, QByteArray> files;
    QStringList problems;
    for (const QString &name : settings.files) {
        // The configured names are plain file names; a path here is a settings mistake.
        if (name.isEmpty() || name.contains(QLatin1Char('/')) || name == QLatin1String(".")
            || name == QLatin1String("..")) {
            problems.append(tr("'%1' is not a plain file name").arg(name));
            continue;
        }
        QFile file(QDir(settings.ipxeDir).filePath(name));
        if (!file.open(QIODevice::ReadOnly)) {
            problems.append(tr("%1: %2").arg(file.fileName(), file.errorString()));
            continue;
        }
        if (file.size() > MaxFileSize) {
            problems.append(tr("%1 is larger than %2 MB").arg(file.fileName()).arg(MaxFileSize >> 20));
            continue;
        }
        const QByteArray data = file.readAll();
        if (data.size() != file.size()) {
            problems.append(tr("%1: %2").arg(file.fileName(), file.errorString()));
            continue;
        }
        files.insert(name.toUtf8(), data);
    }
    if (files.isEmpty())
        return Status::failure(tr("TFTP: none of the iPXE binaries could be read (%1). Install the ipxe package or "
                                  "set the directory that holds them.")
                .arg(problems.join(QStringLiteral("; "))));
    QString chainNote;
    if (settings.httpPort != 0) {
        const SignedLoaders &loaders = settings.signedLoaders;
        QFile shim(loaders.shim);
        QFile grub(loaders.grub);
        if (!loaders.installed()) {
            chainNote = tr("TFTP: no Secure Boot chain to serve (%1 or %2 missing): UEFI machines get iPXE, which "
                           "a machine with Secure Boot on refuses. Install shim-signed and grub-efi-amd64-signed.")
                            .arg(loaders.shim, loaders.grub);
        } else if (!shim.open(QIODevice::ReadOnly) || !grub.open(QIODevice::ReadOnly) || shim.size() > MaxFileSize
            || grub.size() > MaxFileSize) {
            problems.append(tr("the Secure Boot chain (%1: %2; %3: %4)")
                    .arg(shim.fileName(), shim.errorString(), grub.fileName(), grub.errorString()));
        } else {
            files.insert(SignedLoaders::shimName, shim.readAll());
            files.insert(SignedLoaders::grubName, grub.readAll());
            files.insert(SignedLoaders::grubConfigName, renderGrubBootstrap(settings.httpPort));
        }
    }
    auto socket = bindUdpSocket(
        UdpBindOptions { QStringLiteral("TFTP"), settings.interfaceName, settings.address, settings.port });
    if (!socket)
        return Status::failure(socket.error());
    m_settings = settings;
    m_files = std::move(files);
    m_socket = std::move(socket).value();
    connect(m_socket.get(), &QUdpSocket::readyRead, this, &TftpServer::readPending);
    if (m_log) {
        for (const QString &p : std::as_const(problems))
            m_log->post(Severity::Warning, QStringLiteral("server"), tr("TFTP: not serving %1").arg(p));
        if (!chainNote.isEmpty())
            m_log->post(Severity::Info, QStringLiteral("server"), chainNote);
        m_log->post(Severity::Info, QStringLiteral("server"),
            tr("TFTP: serving %1 on port %2%3")
                .arg(servedFiles().join(QStringLiteral(", ")))
                .arg(settings.port)
                .arg(settings.interfaceName.isEmpty() ? QString() : tr(" of %1").arg(settings.interfaceName)));
    }
    return {};
}

bool TftpServer::servesSignedChain() const
{
    return m_files.contains(SignedLoaders::shimName) && m_files.contains(SignedLoaders::grubName)
        && m_files.contains(SignedLoaders::grubConfigName);
}

void TftpServer::stop()
{
    const bool wasRunning = isRunning();
    m_socket.reset();
    m_tick.stop();
    const QList<TftpTransfer *> transfers = std::exchange(m_transfers, {});
    for (TftpTransfer *t : transfers) {
        t->disconnect(this);
        t->deleteLater(); // stop() may run inside a slot of one of them
    }
    m_active = 0;
    m_files.clear();
    m_flush.stop();
    flushEvents();
    if (wasRunning) {
        if (m_log)
            m_log->post(Severity::Info, QStringLiteral("server"), tr("TFTP: stopped"));
        Q_EMIT countersChanged();
    }
}

void TftpServer::readPending()
{
    while (m_socket && m_socket->hasPendingDatagrams())
        handleRequest(m_socket->receiveDatagram());
}

void TftpServer::refuse(const QNetworkDatagram &d, TftpError code, const QByteArray &message, const QString &why)
{
    ++m_errors;
    m_socket->writeDatagram(encodeTftpError(code, message), d.senderAddress(), quint16(d.senderPort()));
    if (m_log)
        m_log->post(Severity::Warning, QStringLiteral("boot"),
            tr("TFTP: refused %1: %2").arg(d.senderAddress().toString(), why), QString(), QStringLiteral("tftp"));
    Q_EMIT countersChanged();
}

void TftpServer::handleRequest(const QNetworkDatagram &d)
{
    const QByteArray bytes = d.data();
    auto request = parseTftpRequest(bytes);
    if (!request) {
        ++m_dropped;
        // A malformed request still gets an answer, so the client stops waiting; anything
        // else (stray DATA, ACK or ERROR) is dropped silently, never answered with an error.
        const quint16 opcode = bytes.size() >= 2 ? qFromBigEndian<quint16>(bytes.constData()) : 0;
        if (opcode == TftpOpcode::Rrq || opcode == TftpOpcode::Wrq)
            refuse(d, TftpError::IllegalOperation, "malformed request", request.error());
        else
            Q_EMIT countersChanged();
        return;
    }
    const QString shownName = printableTftpName(request->fileName);
    if (request->opcode == TftpOpcode::Wrq)
        return refuse(d, TftpError::AccessViolation, "read-only server", tr("write request for '%1'").arg(shownName));
    // The whole access check: an exact match in a fixed table. "../x", "/etc/passwd",
    // "%2e%2e/x" and anything longer than a known name simply are not keys.
    const auto file = m_files.constFind(request->fileName);
    if (file == m_files.cend() && servesSignedChain() && SignedLoaders::isRoutineProbe(request->fileName)) {
        m_socket->writeDatagram(
            encodeTftpError(TftpError::FileNotFound, "file not found"), d.senderAddress(), quint16(d.senderPort()));
        if (m_log)
            m_log->post(Severity::Debug, QStringLiteral("boot"),
                tr("TFTP: %1 asked for %2 (shim and GRUB look for it; not needed)")
                    .arg(d.senderAddress().toString(), shownName),
                QString(), QStringLiteral("tftp"));
        return;
    }
    if (file == m_files.cend())
        return refuse(d, TftpError::FileNotFound, "file not found", tr("'%1' is not served").arg(shownName));
    if (request->mode != "octet")
        return refuse(d, TftpError::IllegalOperation, "binary files: use octet mode",
            tr("'%1' asked in %2 mode").arg(shownName, QString::fromLatin1(request->mode)));
    // A request repeated before the client heard our answer (a PXE ROM resends its RRQ after
    // a second or so) is the transfer already running, not another: a second one would double
    // the traffic and, in a boot storm, fill the slots until clients are told "server busy"
    // and give up (tools/bench/storm.sh). Once the client has answered, the same request from
    // the same port is a client that started over: the old transfer goes.
    const QList<TftpTransfer *> running = m_transfers; // abort() removes one from m_transfers
    for (TftpTransfer *t : running) {
        const TftpTransferParams &p = t->params();
        if (p.client != d.senderAddress() || p.clientPort != quint16(d.senderPort()) || p.fileName != file.key())
            continue;
        if (!t->clientAnswered()) {
            ++m_repeated;
            Q_EMIT countersChanged();
            return;
        }
        t->abort(tr("the client asked for it again from the start"));
        break;
    }
    if (m_transfers.size() >= m_settings.maxTransfers)
        return refuse(
            d, TftpError::NotDefined, "server busy, retry", tr("%1 transfers already running").arg(m_transfers.size()));
    // One address must not take the slots of a whole room: a PXE ROM needs one transfer (two
    // when it asks the size first), so a handful is plenty.
    const int fromClient = int(std::count_if(m_transfers.cbegin(), m_transfers.cend(),
        [&d](const TftpTransfer *t) { return t->params().client == d.senderAddress(); }));
    if (fromClient >= m_settings.maxPerClient)
        return refuse(d, TftpError::NotDefined, "too many transfers from this address, retry",
            tr("%1 transfers from this address already running (tftp/max-per-client)").arg(fromClient));

    TftpTransferParams params;
    params.client = d.senderAddress();
    params.clientPort = quint16(d.senderPort());
    const QHostAddress to = d.destinationAddress();
    bool isV4 = false;
    const quint32 v4 = to.toIPv4Address(&isV4);
    params.local = isV4 && v4 != 0 && v4 != 0xffffffffu ? to : m_settings.address;
    params.interfaceName = m_settings.interfaceName;
    params.fileName = file.key();
    params.data = file.value();
    params.options = negotiateTftpOptions(request.value(), file.value().size(), m_settings.limits);
    params.retries = m_settings.retries;
    auto *transfer = new TftpTransfer(std::move(params), this);
    connect(transfer, &TftpTransfer::finished, this,
        [this, transfer](
            TftpTransfer::Outcome outcome, const QString &detail) { transferDone(transfer, outcome, detail); });
    connect(transfer, &TftpTransfer::strayPacket, this, [this] {
        ++m_dropped;
        Q_EMIT countersChanged();
    });
    if (Status s = transfer->start(); !s) {
        delete transfer;
        return refuse(d, TftpError::NotDefined, "cannot start transfer", s.error());
    }
    m_transfers.append(transfer);
    if (!m_tick.isActive())
        m_tick.start();
    ++m_active;
    Q_EMIT countersChanged();
}

void TftpServer::transferDone(TftpTransfer *transfer, TftpTransfer::Outcome outcome, const QString &detail)
{
    m_transfers.removeOne(transfer);
    --m_active;
    const TftpTransferParams &p = transfer->params();
    const QString name = QString::fromUtf8(p.fileName);
    const QString client = p.client.toString();
    switch (outcome) {
    case TftpTransfer::Outcome::Completed:
        ++m_completed;
        record(p.client,
            tr("sent %1 to %2: %3 bytes in %4 s (blksize %5, windowsize %6)")
                .arg(name, client)
                .arg(p.data.size())
                .arg(double(transfer->elapsedMs()) / 1000.0, 0, 'f', 2)
                .arg(p.options.blockSize)
                .arg(p.options.windowSize),
            QStringLiteral("info"));
        break;
    case TftpTransfer::Outcome::Failed:
        ++m_errors;
        record(p.client, tr("sending %1 to %2 failed: %3").arg(name, client, detail), QStringLiteral("warning"));
        break;
    case TftpTransfer::Outcome::Aborted:
        ++m_aborted;
        if (m_log)
            m_log->post(Severity::Debug, QStringLiteral("boot"), tr("TFTP: %1 to %2: %3").arg(name, client, detail),
                QString(), QStringLiteral("tftp"));
        break;
    }
    transfer->deleteLater();
    Q_EMIT transferFinished(p.client, name, outcome == TftpTransfer::Outcome::Completed);
    Q_EMIT countersChanged();
}

void TftpServer::record(const QHostAddress &client, const QString &detail, const QString &severity)
{
    const QString mac = m_resolver ? m_resolver(client) : QString();
    QString machine;
    if (m_catalog && !mac.isEmpty()) {
        if (const auto m = m_catalog->machineByMac(mac))
            machine = m->name;
    }
    const Severity level = severity == QLatin1String("info") ? Severity::Info : Severity::Warning;
    BootEvent e;
    e.time = QDateTime::currentDateTimeUtc();
    e.machine = machine;
    e.mac = mac;
    e.phase = QStringLiteral("tftp");
    e.severity = severity;
    e.detail = detail;
    if (m_recorder) {
        m_recorder->event(e, level); // it posts to the log bus too
        return;
    }
    if (m_catalog) {
        m_pendingEvents.append(e);
        if (!m_flush.isActive())
            m_flush.start();
    }
    if (m_log)
        m_log->post(level, QStringLiteral("boot"), detail, machine.isEmpty() ? mac : machine, QStringLiteral("tftp"));
}

void TftpServer::flushEvents()
{
    if (m_pendingEvents.isEmpty() || !m_catalog)
        return;
    const QList<BootEvent> events = std::exchange(m_pendingEvents, {});
    QSqlDatabase db = m_catalog->database();
    const bool batched = db.transaction();
    QString failure;
    for (const BootEvent &e : events) {
        if (auto added = m_catalog->addEvent(e); !added && failure.isEmpty())
            failure = added.error();
    }
    if (batched && !db.commit()) {
        failure = tr("TFTP: cannot record %1 boot events: %2").arg(events.size()).arg(db.lastError().text());
        db.rollback();
    }
    if (!failure.isEmpty() && m_log)
        m_log->post(Severity::Error, QStringLiteral("catalog"), failure, QString(), QStringLiteral("tftp"));
}

} // namespace drover
