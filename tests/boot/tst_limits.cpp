// The resource limits of docs/security.md, one rule at a time: the settings and their
// defaults; DHCP DECLINE honoured only from the lease holder, with a quarantine that ends
// (both backends); boot-event retention by count and age (both backends); the auto-
// registration rate; and the HTTP engine's per-address cap, idle and slow-transfer
// deadlines, with 3,000 idle connections from loopback beside a client that still gets its
// script and blob. (TFTP's timeout bound and per-client cap are in tst_tftpserver.)
#include "boot/bootdecision.h"
#include "boot/bootindex.h"
#include "boot/bootrecorder.h"
#include "boot/dhcp/dhcpleases.h"
#include "boot/http/httpbootserver.h"
#include "boot/http/httpengine.h"
#include "boot/resourcelimits.h"
#include "catalog/catalog.h"
#include "runtime/filelimit.h"
#include "testlab.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryFile>
#include <QTest>

#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace drover;
using namespace drover::test;

namespace {

quint32 ip(const char *text)
{
    return QHostAddress(QString::fromLatin1(text)).toIPv4Address();
}

// A blocking TCP connection from `source` (any 127.x.y.z is this host) to 127.0.0.1:port.
int connectFrom(const QByteArray &source, quint16 port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    sockaddr_in from {};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.constData(), &from.sin_addr);
    sockaddr_in to {};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr *>(&from), sizeof from) != 0
        || ::connect(fd, reinterpret_cast<sockaddr *>(&to), sizeof to) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool sendAll(int fd, const QByteArray &data)
{
    qsizetype at = 0;
    while (at < data.size()) {
        const ssize_t n = ::send(fd, data.constData() + at, size_t(data.size() - at), MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        at += n;
    }
    return true;
}

// Reads until the peer closes or `timeoutMs` passes; *closed says which.
QByteArray readUntilClosed(int fd, int timeoutMs, bool *closed)
{
    QByteArray data;
    QElapsedTimer clock;
    clock.start();
    *closed = false;
    char buffer[65536];
    while (clock.elapsed() < timeoutMs) {
        pollfd p { fd, POLLIN, 0 };
        if (::poll(&p, 1, int(qMax<qint64>(1, timeoutMs - clock.elapsed()))) <= 0)
            continue;
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n > 0) {
            data.append(buffer, n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        *closed = true; // EOF, or a reset
        break;
    }
    return data;
}

// GET path with Connection: close from `source`; the whole response, or empty.
QByteArray httpGet(const QByteArray &source, quint16 port, const QByteArray &path, int timeoutMs = 20000)
{
    const int fd = connectFrom(source, port);
    if (fd < 0)
        return {};
    QByteArray out;
    bool closed = false;
    if (sendAll(fd, "GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"))
        out = readUntilClosed(fd, timeoutMs, &closed);
    ::close(fd);
    return closed ? out : QByteArray();
}

QByteArray bodyOf(const QByteArray &response)
{
    const qsizetype end = response.indexOf("\r\n\r\n");
    return end < 0 ? QByteArray() : response.mid(end + 4);
}

struct Fds {
    QList<int> fds;
    ~Fds()
    {
        for (int fd : std::as_const(fds))
            ::close(fd);
    }
};

const QByteArray kScript = "#!ipxe\nkernel /blobs/k\ninitrd /blobs/i\nboot\n";

} // namespace

class TstLimits : public QObject {
    Q_OBJECT

private:
    QTemporaryFile m_blob;
    QByteArray m_blobData;

    // An engine that answers /script from memory and /blob from a file, like the boot routes.
    std::unique_ptr<http::HttpEngine> engine(const http::EngineSettings &settings)
    {
        const QString blobPath = m_blob.fileName();
        auto e = std::make_unique<http::HttpEngine>([blobPath](const http::Request &request, const http::Peer &) {
            if (request.path == "/script")
                return http::Response::text(200, kScript);
            if (request.path == "/blob") {
                http::Response r;
                r.fileFd = ::open(QFile::encodeName(blobPath).constData(), O_RDONLY | O_CLOEXEC);
                r.fileLength = QFileInfo(blobPath).size();
                r.contentType = "application/octet-stream";
                return r;
            }
            return http::Response::text(404, "not here\n");
        });
        const Status started = e->start(settings);
        if (!started)
            qFatal("engine: %s", qPrintable(started.error()));
        return e;
    }

    static http::EngineSettings loopback()
    {
        http::EngineSettings s;
        s.address = QHostAddress::LocalHost;
        s.port = 0;
        s.threads = 2;
        return s;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const FileLimit files = raiseFileLimit();
        qInfo("open-file limit %lld (was %lld, hard %lld)", files.now, files.before, files.hard);
        QVERIFY2(files.now >= 8000, "the 3,000-connection test needs about 6,500 descriptors");
        m_blobData.resize(4 << 20);
        for (char &c : m_blobData)
            c = char(QRandomGenerator::global()->bounded(256));
        QVERIFY(m_blob.open());
        QCOMPARE(m_blob.write(m_blobData), m_blobData.size());
        QVERIFY(m_blob.flush());
    }

    // Each limit is a named setting with a default; unreadable values keep the default, out
    // of range ones are clamped.
    void settings_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value"); // empty: unset
        QTest::addColumn<int>("expected");
        QTest::newRow("decline quarantine default")
            << QStringLiteral("dhcp/decline-quarantine") << QStringLiteral("") << 600;
        QTest::newRow("decline quarantine set")
            << QStringLiteral("dhcp/decline-quarantine") << QStringLiteral("120") << 120;
        QTest::newRow("decline quarantine too short")
            << QStringLiteral("dhcp/decline-quarantine") << QStringLiteral("0") << 10;
        QTest::newRow("tftp timeout bound default") << QStringLiteral("tftp/max-timeout") << QStringLiteral("") << 5;
        QTest::newRow("tftp per client default") << QStringLiteral("tftp/max-per-client") << QStringLiteral("") << 8;
        QTest::newRow("tftp per client garbage")
            << QStringLiteral("tftp/max-per-client") << QStringLiteral("many") << 8;
        QTest::newRow("tftp transfers default") << QStringLiteral("tftp/max-transfers") << QStringLiteral("") << 500;
        QTest::newRow("http per client default") << QStringLiteral("http/max-per-client") << QStringLiteral("") << 256;
        QTest::newRow("http per client zero") << QStringLiteral("http/max-per-client") << QStringLiteral("0") << 1;
        QTest::newRow("http connections default")
            << QStringLiteral("http/max-connections") << QStringLiteral("") << 16384;
        QTest::newRow("http idle default") << QStringLiteral("http/idle-timeout") << QStringLiteral("") << 10;
        QTest::newRow("http idle set") << QStringLiteral("http/idle-timeout") << QStringLiteral(" 3 ") << 3;
        QTest::newRow("http stall default") << QStringLiteral("http/stall-timeout") << QStringLiteral("") << 30;
        QTest::newRow("http stall bytes default") << QStringLiteral("http/stall-bytes") << QStringLiteral("") << 16384;
        QTest::newRow("events count default") << QStringLiteral("events/max-count") << QStringLiteral("") << 200000;
        QTest::newRow("events count huge")
            << QStringLiteral("events/max-count") << QStringLiteral("99999999999") << 100000000;
        QTest::newRow("events age default") << QStringLiteral("events/max-age-days") << QStringLiteral("") << 90;
        QTest::newRow("registrations default")
            << QStringLiteral("boot/register-per-minute") << QStringLiteral("") << 30;
        QTest::newRow("registrations negative")
            << QStringLiteral("boot/register-per-minute") << QStringLiteral("-5") << 1;
    }
    void settings()
    {
        QFETCH(QString, key);
        QFETCH(QString, value);
        QString why;
        TestLab t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(t.lab, qPrintable(why));
        if (!value.isEmpty())
            QVERIFY(t.lab->catalog()->setSetting(key, value).ok());
        const ResourceLimits limits = ResourceLimits::fromCatalog(*t.lab->catalog());
        bool found = false;
        for (const ResourceLimits::Key &k : ResourceLimits::keys()) {
            if (QLatin1String(k.key) == key) {
                found = true;
                QTEST(limits.*k.field, "expected");
            }
        }
        QVERIFY2(found, qPrintable(key));
    }

    // A DECLINE names an address in option 50; anyone can send one for any address. Only the
    // client holding that address's lease is believed, and only for the quarantine time.
    void declineOnlyFromHolder_data() { addBackendRows(); }
    void declineOnlyFromHolder()
    {
        QFETCH(QString, backend);
        QString why;
        TestLab t = openTestLab(backend, &why);
        QVERIFY2(t.lab, qPrintable(why));
        const DhcpPool pool { ip("10.9.0.10"), ip("10.9.0.19"), {} };
        DhcpLeases leases(t.lab->catalog(), pool, 3600, 1); // quarantine 1 s for the test
        const QString holder = QStringLiteral("02:00:00:00:00:01");
        auto offered = leases.offer(holder, 0);
        QVERIFY2(offered.ok(), qPrintable(offered.error()));
        QVERIFY(leases.bind(holder, offered.value()).ok());
        const quint32 held = offered.value();

        // 100 DECLINEs from other MACs, for every address of the pool: all refused.
        for (int i = 0; i < 100; ++i) {
            const QString other = QStringLiteral("02:00:00:00:01:%1").arg(i % 100, 2, 10, QLatin1Char('0'));
            const Status s = leases.decline(other, pool.first + quint32(i % 10));
            QVERIFY(!s.ok());
            QVERIFY2(s.error().contains(QLatin1String("does not hold")), qPrintable(s.error()));
        }
        // The pool is whole: nine more clients get the nine other addresses.
        QSet<quint32> handedOut { held };
        for (int i = 0; i < 9; ++i) {
            auto a = leases.offer(QStringLiteral("02:00:00:00:02:%1").arg(i, 2, 10, QLatin1Char('0')), 0);
            QVERIFY2(a.ok(), qPrintable(a.error()));
            handedOut.insert(a.value());
        }
        QCOMPARE(handedOut.size(), 10);
        // An address outside the range is refused too.
        QVERIFY(!leases.decline(holder, ip("10.9.1.1")).ok());

        // The holder's own DECLINE quarantines its address …
        QVERIFY(leases.decline(holder, held).ok());
        QVERIFY(leases.isQuarantined(held));
        QVERIFY(!leases.bind(holder, held).ok());
        QVERIFY(!leases.offer(QStringLiteral("02:00:00:00:03:01"), held).ok()); // the pool has nothing else free
        // … until the quarantine ends; then it is in the pool again.
        QTRY_VERIFY_WITH_TIMEOUT(!leases.isQuarantined(held), 3000);
        auto back = leases.offer(QStringLiteral("02:00:00:00:03:01"), held);
        QVERIFY2(back.ok(), qPrintable(back.error()));
        QCOMPARE(back.value(), held);
    }

    // Retention by count and by age, in batches, on both backends.
    void retention_data() { addBackendRows(); }
    void retention()
    {
        QFETCH(QString, backend);
        QString why;
        TestLab t = openTestLab(backend, &why);
        QVERIFY2(t.lab, qPrintable(why));
        Catalog *c = t.lab->catalog();
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QList<BootEvent> events;
        for (int i = 0; i < 1500; ++i) {
            BootEvent e;
            // The first 300 are 100 days old, the rest recent.
            e.time = i < 300 ? now.addDays(-100) : now.addSecs(-1500 + i);
            e.phase = QStringLiteral("dhcp");
            e.detail = QString::number(i);
            events.append(e);
        }
        QVERIFY(c->addEvents(events).ok());
        QVERIFY(c->setSetting(QStringLiteral("events/max-count"), QStringLiteral("1000")).ok());

        // The catalog's own batches: small ones, all of them needed.
        auto byAge = c->pruneEvents(-1, now.addDays(-90).toMSecsSinceEpoch(), 7, 1000);
        QVERIFY2(byAge.ok(), qPrintable(byAge.error()));
        QCOMPARE(byAge.value(), qint64(300));

        // The recorder prunes to the settings: 1,200 left, the newest 1,000 stay.
        BootRecorder recorder(c, t.lab->log());
        auto pruned = recorder.pruneNow();
        QVERIFY2(pruned.ok(), qPrintable(pruned.error()));
        QCOMPARE(pruned.value(), qint64(200));
        const QList<BootEvent> left = c->events(EventFilter { {}, {}, 0, 5000 });
        QCOMPARE(left.size(), 1000);
        QCOMPARE(left.first().detail, QStringLiteral("500"));
        QCOMPARE(left.last().detail, QStringLiteral("1499"));
        // Nothing more to do, and a second run deletes nothing.
        auto again = recorder.pruneNow();
        QVERIFY(again.ok());
        QCOMPARE(again.value(), qint64(0));
        // The age bound from the setting: one row two days old goes, the rest are younger.
        BootEvent old;
        old.time = now.addDays(-2);
        old.phase = QStringLiteral("tftp");
        QVERIFY(c->addEvents({ old }).ok());
        QVERIFY(c->setSetting(QStringLiteral("events/max-count"), QStringLiteral("5000")).ok());
        QVERIFY(c->setSetting(QStringLiteral("events/max-age-days"), QStringLiteral("1")).ok());
        auto aged = recorder.pruneNow();
        QVERIFY(aged.ok());
        QCOMPARE(aged.value(), qint64(1));
    }

    // boot/register-per-minute: unknown machines registered by the boot path, at most this
    // many a minute; the rest are refused (they wait) with a warning.
    void registrationRate_data()
    {
        QTest::addColumn<QString>("setting"); // empty: unset
        QTest::addColumn<int>("registered"); // of 40 new MACs
        QTest::newRow("default 30") << QString() << 30;
        QTest::newRow("5 a minute") << QStringLiteral("5") << 5;
        QTest::newRow("0 means 1") << QStringLiteral("0") << 1;
    }
    void registrationRate()
    {
        QFETCH(QString, setting);
        QFETCH(int, registered);
        QString why;
        TestLab t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(t.lab, qPrintable(why));
        Catalog *c = t.lab->catalog();
        QVERIFY(c->setSetting(QStringLiteral("boot/unknown"), QStringLiteral("register")).ok());
        if (!setting.isEmpty())
            QVERIFY(c->setSetting(QStringLiteral("boot/register-per-minute"), setting).ok());
        BootIndex index(c);
        BootDecider decider(c, &index, t.lab->storeDir(), QByteArray(32, 's'));
        int added = 0;
        for (int i = 0; i < 40; ++i) {
            const BootDecision d = decider.decide(
                BootRequest { QStringLiteral("02:00:00:00:10:%1").arg(i, 2, 10, QLatin1Char('0')), {}, {}, {}, {} });
            added += d.registered ? 1 : 0;
            if (!d.registered) {
                QVERIFY(d.outcome == BootDecision::Outcome::Wait);
                QVERIFY(d.severity == Severity::Warning);
                QVERIFY2(d.reason.contains(QLatin1String("too many new machines")), qPrintable(d.reason));
            }
        }
        QCOMPARE(added, registered);
        QCOMPARE(c->machines().size(), registered);
    }

    // http/max-per-client: the connection over the cap gets a 503 and is closed at once;
    // another address is served meanwhile.
    void httpPerClientCap()
    {
        http::EngineSettings s = loopback();
        s.maxPerClient = 64;
        auto e = engine(s);
        Fds held;
        for (int i = 0; i < 64; ++i) {
            const int fd = connectFrom("127.0.0.1", e->port());
            QVERIFY(fd >= 0);
            held.fds.append(fd);
        }
        QTRY_COMPARE(e->counters().active, quint64(64));
        const int over = connectFrom("127.0.0.1", e->port());
        QVERIFY(over >= 0); // the kernel completes the handshake; the server answers and closes
        bool closed = false;
        const QByteArray refused = readUntilClosed(over, 3000, &closed);
        ::close(over);
        QVERIFY(closed);
        QVERIFY2(refused.startsWith("HTTP/1.1 503 "), refused.constData());
        QVERIFY(refused.contains("too many connections from your address"));
        QCOMPARE(e->counters().refused, quint64(1));
        const QByteArray other = httpGet("127.0.0.2", e->port(), "/script");
        QVERIFY2(other.startsWith("HTTP/1.1 200 "), other.constData());
        QCOMPARE(bodyOf(other), kScript);
        // The slots come back when connections close.
        for (int fd : std::as_const(held.fds))
            ::close(fd);
        held.fds.clear();
        QTRY_COMPARE(e->counters().active, quint64(0));
        QVERIFY(httpGet("127.0.0.1", e->port(), "/script").startsWith("HTTP/1.1 200 "));
    }

    // A connection with no complete request is closed after the idle deadline: nothing sent,
    // half a request head (slowloris), or kept alive after a response.
    void httpIdleDeadline_data()
    {
        QTest::addColumn<QByteArray>("sent");
        QTest::addColumn<QByteArray>("answer"); // how the response starts, if there is one
        QTest::newRow("nothing sent") << QByteArray() << QByteArray();
        QTest::newRow("half a head") << QByteArray("GET /script HTTP/1.1\r\nHost: x\r\n") << QByteArray("HTTP/1.1 408");
        QTest::newRow("kept alive after a response")
            << QByteArray("GET /script HTTP/1.1\r\nHost: x\r\n\r\n") << QByteArray("HTTP/1.1 200");
    }
    void httpIdleDeadline()
    {
        QFETCH(QByteArray, sent);
        QFETCH(QByteArray, answer);
        http::EngineSettings s = loopback();
        s.idleTimeoutMs = 1500;
        s.headTimeoutMs = 1500;
        auto e = engine(s);
        const int fd = connectFrom("127.0.0.1", e->port());
        QVERIFY(fd >= 0);
        QElapsedTimer clock;
        clock.start();
        QVERIFY(sendAll(fd, sent));
        bool closed = false;
        const QByteArray got = readUntilClosed(fd, 6000, &closed);
        const qint64 ms = clock.elapsed();
        ::close(fd);
        QVERIFY2(closed, "the server kept the connection");
        QVERIFY2(got.startsWith(answer), got.constData());
        // The deadline, plus up to a second of the once-a-second sweep.
        QVERIFY2(ms >= 1400 && ms <= 3500, qPrintable(QString::number(ms)));
        QTRY_COMPARE(e->counters().active, quint64(0));
    }

    // A client that stops reading its response is dropped after the stall period; one that
    // reads is not, though the rule is the same.
    void httpSlowTransfer_data()
    {
        QTest::addColumn<bool>("reads");
        QTest::newRow("stops reading: dropped") << false;
        QTest::newRow("reads: served") << true;
    }
    void httpSlowTransfer()
    {
        QFETCH(bool, reads);
        http::EngineSettings s = loopback();
        s.stallTimeoutMs = 1000;
        s.stallMinBytes = 1 << 20; // more than the kernel's buffers take once they are full
        auto e = engine(s);
        const int fd = connectFrom("127.0.0.1", e->port());
        QVERIFY(fd >= 0);
        if (!reads) { // fills the pipe sooner (a reader with a window this small would crawl)
            const int small = 4096;
            ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
        }
        QVERIFY(sendAll(fd, "GET /blob HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        if (!reads) {
            QTRY_COMPARE_WITH_TIMEOUT(e->counters().dropped, quint64(1), 5000);
            QCOMPARE(e->counters().active, quint64(0));
            ::close(fd);
            return;
        }
        bool closed = false;
        const QByteArray got = readUntilClosed(fd, 20000, &closed);
        ::close(fd);
        QVERIFY(closed);
        QCOMPARE(bodyOf(got).size(), m_blobData.size());
        QVERIFY(bodyOf(got) == m_blobData);
        QCOMPARE(e->counters().dropped, quint64(0));
    }

    // 3,000 idle connections from loopback — 250 from each of twelve addresses, under the
    // per-address cap — do not keep a client from its script and its blob.
    void httpThreeThousandIdle()
    {
        http::EngineSettings s = loopback();
        s.idleTimeoutMs = 120'000; // they stay for the whole test
        s.headTimeoutMs = 120'000;
        const FileLimit files = raiseFileLimit();
        s.maxConnections = ResourceLimits().httpConnectionCap(files.now); // as the boot server sets it
        qInfo("connection cap %d at an open-file limit of %lld", s.maxConnections, files.now);
        auto e = engine(s);
        Fds idle;
        QElapsedTimer clock;
        clock.start();
        for (int a = 0; a < 12; ++a) {
            const QByteArray source = "127.0.1." + QByteArray::number(a + 1);
            for (int i = 0; i < 250; ++i) {
                const int fd = connectFrom(source, e->port());
                QVERIFY2(fd >= 0,
                    qPrintable(QStringLiteral("connection %1 from %2: %3")
                            .arg(i)
                            .arg(QString::fromLatin1(source), QString::fromLocal8Bit(strerror(errno)))));
                idle.fds.append(fd);
            }
        }
        QTRY_COMPARE_WITH_TIMEOUT(e->counters().active, quint64(3000), 20000);
        qInfo("3,000 idle connections open in %lld ms", clock.elapsed());
        clock.restart();
        const QByteArray script = httpGet("127.0.0.1", e->port(), "/script");
        QVERIFY2(script.startsWith("HTTP/1.1 200 "), script.left(200).constData());
        QCOMPARE(bodyOf(script), kScript);
        const QByteArray blob = httpGet("127.0.0.1", e->port(), "/blob");
        QVERIFY2(blob.startsWith("HTTP/1.1 200 "), blob.left(200).constData());
        QVERIFY(bodyOf(blob) == m_blobData);
        qInfo("script and 4 MB blob beside 3,000 idle connections: %lld ms", clock.elapsed());
        QCOMPARE(e->counters().refused, quint64(0));
        QCOMPARE(e->counters().active, quint64(3000));
    }

    // The boot server takes its limits from the catalog's settings.
    void bootServerReadsSettings()
    {
        QString why;
        TestLab t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(t.lab, qPrintable(why));
        Catalog *c = t.lab->catalog();
        QVERIFY(c->setSetting(QStringLiteral("http/max-per-client"), QStringLiteral("2")).ok());
        QVERIFY(c->setSetting(QStringLiteral("http/idle-timeout"), QStringLiteral("1")).ok());
        HttpBootServer server(t.lab.get());
        HttpBootSettings hs;
        hs.address = QHostAddress::LocalHost;
        hs.port = 0;
        QVERIFY(server.start(hs).ok());
        Fds held;
        for (int i = 0; i < 2; ++i)
            held.fds.append(connectFrom("127.0.0.1", server.port()));
        QTRY_COMPARE(server.counters().active, quint64(2));
        const int third = connectFrom("127.0.0.1", server.port());
        bool closed = false;
        QVERIFY(readUntilClosed(third, 3000, &closed).startsWith("HTTP/1.1 503 "));
        ::close(third);
        QVERIFY(closed);
        // Idle for a second: closed by the server.
        QElapsedTimer clock;
        clock.start();
        QVERIFY(readUntilClosed(held.fds.first(), 5000, &closed).isEmpty());
        QVERIFY(closed);
        QVERIFY2(clock.elapsed() < 3000, qPrintable(QString::number(clock.elapsed())));
        QTRY_COMPARE(server.counters().active, quint64(0));
    }
};

QTEST_GUILESS_MAIN(TstLimits)
#include "tst_limits.moc"
