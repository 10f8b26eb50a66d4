// The HTTP boot server with real curl: blobs (GET, HEAD, Range, 416, ETag, conditional
// requests, keep-alive), scripts, path traversal and malformed requests (each refused, and
// inotify shows no file was opened), slow clients, and memory while streaming a large blob.
#include "boot/bootrecorder.h"
#include "boot/http/httpbootserver.h"
#include "boot/http/httpengine.h"
#include "catalog/catalog.h"
#include "store/imagestore.h"
#include "testlab.h"
#include "tst_http_support.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QTest>

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace drover;
using namespace drover::test;

namespace {

const QString kMac = QStringLiteral("52:54:00:12:34:56");

// Counts opens of files under watched paths, to prove a refused request touched nothing.
class OpenWatch {
public:
    OpenWatch() { m_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC); }
    ~OpenWatch() { ::close(m_fd); }
    void add(const QString &path) { inotify_add_watch(m_fd, QFile::encodeName(path).constData(), IN_OPEN | IN_ACCESS); }
    int drain()
    {
        int events = 0;
        alignas(inotify_event) char buffer[8192];
        while (true) {
            const ssize_t n = ::read(m_fd, buffer, sizeof buffer);
            if (n <= 0)
                return events;
            for (ssize_t at = 0; at < n;) {
                const auto *e = reinterpret_cast<const inotify_event *>(buffer + at);
                ++events;
                at += ssize_t(sizeof(inotify_event) + e->len);
            }
        }
    }

private:
    int m_fd = -1;
};

} // namespace

class TstHttp : public QObject {
    Q_OBJECT

    TestLab m_t;
    HttpBootServer *m_server = nullptr;
    TestImage m_image;
    QString m_base;

    QString url(const QString &path) const { return m_base + path; }
    QString blobUrl(const Digest &d) const { return url(QStringLiteral("/blobs/") + d.toString()); }

private Q_SLOTS:
    void initTestCase()
    {
        QString why;
        m_t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(m_t.lab, qPrintable(why));
        auto image
            = addTestImage(m_t.lab.get(), QStringLiteral("debian"), QStringLiteral("12"), QStringLiteral("quiet"));
        QVERIFY2(image.ok(), qPrintable(image.error()));
        m_image = image.value();
        Catalog *c = m_t.lab->catalog();
        QVERIFY(c->addMachine(testMachine(QStringLiteral("pc-01"), kMac, QStringLiteral("lab"))).ok());
        QVERIFY(c->assign(TargetKind::Default, {}, QStringLiteral("debian:12"), QStringLiteral("t"), {}).ok());
        QVERIFY(c->setSetting(QStringLiteral("deadline/group/short"), QStringLiteral("1")).ok()); // unreportedFailures
        // Canaries beside the store and the catalog: no request may ever open them.
        const QStringList canaries
            = { m_t.dir->filePath(QStringLiteral("secret")), m_t.lab->storeDir() + QStringLiteral("/secret") };
        for (const QString &canary : canaries) {
            QFile f(canary);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("canary");
        }
        m_server = new HttpBootServer(m_t.lab.get(), this);
        HttpBootSettings settings;
        settings.port = 0;
        settings.address = QHostAddress::LocalHost;
        // Stand-ins for Debian's signed shim and GRUB (the e2e boots the real ones).
        settings.signedLoaders.shim = m_t.dir->filePath(QStringLiteral("shimx64.efi.signed"));
        settings.signedLoaders.grub = m_t.dir->filePath(QStringLiteral("grubnetx64.efi.signed"));
        for (const QString &loader : { settings.signedLoaders.shim, settings.signedLoaders.grub }) {
            QFile f(loader);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("MZ " + QFileInfo(loader).fileName().toLatin1());
        }
        // And for Debian's memtest86+.
        settings.memtest.bios = m_t.dir->filePath(QStringLiteral("memtest86+x64.bin"));
        settings.memtest.efi = m_t.dir->filePath(QStringLiteral("memtest86+x64.efi"));
        for (const QString &file : { settings.memtest.bios, settings.memtest.efi }) {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("memtest " + QFileInfo(file).fileName().toLatin1());
        }
        const Status started = m_server->start(settings);
        QVERIFY2(started.ok(), qPrintable(started.error()));
        m_base = QStringLiteral("http://127.0.0.1:%1").arg(m_server->port());
        // The machines boot from 127.0.0.1, as if DHCP had seen them there.
        for (const QString &mac : { kMac, QStringLiteral("52:54:00:12:34:07"), QStringLiteral("52:54:00:12:34:08") })
            m_server->bindAddress(mac, QHostAddress::LocalHost, QStringLiteral("test"));
    }

    void cleanupTestCase()
    {
        delete m_server;
        m_t = TestLab();
    }

    void blobGetAndHead()
    {
        const Digest kernel = m_image.manifest.kernel.digest;
        CurlResult get = curl({ blobUrl(kernel) });
        QCOMPARE(get.status, 200);
        QCOMPARE(get.body, m_image.kernel);
        QCOMPARE(get.header("etag"), '"' + kernel.toString().toLatin1() + '"');
        QCOMPARE(get.header("content-length").toLongLong(), m_image.kernel.size());
        QCOMPARE(get.header("accept-ranges"), QByteArray("bytes"));

        CurlResult head = curl({ QStringLiteral("-I"), blobUrl(kernel) });
        QCOMPARE(head.status, 200);
        QCOMPARE(head.header("content-length").toLongLong(), m_image.kernel.size());
        QCOMPARE(head.header("etag"), get.header("etag"));

        // HEAD sends the headers GET would, and not one byte of body.
        const QByteArray rawHead = rawRequest(
            m_server->port(), "HEAD /blobs/" + kernel.toString().toLatin1() + " HTTP/1.1\r\nHost: x\r\n\r\n", 1000);
        QVERIFY(rawHead.startsWith("HTTP/1.1 200 OK\r\n"));
        QVERIFY(rawHead.endsWith("\r\n\r\n"));
        QVERIFY(rawHead.contains(QByteArray("Content-Length: " + QByteArray::number(m_image.kernel.size()) + "\r\n")));

        CurlResult missing = curl({ blobUrl(Digest::fromHex(QString(64, QLatin1Char('0')))) });
        QCOMPARE(missing.status, 404);
    }

    void ranges_data()
    {
        QTest::addColumn<QString>("range");
        QTest::addColumn<int>("status");
        QTest::addColumn<qint64>("first"); // of the body, for 200 and 206
        QTest::addColumn<qint64>("length"); // -1: to the end
        const qint64 size = 9 + 10 + 1000; // "kernel of debian:12" + 1000 'k'
        QTest::newRow("first ten") << "bytes=0-9" << 206 << qint64(0) << qint64(10);
        QTest::newRow("one byte") << "bytes=5-5" << 206 << qint64(5) << qint64(1);
        QTest::newRow("open-ended") << "bytes=100-" << 206 << qint64(100) << qint64(-1);
        QTest::newRow("suffix") << "bytes=-7" << 206 << size - 7 << qint64(7);
        QTest::newRow("suffix longer than the blob") << "bytes=-100000" << 206 << qint64(0) << qint64(-1);
        QTest::newRow("end beyond the blob") << "bytes=10-999999" << 206 << qint64(10) << qint64(-1);
        QTest::newRow("start beyond the end") << "bytes=999999-" << 416 << qint64(0) << qint64(0);
        QTest::newRow("start at the size") << QStringLiteral("bytes=%1-").arg(size) << 416 << qint64(0) << qint64(0);
        QTest::newRow("backwards") << "bytes=9-5" << 416 << qint64(0) << qint64(0);
        QTest::newRow("empty suffix") << "bytes=-0" << 416 << qint64(0) << qint64(0);
        QTest::newRow("garbage") << "bytes=x-y" << 416 << qint64(0) << qint64(0);
        QTest::newRow("several ranges: whole") << "bytes=0-1,5-6" << 200 << qint64(0) << qint64(-1);
        QTest::newRow("other unit: whole") << "items=0-1" << 200 << qint64(0) << qint64(-1);
    }

    void ranges()
    {
        QFETCH(QString, range);
        QFETCH(int, status);
        QFETCH(qint64, first);
        QFETCH(qint64, length);
        const QByteArray &blob = m_image.kernel;
        QCOMPARE(blob.size(), 1019);
        CurlResult r = curl(
            { QStringLiteral("-H"), QStringLiteral("Range: ") + range, blobUrl(m_image.manifest.kernel.digest) });
        QCOMPARE(r.status, status);
        if (status == 416) {
            QCOMPARE(r.header("content-range"), "bytes */" + QByteArray::number(blob.size()));
            return;
        }
        const QByteArray expected = blob.mid(first, length);
        QCOMPARE(r.body, expected);
        QCOMPARE(r.header("content-length").toLongLong(), expected.size());
        if (status == 206) {
            QCOMPARE(r.header("content-range"),
                QByteArray("bytes %1-%2/%3")
                    .replace("%1", QByteArray::number(first))
                    .replace("%2", QByteArray::number(first + expected.size() - 1))
                    .replace("%3", QByteArray::number(blob.size())));
        }
    }

    void conditional()
    {
        const QString u = blobUrl(m_image.manifest.initrd.digest);
        const QString etag = QStringLiteral("\"%1\"").arg(m_image.manifest.initrd.digest.toString());
        CurlResult notModified = curl({ QStringLiteral("-H"), QStringLiteral("If-None-Match: ") + etag, u });
        QCOMPARE(notModified.status, 304);
        QVERIFY(notModified.body.isEmpty());
        CurlResult other = curl({ QStringLiteral("-H"), QStringLiteral("If-None-Match: \"sha256:00\""), u });
        QCOMPARE(other.status, 200);
        // If-Range with another version: the whole blob, not the range.
        CurlResult stale = curl({ QStringLiteral("-H"), QStringLiteral("Range: bytes=0-3"), QStringLiteral("-H"),
            QStringLiteral("If-Range: \"sha256:00\""), u });
        QCOMPARE(stale.status, 200);
        QCOMPARE(stale.body, m_image.initrd);
        CurlResult fresh = curl({ QStringLiteral("-H"), QStringLiteral("Range: bytes=0-3"), QStringLiteral("-H"),
            QStringLiteral("If-Range: ") + etag, u });
        QCOMPARE(fresh.status, 206);
        QCOMPARE(fresh.body, m_image.initrd.left(4));
    }

    void keepAlive()
    {
        const auto before = m_server->counters();
        QProcess p;
        p.start(QStringLiteral("curl"),
            { QStringLiteral("-sS"), QStringLiteral("-v"), QStringLiteral("--http1.1"), QStringLiteral("-o"),
                QStringLiteral("/dev/null"), QStringLiteral("-o"), QStringLiteral("/dev/null"),
                blobUrl(m_image.manifest.kernel.digest), blobUrl(m_image.manifest.initrd.digest) });
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitCode(), 0);
        const QByteArray log = p.readAllStandardError();
        QVERIFY2(log.contains("Re-using existing") || log.contains("Reusing existing"), log.constData());
        // Two requests, one connection.
        QTRY_COMPARE(m_server->counters().requests, before.requests + 2);
        QCOMPARE(m_server->counters().connections, before.connections + 1);
    }

    void traversal_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<int>("status");
        const QString hex = QString(64, QLatin1Char('a'));
        QTest::newRow("dot-dot out of blobs") << "/blobs/../catalog.sqlite" << 400;
        QTest::newRow("dot-dot to the canary") << "/blobs/../../secret" << 400;
        QTest::newRow("encoded dots") << "/blobs/sha256:%2e%2e" << 400;
        QTest::newRow("encoded slash") << "/blobs/sha256:..%2f..%2fsecret" << 400;
        QTest::newRow("upper-case hex") << QStringLiteral("/blobs/sha256:") + hex.toUpper() << 400;
        QTest::newRow("short hex") << QStringLiteral("/blobs/sha256:") + hex.left(63) << 400;
        QTest::newRow("digest then dot-dot")
            << QStringLiteral("/blobs/sha256:") + hex + QStringLiteral("/../../secret") << 400;
        QTest::newRow("other algorithm") << QStringLiteral("/blobs/sha512:") + hex << 400;
        QTest::newRow("bare hex") << QStringLiteral("/blobs/") + hex << 400;
        QTest::newRow("boot dot-dot") << "/boot/../../x.ipxe" << 400;
        QTest::newRow("boot encoded") << "/boot/%2e%2e%2fsecret.ipxe" << 400;
        QTest::newRow("root dot-dot") << "/../secret" << 404;
        QTest::newRow("catalog by name") << "/catalog.sqlite" << 404;
        QTest::newRow("double slash") << "//etc/passwd" << 404;
        QTest::newRow("ipxe then dot-dot") << "/ipxe.efi/../../../etc/passwd" << 404;
        QTest::newRow("over-long") << QStringLiteral("/blobs/") + QString(5000, QLatin1Char('a')) << 414;
        QTest::newRow("backslash") << "/blobs\\..\\secret" << 400;
        QTest::newRow("encoded NUL") << QStringLiteral("/blobs/sha256:") + hex + QStringLiteral("%00") << 400;
        QTest::newRow("encoded newline") << "/boot.ipxe%0aforged" << 400;
        // A decoded path never holds a query or fragment delimiter (found by fuzz_http).
        QTest::newRow("encoded question mark") << "/boot/52-54-00-12-34-56.ipxe%3Fchoice=memtest" << 400;
        QTest::newRow("encoded hash") << "/boot.ipxe%23x" << 400;
        QTest::newRow("encoded colon, dot-dot") << "/blobs/sha256%3a..%2e" << 400;
    }

    // iPXE from 2019 (Debian 12's ROM) percent-encodes the ':' of a blob URL; it retries a
    // refusal forever, so the decoded path must be served like the plain one.
    void percentEncodedBlobPath_data()
    {
        QTest::addColumn<QString>("form");
        QTest::newRow("%3A") << QStringLiteral("sha256%3A");
        QTest::newRow("%3a") << QStringLiteral("sha256%3a");
        QTest::newRow("every letter encoded") << QStringLiteral("%73%68%61%32%35%36%3A");
    }

    void percentEncodedBlobPath()
    {
        QFETCH(QString, form);
        const Digest kernel = m_image.manifest.kernel.digest;
        CurlResult get = curl({ QStringLiteral("--path-as-is"), url(QStringLiteral("/blobs/") + form + kernel.hex()) });
        QCOMPARE(get.status, 200);
        QCOMPARE(get.body, m_image.kernel);
    }

    void traversal()
    {
        QFETCH(QString, target);
        QFETCH(int, status);
        OpenWatch watch;
        watch.add(m_t.dir->filePath(QStringLiteral("secret")));
        watch.add(m_t.lab->storeDir() + QStringLiteral("/secret"));
        watch.add(m_t.lab->storeDir() + QStringLiteral("/blobs/sha256"));
        CurlResult r = curl({ QStringLiteral("--path-as-is"), url(target) });
        QCOMPARE(r.status, status);
        QCOMPARE(watch.drain(), 0);
    }

    // UEFI HTTP Boot under Secure Boot: shim by the URL DHCP gave, GRUB from next to it —
    // shim asks for "//grubx64.efi" — and GRUB's bootstrap naming this server's port.
    void signedLoadersOverHttp()
    {
        const CurlResult shim = curl({ url(QStringLiteral("/shimx64.efi")) });
        QCOMPARE(shim.status, 200);
        QCOMPARE(shim.body, QByteArray("MZ shimx64.efi.signed"));
        const CurlResult grub = curl({ QStringLiteral("--path-as-is"), url(QStringLiteral("//grubx64.efi")) });
        QCOMPARE(grub.status, 200);
        QCOMPARE(grub.body, QByteArray("MZ grubnetx64.efi.signed"));
        const CurlResult config = curl({ url(QStringLiteral("/grub/grub.cfg")) });
        QCOMPARE(config.status, 200);
        // Loaded by HTTP, GRUB's $net_default_server holds host:port already: the server is named.
        QVERIFY2(config.body.contains(QByteArray("source (http,127.0.0.1:" + QByteArray::number(m_server->port())
                     + ")/boot/${net_default_mac}.grub")),
            config.body.constData());
        QCOMPARE(
            curl({ QStringLiteral("-X"), QStringLiteral("POST"), url(QStringLiteral("/shimx64.efi")) }).status, 405);
        QCOMPARE(curl({ url(QStringLiteral("/grub/other.cfg")) }).status, 404);
        // Each transfer is a boot event once sent, like iPXE's.
        auto sent = [this] {
            m_server->recorder()->flush();
            QStringList names;
            for (const BootEvent &e : m_t.lab->catalog()->events(EventFilter { {}, QStringLiteral("loader"), 0, 10 }))
                names.append(e.detail.section(QLatin1Char(' '), 0, 0));
            names.sort();
            return names;
        };
        QTRY_COMPARE(sent(), QStringList({ QStringLiteral("grubx64.efi"), QStringLiteral("shimx64.efi") }));
    }

    void absoluteForm()
    {
        OpenWatch watch;
        watch.add(m_t.lab->storeDir() + QStringLiteral("/blobs/sha256"));
        CurlResult r = curl({ QStringLiteral("--request-target"),
            url(QStringLiteral("/blobs/") + m_image.manifest.kernel.digest.toString()), m_base });
        QCOMPARE(r.status, 400);
        QCOMPARE(watch.drain(), 0);
    }

    void malformed_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QByteArray>("status");
        // A malformed head closes the connection (its framing cannot be trusted); a
        // well-formed request refused by a route does not.
        QTest::newRow("no Host in 1.1") << QByteArray("GET / HTTP/1.1\r\n\r\n") << QByteArray("400");
        QTest::newRow("HTTP/1.0 without Host") << QByteArray("GET / HTTP/1.0\r\n\r\n") << QByteArray("200");
        QTest::newRow("bare LF lines") << QByteArray("GET / HTTP/1.1\nHost: x\n\n") << QByteArray("200");
        QTest::newRow("HTTP/2.0") << QByteArray("GET / HTTP/2.0\r\nHost: x\r\n\r\n") << QByteArray("505");
        QTest::newRow("garbage version") << QByteArray("GET / HTTX/1.1\r\nHost: x\r\n\r\n") << QByteArray("400");
        QTest::newRow("two spaces") << QByteArray("GET  / HTTP/1.1\r\nHost: x\r\n\r\n") << QByteArray("400");
        QTest::newRow("obs-fold") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n") << QByteArray("400");
        QTest::newRow("space before colon") << QByteArray("GET / HTTP/1.1\r\nHost : x\r\n\r\n") << QByteArray("400");
        QTest::newRow("two Hosts") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n") << QByteArray("400");
        QTest::newRow("body") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
                              << QByteArray("400");
        QTest::newRow("chunked") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
                                 << QByteArray("501");
        QTest::newRow("POST") << QByteArray("POST /report HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
                              << QByteArray("405");
        QTest::newRow("HEAD of a script")
            << QByteArray("HEAD /boot.ipxe HTTP/1.1\r\nHost: x\r\n\r\n") << QByteArray("405");
        QTest::newRow("control char in value")
            << QByteArray("GET / HTTP/1.1\r\nHost: x\x01y\r\n\r\n") << QByteArray("400");
        QTest::newRow("NUL in target") << QByteArray("GET /\0x HTTP/1.1\r\nHost: x\r\n\r\n", 31) << QByteArray("400");
        QTest::newRow("fragment") << QByteArray("GET /#x HTTP/1.1\r\nHost: x\r\n\r\n") << QByteArray("400");
        QTest::newRow("too many headers")
            << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n" + QByteArray("X-A: b\r\n").repeated(100) + "\r\n")
            << QByteArray("431");
        QTest::newRow("huge header") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nX-A: " + QByteArray(40000, 'a')
            + "\r\n\r\n") << QByteArray("431");
        QTest::newRow("asterisk") << QByteArray("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n") << QByteArray("400");
    }

    void malformed()
    {
        QFETCH(QByteArray, request);
        QFETCH(QByteArray, status);
        const QByteArray reply = rawRequest(m_server->port(), request);
        QVERIFY2(reply.startsWith(QByteArray("HTTP/1.1 " + status + ' ')), reply.left(200).constData());
        if ((status.startsWith('4') || status.startsWith('5')) && status != "405")
            QVERIFY(reply.contains("Connection: close"));
        if (status == "405")
            QVERIFY(reply.contains("Allow: "));
    }

    void pipelined()
    {
        const QByteArray one = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        const QByteArray reply = rawRequest(m_server->port(), one + one + one, 3000);
        QCOMPARE(reply.count("HTTP/1.1 200 OK"), 3);
    }

    void slowClientDoesNotStall()
    {
        // One client sends half a request and waits; others are served meanwhile.
        QTcpSocket slow;
        slow.connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(slow.waitForConnected(3000));
        slow.write("GET /blobs/sha256:");
        QVERIFY(slow.waitForBytesWritten(3000));
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < 5; ++i)
            QCOMPARE(curl({ blobUrl(m_image.manifest.kernel.digest) }).status, 200);
        QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(slow.state(), QAbstractSocket::ConnectedState);
    }

    // A client that resets its connection in the middle of a file body (GRUB seeking in an
    // ISO, curl stopped by Ctrl-C) once ended the whole program with SIGPIPE from sendfile.
    void clientResetMidBody()
    {
        QTemporaryFile big;
        QVERIFY(big.open());
        big.write(QByteArray(16 << 20, 'x'));
        big.flush();
        auto blob = BlobStore(m_t.lab->storeDir()).putFile(big.fileName());
        QVERIFY2(blob.ok(), qPrintable(blob.error()));
        const QByteArray request = "GET /blobs/" + blob->digest.toString().toLatin1() + " HTTP/1.1\r\nHost: x\r\n\r\n";
        // Something in the test process ignores SIGPIPE; drover's main does not. Its default
        // action (end the process) for the length of the test, as in drover.
        struct sigaction byDefault {};
        byDefault.sa_handler = SIG_DFL;
        struct sigaction before {};
        QVERIFY(::sigaction(SIGPIPE, &byDefault, &before) == 0);
        auto restore = qScopeGuard([&before] { ::sigaction(SIGPIPE, &before, nullptr); });
        for (int i = 0; i < 20; ++i) {
            const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            QVERIFY(fd >= 0);
            const int small = 4096; // the server soon waits for the window: the body is mid-way
            ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
            sockaddr_in to {};
            to.sin_family = AF_INET;
            to.sin_port = htons(m_server->port());
            to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            QVERIFY(::connect(fd, reinterpret_cast<const sockaddr *>(&to), sizeof to) == 0);
            QCOMPARE(::send(fd, request.constData(), size_t(request.size()), MSG_NOSIGNAL), ssize_t(request.size()));
            char buffer[4096];
            QVERIFY(::recv(fd, buffer, sizeof buffer, 0) > 0);
            // Drained, the close sends FIN (not a reset): the server's next bytes are answered
            // with a reset while it is in CLOSE_WAIT, and the write after that gets EPIPE.
            while (::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT) > 0) { }
            ::close(fd);
            QTest::qWait(20);
        }
        QCOMPARE(curl({ blobUrl(m_image.manifest.kernel.digest) }).status, 200);
    }

    void headTimeout()
    {
        // The engine on its own, with a short head timeout: a stalled head gets a 408.
        http::HttpEngine engine(
            [](const http::Request &, const http::Peer &) { return http::Response::text(200, "ok\n"); });
        http::EngineSettings settings;
        settings.address = QHostAddress::LocalHost;
        settings.port = 0;
        settings.headTimeoutMs = 300;
        QVERIFY(engine.start(settings).ok());
        QElapsedTimer timer;
        timer.start();
        const QByteArray reply = rawRequest(engine.port(), "GET / HTTP/1.1\r\nHo", 5000);
        QVERIFY2(reply.startsWith("HTTP/1.1 408 "), reply.constData());
        QVERIFY(timer.elapsed() < 4000);
        QCOMPARE(engine.counters().errors, quint64(1));
    }

    void chainScript()
    {
        CurlResult r = curl({ url(QStringLiteral("/boot.ipxe")) });
        QCOMPARE(r.status, 200);
        QVERIFY(r.body.startsWith("#!ipxe\n"));
        QVERIFY2(r.body.contains(QByteArray(
                     "chain --replace --autofree " + m_base.toLatin1() + "/boot/${mac:hexhyp}.ipxe?uuid=${uuid}")),
            r.body.constData());
        // The Host the client used, e.g. qemu's 10.0.2.2, is where the machine reaches us.
        CurlResult viaHost
            = curl({ QStringLiteral("-H"), QStringLiteral("Host: 10.0.2.2:8080"), url(QStringLiteral("/boot.ipxe")) });
        QVERIFY(viaHost.body.contains("http://10.0.2.2:8080/boot/${mac:hexhyp}.ipxe"));
        CurlResult badHost
            = curl({ QStringLiteral("-H"), QStringLiteral("Host: evil${x}"), url(QStringLiteral("/boot.ipxe")) });
        QCOMPARE(badHost.status, 200);
        QVERIFY(!badHost.body.contains("evil"));
    }

    void machineScriptAndFetch()
    {
        CurlResult r = curl(
            { url(QStringLiteral("/boot/52-54-00-12-34-56.ipxe?uuid=&arch=x86_64&platform=pcbios&serial=A%20B")) });
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("cache-control"), QByteArray("no-store"));
        const QByteArray kernelUrl = blobUrl(m_image.manifest.kernel.digest).toLatin1();
        QVERIFY2(r.body.contains(QByteArray("kernel --name kernel.img " + kernelUrl + " initrd=initrd.img quiet ")),
            r.body.constData());
        QVERIFY(r.body.contains("drover.mac=52:54:00:12:34:56"));
        QVERIFY(r.body.contains(QByteArray("drover.manifest=" + m_image.record.manifestDigest.toLatin1())));
        // The machine downloads its kernel: an event names the role and the machine.
        QCOMPARE(curl({ QString::fromLatin1(kernelUrl) }).status, 200);
        QTRY_VERIFY(m_server->counters().blobs > 0);
        m_server->recorder()->flush();
        QTest::qWait(100);
        m_server->recorder()->flush();
        const auto events = m_t.lab->catalog()->events(EventFilter { QStringLiteral("pc-01"), {}, 0, 100 });
        bool script = false;
        bool kernel = false;
        for (const BootEvent &e : events) {
            script = script || (e.phase == QLatin1String("script") && e.image == QLatin1String("debian:12"));
            kernel = kernel
                || (e.phase == QLatin1String("kernel") && e.detail.contains(QLatin1String("sent to 127.0.0.1")));
        }
        QVERIFY(script);
        QVERIFY(kernel);
        const auto m = m_t.lab->catalog()->machineByName(QStringLiteral("pc-01"));
        QCOMPARE(m->state, MachineState::Booting);
        QCOMPARE(m->phase, QStringLiteral("kernel"));
    }

    // GRUB on the Secure Boot chain asks for the same decision as /boot/<mac>.grub (the MAC
    // as GRUB's ${net_default_mac} writes it) and names the host without its port.
    void grubScript()
    {
        CurlResult r = curl({ QStringLiteral("-H"), QStringLiteral("Host: 127.0.0.1"),
            url(QStringLiteral("/boot/52:54:00:12:34:56.grub")) });
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("cache-control"), QByteArray("no-store"));
        const QByteArray device = QByteArray("(http,127.0.0.1:" + QByteArray::number(m_server->port()) + ")");
        const QByteArray kernel
            = QByteArray("linux " + device + "/blobs/" + m_image.manifest.kernel.digest.toString().toLatin1());
        QVERIFY2(r.body.contains(QByteArray(kernel + " 'quiet' ")), r.body.constData());
        QVERIFY(r.body.contains("'drover.mac=52:54:00:12:34:56'"));
        QVERIFY(r.body.contains(
            QByteArray("'drover.server=http://127.0.0.1:" + QByteArray::number(m_server->port()) + "'")));
        QVERIFY(r.body.contains(
            QByteArray("initrd " + device + "/blobs/" + m_image.manifest.initrd.digest.toString().toLatin1())));
        QVERIFY(!r.body.contains("initrd=initrd.img"));
        QVERIFY(!r.body.contains("#!ipxe"));
        m_server->recorder()->flush();
        QCOMPARE(m_t.lab->catalog()->machineByName(QStringLiteral("pc-01"))->firmware.loader, QStringLiteral("grub"));
        // GRUB over UEFI HTTP sends a HEAD before each GET: 200, and nothing decided or issued.
        const int sessions = m_t.lab->catalog()->events(EventFilter { {}, QStringLiteral("script"), 0, 1000 }).size();
        const CurlResult head = curl({ QStringLiteral("-I"), url(QStringLiteral("/boot/52:54:00:12:34:56.grub")) });
        QCOMPARE(head.status, 200);
        QCOMPARE(curl({ QStringLiteral("-I"), url(QStringLiteral("/boot/52:54:00:12:34:56.ipxe")) }).status, 405);
        m_server->recorder()->flush();
        QCOMPARE(m_t.lab->catalog()->events(EventFilter { {}, QStringLiteral("script"), 0, 1000 }).size(), sessions);
        // Not a MAC: refused like the iPXE form.
        QCOMPARE(curl({ url(QStringLiteral("/boot/not-a-mac.grub")) }).status, 400);
        // A refusal is still a GRUB script (GRUB runs any body): it says why and waits.
        const CurlResult refused = curl({ url(QStringLiteral("/boot/02:00:00:00:00:09.grub")) });
        QCOMPARE(refused.status, 403);
        QVERIFY2(refused.body.startsWith("echo 'Drover: refused: "), refused.body.constData());
        QVERIFY(refused.body.endsWith("sleep 30\n"));
    }

    // A machine assigned a boot target gets that target's script, for iPXE and for GRUB; the
    // catalog shows the target as what it booted; memtest86+ is served by name.
    void bootTargets()
    {
        Catalog *c = m_t.lab->catalog();
        const QString mac = QStringLiteral("52:54:00:12:34:0a");
        QVERIFY(c->addMachine(testMachine(QStringLiteral("pc-10"), mac)).ok());
        m_server->bindAddress(mac, QHostAddress::LocalHost, QStringLiteral("test"));
        QVERIFY(c->assign(TargetKind::Machine, QStringLiteral("pc-10"), QStringLiteral("@local-disk"), {}, {}).ok());
        QVERIFY(m_server->index()->refresh().ok());
        CurlResult r = curl({ url(QStringLiteral("/boot/52-54-00-12-34-0a.ipxe")) });
        QCOMPARE(r.status, 200);
        QVERIFY2(
            r.body.contains("sanboot --no-describe --drive 0x80") && r.body.contains("\nexit 1\n"), r.body.constData());
        QVERIFY(!r.body.contains("/blobs/"));
        r = curl({ url(QStringLiteral("/boot/52-54-00-12-34-0a.grub")) });
        QCOMPARE(r.status, 200);
        QVERIFY2(r.body.contains("chainloader /EFI/BOOT/BOOTX64.EFI"), r.body.constData());
        m_server->recorder()->flush();
        const Machine m = *c->machineByName(QStringLiteral("pc-10"));
        QCOMPARE(m.currentImage, QStringLiteral("@local-disk"));
        QCOMPARE(m.phase, QStringLiteral("local-disk"));
        const auto events = c->events(EventFilter { QStringLiteral("pc-10"), QStringLiteral("script"), 0, 10 });
        QVERIFY(!events.isEmpty());
        QVERIFY2(events.constFirst().detail.contains(QStringLiteral("Local disk instead of an image")),
            qPrintable(events.constFirst().detail));

        QVERIFY(c->assign(TargetKind::Machine, QStringLiteral("pc-10"), QStringLiteral("@memtest"), {}, {}).ok());
        QVERIFY(m_server->index()->refresh().ok());
        r = curl({ url(QStringLiteral("/boot/52-54-00-12-34-0a.ipxe")) });
        QVERIFY2(r.body.contains(QByteArray("kernel " + m_base.toLatin1() + "/memtest86+x64.bin console=ttyS0,115200")),
            r.body.constData());
        for (const char *name : { "memtest86+x64.bin", "memtest86+x64.efi" }) {
            const CurlResult file = curl({ url(QLatin1Char('/') + QLatin1String(name)) });
            QCOMPARE(file.status, 200);
            QCOMPARE(file.body, QByteArray("memtest ") + name);
        }
        QCOMPARE(
            curl({ QStringLiteral("-X"), QStringLiteral("POST"), url(QStringLiteral("/memtest86+x64.bin")) }).status,
            405);
        // Back to an image: the next script boots it again.
        QVERIFY(c->assign(TargetKind::Machine, QStringLiteral("pc-10"), QStringLiteral("debian:12"), {}, {}).ok());
        QVERIFY(m_server->index()->refresh().ok());
        r = curl({ url(QStringLiteral("/boot/52-54-00-12-34-0a.ipxe")) });
        QVERIFY2(r.body.contains("/blobs/"), r.body.constData());
    }

    void unknownAndBadMacs()
    {
        // A MAC DHCP never saw here gets no script (tst_bootsession has the rest).
        CurlResult unknown = curl({ url(QStringLiteral("/boot/02-00-00-00-00-01.ipxe")) });
        QCOMPARE(unknown.status, 403);
        m_server->bindAddress(QStringLiteral("02:00:00:00:00:01"), QHostAddress::LocalHost, QStringLiteral("test"));
        unknown = curl({ url(QStringLiteral("/boot/02-00-00-00-00-01.ipxe")) });
        QCOMPARE(unknown.status, 200);
        QVERIFY(unknown.body.contains("\nexit\n"));
        QVERIFY(!m_t.lab->catalog()->machineByMac(QStringLiteral("02:00:00:00:00:01")));
        for (const QString &bad : { QStringLiteral("/boot/5254.0012.3456.ipxe"), QStringLiteral("/boot/xyz.ipxe"),
                 QStringLiteral("/boot/52-54-00-12-34-56-ff.ipxe"), QStringLiteral("/boot/.ipxe") })
            QCOMPARE(curl({ url(bad) }).status, 400);
        QCOMPARE(curl({ url(QStringLiteral("/boot/52-54-00-12-34-56.ipxe?uuid=%zz")) }).status, 400);
        QCOMPARE(curl({ url(QStringLiteral("/boot/52-54-00-12-34-56.ipxe?uuid=a&uuid=b")) }).status, 400);
    }

    void reports()
    {
        Catalog *c = m_t.lab->catalog();
        CurlResult script = curl({ url(QStringLiteral("/boot/525400123456.ipxe")) });
        QCOMPARE(script.status, 200);
        const auto match = QRegularExpression(QStringLiteral("drover.boot=([0-9a-f]+) drover.token=([0-9a-f]+)"))
                               .match(QString::fromLatin1(script.body));
        QVERIFY(match.hasMatch());
        const QString boot = match.captured(1);
        const QString token = match.captured(2);
        const QString manifest = m_image.record.manifestDigest;
        auto report = [&](const QString &query) { return curl({ url(QStringLiteral("/report?") + query) }).status; };
        auto machine = [&] {
            m_server->recorder()->flush();
            return *c->machineByName(QStringLiteral("pc-01"));
        };
        const QString who = QStringLiteral("mac=52:54:00:12:34:56&boot=%1&token=%2").arg(boot, token);

        // iPXE asked for the script; the init's fetched report says what the firmware is.
        QCOMPARE(machine().firmware.loader, QStringLiteral("ipxe"));
        QCOMPARE(
            report(who
                + QStringLiteral("&phase=fetched&detail=3%20layers%3B%20firmware%20UEFI%2C%20Secure%20Boot%20on%2C%20"
                                 "lockdown%20integrity")),
            204);
        QCOMPARE(machine().state, MachineState::Booting);
        QCOMPARE(machine().phase, QStringLiteral("fetched"));
        QCOMPARE(machine().firmware.firmware, QStringLiteral("uefi"));
        QCOMPARE(machine().firmware.secureBoot, QStringLiteral("on"));

        // Refused: each leaves the machine as it is.
        QCOMPARE(report(QStringLiteral("mac=52:54:00:12:34:56&boot=%1&token=%2&phase=ready")
                         .arg(boot, QString(32, QLatin1Char('0')))),
            403);
        QCOMPARE(report(QStringLiteral("mac=52:54:00:12:34:57&boot=%1&token=%2&phase=ready").arg(boot, token)), 403);
        QCOMPARE(report(who + QStringLiteral("&phase=pwned")), 400);
        QCOMPARE(report(who), 400);
        QCOMPARE(report(who + QStringLiteral("&phase=ready&digest=sha256:xyz")), 400);
        QCOMPARE(report(QStringLiteral("boot=%1&token=%2&phase=ready").arg(boot, token)), 400);
        QCOMPARE(report(who + QStringLiteral("&phase=ready&detail=%0a%0d")), 400);
        QCOMPARE(machine().state, MachineState::Booting);

        QCOMPARE(report(who + QStringLiteral("&phase=ready&digest=") + manifest), 204);
        Machine m = machine();
        QCOMPARE(m.state, MachineState::Ready);
        QCOMPARE(m.currentImage, QStringLiteral("debian:12"));
        QCOMPARE(m.lastGoodImage, QStringLiteral("debian:12"));
        QCOMPARE(m.failedAttempts, 0);

        QCOMPARE(report(who + QStringLiteral("&phase=failed&detail=layer%200%20digest%20mismatch")), 204);
        m = machine();
        QCOMPARE(m.state, MachineState::Failed);
        QCOMPARE(m.failedAttempts, 1);
        const auto events = c->events(EventFilter { QStringLiteral("pc-01"), QStringLiteral("failed"), 0, 10 });
        QVERIFY(!events.isEmpty());
        QCOMPARE(events.last().severity, QStringLiteral("error"));
        QVERIFY(events.last().detail.contains(QLatin1String("layer 0 digest mismatch")));
        QCOMPARE(events.last().bootId, boot);

        // A restart forgets nothing: the session is in the catalog, so the running boot can
        // still report (and only with the digest it was given: tst_bootsession).
        m_server->stop();
        HttpBootSettings settings;
        settings.port = 0;
        settings.address = QHostAddress::LocalHost;
        QVERIFY(m_server->start(settings).ok());
        m_base = QStringLiteral("http://127.0.0.1:%1").arg(m_server->port());
        QCOMPARE(report(who + QStringLiteral("&phase=ready&digest=") + manifest), 204);
        m = machine();
        QCOMPARE(m.state, MachineState::Ready);
        QCOMPARE(m.failedAttempts, 0);
        QCOMPARE(m.currentImage, QStringLiteral("debian:12"));
    }

    void unreportedFailures()
    {
        // Boot assessment without reports: a machine that boots again after its last boot
        // fetched its kernel, and a boot past its group's deadline, count as failed boots.
        Catalog *c = m_t.lab->catalog();
        // deadline/group/short is 1 s (set in initTestCase, long before: a machine the boot
        // index does not know yet is looked up in the catalog, with the index's settings).
        QVERIFY(c->addMachine(testMachine(QStringLiteral("pc-07"), QStringLiteral("52:54:00:12:34:07"))).ok());
        QVERIFY(
            c->addMachine(
                 testMachine(QStringLiteral("pc-08"), QStringLiteral("52:54:00:12:34:08"), QStringLiteral("short")))
                .ok());
        const QString kernel = blobUrl(m_image.manifest.kernel.digest);
        auto failures = [&](const QString &name) {
            m_server->recorder()->flush();
            return c->machineByName(name)->failedAttempts;
        };
        auto failedEvents = [&](const QString &name) {
            m_server->recorder()->flush();
            return c->events(EventFilter { name, QStringLiteral("failed"), 0, 10 });
        };
        QTRY_VERIFY(curl({ url(QStringLiteral("/boot/52-54-00-12-34-07.ipxe")) }).body.contains("kernel --name"));
        QCOMPARE(curl({ url(QStringLiteral("/boot/52-54-00-12-34-07.ipxe")) }).status, 200); // iPXE asked twice
        QCOMPARE(failures(QStringLiteral("pc-07")), 0);
        QCOMPARE(curl({ kernel }).status, 200);
        QTest::qWait(200); // the download's completion is recorded after the response
        QCOMPARE(curl({ url(QStringLiteral("/boot/52-54-00-12-34-07.ipxe")) }).status, 200); // reset mid-boot
        QTRY_COMPARE(failures(QStringLiteral("pc-07")), 1);
        const auto restart = failedEvents(QStringLiteral("pc-07"));
        QCOMPARE(restart.size(), 1);
        QVERIFY2(restart.first().detail.contains(QLatin1String("reached 'kernel' but never reported ready")),
            qPrintable(restart.first().detail));
        QCOMPARE(restart.first().severity, QStringLiteral("error"));

        QTRY_VERIFY(curl({ url(QStringLiteral("/boot/52-54-00-12-34-08.ipxe")) }).body.contains("kernel --name"));
        QTRY_COMPARE_WITH_TIMEOUT(failures(QStringLiteral("pc-08")), 1, 10000);
        const auto late = failedEvents(QStringLiteral("pc-08"));
        QCOMPARE(late.size(), 1);
        QVERIFY2(late.first().detail.contains(QLatin1String("did not reach ready with debian:12 within 1 s")),
            qPrintable(late.first().detail));
        QCOMPARE(c->machineByName(QStringLiteral("pc-08"))->state, MachineState::Failed);
    }

    void streamsWithoutLoading()
    {
        // A 96 MB blob: the server's memory must not grow by anything like its size.
        QTemporaryFile big;
        QVERIFY(big.open());
        const QByteArray chunk(1 << 20, 'z');
        for (int i = 0; i < 96; ++i)
            big.write(chunk);
        big.flush();
        ImageStore store(m_t.lab->storeDir());
        auto ref = store.blobs().putFile(big.fileName());
        QVERIFY2(ref.ok(), qPrintable(ref.error()));
        auto rss = [] {
            QFile status(QStringLiteral("/proc/self/status"));
            status.open(QIODevice::ReadOnly);
            for (const QByteArray &line : status.readAll().split('\n')) {
                if (line.startsWith("VmRSS:"))
                    return line.mid(6).trimmed().split(' ').first().toLongLong();
            }
            return qint64(0);
        };
        const qint64 before = rss();
        QProcess p;
        p.start(QStringLiteral("curl"),
            { QStringLiteral("-sS"), QStringLiteral("-o"), QStringLiteral("/dev/null"), QStringLiteral("-w"),
                QStringLiteral("%{http_code} %{size_download}"), blobUrl(ref->digest) });
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.readAllStandardOutput(), QByteArray("200 ") + QByteArray::number(qint64(96) << 20));
        const qint64 grown = rss() - before;
        QVERIFY2(grown < 16 * 1024, qPrintable(QStringLiteral("RSS grew by %1 kB").arg(grown)));
    }
};

QTEST_GUILESS_MAIN(TstHttp)
#include "tst_http.moc"
