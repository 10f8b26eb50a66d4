// Bundles: one image (manifest and blobs) in a .tar that is itself an OCI image layout
// (oci-layout, index.json with the one tag, blobs/sha256/<hex>), to carry an image to
// another lab or a USB stick. Import checks every blob's size and digest as it streams it
// into the store and publishes the tag (and the catalog image) only when all are whole;
// a truncated or altered bundle is refused, naming the bad entry.
#pragma once

#include "store/imagestore.h"

#include <QStringList>

#include <functional>

namespace drover {

class Catalog;

// Called with bytes done and bytes in all; return false to cancel.
using BundleProgress = std::function<bool(qint64 done, qint64 total)>;

struct ExportResult {
    QString tag;
    Digest manifest;
    qint64 bytes = 0; // of the blobs, manifest included
};

// Writes `file` (via file.partial, renamed when complete and synced). `recipe` is the
// recipe JSON the image was built from, carried along for the catalog on the other side.
Result<ExportResult> exportBundle(const ImageStore &store, const QString &tag, const QString &file,
    const QString &recipe = {}, const BundleProgress &progress = {});

struct ImportResult {
    QStringList tags;
    QList<Digest> manifests;
    qint64 bytes = 0; // of the blobs checked
    int blobsStored = 0; // new in this store
    int blobsPresent = 0; // were here already and whole (checked against the bundle all the same)
    int blobsRepaired = 0; // were here but corrupt, replaced from the bundle (counted in blobsStored too)
};

// Imports every image of the bundle; with a catalog, records each image there too.
// Importing a bundle twice is harmless.
Result<ImportResult> importBundle(
    const ImageStore &store, Catalog *catalog, const QString &file, const BundleProgress &progress = {});

} // namespace drover
