#include "catalog/sqlitefiles.h"

#include <QCoreApplication>
#include <QFile>

#include <cerrno>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(Catalog)
};

} // namespace

QString sqliteCatalogPath(const QString &url)
{
    if (url.startsWith(QLatin1String("postgresql:")) || url.startsWith(QLatin1String("postgres:")))
        return {};
    QString path = url.startsWith(QLatin1String("sqlite:")) ? url.mid(7) : url;
    if (path.isEmpty() || path == QLatin1String(":memory:") || path.startsWith(QLatin1String("file:")))
        return {};
    return path;
}

Result<QStringList> makeSqliteFilesPrivate(const QString &path)
{
    using R = Result<QStringList>;
    const QByteArray native = QFile::encodeName(path);
    if (const int fd = ::open(native.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600); fd >= 0)
        ::close(fd);
    else if (const int error = errno; error != EEXIST)
        return R::failure(Text::tr("catalog: cannot create %1: %2").arg(path, qt_error_string(error)));
    QStringList notes;
    for (const char *suffix : { "", "-wal", "-shm", "-journal" }) {
        const QByteArray file = native + suffix;
        struct stat st {};
        if (::stat(file.constData(), &st) != 0 || (st.st_mode & 077) == 0)
            continue;
        if (::chmod(file.constData(), 0600) != 0) {
            const int error = errno;
            return R::failure(Text::tr("catalog: %1 is readable by other users and cannot be made private: %2")
                    .arg(QFile::decodeName(file), qt_error_string(error)));
        }
        notes << Text::tr("the catalog file %1 was open to other users (mode %2); now 0600")
                     .arg(QFile::decodeName(file), QString::number(st.st_mode & 0777, 8));
    }
    return notes;
}

} // namespace drover
