// libFuzzer target: the HTTP request parser and the grammars beside it (query, Range, ETag
// lists). Every input must come back as Incomplete, Complete or an error status — never a
// crash, a hang, or a Complete request whose parts break the parser's promises.
#include "boot/http/httprequest.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace drover::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    const ParseResult r = parseRequest(input);
    switch (r.state) {
    case ParseResult::State::Incomplete:
        break;
    case ParseResult::State::Error:
        if (r.status < 400 || r.status > 599)
            std::abort();
        break;
    case ParseResult::State::Complete: {
        const Request &req = r.request;
        // What the router relies on: an origin-form target with a consistent split, no
        // whitespace or control bytes anywhere in it, and a head that fits the buffer.
        if (r.consumed <= 0 || r.consumed > input.size() || !req.target.startsWith('/') || !req.path.startsWith('/')
            || req.target.size() > 4096)
            std::abort();
        for (char c : req.target) {
            if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f || c == '#')
                std::abort();
        }
        if (req.path.contains('?'))
            std::abort();
        for (const auto &h : req.headers) {
            if (h.first.isEmpty() || h.first != h.first.toLower() || h.second.contains('\n') || h.second.contains('\r'))
                std::abort();
        }
        if (auto query = parseQuery(req.query)) {
            for (auto it = query->cbegin(); it != query->cend(); ++it) {
                for (QChar c : it.value()) {
                    if (c.unicode() < 0x20)
                        std::abort();
                }
            }
        }
        break;
    }
    }
    // The same bytes as a Range header against a few sizes.
    for (qint64 resource : { qint64(0), qint64(1), qint64(1000), qint64(1) << 40 }) {
        ByteRange range;
        if (parseRange(input, resource, &range) == RangeCheck::Partial) {
            if (range.first < 0 || range.last < range.first || range.last >= resource)
                std::abort();
        }
    }
    (void)etagMatches(input, "\"sha256:00\"", true);
    return 0;
}
