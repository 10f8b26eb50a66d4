// CpioWriter: writes a cpio "newc" archive, the format the kernel unpacks as an initramfs.
// Every entry gets the caller's mtime and owner and a sequential inode number, so the same
// entries in the same order always give the same bytes (reproducible initramfs). Hard links
// are not expressed: each file is written whole with nlink 1.
#pragma once

#include <QByteArray>
#include <QString>

class QIODevice;

namespace drover {

// Owner of an archive entry (numeric: an initramfs has no passwd to look names up in).
struct CpioOwner {
    quint32 uid = 0;
    quint32 gid = 0;
};

class CpioWriter {
public:
    using Owner = CpioOwner;

    // Writes to `out`, which must be open for writing and outlive the writer.
    explicit CpioWriter(QIODevice *out, qint64 mtime = 0);

    // `path` is relative ("bin/busybox"); permissions are the low 12 mode bits.
    bool addDirectory(const QByteArray &path, quint32 permissions, Owner owner = {});
    bool addFile(const QByteArray &path, quint32 permissions, const QByteArray &data, Owner owner = {});
    // Streams `size` bytes from `source` (open for reading) into the archive.
    bool addFile(const QByteArray &path, quint32 permissions, QIODevice *source, qint64 size, Owner owner = {});
    bool addSymlink(const QByteArray &path, const QByteArray &target, Owner owner = {});
    // type: 'c' (character device), 'b' (block device), 'p' (fifo) or 's' (socket).
    bool addSpecial(
        const QByteArray &path, char type, quint32 permissions, quint32 major = 0, quint32 minor = 0, Owner owner = {});
    // Writes the trailer; the archive is complete only after this.
    bool finish();

    QString errorString() const { return m_error; }
    qint64 bytesWritten() const { return m_written; }
    int entryCount() const { return m_ino; }

    // newc stores sizes in 8 hex digits.
    static constexpr qint64 maxFileSize = 0xffffffffLL;

private:
    struct Header {
        quint32 mode = 0;
        Owner owner;
        quint32 nlink = 1;
        qint64 size = 0;
        quint32 rdevMajor = 0;
        quint32 rdevMinor = 0;
    };
    bool writeHeader(const QByteArray &path, const Header &header);
    bool write(const char *data, qint64 size);
    bool pad();
    bool checkPath(const QByteArray &path);

    QIODevice *m_out;
    qint64 m_mtime;
    qint64 m_written = 0;
    int m_ino = 0;
    bool m_finished = false;
    QString m_error;
};

} // namespace drover
