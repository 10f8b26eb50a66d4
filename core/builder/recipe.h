// Recipe: what an image is built from (docs/recipe.md). A JSON file; its files directory and
// build scripts sit beside it. Parsing validates everything before any work starts and
// reports each problem with the file, line, column and field, e.g.
//   debian-server.json:14:7: users[0].uid: expected an integer from 1 to 65533, found "x"
#pragma once

#include "store/digest.h"
#include "util/result.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace drover {

struct RecipeUser {
    QString name;
    std::optional<int> uid; // new users without one get the first free uid from 1000
    QStringList groups; // supplementary groups, which must exist in the image
    QString shell; // empty: /bin/bash for new users, unchanged for existing ones
    QString password; // a crypt(3) hash, "!" or "*"; empty: login by key only
    QStringList sshKeys;
};

struct Recipe {
    QString name;
    QString version; // default: the UTC time of parsing, yyyyMMdd-HHmmss
    QString description;
    QString suite = QStringLiteral("trixie");
    // "debian": Debian's essential set (dpkg, maintainer scripts, systemd when asked for);
    // "busybox": the packages only unpacked, busybox for the shell, the tools and /sbin/init.
    QString base = QStringLiteral("debian");
    QStringList components { QStringLiteral("main") };
    QString mirror; // empty: the host's apt configuration (resolved when building)
    bool checkValidUntil = true; // false: accept a Release file past its Valid-Until (a snapshot)
    QStringList extraSuites; // more suites of the same mirror and components: "bookworm-updates"
    QStringList sources; // more apt sources, one-line form: "deb URL SUITE COMPONENT…"
    QString architecture = QStringLiteral("amd64");
    QStringList packages;
    QStringList exclude;
    // "from": {"rootfs": FILE | "oci": FILE-OR-DIR, "kernelPackage": PKG}: the root is a root
    // filesystem archive (.tar, .tar.gz/.xz/.zst) or a container image (an OCI image layout,
    // an oci-archive or docker-archive tarball) instead of mmdebstrap's, and the kernel and
    // its modules come from the root itself, from a Debian kernel package of distro.suite
    // ("linux-image-amd64" or "linux-image-amd64=6.12.57-1"), from another image of the store
    // ("kernelImage": NAME:VERSION) or from a directory.
    QString fromRootfs; // as written: absolute, or relative to the recipe
    QString fromOci;
    QString kernelPackage;
    QString kernelDir; // or: a tree with boot/vmlinuz-RELEASE and (usr/)lib/modules/RELEASE
    QString kernelImage; // or: NAME:VERSION, whose kernel and modules the image takes
    QString importPath() const; // fromRootfs or fromOci resolved against baseDir
    QString kernelDirPath() const;
    QString filesDir; // relative to the recipe; empty: no files
    QString filesOwner = QStringLiteral("root:root");
    QMap<QString, uint> fileModes; // path inside filesDir → permission bits
    QList<RecipeUser> users;
    QStringList scripts; // relative to the recipe, run in order inside the image
    QStringList enableServices;
    QStringList disableServices;
    QString kernelArgs;
    bool pruneDocs = true;
    bool pruneMan = true;
    QStringList keepLocales; // "*" keeps all
    // The classes kept; "all" for an imported root with a kernel of its own, unless named.
    QStringList kernelModules { QStringLiteral("net"), QStringLiteral("storage"), QStringLiteral("virtio"),
        QStringLiteral("fs") };
    QString format = QStringLiteral("layers"); // or "initramfs"
    QString layerType = QStringLiteral("squashfs"); // or "erofs"
    // The layers' compressor, canonical: "zstd:LEVEL:BLOCK", "xz:BLOCK" or "xz-x86:BLOCK" (squashfs
    // only). Empty: the layer type's default (squashfs zstd:3:128K, erofs lz4hc), left out of
    // the recipe's JSON and the base's cache key so that their digests stay as they were.
    QString compression;
    std::optional<qint64> sourceDateEpoch;

    QString fileName; // the recipe file, for messages
    QString baseDir; // where filesDir and scripts are looked up
    bool versionDefaulted = false;

    bool busyboxBase() const { return base == QLatin1String("busybox"); }
    bool imported() const { return !fromRootfs.isEmpty() || !fromOci.isEmpty(); }
    QString tag() const { return name + QLatin1Char(':') + version; }
    // The effective recipe: every field, defaults filled in (the mirror only when given).
    QJsonObject toJson() const;
    // Compact, sorted keys: the bytes the recipe digest is taken over.
    QByteArray canonicalJson() const;
    Digest digest() const;
};

struct RecipeIssue {
    QString file;
    int line = 0;
    int column = 0;
    QString field; // "users[0].uid"; empty for syntax errors
    QString message;

    QString toString() const; // "file:line:column: field: message"
};

struct RecipeParse {
    std::optional<Recipe> recipe; // set when there are no issues
    QList<RecipeIssue> issues;

    QString errorText() const; // every issue, one per line
};

// Validates `json`. `baseDir` is where the files directory and scripts must exist; with
// `checkFiles` false (the wizard's editor, before anything is saved) they are not looked up.
RecipeParse parseRecipe(
    const QByteArray &json, const QString &fileName, const QString &baseDir, bool checkFiles = true);
// Reads and validates a recipe file.
Result<Recipe> loadRecipe(const QString &path);

// The recipe's `compression` for a layer type in its canonical form (empty for the type's
// default); sets *why to the user's error when the text is not one.
QString canonicalCompression(const QString &text, const QString &layerType, QString *why);
// Names as the recipe accepts them.
bool isValidPackageName(const QString &text);
bool isValidUserName(const QString &text);
bool isValidUnitName(const QString &text);

} // namespace drover
