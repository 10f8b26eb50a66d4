// drover-stormseed: fills a data directory for the boot-storm benchmark (tools/bench/storm.sh):
// an image storm:1 of realistic size in the store — kernel, initrd, a base layer and a small
// top layer in the proportions of the reference image (debian-server: 99 MiB to download) —
// and N machines with MACs 02:00:00:xx:xx:xx, the image assigned as the lab's default. The
// bytes are pseudo-random so that nothing on the path can compress them. Machines go in with
// plain SQL in one transaction, as drover-benchseed does: addMachine syncs once per machine.
// Prints key=value lines the script reads: manifest=, kernel=, initrd=, layers=, bytes=.
//
//   drover-stormseed DATA_DIR MACHINES IMAGE_MIB
#include "catalog/catalog.h"
#include "lab/lab.h"
#include "store/imagestore.h"

#include <QCoreApplication>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryFile>

#include <cstdio>

using namespace drover;

namespace {

int fail(const QString &why)
{
    std::fprintf(stderr, "drover-stormseed: %s\n", qPrintable(why));
    return 1;
}

// A blob of `bytes` pseudo-random bytes (xorshift, seeded per blob so blobs differ).
Result<BlobRef> randomBlob(const ImageStore &store, qint64 bytes, quint64 seed)
{
    QTemporaryFile file;
    if (!file.open())
        return Result<BlobRef>::failure(QStringLiteral("cannot create a temporary file"));
    QByteArray chunk(1 << 20, Qt::Uninitialized);
    quint64 x = seed * 0x9e3779b97f4a7c15ULL + 1;
    for (qint64 left = bytes; left > 0;) {
        auto *words = reinterpret_cast<quint64 *>(chunk.data());
        for (qsizetype i = 0; i < chunk.size() / 8; ++i) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            words[i] = x;
        }
        const qint64 n = qMin<qint64>(left, chunk.size());
        if (file.write(chunk.constData(), n) != n)
            return Result<BlobRef>::failure(QStringLiteral("cannot write a temporary file"));
        left -= n;
    }
    file.flush();
    return store.blobs().putFile(file.fileName());
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 4)
        return fail(QStringLiteral("usage: drover-stormseed DATA_DIR MACHINES IMAGE_MIB"));
    const int machines = args.at(2).toInt();
    const double imageMib = args.at(3).toDouble();
    if (machines < 1 || machines > 65535 || imageMib < 1)
        return fail(QStringLiteral("MACHINES must be 1–65535 and IMAGE_MIB at least 1"));
    auto lab = Lab::open(LabOptions { args.at(1), {} });
    if (!lab)
        return fail(lab.error());
    Catalog *catalog = lab.value()->catalog();
    ImageStore store(lab.value()->storeDir());
    if (Status s = store.blobs().init(); !s)
        return fail(s.error());

    // The reference image: kernel 9 %, initrd 3 %, the top layer 1 %, the base layer the rest.
    const qint64 total = qint64(imageMib * 1024 * 1024);
    const qint64 kernelBytes = total * 9 / 100;
    const qint64 initrdBytes = total * 3 / 100;
    const qint64 topBytes = qMax<qint64>(4096, total / 100);
    const qint64 baseBytes = total - kernelBytes - initrdBytes - topBytes;
    auto kernel = randomBlob(store, kernelBytes, 1);
    auto initrd = randomBlob(store, initrdBytes, 2);
    auto base = randomBlob(store, baseBytes, 3);
    auto top = randomBlob(store, topBytes, 4);
    if (!kernel || !initrd || !base || !top)
        return fail(QStringLiteral("cannot store the image's blobs"));
    Manifest m;
    m.name = QStringLiteral("storm");
    m.version = QStringLiteral("1");
    m.kernel = kernel.value();
    m.initrd = initrd.value();
    m.layers = { LayerRef { base->digest, base->size, QStringLiteral("squashfs"), QStringLiteral("base") },
        LayerRef { top->digest, top->size, QStringLiteral("squashfs"), QStringLiteral("top") } };
    m.kernelArgs = QStringLiteral("quiet console=ttyS0");
    auto published = publishImage(store, *catalog, m);
    if (!published)
        return fail(published.error());

    QSqlDatabase db = catalog->database();
    db.transaction();
    QSqlQuery machine(db);
    machine.prepare(QStringLiteral("INSERT INTO machine (name, mac, state, created) VALUES (?, ?, 'unknown', 0)"));
    for (int i = 0; i < machines; ++i) {
        machine.addBindValue(QStringLiteral("storm-%1").arg(i, 5, 10, QLatin1Char('0')));
        machine.addBindValue(QStringLiteral("02:00:00:00:%1:%2")
                .arg((i >> 8) & 0xff, 2, 16, QLatin1Char('0'))
                .arg(i & 0xff, 2, 16, QLatin1Char('0')));
        if (!machine.exec())
            return fail(machine.lastError().text());
    }
    if (!db.commit())
        return fail(db.lastError().text());
    if (auto a = catalog->assign(TargetKind::Default, {}, QStringLiteral("storm:1"), QStringLiteral("bench"), {}); !a)
        return fail(a.error());

    std::printf("manifest=%s\nkernel=%s\ninitrd=%s\nlayers=%s %s\nbytes=%lld\n", qPrintable(published->manifestDigest),
        qPrintable(kernel->digest.toString()), qPrintable(initrd->digest.toString()),
        qPrintable(base->digest.toString()), qPrintable(top->digest.toString()),
        static_cast<long long>(published->size));
    return 0;
}
