#include "builder/mounts.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QThread>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <ftw.h>
#include <linux/loop.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(Mounts)
};

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

struct LoopDevice {
    QString path;
    int fd = -1; // held open until the mount has its own reference, or autoclear detaches it
};

// Sets up a read-only loop device over `image` that detaches itself once unused.
Result<LoopDevice> attachLoop(const QString &image)
{
    using R = Result<LoopDevice>;
    const int backing = ::open(QFile::encodeName(image).constData(), O_RDONLY | O_CLOEXEC);
    if (backing < 0)
        return R::failure(Text::tr("cannot open %1: %2").arg(image, errnoText()));
    const int control = ::open("/dev/loop-control", O_RDWR | O_CLOEXEC);
    if (control < 0) {
        const QString why = errnoText();
        ::close(backing);
        return R::failure(Text::tr("no loop devices (/dev/loop-control: %1)").arg(why));
    }
    QString error;
    for (int attempt = 0; attempt < 16; ++attempt) {
        const int n = ::ioctl(control, LOOP_CTL_GET_FREE);
        if (n < 0) {
            error = errnoText();
            break;
        }
        const QByteArray device = "/dev/loop" + QByteArray::number(n);
        int fd = -1;
        for (int wait = 0; wait < 50 && fd < 0; ++wait) { // the node may appear a moment later
            fd = ::open(device.constData(), O_RDWR | O_CLOEXEC);
            if (fd < 0 && errno == ENOENT)
                QThread::msleep(20);
            else
                break;
        }
        if (fd < 0) {
            error = QStringLiteral("%1: %2").arg(QString::fromLatin1(device), errnoText());
            break;
        }
        loop_config config {};
        config.fd = unsigned(backing);
        config.info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
        int rc = ::ioctl(fd, LOOP_CONFIGURE, &config);
        if (rc < 0 && errno == EINVAL) { // kernels before 5.8
            rc = ::ioctl(fd, LOOP_SET_FD, backing);
            if (rc == 0) {
                loop_info64 info {};
                info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
                ::ioctl(fd, LOOP_SET_STATUS64, &info);
            }
        }
        if (rc == 0) {
            ::close(control);
            ::close(backing); // the loop device holds its own reference to the file
            return LoopDevice { QString::fromLatin1(device), fd };
        }
        const int configureErrno = errno;
        error = errnoText();
        ::close(fd);
        if (configureErrno != EBUSY)
            break; // taken by someone else between GET_FREE and CONFIGURE: try the next one
    }
    ::close(control);
    ::close(backing);
    return R::failure(Text::tr("cannot set up a loop device for %1: %2").arg(image, error));
}

int removeEntry(const char *path, const struct stat *, int, struct FTW *)
{
    return ::remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

} // namespace

Status enterPrivateMountNamespace(const QString &dir, bool inMemory)
{
    if (::unshare(CLONE_NEWNS) != 0)
        return Status::failure(
            Text::tr("cannot create a private mount namespace (building needs root): %1").arg(errnoText()));
    // Fails harmlessly when "/" is no mount point; the private tmpfs below covers that case.
    ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
    const QByteArray path = QFile::encodeName(dir);
    const int rc = inMemory ? ::mount("drover-build", path.constData(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755")
                            : ::mount(path.constData(), path.constData(), nullptr, MS_BIND, nullptr);
    if (rc != 0)
        return Status::failure(Text::tr("cannot mount the work directory %1: %2").arg(dir, errnoText()));
    if (::mount(nullptr, path.constData(), nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
        return Status::failure(Text::tr("cannot make %1 a private mount point: %2").arg(dir, errnoText()));
    return {};
}

MountSet::~MountSet()
{
    (void)unmountAll();
}

Status MountSet::mountRaw(
    const QString &source, const QString &target, const QString &type, unsigned long flags, const QString &options)
{
    const QByteArray data = options.toUtf8();
    if (::mount(QFile::encodeName(source).constData(), QFile::encodeName(target).constData(), type.toUtf8().constData(),
            flags, options.isEmpty() ? nullptr : data.constData())
        != 0)
        return Status::failure(Text::tr("cannot mount %1 (%2) on %3: %4").arg(source, type, target, errnoText()));
    m_targets.append(target);
    return {};
}

Status MountSet::mountImage(const QString &image, const QString &target, const QString &fsType)
{
    auto device = attachLoop(image);
    if (!device)
        return Status::failure(device.error());
    Status s = mountRaw(device->path, target, fsType, MS_RDONLY | MS_NODEV | MS_NOSUID, {});
    // From here the mount keeps the device; it detaches itself when unmounted (autoclear).
    ::close(device->fd);
    return s;
}

Status MountSet::mountOverlay(
    const QStringList &lowers, const QString &upper, const QString &work, const QString &target)
{
    // Plain layers only: no redirects, no metacopy, no index, so that the upper directory
    // is a self-contained overlay layer with whiteouts and opaque markers.
    QString options = QStringLiteral("lowerdir=") + lowers.join(QLatin1Char(':'));
    if (!upper.isEmpty())
        options += QStringLiteral(",upperdir=%1,workdir=%2").arg(upper, work);
    options += QStringLiteral(",redirect_dir=off,index=off,metacopy=off,xino=off");
    return mountRaw(
        QStringLiteral("overlay"), target, QStringLiteral("overlay"), upper.isEmpty() ? MS_RDONLY : 0, options);
}

Status MountSet::mountVirtual(const QString &type, const QString &target, const QString &options)
{
    return mountRaw(
        type, target, type, MS_NOSUID | (type == QLatin1String("proc") ? MS_NODEV | MS_NOEXEC : 0), options);
}

Status MountSet::bind(const QString &source, const QString &target)
{
    return mountRaw(source, target, QString(), MS_BIND, {});
}

Status MountSet::unmountAll()
{
    Status result;
    while (!m_targets.isEmpty()) {
        const QString target = m_targets.takeLast();
        if (::umount2(QFile::encodeName(target).constData(), 0) != 0) {
            const QString why = errnoText();
            ::umount2(QFile::encodeName(target).constData(), MNT_DETACH);
            if (result)
                result = Status::failure(Text::tr("cannot unmount %1: %2").arg(target, why));
        }
    }
    return result;
}

void unmountBelow(const QString &dir)
{
    const QString root = QDir::cleanPath(QFileInfo(dir).absoluteFilePath());
    // This thread's namespace: /proc/self would be the main thread's.
    QFile mountinfo(QStringLiteral("/proc/thread-self/mountinfo"));
    if (!mountinfo.open(QIODevice::ReadOnly))
        return;
    QStringList targets;
    for (const QByteArray &line : mountinfo.readAll().split('\n')) {
        const QList<QByteArray> fields = line.split(' ');
        if (fields.size() < 5)
            continue;
        // Field 5 is the mount point, with spaces and the like escaped in octal.
        QString point = QString::fromUtf8(fields[4]);
        point.replace(QLatin1String("\\040"), QLatin1String(" "));
        if (point == root || point.startsWith(root + QLatin1Char('/')))
            targets.append(point);
    }
    std::sort(targets.begin(), targets.end(), [](const QString &a, const QString &b) { return a.size() > b.size(); });
    for (const QString &t : targets)
        ::umount2(QFile::encodeName(t).constData(), MNT_DETACH);
}

Status removeTree(const QString &path)
{
    if (!QFileInfo::exists(path) && !QFileInfo(path).isSymLink())
        return {};
    unmountBelow(path);
    if (::nftw(QFile::encodeName(path).constData(), removeEntry, 64, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0)
        return Status::failure(Text::tr("cannot remove %1: %2").arg(path, errnoText()));
    return {};
}

} // namespace drover
