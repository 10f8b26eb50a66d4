#include "builder/builder.h"

#include "builder/buildjob.h"
#include "builder/privilegedbuild.h"
#include "lab/lab.h"
#include "store/imagestore.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QThread>

#include <unistd.h>

namespace drover {

QString BuildOptions::defaultResourceDir()
{
    // An installed Drover runs far from the tree it was built in: the package's copy first.
    const QString programDir = QCoreApplication::instance() ? QCoreApplication::applicationDirPath() : QString();
    return resourceDirFor(
        qEnvironmentVariable("DROVER_RESOURCE_DIR"), programDir, QStringLiteral(DROVER_SOURCE_DIR "/resources"));
}

QString BuildOptions::resourceDirFor(
    const QString &fromEnvironment, const QString &programDir, const QString &sourceDir)
{
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    if (!programDir.isEmpty()) {
        const QString installed = QDir::cleanPath(programDir + QStringLiteral("/../share/drover"));
        if (QFileInfo::exists(installed + QStringLiteral("/initramfs/init")))
            return installed;
    }
    return sourceDir;
}

QJsonObject StageReport::toJson() const
{
    QJsonObject o { { QStringLiteral("name"), name }, { QStringLiteral("seconds"), seconds },
        { QStringLiteral("bytes"), bytes }, { QStringLiteral("cached"), cached },
        { QStringLiteral("detail"), detail } };
    if (!digest.isNull())
        o.insert(QStringLiteral("digest"), digest.toString());
    return o;
}

StageReport StageReport::fromJson(const QJsonObject &o)
{
    StageReport r;
    r.name = o.value(QStringLiteral("name")).toString();
    r.cached = o.value(QStringLiteral("cached")).toBool();
    r.seconds = o.value(QStringLiteral("seconds")).toDouble();
    r.bytes = qint64(o.value(QStringLiteral("bytes")).toDouble());
    r.detail = o.value(QStringLiteral("detail")).toString();
    r.digest = Digest::parse(o.value(QStringLiteral("digest")).toString()).value_or(Digest());
    return r;
}

Builder::Builder(Lab *lab, QObject *parent)
    : QObject(parent)
    , m_lab(lab)
{
    qRegisterMetaType<drover::StageReport>();
    qRegisterMetaType<drover::BuildReport>();
}

Builder::~Builder()
{
    if (m_thread) {
        disconnect(m_thread, nullptr, this, nullptr);
        m_cancel = true;
        m_thread->wait();
        delete m_thread;
    }
}

QStringList Builder::stageNames()
{
    return { QStringLiteral("bootstrap"), QStringLiteral("base"), QStringLiteral("kernel"), QStringLiteral("top"),
        QStringLiteral("initramfs"), QStringLiteral("publish") };
}

QString Builder::stageTitle(const QString &stage)
{
    if (stage == QLatin1String("bootstrap"))
        return tr("Bootstrap (mmdebstrap)");
    if (stage == QLatin1String("base"))
        return tr("Base layer");
    if (stage == QLatin1String("kernel"))
        return tr("Kernel");
    if (stage == QLatin1String("top"))
        return tr("Top layer (files, users, scripts)");
    if (stage == QLatin1String("initramfs"))
        return tr("Initramfs");
    if (stage == QLatin1String("publish"))
        return tr("Publish");
    return stage;
}

bool Builder::isRunning() const
{
    return m_thread != nullptr || m_privileged != nullptr;
}

bool Builder::start(const Recipe &recipe, const BuildOptions &options)
{
    if (isRunning())
        return false;
    Recipe r = recipe;
    if (!options.tag.isEmpty()) {
        const auto tag = splitTag(options.tag);
        if (!tag)
            return false;
        r.name = tag->first;
        r.version = tag->second;
    }
    if (options.privileges == BuildOptions::Privileges::Helper
        || (options.privileges == BuildOptions::Privileges::Auto && ::geteuid() != 0)) {
        startPrivileged(r, options);
        return true;
    }
    BuildOptions o = options;
    if (o.cacheDir.isEmpty())
        o.cacheDir = m_lab->dataDir() + QStringLiteral("/cache/build");
    if (o.resourceDir.isEmpty())
        o.resourceDir = BuildOptions::defaultResourceDir();
    m_cancel = false;
    m_clock.start();
    m_job = std::make_unique<BuildJob>(this, r, o, m_lab->storeDir(), o.cacheDir, m_cancel);
    m_lab->log()->post(Severity::Info, QStringLiteral("build"), tr("building %1").arg(r.tag()));
    BuildJob *job = m_job.get();
    m_thread = QThread::create([job] { job->run(); });
    m_thread->setObjectName(QStringLiteral("drover-build"));
    connect(m_thread, &QThread::finished, this, &Builder::workerDone);
    m_thread->start();
    return true;
}

void Builder::startPrivileged(const Recipe &recipe, const BuildOptions &options)
{
    m_privileged = new PrivilegedBuild(m_lab, this);
    connect(m_privileged, &PrivilegedBuild::stageStarted, this, &Builder::stageStarted);
    connect(m_privileged, &PrivilegedBuild::stageProgress, this, &Builder::stageProgress);
    connect(m_privileged, &PrivilegedBuild::stageFinished, this, &Builder::stageFinished);
    connect(m_privileged, &PrivilegedBuild::logLine, this, &Builder::logLine);
    connect(m_privileged, &PrivilegedBuild::finished, this, [this](const BuildReport &report) {
        m_privileged->deleteLater();
        m_privileged = nullptr;
        logResult(report);
        Q_EMIT finished(report);
    });
    m_lab->log()->post(Severity::Info, QStringLiteral("build"),
        tr("building %1 through the privileged build helper").arg(recipe.tag()));
    m_privileged->start(recipe, options);
}

void Builder::cancel()
{
    m_cancel = true;
    if (m_privileged)
        m_privileged->cancel();
}

void Builder::workerDone()
{
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    const std::unique_ptr<BuildJob> job = std::move(m_job);
    BuildReport report = job->report;
    if (report.ok && job->readyToPublish && !m_cancel) {
        QElapsedTimer clock;
        clock.start();
        auto published = publishImage(ImageStore(m_lab->storeDir()), *m_lab->catalog(), job->manifest, job->recipeJson);
        StageReport stage = job->publishStage;
        stage.seconds += double(clock.elapsed()) / 1000.0;
        if (published) {
            report.manifest = job->manifest;
            report.manifestDigest = Digest::parse(published->manifestDigest).value_or(Digest());
            stage.digest = report.manifestDigest;
            stage.detail = published->tag();
            report.stages.append(stage);
            Q_EMIT stageFinished(stage);
        } else {
            report.ok = false;
            report.error = published.error();
            stage.detail = published.error();
            report.stages.append(stage);
        }
    } else if (m_cancel) {
        report.ok = false;
        report.cancelled = true;
        report.error = tr("cancelled");
    }
    report.seconds = double(m_clock.elapsed()) / 1000.0;
    logResult(report);
    Q_EMIT finished(report);
}

void Builder::logResult(const BuildReport &report)
{
    if (report.ok)
        m_lab->log()->post(Severity::Info, QStringLiteral("build"),
            tr("built %1 (%2) in %3 s")
                .arg(report.tag, report.manifestDigest.toString())
                .arg(report.seconds, 0, 'f', 1));
    else
        m_lab->log()->post(report.cancelled ? Severity::Warning : Severity::Error, QStringLiteral("build"),
            tr("build of %1 failed: %2").arg(report.tag, report.error));
}

} // namespace drover
