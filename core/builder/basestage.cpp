// The base and kernel stages: the bootstrapped root loses /boot (the kernel goes into the
// image separately) and the kernel modules outside the recipe's classes (keeping what the
// kept ones depend on), depmod writes modules.dep for what is left, and the tree becomes the
// base layer (squashfs or erofs, every timestamp at SOURCE_DATE_EPOCH). The layer and the
// kernel go into the store and the cache entry is written last, atomically: the next build
// with the same inputs skips all of it.
#include "builder/buildjob.h"

#include "builder/imagefiles.h"
#include "builder/moduleclasses.h"
#include "initramfs/modinfo.h"
#include "initramfs/modulesdep.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QThread>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentMap>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(Builder)
};

// A filesystem UUID derived from what the layer is made of, so erofs images are reproducible.
QString derivedUuid(const QString &seed)
{
    const QString h = Digest::ofBytes(seed.toUtf8()).hex();
    return QStringLiteral("%1-%2-%3-%4-%5").arg(h.mid(0, 8), h.mid(8, 4), h.mid(12, 4), h.mid(16, 4), h.mid(20, 12));
}

void removeEmptyDirectories(const QString &dir)
{
    QStringList dirs;
    QDirIterator it(dir, QDir::Dirs | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext())
        dirs.append(it.next());
    std::sort(dirs.begin(), dirs.end(), [](const QString &a, const QString &b) { return a.size() > b.size(); });
    for (const QString &d : std::as_const(dirs))
        QDir().rmdir(d); // fails, harmlessly, when not empty
}

} // namespace

Status BuildJob::buildBase()
{
    if (m_baseCached) {
        m_current.cached = true;
        m_current.bytes = m_base.layer.size;
        m_current.digest = m_base.layer.digest;
        m_baseFile = m_store.blobPath(m_base.layer.digest);
        return {};
    }
    const QDir boot(m_rootDir + QStringLiteral("/boot"));
    QStringList kernels = boot.entryList({ QStringLiteral("vmlinuz-*") }, QDir::Files, QDir::Name);
    if (kernels.isEmpty())
        return Status::failure(
            Text::tr("the image has no kernel in /boot: add linux-image-%1 to packages").arg(m_recipe.architecture));
    const QString &kernelName = kernels.last();
    if (kernels.size() > 1)
        log(Text::tr("several kernels in /boot; using %1").arg(kernelName));
    const QString release = kernelName.mid(QStringLiteral("vmlinuz-").size());
    m_kernelFile = m_workDir + QStringLiteral("/vmlinuz");
    if (!QFile::rename(boot.filePath(kernelName), m_kernelFile))
        return Status::failure(Text::tr("cannot move the kernel out of %1").arg(boot.path()));
    for (const QString &name : boot.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System | QDir::Hidden)) {
        const QFileInfo info(boot.filePath(name));
        if (info.isDir() && !info.isSymLink())
            QDir(info.filePath()).removeRecursively();
        else
            QFile::remove(info.filePath());
    }
    for (const QString &link : { QStringLiteral("vmlinuz"), QStringLiteral("vmlinuz.old"), QStringLiteral("initrd.img"),
             QStringLiteral("initrd.img.old") })
        QFile::remove(m_rootDir + QLatin1Char('/') + link);
    progress(5);

    auto moduleDir = pathInRoot(m_rootDir, QStringLiteral("/lib/modules/") + release);
    if (!moduleDir)
        return Status::failure(moduleDir.error());
    if (Status s = pruneModules(*moduleDir); !s)
        return s;
    if (Status s = tool(QStringLiteral("depmod"), { QStringLiteral("-b"), m_rootDir, release }); !s)
        return s;
    progress(15);

    m_baseFile = m_workDir + QStringLiteral("/base.") + m_recipe.layerType;
    if (Status s = makeLayer(m_rootDir, m_baseFile, false); !s)
        return s;
    auto blob = m_store.putFile(m_baseFile);
    if (!blob)
        return Status::failure(blob.error());
    m_base.key = m_baseKey;
    m_base.partialKey = m_partialKey;
    m_base.layer = { blob->digest, blob->size, m_recipe.layerType, QStringLiteral("base") };
    m_base.kernelRelease = release;
    m_base.sourceDateEpoch = m_sde;
    m_base.packages = m_packages;
    m_current.bytes = blob->size;
    m_current.digest = blob->digest;
    m_current.detail = Text::tr("kernel %1").arg(release);
    return {};
}

Status BuildJob::pruneModules(const QString &moduleDir)
{
    // Every module file by name; the kernel package was installed without running depmod.
    QHash<QString, QString> byName;
    QDirIterator it(moduleDir,
        { QStringLiteral("*.ko"), QStringLiteral("*.ko.xz"), QStringLiteral("*.ko.zst"), QStringLiteral("*.ko.gz") },
        QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString rel = QDir(moduleDir).relativeFilePath(it.next());
        byName.insert(ModulesDep::moduleName(rel), rel);
    }
    if (byName.isEmpty())
        return Status::failure(Text::tr("the kernel has no modules in %1").arg(moduleDir));
    if (m_recipe.kernelModules.contains(QLatin1String("all"))) {
        log(Text::tr("kernel modules: keeping all %1").arg(byName.size()));
        return {};
    }
    // The modules of the chosen classes and of Drover's init, closed under the dependencies
    // each module names in its .modinfo; read in parallel, one wave at a time.
    QSet<QString> keep;
    QStringList wave;
    auto want = [&](const QString &name) {
        const QString n = ModulesDep::moduleName(name);
        if (byName.contains(n) && !keep.contains(n)) {
            keep.insert(n);
            wave.append(byName.value(n));
        }
    };
    for (auto i = byName.cbegin(); i != byName.cend(); ++i) {
        if (moduleInClasses(i.value(), m_recipe.kernelModules))
            want(i.key());
    }
    for (const QString &name : std::as_const(m_initModules))
        want(name);
    // A pool of our own: its threads start from this one and so share its mount namespace
    // (the global pool's threads may belong to an earlier build's, and see no work tree).
    QThreadPool pool;
    while (!wave.isEmpty()) {
        if (cancelled())
            return cancelledStatus();
        const QStringList paths = std::exchange(wave, {});
        const QList<Result<ModuleInfo>> infos = QtConcurrent::blockingMapped(&pool, paths,
            [&moduleDir](const QString &rel) { return readModuleInfo(moduleDir + QLatin1Char('/') + rel); });
        for (const Result<ModuleInfo> &info : infos) {
            if (!info)
                return Status::failure(info.error());
            for (const QString &d : info->depends + info->softdeps)
                want(d);
        }
    }
    qint64 removedBytes = 0;
    for (auto i = byName.cbegin(); i != byName.cend(); ++i) {
        if (keep.contains(i.key()))
            continue;
        QFile f(moduleDir + QLatin1Char('/') + i.value());
        removedBytes += f.size();
        if (!f.remove())
            return Status::failure(Text::tr("cannot remove the module %1: %2").arg(i.value(), f.errorString()));
    }
    removeEmptyDirectories(moduleDir + QStringLiteral("/kernel"));
    log(Text::tr("kernel modules: kept %1 of %2 (classes %3 and Drover's init), removed %4 MiB")
            .arg(keep.size())
            .arg(byName.size())
            .arg(m_recipe.kernelModules.join(QLatin1Char(',')))
            .arg(double(removedBytes) / 1048576.0, 0, 'f', 1));
    return {};
}

Status BuildJob::makeLayer(const QString &source, const QString &out, bool topLayer)
{
    QFile::remove(out);
    const QString epoch = QString::number(m_sde);
    const int base = topLayer ? 0 : 15;
    auto onLine = [this, base](const QString &line) {
        bool ok = false;
        const int percent = line.trimmed().toInt(&ok);
        if (ok && percent >= 0 && percent <= 100)
            progress(base + (95 - base) * percent / 100);
    };
    // By default zstd -3 with 128 KiB blocks: half the reference image's base layer is kernel
    // modules, compressed already, so zstd -19 with 1 MiB blocks is only 13% smaller and xz
    // 17%, at 30-130 times the build time (BENCHMARKS.md). The times are given as options,
    // which mksquashfs refuses alongside SOURCE_DATE_EPOCH.
    QProcessEnvironment env = toolEnvironment();
    env.remove(QStringLiteral("SOURCE_DATE_EPOCH"));
    if (m_recipe.layerType == QLatin1String("erofs")) {
        return tool(QStringLiteral("mkfs.erofs"),
            { QStringLiteral("-zlz4hc"), QStringLiteral("-T") + epoch,
                QStringLiteral("-U") + derivedUuid(m_baseKey + (topLayer ? QStringLiteral("top") : QString())),
                QStringLiteral("--quiet"), out, source },
            nullptr, {}, &env);
    }
    // The recipe's `compression` (canonical, checked by the recipe): "zstd:LEVEL:BLOCK",
    // "xz:BLOCK" or "xz-x86:BLOCK".
    QStringList compression { QStringLiteral("-comp"), QStringLiteral("zstd"), QStringLiteral("-Xcompression-level"),
        QStringLiteral("3") };
    if (!m_recipe.compression.isEmpty()) {
        const QStringList parts = m_recipe.compression.split(QLatin1Char(':'));
        if (parts.first() == QLatin1String("zstd")) {
            compression = { QStringLiteral("-comp"), QStringLiteral("zstd"), QStringLiteral("-Xcompression-level"),
                parts.value(1), QStringLiteral("-b"), parts.value(2) };
        } else {
            compression = { QStringLiteral("-comp"), QStringLiteral("xz"), QStringLiteral("-b"), parts.value(1) };
            if (parts.first() == QLatin1String("xz-x86"))
                compression << QStringLiteral("-Xbcj") << QStringLiteral("x86");
        }
    }
    return tool(QStringLiteral("mksquashfs"),
        QStringList { source, out, QStringLiteral("-noappend") } + compression
            + QStringList { QStringLiteral("-reproducible"), QStringLiteral("-mkfs-time"), epoch,
                QStringLiteral("-all-time"), epoch, QStringLiteral("-processors"),
                QString::number(qMax(1, QThread::idealThreadCount())), QStringLiteral("-percentage") },
        nullptr, onLine, &env);
}

Status BuildJob::storeKernel()
{
    if (m_baseCached) {
        m_current.cached = true;
        m_current.bytes = m_base.kernel.size;
        m_current.digest = m_base.kernel.digest;
        m_current.detail = m_base.kernelRelease;
        return {};
    }
    auto kernel = m_store.putFile(m_kernelFile);
    if (!kernel)
        return Status::failure(kernel.error());
    m_base.kernel = *kernel;
    m_current.bytes = kernel->size;
    m_current.digest = kernel->digest;
    m_current.detail = m_base.kernelRelease;
    // Last: from here the next build with the same inputs starts from this base.
    if (Status s = m_cache.store(m_base); !s)
        return s;
    log(Text::tr("cached base %1 under key %2").arg(m_base.layer.digest.shortHex(), m_baseKey.left(12)));
    return {};
}

} // namespace drover
