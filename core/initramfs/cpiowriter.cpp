#include "initramfs/cpiowriter.h"

#include <QCoreApplication>
#include <QIODevice>

#include <sys/stat.h>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(CpioWriter)
};

constexpr qint64 kChunk = qint64(256) * 1024;

void appendHex(QByteArray &out, quint64 value)
{
    out.append(QByteArray::number(value & 0xffffffffULL, 16).rightJustified(8, '0'));
}

} // namespace

CpioWriter::CpioWriter(QIODevice *out, qint64 mtime)
    : m_out(out)
    , m_mtime(mtime)
{ }

bool CpioWriter::write(const char *data, qint64 size)
{
    if (!m_error.isEmpty())
        return false;
    if (m_out->write(data, size) != size) {
        m_error = Text::tr("cpio: cannot write: %1").arg(m_out->errorString());
        return false;
    }
    m_written += size;
    return true;
}

bool CpioWriter::pad()
{
    static const char zeros[4] = { 0, 0, 0, 0 };
    const qint64 rest = m_written % 4;
    return rest == 0 || write(zeros, 4 - rest);
}

bool CpioWriter::checkPath(const QByteArray &path)
{
    if (m_finished) {
        m_error = Text::tr("cpio: entry %1 added after the trailer").arg(QString::fromUtf8(path));
        return false;
    }
    // The kernel creates what the name says; a name that climbs out or is absolute is a bug.
    if (path.isEmpty() || path.startsWith('/') || path.contains('\0') || path == ".." || path.startsWith("../")
        || path.contains("/../") || path.endsWith("/..")) {
        m_error = Text::tr("cpio: refusing entry name '%1'").arg(QString::fromUtf8(path));
        return false;
    }
    return true;
}

bool CpioWriter::writeHeader(const QByteArray &path, const Header &h)
{
    if (!checkPath(path))
        return false;
    if (h.size > maxFileSize) {
        m_error = Text::tr("cpio: %1 is %2 bytes; newc holds at most 4 GiB per file")
                      .arg(QString::fromUtf8(path))
                      .arg(h.size);
        return false;
    }
    QByteArray header;
    header.reserve(110 + path.size() + 4);
    header.append("070701");
    appendHex(header, quint64(++m_ino));
    appendHex(header, h.mode);
    appendHex(header, h.owner.uid);
    appendHex(header, h.owner.gid);
    appendHex(header, h.nlink);
    appendHex(header, quint64(m_mtime));
    appendHex(header, quint64(h.size));
    appendHex(header, 0); // devmajor: one device for the whole archive
    appendHex(header, 0);
    appendHex(header, h.rdevMajor);
    appendHex(header, h.rdevMinor);
    appendHex(header, quint64(path.size() + 1));
    appendHex(header, 0); // check: only for the "crc" format
    header.append(path);
    header.append('\0');
    return write(header.constData(), header.size()) && pad();
}

bool CpioWriter::addDirectory(const QByteArray &path, quint32 permissions, Owner owner)
{
    Header h;
    h.mode = S_IFDIR | (permissions & 07777);
    h.owner = owner;
    h.nlink = 2;
    return writeHeader(path, h);
}

bool CpioWriter::addFile(const QByteArray &path, quint32 permissions, const QByteArray &data, Owner owner)
{
    Header h;
    h.mode = S_IFREG | (permissions & 07777);
    h.owner = owner;
    h.size = data.size();
    return writeHeader(path, h) && write(data.constData(), data.size()) && pad();
}

bool CpioWriter::addFile(const QByteArray &path, quint32 permissions, QIODevice *source, qint64 size, Owner owner)
{
    Header h;
    h.mode = S_IFREG | (permissions & 07777);
    h.owner = owner;
    h.size = size;
    if (!writeHeader(path, h))
        return false;
    QByteArray buffer;
    qint64 left = size;
    while (left > 0) {
        buffer = source->read(qMin(left, kChunk));
        if (buffer.isEmpty()) {
            m_error = Text::tr("cpio: %1 ended %2 bytes early").arg(QString::fromUtf8(path)).arg(left);
            return false;
        }
        if (!write(buffer.constData(), buffer.size()))
            return false;
        left -= buffer.size();
    }
    return pad();
}

bool CpioWriter::addSymlink(const QByteArray &path, const QByteArray &target, Owner owner)
{
    Header h;
    h.mode = S_IFLNK | 0777;
    h.owner = owner;
    h.size = target.size();
    return writeHeader(path, h) && write(target.constData(), target.size()) && pad();
}

bool CpioWriter::addSpecial(
    const QByteArray &path, char type, quint32 permissions, quint32 major, quint32 minor, Owner owner)
{
    Header h;
    switch (type) {
    case 'c':
        h.mode = S_IFCHR;
        break;
    case 'b':
        h.mode = S_IFBLK;
        break;
    case 'p':
        h.mode = S_IFIFO;
        break;
    case 's':
        h.mode = S_IFSOCK;
        break;
    default:
        m_error = Text::tr("cpio: unknown special file type '%1'").arg(QLatin1Char(type));
        return false;
    }
    h.mode |= permissions & 07777;
    h.owner = owner;
    h.rdevMajor = major;
    h.rdevMinor = minor;
    return writeHeader(path, h);
}

bool CpioWriter::finish()
{
    if (m_finished)
        return m_error.isEmpty();
    Header h;
    const int ino = m_ino;
    m_ino = -1; // the trailer carries inode 0
    const bool ok = writeHeader(QByteArrayLiteral("TRAILER!!!"), h);
    m_ino = ino;
    m_finished = true;
    return ok;
}

} // namespace drover
