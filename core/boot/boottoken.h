// Per-boot ids and tokens. Each script the server renders carries a fresh boot id and a
// token the machine's init sends back with every report. The token is an HMAC of the boot id
// and the MAC under a secret kept in the data directory (DATA/boot-secret, mode 0600), apart
// from the catalog, so reading the catalog alone forges no token. A token proves only that
// this server issued that boot id for that MAC: what the boot may do (its address, its
// deadline, whether it is the machine's newest boot, what it fetched once) is checked against
// the boot session (BootRoutes, table boot_session). A boot id starts with its issue time.
#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace drover {

class Catalog;

class BootTokens {
public:
    static constexpr qint64 kLifetimeSeconds = qint64(24) * 3600;

    explicit BootTokens(QByteArray secret = {});

    // The secret in `dataDir`/boot-secret (0600), created (32 random bytes) on first use.
    // A catalog of an older Drover kept it in the setting boot/secret: that one is moved to
    // the file (so running boots keep their tokens) and removed from the catalog. Several
    // Drovers on one PostgreSQL catalog need the same file (docs/security.md).
    static Result<QByteArray> loadOrCreateSecret(Catalog *catalog, const QString &dataDir);
    static QString secretPath(const QString &dataDir);

    struct Issued {
        QString bootId; // 16 hex digits: issue time (seconds) and 32 random bits
        QString token; // 32 hex digits
    };
    Issued issue(const QString &mac, const QDateTime &now = QDateTime::currentDateTimeUtc()) const;

    enum class Check { Valid, Malformed, Forged, Expired };
    Check check(const QString &bootId, const QString &mac, const QString &token,
        const QDateTime &now = QDateTime::currentDateTimeUtc()) const;

    static bool isBootId(const QString &text);
    static bool isToken(const QString &text);

private:
    QString tokenFor(const QString &bootId, const QString &mac) const;

    QByteArray m_secret;
};

} // namespace drover
