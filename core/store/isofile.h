// ISO files for the iso:NAME boot target: checks that a file is an ISO 9660 image a firmware
// can boot (an El Torito boot record), copies it into the store as one blob while hashing,
// and records it in the catalog under a name. The CLI (drover iso add) and the images panel
// both add ISOs through here.
#pragma once

#include "catalog/records.h"
#include "store/blobstore.h"
#include "util/result.h"

#include <QString>

namespace drover {

class Catalog;

// Why `path` is not a bootable ISO 9660 image, naming the file and what is wrong; empty when it is.
QString isoFileProblem(const QString &path);
// The name an ISO gets without --name: the file's base name, cut to what isoNameError allows.
QString defaultIsoName(const QString &path);

// Checks, stores and records the ISO. The blob is stored before the catalog row, so a failure
// in between leaves only an unreferenced blob, which the next gc removes.
Result<IsoRecord> addIsoFile(Catalog &catalog, const QString &storeDir, const QString &path, const QString &name,
    const QString &who, const BlobStore::Progress &progress = {});

} // namespace drover
