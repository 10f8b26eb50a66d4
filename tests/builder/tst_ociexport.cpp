// OciExport headless, as root (device nodes, owners and overlayfs' trusted xattrs): the top
// layer laid over the base as overlayfs shows it (whiteouts, opaque directories, a file
// where a directory was and back), and whole exports of an image made here from two real
// squashfs layers (mksquashfs): the layout's files, the root's entries, the kernel put back,
// the same digest twice, and the refusals. The round trip through a real build is
// boot_e2e_import_oci's.
#include "builder/ociexport.h"

#include "store/imagestore.h"
#include "store/manifest.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

using namespace drover;

class TstOciExport : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_store;

    static void write(const QString &path, const QByteArray &bytes)
    {
        QVERIFY(QDir().mkpath(QFileInfo(path).path()));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QCOMPARE(f.write(bytes), bytes.size());
    }

    static void whiteout(const QString &path)
    {
        QVERIFY2(::mknod(QFile::encodeName(path).constData(), S_IFCHR | 0000, makedev(0, 0)) == 0, qPrintable(path));
    }

    static void opaque(const QString &dir)
    {
        QVERIFY(QDir().mkpath(dir));
        QVERIFY(::setxattr(QFile::encodeName(dir).constData(), "trusted.overlay.opaque", "y", 1, 0) == 0);
    }

    static QString read(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QStringLiteral("<none>");
    }

    // lower: the base's tree; upper: a top layer as the builder's overlay leaves it.
    void makeTrees(const QString &lower, const QString &upper)
    {
        write(lower + QStringLiteral("/etc/kept"), "base");
        write(lower + QStringLiteral("/etc/changed"), "base");
        write(lower + QStringLiteral("/etc/deleted"), "base");
        write(lower + QStringLiteral("/var/gone/a"), "base");
        write(lower + QStringLiteral("/srv/replaced/old"), "base");
        write(lower + QStringLiteral("/opt/was-dir/x"), "base");
        write(lower + QStringLiteral("/opt/was-file"), "base");
        QVERIFY(QFile::link(QStringLiteral("/etc"), lower + QStringLiteral("/opt/was-link")));

        write(upper + QStringLiteral("/etc/changed"), "top");
        write(upper + QStringLiteral("/etc/new"), "top");
        whiteout(upper + QStringLiteral("/etc/deleted"));
        QVERIFY(QDir().mkpath(upper + QStringLiteral("/var")));
        whiteout(upper + QStringLiteral("/var/gone"));
        opaque(upper + QStringLiteral("/srv/replaced"));
        write(upper + QStringLiteral("/srv/replaced/new"), "top");
        write(upper + QStringLiteral("/opt/was-dir"), "top");
        write(upper + QStringLiteral("/opt/was-file/y"), "top");
        write(upper + QStringLiteral("/opt/was-link/z"), "top");
        write(upper + QStringLiteral("/usr/lib/drover/ready"), "top");
        QVERIFY(::chmod(QFile::encodeName(upper + QStringLiteral("/usr/lib/drover")).constData(), 0700) == 0);
        QVERIFY(::chown(QFile::encodeName(upper + QStringLiteral("/usr/lib/drover")).constData(), 1234, 5678) == 0);
        QVERIFY(::link(QFile::encodeName(upper + QStringLiteral("/etc/new")).constData(),
                    QFile::encodeName(upper + QStringLiteral("/etc/new-link")).constData())
            == 0);
    }

    static bool run(const QString &program, const QStringList &args)
    {
        QProcess p;
        p.setProcessChannelMode(QProcess::ForwardedChannels);
        p.start(program, args);
        return p.waitForFinished(120000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    }

    // An image "small:1" of two layers of `type` made from the trees, in a new store.
    // With `bootTo`, the base's /boot is a symlink to that absolute path.
    void publishImage(const QString &type = QStringLiteral("squashfs"), const QString &bootTo = {})
    {
        const QString lower = m_dir.filePath(
            QStringLiteral("img-lower-") + type + (bootTo.isEmpty() ? QString() : QStringLiteral("-boot")));
        const QString upper = m_dir.filePath(
            QStringLiteral("img-upper-") + type + (bootTo.isEmpty() ? QString() : QStringLiteral("-boot")));
        makeTrees(lower, upper);
        if (!bootTo.isEmpty())
            QVERIFY(QFile::link(bootTo, lower + QStringLiteral("/boot")));
        for (const QString &tree : { lower, upper }) {
            if (type == QLatin1String("erofs"))
                QVERIFY(run(QStringLiteral("mkfs.erofs"),
                    { QStringLiteral("-zlz4hc"), QStringLiteral("-T1700000000"), QStringLiteral("--quiet"),
                        tree + QStringLiteral(".sq"), tree }));
            else
                QVERIFY(run(QStringLiteral("mksquashfs"),
                    { tree, tree + QStringLiteral(".sq"), QStringLiteral("-noappend"), QStringLiteral("-quiet"),
                        QStringLiteral("-all-time"), QStringLiteral("1700000000"), QStringLiteral("-no-progress") }));
        }
        m_store = m_dir.filePath(
            QStringLiteral("store-") + type + (bootTo.isEmpty() ? QString() : QStringLiteral("-boot")));
        ImageStore store(m_store);
        QVERIFY(store.blobs().init());
        write(m_dir.filePath(QStringLiteral("vmlinuz")), "a kernel");
        write(m_dir.filePath(QStringLiteral("initrd")), "an initramfs");
        auto base = store.blobs().putFile(lower + QStringLiteral(".sq"));
        auto top = store.blobs().putFile(upper + QStringLiteral(".sq"));
        auto kernel = store.blobs().putFile(m_dir.filePath(QStringLiteral("vmlinuz")));
        auto initrd = store.blobs().putFile(m_dir.filePath(QStringLiteral("initrd")));
        QVERIFY(base && top && kernel && initrd);
        Manifest m;
        m.name = QStringLiteral("small");
        m.version = QStringLiteral("1");
        m.kernel = *kernel;
        m.initrd = *initrd;
        m.layers = { { base->digest, base->size, type, QStringLiteral("base") },
            { top->digest, top->size, type, QStringLiteral("top") } };
        m.build = { { QStringLiteral("sourceDateEpoch"), 1700000000.0 },
            { QStringLiteral("kernelRelease"), QStringLiteral("6.12.0-test") } };
        QVERIFY(store.publish(m));
        Manifest whole = m; // a root in the initramfs has no layers to export
        whole.version = QStringLiteral("initramfs");
        whole.format = QStringLiteral("initramfs");
        whole.layers.clear();
        QVERIFY(store.publish(whole));
    }

    static QStringList listLayer(const QString &layout, QString *layerPath = nullptr)
    {
        QFile indexFile(layout + QStringLiteral("/index.json"));
        if (!indexFile.open(QIODevice::ReadOnly))
            return {};
        const QString manifestDigest = QJsonDocument::fromJson(indexFile.readAll())
                                           .object()
                                           .value(QStringLiteral("manifests"))[0]
                                           .toObject()
                                           .value(QStringLiteral("digest"))
                                           .toString();
        QFile manifestFile(layout + QStringLiteral("/blobs/sha256/") + manifestDigest.mid(7));
        if (!manifestFile.open(QIODevice::ReadOnly))
            return {};
        const QString layer = QJsonDocument::fromJson(manifestFile.readAll())
                                  .object()
                                  .value(QStringLiteral("layers"))[0]
                                  .toObject()
                                  .value(QStringLiteral("digest"))
                                  .toString();
        const QString path = layout + QStringLiteral("/blobs/sha256/") + layer.mid(7);
        if (layerPath)
            *layerPath = path;
        QProcess tar;
        tar.start(QStringLiteral("tar"), { QStringLiteral("--list"), QStringLiteral("--file=") + path });
        tar.waitForFinished();
        return QString::fromUtf8(tar.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(::geteuid() == 0, "needs root: device nodes, owners and trusted.* attributes");
        QVERIFY(m_dir.isValid());
    }

    void mergeUpper_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("content"); // "<none>": nothing at the path
        QTest::newRow("kept") << "etc/kept" << "base";
        QTest::newRow("changed") << "etc/changed" << "top";
        QTest::newRow("added") << "etc/new" << "top";
        QTest::newRow("whiteout of a file") << "etc/deleted" << "<none>";
        QTest::newRow("whiteout of a directory") << "var/gone" << "<none>";
        QTest::newRow("opaque: old entry hidden") << "srv/replaced/old" << "<none>";
        QTest::newRow("opaque: new entry") << "srv/replaced/new" << "top";
        QTest::newRow("file where a directory was") << "opt/was-dir" << "top";
        QTest::newRow("directory where a file was") << "opt/was-file/y" << "top";
        QTest::newRow("directory where a symlink was") << "opt/was-link/z" << "top";
        QTest::newRow("new directory") << "usr/lib/drover/ready" << "top";
    }

    void mergeUpper()
    {
        QFETCH(QString, path);
        QFETCH(QString, content);
        const QString lower
            = m_dir.filePath(QStringLiteral("merge-lower-") + QString::fromLatin1(QTest::currentDataTag()));
        const QString upper
            = m_dir.filePath(QStringLiteral("merge-upper-") + QString::fromLatin1(QTest::currentDataTag()));
        makeTrees(lower, upper);
        const Status merged = mergeUpperLayer(upper, lower);
        QVERIFY2(merged, qPrintable(merged.error()));
        const QFileInfo info(lower + QLatin1Char('/') + path);
        QVERIFY2(!info.isSymLink(), "a symlink of the base was followed");
        struct stat st {};
        const bool present = ::lstat(QFile::encodeName(info.filePath()).constData(), &st) == 0;
        if (content == QLatin1String("<none>"))
            QVERIFY2(!present, "still there (a whiteout copied as a device?)");
        else
            QCOMPARE(read(info.filePath()), content);
        QVERIFY(!QFileInfo::exists(QStringLiteral("/etc/z"))); // nothing written through the base's symlink
    }

    void mergeKeepsMetadataAndLinks()
    {
        const QString lower = m_dir.filePath(QStringLiteral("meta-lower"));
        const QString upper = m_dir.filePath(QStringLiteral("meta-upper"));
        makeTrees(lower, upper);
        QVERIFY(mergeUpperLayer(upper, lower));
        struct stat dir {};
        QVERIFY(::lstat(QFile::encodeName(lower + QStringLiteral("/usr/lib/drover")).constData(), &dir) == 0);
        QCOMPARE(dir.st_mode & 07777, 0700u);
        QCOMPARE(dir.st_uid, 1234u);
        QCOMPARE(dir.st_gid, 5678u);
        struct stat a {};
        struct stat b {};
        QVERIFY(::lstat(QFile::encodeName(lower + QStringLiteral("/etc/new")).constData(), &a) == 0);
        QVERIFY(::lstat(QFile::encodeName(lower + QStringLiteral("/etc/new-link")).constData(), &b) == 0);
        QCOMPARE(a.st_ino, b.st_ino); // the hard link stays one
        char value[8] = {};
        QVERIFY2(::lgetxattr(QFile::encodeName(lower + QStringLiteral("/srv/replaced")).constData(),
                     "trusted.overlay.opaque", value, sizeof value)
                < 0,
            "overlayfs' marker travelled into the merged root");
    }

    void exportImage_data()
    {
        QTest::addColumn<QString>("type");
        QTest::newRow("squashfs") << QStringLiteral("squashfs");
        QTest::newRow("erofs") << QStringLiteral("erofs");
    }

    void exportImage()
    {
        QFETCH(QString, type);
        publishImage(type);
        const ImageStore store(m_store);
        const std::atomic_bool cancel { false };
        const QString first = m_dir.filePath(QStringLiteral("export-one-") + type);
        auto one = exportOci(store, QStringLiteral("small:1"), first, cancel);
        QVERIFY2(one, qPrintable(one.error()));
        QVERIFY(QFileInfo::exists(first + QStringLiteral("/oci-layout")));
        QCOMPARE(QFileInfo(first).lastModified().toSecsSinceEpoch(), 1700000000);
        QString layerPath;
        const QStringList entries = listLayer(first, &layerPath);
        QVERIFY2(entries.contains(QStringLiteral("etc/changed")), qPrintable(entries.join(QLatin1Char(' '))));
        QVERIFY(entries.contains(QStringLiteral("srv/replaced/new")));
        QVERIFY(entries.contains(QStringLiteral("boot/vmlinuz-6.12.0-test"))); // the kernel, back in /boot
        QVERIFY(!entries.contains(QStringLiteral("etc/deleted")));
        QVERIFY(!entries.contains(QStringLiteral("srv/replaced/old")));
        QVERIFY(!entries.contains(QStringLiteral("var/gone/")));
        for (const QString &entry : entries)
            QVERIFY2(!entry.startsWith(QLatin1String("./")) && !entry.startsWith(QLatin1Char('/')), qPrintable(entry));
        QCOMPARE(QStringLiteral("sha256:") + QFileInfo(layerPath).fileName(), one->rootDigest.toString());

        // The same root, written again as an archive: the same digests.
        const QString archive = m_dir.filePath(QStringLiteral("export-two-") + type + QStringLiteral(".tar"));
        auto two = exportOci(store, QStringLiteral("small:1"), archive, cancel);
        QVERIFY2(two, qPrintable(two.error()));
        QCOMPARE(two->rootDigest.toString(), one->rootDigest.toString());
        QCOMPARE(two->manifestDigest.toString(), one->manifestDigest.toString());
        QCOMPARE(QFileInfo(archive).lastModified().toSecsSinceEpoch(), 1700000000);
    }

    void exportRefuses_data()
    {
        QTest::addColumn<QString>("tag");
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("message");
        QTest::newRow("no such image") << "nothere:1" << "out-a" << "nothere:1";
        QTest::newRow("root in the initramfs") << "small:initramfs" << "out-b" << "only an image with layers";
        QTest::newRow("target exists") << "small:1" << "exists" << "exists already";
        QTest::newRow("no parent directory") << "small:1" << "missing/out" << "no directory";
    }

    void exportRefuses()
    {
        QFETCH(QString, tag);
        QFETCH(QString, target);
        QFETCH(QString, message);
        if (m_store.isEmpty())
            publishImage();
        const QString dir = m_dir.filePath(QStringLiteral("refusals"));
        QVERIFY(QDir().mkpath(dir + QStringLiteral("/exists")));
        const std::atomic_bool cancel { false };
        auto result = exportOci(ImageStore(m_store), tag, dir + QLatin1Char('/') + target, cancel);
        QVERIFY(!result);
        QVERIFY2(result.error().contains(message), qPrintable(result.error()));
        // Nothing half-written is left beside the target.
        QCOMPARE(QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
            QStringList { QStringLiteral("exists") });
    }

    // A root whose /boot points out of it: the kernel is not written through it.
    void exportRefusesBootSymlink()
    {
        const QString outside = m_dir.filePath(QStringLiteral("outside"));
        QVERIFY(QDir().mkpath(outside));
        publishImage(QStringLiteral("squashfs"), outside);
        const std::atomic_bool cancel { false };
        auto result = exportOci(
            ImageStore(m_store), QStringLiteral("small:1"), m_dir.filePath(QStringLiteral("boot-out")), cancel);
        QVERIFY(!result);
        QVERIFY2(result.error().contains(QStringLiteral("/boot")), qPrintable(result.error()));
        QVERIFY(QDir(outside).isEmpty());
        QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("boot-out"))));
    }

    void exportCancelled()
    {
        if (m_store.isEmpty())
            publishImage();
        const QString dir = m_dir.filePath(QStringLiteral("cancelled"));
        QVERIFY(QDir().mkpath(dir));
        const std::atomic_bool cancel { true };
        auto result = exportOci(ImageStore(m_store), QStringLiteral("small:1"), dir + QStringLiteral("/out"), cancel);
        QVERIFY(!result);
        QVERIFY(QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstOciExport)
#include "tst_ociexport.moc"
