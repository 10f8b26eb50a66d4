// Bundles: export → import into another lab gives the same image; a truncated or altered
// bundle is refused naming the bad entry and publishes nothing; importing twice is harmless.
#include "catalog/catalog.h"
#include "store/bundle.h"
#include "store/storeverify.h"
#include "storefixture.h"
#include "testlab.h"

#include <KArchiveDirectory>
#include <KTar>

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace drover;
using namespace drover::test;

class TstBundle : public QObject {
    Q_OBJECT

    struct Source {
        TestLab lab;
        Manifest manifest;
        QString bundle;
    };

    // A lab with one published image (three layers), exported to a bundle.
    static Source exported(const QString &backend = QStringLiteral("sqlite"))
    {
        Source s;
        QString why;
        s.lab = openTestLab(backend, &why);
        if (!s.lab.lab)
            qFatal("cannot open a lab: %s", qPrintable(why));
        ImageStore store(s.lab.lab->storeDir());
        s.manifest = makeImage(
            store.blobs(), QStringLiteral("class"), QStringLiteral("2024.1"), { 3 << 20, (1 << 20) + 5, 70000 }, 42);
        auto record = publishImage(store, *s.lab.lab->catalog(), s.manifest, QStringLiteral("{\"suite\":\"trixie\"}"));
        if (!record)
            qFatal("cannot publish: %s", qPrintable(record.error()));
        s.bundle = s.lab.dir->filePath(QStringLiteral("class.tar"));
        auto result = exportBundle(store, s.manifest.tag(), s.bundle, record->recipe);
        if (!result)
            qFatal("cannot export: %s", qPrintable(result.error()));
        return s;
    }

    static QByteArray readFile(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    // Where a blob's bytes start inside the bundle (its content is random, so unique).
    static qint64 offsetOf(const QByteArray &tar, const BlobStore &blobs, const Digest &digest)
    {
        QFile blob(blobs.blobPath(digest));
        if (!blob.open(QIODevice::ReadOnly))
            return -1;
        return tar.indexOf(blob.read(256));
    }

    static void expectNothingPublished(const TestLab &target)
    {
        ImageStore store(target.lab->storeDir());
        QVERIFY(store.tags().isEmpty());
        QVERIFY(target.lab->catalog()->images().isEmpty());
        QVERIFY(tempFiles(store.root()).isEmpty());
    }

    static TestLab emptyLab()
    {
        QString why;
        TestLab t = openTestLab(QStringLiteral("sqlite"), &why);
        if (!t.lab)
            qFatal("cannot open a lab: %s", qPrintable(why));
        return t;
    }

private Q_SLOTS:
    void roundTrip_data() { addBackendRows(); }
    void roundTrip()
    {
        QFETCH(QString, backend);
        Source source = exported(backend);
        QVERIFY(!QFile::exists(source.bundle + QStringLiteral(".partial")));

        // The bundle is an OCI layout holding just this image.
        KTar tar(source.bundle);
        QVERIFY(tar.open(QIODevice::ReadOnly));
        const KArchiveDirectory *root = tar.directory();
        QVERIFY(root->file(QStringLiteral("oci-layout")));
        QVERIFY(root->file(QStringLiteral("index.json")));
        const auto *blobs = root->entry(QStringLiteral("blobs/sha256"));
        QVERIFY(blobs && blobs->isDirectory());
        QCOMPARE(static_cast<const KArchiveDirectory *>(blobs)->entries().size(), 1 + 5);
        tar.close();

        TestLab target = emptyLab();
        ImageStore store(target.lab->storeDir());
        qint64 lastDone = 0;
        qint64 lastTotal = 0;
        auto imported = importBundle(store, target.lab->catalog(), source.bundle, [&](qint64 done, qint64 total) {
            lastDone = done;
            lastTotal = total;
            return true;
        });
        QVERIFY2(imported.ok(), qPrintable(imported.error()));
        QCOMPARE(imported->tags, QStringList { QStringLiteral("class:2024.1") });
        QCOMPARE(imported->blobsStored, 5);
        QCOMPARE(lastDone, source.manifest.totalSize());
        QCOMPARE(lastTotal, source.manifest.totalSize());
        QCOMPARE(store.resolve(QStringLiteral("class:2024.1")), Digest::ofBytes(source.manifest.toJson()));
        auto record = target.lab->catalog()->imageByTag(QStringLiteral("class:2024.1"));
        QVERIFY(record.has_value());
        QCOMPARE(record->size, source.manifest.totalSize());
        QCOMPARE(record->recipe, QStringLiteral("{\"suite\":\"trixie\"}"));
        auto report = verifyImages(store);
        QVERIFY(report.ok());
        QVERIFY(report->ok());
        QCOMPARE(report->blobs, 6);

        // Twice: harmless, every blob checked again and none rewritten.
        auto again = importBundle(store, target.lab->catalog(), source.bundle);
        QVERIFY2(again.ok(), qPrintable(again.error()));
        QCOMPARE(again->blobsStored, 0);
        QCOMPARE(again->blobsPresent, 5);
        QCOMPARE(store.tags().size(), 1);
        QCOMPARE(target.lab->catalog()->images().size(), 1);

        // The same image exported again gives the same bytes.
        const QString second = source.lab.dir->filePath(QStringLiteral("again.tar"));
        QVERIFY(
            exportBundle(ImageStore(source.lab.lab->storeDir()), QStringLiteral("class:2024.1"), second, record->recipe)
                .ok());
        QVERIFY(readFile(second) == readFile(source.bundle));
    }

    void reimportRepairs()
    {
        Source source = exported();
        TestLab target = emptyLab();
        ImageStore store(target.lab->storeDir());
        QVERIFY(importBundle(store, target.lab->catalog(), source.bundle).ok());
        const Digest damaged = source.manifest.layers[0].digest;
        flipByte(store.blobs().blobPath(damaged), 777);
        auto report = verifyImages(store);
        QVERIFY(report.ok());
        QCOMPARE(report->problems.size(), 1);
        QCOMPARE(report->problems.first().digest, damaged);

        auto again = importBundle(store, target.lab->catalog(), source.bundle);
        QVERIFY2(again.ok(), qPrintable(again.error()));
        QCOMPARE(again->blobsRepaired, 1);
        QCOMPARE(again->blobsStored, 1);
        QCOMPARE(again->blobsPresent, 4);
        report = verifyImages(store);
        QVERIFY(report.ok());
        QVERIFY(report->ok());
    }

    void truncated_data()
    {
        QTest::addColumn<QString>("cut"); // which blob's data the cut falls into
        QTest::addColumn<qint64>("into"); // bytes of that blob kept
        QTest::newRow("middle of the base layer") << QStringLiteral("layers[0]") << qint64(1 << 20);
        QTest::newRow("last byte of the top layer") << QStringLiteral("layers[2]") << qint64(69999);
        QTest::newRow("kernel") << QStringLiteral("kernel") << qint64(100);
    }
    void truncated()
    {
        QFETCH(QString, cut);
        QFETCH(qint64, into);
        Source source = exported();
        QByteArray tar = readFile(source.bundle);
        BlobRef victim;
        for (const auto &[where, ref] : source.manifest.namedBlobs()) {
            if (where == cut)
                victim = ref;
        }
        const qint64 at = offsetOf(tar, ImageStore(source.lab.lab->storeDir()).blobs(), victim.digest);
        QVERIFY(at > 0);
        tar.truncate(at + into);
        const QString file = source.lab.dir->filePath(QStringLiteral("cut.tar"));
        writeFile(file, tar);

        TestLab target = emptyLab();
        auto imported = importBundle(ImageStore(target.lab->storeDir()), target.lab->catalog(), file);
        QVERIFY(!imported.ok());
        qInfo("refused: %s", qPrintable(imported.error()));
        // KTar keeps the size the header declares; the short read names the cut entry.
        QVERIFY2(imported.error().contains(QStringLiteral("bundle entry blobs/sha256/") + victim.digest.hex()),
            qPrintable(imported.error()));
        QVERIFY2(imported.error().contains(QStringLiteral("%1 bytes, expected %2").arg(into).arg(victim.size)),
            qPrintable(imported.error()));
        expectNothingPublished(target);
    }

    void altered_data()
    {
        QTest::addColumn<QString>("entry");
        QTest::addColumn<qint64>("offset");
        QTest::addColumn<QString>("message");
        QTest::newRow("kernel") << QStringLiteral("kernel") << qint64(0) << QStringLiteral("digest mismatch");
        QTest::newRow("base layer, past 2 MiB")
            << QStringLiteral("layers[0]") << qint64((2 << 20) + 3) << QStringLiteral("digest mismatch");
        QTest::newRow("top layer, last byte")
            << QStringLiteral("layers[2]") << qint64(69999) << QStringLiteral("digest mismatch");
        QTest::newRow("manifest") << QStringLiteral("manifest") << qint64(1) << QStringLiteral("is altered");
        QTest::newRow("index.json") << QStringLiteral("index.json") << qint64(0) << QStringLiteral("index.json");
    }
    void altered()
    {
        QFETCH(QString, entry);
        QFETCH(qint64, offset);
        QFETCH(QString, message);
        Source source = exported();
        QByteArray tar = readFile(source.bundle);
        const BlobStore blobs = ImageStore(source.lab.lab->storeDir()).blobs();
        QString name;
        qint64 at = -1;
        if (entry == QLatin1String("manifest")) {
            const Digest manifest = Digest::ofBytes(source.manifest.toJson());
            at = tar.indexOf(source.manifest.toJson());
            name = manifest.hex();
        } else if (entry == QLatin1String("index.json")) {
            at = tar.indexOf("{\n    \"manifests\"");
            name = QStringLiteral("index.json");
        } else {
            for (const auto &[where, ref] : source.manifest.namedBlobs()) {
                if (where == entry) {
                    at = offsetOf(tar, blobs, ref.digest);
                    name = ref.digest.hex();
                }
            }
        }
        QVERIFY(at > 0);
        tar[at + offset] = char(tar[at + offset] ^ 0x01);
        const QString file = source.lab.dir->filePath(QStringLiteral("altered.tar"));
        writeFile(file, tar);

        TestLab target = emptyLab();
        auto imported = importBundle(ImageStore(target.lab->storeDir()), target.lab->catalog(), file);
        QVERIFY(!imported.ok());
        qInfo("refused: %s", qPrintable(imported.error()));
        QVERIFY2(imported.error().contains(name), qPrintable(imported.error()));
        QVERIFY2(imported.error().contains(message), qPrintable(imported.error()));
        expectNothingPublished(target);
    }

    void tagConflictRefusedBeforeCopying()
    {
        Source source = exported();
        TestLab target = emptyLab();
        ImageStore store(target.lab->storeDir());
        Manifest other = makeImage(store.blobs(), QStringLiteral("class"), QStringLiteral("2024.1"), { 100 }, 7);
        QVERIFY(publishImage(store, *target.lab->catalog(), other).ok());
        const QStringList before = blobDirEntries(store.root());
        auto imported = importBundle(store, target.lab->catalog(), source.bundle);
        QVERIFY(!imported.ok());
        QVERIFY2(imported.error().contains(QLatin1String("class:2024.1")), qPrintable(imported.error()));
        QVERIFY2(imported.error().contains(QLatin1String("never moves")), qPrintable(imported.error()));
        QCOMPARE(blobDirEntries(store.root()), before);
    }

    void cancelImportAndExport()
    {
        Source source = exported();
        TestLab target = emptyLab();
        ImageStore store(target.lab->storeDir());
        auto imported = importBundle(
            store, target.lab->catalog(), source.bundle, [](qint64 done, qint64) { return done < (2 << 20); });
        QVERIFY(!imported.ok());
        QCOMPARE(imported.error(), BlobStore::cancelledMessage());
        expectNothingPublished(target);

        const QString file = source.lab.dir->filePath(QStringLiteral("cancelled.tar"));
        auto exportedAgain = exportBundle(ImageStore(source.lab.lab->storeDir()), source.manifest.tag(), file, {},
            [](qint64 done, qint64) { return done < (2 << 20); });
        QVERIFY(!exportedAgain.ok());
        QCOMPARE(exportedAgain.error(), BlobStore::cancelledMessage());
        QVERIFY(!QFile::exists(file));
        QVERIFY(!QFile::exists(file + QStringLiteral(".partial")));
    }

    void exportRefusesCorruptStore()
    {
        Source source = exported();
        ImageStore store(source.lab.lab->storeDir());
        flipByte(store.blobs().blobPath(source.manifest.layers[1].digest), 1000);
        const QString file = source.lab.dir->filePath(QStringLiteral("bad.tar"));
        auto result = exportBundle(store, source.manifest.tag(), file);
        QVERIFY(!result.ok());
        QVERIFY2(result.error().contains(source.manifest.layers[1].digest.toString()), qPrintable(result.error()));
        QVERIFY(!QFile::exists(file));
        QVERIFY(!QFile::exists(file + QStringLiteral(".partial")));
    }

    void notABundle_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("message");
        QTest::newRow("random bytes") << randomBytes(10000, 1) << QStringLiteral("index.json");
        QTest::newRow("empty file") << QByteArray() << QStringLiteral("index.json");
    }
    void notABundle()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, message);
        TestLab target = emptyLab();
        const QString file = target.dir->filePath(QStringLiteral("junk.tar"));
        writeFile(file, content);
        auto imported = importBundle(ImageStore(target.lab->storeDir()), target.lab->catalog(), file);
        QVERIFY(!imported.ok());
        QVERIFY2(imported.error().contains(message) || imported.error().contains(QLatin1String("not a readable tar")),
            qPrintable(imported.error()));
        expectNothingPublished(target);
    }
};

QTEST_GUILESS_MAIN(TstBundle)
#include "tst_bundle.moc"
