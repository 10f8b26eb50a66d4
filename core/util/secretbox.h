// SecretBox: seals short secrets (BMC passwords) for storage in the catalog with a key kept
// apart from it, in a 0600 file in the data directory (DATA/secrets.key). Qt has no AES, so
// the cipher is a keyed stream built from HMAC-SHA256 in counter mode, with an HMAC-SHA256
// tag over nonce and ciphertext (encrypt-then-MAC, separate derived keys). This protects a
// copied or leaked catalog; anyone who can read both the catalog and the key file can read
// the secrets (docs/security.md says so).
#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QString>

#include <memory>

class QObject;

namespace drover {

class SecretBox final {
public:
    // Reads the key file, or makes one (32 random bytes, mode 0600) when it is missing; a key
    // file readable by others is tightened to 0600. *note says so when it was.
    static Result<std::shared_ptr<const SecretBox>> openKeyFile(const QString &path, QString *note = nullptr);
    // A box on a given key (tests).
    explicit SecretBox(QByteArray key);

    // "sealed:v1:" + base64(nonce | ciphertext | tag).
    QString seal(const QString &secret) const;
    // The secret again; a failure when the text was not sealed with this key or was changed.
    Result<QString> unseal(const QString &sealed) const;
    static bool isSealed(const QString &text);

    // The box that belongs to a catalog (set by Lab::open for the catalog it opens): code
    // that has only a Catalog finds its key here. Null when none was registered.
    static void registerFor(const QObject *owner, std::shared_ptr<const SecretBox> box);
    static void unregister(const QObject *owner);
    static std::shared_ptr<const SecretBox> of(const QObject *owner);

private:
    QByteArray keystream(const QByteArray &nonce, qsizetype size) const;
    QByteArray m_encKey;
    QByteArray m_macKey;
};

} // namespace drover
