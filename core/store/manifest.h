// Manifest: what an image is made of — kernel, initramfs and ordered root layers, each by
// digest and size — plus name, version, architecture, kernel args, the recipe's digest and
// build information. Serialized as canonical JSON (sorted keys, compact) so the same image
// always has the same manifest digest; the manifest is itself a blob in the store.
#pragma once

#include "store/digest.h"
#include "util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace drover {

inline constexpr auto kManifestMediaType = "application/vnd.drover.manifest.v1+json";

struct BlobRef {
    Digest digest;
    qint64 size = 0;
};

struct LayerRef {
    Digest digest;
    qint64 size = 0;
    QString type; // "squashfs" or "erofs"
    QString role; // "base" (bootstrap + packages) or "top" (files, users, scripts)
};

struct Manifest {
    QString name;
    QString version;
    QString architecture = QStringLiteral("amd64");
    QString format = QStringLiteral("layers"); // "layers" or "initramfs" (whole root in the initrd)
    BlobRef kernel;
    BlobRef initrd;
    QList<LayerRef> layers; // bottom first
    QString kernelArgs;
    Digest recipeDigest;
    QJsonObject build; // created, builder, sourceDateEpoch, packages …: informative only

    QString tag() const { return name + QLatin1Char(':') + version; }
    // Every blob the manifest names, kernel and initrd first.
    QList<BlobRef> blobs() const;
    // The same, each with where the manifest names it: "kernel", "initrd", "layers[0]", …
    QList<std::pair<QString, BlobRef>> namedBlobs() const;
    qint64 totalSize() const;

    QByteArray toJson() const; // canonical: same manifest, same bytes
    // Parses and validates: names what is missing or malformed ("layers[1].digest: …").
    static Result<Manifest> fromJson(const QByteArray &json);
};

// name and version as a tag accepts them: [A-Za-z0-9][A-Za-z0-9._-]{0,127}
bool isValidImageName(const QString &text);
bool isValidImageVersion(const QString &text);
// Splits "name:version"; nullopt when either part is invalid.
std::optional<std::pair<QString, QString>> splitTag(const QString &tag);

} // namespace drover
