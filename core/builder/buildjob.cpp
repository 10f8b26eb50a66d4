#include "builder/buildjob.h"

#include "builder/aptsources.h"
#include "builder/mounts.h"
#include "store/imagestore.h"
#include "store/sha256.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTimeZone>

#include <unistd.h>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(Builder)
};

// Bump when a change to the pipeline changes what a base layer contains.
constexpr int kPipelineVersion = 1;

QJsonArray sortedArray(QStringList list)
{
    list.sort();
    list.removeDuplicates();
    return QJsonArray::fromStringList(list);
}

QString sha256Hex(const QByteArray &bytes)
{
    return Digest::ofBytes(bytes).hex();
}

// What a kernel directory holds, cheaply: every file's path, size and modification time, and
// the kernel's own sha256.
Result<QString> treeSignature(const QString &dir)
{
    QStringList lines;
    QDirIterator it(
        dir, QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QFileInfo f(it.next());
        lines.append(QStringLiteral("%1 %2 %3")
                .arg(QDir(dir).relativeFilePath(f.filePath()))
                .arg(f.size())
                .arg(f.lastModified().toSecsSinceEpoch()));
        if (f.fileName().startsWith(QLatin1String("vmlinuz-"))) {
            auto kernel = Sha256::ofFile(f.filePath());
            if (!kernel)
                return Result<QString>::failure(kernel.error());
            lines.append(kernel->hex());
        }
    }
    lines.sort();
    return sha256Hex(lines.join(QLatin1Char('\n')).toUtf8());
}

} // namespace

BuildJob::BuildJob(Builder *builder, Recipe recipe, BuildOptions options, QString storeDir, QString cacheDir,
    const std::atomic_bool &cancel)
    : m_builder(builder)
    , m_recipe(std::move(recipe))
    , m_options(std::move(options))
    , m_cancel(cancel)
    , m_store(std::move(storeDir))
    , m_cache(std::move(cacheDir), m_options.debCacheDir)
{
    report.tag = m_recipe.tag();
}

BuildJob::~BuildJob() = default;

QStringList BuildJob::defaultInitModules(const QString &layerType)
{
    Q_UNUSED(layerType)
    return { QStringLiteral("af_packet"), QStringLiteral("loop"), QStringLiteral("squashfs"), QStringLiteral("overlay"),
        QStringLiteral("erofs") };
}

QStringList BuildJob::nicModules()
{
    // The init loads NIC drivers by modalias: these cover virtual machines and the usual lab
    // PCs and servers. Missing ones (built in, or absent from a custom kernel) are skipped.
    return { QStringLiteral("virtio_pci"), QStringLiteral("virtio_net"), QStringLiteral("e1000"),
        QStringLiteral("e1000e"), QStringLiteral("igb"), QStringLiteral("igc"), QStringLiteral("ixgbe"),
        QStringLiteral("i40e"), QStringLiteral("r8169"), QStringLiteral("tg3"), QStringLiteral("bnx2") };
}

QStringList BuildJob::modulesNamedBy(const QByteArray &initScript)
{
    // "# drover-modules: a b c" lines, else the init's own default ": ${DROVER_MODULES:=a b c}".
    QStringList modules;
    const QString text = QString::fromUtf8(initScript);
    static const QRegularExpression line(
        QStringLiteral("^#\\s*drover-modules:(.*)$"), QRegularExpression::MultilineOption);
    static const QRegularExpression assignment(QStringLiteral("DROVER_MODULES:=([^}\"]*)"));
    auto it = line.globalMatch(text);
    while (it.hasNext())
        modules += it.next().captured(1).split(QRegularExpression(QStringLiteral("[\\s,]+")), Qt::SkipEmptyParts);
    if (modules.isEmpty()) {
        if (auto m = assignment.match(text); m.hasMatch())
            modules = m.captured(1).split(QRegularExpression(QStringLiteral("[\\s,]+")), Qt::SkipEmptyParts);
    }
    return modules;
}

QString BuildJob::explainAptFailure(const QStringList &lines, const QString &suite, const QStringList &components)
{
    static const QRegularExpression unknown(QStringLiteral("Unable to locate package (\\S+)"));
    static const QRegularExpression noCandidate(QStringLiteral("Package '([^']+)' has no installation candidate"));
    static const QRegularExpression noVersion(QStringLiteral("Version '([^']+)' for '([^']+)' was not found"));
    static const QRegularExpression expired(
        QStringLiteral("Release file for \\S+ is expired \\(invalid since ([^)]+)\\)"));
    const QString where = QStringLiteral("%1 (%2)").arg(suite, components.join(QLatin1Char(' ')));
    QStringList problems;
    for (const QString &l : lines) {
        if (auto m = unknown.match(l); m.hasMatch())
            problems.append(Text::tr("package \"%1\" is not in %2 on the mirror").arg(m.captured(1), where));
        else if (auto m2 = noCandidate.match(l); m2.hasMatch())
            problems.append(Text::tr("package \"%1\" has no installable version in %2 (a virtual package? name one "
                                     "that provides it)")
                    .arg(m2.captured(1), where));
        else if (auto m3 = noVersion.match(l); m3.hasMatch())
            problems.append(
                Text::tr("version %1 of package \"%2\" is not in %3").arg(m3.captured(1), m3.captured(2), where));
        else if (auto m4 = expired.match(l); m4.hasMatch())
            problems.append(Text::tr("the mirror's %1 Release file expired %2 ago: the mirror is stale, or a snapshot; "
                                     "for a snapshot you trust, set distro.checkValidUntil to false in the recipe")
                    .arg(suite, m4.captured(1)));
    }
    problems.removeDuplicates();
    return problems.join(QLatin1Char('\n'));
}

void BuildJob::log(const QString &line)
{
    Q_EMIT m_builder->logLine(m_stage, line);
}

void BuildJob::progress(int percent)
{
    Q_EMIT m_builder->stageProgress(m_stage, percent);
}

Status BuildJob::cancelledStatus() const
{
    return Status::failure(Text::tr("cancelled"));
}

QProcessEnvironment BuildJob::toolEnvironment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SOURCE_DATE_EPOCH"), QString::number(m_sde));
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C.UTF-8"));
    env.insert(QStringLiteral("DEBIAN_FRONTEND"), QStringLiteral("noninteractive"));
    env.insert(QStringLiteral("PATH"), QStringLiteral("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    env.remove(QStringLiteral("TMPDIR"));
    return env;
}

Status BuildJob::tool(const QString &program, const QStringList &args, ProcessOutcome *outcome,
    const std::function<void(const QString &)> &onLine, const QProcessEnvironment *environment)
{
    ProcessSpec spec;
    spec.program = program;
    spec.arguments = args;
    spec.environment = environment ? *environment : toolEnvironment();
    const ProcessOutcome result = runProcess(spec, m_cancel, [&](const QString &line) {
        log(line);
        if (onLine)
            onLine(line);
    });
    if (outcome)
        *outcome = result;
    if (result.cancelled)
        return cancelledStatus();
    if (!result.ok())
        return Status::failure(Text::tr("%1 failed (%2); its last lines:\n%3")
                .arg(program, result.describe(), result.tail.join(QLatin1Char('\n'))));
    return {};
}

Status BuildJob::stage(const QString &name, const Work &work)
{
    if (cancelled())
        return cancelledStatus();
    m_stage = name;
    m_current = StageReport();
    m_current.name = name;
    Q_EMIT m_builder->stageStarted(name);
    QElapsedTimer clock;
    clock.start();
    Status s = work();
    m_current.seconds = double(clock.elapsed()) / 1000.0;
    if (!s && cancelled())
        s = cancelledStatus();
    if (!s)
        m_current.detail = s.error();
    report.stages.append(m_current);
    if (s)
        Q_EMIT m_builder->stageFinished(m_current);
    return s;
}

Status BuildJob::prepare()
{
    if (::geteuid() != 0)
        return Status::failure(Text::tr("building an image needs root (mmdebstrap in root mode, loop and overlay "
                                        "mounts); run drover build as root"));
    QStringList missing;
    const QString layerTool
        = m_recipe.layerType == QLatin1String("erofs") ? QStringLiteral("mkfs.erofs") : QStringLiteral("mksquashfs");
    for (const QString &t :
        { QStringLiteral("mmdebstrap"), layerTool, QStringLiteral("depmod"), QStringLiteral("chroot") }) {
        if (QStandardPaths::findExecutable(t,
                { QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin"), QStringLiteral("/sbin"),
                    QStringLiteral("/bin") })
                .isEmpty())
            missing.append(t);
    }
    if (!missing.isEmpty())
        return Status::failure(Text::tr("missing tools: %1 (Debian packages mmdebstrap, squashfs-tools or "
                                        "erofs-utils, kmod, coreutils)")
                .arg(missing.join(QStringLiteral(", "))));
    // An imported root needs the mirror only for a kernel package.
    const bool needsMirror = !m_recipe.imported() || !m_recipe.kernelPackage.isEmpty();
    m_mirror = m_recipe.mirror;
    if (m_mirror.isEmpty() && needsMirror) {
        const auto host = hostMirror();
        if (!host)
            return Status::failure(Text::tr("distro.mirror is not set and the host's apt configuration (/etc/apt) "
                                            "names no Debian mirror"));
        m_mirror = *host;
    }
    const QString initPath = m_options.resourceDir + QStringLiteral("/initramfs/init");
    QFile init(initPath);
    if (!init.open(QIODevice::ReadOnly))
        return Status::failure(Text::tr("Drover's init is missing: %1").arg(initPath));
    m_initScript = init.readAll();
    m_initModules = modulesNamedBy(m_initScript);
    if (m_initModules.isEmpty())
        m_initModules = defaultInitModules(m_recipe.layerType);
    m_initModules += nicModules();

    std::optional<qint64> fixedEpoch = m_recipe.sourceDateEpoch;
    if (!fixedEpoch && qEnvironmentVariableIsSet("SOURCE_DATE_EPOCH"))
        fixedEpoch = qEnvironmentVariable("SOURCE_DATE_EPOCH").toLongLong();
    QJsonObject partial {
        { QStringLiteral("pipeline"), kPipelineVersion },
        { QStringLiteral("suite"), m_recipe.suite },
        { QStringLiteral("components"), QJsonArray::fromStringList(m_recipe.components) },
        { QStringLiteral("mirror"), m_mirror },
        { QStringLiteral("architecture"), m_recipe.architecture },
        { QStringLiteral("packages"), sortedArray(m_recipe.packages) },
        { QStringLiteral("exclude"), sortedArray(m_recipe.exclude) },
        { QStringLiteral("pruneDocs"), m_recipe.pruneDocs },
        { QStringLiteral("pruneMan"), m_recipe.pruneMan },
        { QStringLiteral("keepLocales"), sortedArray(m_recipe.keepLocales) },
        { QStringLiteral("kernelModules"), sortedArray(m_recipe.kernelModules) },
        { QStringLiteral("layerType"), m_recipe.layerType },
        { QStringLiteral("initModules"), sortedArray(m_initModules) },
        { QStringLiteral("fixedEpoch"), fixedEpoch ? QJsonValue(double(*fixedEpoch)) : QJsonValue() },
    };
    if (!m_recipe.compression.isEmpty()) // only then: the default's cached bases keep their keys
        partial.insert(QStringLiteral("compression"), m_recipe.compression);
    if (m_recipe.busyboxBase()) // only then: the cached Debian bases keep their keys
        partial.insert(QStringLiteral("base"), m_recipe.base);
    if (!m_recipe.checkValidUntil)
        partial.insert(QStringLiteral("checkValidUntil"), false);
    if (!m_recipe.extraSuites.isEmpty() || !m_recipe.sources.isEmpty()) {
        partial.insert(QStringLiteral("extraSuites"), QJsonArray::fromStringList(m_recipe.extraSuites));
        partial.insert(QStringLiteral("sources"), QJsonArray::fromStringList(m_recipe.sources));
    }
    if (m_recipe.imported()) {
        // A layout directory is named by its index: every blob it reaches is checked against
        // the digests there when the layers are read.
        QString hashed = m_recipe.importPath();
        if (QFileInfo(hashed).isDir())
            hashed += QFileInfo::exists(hashed + QStringLiteral("/index.json")) ? QStringLiteral("/index.json")
                                                                                : QStringLiteral("/manifest.json");
        log(Text::tr("hashing %1").arg(hashed));
        auto archive = Sha256::ofFile(hashed);
        if (!archive)
            return Status::failure(archive.error());
        partial.insert(m_recipe.fromOci.isEmpty() ? QStringLiteral("rootfs") : QStringLiteral("oci"), archive->hex());
        partial.insert(QStringLiteral("kernelPackage"), m_recipe.kernelPackage);
        // 2: the root kept as it is but for host keys and random seed (1 cleaned it as a bootstrap).
        partial.insert(QStringLiteral("importVersion"), 2);
        if (!m_recipe.kernelImage.isEmpty()) {
            // Named by its manifest: a new image under the same tag is another kernel.
            const auto digest = ImageStore(m_store.root()).resolve(m_recipe.kernelImage);
            if (!digest)
                return Status::failure(
                    Text::tr("from.kernelImage: no image %1 in the store").arg(m_recipe.kernelImage));
            m_kernelImage = *digest;
            partial.insert(QStringLiteral("kernelImage"), digest->toString());
        }
        if (!m_recipe.kernelDir.isEmpty()) {
            auto kernel = treeSignature(m_recipe.kernelDirPath());
            if (!kernel)
                return Status::failure(kernel.error());
            partial.insert(QStringLiteral("kernelDir"), *kernel);
        }
    }
    m_partialKey = sha256Hex(QJsonDocument(partial).toJson(QJsonDocument::Compact));
    if (!needsMirror) {
        // Nothing from a mirror: the archive's own time stands in for the release date.
        m_sde = fixedEpoch ? *fixedEpoch : QFileInfo(m_recipe.importPath()).lastModified().toSecsSinceEpoch();
        return lookUpBase(partial);
    }

    log(Text::tr("fetching the %1 release file").arg(m_recipe.suite));
    auto release = fetchRelease(m_mirror, m_recipe.suite, m_cancel);
    if (!release) {
        if (cancelled())
            return cancelledStatus();
        if (auto cached = m_cache.latest(m_partialKey); cached && m_options.reuseBase) {
            log(Text::tr("%1; reusing the newest cached base layer built from this recipe").arg(release.error()));
            m_base = *cached;
            m_baseCached = true;
            m_baseKey = cached->key;
            m_sde = cached->sourceDateEpoch;
            return {};
        }
        return Status::failure(release.error());
    }
    m_release = *release;
    if (fixedEpoch) {
        m_sde = *fixedEpoch;
    } else {
        const QDateTime date = releaseDate(m_release);
        if (!date.isValid())
            return Status::failure(
                Text::tr("the %1 release file has no Date; set sourceDateEpoch in the recipe").arg(m_recipe.suite));
        m_sde = date.toSecsSinceEpoch();
    }
    return lookUpBase(partial);
}

Status BuildJob::lookUpBase(const QJsonObject &partial)
{
    QJsonObject full = partial;
    full.insert(QStringLiteral("release"), sha256Hex(m_release));
    full.insert(QStringLiteral("sourceDateEpoch"), double(m_sde));
    m_baseKey = sha256Hex(QJsonDocument(full).toJson(QJsonDocument::Compact));
    if (m_options.reuseBase) {
        if (auto cached = m_cache.lookup(m_baseKey);
            cached && m_store.contains(cached->layer.digest) && m_store.contains(cached->kernel.digest)) {
            m_base = *cached;
            m_baseCached = true;
        }
    }
    return {};
}

void BuildJob::run()
{
    QElapsedTimer clock;
    clock.start();
    Status s = m_cache.init();
    if (s)
        s = m_store.init();
    if (s) {
        auto work = m_cache.makeWorkDir();
        if (work)
            m_workDir = *work;
        else
            s = Status::failure(work.error());
    }
    if (s)
        s = enterPrivateMountNamespace(m_workDir, !m_options.keepWorkDir);
    if (s)
        s = stage(QStringLiteral("bootstrap"), [this] {
            if (Status p = prepare(); !p)
                return p;
            return bootstrap();
        });
    if (s)
        s = stage(QStringLiteral("base"), [this] { return buildBase(); });
    if (s)
        s = stage(QStringLiteral("kernel"), [this] { return storeKernel(); });
    if (s)
        s = stage(QStringLiteral("top"), [this] { return buildTop(); });
    if (s)
        s = stage(QStringLiteral("initramfs"), [this] { return buildInitramfs(); });
    if (s && !cancelled()) {
        // The catalog part of publishing runs on the Builder's thread (Builder::workerDone).
        m_stage = QStringLiteral("publish");
        Q_EMIT m_builder->stageStarted(m_stage);
        QElapsedTimer publishClock;
        publishClock.start();
        s = publishBlobs();
        publishStage.name = m_stage;
        publishStage.bytes = manifest.totalSize();
        publishStage.seconds = double(publishClock.elapsed()) / 1000.0;
        readyToPublish = s.ok() && !cancelled();
    }
    if (!m_workDir.isEmpty()) {
        if (m_options.keepWorkDir) {
            unmountBelow(m_workDir); // the tree stays on disk, its mounts go
            log(Text::tr("the work tree stays in %1").arg(m_workDir));
        } else if (Status r = removeTree(m_workDir); !r) {
            log(r.error());
        }
    }
    report.cancelled = cancelled();
    report.ok = s.ok() && !report.cancelled;
    report.error = report.cancelled ? Text::tr("cancelled") : s.error();
    report.seconds = double(clock.elapsed()) / 1000.0;
}

// Where the image's kernel and modules came from, for the manifest: the recipe says it, so a
// cached base layer gives the same answer as a new one.
QJsonObject BuildJob::kernelSource() const
{
    if (!m_recipe.kernelPackage.isEmpty())
        return { { QStringLiteral("type"), QStringLiteral("package") },
            { QStringLiteral("package"), m_recipe.kernelPackage }, { QStringLiteral("suite"), m_recipe.suite } };
    if (!m_recipe.kernelImage.isEmpty())
        return { { QStringLiteral("type"), QStringLiteral("image") }, { QStringLiteral("image"), m_recipe.kernelImage },
            { QStringLiteral("manifest"), m_kernelImage.toString() } };
    if (!m_recipe.kernelDir.isEmpty())
        return { { QStringLiteral("type"), QStringLiteral("directory") },
            { QStringLiteral("directory"), m_recipe.kernelDirPath() } };
    return { { QStringLiteral("type"), QStringLiteral("root") } };
}

Status BuildJob::publishBlobs()
{
    const bool layers = m_recipe.format == QLatin1String("layers");
    if (layers) {
        auto top = m_store.putFile(m_topFile);
        if (!top)
            return Status::failure(top.error());
        m_top = { top->digest, top->size, m_recipe.layerType, QStringLiteral("top") };
    }
    auto initrd = m_store.putFile(m_initrdFile);
    if (!initrd)
        return Status::failure(initrd.error());
    m_initrd = *initrd;
    if (cancelled())
        return cancelledStatus();

    manifest.name = m_recipe.name;
    manifest.version = m_recipe.version;
    manifest.architecture = m_recipe.architecture;
    manifest.format = m_recipe.format;
    manifest.kernel = m_base.kernel;
    manifest.initrd = m_initrd;
    if (layers)
        manifest.layers = { m_base.layer, m_top };
    manifest.kernelArgs = m_recipe.kernelArgs;
    manifest.recipeDigest = m_recipe.digest();
    manifest.build = QJsonObject {
        { QStringLiteral("builder"), QStringLiteral("drover " DROVER_VERSION) },
        { QStringLiteral("created"), QDateTime::fromSecsSinceEpoch(m_sde, QTimeZone::UTC).toString(Qt::ISODate) },
        { QStringLiteral("sourceDateEpoch"), double(m_sde) },
        { QStringLiteral("suite"), m_recipe.suite },
        { QStringLiteral("kernelRelease"), m_base.kernelRelease },
        { QStringLiteral("kernelSource"), kernelSource() },
        { QStringLiteral("baseKey"), m_base.key },
        { QStringLiteral("packages"), m_base.packages },
    };
    recipeJson = QString::fromUtf8(QJsonDocument(m_recipe.toJson()).toJson(QJsonDocument::Indented));
    return {};
}

} // namespace drover
