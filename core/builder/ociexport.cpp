#include "builder/ociexport.h"

#include "builder/childprocess.h"
#include "builder/mounts.h"
#include "store/imagestore.h"
#include "store/manifest.h"
#include "store/sha256.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTimeZone>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(OciExport)
};

const char kOpaqueXattr[] = "trusted.overlay.opaque";

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

Status run(const QString &program, const QStringList &args, const std::atomic_bool &cancel)
{
    ProcessSpec spec;
    spec.program = program;
    spec.arguments = args;
    const ProcessOutcome outcome = runProcess(spec, cancel);
    if (outcome.cancelled)
        return Status::failure(Text::tr("cancelled"));
    if (!outcome.ok())
        return Status::failure(
            Text::tr("%1 failed (%2): %3").arg(program, outcome.describe(), outcome.tail.join(QLatin1Char('\n'))));
    return {};
}

bool lstatOf(const QByteArray &path, struct stat *st)
{
    return ::lstat(path.constData(), st) == 0;
}

// Removes whatever is at `path`, a directory with everything in it.
Status removeAny(const QString &path)
{
    struct stat st {};
    if (!lstatOf(QFile::encodeName(path), &st))
        return {};
    if (S_ISDIR(st.st_mode))
        return removeTree(path);
    if (::unlink(QFile::encodeName(path).constData()) != 0)
        return Status::failure(Text::tr("cannot remove %1: %2").arg(path, errnoText()));
    return {};
}

// Gives `to` the owner, mode, extended attributes (overlayfs' own left out) and times of `from`.
Status copyDirectoryMetadata(const QByteArray &from, const QByteArray &to, const struct stat &st)
{
    if (::lchown(to.constData(), st.st_uid, st.st_gid) != 0 || ::chmod(to.constData(), st.st_mode & 07777) != 0)
        return Status::failure(
            Text::tr("cannot set the owner and mode of %1: %2").arg(QFile::decodeName(to), errnoText()));
    char names[8192];
    const ssize_t n = ::llistxattr(from.constData(), names, sizeof names);
    for (ssize_t at = 0; at < n;) {
        const QByteArray name(names + at);
        at += name.size() + 1;
        if (name.startsWith("trusted.overlay."))
            continue;
        QByteArray value(65536, Qt::Uninitialized);
        const ssize_t size = ::lgetxattr(from.constData(), name.constData(), value.data(), value.size());
        if (size < 0 || ::lsetxattr(to.constData(), name.constData(), value.constData(), size_t(size), 0) != 0)
            return Status::failure(Text::tr("cannot copy the attribute %1 to %2: %3")
                    .arg(QString::fromLatin1(name), QFile::decodeName(to), errnoText()));
    }
    const struct timespec times[2] = { st.st_atim, st.st_mtim };
    ::utimensat(AT_FDCWD, to.constData(), times, AT_SYMLINK_NOFOLLOW);
    return {};
}

Status mergeDirectory(const QString &upper, const QString &lower)
{
    const QStringList names
        = QDir(upper).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString &name : names) {
        const QString from = upper + QLatin1Char('/') + name;
        const QString to = lower + QLatin1Char('/') + name;
        const QByteArray fromPath = QFile::encodeName(from);
        struct stat st {};
        if (!lstatOf(fromPath, &st))
            return Status::failure(Text::tr("cannot read %1: %2").arg(from, errnoText()));
        if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) { // a whiteout
            if (Status s = removeAny(to); !s)
                return s;
            continue;
        }
        struct stat below {};
        const bool exists = lstatOf(QFile::encodeName(to), &below);
        if (!S_ISDIR(st.st_mode)) {
            if (exists) {
                if (Status s = removeAny(to); !s)
                    return s;
            }
            if (::rename(fromPath.constData(), QFile::encodeName(to).constData()) != 0)
                return Status::failure(Text::tr("cannot move %1 to %2: %3").arg(from, to, errnoText()));
            continue;
        }
        char opaque[2] = {};
        const bool isOpaque = ::lgetxattr(fromPath.constData(), kOpaqueXattr, opaque, 1) == 1 && opaque[0] == 'y';
        if (exists && (!S_ISDIR(below.st_mode) || isOpaque)) {
            if (Status s = removeAny(to); !s)
                return s;
        }
        if ((!exists || !S_ISDIR(below.st_mode) || isOpaque) && !QDir().mkdir(to))
            return Status::failure(Text::tr("cannot create %1").arg(to));
        if (Status s = mergeDirectory(from, to); !s)
            return s;
        // After the entries: adding them changed the directory's time.
        if (Status s = copyDirectoryMetadata(fromPath, QFile::encodeName(to), st); !s)
            return s;
    }
    return {};
}

QByteArray canonical(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject descriptor(const QString &mediaType, const Digest &digest, qint64 size)
{
    return { { QStringLiteral("mediaType"), mediaType }, { QStringLiteral("digest"), digest.toString() },
        { QStringLiteral("size"), double(size) } };
}

Status writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.flush())
        return Status::failure(Text::tr("cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

// Puts `bytes` under blobs/sha256/ of `layout`; returns its digest.
Result<Digest> writeBlob(const QString &layout, const QByteArray &bytes)
{
    const Digest digest = Sha256::ofBytes(bytes);
    if (Status s = writeFile(layout + QStringLiteral("/blobs/sha256/") + digest.hex(), bytes); !s)
        return Result<Digest>::failure(s.error());
    return digest;
}

// Sets the time of `path` (not following a symlink) to `epoch`.
void setTime(const QString &path, qint64 epoch)
{
    const struct timespec t { epoch, 0 };
    const struct timespec times[2] = { t, t };
    ::utimensat(AT_FDCWD, QFile::encodeName(path).constData(), times, AT_SYMLINK_NOFOLLOW);
}

Status unpackLayer(const QString &blob, const QString &type, const QString &dir, const std::atomic_bool &cancel)
{
    if (type == QLatin1String("erofs"))
        return run(QStringLiteral("fsck.erofs"),
            { QStringLiteral("--extract=") + dir, QStringLiteral("--force"), QStringLiteral("--xattrs"),
                QStringLiteral("--preserve"), blob },
            cancel);
    return run(
        QStringLiteral("unsquashfs"), { QStringLiteral("-no-progress"), QStringLiteral("-d"), dir, blob }, cancel);
}

} // namespace

Status mergeUpperLayer(const QString &upper, const QString &root)
{
    return mergeDirectory(upper, root);
}

Result<OciExportResult> exportOci(const ImageStore &store, const QString &tag, const QString &target,
    const std::atomic_bool &cancel, const ExportLog &log)
{
    using R = Result<OciExportResult>;
    auto say = [&log](const QString &line) {
        if (log)
            log(line);
    };
    auto manifest = store.manifestForTag(tag);
    if (!manifest)
        return R::failure(manifest.error());
    if (manifest->layers.isEmpty())
        return R::failure(Text::tr("%1 keeps its whole root in the initramfs (format \"initramfs\"); only an image "
                                   "with layers can be exported as a container image")
                .arg(tag));
    if (QFileInfo(target).exists() || QFileInfo(target).isSymLink())
        return R::failure(Text::tr("%1 exists already; give a new directory or FILE.tar").arg(target));
    const QString parent = QFileInfo(target).absolutePath();
    if (!QFileInfo(parent).isDir())
        return R::failure(Text::tr("no directory %1 to write %2 in").arg(parent, QFileInfo(target).fileName()));
    // Beside the target: the layout is renamed into place at the end, never half-written there.
    QTemporaryDir work(parent + QStringLiteral("/.drover-export-XXXXXX"));
    if (!work.isValid())
        return R::failure(Text::tr("cannot create a working directory in %1: %2").arg(parent, work.errorString()));
    work.setAutoRemove(false); // removeTree below: the root has read-only directories of root's
    auto cleanUp
        = qScopeGuard([&work] { (void)removeTree(work.path()); }); // best effort: the result says why it failed
    const QString root = work.path() + QStringLiteral("/root");
    const QString layout = work.path() + QStringLiteral("/layout");
    if (!QDir().mkpath(layout + QStringLiteral("/blobs/sha256")))
        return R::failure(Text::tr("cannot create %1").arg(layout));

    for (qsizetype i = 0; i < manifest->layers.size(); ++i) {
        const LayerRef &layer = manifest->layers.at(i);
        const QString blob = store.blobs().blobPath(layer.digest);
        say(Text::tr("unpacking layer %1 (%2)").arg(i + 1).arg(layer.role));
        if (Status s = store.blobs().verify(layer.digest); !s)
            return R::failure(s.error());
        const QString dir = i == 0 ? root : work.path() + QStringLiteral("/upper");
        if (Status s = unpackLayer(blob, layer.type, dir, cancel); !s)
            return R::failure(Text::tr("layer %1 of %2: %3").arg(i + 1).arg(tag, s.error()));
        if (i > 0) {
            if (Status s = mergeUpperLayer(dir, root); !s)
                return R::failure(s.error());
            if (Status s = removeTree(dir); !s)
                return R::failure(s.error());
        }
    }
    const qint64 epoch = qint64(manifest->build.value(QStringLiteral("sourceDateEpoch")).toDouble());
    const QString release = manifest->build.value(QStringLiteral("kernelRelease")).toString();
    if (!release.isEmpty() && !release.contains(QLatin1Char('/'))) {
        // Where a root with a kernel of its own keeps it: importing the export finds it there.
        const QString kernel = root + QStringLiteral("/boot/vmlinuz-") + release;
        // A root's /boot that is a symlink could point anywhere on this host.
        if (QFileInfo(root + QStringLiteral("/boot")).isSymLink())
            return R::failure(
                Text::tr("%1: /boot in the image's root is a symlink; the kernel cannot be put there").arg(tag));
        if (!QDir().mkpath(root + QStringLiteral("/boot"))
            || !QFile::copy(store.blobs().blobPath(manifest->kernel.digest), kernel))
            return R::failure(Text::tr("cannot copy the kernel to %1").arg(kernel));
        QFile::setPermissions(kernel, QFileDevice::ReadOwner | QFileDevice::WriteOwner); // as Debian installs it
        setTime(kernel, epoch);
        setTime(root + QStringLiteral("/boot"), epoch);
    }
    if (cancel)
        return R::failure(Text::tr("cancelled"));

    say(Text::tr("writing the root as one layer"));
    const QString layerTmp = layout + QStringLiteral("/blobs/sha256/layer.tar");
    QStringList tarArgs { QStringLiteral("--create"), QStringLiteral("--file=") + layerTmp,
        QStringLiteral("--directory=") + root, QStringLiteral("--format=posix"),
        QStringLiteral("--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime"),
        QStringLiteral("--sort=name"), QStringLiteral("--numeric-owner"), QStringLiteral("--xattrs"),
        QStringLiteral("--xattrs-include=*"), QStringLiteral("--") };
    // The root's entries by name, not ".": the layer's paths then read "etc/passwd", as
    // docker and podman write them.
    tarArgs << QDir(root).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
    if (Status s = run(QStringLiteral("tar"), tarArgs, cancel); !s)
        return R::failure(s.error());
    auto layerDigest = Sha256::ofFile(layerTmp);
    if (!layerDigest)
        return R::failure(layerDigest.error());
    OciExportResult result;
    result.rootDigest = *layerDigest;
    result.bytes = QFileInfo(layerTmp).size();
    if (!QFile::rename(layerTmp, layout + QStringLiteral("/blobs/sha256/") + layerDigest->hex()))
        return R::failure(Text::tr("cannot name the layer in %1").arg(layout));
    if (Status s = removeTree(root); !s)
        return R::failure(s.error());

    const QString created = QDateTime::fromSecsSinceEpoch(epoch, QTimeZone::UTC).toString(Qt::ISODate);
    const QJsonObject config {
        { QStringLiteral("created"), created },
        { QStringLiteral("architecture"), manifest->architecture },
        { QStringLiteral("os"), QStringLiteral("linux") },
        { QStringLiteral("config"),
            QJsonObject { { QStringLiteral("Env"),
                              QJsonArray { QStringLiteral(
                                  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") } },
                { QStringLiteral("Cmd"), QJsonArray { QStringLiteral("/bin/sh") } },
                { QStringLiteral("Labels"),
                    QJsonObject { { QStringLiteral("org.opencontainers.image.title"), manifest->name },
                        { QStringLiteral("org.opencontainers.image.version"), manifest->version } } } } },
        { QStringLiteral("rootfs"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("layers") },
                { QStringLiteral("diff_ids"), QJsonArray { layerDigest->toString() } } } },
        { QStringLiteral("history"),
            QJsonArray { QJsonObject { { QStringLiteral("created"), created },
                { QStringLiteral("created_by"), QStringLiteral("drover image export-oci %1").arg(tag) } } } },
    };
    const QByteArray configJson = canonical(config);
    auto configDigest = writeBlob(layout, configJson);
    if (!configDigest)
        return R::failure(configDigest.error());
    const QJsonObject ociManifest {
        { QStringLiteral("schemaVersion"), 2 },
        { QStringLiteral("mediaType"), QStringLiteral("application/vnd.oci.image.manifest.v1+json") },
        { QStringLiteral("config"),
            descriptor(QStringLiteral("application/vnd.oci.image.config.v1+json"), *configDigest, configJson.size()) },
        { QStringLiteral("layers"),
            QJsonArray {
                descriptor(QStringLiteral("application/vnd.oci.image.layer.v1.tar"), *layerDigest, result.bytes) } },
    };
    const QByteArray manifestJson = canonical(ociManifest);
    auto manifestDigest = writeBlob(layout, manifestJson);
    if (!manifestDigest)
        return R::failure(manifestDigest.error());
    result.manifestDigest = *manifestDigest;
    QJsonObject entry = descriptor(
        QStringLiteral("application/vnd.oci.image.manifest.v1+json"), *manifestDigest, manifestJson.size());
    entry.insert(
        QStringLiteral("annotations"), QJsonObject { { QStringLiteral("org.opencontainers.image.ref.name"), tag } });
    entry.insert(QStringLiteral("platform"),
        QJsonObject { { QStringLiteral("architecture"), manifest->architecture },
            { QStringLiteral("os"), QStringLiteral("linux") } });
    const QJsonObject index { { QStringLiteral("schemaVersion"), 2 },
        { QStringLiteral("mediaType"), QStringLiteral("application/vnd.oci.image.index.v1+json") },
        { QStringLiteral("manifests"), QJsonArray { entry } } };
    if (Status s = writeFile(layout + QStringLiteral("/index.json"), canonical(index)); !s)
        return R::failure(s.error());
    if (Status s = writeFile(layout + QStringLiteral("/oci-layout"), R"({"imageLayoutVersion":"1.0.0"})"); !s)
        return R::failure(s.error());

    if (target.endsWith(QLatin1String(".tar"))) {
        const QString archive = work.path() + QStringLiteral("/image.tar");
        if (Status s = run(QStringLiteral("tar"),
                { QStringLiteral("--create"), QStringLiteral("--file=") + archive,
                    QStringLiteral("--directory=") + layout, QStringLiteral("--sort=name"), QStringLiteral("--owner=0"),
                    QStringLiteral("--group=0"), QStringLiteral("--numeric-owner"),
                    QStringLiteral("--mtime=@") + QString::number(epoch), QStringLiteral("--"), QStringLiteral("blobs"),
                    QStringLiteral("index.json"), QStringLiteral("oci-layout") },
                cancel);
            !s)
            return R::failure(s.error());
        setTime(archive, epoch);
        if (::rename(QFile::encodeName(archive).constData(), QFile::encodeName(target).constData()) != 0)
            return R::failure(Text::tr("cannot move the archive to %1: %2").arg(target, errnoText()));
    } else {
        setTime(layout, epoch);
        if (::rename(QFile::encodeName(layout).constData(), QFile::encodeName(target).constData()) != 0)
            return R::failure(Text::tr("cannot move the layout to %1: %2").arg(target, errnoText()));
    }
    say(Text::tr("root %1").arg(result.rootDigest.toString()));
    return result;
}

} // namespace drover
