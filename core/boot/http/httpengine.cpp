// The engine's workers and connections. Each worker keeps its sockets in an epoll set of its
// own and hands Qt a single notifier, on the epoll descriptor: Qt's event loop polls one
// descriptor however many clients are connected, and opening or closing a connection costs
// one epoll_ctl instead of creating and destroying socket notifiers. Interest in writing is
// on only while output is pending, so an idle server costs nothing. Responses are written in
// place; bodies from files go out with sendfile(2), at most kWriteBudget bytes per turn so
// many downloads share a thread fairly.
#include "boot/http/httpengine.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QLocale>
#include <QSet>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QThread>
#include <QTimeZone>
#include <QTimer>

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

namespace drover::http {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(HttpEngine)
};

constexpr qint64 kWriteBudget = 8 << 20;
constexpr qint64 kSendfileChunk = 4 << 20;

QHostAddress addressOf(const sockaddr_storage &ss, quint16 *port)
{
    QHostAddress address;
    if (ss.ss_family == AF_INET) {
        const auto *in = reinterpret_cast<const sockaddr_in *>(&ss);
        address.setAddress(ntohl(in->sin_addr.s_addr));
        *port = ntohs(in->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        const auto *in6 = reinterpret_cast<const sockaddr_in6 *>(&ss);
        address.setAddress(reinterpret_cast<const quint8 *>(&in6->sin6_addr));
        *port = ntohs(in6->sin6_port);
        // A v4 client on a dual-stack socket shows as ::ffff:a.b.c.d.
        bool ok = false;
        const quint32 v4 = address.toIPv4Address(&ok);
        if (ok)
            address.setAddress(v4);
    }
    return address;
}

Peer peerOf(int fd)
{
    Peer peer;
    sockaddr_storage ss {};
    socklen_t len = sizeof ss;
    if (::getpeername(fd, reinterpret_cast<sockaddr *>(&ss), &len) == 0)
        peer.address = addressOf(ss, &peer.port);
    len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len) == 0)
        peer.localAddress = addressOf(ss, &peer.localPort);
    return peer;
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

Response Response::text(int status, const QByteArray &body, bool close)
{
    Response r;
    r.status = status;
    r.contentType = "text/plain; charset=utf-8";
    r.body = body;
    r.close = close;
    return r;
}

bool HttpEngine::Shared::takeSlot(const QHostAddress &client)
{
    QMutexLocker lock(&perClientLock);
    int &count = perClient[client];
    if (count >= settings.maxPerClient) {
        if (count == 0)
            perClient.remove(client);
        return false;
    }
    ++count;
    return true;
}

void HttpEngine::Shared::giveSlot(const QHostAddress &client)
{
    QMutexLocker lock(&perClientLock);
    const auto it = perClient.find(client);
    if (it != perClient.end() && --*it <= 0)
        perClient.erase(it);
}

class Connection;

// One thread's share of the connections.
class Worker final : public QObject {
public:
    explicit Worker(std::shared_ptr<HttpEngine::Shared> shared)
        : m_shared(std::move(shared))
    { }
    ~Worker() override;

    void start()
    {
        // sendfile(2) has no MSG_NOSIGNAL: a client that resets its connection in the middle of
        // a file body raises SIGPIPE on this thread, and its default action ends the whole
        // program (GRUB reading an ISO did; any client can). Blocked here, it
        // stays pending and harmless, and sendfile's EPIPE closes the connection.
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
        m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
        m_events = new QSocketNotifier(qintptr(m_epoll), QSocketNotifier::Read, this);
        connect(m_events, &QSocketNotifier::activated, this, &Worker::dispatch);
        m_sweep = new QTimer(this);
        m_sweep->setInterval(1000);
        connect(m_sweep, &QTimer::timeout, this, &Worker::sweep);
        m_sweep->start();
    }
    void adopt(int fd, const Peer &peer);
    void closeAll();
    void forget(Connection *c) { m_connections.remove(c); }
    HttpEngine::Shared &shared() { return *m_shared; }
    const QByteArray &dateHeader();
    // Interest of `c` in its socket: added, changed, or removed (events 0 and remove).
    void watch(Connection *c, int fd, bool read, bool write, bool add);
    void unwatch(int fd) { ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr); }

private:
    void sweep();
    void dispatch();

    std::shared_ptr<HttpEngine::Shared> m_shared;
    QSet<Connection *> m_connections;
    int m_epoll = -1;
    QSocketNotifier *m_events = nullptr;
    QTimer *m_sweep = nullptr;
    qint64 m_dateSecond = -1;
    QByteArray m_date;
};

class Connection final : public QObject {
public:
    // The listener has taken a slot of peer.address for this connection; release gives it back.
    Connection(int fd, Worker *worker, Peer peer)
        : QObject(worker)
        , m_fd(fd)
        , m_worker(worker)
        , m_peer(std::move(peer))
    {
        m_lastActivity = nowMs();
        m_worker->watch(this, fd, true, false, true);
    }

    ~Connection() override { release(false); }

    // Called once a second: drops clients that stall.
    void checkTimeouts(qint64 now)
    {
        const EngineSettings &s = m_worker->shared().settings;
        if (m_busy) {
            // Progress is judged per period: too few bytes taken in one, and the client goes.
            if (now - m_windowStart >= s.stallTimeoutMs) {
                if (m_windowBytes < s.stallMinBytes) {
                    drop();
                    return;
                }
                m_windowStart = now;
                m_windowBytes = 0;
            }
        } else if (m_headStart >= 0) {
            if (now - m_headStart > s.headTimeoutMs) {
                reject(408, "request head not complete in time");
            }
        } else if (now - m_lastActivity > s.idleTimeoutMs) {
            drop();
        }
    }

    void drop()
    {
        m_worker->shared().dropped.fetch_add(1, std::memory_order_relaxed);
        closeNow();
    }

    void closeNow()
    {
        release(false);
        m_worker->forget(this);
        deleteLater();
    }

    void onReadable()
    {
        const Limits &limits = m_worker->shared().settings.limits;
        const qsizetype cap = qsizetype(limits.maxHeadBytes) * 2 + limits.maxBody;
        char buffer[16384];
        while (m_fd >= 0) {
            const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
            if (n > 0) {
                m_in.append(buffer, n);
                m_lastActivity = nowMs();
                if (m_headStart < 0)
                    m_headStart = m_lastActivity;
                if (m_in.size() >= cap) {
                    // Enough buffered: read more once this is dealt with.
                    setRead(false);
                    break;
                }
                continue;
            }
            if (n == 0) {
                m_peerClosed = true;
                setRead(false);
                break;
            }
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            closeNow();
            return;
        }
        process();
        if (m_fd >= 0 && m_peerClosed && !m_busy)
            closeNow();
    }

    void onWritable()
    {
        if (m_fd < 0)
            return;
        setWrite(false);
        flush();
    }

private:
    void setRead(bool on)
    {
        if (m_fd >= 0 && on != m_wantRead) {
            m_wantRead = on;
            m_worker->watch(this, m_fd, m_wantRead, m_wantWrite, false);
        }
    }
    void setWrite(bool on)
    {
        if (m_fd >= 0 && on != m_wantWrite) {
            m_wantWrite = on;
            m_worker->watch(this, m_fd, m_wantRead, m_wantWrite, false);
        }
    }

    void process()
    {
        if (m_processing)
            return;
        m_processing = true;
        HttpEngine::Shared &shared = m_worker->shared();
        while (m_fd >= 0 && !m_busy && !m_in.isEmpty()) {
            ParseResult r = parseRequest(m_in, shared.settings.limits);
            if (r.state == ParseResult::State::Incomplete) {
                if (m_in.size() >= qsizetype(shared.settings.limits.maxHeadBytes) * 2)
                    reject(431, "request head too large");
                break;
            }
            if (r.state == ParseResult::State::Error) {
                reject(r.status, r.reason);
                break;
            }
            if (r.request.contentLength > 0) {
                // The body must arrive within the head's time as well; until it has, wait.
                if (m_in.size() - r.consumed < r.request.contentLength)
                    break;
                r.request.body = m_in.mid(r.consumed, r.request.contentLength);
                r.consumed += r.request.contentLength;
            }
            m_in.remove(0, r.consumed);
            m_headStart = m_in.isEmpty() ? -1 : nowMs();
            shared.requests.fetch_add(1, std::memory_order_relaxed);
            Response response = shared.handler(r.request, m_peer);
            response.headOnly = response.headOnly || r.request.isHead();
            response.close = response.close || !r.request.keepAlive;
            send(std::move(response), r.request.minorVersion, r.request.keepAlive);
        }
        m_processing = false;
        if (m_fd >= 0 && !m_busy && !m_peerClosed)
            setRead(true);
    }

    void reject(int status, const QByteArray &reason)
    {
        HttpEngine::Shared &shared = m_worker->shared();
        if (shared.reject)
            shared.reject(status, reason, m_peer);
        m_in.clear();
        m_headStart = -1;
        setRead(false);
        send(Response::text(status, reasonPhrase(status) + ": " + reason + '\n', true), 1, false);
    }

    void send(Response &&r, int minorVersion, bool keepAlive)
    {
        HttpEngine::Shared &shared = m_worker->shared();
        if (r.status >= 400)
            shared.errors.fetch_add(1, std::memory_order_relaxed);
        const qint64 length = r.fileFd >= 0 ? r.fileLength : r.body.size();
        QByteArray &out = m_out;
        out.reserve(256 + (r.headOnly ? 0 : r.body.size()));
        out += "HTTP/1.1 " + QByteArray::number(r.status) + ' ' + reasonPhrase(r.status) + "\r\n";
        out += m_worker->dateHeader();
        out += "Server: drover\r\n";
        if (!r.contentType.isEmpty())
            out += "Content-Type: " + r.contentType + "\r\n";
        if (r.status != 304 && r.status != 204)
            out += "Content-Length: " + QByteArray::number(length) + "\r\n";
        for (const auto &h : r.headers)
            out += h.first + ": " + h.second + "\r\n";
        if (r.close)
            out += "Connection: close\r\n";
        else if (minorVersion == 0 && keepAlive)
            out += "Connection: keep-alive\r\n";
        out += "\r\n";
        if (!r.headOnly && r.fileFd < 0)
            out += r.body;
        m_outPos = 0;
        if (r.fileFd >= 0 && !r.headOnly) {
            m_file = r.fileFd;
            m_fileOffset = r.fileOffset;
            m_fileLeft = r.fileLength;
        } else if (r.fileFd >= 0) {
            ::close(r.fileFd);
        }
        m_bodySent = 0;
        m_closeAfter = r.close;
        m_done = std::move(r.done);
        m_busy = true;
        m_windowStart = nowMs();
        m_windowBytes = 0;
        flush();
    }

    void flush()
    {
        // One loop for the head (with a body held in memory) and then a file body: both need
        // the same counting and the same answer to EINTR, a full socket and an error. Only
        // the file's part is bounded by kWriteBudget.
        HttpEngine::Shared &shared = m_worker->shared();
        qint64 budget = kWriteBudget;
        while (m_outPos < m_out.size() || m_fileLeft > 0) {
            const bool head = m_outPos < m_out.size();
            off_t offset = off_t(m_fileOffset);
            const ssize_t n = head
                ? ::send(m_fd, m_out.constData() + m_outPos, size_t(m_out.size() - m_outPos), MSG_NOSIGNAL)
                : ::sendfile(m_fd, m_file, &offset, size_t(qMin(m_fileLeft, kSendfileChunk)));
            if (n > 0) {
                if (head) {
                    m_outPos += n;
                } else {
                    m_fileOffset += n;
                    m_fileLeft -= n;
                    m_bodySent += n;
                    budget -= n;
                }
                m_windowBytes += n;
                shared.bytesSent.fetch_add(quint64(n), std::memory_order_relaxed);
                m_lastActivity = nowMs();
                if (!head && budget <= 0 && m_fileLeft > 0) {
                    // Let the other connections of this thread have a turn.
                    setWrite(true);
                    return;
                }
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                setWrite(true);
                return;
            }
            // An error, or sendfile's n == 0: the file is shorter than it was when opened; the
            // client cannot get what Content-Length promised, so the connection ends.
            closeNow();
            return;
        }
        finish();
    }

    void finish()
    {
        m_out.clear();
        m_outPos = 0;
        if (m_file >= 0) {
            ::close(m_file);
            m_file = -1;
        }
        m_busy = false;
        if (auto done = std::move(m_done)) {
            m_done = nullptr;
            done(m_bodySent, true);
        }
        if (m_closeAfter || m_peerClosed) {
            closeNow();
            return;
        }
        process();
    }

    void release(bool)
    {
        if (m_fd < 0)
            return;
        m_worker->unwatch(m_fd);
        ::close(m_fd);
        m_fd = -1;
        if (m_file >= 0) {
            ::close(m_file);
            m_file = -1;
        }
        m_worker->shared().active.fetch_sub(1, std::memory_order_relaxed);
        m_worker->shared().giveSlot(m_peer.address);
        if (auto done = std::move(m_done)) {
            m_done = nullptr;
            done(m_bodySent, false);
        }
    }

    int m_fd;
    Worker *m_worker;
    Peer m_peer;
    bool m_wantRead = true;
    bool m_wantWrite = false;
    QByteArray m_in;
    QByteArray m_out;
    qsizetype m_outPos = 0;
    int m_file = -1;
    qint64 m_fileOffset = 0;
    qint64 m_fileLeft = 0;
    qint64 m_bodySent = 0;
    std::function<void(qint64, bool)> m_done;
    bool m_busy = false;
    bool m_closeAfter = false;
    bool m_peerClosed = false;
    bool m_processing = false;
    qint64 m_headStart = -1;
    qint64 m_lastActivity = 0;
    qint64 m_windowStart = 0; // the current period of the slow-transfer check
    qint64 m_windowBytes = 0; // … and the bytes the client took in it
};

Worker::~Worker()
{
    // Before the members go: a connection's teardown reads the shared counters.
    const auto all = m_connections;
    for (Connection *c : all)
        delete c;
    delete m_events;
    if (m_epoll >= 0)
        ::close(m_epoll);
}

void Worker::adopt(int fd, const Peer &peer)
{
    m_connections.insert(new Connection(fd, this, peer));
}

void Worker::closeAll()
{
    const auto all = m_connections;
    for (Connection *c : all)
        c->closeNow();
    m_connections.clear();
    if (m_sweep)
        m_sweep->stop();
}

void Worker::watch(Connection *c, int fd, bool read, bool write, bool add)
{
    epoll_event ev {};
    ev.events = (read ? uint32_t(EPOLLIN | EPOLLRDHUP) : 0u) | (write ? uint32_t(EPOLLOUT) : 0u);
    ev.data.ptr = c;
    ::epoll_ctl(m_epoll, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
}

void Worker::dispatch()
{
    // Level-triggered, so whatever is left for the next turn is reported again. A connection
    // closed while this batch runs is only deleteLater'd, so its pointer stays valid here.
    epoll_event events[128];
    const int n = ::epoll_wait(m_epoll, events, 128, 0);
    for (int i = 0; i < n; ++i) {
        auto *c = static_cast<Connection *>(events[i].data.ptr);
        const uint32_t e = events[i].events;
        if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
            c->onReadable();
        if (e & (EPOLLOUT | EPOLLHUP | EPOLLERR))
            c->onWritable();
    }
}

void Worker::sweep()
{
    const qint64 now = nowMs();
    const auto all = m_connections;
    for (Connection *c : all)
        c->checkTimeouts(now);
}

const QByteArray &Worker::dateHeader()
{
    const qint64 second = nowMs() / 1000;
    if (second != m_dateSecond) {
        m_dateSecond = second;
        const QDateTime utc = QDateTime::fromSecsSinceEpoch(second, QTimeZone::UTC);
        m_date = "Date: " + QLocale::c().toString(utc, QStringLiteral("ddd, dd MMM yyyy hh:mm:ss")).toLatin1()
            + " GMT\r\n";
    }
    return m_date;
}

// Accepts on the first worker's thread and deals connections out round-robin.
class Listener final : public QTcpServer {
public:
    Listener(std::shared_ptr<HttpEngine::Shared> shared, QList<Worker *> workers)
        : m_shared(std::move(shared))
        , m_workers(std::move(workers))
    { }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        const int fd = int(descriptor);
        Peer peer = peerOf(fd);
        if (m_shared->active.load(std::memory_order_relaxed) >= quint64(m_shared->settings.maxConnections)) {
            refuse(fd, "503 the server is at its connection limit");
            return;
        }
        if (!m_shared->takeSlot(peer.address)) {
            refuse(fd, "503 too many connections from your address");
            return;
        }
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        m_shared->connections.fetch_add(1, std::memory_order_relaxed);
        m_shared->active.fetch_add(1, std::memory_order_relaxed);
        Worker *worker = m_workers.at(m_next++ % m_workers.size());
        if (worker->thread() == QThread::currentThread())
            worker->adopt(fd, peer);
        else
            QMetaObject::invokeMethod(worker, [worker, fd, peer] { worker->adopt(fd, peer); }, Qt::QueuedConnection);
    }

private:
    // Over a cap: one non-blocking write of a 503 (a client can tell why), then close. Never
    // waits and never reads: a flood costs an accept, a send and a close each.
    void refuse(int fd, const QByteArray &statusLine)
    {
        m_shared->refused.fetch_add(1, std::memory_order_relaxed);
        const QByteArray text = statusLine.mid(4) + '\n';
        const QByteArray response = "HTTP/1.1 " + statusLine.left(3) + " Service Unavailable\r\nContent-Type: "
            + "text/plain; charset=utf-8\r\nContent-Length: " + QByteArray::number(text.size())
            + "\r\nRetry-After: 5\r\nConnection: close\r\n\r\n" + text;
        (void)::send(fd, response.constData(), size_t(response.size()), MSG_DONTWAIT | MSG_NOSIGNAL);
        ::close(fd);
    }

    std::shared_ptr<HttpEngine::Shared> m_shared;
    QList<Worker *> m_workers;
    qsizetype m_next = 0;
};

HttpEngine::HttpEngine(Handler handler, RejectHook reject, QObject *parent)
    : QObject(parent)
    , m_shared(std::make_shared<Shared>())
{
    m_shared->handler = std::move(handler);
    m_shared->reject = std::move(reject);
}

HttpEngine::~HttpEngine()
{
    stop();
}

Status HttpEngine::start(const EngineSettings &settings)
{
    if (isRunning())
        return Status::failure(Text::tr("the HTTP server is running already"));
    // Fresh counters and settings for this run; the handler stays.
    auto shared = std::make_shared<Shared>();
    shared->handler = m_shared->handler;
    shared->reject = m_shared->reject;
    shared->settings = settings;
    m_shared = shared;

    const int threads = qBound(1, settings.threads, 16);
    for (int i = 0; i < threads; ++i) {
        auto *thread = new QThread(this);
        thread->setObjectName(QStringLiteral("drover-http-%1").arg(i));
        auto *worker = new Worker(shared);
        worker->moveToThread(thread);
        connect(thread, &QThread::finished, worker, &QObject::deleteLater);
        thread->start();
        QMetaObject::invokeMethod(worker, [worker] { worker->start(); }, Qt::BlockingQueuedConnection);
        m_threads.append(thread);
        m_workers.append(worker);
    }
    Worker *first = m_workers.first();
    QString failure;
    quint16 port = 0;
    QMetaObject::invokeMethod(
        first,
        [&] {
            auto *listener = new Listener(shared, m_workers);
            listener->setParent(first);
            listener->setListenBacklogSize(1024);
            if (!listener->listen(settings.address, settings.port)) {
                const bool privileged = settings.port < 1024;
                if (listener->serverError() == QAbstractSocket::AddressInUseError)
                    failure = Text::tr("HTTP port %1 is in use by another program; stop it or choose another port")
                                  .arg(settings.port);
                else if (listener->serverError() == QAbstractSocket::SocketAccessError && privileged)
                    failure = Text::tr("HTTP port %1 needs root or the CAP_NET_BIND_SERVICE capability "
                                       "(setcap cap_net_bind_service=+ep on the drover binary), or choose a port "
                                       "above 1023")
                                  .arg(settings.port);
                else
                    failure
                        = Text::tr("cannot listen on HTTP port %1: %2").arg(settings.port).arg(listener->errorString());
                delete listener;
                return;
            }
            port = listener->serverPort();
        },
        Qt::BlockingQueuedConnection);
    if (!failure.isEmpty()) {
        stop();
        return Status::failure(failure);
    }
    m_port = port;
    return {};
}

void HttpEngine::stop()
{
    // The listener first, so no connection is dealt out to a worker that has closed down.
    if (!m_workers.isEmpty()) {
        Worker *first = m_workers.first();
        QMetaObject::invokeMethod(
            first, [first] { qDeleteAll(first->findChildren<QTcpServer *>()); }, Qt::BlockingQueuedConnection);
    }
    for (Worker *worker : std::as_const(m_workers))
        QMetaObject::invokeMethod(worker, [worker] { worker->closeAll(); }, Qt::BlockingQueuedConnection);
    for (QThread *thread : std::as_const(m_threads)) {
        thread->quit();
        thread->wait();
        delete thread;
    }
    m_threads.clear();
    m_workers.clear();
    m_port = 0;
}

EngineCounters HttpEngine::counters() const
{
    const Shared &s = *m_shared;
    return EngineCounters { s.connections.load(), s.active.load(), s.requests.load(), s.errors.load(), s.dropped.load(),
        s.bytesSent.load(), s.refused.load() };
}

} // namespace drover::http
