#include "builder/privilegedbuild.h"

#include "builder/buildhelper.h"
#include "lab/lab.h"
#include "store/bundle.h"
#include "store/imagestore.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QThread>

#include <memory>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(PrivilegedBuild)
};

constexpr qsizetype maxEventLine = qsizetype(1024) * 1024;
constexpr qsizetype maxStderr = qsizetype(16) * 1024;

} // namespace

PrivilegedBuild::PrivilegedBuild(Lab *lab, QObject *parent)
    : QObject(parent)
    , m_lab(lab)
{ }

PrivilegedBuild::~PrivilegedBuild()
{
    if (m_importThread) {
        // Its bundle must be read whole or not at all: the import finishes, then it goes.
        disconnect(m_importThread, nullptr, this, nullptr);
        m_importThread->wait();
        delete m_importThread;
    }
    if (m_process && m_process->state() != QProcess::NotRunning) {
        // Root's process: no signal reaches it from here. Hanging up is its cue to cancel.
        disconnect(m_process, nullptr, this, nullptr);
        m_process->closeWriteChannel();
        if (!m_process->waitForFinished(30000))
            qWarning().noquote() << Text::tr("the build helper (pid %1) did not stop within 30 s of being asked")
                                        .arg(m_process->processId());
    }
}

QString PrivilegedBuild::helperPath()
{
    if (const QString env = qEnvironmentVariable("DROVER_BUILD_HELPER"); !env.isEmpty())
        return env;
    const QString programDir = QCoreApplication::instance() ? QCoreApplication::applicationDirPath() : QString();
    const QString installed = programDir + QStringLiteral("/../libexec/drover/drover-build-helper");
    if (!programDir.isEmpty() && QFileInfo(installed).isExecutable())
        return QFileInfo(installed).canonicalFilePath();
    return QStringLiteral(DROVER_BUILD_HELPER_BUILT);
}

QString PrivilegedBuild::pkexecPath()
{
    if (const QString env = qEnvironmentVariable("DROVER_PKEXEC"); !env.isEmpty())
        return env;
    return QStandardPaths::findExecutable(QStringLiteral("pkexec"));
}

void PrivilegedBuild::start(const Recipe &recipe, const BuildOptions &options)
{
    m_running = true;
    m_sawDone = false;
    m_importing = false;
    m_cancelled = false;
    m_pending.clear();
    m_stderr.clear();
    m_report = BuildReport();
    m_report.tag = recipe.tag(); // the Builder has put options.tag in already
    m_publish = StageReport();
    m_stage = Builder::stageNames().constFirst();
    m_clock.start();
    const QString pkexec = pkexecPath();
    const QString helper = helperPath();
    QString error;
    if (pkexec.isEmpty())
        error = Text::tr("building as a user other than root needs pkexec and polkitd (Debian packages pkexec and "
                         "polkitd), or run drover build as root");
    else if (!QFileInfo(helper).isExecutable())
        error = Text::tr("the build helper %1 is missing: reinstall drover").arg(helper);
    if (!error.isEmpty()) {
        BuildReport report = m_report;
        report.error = error;
        // As the in-process build does: finished() comes from the event loop, never from start().
        QMetaObject::invokeMethod(this, [this, report] { finish(report); }, Qt::QueuedConnection);
        return;
    }
    m_process = new QProcess(this);
    connect(m_process, &QProcess::readyReadStandardOutput, this, &PrivilegedBuild::readEvents);
    connect(m_process, &QProcess::readyReadStandardError, this, [this] {
        m_stderr.append(m_process->readAllStandardError());
        if (m_stderr.size() > maxStderr)
            m_stderr = m_stderr.right(maxStderr);
    });
    connect(m_process, &QProcess::finished, this, &PrivilegedBuild::processFinished);
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) {
            BuildReport report = m_report;
            report.error = Text::tr("cannot start %1: %2").arg(m_process->program(), m_process->errorString());
            finish(report);
        }
    });
    m_process->start(pkexec, { helper });
    m_process->write(helperprotocol::request(recipe, options));
    Q_EMIT logLine(
        m_stage, Text::tr("building through the build helper %1 (pkexec asks for authorisation)").arg(helper));
}

void PrivilegedBuild::cancel()
{
    // Once importing, the image is built and whole: the helper's bundle must stay until read.
    if (!m_running || m_cancelled || m_importing)
        return;
    m_cancelled = true;
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->write("cancel\n");
        m_process->closeWriteChannel();
    }
}

void PrivilegedBuild::readEvents()
{
    m_pending.append(m_process->readAllStandardOutput());
    qsizetype end = 0;
    while ((end = m_pending.indexOf('\n')) >= 0) {
        const QByteArray line = m_pending.left(end);
        m_pending.remove(0, end + 1);
        QJsonParseError parseError {};
        const QJsonDocument doc = QJsonDocument::fromJson(line, &parseError);
        if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
            // Not the protocol (a tool writing to the helper's stdout): shown, not obeyed.
            Q_EMIT logLine(m_stage, QString::fromUtf8(line));
            continue;
        }
        handleEvent(doc.object());
    }
    if (m_pending.size() > maxEventLine)
        m_pending.clear();
}

void PrivilegedBuild::handleEvent(const QJsonObject &event)
{
    const QString kind = event.value(QStringLiteral("e")).toString();
    const QString stage = event.value(QStringLiteral("stage")).toString();
    if (kind == QLatin1String("started")) {
        m_stage = stage;
        Q_EMIT stageStarted(stage);
    } else if (kind == QLatin1String("progress")) {
        Q_EMIT stageProgress(stage, event.value(QStringLiteral("percent")).toInt(-1));
    } else if (kind == QLatin1String("log")) {
        Q_EMIT logLine(stage, event.value(QStringLiteral("line")).toString());
    } else if (kind == QLatin1String("stage")) {
        const StageReport r = StageReport::fromJson(event.value(QStringLiteral("report")).toObject());
        if (r.name == QLatin1String("publish")) {
            m_publish = r; // the image is the user's only once imported
            return;
        }
        m_report.stages.append(r);
        Q_EMIT stageFinished(r);
    } else if (kind == QLatin1String("done") && !m_sawDone) {
        m_sawDone = true;
        helperDone(event);
    }
}

void PrivilegedBuild::helperDone(const QJsonObject &event)
{
    const QJsonObject r = event.value(QStringLiteral("report")).toObject();
    BuildReport report = m_report;
    report.ok = r.value(QStringLiteral("ok")).toBool();
    report.cancelled = r.value(QStringLiteral("cancelled")).toBool() || m_cancelled;
    report.error = r.value(QStringLiteral("error")).toString();
    if (const QString tag = r.value(QStringLiteral("tag")).toString(); !tag.isEmpty())
        report.tag = tag;
    const QString bundle = event.value(QStringLiteral("bundle")).toString();
    if (!report.ok || bundle.isEmpty() || m_cancelled) {
        if (report.ok) {
            report.ok = false;
            report.error = m_cancelled ? Text::tr("cancelled") : Text::tr("the build helper handed over no image");
        }
        m_report = report;
        return; // finished when the helper has exited
    }
    Q_EMIT stageStarted(QStringLiteral("publish"));
    Q_EMIT logLine(QStringLiteral("publish"), Text::tr("importing %1 from the build helper").arg(report.tag));
    const QString store = m_lab->storeDir();
    Catalog *catalog = m_lab->catalog();
    // A thread of its own, not the pool's: the catalog's connection for it goes when it ends
    // (catalog.cpp), not at the program's exit.
    auto imported = std::make_shared<Result<ImportResult>>(Result<ImportResult>::failure(QString()));
    QThread *thread = QThread::create(
        [store, catalog, bundle, imported] { *imported = importBundle(ImageStore(store), catalog, bundle); });
    thread->setObjectName(QStringLiteral("drover-import"));
    m_importThread = thread;
    QElapsedTimer importClock;
    importClock.start();
    connect(thread, &QThread::finished, this, [this, thread, imported, report, importClock, store]() mutable {
        thread->deleteLater();
        m_importThread = nullptr;
        StageReport publish = m_publish;
        publish.name = QStringLiteral("publish");
        publish.seconds += double(importClock.elapsed()) / 1000.0;
        if (!*imported || (*imported)->manifests.isEmpty()) {
            report.ok = false;
            report.error = Text::tr("importing the helper's image: %1")
                               .arg(*imported ? Text::tr("the bundle holds no image") : imported->error());
            publish.detail = report.error;
        } else {
            report.manifestDigest = (*imported)->manifests.first();
            if (auto manifest = ImageStore(store).manifest(report.manifestDigest))
                report.manifest = *manifest;
            publish.digest = report.manifestDigest;
            publish.detail = report.tag;
            publish.bytes = (*imported)->bytes;
            Q_EMIT stageFinished(publish);
        }
        report.stages.append(publish);
        m_importing = false;
        m_report = report;
        if (m_process && m_process->state() != QProcess::NotRunning) {
            m_process->write("imported\n");
            m_process->closeWriteChannel();
        } else {
            finish(m_report);
        }
    });
    thread->start();
    m_importing = true;
    m_report = report;
}

QString PrivilegedBuild::helperErrorText(int exitCode) const
{
    const QString detail = QString::fromLocal8Bit(m_stderr).trimmed();
    // pkexec(1): 126 the authentication dialog was dismissed, 127 not authorised (or pkexec
    // itself failed).
    QString text;
    if (exitCode == 126)
        text = Text::tr("the administrator's authorisation was dismissed: nothing was built");
    else if (exitCode == 127)
        text = Text::tr("not authorised to build images (polkit action org.drover.build): an administrator can "
                        "allow it, or build as root");
    else
        text = Text::tr("the build helper stopped (exit code %1) without a result").arg(exitCode);
    return detail.isEmpty() ? text : text + QStringLiteral(": ") + detail;
}

void PrivilegedBuild::processFinished(int exitCode, QProcess::ExitStatus status)
{
    readEvents();
    if (!m_running)
        return;
    if (!m_sawDone) {
        BuildReport report = m_report;
        report.cancelled = m_cancelled;
        report.error = m_cancelled ? Text::tr("cancelled")
            : status == QProcess::CrashExit
            ? Text::tr("the build helper crashed: %1").arg(QString::fromLocal8Bit(m_stderr).trimmed())
            : helperErrorText(exitCode);
        return finish(report);
    }
    if (!m_importing) // else the import's end finishes the build
        finish(m_report);
}

void PrivilegedBuild::finish(BuildReport report)
{
    if (!m_running)
        return;
    m_running = false;
    report.seconds = double(m_clock.elapsed()) / 1000.0;
    if (m_process) {
        m_process->deleteLater();
        m_process = nullptr;
    }
    Q_EMIT finished(report);
}

} // namespace drover
