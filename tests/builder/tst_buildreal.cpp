// Real builds with mmdebstrap from the host's apt mirror (label "slow"): a tiny recipe —
// essential packages and a kernel — goes through every stage and is published; built again
// without the base cache it gives bit-identical layers, kernel, initramfs and manifest; a
// change to one file rebuilds only the top layer and reuses the base blob; a failing script
// and an unknown package fail with messages that say why; a cancelled build publishes
// nothing and leaves no temporary tree.
#include "builder/buildcache.h"
#include "builder/builder.h"
#include "lab/lab.h"
#include "store/blobstore.h"
#include "store/imagestore.h"
#include "testlab.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>
#include <QtEndian>

#include <sys/stat.h>
#include <unistd.h>

using namespace drover;

namespace {

QByteArray run(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(120000))
        return {};
    return p.readAllStandardOutput();
}

// "path → listing line" of a squashfs, numeric owners (unsquashfs -lln).
QHash<QString, QString> listLayer(const QString &path)
{
    QHash<QString, QString> out;
    for (const QByteArray &raw : run(QStringLiteral("unsquashfs"), { QStringLiteral("-lln"), path }).split('\n')) {
        const QString line = QString::fromUtf8(raw);
        const qsizetype at = line.indexOf(QLatin1String("squashfs-root"));
        if (at < 0)
            continue;
        QString name = line.mid(at + 13);
        name = name.section(QLatin1String(" -> "), 0, 0);
        out.insert(name.isEmpty() ? QStringLiteral("/") : name, line);
    }
    return out;
}

void put(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    f.write(content);
}

unsigned modeOf(const QString &path)
{
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return 0;
    return st.st_mode & 07777;
}

} // namespace

class TstBuildReal : public QObject {
    Q_OBJECT

    test::TestLab m_lab;
    QTemporaryDir m_recipes;
    QString m_debs;
    BuildReport m_first;

    Recipe recipe(const QString &version, const QStringList &scripts = { QStringLiteral("scripts/10-mark.sh") })
    {
        Recipe r;
        r.name = QStringLiteral("tiny");
        r.version = version;
        r.packages = { QStringLiteral("linux-image-amd64") };
        r.filesDir = QStringLiteral("files");
        r.fileModes.insert(QStringLiteral("etc/drover-note"), 0600);
        RecipeUser lab;
        lab.name = QStringLiteral("lab");
        lab.shell = QStringLiteral("/bin/sh");
        lab.sshKeys = { QStringLiteral("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAITestKey lab@test") };
        r.users = { lab };
        r.scripts = scripts;
        r.kernelArgs = QStringLiteral("console=ttyS0");
        r.kernelModules = { QStringLiteral("virtio") };
        r.baseDir = m_recipes.path();
        r.fileName = QStringLiteral("tiny.json");
        return r;
    }

    BuildReport build(const Recipe &r, bool reuseBase = true, int cancelAfterMs = -1,
        const QString &cancelInStage = QString(), BuildOptions::Privileges privileges = BuildOptions::Privileges::Auto)
    {
        Builder builder(m_lab.lab.get());
        QSignalSpy finished(&builder, &Builder::finished);
        QStringList started;
        connect(&builder, &Builder::stageStarted, this, [&](const QString &stage) {
            started.append(stage);
            if (stage == cancelInStage)
                QTimer::singleShot(cancelAfterMs, &builder, &Builder::cancel);
        });
        QElapsedTimer clock;
        clock.start();
        connect(&builder, &Builder::logLine, this, [&clock](const QString &stage, const QString &line) {
            if (qEnvironmentVariableIsSet("DROVER_BUILD_TEST_VERBOSE"))
                qInfo("%7.2f %s: %s", double(clock.elapsed()) / 1000.0, qPrintable(stage), qPrintable(line));
        });
        BuildOptions options;
        options.debCacheDir = m_debs;
        options.reuseBase = reuseBase;
        options.privileges = privileges;
        if (!builder.start(r, options))
            qFatal("the build did not start");
        if (!finished.wait(1100 * 1000))
            qFatal("the build did not finish");
        auto report = finished.first().first().value<BuildReport>();
        for (const StageReport &s : report.stages)
            qInfo("%-10s %6.1f s %10lld bytes %s %s", qPrintable(s.name), s.seconds, s.bytes,
                s.cached ? "cached" : "      ", qPrintable(s.detail.left(120)));
        return report;
    }

    QString blob(const Digest &d) const { return BlobStore(m_lab.lab->storeDir()).blobPath(d); }

private Q_SLOTS:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("building images needs root");
        QString why;
        m_lab = test::openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(m_lab.lab, qPrintable(why));
        // Downloaded packages survive between runs of this test; nothing else does.
        m_debs = qEnvironmentVariable(
            "DROVER_BUILD_TEST_DEBS", QDir::tempPath() + QStringLiteral("/drover-build-test-debs"));
        put(m_recipes.filePath(QStringLiteral("files/etc/drover-note")), "first\n");
        put(m_recipes.filePath(QStringLiteral("files/usr/local/bin/hello")), "#!/bin/sh\necho hello\n");
        put(m_recipes.filePath(QStringLiteral("scripts/10-mark.sh")),
            "#!/bin/sh\nset -e\necho \"built by $DROVER_IMAGE\" > /etc/drover-built\nrm /etc/issue.net\n");
        put(m_recipes.filePath(QStringLiteral("scripts/20-fail.sh")),
            "#!/bin/sh\nfor i in $(seq 1 30); do echo \"line $i\"; done\nexit 3\n");
    }

    void buildAndPublish()
    {
        m_first = build(recipe(QStringLiteral("1")));
        QVERIFY2(m_first.ok, qPrintable(m_first.error));
        QCOMPARE(m_first.stages.size(), 6);
        const Manifest &m = m_first.manifest;
        QCOMPARE(m.layers.size(), 2);
        QCOMPARE(m.layers[0].role, QStringLiteral("base"));
        QCOMPARE(m.layers[1].role, QStringLiteral("top"));
        QCOMPARE(m.kernelArgs, QStringLiteral("console=ttyS0"));
        QCOMPARE(
            m.build.value(QStringLiteral("packages")).toObject().contains(QStringLiteral("linux-image-amd64")), true);
        auto image = m_lab.lab->catalog()->imageByTag(QStringLiteral("tiny:1"));
        QVERIFY(image);
        QCOMPARE(image->manifestDigest, m_first.manifestDigest.toString());
        QVERIFY(image->recipe.contains(QStringLiteral("\"linux-image-amd64\"")));
        for (const BlobRef &b : m.blobs())
            QVERIFY(QFile::exists(blob(b.digest)));

        // Base: no /boot contents, pruned modules with a consistent modules.dep.
        const auto base = listLayer(blob(m.layers[0].digest));
        QVERIFY(base.size() > 1000);
        const QString release = m.build.value(QStringLiteral("kernelRelease")).toString();
        QVERIFY(!release.isEmpty());
        QVERIFY(base.contains(QStringLiteral("/usr/lib/modules/") + release + QStringLiteral("/modules.dep")));
        bool virtio = false;
        for (auto it = base.cbegin(); it != base.cend(); ++it) {
            QVERIFY2(!it.key().startsWith(QStringLiteral("/boot/vmlinuz")), "the kernel stayed in the base layer");
            QVERIFY2(!it.key().contains(QStringLiteral("/kernel/sound/")), "sound modules were not pruned");
            QVERIFY2(!it.key().contains(QStringLiteral("/kernel/drivers/net/wireless/")), "wireless was not pruned");
            QVERIFY2(!it.key().startsWith(QStringLiteral("/etc/ssh/ssh_host_")), "host keys in the image");
            virtio = virtio || it.key().endsWith(QStringLiteral("virtio_net.ko.xz"));
        }
        QVERIFY(virtio);
        QVERIFY(!base.contains(QStringLiteral("/etc/hostname")));

        // Top: only what the top stage changed, with a whiteout for the deleted file.
        const auto top = listLayer(blob(m.layers[1].digest));
        QVERIFY(top.size() < 80);
        QVERIFY(top.value(QStringLiteral("/etc/drover-note")).startsWith(QStringLiteral("-rw------- 0/0")));
        QVERIFY(top.contains(QStringLiteral("/etc/drover-built")));
        QVERIFY(top.contains(QStringLiteral("/home/lab/.ssh/authorized_keys")));
        QVERIFY(top.contains(QStringLiteral("/usr/lib/systemd/system/drover-ready.service")));
        QVERIFY(top.contains(QStringLiteral("/etc/systemd/system/multi-user.target.wants/drover-ready.service")));
        QVERIFY(top.contains(QStringLiteral("/usr/lib/systemd/system/drover-hostkeys.service")));
        QVERIFY(top.contains(QStringLiteral("/etc/systemd/system/multi-user.target.wants/drover-hostkeys.service")));
        QVERIFY(top.value(QStringLiteral("/etc/issue.net")).startsWith(QLatin1Char('c'))); // whiteout 0/0
        QVERIFY(!top.contains(QStringLiteral("/usr/sbin/policy-rc.d")));
        QVERIFY(!top.contains(QStringLiteral("/etc/resolv.conf")));
        QVERIFY(!top.contains(QStringLiteral("/tmp/drover-script-0")));

        // Initramfs: busybox, the init, the modules it needs, uncompressed, with modules.dep.
        const QByteArray cpio = run(QStringLiteral("zstd"), { QStringLiteral("-dc"), blob(m.initrd.digest) });
        QProcess list;
        list.start(QStringLiteral("cpio"), { QStringLiteral("-t"), QStringLiteral("--quiet") });
        list.write(cpio);
        list.closeWriteChannel();
        QVERIFY(list.waitForFinished(60000));
        const QStringList names = QString::fromUtf8(list.readAllStandardOutput()).split(QLatin1Char('\n'));
        const QString mods = QStringLiteral("lib/modules/") + release + QLatin1Char('/');
        for (const QString &needed : QStringList { QStringLiteral("init"), QStringLiteral("bin/busybox"),
                 QStringLiteral("bin/sh"), QStringLiteral("dev/console"), mods + QStringLiteral("modules.dep"),
                 mods + QStringLiteral("modules.alias"), mods + QStringLiteral("kernel/fs/squashfs/squashfs.ko"),
                 mods + QStringLiteral("kernel/fs/overlayfs/overlay.ko"),
                 mods + QStringLiteral("kernel/drivers/net/virtio_net.ko"), QStringLiteral("drover/modules") })
            QVERIFY2(names.contains(needed), qPrintable(needed));
        QVERIFY(names.size() < 200);
        QVERIFY(m.initrd.size < 8 * 1024 * 1024);
    }

    void reproducible()
    {
        if (!m_first.ok)
            QSKIP("the first build failed");
        // The whole pipeline again, base layer included, with the same inputs.
        const BuildReport again = build(recipe(QStringLiteral("1")), false);
        QVERIFY2(again.ok, qPrintable(again.error));
        QVERIFY(!again.stages.first().cached);
        QCOMPARE(again.manifest.layers[0].digest, m_first.manifest.layers[0].digest);
        QCOMPARE(again.manifest.layers[1].digest, m_first.manifest.layers[1].digest);
        QCOMPARE(again.manifest.kernel.digest, m_first.manifest.kernel.digest);
        QCOMPARE(again.manifest.initrd.digest, m_first.manifest.initrd.digest);
        QCOMPARE(again.manifestDigest, m_first.manifestDigest);
    }

    void filesOnlyChangeRebuildsTopOnly()
    {
        if (!m_first.ok)
            QSKIP("the first build failed");
        put(m_recipes.filePath(QStringLiteral("files/etc/drover-note")), "second\n");
        QElapsedTimer clock;
        clock.start();
        const BuildReport second = build(recipe(QStringLiteral("2")));
        const qint64 ms = clock.elapsed();
        QVERIFY2(second.ok, qPrintable(second.error));
        qInfo("files-only rebuild: %.1f s (first build %.1f s)", double(ms) / 1000.0, m_first.seconds);
        QVERIFY(second.stages[0].cached && second.stages[1].cached && second.stages[2].cached);
        QCOMPARE(second.manifest.layers[0].digest, m_first.manifest.layers[0].digest);
        QVERIFY(second.manifest.layers[1].digest != m_first.manifest.layers[1].digest);
        QCOMPARE(second.manifest.kernel.digest, m_first.manifest.kernel.digest);
        QVERIFY(ms < m_first.seconds * 1000);
    }

    void failingScriptSaysWhy()
    {
        if (!m_first.ok)
            QSKIP("the first build failed");
        const BuildReport r = build(recipe(
            QStringLiteral("3"), { QStringLiteral("scripts/10-mark.sh"), QStringLiteral("scripts/20-fail.sh") }));
        QVERIFY(!r.ok);
        QVERIFY2(r.error.contains(QStringLiteral("scripts[1] (scripts/20-fail.sh)")), qPrintable(r.error));
        QVERIFY(r.error.contains(QStringLiteral("exit status 3")));
        QVERIFY(r.error.contains(QStringLiteral("line 30")));
        QVERIFY(r.error.contains(QStringLiteral("line 11")));
        QVERIFY(!r.error.contains(QStringLiteral("line 10\n"))); // the last 20 lines only
        QVERIFY(!m_lab.lab->catalog()->imageByTag(QStringLiteral("tiny:3")));
    }

    void cancelPublishesNothing()
    {
        if (!m_first.ok)
            QSKIP("the first build failed");
        const BuildReport r = build(recipe(QStringLiteral("4")), false, 3000, QStringLiteral("bootstrap"));
        QVERIFY(!r.ok);
        QVERIFY(r.cancelled);
        QVERIFY(!m_lab.lab->catalog()->imageByTag(QStringLiteral("tiny:4")));
        const QDir work(m_lab.lab->dataDir() + QStringLiteral("/cache/build/work"));
        QVERIFY2(work.entryList(QDir::AllEntries | QDir::NoDotAndDotDot).isEmpty(), "a temporary tree was left");
        // The cache entry of the first build is still there and still used.
        const BuildReport after = build(recipe(QStringLiteral("5")));
        QVERIFY2(after.ok, qPrintable(after.error));
        QVERIFY(after.stages[1].cached);
    }

    // The desktop user's path: the build helper builds as root in a lab of its own and hands
    // the image over as a bundle, imported here. pkexec is a stand-in that sets PKEXEC_UID, as
    // pkexec does (the real pkexec and polkitd authorise a build in package_install).
    void throughTheHelper()
    {
        if (!m_first.ok)
            QSKIP("the first build failed");
        QTemporaryDir helperDir;
        test::useStandInPkexec(m_recipes.path(),
            "exec env PKEXEC_UID=4242 DROVER_HELPER_DIR=" + QFile::encodeName(helperDir.path())
                + " DROVER_HELPER_DEB_CACHE=" + QFile::encodeName(m_debs) + " \"$@\"");
        const BuildReport r
            = build(recipe(QStringLiteral("helper")), true, -1, QString(), BuildOptions::Privileges::Helper);
        qunsetenv("DROVER_PKEXEC");
        QVERIFY2(r.ok, qPrintable(r.error));
        QStringList stages;
        for (const StageReport &s : r.stages)
            stages.append(s.name);
        QCOMPARE(stages, Builder::stageNames());
        QCOMPARE(r.stages.last().digest, r.manifestDigest);
        // The same base layer as built in this process: same inputs, same bytes.
        QCOMPARE(r.manifest.layers[0].digest, m_first.manifest.layers[0].digest);
        // The image is the user's now: tag, catalog row, every blob.
        QCOMPARE(ImageStore(m_lab.lab->storeDir()).resolve(QStringLiteral("tiny:helper")), r.manifestDigest);
        QVERIFY(m_lab.lab->catalog()->imageByTag(QStringLiteral("tiny:helper")));
        for (const Digest &d : { r.manifest.kernel.digest, r.manifest.initrd.digest, r.manifest.layers[1].digest })
            QVERIFY(QFile::exists(blob(d)));
        // The helper's side afterwards: the hand-over directory root's, 0711 and empty; its
        // lab root's and 0700, without the image (its caches stay for the next build).
        const QFileInfo handover(helperDir.filePath(QStringLiteral("handover")));
        QCOMPARE(handover.ownerId(), 0u);
        QCOMPARE(modeOf(handover.filePath()), 0711u);
        QVERIFY(QDir(handover.filePath()).isEmpty());
        const QString helperLab = helperDir.filePath(QStringLiteral("uid-4242"));
        QCOMPARE(modeOf(helperLab), 0700u);
        QVERIFY(!ImageStore(helperLab + QStringLiteral("/store")).resolve(QStringLiteral("tiny:helper")));
        QVERIFY(!QFile::exists(BlobStore(helperLab + QStringLiteral("/store")).blobPath(r.manifest.kernel.digest)));
    }

    void commandLine()
    {
        if (!m_first.ok)
            QSKIP("the first build failed");
        const QString exe = qEnvironmentVariable("DROVER_EXECUTABLE");
        if (exe.isEmpty() || !QFileInfo::exists(exe))
            QSKIP("the drover executable is not built");
        put(m_recipes.filePath(QStringLiteral("tiny.json")),
            QJsonDocument(recipe(QStringLiteral("1")).toJson()).toJson());
        QProcess p;
        p.start(exe,
            { QStringLiteral("--data"), m_lab.lab->dataDir(), QStringLiteral("build"),
                m_recipes.filePath(QStringLiteral("tiny.json")), QStringLiteral("--tag"), QStringLiteral("tiny:cli"),
                QStringLiteral("--json") });
        QVERIFY(p.waitForFinished(600000));
        const QByteArray err = p.readAllStandardError();
        QCOMPARE(p.exitCode(), 0);
        const QJsonObject o = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        QVERIFY2(o.value(QStringLiteral("ok")).toBool(), err.constData());
        QCOMPARE(o.value(QStringLiteral("tag")).toString(), QStringLiteral("tiny:cli"));
        QCOMPARE(o.value(QStringLiteral("stages")).toArray().size(), 6);
        QVERIFY(o.value(QStringLiteral("stages")).toArray().at(1).toObject().value(QStringLiteral("cached")).toBool());
        QCOMPARE(
            o.value(QStringLiteral("layers")).toArray().at(0).toObject().value(QStringLiteral("digest")).toString(),
            m_first.manifest.layers[0].digest.toString());
        QVERIFY(o.value(QStringLiteral("download")).toDouble() > 1e6);
        QVERIFY(Digest::parse(o.value(QStringLiteral("manifest")).toString()));
    }

    void initramfsFormat()
    {
        if (!m_first.ok)
            QSKIP("the first build failed");
        // The base is shared with the layers format: only the top and the initramfs are new.
        Recipe r = recipe(QStringLiteral("7"));
        r.format = QStringLiteral("initramfs");
        const BuildReport report = build(r);
        QVERIFY2(report.ok, qPrintable(report.error));
        QVERIFY(report.stages[1].cached);
        QCOMPARE(report.manifest.format, QStringLiteral("initramfs"));
        QVERIFY(report.manifest.layers.isEmpty());
        const QString release = report.manifest.build.value(QStringLiteral("kernelRelease")).toString();
        QProcess list;
        list.start(QStringLiteral("sh"),
            { QStringLiteral("-c"),
                QStringLiteral("zstd -dc '%1' | cpio -t --quiet").arg(blob(report.manifest.initrd.digest)) });
        QVERIFY(list.waitForFinished(300000));
        const QStringList names = QString::fromUtf8(list.readAllStandardOutput()).split(QLatin1Char('\n'));
        const QString mods = QStringLiteral("usr/lib/modules/") + release + QLatin1Char('/');
        for (const QString &needed : QStringList { QStringLiteral("init"), QStringLiteral("bin"),
                 QStringLiteral("usr/bin/busybox"), QStringLiteral("usr/bin/bash"), QStringLiteral("etc/drover-built"),
                 QStringLiteral("home/lab/.ssh/authorized_keys"), mods + QStringLiteral("modules.dep"),
                 mods + QStringLiteral("kernel/fs/squashfs/squashfs.ko"),
                 mods + QStringLiteral("kernel/fs/squashfs/squashfs.ko.xz") })
            QVERIFY2(names.contains(needed), qPrintable(needed));
        QVERIFY(!names.contains(QStringLiteral("etc/issue.net"))); // deleted by the script
        QVERIFY(!names.contains(QStringLiteral("bin/busybox"))); // stored through bin → usr/bin
    }

    void erofsLayersAndExclude()
    {
        if (!m_first.ok)
            QSKIP("the first build failed");
        // One more bootstrap for two things: erofs layers, and an excluded package whose place
        // the kernel's dependency "initramfs-tools | linux-initramfs-tool" gives to another.
        Recipe r = recipe(QStringLiteral("8"));
        r.layerType = QStringLiteral("erofs");
        r.exclude = { QStringLiteral("initramfs-tools") };
        const BuildReport report = build(r);
        QVERIFY2(report.ok, qPrintable(report.error));
        QVERIFY(!report.stages[1].cached); // the layer type is part of the base's key
        QCOMPARE(report.manifest.layers[0].type, QStringLiteral("erofs"));
        QCOMPARE(report.manifest.layers[1].type, QStringLiteral("erofs"));
        QFile base(blob(report.manifest.layers[0].digest));
        QVERIFY(base.open(QIODevice::ReadOnly));
        QVERIFY(base.seek(1024));
        QCOMPARE(base.read(4), QByteArray("\xe2\xe1\xf5\xe0", 4)); // EROFS_SUPER_MAGIC_V1, little endian
        const QJsonObject packages = report.manifest.build.value(QStringLiteral("packages")).toObject();
        QVERIFY(!packages.contains(QStringLiteral("initramfs-tools")));
        QVERIFY(packages.contains(QStringLiteral("linux-image-amd64")));
        QVERIFY(m_first.manifest.build.value(QStringLiteral("packages"))
                .toObject()
                .contains(QStringLiteral("initramfs-tools")));
    }

    void squashfsCompression()
    {
        if (!m_first.ok)
            QSKIP("the first build failed");
        // The recipe's `compression` reaches mksquashfs for both layers: the superblock's
        // compressor (4: xz) and block size; the base's cache key has it, so a new base is made.
        Recipe r = recipe(QStringLiteral("9"));
        r.compression = QStringLiteral("xz-x86:256K");
        const BuildReport report = build(r);
        QVERIFY2(report.ok, qPrintable(report.error));
        QVERIFY(!report.stages[1].cached);
        for (const auto &layer : report.manifest.layers) {
            QFile f(blob(layer.digest));
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray super = f.read(96);
            QCOMPARE(super.left(4), QByteArray("hsqs"));
            QCOMPARE(qFromLittleEndian<quint32>(super.constData() + 12), 262144u); // block size
            QCOMPARE(qFromLittleEndian<quint16>(super.constData() + 20), quint16(4)); // XZ_COMPRESSION
        }
        QVERIFY(report.manifest.layers[0].size < m_first.manifest.layers[0].size);
        // The default, unnamed, stays zstd with 128 KiB blocks.
        QFile first(blob(m_first.manifest.layers[0].digest));
        QVERIFY(first.open(QIODevice::ReadOnly));
        const QByteArray super = first.read(96);
        QCOMPARE(qFromLittleEndian<quint32>(super.constData() + 12), 131072u);
        QCOMPARE(qFromLittleEndian<quint16>(super.constData() + 20), quint16(6)); // ZSTD_COMPRESSION
    }

    void unknownPackageNamed()
    {
        if (!m_first.ok)
            QSKIP("the first build failed");
        Recipe r = recipe(QStringLiteral("6"));
        r.packages.append(QStringLiteral("drover-no-such-package"));
        const BuildReport report = build(r);
        QVERIFY(!report.ok);
        QVERIFY2(report.error.contains(QStringLiteral("\"drover-no-such-package\" is not in trixie (main)")),
            qPrintable(report.error));
    }
};

QTEST_GUILESS_MAIN(TstBuildReal)
#include "tst_buildreal.moc"
