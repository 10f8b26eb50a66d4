#include "store/blobstore.h"

#include "store/ocilayout.h"
#include "store/sha256.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFuture>
#include <QScopeGuard>
#include <QtConcurrent/QtConcurrentRun>

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(BlobStore)
};

// Start the kernel writing back every 8 MiB while copying, so the final fsync has little
// left to do instead of flushing a whole layer at once.
constexpr qint64 kWritebackStep = 8 << 20;

// Reads the next chunk; 0 at the end. Waits for sequential sources (pipes, sockets).
qint64 readChunk(QIODevice *source, char *buffer, qint64 size)
{
    qint64 n = source->read(buffer, size);
    while (n == 0 && source->isSequential() && !source->atEnd() && source->waitForReadyRead(60000))
        n = source->read(buffer, size);
    return n;
}

// The mtime of a blob tells GC its age; a writer that finds its blob present renews it so
// that GC's grace period covers the time until the writer publishes a manifest naming it.
void touch(const QString &path)
{
    ::utimensat(AT_FDCWD, QFile::encodeName(path).constData(), nullptr, 0);
}

struct Copy {
    Digest digest;
    qint64 size = 0;
};

// Hashes `source` to its end, writing it to `sink` when there is one. `limit` (-1: none)
// stops a source that is longer than it should be before it fills the disk. The hash of
// one chunk runs on a second core while that chunk is written and the next one read (two
// buffers): hashing and I/O overlap instead of adding up.
Result<Copy> hashCopy(QIODevice *source, QFile *sink, qint64 limit, const BlobStore::Progress &progress)
{
    Sha256 hash;
    std::array<QByteArray, 2> buffers { QByteArray(oci::kChunk, Qt::Uninitialized),
        QByteArray(oci::kChunk, Qt::Uninitialized) };
    std::size_t current = 0;
    QFuture<void> hashing; // the previous chunk's
    // Whatever way this returns, the hasher is done with `hash` and the buffers first.
    const auto join = qScopeGuard([&hashing] { hashing.waitForFinished(); });
    qint64 done = 0;
    qint64 writtenBack = 0;
    for (;;) {
        char *data = buffers[current].data();
        const qint64 n = readChunk(source, data, oci::kChunk);
        if (n < 0)
            return Result<Copy>::failure(Text::tr("cannot read the source: %1").arg(source->errorString()));
        if (n == 0)
            break;
        if (limit >= 0 && done + n > limit)
            return Result<Copy>::failure(Text::tr("more than the expected %1 bytes").arg(limit));
        hashing.waitForFinished(); // chunks are hashed in order
        hashing = QtConcurrent::run([&hash, data, n] { hash.addData(QByteArrayView(data, n)); });
        if (sink) {
            if (sink->write(data, n) != n)
                return Result<Copy>::failure(
                    Text::tr("cannot write %1: %2").arg(sink->fileName(), sink->errorString()));
            if (done + n - writtenBack >= kWritebackStep) {
                ::sync_file_range(sink->handle(), writtenBack, done + n - writtenBack, SYNC_FILE_RANGE_WRITE);
                writtenBack = done + n;
            }
        }
        done += n;
        current ^= 1; // the next read fills the other buffer while this one is hashed
        if (progress && !progress(done))
            return Result<Copy>::failure(BlobStore::cancelledMessage());
    }
    hashing.waitForFinished();
    return Copy { hash.result(), done };
}

QString mismatch(const Digest &expected, const Digest &actual)
{
    return Text::tr("digest mismatch: expected %1, got %2").arg(expected.toString(), actual.toString());
}

} // namespace

QString BlobStore::cancelledMessage()
{
    return Text::tr("cancelled");
}

BlobStore::BlobStore(QString root)
    : m_root(std::move(root))
{ }

Status BlobStore::init() const
{
    if (!QDir().mkpath(m_root + QStringLiteral("/blobs/sha256")))
        return Status::failure(Text::tr("cannot create the image store in %1").arg(m_root));
    if (Status s = oci::createOnce(m_root + QLatin1Char('/') + QLatin1String(oci::kLayoutFile), oci::layoutJson()); !s)
        return s;
    return oci::createOnce(m_root + QLatin1Char('/') + QLatin1String(oci::kIndexFile), oci::indexJson({}));
}

QString BlobStore::blobPath(const Digest &digest) const
{
    return m_root + QStringLiteral("/blobs/sha256/") + digest.hex();
}

bool BlobStore::contains(const Digest &digest) const
{
    return !digest.isNull() && QFileInfo(blobPath(digest)).isFile();
}

qint64 BlobStore::size(const Digest &digest) const
{
    if (digest.isNull())
        return -1;
    const QFileInfo info(blobPath(digest));
    return info.isFile() ? info.size() : -1;
}

Result<BlobRef> BlobStore::putFile(const QString &sourcePath, const Digest &expected, const Progress &progress) const
{
    QFile source(sourcePath);
    if (!source.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return Result<BlobRef>::failure(Text::tr("cannot read %1: %2").arg(sourcePath, source.errorString()));
    ::posix_fadvise(source.handle(), 0, 0, POSIX_FADV_SEQUENTIAL);
    auto ref = putDevice(&source, expected, progress);
    if (!ref && ref.error() != cancelledMessage())
        return Result<BlobRef>::failure(Text::tr("%1: %2").arg(sourcePath, ref.error()));
    return ref;
}

Result<BlobRef> BlobStore::putDevice(QIODevice *source, const Digest &expected, const Progress &progress) const
{
    return putVerified(source, BlobRef { expected, -1 }, progress);
}

Result<BlobRef> BlobStore::putVerified(QIODevice *source, const BlobRef &expected, const Progress &progress) const
{
    using R = Result<BlobRef>;
    if (!source || !source->isReadable())
        return R::failure(Text::tr("the source is not open for reading"));
    const QString dir = m_root + QStringLiteral("/blobs/sha256");
    if (!QFileInfo(dir).isDir() && !QDir().mkpath(dir))
        return R::failure(Text::tr("cannot create %1").arg(dir));

    // Present already (and whole, as far as its size tells): only check the source.
    if (!expected.digest.isNull() && contains(expected.digest)
        && (expected.size < 0 || size(expected.digest) == expected.size)) {
        touch(blobPath(expected.digest));
        auto copy = hashCopy(source, nullptr, expected.size, progress);
        if (!copy)
            return R::failure(copy.error());
        if (expected.size >= 0 && copy->size != expected.size)
            return R::failure(Text::tr("%1 bytes, expected %2").arg(copy->size).arg(expected.size));
        if (copy->digest != expected.digest)
            return R::failure(mismatch(expected.digest, copy->digest));
        if (!contains(expected.digest))
            return R::failure(
                Text::tr("blob %1 was removed while being written; try again").arg(expected.digest.toString()));
        return BlobRef { copy->digest, copy->size };
    }

    QFile temp(dir + QLatin1Char('/') + oci::tempFileName());
    if (!temp.open(QIODevice::WriteOnly | QIODevice::NewOnly | QIODevice::Unbuffered))
        return R::failure(Text::tr("cannot create %1: %2").arg(temp.fileName(), temp.errorString()));
    auto fail = [&temp](const QString &message) {
        temp.remove();
        return R::failure(message);
    };
    auto copy = hashCopy(source, &temp, expected.size, progress);
    if (!copy)
        return fail(copy.error());
    if (expected.size >= 0 && copy->size != expected.size)
        return fail(Text::tr("%1 bytes, expected %2").arg(copy->size).arg(expected.size));
    if (!expected.digest.isNull() && copy->digest != expected.digest)
        return fail(mismatch(expected.digest, copy->digest));
    // Read-only: a blob never changes once stored.
    if (::fchmod(temp.handle(), 0444) != 0 || ::fsync(temp.handle()) != 0)
        return fail(Text::tr("cannot sync %1: %2").arg(temp.fileName(), QString::fromLocal8Bit(std::strerror(errno))));
    temp.close();
    const QString target = blobPath(copy->digest);
    // rename() replaces atomically: a concurrent writer of the same blob put the same bytes.
    if (::rename(QFile::encodeName(temp.fileName()).constData(), QFile::encodeName(target).constData()) != 0)
        return fail(Text::tr("cannot store %1: %2").arg(target, QString::fromLocal8Bit(std::strerror(errno))));
    if (Status s = oci::syncDirectory(dir); !s)
        return R::failure(s.error());
    return BlobRef { copy->digest, copy->size };
}

Result<BlobRef> BlobStore::putBytes(const QByteArray &bytes) const
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    return putVerified(&buffer, BlobRef { Sha256::ofBytes(bytes), bytes.size() });
}

Result<QByteArray> BlobStore::readAll(const Digest &digest, qint64 maxSize) const
{
    using R = Result<QByteArray>;
    const qint64 bytes = size(digest);
    if (bytes < 0)
        return R::failure(Text::tr("blob %1 is missing").arg(digest.toString()));
    if (bytes > maxSize)
        return R::failure(
            Text::tr("blob %1 is %2 bytes, more than the %3 expected").arg(digest.toString()).arg(bytes).arg(maxSize));
    QFile file(blobPath(digest));
    if (!file.open(QIODevice::ReadOnly))
        return R::failure(Text::tr("cannot read blob %1: %2").arg(digest.toString(), file.errorString()));
    QByteArray data = file.readAll();
    const Digest actual = Sha256::ofBytes(data);
    if (actual != digest)
        return R::failure(
            Text::tr("blob %1 is corrupt: its content hashes to %2").arg(digest.toString(), actual.toString()));
    return data;
}

Status BlobStore::verify(const Digest &digest, const Progress &progress) const
{
    return verify(BlobRef { digest, -1 }, progress);
}

Status BlobStore::verify(const BlobRef &ref, const Progress &progress) const
{
    QFile file(blobPath(ref.digest));
    if (ref.digest.isNull() || !file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return Status::failure(Text::tr("blob %1 is missing").arg(ref.digest.toString()));
    if (ref.size >= 0 && file.size() != ref.size)
        return Status::failure(
            Text::tr("blob %1 is %2 bytes, expected %3").arg(ref.digest.toString()).arg(file.size()).arg(ref.size));
    ::posix_fadvise(file.handle(), 0, 0, POSIX_FADV_SEQUENTIAL);
    auto copy = hashCopy(&file, nullptr, -1, progress);
    if (!copy)
        return Status::failure(copy.error() == cancelledMessage()
                ? copy.error()
                : Text::tr("blob %1: %2").arg(ref.digest.toString(), copy.error()));
    if (copy->digest != ref.digest)
        return Status::failure(Text::tr("blob %1 is corrupt: its content hashes to %2")
                .arg(ref.digest.toString(), copy->digest.toString()));
    return {};
}

} // namespace drover
