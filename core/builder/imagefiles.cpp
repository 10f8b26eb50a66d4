#include "builder/imagefiles.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(ImageFiles)
};

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

QString readLink(const QString &path)
{
    QByteArray target(4096, '\0');
    const ssize_t n = ::readlink(QFile::encodeName(path).constData(), target.data(), target.size() - 1);
    target.truncate(qMax<ssize_t>(0, n));
    return QFile::decodeName(target);
}

std::optional<uint> lookup(const QString &root, const QString &file, const QString &nameOrNumber)
{
    bool numeric = false;
    const uint number = nameOrNumber.toUInt(&numeric);
    if (numeric)
        return number;
    auto path = pathInRoot(root, file);
    if (!path)
        return std::nullopt;
    QFile f(*path);
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    for (const QByteArray &line : f.readAll().split('\n')) {
        const QList<QByteArray> fields = line.split(':');
        if (fields.size() >= 3 && QString::fromUtf8(fields[0]) == nameOrNumber)
            return fields[2].toUInt();
    }
    return std::nullopt;
}

// Creates the missing directories of `path` (a host path inside root) with 0755 root:root.
Status makeParents(const QString &root, const QString &relative)
{
    const QString parent = QFileInfo(relative).path();
    if (parent == QLatin1String(".") || parent.isEmpty())
        return {};
    QString built;
    for (const QString &part : parent.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        built += QLatin1Char('/') + part;
        auto host = pathInRoot(root, built + QStringLiteral("/.")); // follows a symlinked directory
        if (!host)
            return Status::failure(host.error());
        if (host->endsWith(QLatin1Char('/')))
            host->chop(1);
        const QFileInfo info(*host);
        if (info.isDir())
            continue;
        if (info.exists() || info.isSymLink())
            return Status::failure(Text::tr("%1 exists in the image and is not a directory").arg(built));
        if (::mkdir(QFile::encodeName(*host).constData(), 0755) != 0)
            return Status::failure(Text::tr("cannot create %1 in the image: %2").arg(built, errnoText()));
    }
    return {};
}

Status removeExisting(const QString &host, const QString &shown)
{
    const QFileInfo info(host);
    if (info.isDir() && !info.isSymLink())
        return Status::failure(Text::tr("%1 is a directory in the image; a file cannot replace it").arg(shown));
    if ((info.exists() || info.isSymLink()) && ::unlink(QFile::encodeName(host).constData()) != 0)
        return Status::failure(Text::tr("cannot replace %1 in the image: %2").arg(shown, errnoText()));
    return {};
}

} // namespace

Result<QString> pathInRoot(const QString &root, const QString &path)
{
    QStringList todo = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    QStringList done;
    int hops = 0;
    while (!todo.isEmpty()) {
        const QString part = todo.takeFirst();
        if (part == QLatin1String("."))
            continue;
        if (part == QLatin1String("..")) {
            if (!done.isEmpty())
                done.removeLast();
            continue;
        }
        if (todo.isEmpty()) { // the last component is not followed
            done.append(part);
            break;
        }
        const QByteArray host
            = QFile::encodeName(root + QLatin1Char('/') + (done + QStringList { part }).join(QLatin1Char('/')));
        struct stat st {};
        if (::lstat(host.constData(), &st) == 0 && S_ISLNK(st.st_mode)) {
            if (++hops > 40)
                return Result<QString>::failure(Text::tr("too many symlinks resolving %1 in the image").arg(path));
            QByteArray target(4096, '\0');
            const ssize_t n = ::readlink(host.constData(), target.data(), target.size() - 1);
            if (n < 0)
                return Result<QString>::failure(
                    Text::tr("cannot read the link %1: %2").arg(QFile::decodeName(host), errnoText()));
            target.truncate(n);
            const QString t = QFile::decodeName(target);
            if (t.startsWith(QLatin1Char('/')))
                done.clear();
            todo = t.split(QLatin1Char('/'), Qt::SkipEmptyParts) + todo;
            continue;
        }
        done.append(part);
    }
    return QString(root + QLatin1Char('/') + done.join(QLatin1Char('/')));
}

std::optional<uint> imageUid(const QString &root, const QString &nameOrNumber)
{
    return lookup(root, QStringLiteral("/etc/passwd"), nameOrNumber);
}

std::optional<uint> imageGid(const QString &root, const QString &nameOrNumber)
{
    return lookup(root, QStringLiteral("/etc/group"), nameOrNumber);
}

Status writeImageFile(const QString &root, const QString &path, const QByteArray &data, uint mode, uint uid, uint gid)
{
    if (Status s = makeParents(root, path); !s)
        return s;
    auto host = pathInRoot(root, path);
    if (!host)
        return Status::failure(host.error());
    if (Status s = removeExisting(*host, path); !s)
        return s;
    QFile f(*host);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size() || !f.flush())
        return Status::failure(Text::tr("cannot write %1 in the image: %2").arg(path, f.errorString()));
    f.close();
    const QByteArray h = QFile::encodeName(*host);
    if (::chown(h.constData(), uid, gid) != 0 || ::chmod(h.constData(), mode) != 0)
        return Status::failure(Text::tr("cannot set the owner or mode of %1 in the image: %2").arg(path, errnoText()));
    return {};
}

Status writeImageSymlink(const QString &root, const QString &path, const QString &target)
{
    if (Status s = makeParents(root, path); !s)
        return s;
    auto host = pathInRoot(root, path);
    if (!host)
        return Status::failure(host.error());
    if (Status s = removeExisting(*host, path); !s)
        return s;
    if (::symlink(QFile::encodeName(target).constData(), QFile::encodeName(*host).constData()) != 0)
        return Status::failure(Text::tr("cannot create the link %1 in the image: %2").arg(path, errnoText()));
    return {};
}

Result<int> copyFilesIntoImage(const QString &root, const FilesSpec &spec)
{
    using R = Result<int>;
    const QString owner = spec.owner.isEmpty() ? QStringLiteral("root:root") : spec.owner;
    const auto uid = imageUid(root, owner.section(QLatin1Char(':'), 0, 0));
    const auto gid = imageGid(root, owner.section(QLatin1Char(':'), 1, 1));
    if (!uid || !gid)
        return R::failure(Text::tr("files.owner: \"%1\" is not a user and group of the image").arg(owner));

    // Sorted, parents before children: the same tree always gives the same layer.
    QStringList entries;
    QDirIterator it(spec.sourceDir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
        QDirIterator::Subdirectories);
    while (it.hasNext())
        entries.append(QDir(spec.sourceDir).relativeFilePath(it.next()));
    std::sort(entries.begin(), entries.end());

    int files = 0;
    for (const QString &rel : std::as_const(entries)) {
        const QFileInfo source(QDir(spec.sourceDir).filePath(rel));
        const auto mode = spec.modes.constFind(rel);
        if (source.isSymLink()) {
            if (Status s = writeImageSymlink(root, rel, readLink(source.filePath())); !s)
                return R::failure(s.error());
            ++files;
            continue;
        }
        if (source.isDir()) {
            auto host = pathInRoot(root, rel);
            if (!host)
                return R::failure(host.error());
            const QByteArray h = QFile::encodeName(*host);
            if (!QFileInfo(*host).isDir()) {
                if (Status s = makeParents(root, rel); !s)
                    return R::failure(s.error());
                if (::mkdir(h.constData(), 0755) != 0 || ::chown(h.constData(), *uid, *gid) != 0)
                    return R::failure(Text::tr("cannot create %1 in the image: %2").arg(rel, errnoText()));
            }
            if (mode != spec.modes.cend()
                && (::chmod(h.constData(), *mode) != 0 || ::chown(h.constData(), *uid, *gid) != 0))
                return R::failure(Text::tr("cannot set the mode of %1 in the image: %2").arg(rel, errnoText()));
            continue;
        }
        if (!source.isFile())
            return R::failure(Text::tr("files: %1 is neither a file, a directory nor a symlink").arg(rel));
        QFile in(source.filePath());
        if (!in.open(QIODevice::ReadOnly))
            return R::failure(Text::tr("files: cannot read %1: %2").arg(source.filePath(), in.errorString()));
        const uint permissions
            = mode != spec.modes.cend() ? *mode : (source.permissions() & QFileDevice::ExeOwner ? 0755 : 0644);
        if (Status s = writeImageFile(root, rel, in.readAll(), permissions, *uid, *gid); !s)
            return R::failure(s.error());
        ++files;
    }
    return files;
}

} // namespace drover
