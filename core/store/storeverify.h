// Store verification: re-hashes every blob that tags name (their manifests included) and
// lists each corrupt or missing blob with the images that use it, so an admin knows which
// images to re-import or rebuild.
#pragma once

#include "store/imagestore.h"

#include <QStringList>

#include <functional>

namespace drover {

struct BlobProblem {
    Digest digest;
    qint64 expectedSize = -1;
    QString message; // "blob sha256:… is missing", "… is corrupt: its content hashes to …"
    QStringList images; // name:version of every checked image that uses the blob
};

struct VerifyReport {
    QStringList images; // the tags checked
    int blobs = 0; // distinct blobs checked, manifests included
    qint64 bytes = 0;
    QList<BlobProblem> problems;

    bool ok() const { return problems.isEmpty(); }
};

// Called with bytes hashed so far and in all; return false to cancel.
using VerifyProgress = std::function<bool(qint64 done, qint64 total)>;

// Verifies `tags` (every tag in the store when empty). An unknown tag, an unreadable index
// or a cancel is a failure; corrupt blobs are problems in the report.
Result<VerifyReport> verifyImages(
    const ImageStore &store, const QStringList &tags = {}, const VerifyProgress &progress = {});

} // namespace drover
