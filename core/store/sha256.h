// Sha256: incremental SHA-256 for the store's bulk paths (writes, verify, bundles). It uses
// the system's libcrypto, loaded at run time the way Qt Network loads libssl, because that
// code uses the CPU's SHA instructions: measured here 2 GB/s against 45 MB/s for
// QCryptographicHash's portable code, which would make hashing, not the disk, the limit of
// every import and verify. Without libcrypto it falls back to QCryptographicHash.
#pragma once

#include "store/digest.h"
#include "util/result.h"

#include <QByteArrayView>
#include <QCryptographicHash>

#include <memory>

namespace drover {

class Sha256 final {
    Q_DISABLE_COPY_MOVE(Sha256)
public:
    enum class Engine { Best, Portable };
    explicit Sha256(Engine engine = Engine::Best);
    ~Sha256();

    void addData(QByteArrayView data);
    Digest result(); // once: the hash cannot be extended after this

    // True when libcrypto was found (and DROVER_SHA256=portable is not set).
    static bool accelerated();
    static Digest ofBytes(QByteArrayView data, Engine engine = Engine::Best);
    // A whole file, read in 1 MiB chunks; fails with the file's name and the reason.
    static Result<Digest> ofFile(const QString &path);

private:
    void *m_ctx = nullptr; // EVP_MD_CTX when accelerated
    std::unique_ptr<QCryptographicHash> m_portable;
};

} // namespace drover
