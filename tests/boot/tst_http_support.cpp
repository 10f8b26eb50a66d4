#include "tst_http_support.h"

#include "boot/http/httpbootserver.h"
#include "catalog/catalog.h"
#include "lab/lab.h"
#include "store/imagestore.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QTest>
#include <QUdpSocket>

namespace drover::test {

Result<TestImage> addTestImage(Lab *lab, const QString &name, const QString &version, const QString &kernelArgs)
{
    using R = Result<TestImage>;
    TestImage t;
    const QByteArray tag = (name + QLatin1Char(':') + version).toUtf8();
    t.kernel = "kernel of " + tag + QByteArray(1000, 'k');
    t.initrd = "initrd of " + tag + QByteArray(3000, 'i');
    t.layer = "layer of " + tag + QByteArray(5000, 'l');
    ImageStore store(lab->storeDir());
    if (Status s = store.blobs().init(); !s)
        return R::failure(s.error());
    auto kernel = store.blobs().putBytes(t.kernel);
    auto initrd = store.blobs().putBytes(t.initrd);
    auto layer = store.blobs().putBytes(t.layer);
    if (!kernel || !initrd || !layer)
        return R::failure(QStringLiteral("cannot store test blobs"));
    t.manifest.name = name;
    t.manifest.version = version;
    t.manifest.kernel = kernel.value();
    t.manifest.initrd = initrd.value();
    t.manifest.layers = { LayerRef { layer->digest, layer->size, QStringLiteral("squashfs"), QStringLiteral("base") } };
    t.manifest.kernelArgs = kernelArgs;
    auto record = publishImage(store, *lab->catalog(), t.manifest);
    if (!record)
        return R::failure(record.error());
    t.record = record.value();
    return t;
}

Machine testMachine(const QString &name, const QString &mac, const QString &group)
{
    Machine m;
    m.name = name;
    m.mac = mac;
    if (!group.isEmpty())
        m.labels.insert(QStringLiteral("group"), group);
    return m;
}

QByteArray CurlResult::header(const QByteArray &name) const
{
    const QByteArray lower = name.toLower() + ':';
    QByteArray found;
    // With several responses (keep-alive, redirects) the last one wins.
    for (const QByteArray &line : headers.split('\n')) {
        if (line.toLower().startsWith(lower))
            found = line.mid(lower.size()).trimmed();
    }
    return found;
}

CurlResult curl(const QStringList &args, int timeoutMs)
{
    CurlResult r;
    QTemporaryFile headers;
    QTemporaryFile body;
    if (!headers.open() || !body.open())
        return r;
    QProcess p;
    p.start(QStringLiteral("curl"),
        QStringList { QStringLiteral("-sS"), QStringLiteral("--max-time"), QString::number(timeoutMs / 1000),
            QStringLiteral("-D"), headers.fileName(), QStringLiteral("-o"), body.fileName(), QStringLiteral("-w"),
            QStringLiteral("%{http_code}") }
            + args);
    if (!p.waitForFinished(timeoutMs + 5000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitCode();
    r.status = p.readAllStandardOutput().trimmed().right(3).toInt();
    r.stderrText = p.readAllStandardError();
    r.headers = headers.readAll();
    r.body = body.readAll();
    return r;
}

// Below the kernel's ephemeral range (32768–60999): a port the kernel hands out could be the
// local port of another test's outgoing connection (curl, httpload) by the time a server binds
// it on every address, which then fails "in use" (seen under ctest -j2).
quint16 freeTcpPort()
{
    for (;;) {
        const auto port = quint16(QRandomGenerator::global()->bounded(20000, 32768));
        QTcpServer probe;
        if (probe.listen(QHostAddress::Any, port))
            return port;
    }
}

quint16 freeUdpPort()
{
    for (;;) {
        const auto port = quint16(QRandomGenerator::global()->bounded(20000, 32768));
        QUdpSocket probe;
        if (probe.bind(QHostAddress::Any, port))
            return port;
    }
}

QByteArray rawRequest(quint16 port, const QList<QByteArray> &chunks, int waitMs)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(3000))
        return {};
    for (qsizetype i = 0; i < chunks.size(); ++i) {
        if (i > 0)
            QTest::qWait(100);
        socket.write(chunks.at(i));
        socket.waitForBytesWritten(3000);
    }
    // qWait ran the event loop: part of the answer may be buffered already.
    QByteArray reply = socket.readAll();
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < waitMs && socket.state() == QAbstractSocket::ConnectedState) {
        if (socket.waitForReadyRead(200))
            reply += socket.readAll();
        else if (!reply.isEmpty())
            break;
    }
    reply += socket.readAll();
    return reply;
}

IssuedBoot issueBoot(const QString &scriptUrl, QString *why)
{
    const CurlResult script = curl({ scriptUrl });
    const auto match = QRegularExpression(QStringLiteral("drover.boot=([0-9a-f]+) drover.token=([0-9a-f]+)"))
                           .match(QString::fromLatin1(script.body));
    if (!match.hasMatch()) {
        *why = QString::fromLatin1(script.body);
        return {};
    }
    return { match.captured(1), match.captured(2) };
}

HttpBootServer *startLoopbackBootServer(Lab *lab, QObject *parent, const QString &boundMac, QString *why)
{
    auto *server = new HttpBootServer(lab, parent);
    HttpBootSettings settings;
    settings.port = 0;
    settings.address = QHostAddress::LocalHost;
    if (const Status started = server->start(settings); !started) {
        *why = started.error();
        delete server;
        return nullptr;
    }
    server->bindAddress(boundMac, QHostAddress::LocalHost, QStringLiteral("test"));
    return server;
}

} // namespace drover::test
