// Keeping a store healthy: verify names each damaged blob with the images that use it;
// GC deletes only what no tag and no catalog image reaches, never before the grace period,
// and cleans temporary files writers left behind.
#include "catalog/catalog.h"
#include "store/storegc.h"
#include "store/storeverify.h"
#include "storefixture.h"
#include "testlab.h"

#include <QFile>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace drover;
using namespace drover::test;

class TstStoreMaint : public QObject {
    Q_OBJECT

    static QSet<QString> names(const QList<GcEntry> &entries)
    {
        QSet<QString> result;
        for (const GcEntry &e : entries)
            result.insert(e.name);
        return result;
    }

    static QSet<QString> digestsOf(const Manifest &m)
    {
        QSet<QString> result { Digest::ofBytes(m.toJson()).toString() };
        for (const BlobRef &ref : m.blobs())
            result.insert(ref.digest.toString());
        return result;
    }

private Q_SLOTS:
    void verifyNamesImages_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("message");
        QTest::newRow("flipped byte") << QStringLiteral("flip") << QStringLiteral("is corrupt");
        QTest::newRow("missing") << QStringLiteral("remove") << QStringLiteral("is missing");
        QTest::newRow("truncated") << QStringLiteral("truncate") << QStringLiteral("bytes, expected");
    }
    void verifyNamesImages()
    {
        QFETCH(QString, damage);
        QFETCH(QString, message);
        QTemporaryDir dir;
        ImageStore store(dir.path());
        // Two versions share their base layer; a third image shares nothing.
        Manifest v1 = makeImage(store.blobs(), QStringLiteral("desk"), QStringLiteral("1"), { 300000, 1000 }, 1);
        Manifest v2 = makeImage(store.blobs(), QStringLiteral("desk"), QStringLiteral("2"), { 1000 }, 2);
        v2.layers.prepend(v1.layers.first());
        const Manifest other = makeImage(store.blobs(), QStringLiteral("kiosk"), QStringLiteral("1"), { 5000 }, 3);
        for (const Manifest &m : { v1, v2, other })
            QVERIFY(store.publish(m).ok());
        auto clean = verifyImages(store);
        QVERIFY2(clean.ok(), qPrintable(clean.error()));
        QVERIFY(clean->ok());
        QCOMPARE(clean->images.size(), 3);
        // 3 manifests + desk:1 (4 blobs) + desk:2 (kernel, initrd, top; base shared) + kiosk (3)
        QCOMPARE(clean->blobs, 3 + 4 + 3 + 3);

        const BlobRef base { v1.layers.first().digest, v1.layers.first().size };
        const QString path = store.blobs().blobPath(base.digest);
        if (damage == QLatin1String("flip")) {
            flipByte(path, 123456);
        } else if (damage == QLatin1String("remove")) {
            QVERIFY(QFile::remove(path));
        } else {
            QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
            QVERIFY(QFile::resize(path, 1000));
        }
        qint64 lastDone = 0;
        qint64 lastTotal = 0;
        auto report = verifyImages(store, {}, [&](qint64 done, qint64 total) {
            lastDone = done;
            lastTotal = total;
            return true;
        });
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QVERIFY(!report->ok());
        QCOMPARE(report->problems.size(), 1);
        const BlobProblem &problem = report->problems.first();
        QCOMPARE(problem.digest, base.digest);
        QVERIFY2(problem.message.contains(message), qPrintable(problem.message));
        QCOMPARE(QSet<QString>(problem.images.cbegin(), problem.images.cend()),
            (QSet<QString> { QStringLiteral("desk:1"), QStringLiteral("desk:2") }));
        QVERIFY(lastTotal > 0);
        QVERIFY(lastDone <= lastTotal);

        // One image: only its blobs are checked.
        auto kiosk = verifyImages(store, { QStringLiteral("kiosk:1") });
        QVERIFY(kiosk.ok());
        QVERIFY(kiosk->ok());
        QCOMPARE(kiosk->blobs, 4);
        auto desk2 = verifyImages(store, { QStringLiteral("desk:2") });
        QVERIFY(desk2.ok());
        QCOMPARE(desk2->problems.size(), 1);
        QCOMPARE(desk2->problems.first().images, QStringList { QStringLiteral("desk:2") });
    }

    void verifyBrokenManifest()
    {
        QTemporaryDir dir;
        ImageStore store(dir.path());
        const Manifest m = makeImage(store.blobs(), QStringLiteral("a"), QStringLiteral("1"), { 100 }, 4);
        auto digest = store.publish(m);
        QVERIFY(digest.ok());
        flipByte(store.blobs().blobPath(digest.value()), 10);
        auto report = verifyImages(store);
        QVERIFY(report.ok());
        QCOMPARE(report->problems.size(), 1);
        QCOMPARE(report->problems.first().digest, digest.value());
        QCOMPARE(report->problems.first().images, QStringList { QStringLiteral("a:1") });
    }

    void verifyUnknownTagAndCancel()
    {
        QTemporaryDir dir;
        ImageStore store(dir.path());
        QVERIFY(store.publish(makeImage(store.blobs(), QStringLiteral("a"), QStringLiteral("1"), { 3 << 20 }, 5)).ok());
        auto unknown = verifyImages(store, { QStringLiteral("b:1") });
        QVERIFY(!unknown.ok());
        QVERIFY2(unknown.error().contains(QLatin1String("b:1")), qPrintable(unknown.error()));
        auto cancelled = verifyImages(store, {}, [](qint64 done, qint64) { return done < (1 << 20); });
        QVERIFY(!cancelled.ok());
        QCOMPARE(cancelled.error(), BlobStore::cancelledMessage());
    }

    void gcUnreachableAndGrace_data()
    {
        QTest::addColumn<bool>("dryRun");
        QTest::addColumn<qint64>("blobAge");
        QTest::addColumn<bool>("deleted");
        QTest::newRow("old, deleted") << false << qint64(7200) << true;
        QTest::newRow("old, dry run") << true << qint64(7200) << false;
        QTest::newRow("young, kept") << false << qint64(60) << false;
    }
    void gcUnreachableAndGrace()
    {
        QFETCH(bool, dryRun);
        QFETCH(qint64, blobAge);
        QFETCH(bool, deleted);
        QTemporaryDir dir;
        ImageStore store(dir.path());
        const Manifest kept = makeImage(store.blobs(), QStringLiteral("kept"), QStringLiteral("1"), { 2000 }, 6);
        const Manifest dropped = makeImage(store.blobs(), QStringLiteral("dropped"), QStringLiteral("1"), { 3000 }, 7);
        QVERIFY(store.publish(kept).ok());
        QVERIFY(store.publish(dropped).ok());
        QVERIFY(store.removeTag(QStringLiteral("dropped:1")).ok());
        const QStringList everything = blobDirEntries(dir.path());
        for (const QString &name : everything)
            age(store.blobs().blobPath(Digest::fromHex(name)), blobAge);
        // Temporary files of killed writers: one stale, one maybe still being written.
        const QString staleTemp = dir.filePath(QStringLiteral("blobs/sha256/.tmp-1-dead"));
        const QString freshTemp = dir.filePath(QStringLiteral("blobs/sha256/.tmp-2-busy"));
        writeFile(staleTemp, "partial");
        writeFile(freshTemp, "partial");
        age(staleTemp, 7200);
        const QString rootTemp = dir.filePath(QStringLiteral(".tmp-3-init")); // from a killed init()
        writeFile(rootTemp, "{}");
        age(rootTemp, 7200);
        const QString saveTemp = dir.filePath(QStringLiteral("index.json.AbC123")); // a killed QSaveFile
        writeFile(saveTemp, "{");
        age(saveTemp, 7200);

        GcOptions options;
        options.dryRun = dryRun;
        auto report = collectGarbage(store, options);
        QVERIFY2(report.ok(), qPrintable(report.error()));
        const QSet<QString> droppedDigests = digestsOf(dropped);
        QCOMPARE(report->reachable, int(digestsOf(kept).size()));
        if (blobAge > options.graceSeconds) {
            QCOMPARE(names(report->blobs), droppedDigests);
            qint64 bytes = 7 + 2 + 1; // the stale temporary files
            for (const BlobRef &ref : dropped.blobs())
                bytes += ref.size;
            bytes += dropped.toJson().size();
            QCOMPARE(report->bytesFreed, bytes);
            QCOMPARE(report->young, 0);
        } else {
            QVERIFY(report->blobs.isEmpty());
            QCOMPARE(report->young, int(droppedDigests.size()));
        }
        QCOMPARE(names(report->tempFiles),
            (QSet<QString> {
                QStringLiteral(".tmp-1-dead"), QStringLiteral(".tmp-3-init"), QStringLiteral("index.json.AbC123") }));
        QCOMPARE(QFile::exists(rootTemp), dryRun);
        QCOMPARE(QFile::exists(saveTemp), dryRun);
        for (const QString &digest : droppedDigests)
            QCOMPARE(store.blobs().contains(*Digest::parse(digest)), !deleted);
        QCOMPARE(QFile::exists(staleTemp), dryRun);
        QVERIFY(QFile::exists(freshTemp));
        auto verify = verifyImages(store);
        QVERIFY(verify.ok());
        QVERIFY(verify->ok()); // whatever GC did, every tag is whole
    }

    void gcKeepsCatalogImages_data() { addBackendRows(); }
    void gcKeepsCatalogImages()
    {
        QFETCH(QString, backend);
        QString why;
        TestLab t = openTestLab(backend, &why);
        QVERIFY2(t.lab, qPrintable(why));
        Catalog &catalog = *t.lab->catalog();
        ImageStore store(t.lab->storeDir());
        const Manifest used = makeImage(store.blobs(), QStringLiteral("used"), QStringLiteral("1"), { 4000 }, 8);
        const Manifest unused = makeImage(store.blobs(), QStringLiteral("unused"), QStringLiteral("1"), { 5000 }, 9);
        QVERIFY(publishImage(store, catalog, used).ok());
        QVERIFY(publishImage(store, catalog, unused).ok());
        Machine pc;
        pc.name = QStringLiteral("pc-01");
        pc.mac = QStringLiteral("52:54:00:00:00:01");
        QVERIFY(catalog.addMachine(pc).ok());
        QVERIFY(catalog
                .assign(
                    TargetKind::Machine, QStringLiteral("pc-01"), QStringLiteral("used:1"), QStringLiteral("test"), {})
                .ok());
        QVERIFY(catalog.removeImage(QStringLiteral("unused:1")).ok());
        QVERIFY(!catalog.removeImage(QStringLiteral("used:1")).ok()); // in use
        // Someone removed both tags from the store behind the catalog's back.
        QVERIFY(store.removeTag(QStringLiteral("used:1")).ok());
        QVERIFY(store.removeTag(QStringLiteral("unused:1")).ok());
        for (const QString &name : blobDirEntries(store.root()))
            age(store.blobs().blobPath(Digest::fromHex(name)), 7200);

        const QList<Digest> roots = catalogRoots(catalog);
        QCOMPARE(roots, QList<Digest> { Digest::ofBytes(used.toJson()) });
        GcOptions options;
        options.roots = roots;
        auto report = collectGarbage(store, options);
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(names(report->blobs), digestsOf(unused));
        for (const QString &digest : digestsOf(used))
            QVERIFY2(store.blobs().contains(*Digest::parse(digest)), qPrintable(digest));
    }

    void gcRefusesWhenAManifestIsUnreadable()
    {
        QTemporaryDir dir;
        ImageStore store(dir.path());
        const Manifest m = makeImage(store.blobs(), QStringLiteral("a"), QStringLiteral("1"), { 100 }, 10);
        auto digest = store.publish(m);
        QVERIFY(digest.ok());
        QVERIFY(QFile::remove(store.blobs().blobPath(digest.value())));
        for (const QString &name : blobDirEntries(dir.path()))
            age(store.blobs().blobPath(Digest::fromHex(name)), 7200);
        auto report = collectGarbage(store, GcOptions {});
        QVERIFY(!report.ok());
        QVERIFY2(report.error().contains(digest->toString()), qPrintable(report.error()));
        QVERIFY(store.blobs().contains(m.kernel.digest)); // nothing deleted blindly

        // A catalog image whose manifest lives in another store is only a note.
        ImageStore empty(dir.filePath(QStringLiteral("other")));
        QVERIFY(empty.blobs().init().ok());
        GcOptions options;
        options.roots = { digest.value() };
        auto noted = collectGarbage(empty, options);
        QVERIFY2(noted.ok(), qPrintable(noted.error()));
        QCOMPARE(noted->notes.size(), 1);
    }
};

QTEST_GUILESS_MAIN(TstStoreMaint)
#include "tst_storemaint.moc"
