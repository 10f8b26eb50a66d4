// Writing into an image's root directory from outside it: paths are resolved the way they would
// be inside the image (an absolute symlink like /etc/resolv.conf → /run/… stays in the root),
// owners are looked up in the image's own passwd and group files, and a recipe's files
// directory is copied in with the recipe's owner and modes.
#pragma once

#include "util/result.h"

#include <QMap>
#include <QString>

#include <optional>

namespace drover {

// The host path of `path` (absolute or relative to the image root) with every symlink in
// its directories resolved inside `root`; the last component itself is not followed.
Result<QString> pathInRoot(const QString &root, const QString &path);

// Looks a user or group up by name (or number) in the image's /etc/passwd or /etc/group.
std::optional<uint> imageUid(const QString &root, const QString &nameOrNumber);
std::optional<uint> imageGid(const QString &root, const QString &nameOrNumber);

struct FilesSpec {
    QString sourceDir; // on the host
    QString owner = QStringLiteral("root:root");
    QMap<QString, uint> modes; // relative path → permissions; others: 0644, 0755 if executable, dirs 0755
};

// Copies every file, directory and symlink below sourceDir into the image. Directories that
// exist in the image keep their metadata unless `modes` names them. Returns the file count.
Result<int> copyFilesIntoImage(const QString &root, const FilesSpec &spec);

// Writes one file into the image (replacing what is there), creating missing directories.
Status writeImageFile(
    const QString &root, const QString &path, const QByteArray &data, uint mode, uint uid = 0, uint gid = 0);
// Creates a symlink in the image, replacing an existing file or link.
Status writeImageSymlink(const QString &root, const QString &path, const QString &target);

} // namespace drover
