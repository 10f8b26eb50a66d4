// HttpEngine: a small HTTP/1.1 server built for the boot path. Connections are plain non-
// blocking sockets driven by QSocketNotifiers on one or more worker threads (never the GUI
// thread); file bodies go out with sendfile(2) as the socket drains, so a 2 GB layer costs
// no memory and no copy through user space, and one slow client never holds up the others.
// Keep-alive and pipelining, bounded heads, and timeouts for clients that stall.
//
// The engine knows nothing about boots: a Handler turns each parsed request into a Response.
#pragma once

#include "boot/http/httprequest.h"
#include "util/result.h"

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QPair>

#include <atomic>
#include <functional>
#include <memory>

class QThread;

namespace drover::http {

struct Peer {
    QHostAddress address;
    quint16 port = 0;
    QHostAddress localAddress; // the address the client reached us on
    quint16 localPort = 0;
};

struct Response {
    int status = 200;
    QByteArray contentType;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body; // a small body, sent from memory
    // A streamed body: an open file descriptor the engine owns and closes, and the slice of
    // the file to send.
    int fileFd = -1;
    qint64 fileOffset = 0;
    qint64 fileLength = 0;
    bool headOnly = false; // HEAD: the headers of the response GET would give
    bool close = false; // close the connection after this response
    // Called once on the worker thread when the response is over: body bytes sent and
    // whether all of them went out.
    std::function<void(qint64 bodyBytes, bool complete)> done;

    static Response text(int status, const QByteArray &body, bool close = false);
};

using Handler = std::function<Response(const Request &request, const Peer &peer)>;
// Told about requests refused before a handler saw them (malformed, too large, timed out).
using RejectHook = std::function<void(int status, const QByteArray &reason, const Peer &peer)>;

struct EngineSettings {
    QHostAddress address = QHostAddress::Any;
    quint16 port = 8080; // 0: any free port
    int threads = 1;
    Limits limits;
    // Bounds (the boot server fills them from the settings in ResourceLimits). A connection
    // over either cap is answered 503 and closed at once.
    int maxConnections = 2048; // open at once, in all
    int maxPerClient = 256; // open at once from one client address
    int headTimeoutMs = 10'000; // a request head, once begun, must be complete within this
    // A connection with no request in progress (new, or kept alive after a response) is
    // closed after this long without a complete request: slowloris holds nothing for long.
    int idleTimeoutMs = 10'000;
    // A client reading its response must take at least stallMinBytes in every stallTimeoutMs,
    // or it is dropped: a legitimately slow link passes, one that holds a body open does not.
    int stallTimeoutMs = 30'000;
    qint64 stallMinBytes = 16384;
};

struct EngineCounters {
    quint64 connections = 0; // accepted since start
    quint64 active = 0; // open now
    quint64 requests = 0;
    quint64 errors = 0; // responses with status >= 400, and refused requests
    quint64 dropped = 0; // connections closed for timeouts or over the limit
    quint64 bytesSent = 0;
    quint64 refused = 0; // connections refused at accept (over maxConnections or maxPerClient)
};

class Worker;

class HttpEngine final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpEngine)
public:
    explicit HttpEngine(Handler handler, RejectHook reject = {}, QObject *parent = nullptr);
    ~HttpEngine() override;

    Status start(const EngineSettings &settings);
    void stop();
    bool isRunning() const { return !m_threads.isEmpty(); }
    quint16 port() const { return m_port; }
    EngineCounters counters() const;

    struct Shared {
        Handler handler;
        RejectHook reject;
        EngineSettings settings;
        std::atomic<quint64> connections { 0 }, active { 0 }, requests { 0 }, errors { 0 }, dropped { 0 },
            bytesSent { 0 }, refused { 0 };
        // Open connections per client address: taken by the listener, given back by a
        // connection's worker when it closes.
        QMutex perClientLock;
        QHash<QHostAddress, int> perClient;
        bool takeSlot(const QHostAddress &client);
        void giveSlot(const QHostAddress &client);
    };

private:
    std::shared_ptr<Shared> m_shared;
    QList<QThread *> m_threads;
    QList<Worker *> m_workers;
    quint16 m_port = 0;
};

} // namespace drover::http
