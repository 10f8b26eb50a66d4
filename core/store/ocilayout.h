// The pieces of the on-disk OCI image layout that blobs, tags, GC and bundles share: file
// names, the index.json format, durable small-file writes and the index lock.
#pragma once

#include "store/digest.h"
#include "util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QLockFile>
#include <QString>

#include <memory>

namespace drover::oci {

inline constexpr auto kLayoutFile = "oci-layout";
inline constexpr auto kIndexFile = "index.json";
inline constexpr auto kIndexMediaType = "application/vnd.oci.image.index.v1+json";
inline constexpr auto kRefNameAnnotation = "org.opencontainers.image.ref.name";
// The recipe an image was built from, carried in a bundle's index.json.
inline constexpr auto kRecipeAnnotation = "io.drover.recipe";
inline constexpr auto kTempPrefix = ".tmp-";
inline constexpr auto kLockFile = ".drover-index.lock";
inline constexpr qint64 kChunk = 1 << 20;

QByteArray layoutJson();

// One entry of index.json's "manifests".
struct Descriptor {
    QString tag; // the ref.name annotation: name:version
    Digest digest;
    qint64 size = 0;
    QJsonObject annotations; // all of them, ref.name included
};

QByteArray indexJson(const QList<Descriptor> &descriptors);
// Parses index.json; names the entry that is wrong.
Result<QList<Descriptor>> parseIndex(const QByteArray &json);

// A unique name for a temporary file in the blobs directory (".tmp-<pid>-<random>").
QString tempFileName();
// fsync on a directory, so a rename in it is durable.
Status syncDirectory(const QString &path);
// Creates `path` with `content` unless it exists: written and fsynced under a temporary
// name, then linked into place, so a concurrent creator never overwrites it.
Status createOnce(const QString &path, const QByteArray &content);
// Replaces `path` atomically and durably (QSaveFile, then the directory fsynced).
Status replaceFile(const QString &path, const QByteArray &content);

// The lock that serialises read-modify-write of index.json (and GC) across processes.
// A lock left by a killed process is taken over (QLockFile checks the holder's PID).
Result<std::unique_ptr<QLockFile>> lockIndex(const QString &root);

} // namespace drover::oci
