// The initramfs stage: the layers just made are mounted as the machine will see them (top over
// base) and Drover's initramfs is assembled from them — a static busybox, Drover's init, and
// exactly the kernel modules the init needs, with their dependencies and soft dependencies
// from the image's modules.dep. Modules are stored uncompressed (busybox needs no
// decompressor) with matching modules.dep and modules.alias for busybox modprobe, plus
// /drover/modules (the load order), /drover/format and /drover/kernel-release. Format
// "initramfs" instead puts the whole merged root, its own modules included, beside /init.
#include "builder/buildjob.h"

#include "builder/imagefiles.h"
#include "builder/mounts.h"
#include "initramfs/initramfsimage.h"
#include "initramfs/modulesdep.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>

#include <cstring>
#include <elf.h>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(Builder)
};

// An ELF executable without a program interpreter runs without a libc beside it.
bool isStaticExecutable(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray head = f.read(sizeof(Elf64_Ehdr));
    if (head.size() < qsizetype(sizeof(Elf64_Ehdr)) || !head.startsWith(ELFMAG) || head[EI_CLASS] != ELFCLASS64)
        return false;
    Elf64_Ehdr eh;
    std::memcpy(&eh, head.constData(), sizeof eh);
    for (int i = 0; i < eh.e_phnum; ++i) {
        if (!f.seek(qint64(eh.e_phoff) + qint64(i) * eh.e_phentsize))
            return false;
        const QByteArray ph = f.read(sizeof(Elf64_Phdr));
        if (ph.size() < qsizetype(sizeof(Elf64_Phdr)))
            return false;
        Elf64_Phdr p;
        std::memcpy(&p, ph.constData(), sizeof p);
        if (p.p_type == PT_INTERP)
            return false;
    }
    return true;
}

QString stripCompression(QString path)
{
    for (const auto *suffix : { ".xz", ".zst", ".gz" }) {
        if (path.endsWith(QLatin1StringView(suffix))) {
            path.chop(qstrlen(suffix));
            break;
        }
    }
    return path;
}

} // namespace

Status BuildJob::buildInitramfs()
{
    const QString baseMount = m_workDir + QStringLiteral("/view-base");
    const QString topMount = m_workDir + QStringLiteral("/view-top");
    const QString view = m_workDir + QStringLiteral("/view");
    for (const QString &d : { baseMount, topMount, view }) {
        if (!QDir().mkpath(d))
            return Status::failure(Text::tr("cannot create %1").arg(d));
    }
    MountSet mounts;
    if (Status s = mounts.mountImage(m_baseFile, baseMount, m_recipe.layerType); !s)
        return s;
    if (Status s = mounts.mountImage(m_topFile, topMount, m_recipe.layerType); !s)
        return s;
    if (Status s = mounts.mountOverlay({ topMount, baseMount }, QString(), QString(), view); !s)
        return s;

    InitramfsImage image;
    if (m_recipe.format == QLatin1String("initramfs")) {
        log(Text::tr("adding the whole root"));
        if (Status s = image.addTree(view, &m_cancel); !s)
            return s;
    }
    progress(20);
    if (Status s = addBootEntries(image, view); !s)
        return s;
    progress(40);
    m_initrdFile = m_workDir + QStringLiteral("/initrd.img");
    auto size = image.write(m_initrdFile, m_sde, &m_cancel);
    if (!size)
        return Status::failure(size.error());
    m_current.bytes = *size;
    return mounts.unmountAll();
}

Status BuildJob::addBootEntries(InitramfsImage &image, const QString &view)
{
    const QString release = m_base.kernelRelease;
    auto moduleDir = pathInRoot(view, QStringLiteral("/lib/modules/") + release);
    if (!moduleDir)
        return Status::failure(moduleDir.error());
    auto dep = ModulesDep::load(*moduleDir);
    if (!dep)
        return Status::failure(dep.error());

    // busybox: the image's own when it is static (busybox-static in packages), else the
    // builder's (Debian's busybox-static).
    QString busybox;
    const auto own = pathInRoot(view, QStringLiteral("/usr/bin/busybox"));
    for (const QString &candidate :
        { own ? *own : QString(), QStringLiteral("/usr/bin/busybox"), QStringLiteral("/bin/busybox") }) {
        if (isStaticExecutable(candidate)) {
            busybox = candidate;
            break;
        }
    }
    if (busybox.isEmpty())
        return Status::failure(Text::tr("no static busybox: install busybox-static on this machine or add it to "
                                        "the recipe's packages"));
    log(Text::tr("busybox from %1").arg(busybox.startsWith(view) ? Text::tr("the image") : busybox));

    const bool layers = m_recipe.format == QLatin1String("layers");
    if (layers) {
        for (const char *dir : { "dev", "proc", "sys", "run", "etc", "lib", "sbin", "usr", "mnt", "root" })
            image.addDirectory(dir, 0755);
        image.addDirectory("tmp", 01777);
        image.addSpecial("dev/console", 'c', 0600, 5, 1);
        image.addSpecial("dev/null", 'c', 0666, 1, 3);
        image.addSymlink("bin/sh", "busybox");
    }
    image.addFile("bin/busybox", busybox, 0755);
    image.addBytes("init", m_initScript, 0755);

    const ModulesDep::Resolution needed = dep->resolve(m_initModules);
    if (!needed.missing.isEmpty())
        log(Text::tr("modules not in kernel %1: %2").arg(release, needed.missing.join(QLatin1Char(' '))));
    const QByteArray modulesRoot = "lib/modules/" + release.toUtf8() + '/';
    QByteArray order;
    QSet<QString> included;
    for (const QString &path : needed.paths) {
        const QString plain = stripCompression(path);
        image.addFile(modulesRoot + plain.toUtf8(), *moduleDir + QLatin1Char('/') + path, 0644, {}, true);
        order += plain.toUtf8() + '\n';
        included.insert(path);
    }
    // modules.dep for busybox modprobe names the uncompressed files. Layers: only the modules
    // here, with their modules.alias (modalias matching) and modules.builtin. Format
    // initramfs: the root's full modules.dep with the init's modules renamed; the root's kmod
    // reads modules.dep.bin, which still names the compressed files beside them.
    const QStringList all = dep->allPaths();
    QString modulesDep = QString::fromUtf8(dep->subset(layers ? included : QSet<QString>(all.cbegin(), all.cend())));
    for (const QString &path : needed.paths) {
        modulesDep.replace(
            QRegularExpression(QStringLiteral("(^|[ \\n])%1(?=[:\\s])").arg(QRegularExpression::escape(path))),
            QStringLiteral("\\1") + stripCompression(path));
    }
    image.addBytes(modulesRoot + "modules.dep", modulesDep.toUtf8());
    if (!layers)
        return {};
    image.addBytes(modulesRoot + "modules.alias", dep->aliasSubset(included));
    for (const char *extra : { "modules.builtin", "modules.order" }) {
        QFile f(*moduleDir + QLatin1Char('/') + QLatin1StringView(extra));
        if (f.open(QIODevice::ReadOnly))
            image.addBytes(modulesRoot + extra, f.readAll());
    }
    image.addBytes("drover/modules", order);
    image.addBytes("drover/format", m_recipe.format.toUtf8() + '\n');
    image.addBytes("drover/kernel-release", release.toUtf8() + '\n');
    log(Text::tr("%n modules; built in: %1", nullptr, int(needed.paths.size()))
            .arg(needed.builtin.isEmpty() ? QStringLiteral("-") : needed.builtin.join(QLatin1Char(' '))));
    return {};
}

} // namespace drover
