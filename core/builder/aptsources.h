// The Debian mirror a recipe uses when it names none: the first binary ("deb") source of the
// host's own apt configuration — deb822 .sources files and one-line sources.list entries —
// that is not a security or backports archive. Drover never carries a mirror host itself.
#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

#include <atomic>
#include <optional>

namespace drover {

struct AptSourcesText {
    QString sourcesList; // /etc/apt/sources.list and *.list, concatenated
    QStringList deb822; // each *.sources file
};

// The mirror URI (without a trailing slash), or nullopt when none qualifies.
std::optional<QString> mirrorFromAptSources(const AptSourcesText &text);
// Reads `etcApt` (default /etc/apt) and picks the mirror.
std::optional<QString> hostMirror(const QString &etcApt = QStringLiteral("/etc/apt"));

// Fetches <mirror>/dists/<suite>/InRelease (http, https or file): its digest says whether the
// archive changed since a cached build, its Date is a reproducible SOURCE_DATE_EPOCH.
Result<QByteArray> fetchRelease(const QString &mirror, const QString &suite, const std::atomic_bool &cancel);
// The Date field of a Release file, or an invalid QDateTime.
QDateTime releaseDate(const QByteArray &release);

} // namespace drover
