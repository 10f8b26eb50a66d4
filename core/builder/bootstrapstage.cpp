// The bootstrap stage: mmdebstrap makes the image's root tree in the build's tmpfs. Essential
// packages plus the recipe's (apt only if asked for), eatmydata during installation,
// update-initramfs diverted to a no-op (Drover brings its own initramfs), documentation and
// translations kept out by dpkg path excludes, and the .deb cache mounted where apt keeps its
// archives, so a package is downloaded once across builds. Then what would make the tree
// unreproducible or tie it to this host goes: resolv.conf, hostname, ssh host keys, backups.
// A busybox base (distro.base) instead only unpacks the recipe's packages and their
// dependencies, with no dpkg and no maintainer scripts: busybox's applets are the shell, the
// tools and /sbin/init, and the kernel package brings the kernel and its modules.
#include "builder/buildjob.h"

#include "builder/mounts.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QLockFile>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QUrl>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(Builder)
};

// Hooks run under sh with the chroot as $1. Drover brings its own initramfs, and runs depmod
// itself once the modules are pruned: both are no-ops while packages install (the kernel's
// postinst would otherwise spend many seconds on each). depmod is restored at the end.
const char *const kDivertInitramfs
    = "chroot \"$1\" dpkg-divert --quiet --local --rename --add /usr/sbin/update-initramfs && "
      "printf '#!/bin/sh\\n# Drover images boot with Drover'\"'\"'s own initramfs.\\nexit 0\\n' "
      "> \"$1/usr/sbin/update-initramfs\" && chmod 755 \"$1/usr/sbin/update-initramfs\" && "
      "chroot \"$1\" dpkg-divert --quiet --local --rename --add /usr/sbin/depmod && "
      "printf '#!/bin/sh\\nexit 0\\n' > \"$1/usr/sbin/depmod\" && chmod 755 \"$1/usr/sbin/depmod\"";
const char *const kRestoreDepmod = "rm -f \"$1/usr/sbin/depmod\" && "
                                   "chroot \"$1\" dpkg-divert --quiet --local --rename --remove /usr/sbin/depmod";

// A busybox base: /usr merged as Debian's packages expect it (they ship under /usr only),
// root as the only user, its password locked, and the list of unpacked .debs (there is no dpkg
// database to ask) in a file bootstrap() reads and removes.
const char *const kBusyboxSetup
    = "mkdir -p \"$1/usr/bin\" \"$1/usr/sbin\" \"$1/usr/lib\" \"$1/usr/lib64\" \"$1/etc\" \"$1/root\" && "
      "for d in bin sbin lib lib64; do ln -s usr/$d \"$1/$d\"; done && "
      "printf 'root:x:0:0:root:/root:/bin/sh\\n' > \"$1/etc/passwd\" && "
      "printf 'root:x:0:\\n' > \"$1/etc/group\" && "
      "printf 'root:*:0:0:99999:7:::\\n' > \"$1/etc/shadow\" && printf 'root:*::\\n' > \"$1/etc/gshadow\" && "
      "chmod 0640 \"$1/etc/shadow\" \"$1/etc/gshadow\" && chmod 0700 \"$1/root\"";
const char *const kBusyboxExtract = "chroot \"$1\" /usr/bin/busybox --install -s && "
                                    "printf '%s\\n' $MMDEBSTRAP_ESSENTIAL > \"$1/.drover-unpacked\"";
const char *const kUnpackedList = ".drover-unpacked";

} // namespace

QStringList BuildJob::mmdebstrapArguments() const
{
    // The .deb cache is bind-mounted on the root's /var/cache/apt/archives (bootstrap()), so
    // apt downloads into it and dpkg reads from it; mmdebstrap must neither empty it nor mind
    // that the target already holds that directory.
    const bool busybox = m_recipe.busyboxBase();
    QStringList args { busybox ? QStringLiteral("--variant=extract") : QStringLiteral("--variant=essential"),
        QStringLiteral("--mode=root"), QStringLiteral("--format=directory"), QStringLiteral("--verbose"),
        QStringLiteral("--architectures=") + m_recipe.architecture,
        QStringLiteral("--skip=essential/unlink,cleanup/apt/cache,check/empty,chroot/mount/proc,chroot/mount/sys") };
    if (!m_recipe.checkValidUntil)
        args << QStringLiteral("--aptopt=Acquire::Check-Valid-Until \"false\"");
    // eatmydata wraps dpkg, which a busybox base has none of. mmdebstrap ships the hook, but
    // the hook runs dpkg-architecture (dpkg-dev, which mmdebstrap only suggests): without it
    // the build would fail, so it only speeds up builds where it can.
    if (!busybox && QFileInfo(QStringLiteral("/usr/share/mmdebstrap/hooks/eatmydata")).isDir()
        && !QStandardPaths::findExecutable(QStringLiteral("dpkg-architecture")).isEmpty())
        args << QStringLiteral("--hook-dir=/usr/share/mmdebstrap/hooks/eatmydata");
    // Path excludes stay in the image's dpkg configuration, so later installs honour them too.
    if (m_recipe.pruneDocs) {
        args << QStringLiteral("--dpkgopt=path-exclude=/usr/share/doc/*")
             << QStringLiteral("--dpkgopt=path-include=/usr/share/doc/*/copyright")
             << QStringLiteral("--dpkgopt=path-exclude=/usr/share/info/*")
             << QStringLiteral("--dpkgopt=path-exclude=/usr/share/lintian/*");
    }
    if (m_recipe.pruneMan)
        args << QStringLiteral("--dpkgopt=path-exclude=/usr/share/man/*");
    if (!m_recipe.keepLocales.contains(QLatin1String("*"))) {
        args << QStringLiteral("--dpkgopt=path-exclude=/usr/share/locale/*")
             << QStringLiteral("--dpkgopt=path-include=/usr/share/locale/locale.alias");
        for (const QString &locale : m_recipe.keepLocales)
            args << QStringLiteral("--dpkgopt=path-include=/usr/share/locale/%1/*").arg(locale);
    }
    QStringList include = m_recipe.packages;
    if (busybox) {
        args << QStringLiteral("--setup-hook=") + QLatin1String(kBusyboxSetup)
             << QStringLiteral("--extract-hook=") + QLatin1String(kBusyboxExtract);
        if (!include.contains(QLatin1String("busybox-static")))
            include.prepend(QStringLiteral("busybox-static"));
    } else {
        args << QStringLiteral("--essential-hook=") + QLatin1String(kDivertInitramfs)
             << QStringLiteral("--customize-hook=") + QLatin1String(kRestoreDepmod);
    }
    for (const QString &p : m_recipe.exclude)
        include << p + QLatin1Char('-'); // apt: never install it; an unavoidable dependency fails the build
    if (!include.isEmpty())
        args << QStringLiteral("--include=") + include.join(QLatin1Char(','));
    args << m_recipe.suite << m_rootDir
         << QStringLiteral("deb %1 %2 %3").arg(m_mirror, m_recipe.suite, m_recipe.components.join(QLatin1Char(' ')));
    for (const QString &suite : m_recipe.extraSuites)
        args << QStringLiteral("deb %1 %2 %3").arg(m_mirror, suite, m_recipe.components.join(QLatin1Char(' ')));
    args << m_recipe.sources;
    return args;
}

Status BuildJob::bootstrap()
{
    if (m_baseCached) {
        m_current.cached = true;
        m_current.detail = Text::tr("base layer %1 cached").arg(m_base.layer.digest.shortHex());
        return {};
    }
    m_rootDir = m_workDir + QStringLiteral("/root");
    if (m_recipe.imported())
        return importRootfs();
    const QString archives = m_rootDir + QStringLiteral("/var/cache/apt/archives");
    if (!QDir().mkpath(archives) || !QDir().mkpath(m_cache.debDir()))
        return Status::failure(Text::tr("cannot create %1").arg(archives));
    // One bootstrap at a time per .deb cache: apt locks its archive directory and would fail.
    QLockFile lock(m_cache.debDir() + QStringLiteral("/drover.lock"));
    lock.setStaleLockTime(0);
    for (bool told = false; !lock.tryLock(500);) {
        if (cancelled())
            return cancelledStatus();
        if (!std::exchange(told, true))
            log(Text::tr("waiting for another build that is using the package cache"));
    }
    MountSet mounts;
    if (Status s = mounts.bind(m_cache.debDir(), archives); !s)
        return s;
    // Maintainer scripts may need /proc and /sys (tiny-initramfs reads /proc/self/mountinfo).
    // Mounted here, so they are there even where mmdebstrap finds no mount(8) to do it.
    for (const QString &fs : { QStringLiteral("proc"), QStringLiteral("sys") }) {
        const QString target = m_rootDir + QLatin1Char('/') + fs;
        if (!QDir().mkpath(target))
            return Status::failure(Text::tr("cannot create %1").arg(target));
        if (Status s = mounts.mountVirtual(fs == QLatin1String("sys") ? QStringLiteral("sysfs") : fs, target); !s)
            return s;
    }

    // Progress from mmdebstrap's phases, then from dpkg's "Setting up" lines against apt's count.
    int total = 0;
    int setUp = 0;
    static const QRegularExpression newlyInstalled(QStringLiteral("(\\d+) newly installed"));
    const QList<std::pair<const char *, int>> phases { { "running apt-get update", 2 }, { "downloading packages", 8 },
        { "extracting archives", 25 }, { "installing essential packages", 35 }, { "installing remaining packages", 50 },
        { "running --customize-hook", 95 } };
    auto onLine = [&](const QString &line) {
        for (const auto &[marker, percent] : phases) {
            if (line.contains(QLatin1StringView(marker)))
                progress(percent);
        }
        if (auto m = newlyInstalled.match(line); m.hasMatch()) {
            total = m.captured(1).toInt();
            setUp = 0;
        }
        if (total > 0 && line.startsWith(QLatin1String("Setting up ")))
            progress(50 + 45 * qMin(++setUp, total) / total);
    };
    ProcessSpec spec;
    spec.program = QStringLiteral("mmdebstrap");
    spec.arguments = mmdebstrapArguments();
    spec.environment = toolEnvironment();
    spec.tailLines = 40;
    progress(0);
    const ProcessOutcome outcome = runProcess(spec, m_cancel, [&](const QString &line) {
        log(line);
        onLine(line);
    });
    if (outcome.cancelled)
        return cancelledStatus();
    if (!outcome.ok()) {
        const QString why = explainAptFailure(outcome.tail, m_recipe.suite, m_recipe.components);
        if (!why.isEmpty())
            return Status::failure(why);
        return Status::failure(Text::tr("mmdebstrap failed (%1); its last lines:\n%2")
                .arg(outcome.describe(), outcome.tail.mid(outcome.tail.size() - 20).join(QLatin1Char('\n'))));
    }
    if (Status s = mounts.unmountAll(); !s)
        return s;
    if (Status s = cleanBootstrapRoot(); !s)
        return s;
    if (m_recipe.busyboxBase()) {
        if (Status s = readUnpackedList(m_rootDir + QLatin1Char('/') + QLatin1String(kUnpackedList), QString()); !s)
            return s;
        m_current.detail = Text::tr("%n packages unpacked", nullptr, int(m_packages.size()));
        progress(100);
        return {};
    }
    if (Status s = readDpkgPackages(); !s)
        return s;
    m_current.detail = Text::tr("%n packages", nullptr, int(m_packages.size()));
    progress(100);
    return {};
}

// The packages mmdebstrap --variant=extract unpacked, from the list of .deb files its extract
// hook wrote (there is no dpkg database), those whose name starts with `prefix`; the list is
// removed. "…/archives/zlib1g_1%3a1.3.dfsg-1_amd64.deb" → zlib1g 1:1.3.dfsg-1 (apt escapes ':').
Status BuildJob::readUnpackedList(const QString &listFile, const QString &prefix)
{
    QFile unpacked(listFile);
    if (!unpacked.open(QIODevice::ReadOnly))
        return Status::failure(Text::tr("mmdebstrap left no list of the packages it unpacked (%1): %2")
                .arg(unpacked.fileName(), unpacked.errorString()));
    for (const QByteArray &line : unpacked.readAll().split('\n')) {
        const QStringList parts
            = QFileInfo(QString::fromUtf8(line.trimmed())).completeBaseName().split(QLatin1Char('_'));
        if (parts.size() == 3 && parts[0].startsWith(prefix))
            m_packages.insert(parts[0], QUrl::fromPercentEncoding(parts[1].toUtf8()));
    }
    unpacked.remove();
    return {};
}

// The root's packages and versions, from its dpkg database.
Status BuildJob::readDpkgPackages()
{
    ProcessOutcome query;
    QStringList lines;
    if (Status s = tool(QStringLiteral("dpkg-query"),
            { QStringLiteral("--admindir=") + m_rootDir + QStringLiteral("/var/lib/dpkg"), QStringLiteral("-W"),
                QStringLiteral("-f=${Package}\\t${Version}\\n") },
            &query, [&lines](const QString &l) { lines.append(l); });
        !s)
        return s;
    for (const QString &l : std::as_const(lines)) {
        const QStringList parts = l.split(QLatin1Char('\t'));
        if (parts.size() == 2)
            m_packages.insert(parts[0], parts[1]);
    }
    return {};
}

Status BuildJob::cleanBootstrapRoot()
{
    // Host-specific (mmdebstrap copies the host's resolv.conf and hostname in, as files; a
    // package's symlink stays), random (ssh host keys: every machine would share them;
    // drover-hostkeys.service makes new ones at boot), caches and backups. An imported root
    // is its author's as it is (an exported image imports to the same root) but for the
    // secrets every machine would share.
    const bool imported = m_recipe.imported();
    for (const QString &name : { QStringLiteral("etc/resolv.conf"), QStringLiteral("etc/hostname") }) {
        const QFileInfo info(m_rootDir + QLatin1Char('/') + name);
        if (!imported && info.isFile() && !info.isSymLink() && QFile::remove(info.filePath()))
            log(Text::tr("removed %1").arg(name));
    }
    const QStringList patterns = imported
        ? QStringList { QStringLiteral("etc/ssh/ssh_host_*"), QStringLiteral("var/lib/systemd/random-seed") }
        : QStringList { QStringLiteral("etc/.resolv.conf.*.bak"), QStringLiteral("etc/ssh/ssh_host_*"),
              QStringLiteral("var/lib/dpkg/*-old"), QStringLiteral("var/cache/debconf/*-old"), QStringLiteral("etc/*-"),
              QStringLiteral("var/log/*.log"), QStringLiteral("var/lib/systemd/random-seed"),
              QStringLiteral("var/cache/apt/*.bin") };
    for (const QString &pattern : patterns) {
        const QFileInfo info(m_rootDir + QLatin1Char('/') + pattern);
        const QDir dir(info.path());
        for (const QFileInfo &f :
            dir.entryInfoList({ info.fileName() }, QDir::Files | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot)) {
            if (!QFile::remove(f.filePath()))
                return Status::failure(Text::tr("cannot remove %1").arg(f.filePath()));
            log(Text::tr("removed %1").arg(QDir(m_rootDir).relativeFilePath(f.filePath())));
        }
    }
    return {};
}

} // namespace drover
