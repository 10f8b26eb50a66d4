// The import stage, in place of the bootstrap for a recipe with "from": {"rootfs": …}: a root
// filesystem archive is unpacked by GNU tar (it reads .tar, .tar.gz, .tar.xz and .tar.zst)
// keeping owners by number, modes with setuid bits, hard links, device nodes and extended
// attributes, as the machine will see them. Without a kernel of its own (a container's root)
// the kernel and its modules come from a Debian kernel package, unpacked by mmdebstrap
// (--variant=extract) and moved into the root; the rest of the build is the same as for a
// bootstrapped root.
#include "build/buildjob.h"

#include "build/imagefiles.h"
#include "build/mounts.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QUrl>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(Builder)
};

// Writes the list of unpacked .deb files where addKernelPackage() finds it.
const char *const kListUnpacked = "printf '%s\\n' $MMDEBSTRAP_ESSENTIAL > \"$1/.drover-unpacked\"";

} // namespace

Status BuildJob::importRootfs()
{
    const QString archive = m_recipe.rootfsPath();
    if (!QDir().mkpath(m_rootDir))
        return Status::failure(Text::tr("cannot create %1").arg(m_rootDir));
    log(Text::tr("unpacking %1").arg(archive));
    progress(0);
    if (Status s = tool(QStringLiteral("tar"),
            { QStringLiteral("--extract"), QStringLiteral("--file=") + archive, QStringLiteral("--directory=") + m_rootDir,
                QStringLiteral("--preserve-permissions"), QStringLiteral("--same-owner"),
                QStringLiteral("--numeric-owner"), QStringLiteral("--xattrs"), QStringLiteral("--xattrs-include=*"),
                QStringLiteral("--acls") });
        !s)
        return Status::failure(Text::tr("cannot unpack the root filesystem archive %1: %2").arg(archive, s.error()));
    progress(60);
    if (!m_recipe.kernelPackage.isEmpty()) {
        if (Status s = addKernelPackage(); !s)
            return s;
    }
    progress(90);
    if (Status s = cleanBootstrapRoot(); !s)
        return s;
    if (QFileInfo::exists(m_rootDir + QStringLiteral("/var/lib/dpkg/status"))) {
        if (Status s = readDpkgPackages(); !s)
            return s;
    }
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
    QDir boot(kernelDir + QStringLiteral("/boot"));
    const QStringList kernels = boot.entryList({ QStringLiteral("vmlinuz-*") }, QDir::Files, QDir::Name);
    if (kernels.isEmpty())
        return Status::failure(Text::tr("the package %1 has no kernel in /boot").arg(m_recipe.kernelPackage));
    const QString release = kernels.last().mid(QStringLiteral("vmlinuz-").size());
    QString modules = kernelDir + QStringLiteral("/usr/lib/modules/") + release;
    if (!QFileInfo(modules).isDir())
        modules = kernelDir + QStringLiteral("/lib/modules/") + release; // before Debian moved them to /usr
    auto bootInRoot = pathInRoot(m_rootDir, QStringLiteral("/boot"));
    auto modulesInRoot = pathInRoot(m_rootDir, QStringLiteral("/lib/modules")); // /usr/lib/… when /usr is merged
    if (!bootInRoot || !modulesInRoot)
        return Status::failure(!bootInRoot ? bootInRoot.error() : modulesInRoot.error());
    if (!QDir().mkpath(*bootInRoot) || !QDir().mkpath(*modulesInRoot))
        return Status::failure(Text::tr("cannot create /boot and /lib/modules in the imported root"));
    if (!QDir(*bootInRoot).entryList({ QStringLiteral("vmlinuz-*") }, QDir::Files).isEmpty())
        return Status::failure(Text::tr("the imported root has a kernel of its own in /boot; remove "
                                        "from.kernelPackage, or the kernel from the root"));
    if (!QFile::rename(boot.filePath(kernels.last()), *bootInRoot + QLatin1Char('/') + kernels.last())
        || !QDir().rename(modules, *modulesInRoot + QLatin1Char('/') + release))
        return Status::failure(Text::tr("cannot move kernel %1 into the imported root").arg(release));
    QFile unpacked(kernelDir + QStringLiteral("/.drover-unpacked"));
    if (unpacked.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : unpacked.readAll().split('\n')) {
            const QStringList parts = QFileInfo(QString::fromUtf8(line.trimmed())).completeBaseName().split(QLatin1Char('_'));
            if (parts.size() == 3 && parts[0].startsWith(QLatin1String("linux-image")))
                m_packages.insert(parts[0], QUrl::fromPercentEncoding(parts[1].toUtf8()));
        }
    }
    log(Text::tr("kernel %1 from %2").arg(release, m_recipe.kernelPackage));
    return removeTree(kernelDir);
}

} // namespace drover
