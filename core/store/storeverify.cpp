#include "store/storeverify.h"

#include <QCoreApplication>
#include <QHash>
#include <QSet>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(StoreVerify)
};

// One blob to check and who uses it; blobs shared by images are hashed once.
struct Item {
    BlobRef ref;
    QStringList images;
};

} // namespace

Result<VerifyReport> verifyImages(const ImageStore &store, const QStringList &tags, const VerifyProgress &progress)
{
    using R = Result<VerifyReport>;
    auto all = store.readTags();
    if (!all)
        return R::failure(all.error());
    QList<TagEntry> selected;
    if (tags.isEmpty()) {
        selected = all.value();
    } else {
        for (const QString &tag : tags) {
            auto it = std::find_if(all->cbegin(), all->cend(), [&tag](const TagEntry &e) { return e.tag == tag; });
            if (it == all->cend())
                return R::failure(Text::tr("no image %1 in the store").arg(tag));
            selected.append(*it);
        }
    }

    VerifyReport report;
    QList<Item> items;
    QHash<Digest, qsizetype> position;
    auto add = [&](const BlobRef &ref, const QString &tag) {
        auto it = position.constFind(ref.digest);
        if (it == position.cend()) {
            position.insert(ref.digest, items.size());
            items.append(Item { ref, { tag } });
        } else if (!items[*it].images.contains(tag)) {
            items[*it].images.append(tag);
        }
    };
    // Manifests first: a manifest that cannot be read hides its blobs, and says so.
    QSet<Digest> badManifests;
    for (const TagEntry &entry : selected) {
        report.images.append(entry.tag);
        add(BlobRef { entry.manifest, entry.manifestSize }, entry.tag);
    }
    for (const TagEntry &entry : selected) {
        auto manifest = store.manifest(entry.manifest);
        if (!manifest) {
            badManifests.insert(entry.manifest);
            continue;
        }
        for (const BlobRef &ref : manifest->blobs())
            add(ref, entry.tag);
    }

    qint64 total = 0;
    for (const Item &item : items)
        total += qMax<qint64>(item.ref.size, 0);
    qint64 before = 0;
    for (const Item &item : items) {
        BlobStore::Progress perBlob;
        if (progress)
            perBlob = [&progress, before, total](qint64 done) { return progress(before + done, total); };
        Status s = store.blobs().verify(item.ref, perBlob);
        if (!s && s.error() == BlobStore::cancelledMessage())
            return R::failure(s.error());
        QString message = s.error();
        if (s && badManifests.contains(item.ref.digest)) {
            auto manifest = store.manifest(item.ref.digest);
            message = Text::tr("manifest %1 cannot be read: %2").arg(item.ref.digest.toString(), manifest.error());
        }
        if (!message.isEmpty())
            report.problems.append(BlobProblem { item.ref.digest, item.ref.size, message, item.images });
        ++report.blobs;
        before += qMax<qint64>(item.ref.size, 0);
        report.bytes = before;
    }
    return report;
}

} // namespace drover
