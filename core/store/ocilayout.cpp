#include "store/ocilayout.h"

#include "store/manifest.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSaveFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace drover::oci {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(ImageStore)
};

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

} // namespace

QByteArray layoutJson()
{
    return QByteArrayLiteral("{\"imageLayoutVersion\":\"1.0.0\"}");
}

QByteArray indexJson(const QList<Descriptor> &descriptors)
{
    QJsonArray manifests;
    for (const Descriptor &d : descriptors) {
        QJsonObject annotations = d.annotations;
        annotations.insert(QLatin1String(kRefNameAnnotation), d.tag);
        manifests.append(QJsonObject { { QStringLiteral("mediaType"), QLatin1String(kManifestMediaType) },
            { QStringLiteral("digest"), d.digest.toString() }, { QStringLiteral("size"), d.size },
            { QStringLiteral("annotations"), annotations } });
    }
    const QJsonObject index { { QStringLiteral("schemaVersion"), 2 },
        { QStringLiteral("mediaType"), QLatin1String(kIndexMediaType) }, { QStringLiteral("manifests"), manifests } };
    return QJsonDocument(index).toJson(QJsonDocument::Indented);
}

Result<QList<Descriptor>> parseIndex(const QByteArray &json)
{
    using R = Result<QList<Descriptor>>;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return R::failure(Text::tr("index.json: %1 at byte %2").arg(error.errorString()).arg(error.offset));
    if (!doc.isObject() || doc.object().value(QStringLiteral("schemaVersion")).toInt() != 2)
        return R::failure(Text::tr("index.json: not an OCI image index (schemaVersion 2)"));
    QList<Descriptor> result;
    const QJsonArray manifests = doc.object().value(QStringLiteral("manifests")).toArray();
    for (qsizetype i = 0; i < manifests.size(); ++i) {
        const QJsonObject o = manifests.at(i).toObject();
        Descriptor d;
        d.annotations = o.value(QStringLiteral("annotations")).toObject();
        d.tag = d.annotations.value(QLatin1String(kRefNameAnnotation)).toString();
        const auto digest = Digest::parse(o.value(QStringLiteral("digest")).toString());
        const QJsonValue size = o.value(QStringLiteral("size"));
        if (!digest)
            return R::failure(Text::tr("index.json: manifests[%1].digest is not a sha256 digest").arg(i));
        if (!size.isDouble() || size.toDouble() < 0)
            return R::failure(Text::tr("index.json: manifests[%1].size is not a size in bytes").arg(i));
        // Entries of other tools (no tag, other media types) are kept but are not images.
        d.digest = *digest;
        d.size = qint64(size.toDouble());
        if (o.value(QStringLiteral("mediaType")).toString() != QLatin1String(kManifestMediaType))
            d.tag.clear();
        result.append(d);
    }
    return result;
}

QString tempFileName()
{
    return QLatin1String(kTempPrefix) + QString::number(QCoreApplication::applicationPid()) + QLatin1Char('-')
        + QString::number(QRandomGenerator::system()->generate64(), 16);
}

Status syncDirectory(const QString &path)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return Status::failure(Text::tr("cannot open directory %1: %2").arg(path, errnoText(errno)));
    const int rc = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    if (rc != 0)
        return Status::failure(Text::tr("cannot sync directory %1: %2").arg(path, errnoText(error)));
    return {};
}

Status createOnce(const QString &path, const QByteArray &content)
{
    if (QFile::exists(path))
        return {};
    const QString dir = QFileInfo(path).absolutePath();
    QFile temp(dir + QLatin1Char('/') + tempFileName());
    if (!temp.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        return Status::failure(Text::tr("cannot create %1: %2").arg(temp.fileName(), temp.errorString()));
    const bool written = temp.write(content) == content.size() && temp.flush() && ::fsync(temp.handle()) == 0;
    temp.close();
    if (!written) {
        temp.remove();
        return Status::failure(Text::tr("cannot write %1: %2").arg(path, temp.errorString()));
    }
    // link() never replaces: whoever comes first wins, and the content is the same anyway.
    const int rc = ::link(QFile::encodeName(temp.fileName()).constData(), QFile::encodeName(path).constData());
    const int error = errno;
    temp.remove();
    if (rc != 0 && error != EEXIST)
        return Status::failure(Text::tr("cannot create %1: %2").arg(path, errnoText(error)));
    return syncDirectory(dir);
}

Status replaceFile(const QString &path, const QByteArray &content)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Status::failure(Text::tr("cannot write %1: %2").arg(path, file.errorString()));
    file.write(content);
    // commit() fsyncs the new file before renaming it over the old one.
    if (!file.commit())
        return Status::failure(Text::tr("cannot write %1: %2").arg(path, file.errorString()));
    return syncDirectory(QFileInfo(path).absolutePath());
}

Result<std::unique_ptr<QLockFile>> lockIndex(const QString &root)
{
    auto lock = std::make_unique<QLockFile>(root + QLatin1Char('/') + QLatin1String(kLockFile));
    // Never stale by age (a long GC holds it); only when its holder is gone.
    lock->setStaleLockTime(0);
    const QString path = root + QLatin1Char('/') + QLatin1String(kLockFile);
    for (int waited = 0; waited < 60; ++waited) {
        if (lock->tryLock(1000))
            return lock;
        // A holder killed between creating the file and writing its PID leaves a lock
        // QLockFile cannot judge (no PID to check), and it would wait forever. Once such
        // a file is a few seconds old, nobody is about to fill it in: take it over.
        qint64 pid = 0;
        QString host;
        QString app;
        const bool known = lock->getLockInfo(&pid, &host, &app) && pid > 0;
        const QDateTime modified = QFileInfo(path).lastModified();
        if (!known && modified.isValid() && modified.secsTo(QDateTime::currentDateTime()) >= 3)
            lock->removeStaleLockFile();
    }
    qint64 pid = 0;
    QString host;
    QString app;
    lock->getLockInfo(&pid, &host, &app);
    return Result<std::unique_ptr<QLockFile>>::failure(
        Text::tr("the image store %1 is locked by process %2 (%3) on %4").arg(root).arg(pid).arg(app, host));
}

} // namespace drover::oci
