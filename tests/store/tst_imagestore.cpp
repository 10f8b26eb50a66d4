// ImageStore: tags in an OCI index.json that never move, publishing refused while a blob
// is missing, concurrent publishers losing no tag, and publishImage keeping the store and
// the catalog in step on both catalog backends.
#include "catalog/catalog.h"
#include "store/imagestore.h"
#include "storefixture.h"
#include "testlab.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <thread>

using namespace drover;
using namespace drover::test;

class TstImageStore : public QObject {
    Q_OBJECT

    static QJsonArray indexManifests(const QString &root)
    {
        QFile file(root + QStringLiteral("/index.json"));
        if (!file.open(QIODevice::ReadOnly))
            return {};
        return QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("manifests")).toArray();
    }

private Q_SLOTS:
    void imageNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("plain") << "debian-server" << true;
        QTest::newRow("dots and digits") << "debian.13_x" << true;
        QTest::newRow("leading dash") << "-x" << false;
        QTest::newRow("slash") << "a/b" << false;
        QTest::newRow("colon") << "a:1" << false;
        QTest::newRow("128 characters") << QString(128, QLatin1Char('a')) << true;
        QTest::newRow("129 characters") << QString(129, QLatin1Char('a')) << false;
        // PCRE's '$' also matches before a final newline: a name must end where it ends.
        QTest::newRow("trailing newline") << "debian\n" << false;
    }

    void imageNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(isValidImageName(name), valid);
    }

    void publishAndResolve()
    {
        QTemporaryDir dir;
        ImageStore store(dir.path());
        const Manifest m
            = makeImage(store.blobs(), QStringLiteral("debian"), QStringLiteral("12.1"), { 50000, 7000 }, 1);
        auto digest = store.publish(m);
        QVERIFY2(digest.ok(), qPrintable(digest.error()));
        QCOMPARE(digest.value(), Digest::ofBytes(m.toJson()));
        QCOMPARE(store.resolve(QStringLiteral("debian:12.1")), digest.value());
        QVERIFY(!store.resolve(QStringLiteral("debian:12.2")).has_value());
        auto back = store.manifestForTag(QStringLiteral("debian:12.1"));
        QVERIFY2(back.ok(), qPrintable(back.error()));
        QCOMPARE(back->toJson(), m.toJson());

        // The descriptor is what OCI tools expect.
        const QJsonArray manifests = indexManifests(dir.path());
        QCOMPARE(manifests.size(), 1);
        const QJsonObject d = manifests.first().toObject();
        QCOMPARE(d.value(QStringLiteral("mediaType")).toString(), QLatin1String(kManifestMediaType));
        QCOMPARE(d.value(QStringLiteral("digest")).toString(), digest->toString());
        QCOMPARE(d.value(QStringLiteral("size")).toInteger(), m.toJson().size());
        QCOMPARE(d.value(QStringLiteral("annotations"))
                     .toObject()
                     .value(QStringLiteral("org.opencontainers.image.ref.name"))
                     .toString(),
            QStringLiteral("debian:12.1"));
        QCOMPARE(store.tags().size(), 1);
        QCOMPARE(store.tags().first().manifestSize, m.toJson().size());
        QVERIFY(tempFiles(dir.path()).isEmpty());
    }

    void tagNeverMoves()
    {
        QTemporaryDir dir;
        ImageStore store(dir.path());
        Manifest first = makeImage(store.blobs(), QStringLiteral("lab"), QStringLiteral("1"), { 1000 }, 2);
        Manifest second = first;
        second.kernelArgs = QStringLiteral("quiet");
        auto a = store.publish(first);
        QVERIFY(a.ok());
        auto again = store.publish(first);
        QVERIFY2(again.ok(), qPrintable(again.error()));
        QCOMPARE(again.value(), a.value());
        auto moved = store.publish(second);
        QVERIFY(!moved.ok());
        const Digest b = Digest::ofBytes(second.toJson());
        for (const QString &part : { QStringLiteral("lab:1"), a->toString(), b.toString() })
            QVERIFY2(moved.error().contains(part), qPrintable(moved.error()));
        QCOMPARE(store.resolve(QStringLiteral("lab:1")), a.value());
        QCOMPARE(indexManifests(dir.path()).size(), 1);
        // The same content under a new version is a new tag, not a move.
        second.version = QStringLiteral("2");
        QVERIFY(store.publish(second).ok());
        QCOMPARE(store.tags().size(), 2);
    }

    void blobMissingRefused_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("where");
        QTest::addColumn<QString>("message");
        QTest::newRow("kernel missing") << QStringLiteral("remove") << QStringLiteral("kernel")
                                        << QStringLiteral("is not in the store");
        QTest::newRow("layer missing") << QStringLiteral("remove") << QStringLiteral("layers[1]")
                                       << QStringLiteral("is not in the store");
        QTest::newRow("layer size differs")
            << QStringLiteral("size") << QStringLiteral("layers[0]") << QStringLiteral("the manifest says");
    }
    void blobMissingRefused()
    {
        QFETCH(QString, damage);
        QFETCH(QString, where);
        QFETCH(QString, message);
        QTemporaryDir dir;
        ImageStore store(dir.path());
        Manifest m = makeImage(store.blobs(), QStringLiteral("x"), QStringLiteral("1"), { 3000, 4000 }, 3);
        BlobRef ref = where == QLatin1String("kernel")
            ? m.kernel
            : BlobRef { m.layers[where.mid(7, 1).toInt()].digest, m.layers[where.mid(7, 1).toInt()].size };
        if (damage == QLatin1String("remove"))
            QVERIFY(QFile::remove(store.blobs().blobPath(ref.digest)));
        else
            m.layers[0].size += 1;
        auto published = store.publish(m);
        QVERIFY(!published.ok());
        QVERIFY2(published.error().contains(ref.digest.toString()), qPrintable(published.error()));
        QVERIFY2(published.error().contains(where), qPrintable(published.error()));
        QVERIFY2(published.error().contains(message), qPrintable(published.error()));
        QVERIFY(store.tags().isEmpty());
        QVERIFY(!store.blobs().contains(Digest::ofBytes(m.toJson())));
    }

    void concurrentPublishersLoseNoTag()
    {
        QTemporaryDir dir;
        ImageStore store(dir.path());
        QList<Manifest> manifests;
        for (int i = 0; i < 8; ++i)
            manifests.append(makeImage(store.blobs(), QStringLiteral("img"), QString::number(i), { 2000 }, 10 + i));
        std::vector<Result<Digest>> results(8, Result<Digest>::failure(QStringLiteral("not run")));
        {
            std::vector<std::jthread> threads;
            for (int i = 0; i < 8; ++i)
                threads.emplace_back([&, i] { results[i] = store.publish(manifests[i]); });
        }
        for (const auto &r : results)
            QVERIFY2(r.ok(), qPrintable(r.error()));
        QCOMPARE(store.tags().size(), 8);
        for (int i = 0; i < 8; ++i)
            QCOMPARE(store.resolve(QStringLiteral("img:%1").arg(i)), Digest::ofBytes(manifests[i].toJson()));
    }

    void removeTag()
    {
        QTemporaryDir dir;
        ImageStore store(dir.path());
        const Manifest m = makeImage(store.blobs(), QStringLiteral("gone"), QStringLiteral("1"), { 100 }, 4);
        QVERIFY(store.publish(m).ok());
        QVERIFY(store.removeTag(QStringLiteral("gone:1")).ok());
        QVERIFY(!store.resolve(QStringLiteral("gone:1")).has_value());
        Status again = store.removeTag(QStringLiteral("gone:1"));
        QVERIFY(!again.ok());
        QVERIFY2(again.error().contains(QLatin1String("gone:1")), qPrintable(again.error()));
        // Blobs stay until GC.
        QVERIFY(store.blobs().contains(m.kernel.digest));
    }

    void corruptIndexReported()
    {
        QTemporaryDir dir;
        ImageStore store(dir.path());
        QVERIFY(store.blobs().init().ok());
        writeFile(dir.filePath(QStringLiteral("index.json")), QByteArrayLiteral("{\"schemaVersion\":2,"));
        auto tags = store.readTags();
        QVERIFY(!tags.ok());
        QVERIFY2(tags.error().contains(QLatin1String("index.json")), qPrintable(tags.error()));
        const Manifest m = makeImage(store.blobs(), QStringLiteral("a"), QStringLiteral("1"), { 100 }, 5);
        QVERIFY(!store.publish(m).ok()); // never replaces an index it cannot read
    }

    void emptyLockFromAKilledWriterIsTakenOver()
    {
        // A writer killed between creating the lock file and writing its PID into it leaves
        // an empty lock: once it is a few seconds old, the next publisher takes it over.
        QTemporaryDir dir;
        ImageStore store(dir.path());
        QVERIFY(store.blobs().init().ok());
        const QString lock = dir.filePath(QStringLiteral(".drover-index.lock"));
        writeFile(lock, QByteArray());
        QFile file(lock);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.setFileTime(QDateTime::currentDateTime().addSecs(-10), QFileDevice::FileModificationTime));
        file.close();
        const Manifest m = makeImage(store.blobs(), QStringLiteral("after-crash"), QStringLiteral("1"), { 100 }, 6);
        const auto published = store.publish(m);
        QVERIFY2(published.ok(), qPrintable(published.error()));
        QVERIFY(store.resolve(QStringLiteral("after-crash:1")).has_value());
    }

    void publishImage_data() { addBackendRows(); }
    void publishImage()
    {
        QFETCH(QString, backend);
        QString why;
        TestLab t = openTestLab(backend, &why);
        QVERIFY2(t.lab, qPrintable(why));
        Catalog &catalog = *t.lab->catalog();
        ImageStore store(t.lab->storeDir());
        const Manifest m = makeImage(store.blobs(), QStringLiteral("web"), QStringLiteral("3"), { 70000 }, 6);
        const QString recipe = QStringLiteral("{\"suite\":\"trixie\"}");
        auto record = drover::publishImage(store, catalog, m, recipe);
        QVERIFY2(record.ok(), qPrintable(record.error()));
        QCOMPARE(record->manifestDigest, Digest::ofBytes(m.toJson()).toString());
        QCOMPARE(record->size, m.totalSize());
        QCOMPARE(record->recipe, recipe);
        QCOMPARE(catalog.imageByTag(QStringLiteral("web:3"))->manifestDigest, record->manifestDigest);
        QVERIFY(drover::publishImage(store, catalog, m, recipe).ok()); // twice: harmless

        // The catalog knows web:4 with another manifest (a shared catalog, another store):
        // refused before the store gets a tag it would then disagree with.
        ImageRecord other { 0, QStringLiteral("web"), QStringLiteral("4"),
            QStringLiteral("sha256:") + QString(64, u'e'), 1, {}, {}, {} };
        QVERIFY(catalog.addImage(other).ok());
        Manifest m4 = m;
        m4.version = QStringLiteral("4");
        auto refused = drover::publishImage(store, catalog, m4);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().contains(other.manifestDigest), qPrintable(refused.error()));
        QVERIFY(!store.resolve(QStringLiteral("web:4")).has_value());
    }
};

QTEST_GUILESS_MAIN(TstImageStore)
#include "tst_imagestore.moc"
