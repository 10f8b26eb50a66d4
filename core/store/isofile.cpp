#include "store/isofile.h"

#include "catalog/catalog.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(IsoFile)
};

// ISO 9660: volume descriptors of 2048 bytes from sector 16, ended by a terminator (type 255).
constexpr qint64 kSector = 2048;
constexpr qint64 kFirstDescriptor = 16 * kSector;
constexpr int kMaxDescriptors = 64;

} // namespace

QString isoFileProblem(const QString &path)
{
    QFile file(path);
    const QFileInfo info(path);
    if (!info.exists())
        return Text::tr("%1: no such file").arg(path);
    if (!info.isFile())
        return Text::tr("%1: not a regular file").arg(path);
    if (!file.open(QIODevice::ReadOnly))
        return Text::tr("%1: cannot read: %2").arg(path, file.errorString());
    for (int i = 0; i < kMaxDescriptors; ++i) {
        if (!file.seek(kFirstDescriptor + i * kSector))
            break;
        const QByteArray d = file.read(kSector);
        if (d.size() < 40 || d.mid(1, 5) != "CD001") {
            if (i == 0)
                return Text::tr("%1 is not an ISO 9660 image: no volume descriptor at byte %2")
                    .arg(path)
                    .arg(kFirstDescriptor);
            break;
        }
        const auto type = quint8(d.at(0));
        if (type == 0 && d.mid(7, 23) == "EL TORITO SPECIFICATION")
            return {};
        if (type == 255)
            break;
    }
    return Text::tr("%1 is an ISO 9660 image without an El Torito boot record: no firmware can boot it from the "
                    "network")
        .arg(path);
}

QString defaultIsoName(const QString &path)
{
    QString base = QFileInfo(path).fileName();
    if (base.endsWith(QLatin1String(".iso"), Qt::CaseInsensitive))
        base.chop(4);
    static const QRegularExpression other(QStringLiteral("[^A-Za-z0-9._-]+"));
    base.replace(other, QStringLiteral("-"));
    while (!base.isEmpty() && !base.at(0).isLetterOrNumber())
        base.remove(0, 1);
    return base.left(64);
}

Result<IsoRecord> addIsoFile(Catalog &catalog, const QString &storeDir, const QString &path, const QString &name,
    const QString &who, const BlobStore::Progress &progress)
{
    using R = Result<IsoRecord>;
    if (const QString why = isoNameError(name); !why.isEmpty())
        return R::failure(why);
    if (const QString why = isoFileProblem(path); !why.isEmpty())
        return R::failure(why);
    const BlobStore blobs(storeDir);
    if (Status s = blobs.init(); !s)
        return R::failure(s.error());
    auto blob = blobs.putFile(path, {}, progress);
    if (!blob)
        return R::failure(Text::tr("cannot store %1: %2").arg(path, blob.error()));
    IsoRecord record;
    record.name = name;
    record.digest = blob->digest.toString();
    record.size = blob->size;
    record.addedBy = who;
    record.notes = QFileInfo(path).fileName();
    return catalog.addIso(record);
}

} // namespace drover
