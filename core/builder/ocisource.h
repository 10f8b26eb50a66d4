// OciSource: the layers of a container image, as `docker save`, `podman save` and
// `skopeo copy` write them: an OCI image layout directory (oci-layout, index.json, blobs/)
// or the unpacked contents of an oci-archive or docker-archive tarball. Every blob the layout
// names is checked against its sha256 before a layer is used; a docker-archive's layers
// against the config's diff_ids.
#pragma once

#include "util/result.h"

#include <QString>
#include <QStringList>

#include <functional>

namespace drover {

struct OciSource {
    QString kind; // "OCI layout" or "docker-archive"
    QStringList layers; // layer tarballs, bottom first (plain, gzip or zstd)
    QString configDigest; // "sha256:…"
};

// `dir` holds an OCI image layout or a docker-archive's files. With several images in an
// index, the one for linux/amd64 is taken.
Result<OciSource> readOciSource(const QString &dir);

// The part of a layer entry's path that a whiteout names: for "usr/.wh.foo" the directory
// "usr" and "foo"; for "etc/.wh..wh..opq" the directory "etc" and "" (opaque: the lower
// layers' entries of the directory are hidden). Returns false for a path that is no whiteout,
// or that tries to leave the root ("..", an empty name).
bool parseWhiteout(const QString &entry, QString *dir, QString *name);

// The first entry of a layer that would be written through a symlink a lower layer left (the
// layer has "etc/shadow" where a lower layer made "etc" a symlink to "/etc" of the host: tar
// follows a symlink among the directories of a path, so the file would land outside the root),
// or an empty string. A layer that brings the directory itself ("etc/") replaces the symlink:
// tar removes it first. `isSymlink` says whether a path (relative to the root) is a symlink
// now.
QString entryThroughSymlink(const QStringList &entries, const std::function<bool(const QString &)> &isSymlink);

} // namespace drover
