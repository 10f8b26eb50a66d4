// BlobStore: immutable blobs addressed by sha256, on disk as an OCI image layout
// (oci-layout, index.json, blobs/sha256/<hex>). Every write goes to a temporary file while
// hashing, is refused on a digest mismatch, is fsynced, renamed into place and its directory
// fsynced: a crash at any point leaves either no blob or a whole, verified one. Safe to use
// from several threads and processes at once (same-blob writes race harmlessly to one file).
#pragma once

#include "store/manifest.h"
#include "util/result.h"

#include <QString>

#include <functional>

class QIODevice;

namespace drover {

class BlobStore {
public:
    // Called with the bytes done so far; return false to cancel the operation.
    using Progress = std::function<bool(qint64 done)>;

    explicit BlobStore(QString root);

    // Creates the OCI layout (oci-layout, index.json, blobs/sha256/) if missing.
    Status init() const;
    QString root() const { return m_root; }
    QString blobPath(const Digest &digest) const; // root/blobs/sha256/<hex>
    bool contains(const Digest &digest) const;
    qint64 size(const Digest &digest) const; // -1 when absent

    // Copies while hashing. With a non-null `expected`, a mismatch is refused and nothing
    // is stored. Storing a blob that exists already is harmless and returns it.
    Result<BlobRef> putFile(
        const QString &sourcePath, const Digest &expected = {}, const Progress &progress = {}) const;
    Result<BlobRef> putDevice(QIODevice *source, const Digest &expected = {}, const Progress &progress = {}) const;
    // Like putDevice, and also refuses a source whose length is not `expected.size`
    // (stopping as soon as it is longer): for bundle entries and downloads whose size is known.
    Result<BlobRef> putVerified(QIODevice *source, const BlobRef &expected, const Progress &progress = {}) const;
    Result<BlobRef> putBytes(const QByteArray &bytes) const;
    // Reads a small blob (manifests) whole, verifying its digest; refuses above maxSize.
    Result<QByteArray> readAll(const Digest &digest, qint64 maxSize = 16 << 20) const;
    // Re-hashes the blob on disk: ok, or what is wrong (missing, short, different digest).
    Status verify(const Digest &digest, const Progress &progress = {}) const;
    // Also checks the size first (cheap), as a manifest states it.
    Status verify(const BlobRef &ref, const Progress &progress = {}) const;

    // The message of an operation a Progress callback cancelled.
    static QString cancelledMessage();

private:
    QString m_root;
};

} // namespace drover
