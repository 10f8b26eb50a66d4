#include "initramfs/initramfsimage.h"

#include <KCompressionDevice>

#include <QCoreApplication>
#include <QFile>
#include <QSaveFile>
#include <QSet>

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(InitramfsImage)
};

// Joins a symlink's directory and its relative target, resolving "." and "..".
QByteArray normalize(const QByteArray &path)
{
    QList<QByteArray> out;
    for (const QByteArray &part : path.split('/')) {
        if (part.isEmpty() || part == ".")
            continue;
        if (part == "..") {
            if (!out.isEmpty())
                out.removeLast();
            continue;
        }
        out.append(part);
    }
    return out.join('/');
}

std::optional<KCompressionDevice::CompressionType> compressionOf(const QString &path)
{
    if (path.endsWith(QLatin1String(".xz")))
        return KCompressionDevice::Xz;
    if (path.endsWith(QLatin1String(".zst")))
        return KCompressionDevice::Zstd;
    if (path.endsWith(QLatin1String(".gz")))
        return KCompressionDevice::GZip;
    return std::nullopt;
}

} // namespace

QByteArray InitramfsImage::resolve(const QByteArray &path) const
{
    QByteArray current = normalize(path);
    for (int hops = 0; hops < 16; ++hops) {
        const QList<QByteArray> parts = current.split('/');
        bool changed = false;
        QByteArray prefix;
        for (qsizetype i = 0; i + 1 < parts.size(); ++i) {
            prefix = prefix.isEmpty() ? parts[i] : prefix + '/' + parts[i];
            const auto it = m_entries.find(prefix);
            if (it == m_entries.end() || it->second.kind != Kind::Symlink)
                continue;
            const QByteArray &target = it->second.data;
            const QByteArray base
                = target.startsWith('/') ? QByteArray() : prefix.left(qMax(0, prefix.lastIndexOf('/')));
            QByteArray rest = parts.mid(i + 1).join('/');
            current = normalize(base + '/' + target + '/' + rest);
            changed = true;
            break;
        }
        if (!changed)
            return current;
    }
    return current;
}

void InitramfsImage::insert(const QByteArray &path, Entry entry)
{
    const QByteArray resolved = resolve(path);
    if (!resolved.isEmpty())
        m_entries[resolved] = std::move(entry);
}

void InitramfsImage::addDirectory(const QByteArray &path, quint32 permissions, Owner owner)
{
    Entry e;
    e.kind = Kind::Directory;
    e.permissions = permissions;
    e.owner = owner;
    insert(path, std::move(e));
}

void InitramfsImage::addBytes(const QByteArray &path, const QByteArray &data, quint32 permissions, Owner owner)
{
    Entry e;
    e.kind = Kind::Bytes;
    e.permissions = permissions;
    e.owner = owner;
    e.data = data;
    insert(path, std::move(e));
}

void InitramfsImage::addFile(
    const QByteArray &path, const QString &source, quint32 permissions, Owner owner, bool decompress)
{
    Entry e;
    e.kind = Kind::File;
    e.permissions = permissions;
    e.owner = owner;
    e.source = source;
    e.decompress = decompress;
    insert(path, std::move(e));
}

void InitramfsImage::addSymlink(const QByteArray &path, const QByteArray &target)
{
    Entry e;
    e.kind = Kind::Symlink;
    e.data = target;
    insert(path, std::move(e));
}

void InitramfsImage::addSpecial(const QByteArray &path, char type, quint32 permissions, quint32 major, quint32 minor)
{
    Entry e;
    e.kind = Kind::Special;
    e.type = type;
    e.permissions = permissions;
    e.major = major;
    e.minor = minor;
    insert(path, std::move(e));
}

Status InitramfsImage::addTree(const QString &root, const std::atomic_bool *cancel)
{
    struct stat rootStat {};
    const QByteArray rootPath = QFile::encodeName(root);
    if (::lstat(rootPath.constData(), &rootStat) != 0 || !S_ISDIR(rootStat.st_mode))
        return Status::failure(Text::tr("initramfs: %1 is not a directory").arg(root));

    QList<QByteArray> pending { QByteArray() };
    while (!pending.isEmpty()) {
        if (cancel && cancel->load())
            return Status::failure(Text::tr("cancelled"));
        const QByteArray rel = pending.takeLast();
        const QByteArray dirPath = rel.isEmpty() ? rootPath : rootPath + '/' + rel;
        DIR *dir = ::opendir(dirPath.constData());
        if (!dir)
            return Status::failure(Text::tr("initramfs: cannot read the directory %1").arg(QFile::decodeName(dirPath)));
        while (dirent *d = ::readdir(dir)) {
            const QByteArray name(d->d_name);
            if (name == "." || name == "..")
                continue;
            const QByteArray relPath = rel.isEmpty() ? name : rel + '/' + name;
            const QByteArray abs = rootPath + '/' + relPath;
            struct stat st {};
            if (::lstat(abs.constData(), &st) != 0) {
                ::closedir(dir);
                return Status::failure(Text::tr("initramfs: cannot stat %1").arg(QFile::decodeName(abs)));
            }
            Entry e;
            e.permissions = st.st_mode & 07777;
            e.owner = { st.st_uid, st.st_gid };
            if (S_ISDIR(st.st_mode)) {
                e.kind = Kind::Directory;
                if (st.st_dev == rootStat.st_dev) // another mount's content is not ours
                    pending.append(relPath);
            } else if (S_ISREG(st.st_mode)) {
                e.kind = Kind::File;
                e.source = QFile::decodeName(abs);
            } else if (S_ISLNK(st.st_mode)) {
                e.kind = Kind::Symlink;
                QByteArray target(st.st_size > 0 ? st.st_size + 1 : 4096, '\0');
                const ssize_t n = ::readlink(abs.constData(), target.data(), target.size());
                if (n < 0) {
                    ::closedir(dir);
                    return Status::failure(Text::tr("initramfs: cannot read the link %1").arg(QFile::decodeName(abs)));
                }
                target.truncate(n);
                e.data = target;
            } else {
                e.kind = Kind::Special;
                e.type = S_ISCHR(st.st_mode) ? 'c' : S_ISBLK(st.st_mode) ? 'b' : S_ISFIFO(st.st_mode) ? 'p' : 's';
                e.major = ::major(st.st_rdev);
                e.minor = ::minor(st.st_rdev);
            }
            m_entries[relPath] = std::move(e);
        }
        ::closedir(dir);
    }
    return {};
}

Result<qint64> InitramfsImage::write(const QString &outPath, qint64 mtime, const std::atomic_bool *cancel) const
{
    QSaveFile file(outPath);
    if (!file.open(QIODevice::WriteOnly))
        return Result<qint64>::failure(Text::tr("initramfs: cannot write %1: %2").arg(outPath, file.errorString()));
    KCompressionDevice zstd(&file, false, KCompressionDevice::Zstd);
    if (!zstd.open(QIODevice::WriteOnly))
        return Result<qint64>::failure(Text::tr("initramfs: cannot start zstd: %1").arg(zstd.errorString()));
    CpioWriter cpio(&zstd, mtime);
    QSet<QByteArray> implicitDirs;
    bool ok = true;
    for (const auto &[path, e] : m_entries) {
        if (cancel && cancel->load()) {
            file.cancelWriting();
            return Result<qint64>::failure(Text::tr("cancelled"));
        }
        // Parents first: a sorted map puts "a" before "a/b", but "a" may never have been added.
        for (qsizetype slash = path.indexOf('/'); ok && slash > 0; slash = path.indexOf('/', slash + 1)) {
            const QByteArray parent = path.left(slash);
            if (m_entries.count(parent) == 0 && !implicitDirs.contains(parent)) {
                implicitDirs.insert(parent);
                ok = cpio.addDirectory(parent, 0755);
            }
        }
        switch (e.kind) {
        case Kind::Directory:
            ok = ok && cpio.addDirectory(path, e.permissions, e.owner);
            break;
        case Kind::Bytes:
            ok = ok && cpio.addFile(path, e.permissions, e.data, e.owner);
            break;
        case Kind::Symlink:
            ok = ok && cpio.addSymlink(path, e.data, e.owner);
            break;
        case Kind::Special:
            ok = ok && cpio.addSpecial(path, e.type, e.permissions, e.major, e.minor, e.owner);
            break;
        case Kind::File: {
            if (!ok)
                break;
            const auto compression = e.decompress ? compressionOf(e.source) : std::nullopt;
            if (compression) {
                KCompressionDevice in(e.source, *compression);
                if (!in.open(QIODevice::ReadOnly))
                    return Result<qint64>::failure(Text::tr("initramfs: cannot read %1").arg(e.source));
                const QByteArray data = in.readAll();
                if (in.error() != QFileDevice::NoError || data.isEmpty())
                    return Result<qint64>::failure(Text::tr("initramfs: cannot decompress %1").arg(e.source));
                ok = cpio.addFile(path, e.permissions, data, e.owner);
                break;
            }
            QFile in(e.source);
            if (!in.open(QIODevice::ReadOnly))
                return Result<qint64>::failure(
                    Text::tr("initramfs: cannot read %1: %2").arg(e.source, in.errorString()));
            ok = cpio.addFile(path, e.permissions, &in, in.size(), e.owner);
            break;
        }
        }
        if (!ok)
            break;
    }
    ok = ok && cpio.finish();
    if (!ok) {
        file.cancelWriting();
        return Result<qint64>::failure(cpio.errorString());
    }
    zstd.close();
    if (zstd.error() != QFileDevice::NoError || !file.commit())
        return Result<qint64>::failure(Text::tr("initramfs: cannot write %1: %2").arg(outPath, file.errorString()));
    return QFile(outPath).size();
}

} // namespace drover
