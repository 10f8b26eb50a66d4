// HTTP/1.1 request parsing for the boot server: strict, bounded, and free of I/O so it can be
// fuzzed. A request head is accepted only when every part is well formed (RFC 9112): origin-
// form targets only, token methods, no obsolete line folding, no whitespace before a colon,
// one Content-Length at most, Host required in HTTP/1.1. Anything else is an error status
// and the connection closes, because its framing can no longer be trusted.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>

#include <optional>

namespace drover::http {

struct Limits {
    int maxRequestLine = 4096; // beyond: 414
    int maxHeadBytes = 16384; // request line and headers; beyond: 431
    int maxHeaders = 64; // beyond: 431
    // Request bodies (Content-Length only): 0 refuses any body (400); beyond: 413. The boot
    // server takes small ones (a machine's hardware inventory), never chunked ones.
    qint64 maxBody = 0;
};

struct Request {
    QByteArray method; // as sent; only GET and HEAD are served
    QByteArray target; // origin-form: /path?query
    QByteArray path; // before '?', percent-decoded (an encoded '/' or control is a 400)
    QByteArray query; // after '?', still percent-encoded
    int minorVersion = 1; // HTTP/1.0 or HTTP/1.1
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased, values trimmed
    bool keepAlive = true;
    qint64 contentLength = 0; // the body that follows the head (parseRequest leaves it unread)
    QByteArray body; // filled by the engine once all contentLength bytes arrived

    bool isHead() const { return method == "HEAD"; }
    // The value of a header, or a null array; several copies are an error found by parse.
    QByteArray header(QByteArrayView lowerName) const;
};

struct ParseResult {
    enum class State { Incomplete, Complete, Error };
    State state = State::Incomplete;
    int status = 0; // for Error: 400, 413, 414, 431, 501, 505
    QByteArray reason; // for Error: what was wrong, for the log
    qsizetype consumed = 0; // for Complete: bytes of the head, CRLFCRLF included
    Request request;
};

// Parses the head at the start of `buffer`.
ParseResult parseRequest(QByteArrayView buffer, const Limits &limits = {});

// Splits and percent-decodes an application/x-www-form-urlencoded query ('+' is a space).
// nullopt on a malformed escape, invalid UTF-8, a repeated key, a control character, more
// than maxItems items or a value longer than maxValue.
std::optional<QMap<QString, QString>> parseQuery(QByteArrayView query, int maxItems = 16, int maxValue = 1024);

struct ByteRange {
    qint64 first = 0;
    qint64 last = 0; // inclusive
    qint64 length() const { return last - first + 1; }
};

enum class RangeCheck {
    Whole, // no usable Range header (absent, another unit, several ranges): send it all
    Partial, // one satisfiable range: 206
    Unsatisfiable, // 416
};

// A Range header value against a resource of `size` bytes.
RangeCheck parseRange(QByteArrayView value, qint64 size, ByteRange *range);

// An ETag list (If-None-Match, If-Range) contains `etag` (quoted form) or "*".
// weak: If-None-Match compares weakly (W/ ignored); If-Range needs a strong match.
bool etagMatches(QByteArrayView list, QByteArrayView etag, bool weak);

QByteArray reasonPhrase(int status);

} // namespace drover::http
