// The line format of the reports a booted machine posts (POST /inventory, POST /tests): one
// "key<TAB>value" per line, keys of letters, digits, '.', '_' and '-', values on one line
// without control characters, bounded in size. One reader for both, so both refuse the same
// malformed input the same way, naming the line.
#pragma once

#include <QByteArrayView>
#include <QString>
#include <QStringView>

#include <functional>

namespace drover {

// Calls `take` with each non-empty line's key and (trimmed) value, in order. Returns empty
// when every line was taken, else why not: the report's size, or "line N: …" for the first
// malformed line or the first `take` refused (its non-empty answer is the reason). Bytes that
// are not UTF-8 become U+FFFD rather than cost the report (an odd DMI string).
QString readReportLines(QByteArrayView text, qsizetype maxBytes, qsizetype maxValue,
    const std::function<QString(QStringView key, const QString &value)> &take);

} // namespace drover
