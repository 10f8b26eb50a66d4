// `drover image …` run as a user or a script would: listings as JSON, verify's exit code
// on damage, export → import into another lab, rm refused while in use, gc and its dry run.
#include "catalog/catalog.h"
#include "lab/lab.h"
#include "store/imagestore.h"
#include "storefixture.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace drover;
using namespace drover::test;

class TstImageCli : public QObject {
    Q_OBJECT

    struct Run {
        int code;
        QByteArray out;
        QByteArray err;
        QJsonDocument json() const { return QJsonDocument::fromJson(out); }
    };

    std::unique_ptr<QTemporaryDir> m_dir;

    QString data(const QString &name = QStringLiteral("a")) const { return m_dir->filePath(name); }

    static Run drover(const QString &dataDir, const QStringList &args)
    {
        QProcess p;
        p.start(qEnvironmentVariable("DROVER_EXECUTABLE"), QStringList { QStringLiteral("--data"), dataDir } + args);
        if (!p.waitForFinished(60000))
            qFatal("drover %s did not finish", qPrintable(args.join(QLatin1Char(' '))));
        return { p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError() };
    }

    // A lab with image cli:1 (published through the core, as a build would), optionally
    // assigned to a machine.
    static Manifest seed(const QString &dataDir, bool assigned = false)
    {
        auto lab = Lab::open(LabOptions { dataDir, {} });
        if (!lab)
            qFatal("%s", qPrintable(lab.error()));
        ImageStore store(lab.value()->storeDir());
        const Manifest m = makeImage(store.blobs(), QStringLiteral("cli"), QStringLiteral("1"), { 200000, 3000 }, 5);
        auto record = publishImage(store, *lab.value()->catalog(), m, QStringLiteral("{\"recipe\":1}"));
        if (!record)
            qFatal("%s", qPrintable(record.error()));
        if (assigned) {
            Machine pc;
            pc.name = QStringLiteral("pc-01");
            pc.mac = QStringLiteral("52:54:00:00:00:01");
            if (!lab.value()->catalog()->addMachine(pc).ok()
                || !lab.value()->catalog()->assign(TargetKind::Machine, pc.name, m.tag(), QStringLiteral("t"), {}).ok())
                qFatal("cannot assign");
        }
        return m;
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void exitCodes_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        auto row = [](const char *name, const QStringList &args, int code, const QString &message) {
            QTest::newRow(name) << (QStringList { QStringLiteral("image") } + args) << code << message;
        };
        row("inspect, not a tag", { QStringLiteral("inspect"), QStringLiteral("no-colon") }, 2,
            QStringLiteral("is not an image NAME:VERSION"));
        row("inspect, unknown", { QStringLiteral("inspect"), QStringLiteral("nope:1") }, 1,
            QStringLiteral("no image nope:1"));
        row("verify, tag and --all", { QStringLiteral("verify"), QStringLiteral("a:1"), QStringLiteral("--all") }, 2,
            QStringLiteral("either NAME:VERSION or --all"));
        row("verify, unknown", { QStringLiteral("verify"), QStringLiteral("nope:1") }, 1,
            QStringLiteral("no image nope:1"));
        row("gc, bad grace", { QStringLiteral("gc"), QStringLiteral("--grace"), QStringLiteral("soon") }, 2,
            QStringLiteral("not a duration"));
        row("export, one argument", { QStringLiteral("export"), QStringLiteral("a:1") }, 2,
            QStringLiteral("wrong number of arguments"));
        row("import, no such file", { QStringLiteral("import"), QStringLiteral("/nonexistent/x.tar") }, 1,
            QStringLiteral("/nonexistent/x.tar"));
        row("rm, unknown", { QStringLiteral("rm"), QStringLiteral("nope:1") }, 1, QStringLiteral("no image nope:1"));
        row("ls, extra argument", { QStringLiteral("ls"), QStringLiteral("x") }, 2,
            QStringLiteral("wrong number of arguments"));
    }
    void exitCodes()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        const Run r = drover(data(), args);
        QCOMPARE(r.code, code);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }

    void listInspectVerify()
    {
        const Manifest m = seed(data());
        const QString digest = Digest::ofBytes(m.toJson()).toString();
        Run r = drover(data(), { QStringLiteral("image"), QStringLiteral("ls"), QStringLiteral("--json") });
        QCOMPARE(r.code, 0);
        const QJsonArray list = r.json().array();
        QCOMPARE(list.size(), 1);
        const QJsonObject image = list.first().toObject();
        QCOMPARE(image.value(QStringLiteral("tag")).toString(), QStringLiteral("cli:1"));
        QCOMPARE(image.value(QStringLiteral("manifestDigest")).toString(), digest);
        QCOMPARE(image.value(QStringLiteral("size")).toInteger(), m.totalSize());
        QVERIFY(image.value(QStringLiteral("inStore")).toBool());
        QVERIFY(image.value(QStringLiteral("inCatalog")).toBool());
        r = drover(data(), { QStringLiteral("image"), QStringLiteral("ls") });
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("cli") && r.out.contains(digest.mid(7, 12).toLatin1()), r.out.constData());

        r = drover(data(),
            { QStringLiteral("image"), QStringLiteral("inspect"), QStringLiteral("cli:1"), QStringLiteral("--json") });
        QCOMPARE(r.code, 0);
        const QJsonObject inspected = r.json().object();
        QCOMPARE(inspected.value(QStringLiteral("manifestDigest")).toString(), digest);
        QCOMPARE(
            inspected.value(QStringLiteral("manifest")).toObject().value(QStringLiteral("layers")).toArray().size(), 2);
        QCOMPARE(inspected.value(QStringLiteral("recipe")).toString(), QStringLiteral("{\"recipe\":1}"));

        r = drover(data(), { QStringLiteral("image"), QStringLiteral("verify"), QStringLiteral("--json") });
        QCOMPARE(r.code, 0);
        QVERIFY(r.json().object().value(QStringLiteral("ok")).toBool());
        QCOMPARE(r.json().object().value(QStringLiteral("blobs")).toInt(), 5);

        // One flipped byte in a layer: exit 1, the blob named with the image using it.
        flipByte(data() + QStringLiteral("/store/blobs/sha256/") + m.layers[0].digest.hex(), 100000);
        r = drover(data(),
            { QStringLiteral("image"), QStringLiteral("verify"), QStringLiteral("cli:1"), QStringLiteral("--json") });
        QCOMPARE(r.code, 1);
        const QJsonObject report = r.json().object();
        QVERIFY(!report.value(QStringLiteral("ok")).toBool());
        const QJsonArray problems = report.value(QStringLiteral("problems")).toArray();
        QCOMPARE(problems.size(), 1);
        QCOMPARE(problems.first()[QStringLiteral("digest")].toString(), m.layers[0].digest.toString());
        QCOMPARE(problems.first()[QStringLiteral("images")].toArray(), QJsonArray { QStringLiteral("cli:1") });
        r = drover(data(), { QStringLiteral("image"), QStringLiteral("verify"), QStringLiteral("--all") });
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains(m.layers[0].digest.toString().toLatin1()) && r.out.contains("used by: cli:1"),
            r.out.constData());
    }

    void exportImportRemoveGc()
    {
        const Manifest m = seed(data());
        const QString bundle = m_dir->filePath(QStringLiteral("cli.tar"));
        Run r = drover(data(),
            { QStringLiteral("image"), QStringLiteral("export"), QStringLiteral("cli:1"), bundle,
                QStringLiteral("--json") });
        QCOMPARE(r.code, 0);
        QVERIFY(QFile::exists(bundle));
        QCOMPARE(r.json().object().value(QStringLiteral("bytes")).toInteger(), m.totalSize() + m.toJson().size());

        const QString other = data(QStringLiteral("b"));
        for (int round = 0; round < 2; ++round) {
            r = drover(other, { QStringLiteral("image"), QStringLiteral("import"), bundle, QStringLiteral("--json") });
            QVERIFY2(r.code == 0, r.err.constData());
            const QJsonObject imported = r.json().object();
            QCOMPARE(imported.value(QStringLiteral("tags")).toArray(), QJsonArray { QStringLiteral("cli:1") });
            QCOMPARE(imported.value(QStringLiteral("blobsStored")).toInt(), round == 0 ? 4 : 0);
        }
        r = drover(other, { QStringLiteral("image"), QStringLiteral("ls"), QStringLiteral("--json") });
        QCOMPARE(r.json().array().size(), 1);
        r = drover(other,
            { QStringLiteral("image"), QStringLiteral("inspect"), QStringLiteral("cli:1"), QStringLiteral("--json") });
        QCOMPARE(r.json().object().value(QStringLiteral("recipe")).toString(), QStringLiteral("{\"recipe\":1}"));

        // Everything is reachable: nothing to collect.
        r = drover(other,
            { QStringLiteral("image"), QStringLiteral("gc"), QStringLiteral("--grace"), QStringLiteral("0"),
                QStringLiteral("--json") });
        QCOMPARE(r.code, 0);
        QCOMPARE(r.json().object().value(QStringLiteral("blobs")).toArray().size(), 0);
        QCOMPARE(r.json().object().value(QStringLiteral("reachable")).toInt(), 5);

        r = drover(other, { QStringLiteral("image"), QStringLiteral("rm"), QStringLiteral("cli:1") });
        QVERIFY2(r.code == 0, r.err.constData());
        // Within the default grace period (1 h) the blobs stay.
        r = drover(other, { QStringLiteral("image"), QStringLiteral("gc"), QStringLiteral("--json") });
        QCOMPARE(r.code, 0);
        QCOMPARE(r.json().object().value(QStringLiteral("blobs")).toArray().size(), 0);
        QCOMPARE(r.json().object().value(QStringLiteral("young")).toInt(), 5);
        r = drover(other,
            { QStringLiteral("image"), QStringLiteral("gc"), QStringLiteral("--dry-run"), QStringLiteral("--grace"),
                QStringLiteral("0s"), QStringLiteral("--json") });
        QCOMPARE(r.code, 0);
        QJsonObject gc = r.json().object();
        QVERIFY(gc.value(QStringLiteral("dryRun")).toBool());
        QCOMPARE(gc.value(QStringLiteral("blobs")).toArray().size(), 5);
        QCOMPARE(gc.value(QStringLiteral("bytesFreed")).toInteger(), m.totalSize() + m.toJson().size());
        QVERIFY(QFile::exists(other + QStringLiteral("/store/blobs/sha256/") + m.kernel.digest.hex()));
        r = drover(other,
            { QStringLiteral("image"), QStringLiteral("gc"), QStringLiteral("--grace"), QStringLiteral("0"),
                QStringLiteral("--json") });
        QCOMPARE(r.code, 0);
        QCOMPARE(r.json().object().value(QStringLiteral("blobs")).toArray().size(), 5);
        QVERIFY(!QFile::exists(other + QStringLiteral("/store/blobs/sha256/") + m.kernel.digest.hex()));
        r = drover(other, { QStringLiteral("image"), QStringLiteral("ls"), QStringLiteral("--json") });
        QCOMPARE(r.json().array().size(), 0);
    }

    void removeRefusedWhileInUse()
    {
        const Manifest m = seed(data(), true);
        Run r = drover(data(), { QStringLiteral("image"), QStringLiteral("rm"), QStringLiteral("cli:1") });
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("cli:1"), r.err.constData());
        r = drover(data(), { QStringLiteral("image"), QStringLiteral("ls"), QStringLiteral("--json") });
        QCOMPARE(r.json().array().size(), 1);
        QVERIFY(r.json().array().first()[QStringLiteral("inStore")].toBool());
        QCOMPARE(r.json().array().first()[QStringLiteral("machines")].toInt(), 1);
    }
};

QTEST_GUILESS_MAIN(TstImageCli)
#include "tst_imagecli.moc"
