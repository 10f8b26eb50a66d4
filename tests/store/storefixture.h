// Shared pieces of the store tests: random content, images made of random blobs, and
// looking at the files a store holds.
#pragma once

#include "store/imagestore.h"

#include <QByteArray>
#include <QStringList>

namespace drover::test {

// Deterministic pseudo-random bytes (seeded), so a failing case can be re-run.
QByteArray randomBytes(qint64 size, quint32 seed);

// Puts kernel, initrd and one blob per layer size into `blobs` and returns a manifest
// naming them. Same seed, same blobs.
Manifest makeImage(const BlobStore &blobs, const QString &name, const QString &version, const QList<qint64> &layerSizes,
    quint32 seed, qint64 kernelSize = 4096, qint64 initrdSize = 8192);

// File names in blobs/sha256 (temporary files included).
QStringList blobDirEntries(const QString &root);
// Names of files in blobs/sha256 that start with ".tmp-".
QStringList tempFiles(const QString &root);

void writeFile(const QString &path, const QByteArray &bytes);
// Flips one byte of a file in place (chmod'ing it writable if need be).
void flipByte(const QString &path, qint64 offset);
// Sets a file's modification time `seconds` into the past.
void age(const QString &path, qint64 seconds);

} // namespace drover::test
