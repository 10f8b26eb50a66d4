// The request parser and the small grammars around it (query, Range, ETag lists).
#include "boot/http/httprequest.h"

#include <QStringDecoder>

namespace drover::http {

namespace {

bool isTchar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

bool isHex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return c - 'A' + 10;
}

// RFC 3986 pchar, '/' and '?', with percent escapes checked.
bool isValidTarget(QByteArrayView target)
{
    for (qsizetype i = 0; i < target.size(); ++i) {
        const char c = target[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            continue;
        switch (c) {
        case '-':
        case '.':
        case '_':
        case '~':
        case '!':
        case '$':
        case '&':
        case '\'':
        case '(':
        case ')':
        case '*':
        case '+':
        case ',':
        case ';':
        case '=':
        case ':':
        case '@':
        case '/':
        case '?':
            continue;
        case '%':
            if (i + 2 >= target.size() || !isHex(target[i + 1]) || !isHex(target[i + 2]))
                return false;
            i += 2;
            continue;
        default:
            return false;
        }
    }
    return true;
}

// The path percent-decoded (RFC 3986 section 2.1; escapes already checked by isValidTarget).
// iPXE builds from 2019 (Debian 12's ROM) encode the ':' of "/blobs/sha256:..." and retry a
// refusal forever, so routes see the decoded form. An encoded '/' is refused, since it would
// make the router and a file system disagree on where a segment ends, and so is an encoded
// control character, since the path is logged. So are an encoded '?' and '#': the decoded
// path must not look like it holds a query or fragment to code that splits on them (found by
// fuzz_http).
std::optional<QByteArray> decodePath(QByteArrayView raw)
{
    if (!raw.contains('%'))
        return raw.toByteArray();
    QByteArray out;
    out.reserve(raw.size());
    for (qsizetype i = 0; i < raw.size(); ++i) {
        if (raw[i] != '%') {
            out.append(raw[i]);
            continue;
        }
        const char c = static_cast<char>(hexValue(raw[i + 1]) * 16 + hexValue(raw[i + 2]));
        if (c == '/' || c == '?' || c == '#' || (c >= 0 && c < 0x20) || c == 0x7f)
            return std::nullopt;
        out.append(c);
        i += 2;
    }
    return out;
}

// Runs of '/' as one. shim, loaded by UEFI HTTP Boot, asks for its second stage at its own
// URL's directory plus "/grubx64.efi" — "//grubx64.efi" — and web servers merge the slashes
// (nginx's merge_slashes), so the routes see the path they know.
QByteArray mergeSlashes(QByteArray path)
{
    if (!path.contains("//"))
        return path;
    QByteArray out;
    out.reserve(path.size());
    for (const char c : std::as_const(path)) {
        if (c != '/' || !out.endsWith('/'))
            out.append(c);
    }
    return out;
}

ParseResult error(int status, const char *reason)
{
    ParseResult r;
    r.state = ParseResult::State::Error;
    r.status = status;
    r.reason = reason;
    return r;
}

bool isOws(char c)
{
    return c == ' ' || c == '\t';
}

QByteArrayView trimOws(QByteArrayView v)
{
    while (!v.isEmpty() && isOws(v.front()))
        v = v.sliced(1);
    while (!v.isEmpty() && isOws(v.back()))
        v.chop(1);
    return v;
}

// A line ending in LF (CR before it optional). Returns the line without its ending, or
// nullopt when no LF is there yet. *bad is set on a CR anywhere else.
std::optional<QByteArrayView> nextLine(QByteArrayView buffer, qsizetype from, qsizetype *next, bool *bad)
{
    const qsizetype lf = buffer.indexOf('\n', from);
    if (lf < 0)
        return std::nullopt;
    QByteArrayView line = buffer.sliced(from, lf - from);
    if (!line.isEmpty() && line.back() == '\r')
        line.chop(1);
    *bad = line.contains('\r');
    *next = lf + 1;
    return line;
}

// QByteArrayView has no split(): the parts between separators, empty ones included.
QList<QByteArrayView> splitView(QByteArrayView text, char separator)
{
    QList<QByteArrayView> parts;
    qsizetype from = 0;
    while (true) {
        const qsizetype at = text.indexOf(separator, from);
        if (at < 0) {
            parts.append(text.sliced(from));
            return parts;
        }
        parts.append(text.sliced(from, at - from));
        from = at + 1;
    }
}

bool parseDigits(QByteArrayView text, qint64 *value)
{
    if (text.isEmpty() || text.size() > 18)
        return false;
    qint64 v = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *value = v;
    return true;
}

} // namespace

QByteArray Request::header(QByteArrayView lowerName) const
{
    for (const auto &h : headers) {
        if (h.first == lowerName)
            return h.second;
    }
    return {};
}

ParseResult parseRequest(QByteArrayView buffer, const Limits &limits)
{
    // A few empty lines before the request line are tolerated (RFC 9112 section 2.2).
    qsizetype pos = 0;
    for (int i = 0; i < 4 && pos < buffer.size(); ++i) {
        if (buffer.sliced(pos).startsWith("\r\n"))
            pos += 2;
        else if (buffer[pos] == '\n')
            pos += 1;
        else
            break;
    }
    const qsizetype start = pos;
    bool bad = false;
    qsizetype next = 0;
    const auto requestLine = nextLine(buffer, pos, &next, &bad);
    if (!requestLine) {
        if (buffer.size() - start > limits.maxRequestLine)
            return error(414, "request line too long");
        return {};
    }
    if (requestLine->size() > limits.maxRequestLine)
        return error(414, "request line too long");
    if (bad)
        return error(400, "bare CR in the request line");

    ParseResult r;
    Request &req = r.request;
    const qsizetype sp1 = requestLine->indexOf(' ');
    const qsizetype sp2 = sp1 < 0 ? -1 : requestLine->indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 < 0 || requestLine->indexOf(' ', sp2 + 1) >= 0)
        return error(400, "request line is not METHOD TARGET VERSION");
    const QByteArrayView method = requestLine->first(sp1);
    const QByteArrayView target = requestLine->sliced(sp1 + 1, sp2 - sp1 - 1);
    const QByteArrayView version = requestLine->sliced(sp2 + 1);
    if (method.size() > 16)
        return error(501, "method too long");
    for (char c : method) {
        if (!isTchar(c))
            return error(400, "method is not a token");
    }
    if (target.isEmpty() || target.front() != '/')
        return error(400, "only origin-form targets (/path) are accepted");
    if (!isValidTarget(target))
        return error(400, "invalid character or escape in the target");
    if (version == "HTTP/1.1")
        req.minorVersion = 1;
    else if (version == "HTTP/1.0")
        req.minorVersion = 0;
    else if (version.size() == 8 && version.startsWith("HTTP/") && version[5] >= '0' && version[5] <= '9'
        && version[6] == '.' && version[7] >= '0' && version[7] <= '9')
        return error(505, "HTTP version not supported");
    else
        return error(400, "malformed HTTP version");
    req.method = method.toByteArray();
    req.target = target.toByteArray();
    const qsizetype q = target.indexOf('?');
    const auto path = decodePath(q < 0 ? target : target.first(q));
    if (!path)
        return error(400, "encoded '/' or control character in the path");
    req.path = mergeSlashes(*path);
    req.query = q < 0 ? QByteArray() : target.sliced(q + 1).toByteArray();

    // Header fields.
    pos = next;
    bool sawHost = false;
    bool sawLength = false;
    QByteArray connection;
    while (true) {
        const auto field = nextLine(buffer, pos, &next, &bad);
        if (!field) {
            if (buffer.size() - start > limits.maxHeadBytes)
                return error(431, "request head too large");
            return {};
        }
        if (next - start > limits.maxHeadBytes)
            return error(431, "request head too large");
        if (bad)
            return error(400, "bare CR in a header field");
        pos = next;
        if (field->isEmpty())
            break;
        if (isOws(field->front()))
            return error(400, "obsolete line folding");
        const qsizetype colon = field->indexOf(':');
        if (colon <= 0)
            return error(400, "header field without a name");
        QByteArrayView name = field->first(colon);
        for (char c : name) {
            if (!isTchar(c))
                return error(400, "invalid header field name");
        }
        const QByteArrayView value = trimOws(field->sliced(colon + 1));
        for (char c : value) {
            const auto u = static_cast<unsigned char>(c);
            if ((u < 0x20 && c != '\t') || u == 0x7f)
                return error(400, "control character in a header value");
        }
        if (req.headers.size() >= limits.maxHeaders)
            return error(431, "too many header fields");
        const QByteArray lower = name.toByteArray().toLower();
        if (lower == "host") {
            if (sawHost)
                return error(400, "more than one Host");
            sawHost = true;
        } else if (lower == "content-length") {
            qint64 length = 0;
            if (sawLength || !parseDigits(value, &length))
                return error(400, "invalid Content-Length");
            // Only POST carries a body here; a GET with one is a smuggling attempt or a bug.
            if (length != 0 && (limits.maxBody <= 0 || req.method != "POST"))
                return error(400, "requests with a body are not accepted");
            if (length > limits.maxBody)
                return error(413, "request body larger than the limit");
            req.contentLength = length;
            sawLength = true;
        } else if (lower == "transfer-encoding") {
            return error(501, "Transfer-Encoding is not supported");
        } else if (lower == "connection") {
            connection += value.toByteArray().toLower() + ',';
        } else if (lower == "range" && !req.header("range").isNull()) {
            return error(400, "more than one Range");
        }
        req.headers.emplaceBack(lower, value.toByteArray());
    }
    if (req.minorVersion == 1 && !sawHost)
        return error(400, "HTTP/1.1 request without Host");

    bool close = false;
    bool keepAlive = false;
    for (QByteArrayView token : splitView(connection, ',')) {
        token = trimOws(token);
        close = close || token == "close";
        keepAlive = keepAlive || token == "keep-alive";
    }
    req.keepAlive = req.minorVersion == 1 ? !close : (keepAlive && !close);
    r.state = ParseResult::State::Complete;
    r.consumed = pos;
    return r;
}

std::optional<QMap<QString, QString>> parseQuery(QByteArrayView query, int maxItems, int maxValue)
{
    QMap<QString, QString> items;
    if (query.isEmpty())
        return items;
    for (QByteArrayView item : splitView(query, '&')) {
        if (item.isEmpty())
            continue;
        if (items.size() >= maxItems)
            return std::nullopt;
        const qsizetype eq = item.indexOf('=');
        const QByteArrayView parts[2]
            = { eq < 0 ? item : item.first(eq), eq < 0 ? QByteArrayView() : item.sliced(eq + 1) };
        QString decoded[2];
        for (int p = 0; p < 2; ++p) {
            QByteArray bytes;
            bytes.reserve(parts[p].size());
            for (qsizetype i = 0; i < parts[p].size(); ++i) {
                const char c = parts[p][i];
                if (c == '+') {
                    bytes.append(' ');
                } else if (c == '%') {
                    if (i + 2 >= parts[p].size() || !isHex(parts[p][i + 1]) || !isHex(parts[p][i + 2]))
                        return std::nullopt;
                    bytes.append(char(hexValue(parts[p][i + 1]) * 16 + hexValue(parts[p][i + 2])));
                    i += 2;
                } else {
                    bytes.append(c);
                }
            }
            for (char c : bytes) {
                const auto u = static_cast<unsigned char>(c);
                if (u < 0x20 || u == 0x7f)
                    return std::nullopt;
            }
            QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
            decoded[p] = utf8.decode(bytes);
            if (utf8.hasError())
                return std::nullopt;
        }
        if (decoded[0].isEmpty() || decoded[0].size() > 64 || decoded[1].size() > maxValue
            || items.contains(decoded[0]))
            return std::nullopt;
        items.insert(decoded[0], decoded[1]);
    }
    return items;
}

RangeCheck parseRange(QByteArrayView value, qint64 size, ByteRange *range)
{
    value = trimOws(value);
    const qsizetype eq = value.indexOf('=');
    if (eq < 0 || QByteArrayView(value.first(eq)).toByteArray().toLower() != "bytes")
        return RangeCheck::Whole; // another unit: ignored, as RFC 9110 asks
    const QByteArrayView spec = trimOws(value.sliced(eq + 1));
    if (spec.contains(','))
        return RangeCheck::Whole; // several ranges: a server may answer with the whole
    const qsizetype dash = spec.indexOf('-');
    if (dash < 0)
        return RangeCheck::Unsatisfiable;
    const QByteArrayView a = trimOws(spec.first(dash));
    const QByteArrayView b = trimOws(spec.sliced(dash + 1));
    qint64 first = 0;
    qint64 last = 0;
    if (a.isEmpty()) {
        // Suffix: the last N bytes.
        qint64 suffix = 0;
        if (!parseDigits(b, &suffix) || suffix == 0 || size == 0)
            return RangeCheck::Unsatisfiable;
        first = qMax<qint64>(0, size - suffix);
        last = size - 1;
    } else {
        if (!parseDigits(a, &first))
            return RangeCheck::Unsatisfiable;
        if (b.isEmpty()) {
            last = size - 1;
        } else if (!parseDigits(b, &last) || last < first) {
            return RangeCheck::Unsatisfiable;
        }
        if (first >= size)
            return RangeCheck::Unsatisfiable;
        last = qMin(last, size - 1);
    }
    range->first = first;
    range->last = last;
    return RangeCheck::Partial;
}

bool etagMatches(QByteArrayView list, QByteArrayView etag, bool weak)
{
    for (QByteArrayView item : splitView(list, ',')) {
        item = trimOws(item);
        if (item == "*")
            return true;
        if (item.startsWith("W/")) {
            if (!weak)
                continue;
            item = item.sliced(2);
        }
        if (item == etag)
            return true;
    }
    return false;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 416:
        return "Range Not Satisfiable";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Unknown";
    }
}

} // namespace drover::http
