#include "builder/buildcache.h"

#include "builder/mounts.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSaveFile>

#include <cerrno>
#include <csignal>
#include <unistd.h>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(BuildCache)
};

QJsonObject blobJson(const BlobRef &b)
{
    return { { QStringLiteral("digest"), b.digest.toString() }, { QStringLiteral("size"), b.size } };
}

std::optional<BlobRef> blobFrom(const QJsonValue &v)
{
    const auto digest = Digest::parse(v[QStringLiteral("digest")].toString());
    if (!digest)
        return std::nullopt;
    return BlobRef { *digest, qint64(v[QStringLiteral("size")].toDouble()) };
}

bool validKey(const QString &key)
{
    return isSha256Hex(key);
}

} // namespace

QJsonObject BaseCacheEntry::toJson() const
{
    QJsonObject l = blobJson({ layer.digest, layer.size });
    l.insert(QStringLiteral("type"), layer.type);
    return {
        { QStringLiteral("key"), key },
        { QStringLiteral("partialKey"), partialKey },
        { QStringLiteral("layer"), l },
        { QStringLiteral("kernel"), blobJson(kernel) },
        { QStringLiteral("kernelRelease"), kernelRelease },
        { QStringLiteral("sourceDateEpoch"), sourceDateEpoch },
        { QStringLiteral("packages"), packages },
    };
}

std::optional<BaseCacheEntry> BaseCacheEntry::fromJson(const QJsonObject &o)
{
    BaseCacheEntry e;
    e.key = o.value(QStringLiteral("key")).toString();
    e.partialKey = o.value(QStringLiteral("partialKey")).toString();
    const auto layer = blobFrom(o.value(QStringLiteral("layer")));
    const auto kernel = blobFrom(o.value(QStringLiteral("kernel")));
    if (!layer || !kernel || !validKey(e.key))
        return std::nullopt;
    e.layer = { layer->digest, layer->size, o.value(QStringLiteral("layer"))[QStringLiteral("type")].toString(),
        QStringLiteral("base") };
    e.kernel = *kernel;
    e.kernelRelease = o.value(QStringLiteral("kernelRelease")).toString();
    e.sourceDateEpoch = qint64(o.value(QStringLiteral("sourceDateEpoch")).toDouble());
    e.packages = o.value(QStringLiteral("packages")).toObject();
    if (e.kernelRelease.isEmpty() || e.kernelRelease.contains(QLatin1Char('/')))
        return std::nullopt;
    return e;
}

BuildCache::BuildCache(QString dir, QString debDir)
    : m_dir(std::move(dir))
    , m_debDir(debDir.isEmpty() ? m_dir + QStringLiteral("/debs") : std::move(debDir))
{ }

Status BuildCache::init() const
{
    for (const QString &dir :
        QStringList { m_debDir, m_dir + QStringLiteral("/base"), m_dir + QStringLiteral("/work") }) {
        if (!QDir().mkpath(dir))
            return Status::failure(Text::tr("cannot create the build cache %1").arg(dir));
    }
    return {};
}

std::optional<BaseCacheEntry> BuildCache::lookup(const QString &key) const
{
    if (!validKey(key))
        return std::nullopt;
    QFile f(m_dir + QStringLiteral("/base/") + key + QStringLiteral(".json"));
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    auto entry = BaseCacheEntry::fromJson(QJsonDocument::fromJson(f.readAll()).object());
    if (!entry || entry->key != key)
        return std::nullopt;
    return entry;
}

std::optional<BaseCacheEntry> BuildCache::latest(const QString &partialKey) const
{
    const QFileInfoList files
        = QDir(m_dir + QStringLiteral("/base")).entryInfoList({ QStringLiteral("*.json") }, QDir::Files, QDir::Time);
    for (const QFileInfo &info : files) {
        auto entry = lookup(info.completeBaseName());
        if (entry && entry->partialKey == partialKey)
            return entry;
    }
    return std::nullopt;
}

Status BuildCache::store(const BaseCacheEntry &entry) const
{
    QSaveFile f(m_dir + QStringLiteral("/base/") + entry.key + QStringLiteral(".json"));
    const QByteArray json = QJsonDocument(entry.toJson()).toJson(QJsonDocument::Indented);
    if (!f.open(QIODevice::WriteOnly) || f.write(json) != json.size() || !f.commit())
        return Status::failure(
            Text::tr("cannot write the build cache entry %1: %2").arg(f.fileName(), f.errorString()));
    return {};
}

Result<QString> BuildCache::makeWorkDir() const
{
    const QDir work(m_dir + QStringLiteral("/work"));
    for (const QString &name : work.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const qint64 pid = name.section(QLatin1Char('-'), 0, 0).toLongLong();
        if (pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno == EPERM))
            continue; // its build may still be running
        (void)removeTree(work.filePath(name));
    }
    const QString path = work.filePath(QStringLiteral("%1-%2")
            .arg(::getpid())
            .arg(QRandomGenerator::system()->generate() & 0xffffff, 6, 16, QLatin1Char('0')));
    if (!QDir().mkpath(path))
        return Result<QString>::failure(Text::tr("cannot create the work directory %1").arg(path));
    return path;
}

} // namespace drover
