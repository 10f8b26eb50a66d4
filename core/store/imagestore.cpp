#include "store/imagestore.h"

#include "catalog/catalog.h"
#include "store/ocilayout.h"
#include "store/sha256.h"

#include <QCoreApplication>
#include <QFile>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(ImageStore)
};

QString indexPath(const QString &root)
{
    return root + QLatin1Char('/') + QLatin1String(oci::kIndexFile);
}

// index.json as it is now; a store not yet created has no tags.
Result<QList<oci::Descriptor>> readIndex(const QString &root)
{
    QFile file(indexPath(root));
    if (!file.exists())
        return QList<oci::Descriptor>();
    if (!file.open(QIODevice::ReadOnly))
        return Result<QList<oci::Descriptor>>::failure(
            Text::tr("cannot read %1: %2").arg(file.fileName(), file.errorString()));
    return oci::parseIndex(file.readAll());
}

QString neverMoves(const QString &tag, const Digest &current, const Digest &other)
{
    return Text::tr("tag %1 names manifest %2; refusing to move it to manifest %3 (a published tag never moves)")
        .arg(tag, current.toString(), other.toString());
}

} // namespace

ImageStore::ImageStore(QString root)
    : m_blobs(std::move(root))
{ }

Result<Digest> ImageStore::publish(const Manifest &manifest) const
{
    return publishJson(manifest.toJson());
}

Result<Digest> ImageStore::publishJson(const QByteArray &manifestJson, const QJsonObject &annotations) const
{
    using R = Result<Digest>;
    auto manifest = Manifest::fromJson(manifestJson);
    if (!manifest)
        return R::failure(manifest.error());
    const QString tag = manifest->tag();
    const Digest digest = Sha256::ofBytes(manifestJson);
    if (Status s = m_blobs.init(); !s)
        return R::failure(s.error());

    auto lock = oci::lockIndex(root());
    if (!lock)
        return R::failure(lock.error());
    auto index = readIndex(root());
    if (!index)
        return R::failure(index.error());
    bool tagged = false;
    for (const oci::Descriptor &d : index.value()) {
        if (d.tag != tag)
            continue;
        if (d.digest != digest)
            return R::failure(neverMoves(tag, d.digest, digest));
        tagged = true;
    }
    // Under the lock, so GC (which holds it too) cannot delete what we just checked.
    for (const auto &[where, ref] : manifest->namedBlobs()) {
        const qint64 size = m_blobs.size(ref.digest);
        if (size < 0)
            return R::failure(
                Text::tr("cannot publish %1: blob %2 (%3) is not in the store").arg(tag, ref.digest.toString(), where));
        if (size != ref.size)
            return R::failure(Text::tr("cannot publish %1: blob %2 (%3) is %4 bytes, the manifest says %5")
                    .arg(tag, ref.digest.toString(), where)
                    .arg(size)
                    .arg(ref.size));
    }
    auto stored = m_blobs.putBytes(manifestJson);
    if (!stored)
        return R::failure(Text::tr("cannot store the manifest of %1: %2").arg(tag, stored.error()));
    if (tagged)
        return digest; // the same manifest again: harmless
    QList<oci::Descriptor> descriptors = index.value();
    descriptors.append(oci::Descriptor { tag, digest, manifestJson.size(), annotations });
    if (Status s = oci::replaceFile(indexPath(root()), oci::indexJson(descriptors)); !s)
        return R::failure(s.error());
    return digest;
}

Result<QList<TagEntry>> ImageStore::readTags() const
{
    auto index = readIndex(root());
    if (!index)
        return Result<QList<TagEntry>>::failure(index.error());
    QList<TagEntry> result;
    for (const oci::Descriptor &d : index.value()) {
        if (!d.tag.isEmpty())
            result.append(TagEntry { d.tag, d.digest, d.size });
    }
    return result;
}

QList<TagEntry> ImageStore::tags() const
{
    auto tags = readTags();
    return tags ? tags.value() : QList<TagEntry>();
}

std::optional<Digest> ImageStore::resolve(const QString &tag) const
{
    for (const TagEntry &entry : tags()) {
        if (entry.tag == tag)
            return entry.manifest;
    }
    return std::nullopt;
}

Result<Manifest> ImageStore::manifest(const Digest &digest) const
{
    auto bytes = m_blobs.readAll(digest);
    if (!bytes)
        return Result<Manifest>::failure(bytes.error());
    return Manifest::fromJson(bytes.value());
}

Result<Manifest> ImageStore::manifestForTag(const QString &tag) const
{
    const auto digest = resolve(tag);
    if (!digest)
        return Result<Manifest>::failure(Text::tr("no image %1 in the store").arg(tag));
    return manifest(*digest);
}

Status ImageStore::removeTag(const QString &tag) const
{
    auto lock = oci::lockIndex(root());
    if (!lock)
        return Status::failure(lock.error());
    auto index = readIndex(root());
    if (!index)
        return Status::failure(index.error());
    QList<oci::Descriptor> descriptors = index.value();
    const qsizetype removed = descriptors.removeIf([&tag](const oci::Descriptor &d) { return d.tag == tag; });
    if (removed == 0)
        return Status::failure(Text::tr("no image %1 in the store").arg(tag));
    // The blobs stay until GC finds them unreachable (and older than its grace period).
    return oci::replaceFile(indexPath(root()), oci::indexJson(descriptors));
}

Result<ImageRecord> publishImage(
    const ImageStore &store, Catalog &catalog, const Manifest &manifest, const QString &recipeJson)
{
    return publishImageJson(store, catalog, manifest.toJson(), recipeJson);
}

Result<ImageRecord> publishImageJson(
    const ImageStore &store, Catalog &catalog, const QByteArray &manifestJson, const QString &recipeJson)
{
    using R = Result<ImageRecord>;
    auto manifest = Manifest::fromJson(manifestJson);
    if (!manifest)
        return R::failure(manifest.error());
    const QString digest = Sha256::ofBytes(manifestJson).toString();
    // Checked first so that a refused image leaves no tag behind in the store either.
    if (auto existing = catalog.imageByTag(manifest->tag()); existing && existing->manifestDigest != digest)
        return R::failure(Text::tr("image %1 is in the catalog with manifest %2; refusing manifest %3 (a published "
                                   "tag never moves)")
                .arg(manifest->tag(), existing->manifestDigest, digest));
    auto published = store.publishJson(manifestJson);
    if (!published)
        return R::failure(published.error());
    ImageRecord record;
    record.name = manifest->name;
    record.version = manifest->version;
    record.manifestDigest = digest;
    record.size = manifest->totalSize();
    record.recipe = recipeJson;
    return catalog.addImage(record);
}

} // namespace drover
