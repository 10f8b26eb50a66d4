// The top stage: the base layer is mounted read-only under an overlay whose upper directory
// starts empty; users, files, Drover's units, the build scripts (in a chroot) and service
// changes are applied to the merged tree; what lands in the upper directory — changed and
// new files, plus overlayfs whiteouts (character devices 0/0) for deletions and opaque
// markers for replaced directories — is the top layer. Changing only files or scripts
// rebuilds only this layer; the base layer's blob is reused byte for byte.
#include "builder/buildjob.h"

#include "builder/imagefiles.h"
#include "builder/imageusers.h"
#include "builder/mounts.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(Builder)
};

const char kReadyUnit[] = "drover-ready.service";
const char kHostKeysUnit[] = "drover-hostkeys.service";

// Overlayfs bookkeeping that must not travel in a layer (it names this build's mounts);
// opaque markers are kept: they are part of the layer's meaning.
void stripOverlayXattrs(const QString &dir)
{
    QDirIterator it(
        dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    QStringList paths { dir };
    while (it.hasNext())
        paths.append(it.next());
    for (const QString &path : std::as_const(paths)) {
        const QByteArray p = QFile::encodeName(path);
        char names[4096];
        const ssize_t n = ::llistxattr(p.constData(), names, sizeof names);
        for (ssize_t at = 0; at < n;) {
            const QByteArray name(names + at);
            at += name.size() + 1;
            if (name.startsWith("trusted.overlay.") && name != "trusted.overlay.opaque")
                ::lremovexattr(p.constData(), name.constData());
        }
    }
}

// A minimal /dev for chroot work: the usual nodes on a tmpfs, nothing of the host's.
Status populateDev(const QString &dev)
{
    struct Node {
        const char *name;
        unsigned major;
        unsigned minor;
    };
    for (const Node &n : { Node { "null", 1, 3 }, Node { "zero", 1, 5 }, Node { "full", 1, 7 }, Node { "random", 1, 8 },
             Node { "urandom", 1, 9 }, Node { "tty", 5, 0 } }) {
        const QByteArray path = QFile::encodeName(dev) + '/' + n.name;
        if (::mknod(path.constData(), S_IFCHR | 0666, makedev(n.major, n.minor)) != 0
            || ::chmod(path.constData(), 0666) != 0)
            return Status::failure(Text::tr("cannot create %1 for the chroot").arg(QFile::decodeName(path)));
    }
    for (const auto &[name, target] : { std::pair { "fd", "/proc/self/fd" }, std::pair { "stdin", "/proc/self/fd/0" },
             std::pair { "stdout", "/proc/self/fd/1" }, std::pair { "stderr", "/proc/self/fd/2" } }) {
        if (::symlink(target, QByteArray(QFile::encodeName(dev) + '/' + name).constData()) != 0)
            return Status::failure(Text::tr("cannot create /dev/%1 for the chroot").arg(QLatin1StringView(name)));
    }
    QDir(dev).mkdir(QStringLiteral("shm"));
    return {};
}

bool existsInRoot(const QString &root, const QString &path)
{
    auto host = pathInRoot(root, path);
    return host && (QFileInfo::exists(*host) || QFileInfo(*host).isSymLink());
}

} // namespace

Status BuildJob::buildTop()
{
    const QString lower = m_workDir + QStringLiteral("/lower");
    const QString upper = m_workDir + QStringLiteral("/upper");
    const QString overlayWork = m_workDir + QStringLiteral("/overlay-work");
    const QString merged = m_workDir + QStringLiteral("/merged");
    for (const QString &d : { lower, upper, overlayWork, merged }) {
        if (!QDir().mkpath(d))
            return Status::failure(Text::tr("cannot create %1").arg(d));
    }
    ::chmod(QFile::encodeName(upper).constData(), 0755); // the image's / takes this directory's mode
    // The bootstrapped tree is no longer needed: the base layer is what the top goes on.
    if (!m_rootDir.isEmpty()) {
        if (Status s = removeTree(m_rootDir); !s)
            return s;
        m_rootDir.clear();
    }
    MountSet mounts;
    if (Status s = mounts.mountImage(m_baseFile, lower, m_recipe.layerType); !s)
        return s;
    if (Status s = mounts.mountOverlay({ lower }, upper, overlayWork, merged); !s)
        return s;

    if (Status s = applyImageUsers(merged, m_recipe.users, m_sde / 86400); !s)
        return s;
    progress(10);
    int files = 0;
    if (!m_recipe.filesDir.isEmpty()) {
        FilesSpec spec;
        spec.sourceDir = QDir(m_recipe.baseDir).filePath(m_recipe.filesDir);
        spec.owner = m_recipe.filesOwner;
        spec.modes = m_recipe.fileModes;
        auto copied = copyFilesIntoImage(merged, spec);
        if (!copied)
            return Status::failure(copied.error());
        files = *copied;
    }
    progress(20);
    if (Status s = installDroverUnits(merged); !s)
        return s;
    progress(25);
    if (Status s = runScripts(merged); !s) // and the service changes
        return s;
    progress(90);
    if (Status s = mounts.unmountAll(); !s)
        return s;
    stripOverlayXattrs(upper);

    m_topFile = m_workDir + QStringLiteral("/top.") + m_recipe.layerType;
    if (Status s = makeLayer(upper, m_topFile, true); !s)
        return s;
    m_current.bytes = QFileInfo(m_topFile).size();
    m_current.detail = Text::tr("%n files", nullptr, files) + QStringLiteral(", ")
        + Text::tr("%n scripts", nullptr, int(m_recipe.scripts.size()));
    return {};
}

Status BuildJob::installDroverUnits(const QString &root)
{
    const QString dir = m_options.resourceDir + QStringLiteral("/initramfs/");
    if (m_recipe.busyboxBase() || hasBusyboxInit(root))
        return installBusyboxStart(root, dir);
    if (hasSysvinit(root))
        return installSysvinitScripts(root, dir);
    for (const QLatin1StringView name : { QLatin1StringView(kReadyUnit), QLatin1StringView(kHostKeysUnit) }) {
        QFile unit(dir + name);
        if (!unit.open(QIODevice::ReadOnly))
            return Status::failure(Text::tr("Drover's unit %1 is missing: %2").arg(name, unit.fileName()));
        const QString unitPath = QStringLiteral("/usr/lib/systemd/system/") + name;
        if (Status s = writeImageFile(root, unitPath, unit.readAll(), 0644); !s)
            return s;
        if (Status s
            = writeImageSymlink(root, QStringLiteral("/etc/systemd/system/multi-user.target.wants/") + name, unitPath);
            !s)
            return s;
    }
    QFile ready(dir + QStringLiteral("ready"));
    if (!ready.open(QIODevice::ReadOnly)) {
        log(Text::tr("warning: %1 is missing; this image will not report ready").arg(ready.fileName()));
        return {};
    }
    return writeImageFile(root, QStringLiteral("/usr/lib/drover/ready"), ready.readAll(), 0755);
}

// An imported root whose /sbin/init is busybox's (Alpine, a busybox container).
bool BuildJob::hasBusyboxInit(const QString &root)
{
    const auto init = pathInRoot(root, QStringLiteral("/sbin/init"));
    return init && QFileInfo(*init).isSymLink() && QFileInfo(*init).symLinkTarget().endsWith(QLatin1String("busybox"));
}

// sysvinit-core's /sbin/init is a program of its own; systemd-sysv's is a symlink to systemd.
bool BuildJob::hasSysvinit(const QString &root)
{
    const auto init = pathInRoot(root, QStringLiteral("/sbin/init"));
    const auto updateRcD = pathInRoot(root, QStringLiteral("/usr/sbin/update-rc.d"));
    return init && updateRcD && QFileInfo(*init).isFile() && !QFileInfo(*init).isSymLink()
        && QFileInfo(*updateRcD).isFile();
}

// Under sysvinit the ready report and the host keys are init scripts, linked into the
// runlevels by the image's own update-rc.d (insserv orders them by their headers); under
// OpenRC (started by sysvinit-core's init) the same scripts, which OpenRC runs by their LSB
// headers.
Status BuildJob::installSysvinitScripts(const QString &root, const QString &dir)
{
    for (const QString &name :
        { QStringLiteral("ready"), QStringLiteral("drover-ready.init"), QStringLiteral("drover-hostkeys.init") }) {
        QFile script(dir + name);
        if (!script.open(QIODevice::ReadOnly))
            return Status::failure(Text::tr("Drover's %1 script is missing: %2").arg(name, script.fileName()));
        const QString target = name == QLatin1String("ready")
            ? QStringLiteral("/usr/lib/drover/ready")
            : QStringLiteral("/etc/init.d/") + QFileInfo(name).completeBaseName();
        if (Status s = writeImageFile(root, target, script.readAll(), 0755); !s)
            return s;
    }
    for (const QString &service : { QStringLiteral("drover-hostkeys"), QStringLiteral("drover-ready") }) {
        if (Status s = runInChroot(root, { QStringLiteral("update-rc.d"), service, QStringLiteral("defaults") },
                QStringLiteral("update-rc.d %1 defaults").arg(service));
            !s)
            return s;
    }
    // Debian's update-rc.d also adds them to OpenRC's default runlevel when OpenRC is the rc.
    const auto openrc = pathInRoot(root, QStringLiteral("/usr/sbin/openrc"));
    log(openrc && QFileInfo(*openrc).isFile()
            ? Text::tr("OpenRC: Drover's ready report and host keys as init scripts in the default runlevel")
            : Text::tr("sysvinit: Drover's ready report and host keys as init scripts"));
    return {};
}

// Busybox init runs what /etc/inittab names: Drover's rc (module coldplug, hostname) and its
// ready report. A recipe may bring its own inittab, but one that never reports ready would
// leave every boot of the image failing at the server: that is refused here.
Status BuildJob::installBusyboxStart(const QString &root, const QString &dir)
{
    for (const QString &name : { QStringLiteral("rc"), QStringLiteral("ready") }) {
        QFile script(dir + name);
        if (!script.open(QIODevice::ReadOnly))
            return Status::failure(Text::tr("Drover's %1 script is missing: %2").arg(name, script.fileName()));
        if (Status s = writeImageFile(root, QStringLiteral("/usr/lib/drover/") + name, script.readAll(), 0755); !s)
            return s;
    }
    auto inittabPath = pathInRoot(root, QStringLiteral("/etc/inittab"));
    if (!inittabPath)
        return Status::failure(inittabPath.error());
    QFile own(*inittabPath);
    if (own.exists()) {
        if (!own.open(QIODevice::ReadOnly))
            return Status::failure(Text::tr("cannot read the image's /etc/inittab: %1").arg(own.errorString()));
        if (!own.readAll().contains("/usr/lib/drover/ready"))
            return Status::failure(Text::tr("the recipe's etc/inittab does not run /usr/lib/drover/ready, so machines "
                                            "booting this image would never report ready; add the line "
                                            "\"::once:/usr/lib/drover/ready\""));
        log(Text::tr("busybox init: the recipe's /etc/inittab"));
        return {};
    }
    QFile inittab(dir + QStringLiteral("inittab"));
    if (!inittab.open(QIODevice::ReadOnly))
        return Status::failure(Text::tr("Drover's inittab is missing: %1").arg(inittab.fileName()));
    log(Text::tr("busybox init: Drover's /etc/inittab"));
    return writeImageFile(root, QStringLiteral("/etc/inittab"), inittab.readAll(), 0644);
}

Status BuildJob::runInChroot(const QString &root, const QStringList &command, const QString &what)
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("PATH"), QStringLiteral("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    env.insert(QStringLiteral("HOME"), QStringLiteral("/root"));
    env.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
    env.insert(QStringLiteral("TERM"), QStringLiteral("dumb"));
    env.insert(QStringLiteral("DEBIAN_FRONTEND"), QStringLiteral("noninteractive"));
    env.insert(QStringLiteral("SOURCE_DATE_EPOCH"), QString::number(m_sde));
    env.insert(QStringLiteral("DROVER_IMAGE"), m_recipe.tag());
    ProcessSpec spec;
    spec.program = QStringLiteral("chroot");
    spec.arguments = QStringList { root } + command;
    spec.environment = env;
    spec.tailLines = 20;
    const ProcessOutcome outcome = runProcess(spec, m_cancel, [this](const QString &line) { log(line); });
    if (outcome.cancelled)
        return cancelledStatus();
    if (!outcome.ok())
        return Status::failure(Text::tr("%1 failed (%2); its last lines:\n%3")
                .arg(what, outcome.describe(), outcome.tail.join(QLatin1Char('\n'))));
    return {};
}

Status BuildJob::runScripts(const QString &root)
{
    if (m_recipe.scripts.isEmpty() && m_recipe.enableServices.isEmpty() && m_recipe.disableServices.isEmpty())
        return {};
    // What a script may expect: proc, a private /dev, empty /tmp and /run, name resolution,
    // and no service started by a package it installs.
    MountSet mounts;
    if (Status s = mounts.mountVirtual(QStringLiteral("proc"), root + QStringLiteral("/proc")); !s)
        return s;
    if (Status s
        = mounts.mountVirtual(QStringLiteral("tmpfs"), root + QStringLiteral("/dev"), QStringLiteral("mode=0755"));
        !s)
        return s;
    if (Status s = populateDev(root + QStringLiteral("/dev")); !s)
        return s;
    for (const QString &dir : { QStringLiteral("/run"), QStringLiteral("/tmp") }) {
        if (Status s = mounts.mountVirtual(QStringLiteral("tmpfs"), root + dir,
                dir == QLatin1String("/tmp") ? QStringLiteral("mode=1777") : QStringLiteral("mode=0755"));
            !s)
            return s;
    }
    // Created here and removed before the layer is made, unless a script changed them (not in
    // the base, so their removal leaves no whiteout).
    QList<std::pair<QString, QByteArray>> temporary;
    const QByteArray policy = "#!/bin/sh\nexit 101\n";
    if (!existsInRoot(root, QStringLiteral("/usr/sbin/policy-rc.d"))) {
        if (Status s = writeImageFile(root, QStringLiteral("/usr/sbin/policy-rc.d"), policy, 0755); !s)
            return s;
        temporary.append({ QStringLiteral("/usr/sbin/policy-rc.d"), policy });
    }
    // Name resolution: the host's resolv.conf, where the image looks for it — /etc/resolv.conf,
    // or what it links to below /run (systemd-resolved), which vanishes with the tmpfs.
    QString resolv = QStringLiteral("/etc/resolv.conf");
    if (auto link = pathInRoot(root, resolv); link && QFileInfo(*link).isSymLink()) {
        const QString target = QFileInfo(*link).readSymLink();
        const QString inside
            = QDir::cleanPath(target.startsWith(QLatin1Char('/')) ? target : QStringLiteral("/etc/") + target);
        resolv = inside.startsWith(QLatin1String("/run/")) ? inside : QString();
    }
    QFile hostResolv(QStringLiteral("/etc/resolv.conf"));
    if (!resolv.isEmpty() && !existsInRoot(root, resolv) && hostResolv.open(QIODevice::ReadOnly)) {
        const QByteArray content = hostResolv.readAll();
        if (Status s = writeImageFile(root, resolv, content, 0644); !s)
            return s;
        if (!resolv.startsWith(QLatin1String("/run/")))
            temporary.append({ resolv, content });
    }
    Status result;
    for (qsizetype i = 0; i < m_recipe.scripts.size() && result; ++i) {
        const QString name = m_recipe.scripts[i];
        QFile script(QDir(m_recipe.baseDir).filePath(name));
        if (!script.open(QIODevice::ReadOnly)) {
            result = Status::failure(Text::tr("scripts[%1]: cannot read %2").arg(i).arg(script.fileName()));
            break;
        }
        const QByteArray body = script.readAll();
        const QString inside = QStringLiteral("/tmp/drover-script-%1").arg(i);
        if (Status s = writeImageFile(root, inside, body, 0755); !s) {
            result = s;
            break;
        }
        log(Text::tr("running %1").arg(name));
        const QStringList command = body.startsWith("#!")
            ? QStringList { inside }
            : QStringList { QStringLiteral("/bin/sh"), QStringLiteral("-e"), inside };
        result = runInChroot(root, command, Text::tr("scripts[%1] (%2)").arg(i).arg(name));
        progress(25 + int(60 * (i + 1) / m_recipe.scripts.size()));
    }
    if (result)
        result = changeServices(root);
    for (const auto &[path, content] : std::as_const(temporary)) {
        auto host = pathInRoot(root, path);
        QFile f(host ? *host : QString());
        if (host && f.open(QIODevice::ReadOnly) && f.readAll() == content) {
            f.close();
            f.remove();
        }
    }
    if (Status s = mounts.unmountAll(); !s && result)
        result = s;
    return result;
}

Status BuildJob::changeServices(const QString &root)
{
    if (m_recipe.enableServices.isEmpty() && m_recipe.disableServices.isEmpty())
        return {};
    if (!existsInRoot(root, QStringLiteral("/usr/bin/systemctl"))
        && !existsInRoot(root, QStringLiteral("/bin/systemctl")))
        return Status::failure(Text::tr("services: the image has no systemctl; add systemd-sysv to packages"));
    for (const QString &unit : m_recipe.enableServices) {
        if (Status s = runInChroot(root, { QStringLiteral("systemctl"), QStringLiteral("enable"), unit },
                Text::tr("enabling %1").arg(unit));
            !s)
            return s;
    }
    for (const QString &unit : m_recipe.disableServices) {
        if (Status s = runInChroot(root, { QStringLiteral("systemctl"), QStringLiteral("disable"), unit },
                Text::tr("disabling %1").arg(unit));
            !s)
            return s;
    }
    return {};
}

} // namespace drover
