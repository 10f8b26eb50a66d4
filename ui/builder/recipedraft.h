// RecipeDraft: the recipe the build wizard edits, with what a recipe file only points to —
// the files to copy into the image (from wherever the user picked them) and the build
// scripts' text. It loads from a recipe file, a shipped template or a catalog image's
// recipe, turns into the recipe JSON, validates with the Recipe's own validator, and saves
// a recipe directory (recipe.json, files/, scripts/) the command line can build too.
#pragma once

#include "builder/recipe.h"
#include "util/result.h"

#include <QList>
#include <QString>

#include <functional>

namespace drover {

struct DraftFile {
    QString target; // path inside the image, relative: "etc/motd"
    QString source; // absolute path of the file to copy (may be a ":/" resource)
    QString mode; // octal, "0644"; empty: the default (0644, 0755 when executable)
};

struct DraftScript {
    QString name; // file name under scripts/: "10-setup.sh"
    QString text;
};

struct RecipeDraft {
    Recipe recipe; // files, fileModes and scripts come from the lists below
    QList<DraftFile> files;
    QList<DraftScript> scripts;
    QString origin; // where it came from, for the window title and messages

    // The recipe JSON as it will be saved; no version when the version is empty.
    QByteArray json() const;
    // The recipe's own validation, without looking for files (they are not saved yet).
    RecipeParse validate() const;
    // Writes dir/recipe.json, dir/files/…, dir/scripts/…; dir is emptied first.
    Status save(const QString &dir) const;

    // A recipe file with its files directory and scripts; checks nothing but JSON syntax,
    // so a broken recipe can be opened and fixed.
    static Result<RecipeDraft> fromFile(const QString &path);
    // Recipe JSON with its files and scripts looked up under baseDir (may not exist).
    static Result<RecipeDraft> fromJson(const QByteArray &json, const QString &baseDir, const QString &origin);
    // Shipped templates: "debian-server", "minimal".
    static QStringList templateNames();
    static QString templateTitle(const QString &name);
    static Result<RecipeDraft> fromTemplate(const QString &name);
    // A recipe whose root is imported: `kind` "rootfs" (an archive) or "oci" (a container
    // image), named after the file, with `kernelPackage` for a root without a kernel (empty:
    // the root's own).
    // The kernel from `kernelPackage`, else from the image `kernelImage`, else the root's own.
    static Result<RecipeDraft> fromImport(
        const QString &kind, const QString &path, const QString &kernelPackage, const QString &kernelImage = {});
};

// The version after `version` for a new build of an image: "2" → "3", "1.4" → "1.5", a
// timestamp or anything else → the UTC time now (yyyyMMdd-HHmmss). Skips versions that
// `taken` reports as published.
QString nextVersion(const QString &version, const std::function<bool(const QString &)> &taken = {});

// Where the wizard keeps the recipe of each image name it built: <data dir>/recipes/<name>.
QString recipeDirFor(const QString &dataDir, const QString &name);

} // namespace drover
