#include "builder/recipe.h"

#include "builder/jsonlocator.h"
#include "builder/moduleclasses.h"
#include "store/manifest.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(Recipe)
};

bool matches(const QString &pattern, const QString &text)
{
    return QRegularExpression(QRegularExpression::anchoredPattern(pattern)).match(text).hasMatch();
}

QString describe(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::String:
        return Text::tr("the string \"%1\"").arg(v.toString().left(40));
    case QJsonValue::Double:
        return Text::tr("the number %1").arg(v.toDouble());
    case QJsonValue::Bool:
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Array:
        return Text::tr("an array");
    case QJsonValue::Object:
        return Text::tr("an object");
    default:
        return QStringLiteral("null");
    }
}

// A relative path that stays below its directory.
bool isSafeRelativePath(const QString &path)
{
    if (path.isEmpty() || path.startsWith(QLatin1Char('/')) || path.contains(QChar(0)))
        return false;
    const QStringList parts = path.split(QLatin1Char('/'));
    return !parts.contains(QLatin1String("..")) && !parts.contains(QString());
}

class Validator {
public:
    Validator(const QByteArray &json, QString fileName, QString baseDir, bool checkFiles)
        : m_locator(json)
        , m_fileName(std::move(fileName))
        , m_baseDir(std::move(baseDir))
        , m_checkFiles(checkFiles)
    { }

    QList<RecipeIssue> issues;

    void add(const QString &path, const QString &message, bool atKey = false)
    {
        const auto pos = atKey ? m_locator.keyPosition(path) : m_locator.valuePosition(path);
        issues.append({ m_fileName, pos.line, pos.column, path, message });
    }
    void addAt(qsizetype offset, const QString &message)
    {
        const auto pos = m_locator.positionOf(offset);
        issues.append({ m_fileName, pos.line, pos.column, QString(), message });
    }
    void wrongType(const QString &path, const QString &expected, const QJsonValue &found)
    {
        add(path, Text::tr("expected %1, found %2").arg(expected, describe(found)));
    }

    void checkDuplicates()
    {
        for (const JsonLocator::Duplicate &d : m_locator.duplicates())
            issues.append({ m_fileName, d.position.line, d.position.column, d.path, Text::tr("given twice") });
    }

    void checkKeys(const QJsonObject &object, const QString &path, const QStringList &allowed)
    {
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            if (!allowed.contains(it.key()))
                add(JsonLocator::child(path, it.key()),
                    Text::tr("unknown field; expected one of: %1").arg(allowed.join(QStringLiteral(", "))), true);
        }
    }

    std::optional<QString> string(const QJsonObject &o, const QString &path, const QString &key, bool required = false)
    {
        const QString p = JsonLocator::child(path, key);
        if (!o.contains(key)) {
            if (required)
                add(path, Text::tr("missing the field \"%1\"").arg(key));
            return std::nullopt;
        }
        const QJsonValue v = o.value(key);
        if (!v.isString()) {
            wrongType(p, Text::tr("a string"), v);
            return std::nullopt;
        }
        return v.toString();
    }

    std::optional<bool> boolean(const QJsonObject &o, const QString &path, const QString &key)
    {
        if (!o.contains(key))
            return std::nullopt;
        const QJsonValue v = o.value(key);
        if (!v.isBool()) {
            wrongType(JsonLocator::child(path, key), Text::tr("true or false"), v);
            return std::nullopt;
        }
        return v.toBool();
    }

    std::optional<QJsonObject> object(const QJsonObject &o, const QString &path, const QString &key)
    {
        if (!o.contains(key))
            return std::nullopt;
        const QJsonValue v = o.value(key);
        if (!v.isObject()) {
            wrongType(JsonLocator::child(path, key), Text::tr("an object"), v);
            return std::nullopt;
        }
        return v.toObject();
    }

    // An array of strings, each checked by `valid` (which says what is wrong, or returns empty).
    std::optional<QStringList> strings(const QJsonObject &o, const QString &path, const QString &key,
        const std::function<QString(const QString &)> &valid, bool unique = true)
    {
        if (!o.contains(key))
            return std::nullopt;
        const QString p = JsonLocator::child(path, key);
        const QJsonValue v = o.value(key);
        if (!v.isArray()) {
            wrongType(p, Text::tr("an array of strings"), v);
            return std::nullopt;
        }
        QStringList out;
        const QJsonArray array = v.toArray();
        bool ok = true;
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QString ep = JsonLocator::element(p, i);
            if (!array[i].isString()) {
                wrongType(ep, Text::tr("a string"), array[i]);
                ok = false;
                continue;
            }
            const QString s = array[i].toString();
            if (const QString why = valid ? valid(s) : QString(); !why.isEmpty()) {
                add(ep, why);
                ok = false;
            } else if (unique && out.contains(s)) {
                add(ep, Text::tr("\"%1\" is listed twice").arg(s));
                ok = false;
            }
            out.append(s);
        }
        return ok ? std::optional(out) : std::nullopt;
    }

    bool fileExists(const QString &relative, bool directory) const
    {
        if (!m_checkFiles)
            return true;
        const QFileInfo info(QDir(m_baseDir).filePath(relative));
        return directory ? info.isDir() : info.isFile();
    }

    QString baseDir() const { return m_baseDir; }
    bool checkFiles() const { return m_checkFiles; }

private:
    JsonLocator m_locator;
    QString m_fileName;
    QString m_baseDir;
    bool m_checkFiles;
};

QString checkPackage(const QString &s)
{
    return isValidPackageName(s) ? QString() : Text::tr("\"%1\" is not a Debian package name").arg(s);
}

QString checkExclude(const QString &s)
{
    return matches(QStringLiteral("[a-z0-9][a-z0-9+.-]+"), s) ? QString()
                                                              : Text::tr("\"%1\" is not a Debian package name").arg(s);
}

QString checkUnit(const QString &s)
{
    return isValidUnitName(s) ? QString() : Text::tr("\"%1\" is not a systemd unit name").arg(s);
}

QString checkGroup(const QString &s)
{
    return isValidUserName(s) ? QString() : Text::tr("\"%1\" is not a group name").arg(s);
}

void parseDistro(Validator &v, const QJsonObject &root, Recipe &r)
{
    const auto distro = v.object(root, QString(), QStringLiteral("distro"));
    if (!distro)
        return;
    const QString path = QStringLiteral("distro");
    v.checkKeys(*distro, path,
        { QStringLiteral("suite"), QStringLiteral("base"), QStringLiteral("components"), QStringLiteral("mirror"),
            QStringLiteral("checkValidUntil"), QStringLiteral("extraSuites"), QStringLiteral("sources") });
    if (auto suites = v.strings(*distro, path, QStringLiteral("extraSuites"), [](const QString &s) {
            return matches(QStringLiteral("[a-z][a-z0-9.-]{0,63}"), s)
                ? QString()
                : Text::tr("\"%1\" is not a Debian suite name").arg(s);
        }))
        r.extraSuites = *suites;
    if (auto sources = v.strings(*distro, path, QStringLiteral("sources"), [](const QString &s) {
            return matches(QStringLiteral("deb (\\[[a-z-]+=[^\\]\\s]+\\] )?(https?|file)://[^\\s\"']+ "
                                          "(\\./|[a-z][a-z0-9./-]{0,63})( [a-z][a-z0-9-]{0,63})*"),
                       s)
                ? QString()
                : Text::tr("expected an apt source line like \"deb URL SUITE COMPONENT\", found \"%1\"").arg(s);
        }))
        r.sources = *sources;
    if (auto check = v.boolean(*distro, path, QStringLiteral("checkValidUntil")))
        r.checkValidUntil = *check;
    if (auto base = v.string(*distro, path, QStringLiteral("base"))) {
        if (*base == QLatin1String("debian") || *base == QLatin1String("busybox"))
            r.base = *base;
        else
            v.add(
                QStringLiteral("distro.base"), Text::tr("expected \"debian\" or \"busybox\", found \"%1\"").arg(*base));
    }
    if (auto suite = v.string(*distro, path, QStringLiteral("suite"))) {
        if (matches(QStringLiteral("[a-z][a-z0-9.-]{0,63}"), *suite))
            r.suite = *suite;
        else
            v.add(QStringLiteral("distro.suite"), Text::tr("\"%1\" is not a Debian suite name").arg(*suite));
    }
    if (auto components = v.strings(*distro, path, QStringLiteral("components"), [](const QString &s) {
            return matches(QStringLiteral("[a-z][a-z0-9-]{0,63}"), s)
                ? QString()
                : Text::tr("\"%1\" is not an archive component").arg(s);
        })) {
        if (components->isEmpty())
            v.add(QStringLiteral("distro.components"), Text::tr("needs at least one component, e.g. \"main\""));
        else
            r.components = *components;
    }
    if (auto mirror = v.string(*distro, path, QStringLiteral("mirror"))) {
        if (matches(QStringLiteral("(https?|file)://[^\\s\"']+"), *mirror)) {
            r.mirror = *mirror;
            while (r.mirror.endsWith(QLatin1Char('/')))
                r.mirror.chop(1);
        } else {
            v.add(QStringLiteral("distro.mirror"), Text::tr("expected an http://, https:// or file:// URL"));
        }
    }
}

void parseFiles(Validator &v, const QJsonObject &root, Recipe &r)
{
    const auto files = v.object(root, QString(), QStringLiteral("files"));
    if (!files)
        return;
    const QString path = QStringLiteral("files");
    v.checkKeys(*files, path, { QStringLiteral("dir"), QStringLiteral("owner"), QStringLiteral("modes") });
    if (auto dir = v.string(*files, path, QStringLiteral("dir"), true)) {
        if (!isSafeRelativePath(*dir) && *dir != QLatin1String("."))
            v.add(QStringLiteral("files.dir"), Text::tr("expected a directory beside the recipe, like \"files\""));
        else if (!v.fileExists(*dir, true))
            v.add(QStringLiteral("files.dir"), Text::tr("no directory \"%1\" beside the recipe").arg(*dir));
        else
            r.filesDir = *dir;
    }
    if (auto owner = v.string(*files, path, QStringLiteral("owner"))) {
        if (matches(QStringLiteral("([a-z_][a-z0-9_-]{0,31}|[0-9]+):([a-z_][a-z0-9_-]{0,31}|[0-9]+)"), *owner))
            r.filesOwner = *owner;
        else
            v.add(QStringLiteral("files.owner"), Text::tr("expected USER:GROUP, like \"root:root\""));
    }
    if (auto modes = v.object(*files, path, QStringLiteral("modes"))) {
        for (auto it = modes->constBegin(); it != modes->constEnd(); ++it) {
            const QString p = QStringLiteral("files.modes.") + it.key();
            if (!isSafeRelativePath(it.key())) {
                v.add(p, Text::tr("expected a path inside the files directory"), true);
                continue;
            }
            if (!r.filesDir.isEmpty() && !v.fileExists(r.filesDir + QLatin1Char('/') + it.key(), false)
                && !v.fileExists(r.filesDir + QLatin1Char('/') + it.key(), true)) {
                v.add(p, Text::tr("no \"%1\" in the files directory").arg(it.key()), true);
                continue;
            }
            const QString mode = it.value().toString();
            if (!it.value().isString() || !matches(QStringLiteral("0?[0-7]{3,4}"), mode)) {
                v.wrongType(p, Text::tr("an octal mode string like \"0644\""), it.value());
                continue;
            }
            r.fileModes.insert(it.key(), mode.toUInt(nullptr, 8));
        }
    }
}

void parseUsers(Validator &v, const QJsonObject &root, Recipe &r)
{
    if (!root.contains(QStringLiteral("users")))
        return;
    const QJsonValue value = root.value(QStringLiteral("users"));
    if (!value.isArray()) {
        v.wrongType(QStringLiteral("users"), Text::tr("an array of users"), value);
        return;
    }
    const QJsonArray users = value.toArray();
    QSet<QString> names;
    QSet<int> uids;
    for (qsizetype i = 0; i < users.size(); ++i) {
        const QString path = JsonLocator::element(QStringLiteral("users"), i);
        if (!users[i].isObject()) {
            v.wrongType(path, Text::tr("an object"), users[i]);
            continue;
        }
        const QJsonObject o = users[i].toObject();
        v.checkKeys(o, path,
            { QStringLiteral("name"), QStringLiteral("uid"), QStringLiteral("groups"), QStringLiteral("shell"),
                QStringLiteral("password"), QStringLiteral("sshKeys") });
        RecipeUser user;
        if (auto name = v.string(o, path, QStringLiteral("name"), true)) {
            if (!isValidUserName(*name))
                v.add(path + QStringLiteral(".name"), Text::tr("\"%1\" is not a user name").arg(*name));
            else if (names.contains(*name))
                v.add(path + QStringLiteral(".name"), Text::tr("the user \"%1\" is listed twice").arg(*name));
            names.insert(*name);
            user.name = *name;
        }
        if (o.contains(QStringLiteral("uid"))) {
            const QJsonValue uid = o.value(QStringLiteral("uid"));
            const double d = uid.toDouble(-1);
            const bool isRoot = user.name == QLatin1String("root");
            if (!uid.isDouble() || d != double(qint64(d)) || d < (isRoot ? 0 : 1) || d > 65533 || (isRoot && d != 0))
                v.wrongType(path + QStringLiteral(".uid"),
                    isRoot ? Text::tr("0 for root") : Text::tr("an integer from 1 to 65533"), uid);
            else if (uids.contains(int(d)))
                v.add(path + QStringLiteral(".uid"), Text::tr("the uid %1 is given to two users").arg(int(d)));
            else {
                uids.insert(int(d));
                user.uid = int(d);
            }
        }
        if (auto groups = v.strings(o, path, QStringLiteral("groups"), checkGroup))
            user.groups = *groups;
        if (auto shell = v.string(o, path, QStringLiteral("shell"))) {
            if (matches(QStringLiteral("/[A-Za-z0-9_./+-]+"), *shell))
                user.shell = *shell;
            else
                v.add(path + QStringLiteral(".shell"), Text::tr("expected an absolute path like /bin/bash"));
        }
        if (auto password = v.string(o, path, QStringLiteral("password"))) {
            if (matches(QStringLiteral("(\\$[A-Za-z0-9]+\\$[A-Za-z0-9./$=,+-]+|!|\\*|!\\*)"), *password))
                user.password = *password;
            else
                v.add(path + QStringLiteral(".password"),
                    Text::tr("expected a crypt(3) hash (mkpasswd output, \"$y$…\"), \"!\" or \"*\"; never a "
                             "clear-text password"));
        }
        if (auto keys = v.strings(o, path, QStringLiteral("sshKeys"), [](const QString &key) {
                return matches(QStringLiteral(
                                   "([a-z0-9-]+=\\S+ )*(ssh-|ecdsa-|sk-)[A-Za-z0-9@.-]+ [A-Za-z0-9+/=]{16,}( .*)?"),
                           key)
                        && !key.contains(QLatin1Char('\n'))
                    ? QString()
                    : Text::tr("not an OpenSSH public key line (\"ssh-ed25519 AAAA… comment\")");
            }))
            user.sshKeys = *keys;
        r.users.append(user);
    }
}

void parseFrom(Validator &v, const QJsonObject &root, Recipe &r)
{
    const auto from = v.object(root, QString(), QStringLiteral("from"));
    if (!from)
        return;
    const QString path = QStringLiteral("from");
    v.checkKeys(*from, path,
        { QStringLiteral("rootfs"), QStringLiteral("oci"), QStringLiteral("kernelPackage"), QStringLiteral("kernelDir"),
            QStringLiteral("kernelImage") });
    if (from->contains(QStringLiteral("rootfs")) == from->contains(QStringLiteral("oci"))) {
        v.add(path, Text::tr("expected one of \"rootfs\" (an archive) and \"oci\" (a container image)"));
        return;
    }
    const bool oci = from->contains(QStringLiteral("oci"));
    const QString key = oci ? QStringLiteral("oci") : QStringLiteral("rootfs");
    if (auto file = v.string(*from, path, key, true)) {
        (oci ? r.fromOci : r.fromRootfs) = *file;
        const QFileInfo info(r.importPath());
        if (file->isEmpty() || file->contains(QLatin1Char('\0')))
            v.add(path + QLatin1Char('.') + key, Text::tr("expected the path of an archive"));
        else if (!QDir::isAbsolutePath(*file) && !isSafeRelativePath(*file))
            v.add(path + QLatin1Char('.') + key, Text::tr("expected an absolute path or one beside the recipe"));
        else if (v.checkFiles() && !(info.isFile() || (oci && info.isDir())))
            v.add(path + QLatin1Char('.') + key, Text::tr("no file \"%1\"").arg(r.importPath()));
    }
    if (auto kernel = v.string(*from, path, QStringLiteral("kernelPackage"))) {
        // "PACKAGE=VERSION" as apt takes it: a kernel pinned by version.
        const QString package = kernel->section(QLatin1Char('='), 0, 0);
        const QString version = kernel->section(QLatin1Char('='), 1);
        static const QRegularExpression debianVersion(QStringLiteral("^[0-9][A-Za-z0-9.+~:-]*\\z"));
        if (isValidPackageName(package)
            && (!kernel->contains(QLatin1Char('=')) || debianVersion.match(version).hasMatch()))
            r.kernelPackage = *kernel;
        else
            v.add(QStringLiteral("from.kernelPackage"),
                Text::tr("\"%1\" is not a package name, or NAME=VERSION").arg(*kernel));
    }
    if (auto image = v.string(*from, path, QStringLiteral("kernelImage"))) {
        if (!splitTag(*image))
            v.add(QStringLiteral("from.kernelImage"), Text::tr("\"%1\" is not an image NAME:VERSION").arg(*image));
        else if (!r.kernelPackage.isEmpty())
            v.add(QStringLiteral("from.kernelImage"), Text::tr("either kernelPackage or kernelImage, not both"));
        else
            r.kernelImage = *image;
    }
    if (auto dir = v.string(*from, path, QStringLiteral("kernelDir"))) {
        r.kernelDir = *dir;
        if (!r.kernelPackage.isEmpty() || !r.kernelImage.isEmpty())
            v.add(
                QStringLiteral("from.kernelDir"), Text::tr("one of kernelPackage, kernelImage and kernelDir, not two"));
        else if (dir->isEmpty() || (!QDir::isAbsolutePath(*dir) && !isSafeRelativePath(*dir)))
            v.add(QStringLiteral("from.kernelDir"), Text::tr("expected an absolute path or one beside the recipe"));
        else if (v.checkFiles() && !QFileInfo(r.kernelDirPath()).isDir())
            v.add(QStringLiteral("from.kernelDir"), Text::tr("no directory \"%1\"").arg(r.kernelDirPath()));
    }
}

void parseServicesAndPrune(Validator &v, const QJsonObject &root, Recipe &r)
{
    if (auto services = v.object(root, QString(), QStringLiteral("services"))) {
        const QString path = QStringLiteral("services");
        v.checkKeys(*services, path, { QStringLiteral("enable"), QStringLiteral("disable") });
        if (auto e = v.strings(*services, path, QStringLiteral("enable"), checkUnit))
            r.enableServices = *e;
        if (auto d = v.strings(*services, path, QStringLiteral("disable"), checkUnit))
            r.disableServices = *d;
        for (const QString &unit : std::as_const(r.enableServices)) {
            if (r.disableServices.contains(unit))
                v.add(QStringLiteral("services.disable"), Text::tr("\"%1\" is both enabled and disabled").arg(unit));
        }
    }
    if (auto prune = v.object(root, QString(), QStringLiteral("prune"))) {
        const QString path = QStringLiteral("prune");
        v.checkKeys(*prune, path,
            { QStringLiteral("docs"), QStringLiteral("man"), QStringLiteral("locales"),
                QStringLiteral("kernelModules") });
        if (auto docs = v.boolean(*prune, path, QStringLiteral("docs")))
            r.pruneDocs = *docs;
        if (auto man = v.boolean(*prune, path, QStringLiteral("man")))
            r.pruneMan = *man;
        if (auto locales = v.strings(*prune, path, QStringLiteral("locales"), [](const QString &s) {
                return s == QLatin1String("*") || matches(QStringLiteral("[A-Za-z]{2,3}([_@.][A-Za-z0-9@._-]+)?"), s)
                    ? QString()
                    : Text::tr("\"%1\" is not a locale name like \"de\" or \"pt_BR\"").arg(s);
            }))
            r.keepLocales = *locales;
        const QStringList classes = moduleClasses();
        if (auto modules = v.strings(*prune, path, QStringLiteral("kernelModules"), [&classes](const QString &s) {
                return classes.contains(s)
                    ? QString()
                    : Text::tr("unknown module class \"%1\"; known: %2").arg(s, classes.join(QStringLiteral(", ")));
            }))
            r.kernelModules = *modules;
    }
}

void parseTop(Validator &v, const QJsonObject &root, Recipe &r)
{
    v.checkKeys(root, QString(),
        { QStringLiteral("name"), QStringLiteral("version"), QStringLiteral("description"), QStringLiteral("distro"),
            QStringLiteral("from"), QStringLiteral("architecture"), QStringLiteral("packages"),
            QStringLiteral("exclude"), QStringLiteral("files"), QStringLiteral("users"), QStringLiteral("scripts"),
            QStringLiteral("services"), QStringLiteral("kernelArgs"), QStringLiteral("prune"), QStringLiteral("format"),
            QStringLiteral("layerType"), QStringLiteral("compression"), QStringLiteral("sourceDateEpoch") });
    if (auto name = v.string(root, QString(), QStringLiteral("name"), true)) {
        if (isValidImageName(*name))
            r.name = *name;
        else
            v.add(QStringLiteral("name"),
                Text::tr("\"%1\" is not an image name: letters, digits, '.', '_' and '-', starting with a letter or "
                         "digit")
                    .arg(*name));
    }
    if (auto version = v.string(root, QString(), QStringLiteral("version"))) {
        if (isValidImageVersion(*version))
            r.version = *version;
        else
            v.add(QStringLiteral("version"),
                Text::tr("\"%1\" is not a version: letters, digits, '.', '_' and '-'").arg(*version));
    } else {
        r.version = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
        r.versionDefaulted = true;
    }
    if (auto d = v.string(root, QString(), QStringLiteral("description")))
        r.description = *d;
    parseDistro(v, root, r);
    if (auto arch = v.string(root, QString(), QStringLiteral("architecture"))) {
        if (*arch == QLatin1String("amd64"))
            r.architecture = *arch;
        else
            v.add(QStringLiteral("architecture"), Text::tr("\"%1\" is not supported yet; use \"amd64\"").arg(*arch));
    }
    if (auto packages = v.strings(root, QString(), QStringLiteral("packages"), checkPackage))
        r.packages = *packages;
    if (auto exclude = v.strings(root, QString(), QStringLiteral("exclude"), checkExclude)) {
        r.exclude = *exclude;
        for (qsizetype i = 0; i < exclude->size(); ++i) {
            if (r.packages.contains(exclude->at(i)))
                v.add(JsonLocator::element(QStringLiteral("exclude"), i),
                    Text::tr("\"%1\" is both in packages and in exclude").arg(exclude->at(i)));
        }
    }
    parseFiles(v, root, r);
    parseUsers(v, root, r);
    if (auto scripts = v.strings(
            root, QString(), QStringLiteral("scripts"),
            [&v](const QString &s) {
                if (!isSafeRelativePath(s))
                    return Text::tr("expected a path beside the recipe, like \"scripts/10-setup.sh\"");
                return v.fileExists(s, false) ? QString() : Text::tr("no file \"%1\" beside the recipe").arg(s);
            },
            false))
        r.scripts = *scripts;
    parseServicesAndPrune(v, root, r);
    parseFrom(v, root, r);
    // A root that brings its kernel brings the modules its author chose (an exported image's
    // root, pruned when it was built): kept whole unless the recipe names classes.
    if (r.imported() && r.kernelPackage.isEmpty() && r.kernelImage.isEmpty() && r.kernelDir.isEmpty()
        && !root.value(QStringLiteral("prune")).toObject().contains(QStringLiteral("kernelModules")))
        r.kernelModules = QStringList { QStringLiteral("all") };
    // An imported root is taken as it is: apt may not even be in it.
    if (r.imported() && !(r.packages.isEmpty() && r.exclude.isEmpty()))
        v.add(QStringLiteral("packages"),
            Text::tr("an imported root (from) gets no packages: install them in the root before archiving it"));
    if (r.imported() && r.busyboxBase())
        v.add(QStringLiteral("distro.base"), Text::tr("an imported root (from) has no Debian base"));
    // A busybox root has no systemctl, and no dpkg to install more packages with.
    if (r.busyboxBase() && !(r.enableServices.isEmpty() && r.disableServices.isEmpty()))
        v.add(QStringLiteral("services"),
            Text::tr("a busybox base has no systemd: its services are what /etc/inittab starts"));
    if (auto args = v.string(root, QString(), QStringLiteral("kernelArgs"))) {
        if (args->contains(QRegularExpression(QStringLiteral("[\\x00-\\x1f]"))))
            v.add(QStringLiteral("kernelArgs"), Text::tr("must be one line without control characters"));
        else
            r.kernelArgs = args->simplified();
    }
    if (auto format = v.string(root, QString(), QStringLiteral("format"))) {
        if (*format == QLatin1String("layers") || *format == QLatin1String("initramfs"))
            r.format = *format;
        else
            v.add(QStringLiteral("format"), Text::tr("expected \"layers\" or \"initramfs\""));
    }
    if (auto type = v.string(root, QString(), QStringLiteral("layerType"))) {
        if (*type == QLatin1String("squashfs") || *type == QLatin1String("erofs"))
            r.layerType = *type;
        else
            v.add(QStringLiteral("layerType"), Text::tr("expected \"squashfs\" or \"erofs\""));
    }
    if (auto compression = v.string(root, QString(), QStringLiteral("compression"))) {
        QString why;
        const QString canonical = canonicalCompression(*compression, r.layerType, &why);
        if (why.isEmpty())
            r.compression = canonical;
        else
            v.add(QStringLiteral("compression"), why);
    }
    if (root.contains(QStringLiteral("sourceDateEpoch"))) {
        const QJsonValue sde = root.value(QStringLiteral("sourceDateEpoch"));
        const double d = sde.toDouble(-1);
        if (!sde.isDouble() || d < 0 || d > 4102444800.0 || d != double(qint64(d)))
            v.wrongType(QStringLiteral("sourceDateEpoch"), Text::tr("seconds since 1970 as an integer"), sde);
        else
            r.sourceDateEpoch = qint64(d);
    }
}

QJsonArray toArray(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

} // namespace

QString canonicalCompression(const QString &text, const QString &layerType, QString *why)
{
    if (layerType == QLatin1String("erofs")) {
        if (text != QLatin1String("lz4hc"))
            *why = Text::tr("erofs layers are compressed with \"lz4hc\" only; found \"%1\"").arg(text);
        return QString();
    }
    const QStringList parts = text.split(QLatin1Char(':'));
    const QString &algorithm = parts.first();
    const QStringList blocks { QStringLiteral("128K"), QStringLiteral("256K"), QStringLiteral("512K"),
        QStringLiteral("1M") };
    const QString bad = Text::tr("expected \"zstd\", \"zstd:LEVEL\" or \"zstd:LEVEL:BLOCK\" (level 1 to 22), or "
                                 "\"xz\", \"xz:BLOCK\", \"xz-x86\" or \"xz-x86:BLOCK\" (block 128K, 256K, 512K or "
                                 "1M); found \"%1\"")
                            .arg(text);
    if (algorithm == QLatin1String("zstd") && parts.size() <= 3) {
        int level = 3;
        if (parts.size() >= 2) {
            bool ok = false;
            level = parts[1].toInt(&ok);
            if (!ok || level < 1 || level > 22 || parts[1] != QString::number(level)) {
                *why = bad;
                return QString();
            }
        }
        const QString block = parts.size() == 3 ? parts[2] : QStringLiteral("128K");
        if (!blocks.contains(block)) {
            *why = bad;
            return QString();
        }
        if (level == 3 && block == QLatin1String("128K"))
            return QString(); // the default, written as such
        return QStringLiteral("zstd:%1:%2").arg(level).arg(block);
    }
    if ((algorithm == QLatin1String("xz") || algorithm == QLatin1String("xz-x86")) && parts.size() <= 2) {
        const QString block = parts.size() == 2 ? parts[1] : QStringLiteral("1M");
        if (blocks.contains(block))
            return algorithm + QLatin1Char(':') + block;
    }
    *why = bad;
    return QString();
}

bool isValidPackageName(const QString &text)
{
    return matches(QStringLiteral("[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?(=[A-Za-z0-9.+~:-]+)?"), text);
}

bool isValidUserName(const QString &text)
{
    return matches(QStringLiteral("[a-z_][a-z0-9_-]{0,31}"), text);
}

bool isValidUnitName(const QString &text)
{
    return matches(
        QStringLiteral("[A-Za-z0-9:_.\\\\@-]+(\\.(service|socket|timer|target|path|mount|automount|swap|slice))?"),
        text);
}

QString RecipeIssue::toString() const
{
    QString text = QStringLiteral("%1:%2:%3: ").arg(file).arg(line).arg(column);
    if (!field.isEmpty())
        text += field + QStringLiteral(": ");
    return text + message;
}

QString RecipeParse::errorText() const
{
    QStringList lines;
    for (const RecipeIssue &i : issues)
        lines.append(i.toString());
    return lines.join(QLatin1Char('\n'));
}

RecipeParse parseRecipe(const QByteArray &json, const QString &fileName, const QString &baseDir, bool checkFiles)
{
    RecipeParse out;
    Validator v(json, fileName, baseDir, checkFiles);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError) {
        v.addAt(error.offset, Text::tr("not valid JSON: %1").arg(error.errorString()));
        out.issues = v.issues;
        return out;
    }
    if (!doc.isObject()) {
        v.add(QString(), Text::tr("a recipe is a JSON object ({ … })"));
        out.issues = v.issues;
        return out;
    }
    Recipe r;
    r.fileName = fileName;
    r.baseDir = baseDir;
    v.checkDuplicates();
    parseTop(v, doc.object(), r);
    std::sort(v.issues.begin(), v.issues.end(), [](const RecipeIssue &a, const RecipeIssue &b) {
        return std::pair(a.line, a.column) < std::pair(b.line, b.column);
    });
    out.issues = v.issues;
    if (out.issues.isEmpty())
        out.recipe = std::move(r);
    return out;
}

Result<Recipe> loadRecipe(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Result<Recipe>::failure(Text::tr("cannot read the recipe %1: %2").arg(path, file.errorString()));
    if (file.size() > 4 << 20)
        return Result<Recipe>::failure(Text::tr("%1 is larger than 4 MiB; is it a recipe?").arg(path));
    const QFileInfo info(path);
    RecipeParse parsed = parseRecipe(file.readAll(), info.fileName(), info.absolutePath());
    if (!parsed.recipe)
        return Result<Recipe>::failure(parsed.errorText());
    return std::move(*parsed.recipe);
}

QString Recipe::importPath() const
{
    const QString &path = fromRootfs.isEmpty() ? fromOci : fromRootfs;
    return path.isEmpty() || QDir::isAbsolutePath(path) ? path : QDir(baseDir).filePath(path);
}

QString Recipe::kernelDirPath() const
{
    return kernelDir.isEmpty() || QDir::isAbsolutePath(kernelDir) ? kernelDir : QDir(baseDir).filePath(kernelDir);
}

QJsonObject Recipe::toJson() const
{
    QJsonObject distro { { QStringLiteral("suite"), suite }, { QStringLiteral("components"), toArray(components) } };
    if (!mirror.isEmpty())
        distro.insert(QStringLiteral("mirror"), mirror);
    // Only when not the default: the digests of the recipes written before these fields stay.
    if (busyboxBase())
        distro.insert(QStringLiteral("base"), base);
    if (!checkValidUntil)
        distro.insert(QStringLiteral("checkValidUntil"), false);
    if (!extraSuites.isEmpty())
        distro.insert(QStringLiteral("extraSuites"), toArray(extraSuites));
    if (!sources.isEmpty())
        distro.insert(QStringLiteral("sources"), toArray(sources));
    QJsonObject o {
        { QStringLiteral("name"), name },
        { QStringLiteral("version"), version },
        { QStringLiteral("distro"), distro },
        { QStringLiteral("architecture"), architecture },
        { QStringLiteral("packages"), toArray(packages) },
        { QStringLiteral("exclude"), toArray(exclude) },
        { QStringLiteral("scripts"), toArray(scripts) },
        { QStringLiteral("services"),
            QJsonObject { { QStringLiteral("enable"), toArray(enableServices) },
                { QStringLiteral("disable"), toArray(disableServices) } } },
        { QStringLiteral("kernelArgs"), kernelArgs },
        { QStringLiteral("prune"),
            QJsonObject { { QStringLiteral("docs"), pruneDocs }, { QStringLiteral("man"), pruneMan },
                { QStringLiteral("locales"), toArray(keepLocales) },
                { QStringLiteral("kernelModules"), toArray(kernelModules) } } },
        { QStringLiteral("format"), format },
        { QStringLiteral("layerType"), layerType },
    };
    if (!compression.isEmpty())
        o.insert(QStringLiteral("compression"), compression);
    if (imported()) {
        QJsonObject from { { fromRootfs.isEmpty() ? QStringLiteral("oci") : QStringLiteral("rootfs"),
            fromRootfs.isEmpty() ? fromOci : fromRootfs } };
        if (!kernelPackage.isEmpty())
            from.insert(QStringLiteral("kernelPackage"), kernelPackage);
        if (!kernelDir.isEmpty())
            from.insert(QStringLiteral("kernelDir"), kernelDir);
        if (!kernelImage.isEmpty())
            from.insert(QStringLiteral("kernelImage"), kernelImage);
        o.insert(QStringLiteral("from"), from);
    }
    if (!description.isEmpty())
        o.insert(QStringLiteral("description"), description);
    if (!filesDir.isEmpty()) {
        QJsonObject modes;
        for (auto it = fileModes.cbegin(); it != fileModes.cend(); ++it)
            modes.insert(it.key(), QStringLiteral("0%1").arg(it.value(), 3, 8, QLatin1Char('0')));
        o.insert(QStringLiteral("files"),
            QJsonObject { { QStringLiteral("dir"), filesDir }, { QStringLiteral("owner"), filesOwner },
                { QStringLiteral("modes"), modes } });
    }
    QJsonArray userArray;
    for (const RecipeUser &u : users) {
        QJsonObject uo { { QStringLiteral("name"), u.name }, { QStringLiteral("groups"), toArray(u.groups) },
            { QStringLiteral("sshKeys"), toArray(u.sshKeys) } };
        if (u.uid)
            uo.insert(QStringLiteral("uid"), *u.uid);
        if (!u.shell.isEmpty())
            uo.insert(QStringLiteral("shell"), u.shell);
        if (!u.password.isEmpty())
            uo.insert(QStringLiteral("password"), u.password);
        userArray.append(uo);
    }
    o.insert(QStringLiteral("users"), userArray);
    if (sourceDateEpoch)
        o.insert(QStringLiteral("sourceDateEpoch"), *sourceDateEpoch);
    return o;
}

QByteArray Recipe::canonicalJson() const
{
    return QJsonDocument(toJson()).toJson(QJsonDocument::Compact);
}

Digest Recipe::digest() const
{
    return Digest::ofBytes(canonicalJson());
}

} // namespace drover
