// The initramfs writer checked against Debian's own tools: what CpioWriter writes, GNU cpio
// lists and extracts with the same names, modes, owners, links and device numbers; what
// InitramfsImage writes, zstd decompresses and cpio extracts, byte for byte the same every
// time. And modules.dep resolution on a synthetic module tree.
#include "initramfs/cpiowriter.h"
#include "initramfs/initramfsimage.h"
#include "initramfs/modulesdep.h"

#include <KCompressionDevice>

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

using namespace drover;

namespace {

QByteArray run(const QString &program, const QStringList &args, const QString &dir = {}, const QByteArray &input = {})
{
    QProcess p;
    if (!dir.isEmpty())
        p.setWorkingDirectory(dir);
    p.start(program, args);
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(60000) || p.exitCode() != 0)
        qWarning("%s failed: %s", qPrintable(program), p.readAllStandardError().constData());
    return p.readAllStandardOutput();
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TstInitramfsWriter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cpioExtractsWhatWasWritten()
    {
        QBuffer buffer;
        QVERIFY(buffer.open(QIODevice::WriteOnly));
        CpioWriter w(&buffer, 1700000000);
        QVERIFY(w.addDirectory("bin", 0755));
        QVERIFY(w.addFile("bin/tool", 0750, QByteArray("#!/bin/sh\necho hi\n"), { 12, 34 }));
        QVERIFY(w.addFile("bin/odd", 0644, QByteArray("abc"))); // 3 bytes: padding after data
        QVERIFY(w.addSymlink("bin/sh", "tool"));
        QVERIFY(w.addDirectory("dev", 0755));
        QVERIFY(w.addSpecial("dev/console", 'c', 0600, 5, 1));
        QVERIFY(w.addSpecial("dev/fifo", 'p', 0644));
        QByteArray big(300000, 'x');
        QBuffer source(&big);
        QVERIFY(source.open(QIODevice::ReadOnly));
        QVERIFY(w.addFile("big", 0644, &source, big.size()));
        QVERIFY(w.finish());
        QCOMPARE(w.bytesWritten() % 4, 0);
        QCOMPARE(w.bytesWritten(), buffer.size());

        const QByteArray listing
            = run(QStringLiteral("cpio"), { QStringLiteral("-t"), QStringLiteral("--quiet") }, {}, buffer.data());
        QCOMPARE(listing.split('\n').mid(0, 8),
            (QList<QByteArray> { "bin", "bin/tool", "bin/odd", "bin/sh", "dev", "dev/console", "dev/fifo", "big" }));

        QTemporaryDir out;
        run(QStringLiteral("cpio"),
            { QStringLiteral("-i"), QStringLiteral("--quiet"), QStringLiteral("--make-directories"),
                QStringLiteral("--preserve-modification-time"), QStringLiteral("--no-absolute-filenames") },
            out.path(), buffer.data());
        QCOMPARE(readFile(out.filePath(QStringLiteral("bin/tool"))), QByteArray("#!/bin/sh\necho hi\n"));
        QCOMPARE(readFile(out.filePath(QStringLiteral("bin/odd"))), QByteArray("abc"));
        QCOMPARE(readFile(out.filePath(QStringLiteral("big"))), big);
        struct stat st {};
        QCOMPARE(::stat(QFile::encodeName(out.filePath(QStringLiteral("bin/tool"))).constData(), &st), 0);
        QCOMPARE(st.st_mode & 07777, 0750u);
        QCOMPARE(st.st_mtime, 1700000000);
        if (::geteuid() == 0) { // owners and device nodes come out as written only for root
            QCOMPARE(st.st_uid, 12u);
            QCOMPARE(st.st_gid, 34u);
            QCOMPARE(::lstat(QFile::encodeName(out.filePath(QStringLiteral("dev/console"))).constData(), &st), 0);
            QVERIFY(S_ISCHR(st.st_mode));
            QCOMPARE(major(st.st_rdev), 5u);
            QCOMPARE(minor(st.st_rdev), 1u);
        }
        QCOMPARE(QFileInfo(out.filePath(QStringLiteral("bin/sh"))).symLinkTarget(),
            out.filePath(QStringLiteral("bin/tool")));
    }

    void refusesBadNames_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::newRow("absolute") << QByteArray("/etc/passwd");
        QTest::newRow("parent") << QByteArray("../x");
        QTest::newRow("inner parent") << QByteArray("a/../../x");
        QTest::newRow("empty") << QByteArray();
    }
    void refusesBadNames()
    {
        QFETCH(QByteArray, name);
        QBuffer buffer;
        QVERIFY(buffer.open(QIODevice::WriteOnly));
        CpioWriter w(&buffer);
        QVERIFY(!w.addFile(name, 0644, QByteArray("x")));
        QVERIFY(w.errorString().contains(QStringLiteral("refusing")));
    }

    void imageIsReproducibleAndComplete()
    {
        QTemporaryDir dir;
        // A fake module, xz-compressed as Debian ships them.
        const QString module = dir.filePath(QStringLiteral("overlay.ko.xz"));
        {
            KCompressionDevice xz(module, KCompressionDevice::Xz);
            QVERIFY(xz.open(QIODevice::WriteOnly));
            xz.write(QByteArray("\x7f"
                                "ELF fake module body"));
        }
        const QString tree = dir.filePath(QStringLiteral("tree"));
        QDir().mkpath(tree + QStringLiteral("/usr/bin"));
        QVERIFY(QFile::link(QStringLiteral("usr/bin"), tree + QStringLiteral("/bin")));
        QFile f(tree + QStringLiteral("/usr/bin/tool"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("tool");
        f.close();

        auto build = [&](const QString &out) {
            InitramfsImage image;
            if (Status s = image.addTree(tree); !s)
                qWarning("%s", qPrintable(s.error()));
            image.addBytes("init", "#!/bin/busybox sh\n", 0755);
            // Through the bin → usr/bin symlink of the tree: lands in usr/bin.
            image.addFile("bin/busybox", f.fileName(), 0755);
            image.addFile("lib/modules/6.1/kernel/fs/overlay.ko", module, 0644, {}, true);
            image.addSpecial("dev/console", 'c', 0600, 5, 1);
            return image.write(out, 1700000000);
        };
        auto first = build(dir.filePath(QStringLiteral("a.img")));
        QVERIFY2(first, qPrintable(first.error()));
        auto second = build(dir.filePath(QStringLiteral("b.img")));
        QVERIFY(second);
        QCOMPARE(readFile(dir.filePath(QStringLiteral("a.img"))), readFile(dir.filePath(QStringLiteral("b.img"))));

        const QByteArray cpio
            = run(QStringLiteral("zstd"), { QStringLiteral("-dc"), dir.filePath(QStringLiteral("a.img")) });
        QVERIFY(cpio.startsWith("070701"));
        const QList<QByteArray> names
            = run(QStringLiteral("cpio"), { QStringLiteral("-t"), QStringLiteral("--quiet") }, {}, cpio).split('\n');
        // Sorted, parents before children, implicit parents added.
        QCOMPARE(names.mid(0, 11),
            (QList<QByteArray> { "bin", "dev", "dev/console", "init", "lib", "lib/modules", "lib/modules/6.1",
                "lib/modules/6.1/kernel", "lib/modules/6.1/kernel/fs", "lib/modules/6.1/kernel/fs/overlay.ko",
                "usr" }));
        QVERIFY(names.contains("usr/bin/busybox"));
        QVERIFY(!names.contains("bin/busybox"));

        QTemporaryDir out;
        run(QStringLiteral("cpio"),
            { QStringLiteral("-i"), QStringLiteral("--quiet"), QStringLiteral("--make-directories") }, out.path(),
            cpio);
        QCOMPARE(readFile(out.filePath(QStringLiteral("lib/modules/6.1/kernel/fs/overlay.ko"))),
            QByteArray("\x7f"
                       "ELF fake module body"));
        QCOMPARE(readFile(out.filePath(QStringLiteral("bin/busybox"))), QByteArray("tool"));
        QVERIFY(QFileInfo(out.filePath(QStringLiteral("init"))).isExecutable());
    }

    void modulesDepResolution()
    {
        const QByteArray dep
            = "kernel/drivers/net/virtio_net.ko.xz: kernel/drivers/net/net_failover.ko.xz "
              "kernel/net/core/failover.ko.xz\n"
              "kernel/drivers/net/net_failover.ko.xz: kernel/net/core/failover.ko.xz\n"
              "kernel/net/core/failover.ko.xz:\n"
              "kernel/fs/erofs/erofs.ko.xz: kernel/lib/libcrc32c.ko.xz\n"
              "kernel/lib/libcrc32c.ko.xz:\n"
              "kernel/crypto/crc32c_generic.ko.xz:\n"
              "kernel/arch/x86/crypto/crc32c-intel.ko.xz:\n"
              "kernel/drivers/net/ethernet/realtek/r8169.ko.xz: kernel/drivers/net/mdio/of_mdio.ko.xz\n"
              "kernel/drivers/net/mdio/of_mdio.ko.xz:\n"
              "kernel/drivers/net/phy/realtek.ko.xz:\n"
              "kernel/sound/core/snd.ko.xz:\n";
        const QByteArray builtin = "kernel/net/packet/af_packet.ko\n";
        const QByteArray alias = "alias crc32c crc32c_intel\nalias crc32c crc32c_generic\n"
                                 "alias pci:v000010ECd00008168sv*sd*bc*sc*i* r8169\nalias fs-erofs erofs\n";
        const QByteArray softdep = "softdep libcrc32c pre: crc32c\nsoftdep r8169 pre: realtek\n";
        auto parsed = ModulesDep::parse({ dep, builtin, alias, softdep });
        QVERIFY(parsed);
        const ModulesDep &m = *parsed;
        QCOMPARE(ModulesDep::moduleName(QStringLiteral("kernel/arch/x86/crypto/crc32c-intel.ko.xz")),
            QStringLiteral("crc32c_intel"));

        const auto r = m.resolve({ QStringLiteral("virtio_net"), QStringLiteral("af_packet"), QStringLiteral("nope") });
        // Dependencies first, each once.
        QCOMPARE(r.paths,
            (QStringList { QStringLiteral("kernel/net/core/failover.ko.xz"),
                QStringLiteral("kernel/drivers/net/net_failover.ko.xz"),
                QStringLiteral("kernel/drivers/net/virtio_net.ko.xz") }));
        QCOMPARE(r.builtin, QStringList { QStringLiteral("af_packet") });
        QCOMPARE(r.missing, QStringList { QStringLiteral("nope") });

        // Soft dependencies through aliases: erofs → libcrc32c → "crc32c" → both providers.
        const auto e = m.resolve({ QStringLiteral("erofs") });
        QVERIFY(e.paths.contains(QStringLiteral("kernel/lib/libcrc32c.ko.xz")));
        QVERIFY(e.paths.contains(QStringLiteral("kernel/crypto/crc32c_generic.ko.xz")));
        QVERIFY(e.paths.contains(QStringLiteral("kernel/arch/x86/crypto/crc32c-intel.ko.xz")));
        QVERIFY(e.paths.indexOf(QStringLiteral("kernel/lib/libcrc32c.ko.xz"))
            < e.paths.indexOf(QStringLiteral("kernel/fs/erofs/erofs.ko.xz")));
        const auto rt = m.resolve({ QStringLiteral("r8169") });
        QVERIFY(rt.paths.contains(QStringLiteral("kernel/drivers/net/phy/realtek.ko.xz")));
        QVERIFY(rt.missing.isEmpty());

        const QSet<QString> subset(r.paths.cbegin(), r.paths.cend());
        QCOMPARE(m.subset(subset),
            QByteArray("kernel/drivers/net/virtio_net.ko.xz: kernel/drivers/net/net_failover.ko.xz "
                       "kernel/net/core/failover.ko.xz\n"
                       "kernel/drivers/net/net_failover.ko.xz: kernel/net/core/failover.ko.xz\n"
                       "kernel/net/core/failover.ko.xz:\n"));
        const QSet<QString> withR8169(rt.paths.cbegin(), rt.paths.cend());
        QCOMPARE(m.aliasSubset(withR8169), QByteArray("alias pci:v000010ECd00008168sv*sd*bc*sc*i* r8169\n"));
        QVERIFY(!ModulesDep::parse("no colon here\n"));
    }
};

QTEST_GUILESS_MAIN(TstInitramfsWriter)
#include "tst_initramfswriter.moc"
