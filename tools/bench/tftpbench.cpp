// drover-tftpbench: the two halves of tools/bench/tftp.sh.
//   drover-tftpbench serve --port P --dir D [--catalog FILE]   Drover's TFTP server, until killed
//                                      (with a catalog, boot events go through a BootRecorder)
//   drover-tftpbench get --port P --file F --clients N [--blksize B] [--windowsize W] --compare PATH
// `get` starts N transfers at once on loopback, checks every byte against PATH, and prints
// "ok=N ms=T slowest=S"; it exits 1 when any transfer failed or differed.
#include "boot/bootrecorder.h"
#include "boot/tftp/tftpserver.h"
#include "catalog/catalog.h"
#include "log/logbus.h"
#include "tst_tftp_client.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QTextStream>

#include <csignal>

using namespace drover;

namespace {

int serve(const QCommandLineParser &p)
{
    std::unique_ptr<Catalog> catalog;
    if (p.isSet(QStringLiteral("catalog"))) {
        auto opened = Catalog::open(p.value(QStringLiteral("catalog")));
        if (!opened) {
            QTextStream(stderr) << opened.error() << Qt::endl;
            return 1;
        }
        catalog = std::move(opened).value();
    }
    LogBus log;
    TftpServer server(catalog.get(), &log);
    // As BootServer runs it: boot events written by the recorder's own thread.
    std::unique_ptr<BootRecorder> recorder;
    if (catalog) {
        recorder = std::make_unique<BootRecorder>(catalog.get(), &log);
        server.setRecorder(recorder.get());
    }
    TftpSettings s;
    s.address = QHostAddress::LocalHost;
    s.port = quint16(p.value(QStringLiteral("port")).toUInt());
    s.ipxeDir = p.value(QStringLiteral("dir"));
    s.maxPerClient = s.maxTransfers; // every benchmark client is 127.0.0.1
    if (Status started = server.start(s); !started) {
        QTextStream(stderr) << started.error() << Qt::endl;
        return 1;
    }
    QTextStream(stdout) << "serving " << server.servedFiles().join(QStringLiteral(", ")) << " on 127.0.0.1:" << s.port
                        << Qt::endl;
    std::signal(SIGTERM, [](int) { QCoreApplication::quit(); });
    return QCoreApplication::exec();
}

int get(const QCommandLineParser &p)
{
    QFile original(p.value(QStringLiteral("compare")));
    if (!original.open(QIODevice::ReadOnly)) {
        QTextStream(stderr) << original.fileName() << ": " << original.errorString() << Qt::endl;
        return 1;
    }
    const QByteArray expected = original.readAll();
    test::TftpGet g;
    g.port = quint16(p.value(QStringLiteral("port")).toUInt());
    g.file = p.value(QStringLiteral("file")).toUtf8();
    g.blockSize = p.value(QStringLiteral("blksize")).toInt();
    g.windowSize = p.value(QStringLiteral("windowsize")).toInt();
    g.askSize = true;
    const int clients = qMax(1, p.value(QStringLiteral("clients")).toInt());
    qint64 elapsed = 0;
    const QList<test::TftpResult> results = test::TftpClientRun::run(QList<test::TftpGet>(clients, g), &elapsed);
    int ok = 0;
    qint64 slowest = 0;
    QString firstError;
    for (const test::TftpResult &r : results) {
        if (r.ok && r.data == expected)
            ++ok;
        else if (firstError.isEmpty())
            firstError = r.ok ? QStringLiteral("different bytes") : r.error;
        slowest = qMax(slowest, r.elapsedMs);
    }
    QTextStream(stdout) << "ok=" << ok << " ms=" << elapsed << " slowest=" << slowest
                        << (firstError.isEmpty() ? QString() : QStringLiteral(" error=") + firstError) << Qt::endl;
    return ok == clients ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("mode"), QStringLiteral("serve or get"));
    for (const char *name : { "port", "dir", "catalog", "file", "clients", "blksize", "windowsize", "compare" })
        p.addOption({ QString::fromLatin1(name), QString::fromLatin1(name), QStringLiteral("VALUE") });
    p.process(app);
    const QString mode = p.positionalArguments().value(0);
    if (mode == QLatin1String("serve"))
        return serve(p);
    if (mode == QLatin1String("get"))
        return get(p);
    QTextStream(stderr) << "usage: drover-tftpbench serve|get [options]" << Qt::endl;
    return 2;
}
