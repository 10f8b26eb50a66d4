// OciSource: reading an OCI image layout or a docker-archive (see the header).
#include "builder/ocisource.h"

#include "store/sha256.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(OciSource)
};

const QLatin1StringView kIndexType("application/vnd.oci.image.index.v1+json");
const QLatin1StringView kDockerListType("application/vnd.docker.distribution.manifest.list.v2+json");

Result<QJsonValue> readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Result<QJsonValue>::failure(Text::tr("cannot read %1: %2").arg(path, f.errorString()));
    if (f.size() > 16 << 20)
        return Result<QJsonValue>::failure(Text::tr("%1 is larger than 16 MiB").arg(path));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
    if (error.error != QJsonParseError::NoError)
        return Result<QJsonValue>::failure(Text::tr("%1 is not valid JSON: %2").arg(path, error.errorString()));
    return doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
}

// A blob or layer of an unpacked archive must be a file of the archive, not a symlink that
// reads from the host.
Result<QString> sha256OfFile(const QString &path)
{
    if (QFileInfo(path).isSymLink())
        return Result<QString>::failure(Text::tr("%1 is a symlink; an image's blobs are files").arg(path));
    auto digest = Sha256::ofFile(path);
    if (!digest)
        return Result<QString>::failure(digest.error());
    return digest->toString();
}

// The file of a blob named by its digest, checked against it.
Result<QString> verifiedBlob(const QString &dir, const QJsonObject &descriptor)
{
    static const QRegularExpression digestPattern(QStringLiteral("^sha256:[0-9a-f]{64}$"));
    const QString digest = descriptor.value(QStringLiteral("digest")).toString();
    if (!digestPattern.match(digest).hasMatch())
        return Result<QString>::failure(Text::tr("unsupported or malformed digest \"%1\"").arg(digest.left(80)));
    const QString path = dir + QStringLiteral("/blobs/sha256/") + digest.mid(7);
    auto actual = sha256OfFile(path);
    if (!actual)
        return actual;
    if (*actual != digest)
        return Result<QString>::failure(Text::tr("blob %1 does not match its digest (it is %2)").arg(digest, *actual));
    return path;
}

// An index's entry for linux/amd64, or its only entry.
Result<QJsonObject> pickManifest(const QJsonArray &manifests, const QString &where)
{
    if (manifests.size() == 1)
        return manifests.first().toObject();
    for (const auto &m : manifests) {
        const QJsonObject platform = m.toObject().value(QStringLiteral("platform")).toObject();
        if (platform.value(QStringLiteral("os")).toString() == QLatin1String("linux")
            && platform.value(QStringLiteral("architecture")).toString() == QLatin1String("amd64"))
            return m.toObject();
    }
    return Result<QJsonObject>::failure(
        Text::tr("%1 names %n images and none for linux/amd64", nullptr, int(manifests.size())).arg(where));
}

Result<OciSource> readLayout(const QString &dir)
{
    auto index = readJson(dir + QStringLiteral("/index.json"));
    if (!index)
        return Result<OciSource>::failure(index.error());
    QJsonObject manifest;
    QJsonArray manifests = index->toObject().value(QStringLiteral("manifests")).toArray();
    // An index may point at another index (a multi-platform image): two levels at most.
    for (int depth = 0;; ++depth) {
        auto entry = pickManifest(manifests, QStringLiteral("index.json"));
        if (!entry)
            return Result<OciSource>::failure(entry.error());
        auto file = verifiedBlob(dir, *entry);
        if (!file)
            return Result<OciSource>::failure(file.error());
        auto json = readJson(*file);
        if (!json)
            return Result<OciSource>::failure(json.error());
        const QString type = entry->value(QStringLiteral("mediaType")).toString();
        if ((type == kIndexType || type == kDockerListType) && depth < 2) {
            manifests = json->toObject().value(QStringLiteral("manifests")).toArray();
            continue;
        }
        manifest = json->toObject();
        break;
    }
    OciSource source;
    source.kind = QStringLiteral("OCI layout");
    auto config = verifiedBlob(dir, manifest.value(QStringLiteral("config")).toObject());
    if (!config)
        return Result<OciSource>::failure(Text::tr("the image's config: %1").arg(config.error()));
    source.configDigest
        = manifest.value(QStringLiteral("config")).toObject().value(QStringLiteral("digest")).toString();
    const QJsonArray layers = manifest.value(QStringLiteral("layers")).toArray();
    if (layers.isEmpty())
        return Result<OciSource>::failure(Text::tr("the image's manifest names no layers"));
    for (const auto &layer : layers) {
        auto file = verifiedBlob(dir, layer.toObject());
        if (!file)
            return Result<OciSource>::failure(Text::tr("layer %1: %2").arg(source.layers.size() + 1).arg(file.error()));
        source.layers.append(*file);
    }
    return source;
}

bool isInside(const QString &relative)
{
    if (relative.isEmpty() || QDir::isAbsolutePath(relative))
        return false;
    for (const QString &part : relative.split(QLatin1Char('/'))) {
        if (part == QLatin1String(".."))
            return false;
    }
    return true;
}

// docker save: manifest.json lists the config and the layer tarballs, uncompressed; the
// config's rootfs.diff_ids are their sha256 sums.
Result<OciSource> readDockerArchive(const QString &dir)
{
    auto manifest = readJson(dir + QStringLiteral("/manifest.json"));
    if (!manifest)
        return Result<OciSource>::failure(manifest.error());
    const QJsonArray images = manifest->toArray();
    if (images.size() != 1)
        return Result<OciSource>::failure(
            Text::tr("the docker-archive holds %n images; import one at a time", nullptr, int(images.size())));
    const QJsonObject image = images.first().toObject();
    const QString configName = image.value(QStringLiteral("Config")).toString();
    if (!isInside(configName))
        return Result<OciSource>::failure(Text::tr("manifest.json names the config \"%1\"").arg(configName.left(80)));
    auto config = readJson(dir + QLatin1Char('/') + configName);
    if (!config)
        return Result<OciSource>::failure(config.error());
    const QJsonArray diffIds
        = config->toObject().value(QStringLiteral("rootfs")).toObject().value(QStringLiteral("diff_ids")).toArray();
    const QJsonArray layers = image.value(QStringLiteral("Layers")).toArray();
    if (layers.isEmpty() || layers.size() != diffIds.size())
        return Result<OciSource>::failure(
            Text::tr("manifest.json names %1 layers, the config %2 diff_ids").arg(layers.size()).arg(diffIds.size()));
    OciSource source;
    source.kind = QStringLiteral("docker-archive");
    auto configDigest = sha256OfFile(dir + QLatin1Char('/') + configName);
    if (!configDigest)
        return Result<OciSource>::failure(configDigest.error());
    source.configDigest = *configDigest;
    for (qsizetype i = 0; i < layers.size(); ++i) {
        const QString name = layers.at(i).toString();
        if (!isInside(name))
            return Result<OciSource>::failure(Text::tr("manifest.json names the layer \"%1\"").arg(name.left(80)));
        const QString path = dir + QLatin1Char('/') + name;
        auto digest = sha256OfFile(path);
        if (!digest)
            return Result<OciSource>::failure(digest.error());
        if (*digest != diffIds.at(i).toString())
            return Result<OciSource>::failure(Text::tr("layer %1 (%2) does not match the config's diff_id %3")
                    .arg(i + 1)
                    .arg(name, diffIds.at(i).toString()));
        source.layers.append(path);
    }
    return source;
}

} // namespace

Result<OciSource> readOciSource(const QString &dir)
{
    if (QFile::exists(dir + QStringLiteral("/index.json")))
        return readLayout(dir);
    if (QFile::exists(dir + QStringLiteral("/manifest.json")))
        return readDockerArchive(dir);
    return Result<OciSource>::failure(
        Text::tr("%1 is neither an OCI image layout (index.json) nor a docker-archive (manifest.json)").arg(dir));
}

QString entryThroughSymlink(const QStringList &entries, const std::function<bool(const QString &)> &isSymlink)
{
    QSet<QString> ownDirectories;
    QStringList paths;
    paths.reserve(entries.size());
    for (const QString &entry : entries) {
        QString path = entry;
        while (path.startsWith(QLatin1String("./")))
            path = path.mid(2);
        if (path.endsWith(QLatin1Char('/'))) {
            path.chop(1);
            ownDirectories.insert(path);
        }
        paths.append(path);
    }
    QHash<QString, bool> checked; // prefix → is a symlink the layer does not replace
    for (qsizetype i = 0; i < paths.size(); ++i) {
        const QString &path = paths.at(i);
        for (qsizetype slash = path.indexOf(QLatin1Char('/')); slash > 0;
            slash = path.indexOf(QLatin1Char('/'), slash + 1)) {
            const QString prefix = path.left(slash);
            auto it = checked.constFind(prefix);
            if (it == checked.constEnd())
                it = checked.insert(prefix, !ownDirectories.contains(prefix) && isSymlink(prefix));
            if (*it)
                return entries.at(i);
        }
    }
    return {};
}

bool parseWhiteout(const QString &entry, QString *dir, QString *name)
{
    QString path = entry;
    while (path.startsWith(QLatin1String("./")))
        path = path.mid(2);
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
    const QString base = path.mid(slash + 1);
    if (!base.startsWith(QLatin1String(".wh.")))
        return false;
    *dir = slash < 0 ? QString() : path.left(slash);
    if (!dir->isEmpty() && !isInside(*dir))
        return false;
    if (base == QLatin1String(".wh..wh..opq")) {
        name->clear();
        return true;
    }
    *name = base.mid(4);
    return !name->isEmpty() && *name != QLatin1String(".") && *name != QLatin1String("..");
}

} // namespace drover
