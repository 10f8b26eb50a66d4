#include "store/bundle.h"

#include "catalog/catalog.h"
#include "store/ocilayout.h"
#include "store/sha256.h"

#include <KArchiveDirectory>
#include <KArchiveFile>
#include <KTar>

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <cerrno>
#include <cstring>
#include <memory>
#include <unistd.h>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(Bundle)
};

QString blobEntry(const Digest &digest)
{
    return QStringLiteral("blobs/sha256/") + digest.hex();
}

// Fixed entry times make the same image always give the same bundle bytes.
const QDateTime &entryTime()
{
    static const QDateTime epoch = QDateTime::fromSecsSinceEpoch(0, QTimeZone::UTC);
    return epoch;
}

bool writeSmall(KTar &tar, const QString &name, const QByteArray &data)
{
    return tar.writeFile(
        name, data, 0100444, QStringLiteral("root"), QStringLiteral("root"), entryTime(), entryTime(), entryTime());
}

// Streams one stored blob into the tar, hashing it on the way: a corrupt blob in the
// store must not leave as a bundle that only fails on the other side.
Status writeBlob(
    KTar &tar, const BlobStore &blobs, const BlobRef &ref, qint64 &done, qint64 total, const BundleProgress &progress)
{
    QFile file(blobs.blobPath(ref.digest));
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return Status::failure(Text::tr("blob %1 is missing from the store").arg(ref.digest.toString()));
    if (file.size() != ref.size)
        return Status::failure(Text::tr("blob %1 is %2 bytes in the store, the manifest says %3")
                .arg(ref.digest.toString())
                .arg(file.size())
                .arg(ref.size));
    const QString name = blobEntry(ref.digest);
    if (!tar.prepareWriting(name, QStringLiteral("root"), QStringLiteral("root"), ref.size, 0100444, entryTime(),
            entryTime(), entryTime()))
        return Status::failure(tar.errorString());
    Sha256 hash;
    QByteArray buffer(oci::kChunk, Qt::Uninitialized);
    qint64 written = 0;
    while (written < ref.size) {
        const qint64 n = file.read(buffer.data(), qMin<qint64>(buffer.size(), ref.size - written));
        if (n <= 0)
            return Status::failure(Text::tr("cannot read blob %1: %2").arg(ref.digest.toString(), file.errorString()));
        hash.addData(QByteArrayView(buffer.constData(), n));
        if (!tar.writeData(buffer.constData(), n))
            return Status::failure(tar.errorString());
        written += n;
        done += n;
        if (progress && !progress(done, total))
            return Status::failure(BlobStore::cancelledMessage());
    }
    if (!tar.finishWriting(ref.size))
        return Status::failure(tar.errorString());
    if (const Digest actual = hash.result(); actual != ref.digest)
        return Status::failure(Text::tr("blob %1 is corrupt in the store (its content hashes to %2); not exporting")
                .arg(ref.digest.toString(), actual.toString()));
    return {};
}

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

} // namespace

Result<ExportResult> exportBundle(const ImageStore &store, const QString &tag, const QString &file,
    const QString &recipe, const BundleProgress &progress)
{
    using R = Result<ExportResult>;
    const auto digest = store.resolve(tag);
    if (!digest)
        return R::failure(Text::tr("no image %1 in the store").arg(tag));
    auto manifestJson = store.blobs().readAll(*digest);
    if (!manifestJson)
        return R::failure(manifestJson.error());
    auto manifest = Manifest::fromJson(manifestJson.value());
    if (!manifest)
        return R::failure(manifest.error());

    QList<BlobRef> blobs;
    QSet<Digest> seen;
    qint64 total = manifestJson->size();
    for (const BlobRef &ref : manifest->blobs()) {
        if (seen.contains(ref.digest))
            continue;
        seen.insert(ref.digest);
        blobs.append(ref);
        total += ref.size;
    }

    const QString partial = file + QStringLiteral(".partial");
    QFile out(partial);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return R::failure(Text::tr("cannot write %1: %2").arg(partial, out.errorString()));
    auto fail = [&out](const QString &message) {
        out.remove();
        return R::failure(message);
    };
    {
        KTar tar(&out);
        if (!tar.open(QIODevice::WriteOnly))
            return fail(Text::tr("cannot write %1: %2").arg(partial, tar.errorString()));
        QJsonObject annotations;
        if (!recipe.isEmpty())
            annotations.insert(QLatin1String(oci::kRecipeAnnotation), recipe);
        const QByteArray index
            = oci::indexJson({ oci::Descriptor { tag, *digest, manifestJson->size(), annotations } });
        if (!writeSmall(tar, QLatin1String(oci::kLayoutFile), oci::layoutJson())
            || !writeSmall(tar, QLatin1String(oci::kIndexFile), index)
            || !writeSmall(tar, blobEntry(*digest), manifestJson.value()))
            return fail(Text::tr("cannot write %1: %2").arg(partial, tar.errorString()));
        qint64 done = manifestJson->size();
        for (const BlobRef &ref : blobs) {
            if (Status s = writeBlob(tar, store.blobs(), ref, done, total, progress); !s)
                return fail(s.error());
        }
        if (!tar.close())
            return fail(Text::tr("cannot write %1: %2").arg(partial, tar.errorString()));
    }
    // KTar may or may not have closed the device it did not open.
    if ((!out.isOpen() && !out.open(QIODevice::ReadOnly)) || !out.flush() || ::fsync(out.handle()) != 0)
        return fail(Text::tr("cannot sync %1: %2").arg(partial, errnoText()));
    out.close();
    if (::rename(QFile::encodeName(partial).constData(), QFile::encodeName(file).constData()) != 0)
        return fail(Text::tr("cannot rename %1 to %2: %3").arg(partial, file, errnoText()));
    if (Status s = oci::syncDirectory(QFileInfo(file).absolutePath()); !s)
        return R::failure(s.error());
    return ExportResult { tag, *digest, total };
}

Result<ImportResult> importBundle(
    const ImageStore &store, Catalog *catalog, const QString &file, const BundleProgress &progress)
{
    using R = Result<ImportResult>;
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly))
        return R::failure(Text::tr("cannot read %1: %2").arg(file, in.errorString()));
    KTar tar(&in);
    if (!tar.open(QIODevice::ReadOnly))
        return R::failure(Text::tr("%1 is not a readable tar archive: %2").arg(file, tar.errorString()));
    const KArchiveDirectory *root = tar.directory();
    auto entry = [root](const QString &name) { return root ? root->file(name) : nullptr; };
    // Reads a small entry whole; an entry shorter than its header says is truncated.
    auto small = [&](const QString &name, qint64 expected) -> Result<QByteArray> {
        const KArchiveFile *f = entry(name);
        if (!f)
            return Result<QByteArray>::failure(Text::tr("bundle entry %1 is missing").arg(name));
        if (f->size() > (16 << 20) || (expected >= 0 && f->size() != expected))
            return Result<QByteArray>::failure(
                Text::tr("bundle entry %1 is %2 bytes, expected %3").arg(name).arg(f->size()).arg(expected));
        QByteArray data = f->data();
        if (data.size() != f->size())
            return Result<QByteArray>::failure(
                Text::tr("bundle entry %1 is truncated: %2 of %3 bytes").arg(name).arg(data.size()).arg(f->size()));
        return data;
    };

    auto indexBytes = small(QLatin1String(oci::kIndexFile), -1);
    if (!indexBytes)
        return R::failure(indexBytes.error());
    auto index = oci::parseIndex(indexBytes.value());
    if (!index)
        return R::failure(Text::tr("bundle %1: %2").arg(file, index.error()));

    struct Image {
        oci::Descriptor descriptor;
        QByteArray json;
        Manifest manifest;
    };
    QList<Image> images;
    for (const oci::Descriptor &d : index.value()) {
        if (d.tag.isEmpty())
            continue;
        const QString name = blobEntry(d.digest);
        auto json = small(name, d.size);
        if (!json)
            return R::failure(json.error());
        if (const Digest actual = Sha256::ofBytes(json.value()); actual != d.digest)
            return R::failure(
                Text::tr("bundle entry %1 is altered: its content hashes to %2").arg(name, actual.toString()));
        auto manifest = Manifest::fromJson(json.value());
        if (!manifest)
            return R::failure(Text::tr("bundle entry %1: %2").arg(name, manifest.error()));
        if (manifest->tag() != d.tag)
            return R::failure(
                Text::tr("bundle index.json names %1 but its manifest is %2").arg(d.tag, manifest->tag()));
        // Refused before copying anything: the tag exists here with another manifest.
        if (auto here = store.resolve(d.tag); here && *here != d.digest)
            return R::failure(Text::tr("tag %1 names manifest %2 in this store; the bundle's is %3 (a published tag "
                                       "never moves)")
                    .arg(d.tag, here->toString(), d.digest.toString()));
        if (catalog) {
            if (auto known = catalog->imageByTag(d.tag); known && known->manifestDigest != d.digest.toString())
                return R::failure(Text::tr("image %1 is in the catalog with manifest %2; the bundle's is %3 (a "
                                           "published tag never moves)")
                        .arg(d.tag, known->manifestDigest, d.digest.toString()));
        }
        images.append(Image { d, json.value(), manifest.value() });
    }
    if (images.isEmpty())
        return R::failure(Text::tr("bundle %1 holds no image").arg(file));

    // Every blob streamed into the store with its expected digest and size.
    QList<BlobRef> blobs;
    QSet<Digest> seen;
    qint64 total = 0;
    for (const Image &image : images) {
        for (const BlobRef &ref : image.manifest.blobs()) {
            if (!seen.contains(ref.digest)) {
                seen.insert(ref.digest);
                blobs.append(ref);
                total += ref.size;
            }
        }
    }
    ImportResult result;
    qint64 before = 0;
    for (const BlobRef &ref : blobs) {
        const QString name = blobEntry(ref.digest);
        const KArchiveFile *f = entry(name);
        if (!f)
            return R::failure(Text::tr("bundle entry %1 is missing").arg(name));
        if (f->size() != ref.size)
            return R::failure(
                Text::tr("bundle entry %1 is %2 bytes, the manifest says %3").arg(name).arg(f->size()).arg(ref.size));
        std::unique_ptr<QIODevice> device(f->createDevice());
        if (!device)
            return R::failure(Text::tr("cannot read bundle entry %1").arg(name));
        bool present = store.blobs().size(ref.digest) == ref.size;
        // Re-importing is how a damaged image is repaired (verify names it): a blob here
        // whose content went bad is replaced, not trusted because its name matches.
        if (present && !store.blobs().verify(ref)) {
            QFile::remove(store.blobs().blobPath(ref.digest));
            present = false;
            ++result.blobsRepaired;
        }
        BlobStore::Progress perBlob;
        if (progress)
            perBlob = [&progress, before, total](qint64 done) { return progress(before + done, total); };
        auto stored = store.blobs().putVerified(device.get(), ref, perBlob);
        if (!stored) {
            if (stored.error() == BlobStore::cancelledMessage())
                return R::failure(stored.error());
            return R::failure(Text::tr("bundle entry %1 is truncated or altered: %2").arg(name, stored.error()));
        }
        ++(present ? result.blobsPresent : result.blobsStored);
        before += ref.size;
    }
    result.bytes = before;

    // All blobs are whole: now, and only now, the tags and the catalog rows.
    for (const Image &image : images) {
        const QString recipe = image.descriptor.annotations.value(QLatin1String(oci::kRecipeAnnotation)).toString();
        if (catalog) {
            auto record = publishImageJson(store, *catalog, image.json, recipe);
            if (!record)
                return R::failure(record.error());
        } else if (auto published = store.publishJson(image.json); !published) {
            return R::failure(published.error());
        }
        result.tags.append(image.descriptor.tag);
        result.manifests.append(image.descriptor.digest);
    }
    return result;
}

} // namespace drover
