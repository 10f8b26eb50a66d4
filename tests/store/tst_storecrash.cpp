// Crash safety: a writer (store_writer, importing a bundle or publishing a build) killed
// with SIGKILL at random points, 50 times. After every kill the store must show no partial
// blob, a parseable index.json, no tag (and no catalog image) whose manifest or blobs are
// missing, and the next writer must succeed.
#include "catalog/catalog.h"
#include "store/bundle.h"
#include "store/storegc.h"
#include "store/storeverify.h"
#include "storefixture.h"
#include "testlab.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace drover;
using namespace drover::test;

class TstStoreCrash : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_bundle;

    struct Run {
        bool killed = false;
        int code = 0;
        QByteArray err;
    };

    // Starts store_writer and SIGKILLs it after `killAfterMs` (never when negative).
    static Run writer(const QStringList &args, qint64 killAfterMs)
    {
        QProcess p;
        p.start(QStringLiteral(STORE_WRITER), args);
        if (!p.waitForStarted())
            qFatal("cannot start store_writer");
        if (killAfterMs >= 0 && !p.waitForFinished(int(killAfterMs)))
            p.kill();
        if (p.state() != QProcess::NotRunning && !p.waitForFinished(60000)) {
            p.kill();
            p.waitForFinished();
            qFatal("store_writer %s did not finish within a minute: %s", qPrintable(args.join(u' ')),
                p.readAllStandardError().constData());
        }
        return { p.exitStatus() == QProcess::CrashExit, p.exitCode(), p.readAllStandardError() };
    }

    static QString storeOf(const QString &dataDir) { return dataDir + QStringLiteral("/store"); }

    // What a reader may see after any crash; returns the number of complete tags.
    static int checkStore(const QString &dataDir)
    {
        const ImageStore store(storeOf(dataDir));
        const QString blobs = store.root() + QStringLiteral("/blobs/sha256");
        for (const QString &name : QDir(blobs).entryList(QDir::Files | QDir::Hidden)) {
            if (name.startsWith(QLatin1String(".tmp-")) || name == QLatin1String(".drover-index.lock"))
                continue;
            const Digest digest = Digest::fromHex(name);
            if (digest.isNull())
                qFatal("unexpected file %s in the blobs directory", qPrintable(name));
            Status s = store.blobs().verify(digest);
            if (!s)
                qFatal("a visible blob is partial or corrupt: %s", qPrintable(s.error()));
        }
        auto tags = store.readTags();
        if (!tags)
            qFatal("index.json: %s", qPrintable(tags.error()));
        auto report = verifyImages(store);
        if (!report || !report->ok())
            qFatal("a tag names a manifest whose blobs are missing or broken: %s",
                qPrintable(report ? report->problems.first().message : report.error()));
        const QString catalogFile = dataDir + QStringLiteral("/catalog.sqlite");
        if (!QFile::exists(catalogFile))
            return int(tags->size()); // killed before the lab was opened
        auto catalog = Catalog::open(catalogFile);
        if (!catalog)
            qFatal("catalog: %s", qPrintable(catalog.error()));
        for (const ImageRecord &image : catalog.value()->images()) {
            const auto digest = store.resolve(image.tag());
            if (!digest || digest->toString() != image.manifestDigest)
                qFatal("catalog image %s is not in the store", qPrintable(image.tag()));
        }
        return int(tags->size());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QString why;
        TestLab source = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(source.lab, qPrintable(why));
        ImageStore store(source.lab->storeDir());
        const Manifest m = makeImage(
            store.blobs(), QStringLiteral("carried"), QStringLiteral("1"), { 12 << 20, 8 << 20, 4 << 20 }, 99);
        QVERIFY(publishImage(store, *source.lab->catalog(), m).ok());
        m_bundle = m_dir.filePath(QStringLiteral("carried.tar"));
        auto exported = exportBundle(store, m.tag(), m_bundle);
        QVERIFY2(exported.ok(), qPrintable(exported.error()));
    }

    void killedAtRandomPoints()
    {
        // How long each writer takes whole, to spread the kills over its run.
        QElapsedTimer timer;
        timer.start();
        const QString probe = m_dir.filePath(QStringLiteral("probe"));
        Run r = writer({ QStringLiteral("import"), probe, m_bundle }, -1);
        QVERIFY2(!r.killed && r.code == 0, r.err.constData());
        const qint64 importMs = timer.restart();
        r = writer({ QStringLiteral("publish"), probe, QStringLiteral("1") }, -1);
        QVERIFY2(!r.killed && r.code == 0, r.err.constData());
        const qint64 publishMs = timer.elapsed();
        QCOMPARE(checkStore(probe), 2);

        const quint32 seed = QRandomGenerator::system()->generate();
        qInfo("import takes %lld ms, publish %lld ms; kill delays seeded with %u", importMs, publishMs, seed);
        QRandomGenerator random(seed);
        const QString shared = m_dir.filePath(QStringLiteral("shared"));
        int killed = 0;
        int published = 0;
        for (int i = 0; i < 50; ++i) {
            const bool import = i % 2 == 0;
            const qint64 span = (import ? importMs : publishMs) * 11 / 10;
            const qint64 delay = qint64(random.bounded(quint32(span + 1)));
            if (import) {
                // Each import into a fresh lab, so that every one of them writes.
                QTemporaryDir target;
                r = writer({ QStringLiteral("import"), target.path(), m_bundle }, delay);
                killed += r.killed;
                QVERIFY2(r.killed || r.code == 0, r.err.constData());
                const int tags = checkStore(target.path());
                QVERIFY(r.killed ? tags <= 1 : tags == 1);
                // Whatever the kill left, the next import succeeds and is whole.
                Run again = writer({ QStringLiteral("import"), target.path(), m_bundle }, -1);
                QVERIFY2(!again.killed && again.code == 0, again.err.constData());
                QCOMPARE(checkStore(target.path()), 1);
            } else {
                r = writer({ QStringLiteral("publish"), shared, QString::number(100 + i) }, delay);
                killed += r.killed;
                QVERIFY2(r.killed || r.code == 0, r.err.constData());
                published += !r.killed;
                QVERIFY(checkStore(shared) >= published);
            }
        }
        qInfo("%d of 50 writers killed mid-way", killed);
        QVERIFY2(killed >= 25, "too few kills landed inside a writer's run to mean anything");

        // GC with no grace cleans what the killed writers left, and every tag stays whole.
        GcOptions options;
        options.graceSeconds = 0;
        auto catalog = Catalog::open(shared + QStringLiteral("/catalog.sqlite"));
        QVERIFY(catalog.ok());
        options.roots = catalogRoots(*catalog.value());
        auto gc = collectGarbage(ImageStore(storeOf(shared)), options);
        QVERIFY2(gc.ok(), qPrintable(gc.error()));
        qInfo("gc removed %lld blobs and %lld temporary files", qint64(gc->blobs.size()), qint64(gc->tempFiles.size()));
        QVERIFY(tempFiles(storeOf(shared)).isEmpty());
        QVERIFY(checkStore(shared) >= published);
    }
};

QTEST_GUILESS_MAIN(TstStoreCrash)
#include "tst_storecrash.moc"
