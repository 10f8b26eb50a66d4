// InitramfsImage: what goes into an initramfs — files from disk or memory, directories,
// symlinks, device nodes, or a whole root tree — written as one cpio newc archive inside a
// zstd stream (KCompressionDevice), in-process. Entries are written sorted by path with fixed
// mtimes, so the same content always gives the same bytes; missing parent directories are
// added, and a path through a symlinked directory ("bin/busybox" when bin → usr/bin) is
// stored under the directory it resolves to, as the kernel's unpacker would not follow it.
#pragma once

#include "initramfs/cpiowriter.h"
#include "util/result.h"

#include <QByteArray>
#include <QString>

#include <atomic>
#include <functional>
#include <map>

namespace drover {

class InitramfsImage {
public:
    using Owner = CpioWriter::Owner;

    void addDirectory(const QByteArray &path, quint32 permissions = 0755, Owner owner = {});
    void addBytes(const QByteArray &path, const QByteArray &data, quint32 permissions = 0644, Owner owner = {});
    // A file from disk; with `decompress`, a .xz, .zst or .gz file is stored uncompressed
    // (kernel modules: the initramfs is compressed as a whole, and busybox insmod then needs
    // no decompressor).
    void addFile(
        const QByteArray &path, const QString &source, quint32 permissions, Owner owner = {}, bool decompress = false);
    void addSymlink(const QByteArray &path, const QByteArray &target);
    void addSpecial(const QByteArray &path, char type, quint32 permissions, quint32 major, quint32 minor);
    // Every entry below `root` on disk (not descending into other mounts), with its own modes,
    // owners, symlinks and device nodes. Hard links become separate copies; xattrs are lost.
    Status addTree(const QString &root, const std::atomic_bool *cancel = nullptr);

    // The path an entry for `path` would really land on, through symlinked directories.
    QByteArray resolve(const QByteArray &path) const;
    bool contains(const QByteArray &path) const { return m_entries.count(resolve(path)) > 0; }
    int size() const { return int(m_entries.size()); }

    // Writes the zstd-compressed cpio to `outPath`; returns its size in bytes.
    Result<qint64> write(const QString &outPath, qint64 mtime, const std::atomic_bool *cancel = nullptr) const;

private:
    enum class Kind { Directory, Bytes, File, Symlink, Special };
    struct Entry {
        Kind kind = Kind::Directory;
        quint32 permissions = 0755;
        Owner owner;
        QByteArray data; // Bytes: content; Symlink: target
        QString source; // File
        bool decompress = false;
        char type = 0; // Special
        quint32 major = 0;
        quint32 minor = 0;
    };
    void insert(const QByteArray &path, Entry entry);

    std::map<QByteArray, Entry> m_entries;
};

} // namespace drover
