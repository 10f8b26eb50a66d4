// drover-benchseed: fills a data directory for the HTTP and catalog benchmarks — an image in
// the store, N machines with MACs 02:00:00:xx:xx:xx spread over 10 groups, group and default
// assignments — and optionally a large blob and a history of boot events. Rows go in with
// plain SQL in one transaction: the catalog's addMachine/addEvent commit (and sync) once per
// row, which is right for admins and far too slow for 10,000 machines and 1,000,000 events.
//
//   drover-benchseed [--db URL] [--events N] [--bindings ADDRESS] DATA_DIR MACHINES [BLOB_MB]
// --bindings: every machine's MAC as DHCP saw it at ADDRESS (table boot_binding), so that the
// boot server serves scripts to a load generator there (it serves a MAC's script only to the
// address DHCP saw that MAC use).
// --db: the catalog is this PostgreSQL database (as `drover --db postgresql://…`), not SQLite.
// --events: N boot events over the last 30 days, whole boots as the boot path writes them
// (DHCP offer and ack, TFTP, script, kernel, initrd, manifest, layer, ready or failed), and
// each machine's row left as its last boot left it (state, address, image, last seen); the
// retention count (events/max-count) is raised to four times N so that none are pruned.
// Prints blob=sha256:… when BLOB_MB > 0, and how long the rows took (seed_ms=…).
#include "catalog/catalog.h"
#include "lab/lab.h"
#include "store/imagestore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
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

// The rows of one multi-row INSERT: a statement per row costs a round trip each on
// PostgreSQL; 500 rows of 8 columns stay under SQLite's 32,766 bound variables.
constexpr int kBatch = 500;

QString valuesFor(int rows, int columns)
{
    QString one = QStringLiteral("(?");
    for (int c = 1; c < columns; ++c)
        one += QStringLiteral(", ?");
    one += QLatin1Char(')');
    QStringList all;
    all.reserve(rows);
    for (int r = 0; r < rows; ++r)
        all.append(one);
    return all.join(QStringLiteral(", "));
}

QString macOf(int i)
{
    return QStringLiteral("02:00:00:%1:%2:%3")
        .arg((i >> 16) & 0xff, 2, 16, QLatin1Char('0'))
        .arg((i >> 8) & 0xff, 2, 16, QLatin1Char('0'))
        .arg(i & 0xff, 2, 16, QLatin1Char('0'));
}

QString addressOf(int i)
{
    return QStringLiteral("10.%1.%2.%3").arg(i >> 16 & 0xff).arg(i >> 8 & 0xff).arg(i & 0xff);
}

// SQL's NULL is what Qt binds for a null QString; the catalog's columns are NOT NULL ''.
QString text(const QString &s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

// How each machine's last boot left it, for its row in the machine table.
struct LastBoot {
    qint64 at = 0;
    bool failed = false;
    QString image;
};

// Writes `events` boot events: boots of random machines at evenly spread times over the last
// 30 days, oldest first (ids grow with time, as they do when the server writes them).
QString seedEvents(QSqlDatabase db, int machines, qint64 events, QList<LastBoot> *last)
{
    static const QStringList phases { QStringLiteral("dhcp"), QStringLiteral("dhcp"), QStringLiteral("tftp"),
        QStringLiteral("script"), QStringLiteral("kernel"), QStringLiteral("initrd"), QStringLiteral("manifest"),
        QStringLiteral("layer"), QStringLiteral("ready") };
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 span = 30LL * 24 * 3600 * 1000;
    const qint64 boots = (events + phases.size() - 1) / phases.size();
    QRandomGenerator random(18);
    QSqlQuery full(db);
    const QString insert
        = QStringLiteral("INSERT INTO boot_event (at, machine, mac, boot_id, phase, image, severity, detail) VALUES ");
    if (!full.prepare(insert + valuesFor(kBatch, 8)))
        return full.lastError().text();
    int pending = 0;
    QVariantList values;
    auto flush = [&]() -> QString {
        QSqlQuery tail(db);
        QSqlQuery &q = pending == kBatch ? full : tail;
        if (pending < kBatch && !tail.prepare(insert + valuesFor(pending, 8)))
            return tail.lastError().text();
        for (const QVariant &v : std::as_const(values))
            q.addBindValue(v);
        if (!q.exec())
            return q.lastError().text();
        values.clear();
        pending = 0;
        return {};
    };
    qint64 written = 0;
    for (qint64 b = 0; b < boots && written < events; ++b) {
        const int i = int(random.bounded(machines));
        const QString name = QStringLiteral("bench-%1").arg(i, 5, 10, QLatin1Char('0'));
        const QString mac = macOf(i);
        const QString address = addressOf(i);
        const QString bootId = QString::number(random.generate64() | (1ULL << 63), 16);
        const QString image = i % 10 < 5 ? QStringLiteral("bench:2") : QStringLiteral("bench:1");
        qint64 at = now - span + span * b / qMax<qint64>(1, boots);
        // One boot in twenty fails to come up: the init's report names the failure.
        const bool failed = random.bounded(20) == 0;
        for (int p = 0; p < phases.size() && written < events; ++p, ++written) {
            QString phase = phases.at(p);
            QString severity = QStringLiteral("info");
            QString detail;
            QString eventImage = image;
            switch (p) {
            case 0:
            case 1:
                detail = QStringLiteral("%1 %2, iPXE x86-64 UEFI (client arch 7)")
                             .arg(p == 0 ? QStringLiteral("offer") : QStringLiteral("ack"), address);
                eventImage.clear();
                break;
            case 2:
                detail = QStringLiteral("ipxe.efi to %1 sent, 996864 bytes in 0.4 s").arg(address);
                eventImage.clear();
                break;
            case 3:
                detail = QStringLiteral("script served to %1: boots %2").arg(address, image);
                break;
            case 8:
                if (failed) {
                    phase = QStringLiteral("failed");
                    severity = QStringLiteral("error");
                    detail
                        = QStringLiteral("%1 reports failed: layer base did not verify [reported no digest]").arg(name);
                } else {
                    detail = QStringLiteral("%1 reports ready sha256:5d1a0c3e9b7f [reported sha256:5d1a0c3e9b7f2a]")
                                 .arg(name);
                }
                break;
            default:
                detail = QStringLiteral("%1 sha256:9f86d081884c to %2 sent, 4.0 MiB in 0.1 s").arg(phase, address);
                break;
            }
            values << at << name << mac << bootId << phase << text(eventImage) << severity << detail;
            at += 150 + random.bounded(900); // the phases of a boot, a second or so apart
            if (++pending == kBatch) {
                if (QString why = flush(); !why.isEmpty())
                    return why;
            }
        }
        (*last)[i] = LastBoot { at, failed, image };
    }
    if (pending > 0)
        return flush();
    return {};
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments();
    QString url;
    qint64 events = 0;
    QString bindings;
    for (int i = 1; i + 1 < args.size();) {
        if (args.at(i) == QLatin1String("--db")) {
            url = args.at(i + 1);
        } else if (args.at(i) == QLatin1String("--events")) {
            events = args.at(i + 1).toLongLong();
        } else if (args.at(i) == QLatin1String("--bindings")) {
            bindings = args.at(i + 1);
        } else {
            ++i;
            continue;
        }
        args.remove(i, 2);
    }
    if (args.size() < 3)
        return fail(QStringLiteral(
            "usage: drover-benchseed [--db URL] [--events N] [--bindings ADDRESS] DATA_DIR MACHINES [BLOB_MB]"));
    const int machines = args.at(2).toInt();
    const int blobMb = args.size() > 3 ? args.at(3).toInt() : 0;
    auto lab = Lab::open(LabOptions { args.at(1), url });
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

    QElapsedTimer seeding;
    seeding.start();
    QSqlDatabase db = catalog->database();
    db.transaction();
    QList<LastBoot> last(machines);
    if (events > 0) {
        if (QString why = seedEvents(db, machines, events, &last); !why.isEmpty())
            return fail(why);
    }
    QSqlQuery machine(db);
    machine.prepare(QStringLiteral("INSERT INTO machine (name, mac, state, phase, address, last_seen, current_image, "
                                   "last_good_image, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)"));
    QSqlQuery label(db);
    label.prepare(QStringLiteral(
        "INSERT INTO machine_label (machine_id, key, value) SELECT id, 'group', ? FROM machine WHERE name = ?"));
    QSqlQuery binding(db);
    binding.prepare(QStringLiteral("INSERT INTO boot_binding (mac, address, source, seen) VALUES (?, ?, 'dhcp', ?)"));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int i = 0; i < machines; ++i) {
        const QString name = QStringLiteral("bench-%1").arg(i, 5, 10, QLatin1Char('0'));
        const LastBoot &boot = last.at(i);
        const bool booted = boot.at > 0;
        machine.addBindValue(name);
        machine.addBindValue(macOf(i));
        machine.addBindValue(!booted ? QStringLiteral("unknown")
                : boot.failed        ? QStringLiteral("failed")
                                     : QStringLiteral("ready"));
        machine.addBindValue(booted && boot.failed ? QStringLiteral("failed") : text({}));
        machine.addBindValue(booted ? addressOf(i) : text({}));
        machine.addBindValue(boot.at);
        machine.addBindValue(text(boot.image));
        machine.addBindValue(booted && !boot.failed ? boot.image : text({}));
        if (!machine.exec())
            return fail(machine.lastError().text());
        label.addBindValue(QStringLiteral("room-%1").arg(i % 10));
        label.addBindValue(name);
        if (!label.exec())
            return fail(label.lastError().text());
        if (!bindings.isEmpty()) {
            binding.addBindValue(macOf(i));
            binding.addBindValue(bindings);
            binding.addBindValue(now);
            if (!binding.exec())
                return fail(binding.lastError().text());
        }
    }
    if (!db.commit())
        return fail(db.lastError().text());
    // A live PostgreSQL catalog has been analysed by autovacuum long before it holds a
    // million events; without it the planner guesses from an empty table's statistics.
    if (db.driverName() == QLatin1String("QPSQL")) {
        QSqlQuery analyze(db);
        if (!analyze.exec(QStringLiteral("ANALYZE")))
            return fail(analyze.lastError().text());
    }
    const qint64 seedMs = seeding.elapsed();
    for (int g = 0; g < 5; ++g) {
        if (auto a = catalog->assign(TargetKind::Group, QStringLiteral("room-%1").arg(g), QStringLiteral("bench:2"),
                QStringLiteral("bench"), {});
            !a)
            return fail(a.error());
    }
    if (auto a = catalog->assign(TargetKind::Default, {}, QStringLiteral("bench:1"), QStringLiteral("bench"), {}); !a)
        return fail(a.error());

    // A lab that keeps this many events has raised the retention count (200,000 by default);
    // without that, a boot server started on this catalog would spend the benchmark pruning
    // what was seeded (a minute after it starts, 200,000 rows a round).
    if (events > 0) {
        const QString keep = QString::number(qMin<qint64>(100'000'000, events * 4));
        if (Status s = catalog->setSetting(QStringLiteral("events/max-count"), keep); !s)
            return fail(s.error());
    }

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
    std::printf("machines=%d\nevents=%lld\nseed_ms=%lld\n", machines, static_cast<long long>(events),
        static_cast<long long>(seedMs));
    return 0;
}
