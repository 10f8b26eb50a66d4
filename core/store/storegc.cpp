#include "store/storegc.h"

#include "catalog/catalog.h"
#include "store/ocilayout.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QSet>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(StoreGc)
};

} // namespace

QList<Digest> catalogRoots(const Catalog &catalog)
{
    QList<Digest> roots;
    QSet<QString> seen;
    auto add = [&](const QString &text) {
        if (seen.contains(text))
            return;
        seen.insert(text);
        if (auto digest = Digest::parse(text))
            roots.append(*digest);
    };
    const QList<ImageRecord> images = catalog.images();
    // The images in use first: they are the ones that must never lose a blob.
    for (const QString &tag : catalog.imagesInUse()) {
        for (const ImageRecord &image : images) {
            if (image.tag() == tag)
                add(image.manifestDigest);
        }
    }
    for (const ImageRecord &image : images)
        add(image.manifestDigest);
    return roots;
}

QList<Digest> catalogBlobs(const Catalog &catalog)
{
    QList<Digest> blobs;
    for (const IsoRecord &iso : catalog.isos()) {
        if (const auto digest = Digest::parse(iso.digest))
            blobs.append(*digest);
    }
    return blobs;
}

Result<GcReport> collectGarbage(const ImageStore &store, const GcOptions &options)
{
    using R = Result<GcReport>;
    GcReport report;
    report.dryRun = options.dryRun;
    const QString dir = store.root() + QStringLiteral("/blobs/sha256");
    if (!QFileInfo(dir).isDir())
        return report; // no store yet: nothing to collect

    // Held throughout: publish checks a manifest's blobs under the same lock, so nothing
    // becomes reachable between our marking and our deleting.
    auto lock = oci::lockIndex(store.root());
    if (!lock)
        return R::failure(lock.error());
    auto tags = store.readTags();
    if (!tags)
        return R::failure(Text::tr("not collecting: %1").arg(tags.error()));

    QSet<Digest> reachable;
    auto mark = [&](const Digest &manifestDigest, const QString &what, bool mustExist) -> Status {
        reachable.insert(manifestDigest);
        if (!store.blobs().contains(manifestDigest)) {
            if (mustExist)
                return Status::failure(Text::tr("not collecting: the manifest %1 of %2 is missing; run drover image "
                                                "verify")
                        .arg(manifestDigest.toString(), what));
            report.notes.append(Text::tr("%1: manifest %2 is not in this store").arg(what, manifestDigest.toString()));
            return {};
        }
        // A manifest we cannot read hides which blobs it needs: deleting anything then
        // could destroy an image, so stop.
        auto manifest = store.manifest(manifestDigest);
        if (!manifest)
            return Status::failure(Text::tr("not collecting: %1: %2").arg(what, manifest.error()));
        for (const BlobRef &ref : manifest->blobs())
            reachable.insert(ref.digest);
        return {};
    };
    for (const TagEntry &entry : tags.value()) {
        if (Status s = mark(entry.manifest, entry.tag, true); !s)
            return R::failure(s.error());
    }
    for (const Digest &root : options.roots) {
        if (reachable.contains(root))
            continue;
        if (Status s = mark(root, Text::tr("a catalog image"), false); !s)
            return R::failure(s.error());
    }

    for (const Digest &blob : options.blobs)
        reachable.insert(blob);

    const QDateTime cutoff = QDateTime::currentDateTimeUtc().addSecs(-options.graceSeconds);
    // The blobs, and temporary files: writers' in blobs/sha256; init()'s and QSaveFile's
    // (index.json.XXXXXX, left when a publisher is killed before its rename) in the root.
    QFileInfoList files = QDir(dir).entryInfoList(QDir::Files | QDir::Hidden | QDir::System, QDir::Name);
    files += QDir(store.root())
                 .entryInfoList({ QLatin1String(oci::kTempPrefix) + QLatin1Char('*'),
                                    QLatin1String(oci::kIndexFile) + QStringLiteral(".*") },
                     QDir::Files | QDir::Hidden);
    for (const QFileInfo &file : files) {
        const QString name = file.fileName();
        const bool temp = name.startsWith(QLatin1String(oci::kTempPrefix))
            || name.startsWith(QLatin1String(oci::kIndexFile) + QLatin1Char('.'));
        const Digest digest = Digest::fromHex(name);
        if (!temp && digest.isNull())
            continue; // not ours to judge
        if (!temp && reachable.contains(digest)) {
            ++report.reachable;
            continue;
        }
        if (file.lastModified().toUTC() > cutoff) {
            if (!temp)
                ++report.young;
            continue;
        }
        const GcEntry entry { temp ? name : digest.toString(), file.size() };
        if (!options.dryRun && !QFile::remove(file.filePath()))
            return R::failure(Text::tr("cannot delete %1").arg(file.filePath()));
        (temp ? report.tempFiles : report.blobs).append(entry);
        report.bytesFreed += entry.size;
    }
    if (!options.dryRun && !(report.blobs.isEmpty() && report.tempFiles.isEmpty())) {
        for (const QString &path : { dir, store.root() }) {
            if (Status s = oci::syncDirectory(path); !s)
                return R::failure(s.error());
        }
    }
    return report;
}

} // namespace drover
