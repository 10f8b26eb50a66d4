// BlobStore: content round trips at chunk boundaries, refused mismatches that leave
// nothing, concurrent writers of one blob, cancel, and what verify says about damage.
#include "store/blobstore.h"
#include "store/sha256.h"
#include "storefixture.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <thread>

using namespace drover;
using namespace drover::test;

class TstBlobStore : public QObject {
    Q_OBJECT

    static void addSizeRows()
    {
        QTest::addColumn<qint64>("size");
        const QList<std::pair<const char *, qint64>> sizes { { "empty", 0 }, { "one byte", 1 },
            { "chunk - 1", (1 << 20) - 1 }, { "chunk", 1 << 20 }, { "chunk + 1", (1 << 20) + 1 },
            { "5 chunks + 17", (5 << 20) + 17 }, { "17 MiB (writeback steps)", 17 << 20 } };
        for (const auto &[name, size] : sizes)
            QTest::newRow(name) << size;
    }

private Q_SLOTS:
    void initLayout()
    {
        QTemporaryDir dir;
        BlobStore store(dir.filePath(QStringLiteral("store")));
        QVERIFY(store.init().ok());
        QFile layout(store.root() + QStringLiteral("/oci-layout"));
        QVERIFY(layout.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(layout.readAll()).object().value(QStringLiteral("imageLayoutVersion")),
            QStringLiteral("1.0.0"));
        QFile index(store.root() + QStringLiteral("/index.json"));
        QVERIFY(index.open(QIODevice::ReadOnly));
        const QJsonObject o = QJsonDocument::fromJson(index.readAll()).object();
        QCOMPARE(o.value(QStringLiteral("schemaVersion")).toInt(), 2);
        QVERIFY(o.value(QStringLiteral("manifests")).isArray());
        // A second init never overwrites what is there.
        writeFile(index.fileName(), QByteArrayLiteral("{\"schemaVersion\":2,\"manifests\":[],\"mine\":1}"));
        QVERIFY(store.init().ok());
        QFile again(index.fileName());
        QVERIFY(again.open(QIODevice::ReadOnly));
        QVERIFY(again.readAll().contains("mine"));
        QVERIFY(tempFiles(store.root()).isEmpty());
        QVERIFY(QDir(store.root())
                .entryList(QStringList { QStringLiteral(".tmp-*") }, QDir::Hidden | QDir::Files)
                .isEmpty());
    }

    void hashEngines_data() { addSizeRows(); }
    void hashEngines()
    {
        QFETCH(qint64, size);
        const QByteArray data = randomBytes(size, 7);
        const QString expected
            = QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
        QCOMPARE(Sha256::ofBytes(data, Sha256::Engine::Portable).hex(), expected);
        QCOMPARE(Sha256::ofBytes(data, Sha256::Engine::Best).hex(), expected);
        // Fed in uneven pieces, the same digest.
        Sha256 pieces;
        for (qint64 at = 0; at < size; at += 777777)
            pieces.addData(QByteArrayView(data).mid(at, 777777));
        QCOMPARE(pieces.result().hex(), expected);
    }

    void roundTrip_data() { addSizeRows(); }
    void roundTrip()
    {
        QFETCH(qint64, size);
        QTemporaryDir dir;
        BlobStore store(dir.filePath(QStringLiteral("store")));
        QVERIFY(store.init().ok());
        const QByteArray data = randomBytes(size, quint32(size));
        const Digest digest = Digest::ofBytes(data);

        // Three ways in, one blob.
        auto fromBytes = store.putBytes(data);
        QVERIFY2(fromBytes.ok(), qPrintable(fromBytes.error()));
        const QString source = dir.filePath(QStringLiteral("source"));
        writeFile(source, data);
        auto fromFile = store.putFile(source, digest);
        QVERIFY2(fromFile.ok(), qPrintable(fromFile.error()));
        QBuffer buffer;
        buffer.setData(data);
        QVERIFY(buffer.open(QIODevice::ReadOnly));
        qint64 lastProgress = -1;
        auto fromDevice = store.putDevice(&buffer, {}, [&lastProgress](qint64 done) {
            lastProgress = done;
            return true;
        });
        QVERIFY2(fromDevice.ok(), qPrintable(fromDevice.error()));
        for (const BlobRef &ref : { fromBytes.value(), fromFile.value(), fromDevice.value() }) {
            QCOMPARE(ref.digest, digest);
            QCOMPARE(ref.size, size);
        }
        QCOMPARE(lastProgress, size == 0 ? -1 : size);
        QVERIFY(store.contains(digest));
        QCOMPARE(store.size(digest), size);
        QCOMPARE(store.blobPath(digest), store.root() + QStringLiteral("/blobs/sha256/") + digest.hex());
        QCOMPARE(blobDirEntries(store.root()), QStringList { digest.hex() });
        QVERIFY(store.verify(digest).ok());
        QVERIFY(store.verify(BlobRef { digest, size }).ok());
        auto back = store.readAll(digest, 32 << 20);
        QVERIFY2(back.ok(), qPrintable(back.error()));
        QVERIFY(back.value() == data);
        // Immutable on disk.
        QVERIFY(!(QFile::permissions(store.blobPath(digest)) & QFileDevice::WriteOwner));
    }

    void mismatchRefused_data()
    {
        QTest::addColumn<qint64>("size");
        QTest::addColumn<qint64>("claimedSize"); // -1: only the digest is wrong
        QTest::addColumn<QString>("message");
        QTest::newRow("digest, small") << qint64(10) << qint64(-1) << QStringLiteral("digest mismatch");
        QTest::newRow("digest, 3 chunks") << qint64(3 << 20) << qint64(-1) << QStringLiteral("digest mismatch");
        QTest::newRow("shorter than claimed")
            << qint64(3 << 20) << qint64((3 << 20) + 1) << QStringLiteral("3145728 bytes, expected 3145729");
        QTest::newRow("longer than claimed")
            << qint64(3 << 20) << qint64(1 << 20) << QStringLiteral("more than the expected 1048576 bytes");
    }
    void mismatchRefused()
    {
        QFETCH(qint64, size);
        QFETCH(qint64, claimedSize);
        QFETCH(QString, message);
        QTemporaryDir dir;
        BlobStore store(dir.path());
        QVERIFY(store.init().ok());
        const QByteArray data = randomBytes(size, 3);
        const Digest actual = Digest::ofBytes(data);
        const Digest claimed = claimedSize < 0 ? Digest::ofBytes("something else") : actual;
        QBuffer buffer;
        buffer.setData(data);
        QVERIFY(buffer.open(QIODevice::ReadOnly));
        auto ref = store.putVerified(&buffer, BlobRef { claimed, claimedSize });
        QVERIFY(!ref.ok());
        QVERIFY2(ref.error().contains(message), qPrintable(ref.error()));
        if (claimedSize < 0) {
            QVERIFY2(ref.error().contains(claimed.toString()), qPrintable(ref.error()));
            QVERIFY2(ref.error().contains(actual.toString()), qPrintable(ref.error()));
        }
        // Nothing left: no blob, no temporary file.
        QVERIFY2(blobDirEntries(store.root()).isEmpty(), qPrintable(blobDirEntries(store.root()).join(u',')));
    }

    void presentBlobStillChecksSource()
    {
        QTemporaryDir dir;
        BlobStore store(dir.path());
        const QByteArray data = randomBytes(2 << 20, 5);
        auto ref = store.putBytes(data);
        QVERIFY(ref.ok());
        QByteArray altered = data;
        altered[12345] = char(altered[12345] ^ 1);
        QBuffer buffer;
        buffer.setData(altered);
        QVERIFY(buffer.open(QIODevice::ReadOnly));
        auto again = store.putVerified(&buffer, ref.value());
        QVERIFY(!again.ok());
        QVERIFY2(again.error().contains(QLatin1String("digest mismatch")), qPrintable(again.error()));
        QVERIFY(store.verify(ref.value()).ok());
        QCOMPARE(blobDirEntries(store.root()).size(), 1);
    }

    void damagedBlobHealedByPut()
    {
        QTemporaryDir dir;
        BlobStore store(dir.path());
        const QByteArray data = randomBytes(100000, 6);
        auto ref = store.putBytes(data);
        QVERIFY(ref.ok());
        QFile::setPermissions(store.blobPath(ref->digest), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        QFile::resize(store.blobPath(ref->digest), 500);
        QVERIFY(!store.verify(ref.value()).ok());
        // A writer that knows the size replaces a short blob instead of trusting it.
        QVERIFY(store.putBytes(data).ok());
        QVERIFY(store.verify(ref.value()).ok());
    }

    void concurrentSameBlob_data()
    {
        QTest::addColumn<bool>("withDigest");
        QTest::newRow("unknown digest") << false;
        QTest::newRow("expected digest") << true;
    }
    void concurrentSameBlob()
    {
        QFETCH(bool, withDigest);
        QTemporaryDir dir;
        BlobStore store(dir.path());
        QVERIFY(store.init().ok());
        const QByteArray data = randomBytes(6 << 20, 11);
        const Digest digest = Digest::ofBytes(data);
        std::vector<Result<BlobRef>> results(8, Result<BlobRef>::failure(QStringLiteral("not run")));
        {
            std::vector<std::jthread> threads;
            for (int i = 0; i < 8; ++i) {
                threads.emplace_back([&, i] {
                    QBuffer buffer;
                    buffer.setData(data);
                    buffer.open(QIODevice::ReadOnly);
                    results[i] = store.putDevice(&buffer, withDigest ? digest : Digest());
                });
            }
        }
        for (const auto &r : results) {
            QVERIFY2(r.ok(), qPrintable(r.error()));
            QCOMPARE(r->digest, digest);
        }
        QCOMPARE(blobDirEntries(store.root()), QStringList { digest.hex() });
        QVERIFY(store.verify(BlobRef { digest, data.size() }).ok());
    }

    void cancel_data()
    {
        QTest::addColumn<qint64>("cancelAfter");
        QTest::newRow("first chunk") << qint64(1);
        QTest::newRow("third chunk") << qint64(3);
        QTest::newRow("last chunk") << qint64(8);
    }
    void cancel()
    {
        QFETCH(qint64, cancelAfter);
        QTemporaryDir dir;
        BlobStore store(dir.path());
        QVERIFY(store.init().ok());
        const QByteArray data = randomBytes(8 << 20, 13);
        const QString source = dir.filePath(QStringLiteral("source"));
        writeFile(source, data);
        int calls = 0;
        auto ref = store.putFile(source, {}, [&](qint64) { return ++calls < cancelAfter; });
        QVERIFY(!ref.ok());
        QCOMPARE(ref.error(), BlobStore::cancelledMessage());
        QCOMPARE(calls, int(cancelAfter));
        QVERIFY2(blobDirEntries(store.root()).isEmpty(), qPrintable(blobDirEntries(store.root()).join(u',')));

        // Verify can be cancelled too, and says so.
        auto stored = store.putFile(source);
        QVERIFY(stored.ok());
        Status s = store.verify(stored->digest, [](qint64) { return false; });
        QCOMPARE(s.error(), BlobStore::cancelledMessage());
    }

    void verifyDamage_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing") << QStringLiteral("delete") << QStringLiteral("is missing");
        QTest::newRow("short") << QStringLiteral("truncate") << QStringLiteral("bytes, expected");
        QTest::newRow("flipped byte") << QStringLiteral("flip") << QStringLiteral("is corrupt: its content hashes to");
    }
    void verifyDamage()
    {
        QFETCH(QString, damage);
        QFETCH(QString, message);
        QTemporaryDir dir;
        BlobStore store(dir.path());
        auto ref = store.putBytes(randomBytes(3 << 20, 17));
        QVERIFY(ref.ok());
        const QString path = store.blobPath(ref->digest);
        QVERIFY(store.verify(ref.value()).ok());
        if (damage == QLatin1String("delete")) {
            QVERIFY(QFile::remove(path));
        } else if (damage == QLatin1String("truncate")) {
            QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
            QVERIFY(QFile::resize(path, ref->size - 1));
        } else {
            flipByte(path, 2 << 20);
        }
        Status s = store.verify(ref.value());
        QVERIFY(!s.ok());
        QVERIFY2(s.error().contains(message), qPrintable(s.error()));
        QVERIFY2(s.error().contains(ref->digest.toString()), qPrintable(s.error()));
        QVERIFY(!store.readAll(ref->digest).ok());
    }

    void readAllLimit()
    {
        QTemporaryDir dir;
        BlobStore store(dir.path());
        auto ref = store.putBytes(randomBytes(1000, 19));
        QVERIFY(ref.ok());
        auto tooBig = store.readAll(ref->digest, 999);
        QVERIFY(!tooBig.ok());
        QVERIFY2(tooBig.error().contains(QLatin1String("1000 bytes")), qPrintable(tooBig.error()));
        QVERIFY(!store.readAll(Digest::ofBytes("absent")).ok());
    }
};

QTEST_GUILESS_MAIN(TstBlobStore)
#include "tst_blobstore.moc"
