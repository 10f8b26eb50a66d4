// Store garbage collection: deletes blobs that no tag in index.json, no image the catalog
// knows (assigned, last-known-good, or merely recorded) and no ISO in the catalog reaches, and temporary
// files that writers killed mid-way left behind. Nothing younger than a grace period is
// touched: a build or import in progress writes its blobs before it publishes the tag.
#pragma once

#include "store/imagestore.h"

#include <QStringList>

namespace drover {

class Catalog;

struct GcOptions {
    qint64 graceSeconds = 3600;
    bool dryRun = false;
    // Manifests to keep with all their blobs though no tag names them (see catalogRoots).
    QList<Digest> roots;
    // Blobs to keep that are not in a manifest: the catalog's ISOs (see catalogBlobs).
    QList<Digest> blobs {};
};

struct GcEntry {
    QString name; // sha256:<hex> for a blob, the file name for a temporary file
    qint64 size = 0;
};

struct GcReport {
    bool dryRun = false;
    QList<GcEntry> blobs; // deleted (or, dry run, to be deleted)
    QList<GcEntry> tempFiles;
    qint64 bytesFreed = 0;
    int reachable = 0; // blobs kept because something uses them
    int young = 0; // unreachable but kept, younger than the grace period
    QStringList notes; // roots whose manifest is not in this store (a shared catalog)
};

// The manifests the catalog refers to: every image row (the ones in use among them), so
// that an image stays whole while the catalog knows it, even when its tag was removed.
QList<Digest> catalogRoots(const Catalog &catalog);
// The blobs the catalog refers to outside any manifest: every ISO's.
QList<Digest> catalogBlobs(const Catalog &catalog);

Result<GcReport> collectGarbage(const ImageStore &store, const GcOptions &options);

} // namespace drover
