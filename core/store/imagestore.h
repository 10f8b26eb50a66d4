// ImageStore: manifests and the tags that name them (name:version) in the OCI index.json.
// A tag never moves: publishing a different manifest under an existing tag is refused;
// publishing the same one again is harmless. Publishing is the last, atomic step of a build
// or an import: every blob the manifest names must already be in the store.
#pragma once

#include "store/blobstore.h"
#include "store/manifest.h"

#include "catalog/records.h"

#include <QJsonObject>
#include <QList>
#include <optional>

namespace drover {

class Catalog;

struct TagEntry {
    QString tag;
    Digest manifest;
    qint64 manifestSize = 0;
};

class ImageStore {
public:
    explicit ImageStore(QString root);

    BlobStore &blobs() { return m_blobs; }
    const BlobStore &blobs() const { return m_blobs; }

    QString root() const { return m_blobs.root(); }

    // Writes the manifest blob and the tag (index.json replaced atomically).
    Result<Digest> publish(const Manifest &manifest) const;
    // The same for a manifest's exact bytes (from a bundle: its digest must not change),
    // with extra annotations for its index.json entry.
    Result<Digest> publishJson(const QByteArray &manifestJson, const QJsonObject &annotations = {}) const;
    QList<TagEntry> tags() const; // empty when index.json is unreadable; readTags() says why
    Result<QList<TagEntry>> readTags() const;
    std::optional<Digest> resolve(const QString &tag) const;
    Result<Manifest> manifest(const Digest &digest) const;
    Result<Manifest> manifestForTag(const QString &tag) const;
    Status removeTag(const QString &tag) const;

private:
    BlobStore m_blobs;
};

// Publishes `manifest` in the store and records the image in the catalog (with the recipe
// JSON it was built from, when there is one). The store is written first: a catalog row
// never names a manifest that is not there.
Result<ImageRecord> publishImage(
    const ImageStore &store, Catalog &catalog, const Manifest &manifest, const QString &recipeJson = {});
// The same for a manifest's exact bytes.
Result<ImageRecord> publishImageJson(
    const ImageStore &store, Catalog &catalog, const QByteArray &manifestJson, const QString &recipeJson = {});

} // namespace drover
