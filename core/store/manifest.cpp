#include "store/manifest.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(Manifest)
};

QJsonObject blobJson(const BlobRef &ref)
{
    return { { QStringLiteral("digest"), ref.digest.toString() }, { QStringLiteral("size"), ref.size } };
}

// Reads {"digest", "size"} at `where`, or says what is wrong with it.
Result<BlobRef> blobFrom(const QJsonValue &value, const QString &where)
{
    const QJsonObject o = value.toObject();
    const auto digest = Digest::parse(o.value(QStringLiteral("digest")).toString());
    if (!digest)
        return Result<BlobRef>::failure(Text::tr("%1.digest: not a sha256 digest").arg(where));
    const QJsonValue size = o.value(QStringLiteral("size"));
    if (!size.isDouble() || size.toDouble() < 0)
        return Result<BlobRef>::failure(Text::tr("%1.size: not a size in bytes").arg(where));
    return BlobRef { *digest, qint64(size.toDouble()) };
}

const QRegularExpression &namePattern()
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\\z"));
    return re;
}

} // namespace

bool isValidImageName(const QString &text)
{
    return namePattern().match(text).hasMatch();
}

bool isValidImageVersion(const QString &text)
{
    return namePattern().match(text).hasMatch();
}

std::optional<std::pair<QString, QString>> splitTag(const QString &tag)
{
    const qsizetype colon = tag.indexOf(QLatin1Char(':'));
    if (colon < 0)
        return std::nullopt;
    QString name = tag.left(colon);
    QString version = tag.mid(colon + 1);
    if (!isValidImageName(name) || !isValidImageVersion(version))
        return std::nullopt;
    return std::pair { name, version };
}

QList<BlobRef> Manifest::blobs() const
{
    QList<BlobRef> refs;
    if (!kernel.digest.isNull())
        refs.append(kernel);
    if (!initrd.digest.isNull())
        refs.append(initrd);
    for (const LayerRef &layer : layers)
        refs.append(BlobRef { layer.digest, layer.size });
    return refs;
}

QList<std::pair<QString, BlobRef>> Manifest::namedBlobs() const
{
    QList<std::pair<QString, BlobRef>> refs;
    if (!kernel.digest.isNull())
        refs.append({ QStringLiteral("kernel"), kernel });
    if (!initrd.digest.isNull())
        refs.append({ QStringLiteral("initrd"), initrd });
    for (qsizetype i = 0; i < layers.size(); ++i)
        refs.append({ QStringLiteral("layers[%1]").arg(i), BlobRef { layers[i].digest, layers[i].size } });
    return refs;
}

qint64 Manifest::totalSize() const
{
    qint64 total = 0;
    for (const BlobRef &ref : blobs())
        total += ref.size;
    return total;
}

QByteArray Manifest::toJson() const
{
    QJsonArray layerArray;
    for (const LayerRef &layer : layers) {
        layerArray.append(
            QJsonObject { { QStringLiteral("digest"), layer.digest.toString() }, { QStringLiteral("size"), layer.size },
                { QStringLiteral("type"), layer.type }, { QStringLiteral("role"), layer.role } });
    }
    QJsonObject o {
        { QStringLiteral("schemaVersion"), 1 },
        { QStringLiteral("mediaType"), QString::fromLatin1(kManifestMediaType) },
        { QStringLiteral("name"), name },
        { QStringLiteral("version"), version },
        { QStringLiteral("architecture"), architecture },
        { QStringLiteral("format"), format },
        { QStringLiteral("kernel"), blobJson(kernel) },
        { QStringLiteral("initrd"), blobJson(initrd) },
        { QStringLiteral("layers"), layerArray },
        { QStringLiteral("kernelArgs"), kernelArgs },
        { QStringLiteral("recipeDigest"), recipeDigest.toString() },
        { QStringLiteral("build"), build },
    };
    // QJsonObject keeps keys sorted, so compact output is canonical.
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

Result<Manifest> Manifest::fromJson(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return Result<Manifest>::failure(
            Text::tr("manifest: %1 at byte %2").arg(error.errorString()).arg(error.offset));
    if (!doc.isObject())
        return Result<Manifest>::failure(Text::tr("manifest: not a JSON object"));
    const QJsonObject o = doc.object();
    if (o.value(QStringLiteral("mediaType")).toString() != QLatin1String(kManifestMediaType))
        return Result<Manifest>::failure(
            Text::tr("manifest: mediaType is not %1").arg(QLatin1String(kManifestMediaType)));
    if (o.value(QStringLiteral("schemaVersion")).toInt() != 1)
        return Result<Manifest>::failure(Text::tr("manifest: schemaVersion %1 is not supported")
                .arg(o.value(QStringLiteral("schemaVersion")).toInt()));
    Manifest m;
    m.name = o.value(QStringLiteral("name")).toString();
    m.version = o.value(QStringLiteral("version")).toString();
    if (!isValidImageName(m.name))
        return Result<Manifest>::failure(Text::tr("manifest: name '%1' is not a valid image name").arg(m.name));
    if (!isValidImageVersion(m.version))
        return Result<Manifest>::failure(Text::tr("manifest: version '%1' is not a valid version").arg(m.version));
    m.architecture = o.value(QStringLiteral("architecture")).toString();
    m.format = o.value(QStringLiteral("format")).toString();
    if (m.format != QLatin1String("layers") && m.format != QLatin1String("initramfs"))
        return Result<Manifest>::failure(
            Text::tr("manifest: format '%1' is neither layers nor initramfs").arg(m.format));
    auto kernel = blobFrom(o.value(QStringLiteral("kernel")), QStringLiteral("kernel"));
    if (!kernel)
        return Result<Manifest>::failure(Text::tr("manifest: %1").arg(kernel.error()));
    auto initrd = blobFrom(o.value(QStringLiteral("initrd")), QStringLiteral("initrd"));
    if (!initrd)
        return Result<Manifest>::failure(Text::tr("manifest: %1").arg(initrd.error()));
    m.kernel = kernel.value();
    m.initrd = initrd.value();
    const QJsonArray layers = o.value(QStringLiteral("layers")).toArray();
    for (qsizetype i = 0; i < layers.size(); ++i) {
        const QString where = QStringLiteral("layers[%1]").arg(i);
        auto ref = blobFrom(layers.at(i), where);
        if (!ref)
            return Result<Manifest>::failure(Text::tr("manifest: %1").arg(ref.error()));
        const QJsonObject layer = layers.at(i).toObject();
        LayerRef l { ref->digest, ref->size, layer.value(QStringLiteral("type")).toString(),
            layer.value(QStringLiteral("role")).toString() };
        if (l.type != QLatin1String("squashfs") && l.type != QLatin1String("erofs"))
            return Result<Manifest>::failure(
                Text::tr("manifest: %1.type '%2' is neither squashfs nor erofs").arg(where, l.type));
        m.layers.append(l);
    }
    if (m.format == QLatin1String("layers") && m.layers.isEmpty())
        return Result<Manifest>::failure(Text::tr("manifest: format layers but no layers"));
    m.kernelArgs = o.value(QStringLiteral("kernelArgs")).toString();
    const QString recipe = o.value(QStringLiteral("recipeDigest")).toString();
    if (!recipe.isEmpty()) {
        const auto digest = Digest::parse(recipe);
        if (!digest)
            return Result<Manifest>::failure(Text::tr("manifest: recipeDigest is not a sha256 digest"));
        m.recipeDigest = *digest;
    }
    m.build = o.value(QStringLiteral("build")).toObject();
    return m;
}

} // namespace drover
