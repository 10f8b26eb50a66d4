// Per-boot ids and tokens. Each script the server renders carries a fresh boot id and a
// token the machine's init sends back with every report. The token is an HMAC of the boot id
// and the MAC under a secret kept in the catalog (setting boot/secret), so any Drover sharing
// the catalog — or this one after a restart — can check a report without remembering every
// boot it issued. A boot id starts with its issue time, which bounds the token's life.
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

    // The catalog's secret, created (32 random bytes) on first use.
    static Result<QByteArray> loadOrCreateSecret(Catalog *catalog);

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
