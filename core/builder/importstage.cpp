// The import stage, in place of the bootstrap for a recipe with "from": a root filesystem
// archive is unpacked by GNU tar (it reads .tar, .tar.gz, .tar.xz and .tar.zst) keeping owners
// by number, modes with setuid bits, hard links, device nodes and extended attributes, as the
// machine will see them. A container image's layers are unpacked the same way, bottom first,
// each after its whiteouts have removed what it deletes from the layers below; a layer that
// would write through a lower layer's symlink is refused. Without a kernel of its own (a
// container's root) the kernel and its modules come from a Debian kernel package (unpacked by
// mmdebstrap --variant=extract) or a directory; the rest of the build is the same as for a
// bootstrapped root.
#include "builder/buildjob.h"

#include "builder/imagefiles.h"
#include "builder/mounts.h"
#include "builder/ocisource.h"
#include "store/imagestore.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(Builder)
};

// Writes the list of unpacked .deb files where addKernelPackage() finds it.
const char *const kListUnpacked = "printf '%s\\n' $MMDEBSTRAP_ESSENTIAL > \"$1/.drover-unpacked\"";

} // namespace

// Unpacks one archive or layer into the root, as the owners, modes and attributes say.
Status BuildJob::unpackIntoRoot(const QString &archive, bool skipWhiteouts)
{
    QStringList args { QStringLiteral("--extract"), QStringLiteral("--file=") + archive,
        QStringLiteral("--directory=") + m_rootDir, QStringLiteral("--preserve-permissions"),
        QStringLiteral("--same-owner"), QStringLiteral("--numeric-owner"), QStringLiteral("--xattrs"),
        QStringLiteral("--xattrs-include=*"), QStringLiteral("--acls") };
    if (skipWhiteouts)
        args << QStringLiteral("--exclude=.wh.*");
    return tool(QStringLiteral("tar"), args);
}

// What a layer deletes from the layers below: ".wh.NAME" removes NAME beside it, and
// ".wh..wh..opq" empties its directory. Paths resolve inside the root, whatever its symlinks.
// Then the layer is refused if tar would write one of its entries through a symlink.
Status BuildJob::applyWhiteouts(const QString &layer, int *removed)
{
    QStringList entries; // a layer lists thousands of paths: kept out of the build log
    ProcessSpec spec;
    spec.program = QStringLiteral("tar");
    spec.arguments = { QStringLiteral("--list"), QStringLiteral("--file=") + layer };
    spec.environment = toolEnvironment();
    spec.tailLines = 20;
    const ProcessOutcome listed = runProcess(spec, m_cancel, [&entries](const QString &line) { entries.append(line); });
    if (listed.cancelled)
        return cancelledStatus();
    if (!listed.ok())
        return Status::failure(Text::tr("cannot list the layer %1 (%2)").arg(layer, listed.describe()));
    for (const QString &entry : std::as_const(entries)) {
        QString dir;
        QString name;
        if (!parseWhiteout(entry, &dir, &name))
            continue;
        auto hostDir = pathInRoot(m_rootDir, QLatin1Char('/') + dir);
        if (!hostDir)
            return Status::failure(Text::tr("whiteout %1: %2").arg(entry, hostDir.error()));
        const QFileInfo dirInfo(*hostDir);
        if (!dirInfo.isDir() || dirInfo.isSymLink())
            continue; // nothing below to hide
        const QStringList victims = name.isEmpty()
            ? QDir(*hostDir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot)
            : QStringList { name };
        for (const QString &victim : victims) {
            const QFileInfo info(*hostDir + QLatin1Char('/') + victim);
            if (!info.exists() && !info.isSymLink())
                continue;
            const bool ok = info.isDir() && !info.isSymLink() ? QDir(info.filePath()).removeRecursively()
                                                              : QFile::remove(info.filePath());
            if (!ok)
                return Status::failure(Text::tr("whiteout %1: cannot remove %2").arg(entry, info.filePath()));
            ++*removed;
        }
    }
    // Checked once the whiteouts are applied: one may have removed the symlink.
    const QString escaping = entryThroughSymlink(
        entries, [this](const QString &path) { return QFileInfo(m_rootDir + QLatin1Char('/') + path).isSymLink(); });
    if (!escaping.isEmpty())
        return Status::failure(Text::tr("the layer %1 writes %2 through a symlink of a lower layer, which could put it "
                                        "outside the image's root; refusing the image")
                .arg(layer, escaping));
    return {};
}

Status BuildJob::importOci(const QString &path)
{
    QString dir = path;
    if (QFileInfo(path).isFile()) { // an oci-archive or docker-archive: a tarball of the files
        dir = m_workDir + QStringLiteral("/oci-source");
        if (!QDir().mkpath(dir))
            return Status::failure(Text::tr("cannot create %1").arg(dir));
        if (Status s = tool(QStringLiteral("tar"),
                { QStringLiteral("--extract"), QStringLiteral("--file=") + path,
                    QStringLiteral("--directory=") + dir });
            !s)
            return Status::failure(Text::tr("cannot unpack the container image archive %1: %2").arg(path, s.error()));
    }
    auto source = readOciSource(dir);
    if (!source)
        return Status::failure(Text::tr("%1: %2").arg(path, source.error()));
    log(Text::tr("%1 with %n layers, config %2", nullptr, int(source->layers.size()))
            .arg(source->kind, source->configDigest.left(19)));
    int removed = 0;
    for (qsizetype i = 0; i < source->layers.size(); ++i) {
        if (cancelled())
            return cancelledStatus();
        if (Status s = applyWhiteouts(source->layers.at(i), &removed); !s)
            return s;
        if (Status s = unpackIntoRoot(source->layers.at(i), true); !s)
            return Status::failure(Text::tr("cannot unpack layer %1 of %2: %3").arg(i + 1).arg(path, s.error()));
        progress(int(60 * (i + 1) / source->layers.size()));
    }
    log(Text::tr("%n entries removed by whiteouts", nullptr, removed));
    m_current.detail = Text::tr("%1, %n layers", nullptr, int(source->layers.size())).arg(source->kind);
    return dir == path ? Status() : removeTree(dir);
}

Status BuildJob::importRootfs()
{
    const QString archive = m_recipe.importPath();
    if (!QDir().mkpath(m_rootDir))
        return Status::failure(Text::tr("cannot create %1").arg(m_rootDir));
    log(Text::tr("unpacking %1").arg(archive));
    progress(0);
    if (!m_recipe.fromOci.isEmpty()) {
        if (Status s = importOci(archive); !s)
            return s;
    } else if (Status s = unpackIntoRoot(archive, false); !s) {
        return Status::failure(Text::tr("cannot unpack the root filesystem archive %1: %2").arg(archive, s.error()));
    }
    progress(60);
    if (!m_recipe.kernelPackage.isEmpty()) {
        if (Status s = addKernelPackage(); !s)
            return s;
    } else if (!m_recipe.kernelImage.isEmpty()) {
        if (Status s = addKernelFromImage(); !s)
            return s;
    } else if (!m_recipe.kernelDir.isEmpty()) {
        if (Status s = installKernelFrom(m_recipe.kernelDirPath(), m_recipe.kernelDirPath(), true); !s)
            return s;
    }
    progress(90);
    if (Status s = cleanBootstrapRoot(); !s)
        return s;
    if (QFileInfo::exists(m_rootDir + QStringLiteral("/var/lib/dpkg/status"))) {
        if (Status s = readDpkgPackages(); !s)
            return s;
    }
    if (m_recipe.fromOci.isEmpty())
        m_current.detail = Text::tr("imported %1").arg(QFileInfo(archive).fileName());
    progress(100);
    return {};
}

Status BuildJob::addKernelPackage()
{
    const QString kernelDir = m_workDir + QStringLiteral("/kernel-package");
    if (!QDir().mkpath(kernelDir))
        return Status::failure(Text::tr("cannot create %1").arg(kernelDir));
    log(Text::tr("unpacking the kernel package %1 of %2").arg(m_recipe.kernelPackage, m_recipe.suite));
    QStringList args { QStringLiteral("--variant=extract"), QStringLiteral("--mode=root"),
        QStringLiteral("--format=directory"), QStringLiteral("--architectures=") + m_recipe.architecture,
        QStringLiteral("--skip=check/empty"), QStringLiteral("--extract-hook=") + QLatin1String(kListUnpacked),
        QStringLiteral("--include=") + m_recipe.kernelPackage };
    if (!m_recipe.checkValidUntil)
        args << QStringLiteral("--aptopt=Acquire::Check-Valid-Until \"false\"");
    args << m_recipe.suite << kernelDir
         << QStringLiteral("deb %1 %2 %3").arg(m_mirror, m_recipe.suite, m_recipe.components.join(QLatin1Char(' ')));
    ProcessOutcome outcome;
    if (Status s = tool(QStringLiteral("mmdebstrap"), args, &outcome); !s) {
        const QString why = explainAptFailure(outcome.tail, m_recipe.suite, m_recipe.components);
        return why.isEmpty() ? s : Status::failure(why);
    }
    if (Status s = installKernelFrom(kernelDir, m_recipe.kernelPackage, false); !s)
        return s;
    if (Status s = readUnpackedList(kernelDir + QStringLiteral("/.drover-unpacked"), QStringLiteral("linux-image")); !s)
        return s;
    return removeTree(kernelDir);
}

// Another image's kernel: its kernel blob, and the modules its base layer holds (as that
// image's recipe pruned them), laid out as a root for installKernelFrom().
Status BuildJob::addKernelFromImage()
{
    const ImageStore store(m_store.root());
    auto other = store.manifest(m_kernelImage);
    if (!other)
        return Status::failure(Text::tr("from.kernelImage %1: %2").arg(m_recipe.kernelImage, other.error()));
    const QString release = other->build.value(QStringLiteral("kernelRelease")).toString();
    if (release.isEmpty() || release.contains(QLatin1Char('/')) || other->layers.isEmpty())
        return Status::failure(Text::tr("from.kernelImage %1 names no kernel release, or keeps its root in the "
                                        "initramfs; take an image built with layers")
                .arg(m_recipe.kernelImage));
    const QString dir = m_workDir + QStringLiteral("/kernel-image");
    const LayerRef &base = other->layers.first();
    if (Status s = m_store.verify(base.digest); !s)
        return s;
    if (Status s = m_store.verify(other->kernel.digest); !s)
        return s;
    log(Text::tr("taking kernel %1 and its modules from %2").arg(release, m_recipe.kernelImage));
    const QString blob = m_store.blobPath(base.digest);
    Status unpacked = base.type == QLatin1String("erofs")
        ? tool(QStringLiteral("fsck.erofs"),
              { QStringLiteral("--extract=") + dir, QStringLiteral("--force"), QStringLiteral("--preserve"), blob })
        : tool(QStringLiteral("unsquashfs"),
              { QStringLiteral("-no-progress"), QStringLiteral("-d"), dir, blob,
                  QStringLiteral("usr/lib/modules/") + release, QStringLiteral("lib/modules/") + release });
    if (!unpacked)
        return unpacked;
    if (!QDir().mkpath(dir + QStringLiteral("/boot"))
        || !QFile::copy(m_store.blobPath(other->kernel.digest), dir + QStringLiteral("/boot/vmlinuz-") + release))
        return Status::failure(Text::tr("cannot copy the kernel of %1").arg(m_recipe.kernelImage));
    if (Status s = installKernelFrom(dir, m_recipe.kernelImage, false); !s)
        return s;
    return removeTree(dir);
}

// The kernel of a tree laid out as a root (boot/vmlinuz-RELEASE, usr/lib/modules/RELEASE or
// lib/modules/RELEASE: what `dpkg-deb -x` of a kernel package, or a kernel's make install and
// modules_install, leave) goes into the imported root: moved out of a tree of ours, copied
// out of one of the user's.
Status BuildJob::installKernelFrom(const QString &dir, const QString &what, bool copy)
{
    QDir boot(dir + QStringLiteral("/boot"));
    const QStringList kernels = boot.entryList({ QStringLiteral("vmlinuz-*") }, QDir::Files, QDir::Name);
    if (kernels.isEmpty())
        return Status::failure(Text::tr("%1 has no kernel in /boot (boot/vmlinuz-RELEASE)").arg(what));
    const QString release = kernels.last().mid(QStringLiteral("vmlinuz-").size());
    QString modules = dir + QStringLiteral("/usr/lib/modules/") + release;
    if (!QFileInfo(modules).isDir())
        modules = dir + QStringLiteral("/lib/modules/") + release; // before Debian moved them to /usr
    if (!QFileInfo(modules).isDir())
        return Status::failure(Text::tr("%1 has no modules for kernel %2 (lib/modules/%2)").arg(what, release));
    auto bootInRoot = pathInRoot(m_rootDir, QStringLiteral("/boot"));
    auto modulesInRoot = pathInRoot(m_rootDir, QStringLiteral("/lib/modules")); // /usr/lib/… when /usr is merged
    if (!bootInRoot || !modulesInRoot)
        return Status::failure(!bootInRoot ? bootInRoot.error() : modulesInRoot.error());
    if (!QDir().mkpath(*bootInRoot) || !QDir().mkpath(*modulesInRoot))
        return Status::failure(Text::tr("cannot create /boot and /lib/modules in the imported root"));
    if (!QDir(*bootInRoot).entryList({ QStringLiteral("vmlinuz-*") }, QDir::Files).isEmpty())
        return Status::failure(Text::tr("the imported root has a kernel of its own in /boot; remove "
                                        "from.kernelPackage or from.kernelDir, or the kernel from the root"));
    const QString kernelTarget = *bootInRoot + QLatin1Char('/') + kernels.last();
    const QString modulesTarget = *modulesInRoot + QLatin1Char('/') + release;
    if (copy) {
        if (Status s
            = tool(QStringLiteral("cp"), { QStringLiteral("-a"), boot.filePath(kernels.last()), kernelTarget });
            !s)
            return s;
        if (Status s = tool(QStringLiteral("cp"), { QStringLiteral("-a"), modules, modulesTarget }); !s)
            return s;
    } else if (!QFile::rename(boot.filePath(kernels.last()), kernelTarget) || !QDir().rename(modules, modulesTarget)) {
        return Status::failure(Text::tr("cannot move kernel %1 into the imported root").arg(release));
    }
    log(Text::tr("kernel %1 from %2").arg(release, what));
    return {};
}

} // namespace drover
