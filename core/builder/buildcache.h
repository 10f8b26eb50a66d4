// BuildCache: what survives between builds, under <data dir>/cache/build —
//   debs/          .deb files apt downloaded, hard-linked into each bootstrap and back
//   base/<key>.json  a base layer and its kernel by digest, keyed by the digest of everything
//                  that went into them (recipe base fields, mirror, the suite's release file,
//                  SOURCE_DATE_EPOCH, the pipeline version); the blobs live in the store
//   work/<pid>-…   temporary trees of running builds, removed when they end (or by the next
//                  build, when the process that made them is gone)
// Entries are written atomically (temp file + rename), so a failed or cancelled build never
// leaves a half-written one.
#pragma once

#include "store/manifest.h"
#include "util/result.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace drover {

struct BaseCacheEntry {
    QString key;
    QString partialKey; // the key without the release file: for offline rebuilds
    LayerRef layer;
    BlobRef kernel;
    QString kernelRelease;
    qint64 sourceDateEpoch = 0;
    QJsonObject packages; // name → version

    QJsonObject toJson() const;
    static std::optional<BaseCacheEntry> fromJson(const QJsonObject &o);
};

class BuildCache {
public:
    explicit BuildCache(QString dir, QString debDir = {});

    QString dir() const { return m_dir; }
    QString debDir() const { return m_debDir; }
    Status init() const;

    std::optional<BaseCacheEntry> lookup(const QString &key) const;
    // The newest entry with this partial key (when the mirror cannot be reached).
    std::optional<BaseCacheEntry> latest(const QString &partialKey) const;
    Status store(const BaseCacheEntry &entry) const;

    // A fresh temporary directory for one build; removes those of dead processes first.
    Result<QString> makeWorkDir() const;

private:
    QString m_dir;
    QString m_debDir;
};

} // namespace drover
