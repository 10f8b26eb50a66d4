// ResourceLimits: every bound the boot services put on what one client may hold — DHCP
// address quarantine after a DECLINE, TFTP slots and timeouts, HTTP connections and deadlines,
// boot-event retention, auto-registrations per minute — each a named catalog setting with a
// default, read in one place so docs/security.md, the services and the tests agree.
// A missing or unreadable value means the default; a value out of range is clamped.
#pragma once

#include <QList>
#include <QMap>
#include <QString>

namespace drover {

class Catalog;

struct ResourceLimits {
    // DHCP (full mode): how long an address declined by its lease holder stays out of the pool.
    int declineQuarantineSeconds = 600; // dhcp/decline-quarantine
    // TFTP: a client may ask for a retransmission timeout (RFC 2349) of at most this; a larger
    // one is not acknowledged and the server's default applies.
    int tftpMaxTimeoutSeconds = 5; // tftp/max-timeout
    int tftpMaxPerClient = 8; // tftp/max-per-client: transfers at once from one address
    int tftpMaxTransfers = 500; // tftp/max-transfers: transfers at once in all
    // HTTP
    int httpMaxPerClient = 256; // http/max-per-client: open connections from one address
    int httpMaxConnections = 16384; // http/max-connections: in all (also bounded by the open-file limit)
    int httpIdleSeconds = 10; // http/idle-timeout: a connection sends a whole request within this
    int httpStallSeconds = 30; // http/stall-timeout: … and reads at least stallBytes of a response
    int httpStallBytes = 16384; // http/stall-bytes   within each such period
    // Boot events: the newest maxCount, none older than maxAgeDays.
    int eventsMaxCount = 200'000; // events/max-count
    int eventsMaxAgeDays = 90; // events/max-age-days
    // Unknown machines registered by the boot path (boot/unknown register or boot).
    int registerPerMinute = 30; // boot/register-per-minute

    struct Key {
        const char *key;
        int ResourceLimits::*field;
        int min, max;
        const char *unit; // for docs and messages
    };
    // Every setting: key, field, accepted range.
    static const QList<Key> &keys();

    // The limits from a map of catalog settings (key → value).
    static ResourceLimits fromSettings(const QMap<QString, QString> &settings);
    // Reads every key from the catalog (one query per prefix).
    static ResourceLimits fromCatalog(const Catalog &catalog);
    // One setting's value from text: the default when empty or not a number, else clamped.
    static int parse(const QString &text, int fallback, int min, int max);
    // HTTP connections allowed in all: the setting, but within the open-file limit, since a
    // connection may hold two descriptors (its socket and a blob it streams) and a share of
    // the limit stays for TFTP transfers, the catalog and the store.
    int httpConnectionCap(qint64 openFileLimit) const;
};

} // namespace drover
