// drover-benchseed: fills a data directory for the HTTP benchmark — an image in the store,
// N machines with MACs 02:00:00:xx:xx:xx spread over 10 groups, group and default
// assignments — and optionally a large blob. Machines go in with plain SQL in one
// transaction: the catalog's addMachine commits (and syncs) once per machine, which is right
// for admins and far too slow for 10,000 rows.
//
//   drover-benchseed DATA_DIR MACHINES [BLOB_MB]     prints blob=sha256:… when BLOB_MB > 0
#include "catalog/catalog.h"
#include "lab/lab.h"
#include "store/imagestore.h"

#include <QCoreApplication>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryFile>

#include <cstdio>

using namespace drover;

namespace {

int fail(const QString &why)
{
    std::fprintf(stderr, "drover-benchseed: %s\n", qPrintable(why));
    return 1;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 3)
        return fail(QStringLiteral("usage: drover-benchseed DATA_DIR MACHINES [BLOB_MB]"));
    const int machines = args.at(2).toInt();
    const int blobMb = args.size() > 3 ? args.at(3).toInt() : 0;
    auto lab = Lab::open(LabOptions { args.at(1), {} });
    if (!lab)
        return fail(lab.error());
    Catalog *catalog = lab.value()->catalog();

    ImageStore store(lab.value()->storeDir());
    if (Status s = store.blobs().init(); !s)
        return fail(s.error());
    auto kernel = store.blobs().putBytes(QByteArray(4 << 20, 'k'));
    auto initrd = store.blobs().putBytes(QByteArray(2 << 20, 'i'));
    auto layer = store.blobs().putBytes(QByteArray(1 << 20, 'l'));
    if (!kernel || !initrd || !layer)
        return fail(QStringLiteral("cannot store the image's blobs"));
    for (int v = 1; v <= 2; ++v) {
        Manifest m;
        m.name = QStringLiteral("bench");
        m.version = QString::number(v);
        m.kernel = kernel.value();
        m.initrd = initrd.value();
        m.layers = { LayerRef { layer->digest, layer->size, QStringLiteral("squashfs"), QStringLiteral("base") } };
        m.kernelArgs = QStringLiteral("quiet console=ttyS0");
        if (auto published = publishImage(store, *catalog, m); !published)
            return fail(published.error());
    }

    QSqlDatabase db = catalog->database();
    db.transaction();
    QSqlQuery machine(db);
    machine.prepare(QStringLiteral("INSERT INTO machine (name, mac, state, created) VALUES (?, ?, 'unknown', 0)"));
    QSqlQuery label(db);
    label.prepare(QStringLiteral(
        "INSERT INTO machine_label (machine_id, key, value) SELECT id, 'group', ? FROM machine WHERE name = ?"));
    for (int i = 0; i < machines; ++i) {
        const QString name = QStringLiteral("bench-%1").arg(i, 5, 10, QLatin1Char('0'));
        const QString mac = QStringLiteral("02:00:00:%1:%2:%3")
                                .arg((i >> 16) & 0xff, 2, 16, QLatin1Char('0'))
                                .arg((i >> 8) & 0xff, 2, 16, QLatin1Char('0'))
                                .arg(i & 0xff, 2, 16, QLatin1Char('0'));
        machine.addBindValue(name);
        machine.addBindValue(mac);
        if (!machine.exec())
            return fail(machine.lastError().text());
        label.addBindValue(QStringLiteral("room-%1").arg(i % 10));
        label.addBindValue(name);
        if (!label.exec())
            return fail(label.lastError().text());
    }
    if (!db.commit())
        return fail(db.lastError().text());
    for (int g = 0; g < 5; ++g) {
        if (auto a = catalog->assign(TargetKind::Group, QStringLiteral("room-%1").arg(g), QStringLiteral("bench:2"),
                QStringLiteral("bench"), {});
            !a)
            return fail(a.error());
    }
    if (auto a = catalog->assign(TargetKind::Default, {}, QStringLiteral("bench:1"), QStringLiteral("bench"), {}); !a)
        return fail(a.error());

    if (blobMb > 0) {
        QTemporaryFile big;
        if (!big.open())
            return fail(QStringLiteral("cannot create a temporary file"));
        QByteArray chunk(1 << 20, Qt::Uninitialized);
        for (int i = 0; i < blobMb; ++i) {
            for (qsizetype j = 0; j < chunk.size(); ++j)
                chunk[j] = char((i * 131 + j * 7) & 0xff);
            big.write(chunk);
        }
        big.flush();
        auto blob = store.blobs().putFile(big.fileName());
        if (!blob)
            return fail(blob.error());
        std::printf("blob=%s\n", qPrintable(blob->digest.toString()));
    }
    std::printf("machines=%d\n", machines);
    return 0;
}
