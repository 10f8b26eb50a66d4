#include "storefixture.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QTest>

namespace drover::test {

QByteArray randomBytes(qint64 size, quint32 seed)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator generator(seed);
    const qsizetype words = size / 4;
    generator.fillRange(reinterpret_cast<quint32 *>(bytes.data()), words);
    for (qsizetype i = words * 4; i < size; ++i)
        bytes[i] = char(generator.generate());
    return bytes;
}

Manifest makeImage(const BlobStore &blobs, const QString &name, const QString &version, const QList<qint64> &layerSizes,
    quint32 seed, qint64 kernelSize, qint64 initrdSize)
{
    auto put = [&](qint64 size, quint32 s) {
        auto ref = blobs.putBytes(randomBytes(size, s));
        if (!ref)
            qFatal("cannot put a blob: %s", qPrintable(ref.error()));
        return ref.value();
    };
    Manifest m;
    m.name = name;
    m.version = version;
    m.kernel = put(kernelSize, seed * 100 + 1);
    m.initrd = put(initrdSize, seed * 100 + 2);
    for (qsizetype i = 0; i < layerSizes.size(); ++i) {
        const BlobRef ref = put(layerSizes[i], seed * 100 + 10 + quint32(i));
        m.layers.append(LayerRef { ref.digest, ref.size, QStringLiteral("squashfs"),
            i == 0 ? QStringLiteral("base") : QStringLiteral("top") });
    }
    m.kernelArgs = QStringLiteral("console=ttyS0");
    return m;
}

QStringList blobDirEntries(const QString &root)
{
    return QDir(root + QStringLiteral("/blobs/sha256"))
        .entryList(QDir::Files | QDir::Hidden | QDir::System, QDir::Name);
}

QStringList tempFiles(const QString &root)
{
    QStringList result;
    for (const QString &name : blobDirEntries(root)) {
        if (name.startsWith(QLatin1String(".tmp-")))
            result.append(name);
    }
    return result;
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
}

void flipByte(const QString &path, qint64 offset)
{
    QFile file(path);
    file.setPermissions(file.permissions() | QFileDevice::WriteOwner);
    if (!file.open(QIODevice::ReadWrite) || !file.seek(offset))
        qFatal("cannot open %s", qPrintable(path));
    char c = 0;
    file.getChar(&c);
    file.seek(offset);
    file.putChar(char(c ^ 0x5a));
}

void age(const QString &path, qint64 seconds)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)
        || !file.setFileTime(QDateTime::currentDateTimeUtc().addSecs(-seconds), QFileDevice::FileModificationTime))
        qFatal("cannot set the time of %s", qPrintable(path));
}

} // namespace drover::test
