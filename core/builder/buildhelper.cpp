#include "builder/buildhelper.h"

#include "lab/lab.h"
#include "store/bundle.h"
#include "store/imagestore.h"
#include "store/storegc.h"

#include <QCoreApplication>
#include <QDebug>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSocketNotifier>

#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(BuildHelper)
};

constexpr int maxRequestBytes = 4 * 1024 * 1024;

QString errnoText()
{
    return QString::fromLocal8Bit(::strerror(errno));
}

// The first line of stdin, read before the event loop runs: nothing else can happen before it.
Result<QByteArray> readRequestLine()
{
    QByteArray line;
    char c = 0;
    for (;;) {
        const ssize_t n = ::read(STDIN_FILENO, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return Result<QByteArray>::failure(Text::tr("no build request on standard input"));
        if (c == '\n')
            return line;
        if (line.size() >= maxRequestBytes)
            return Result<QByteArray>::failure(
                Text::tr("the build request is longer than %1 bytes").arg(maxRequestBytes));
        line.append(c);
    }
}

Status makeDir(const QString &path, mode_t mode)
{
    if (!QDir().mkpath(path))
        return Status::failure(Text::tr("cannot create %1").arg(path));
    // Whatever was there before (an older run, a hand-made directory) gets the mode and owner
    // this trust model needs: root's, the caller can enter but not write.
    if (::chown(QFile::encodeName(path).constData(), 0, 0) != 0
        || ::chmod(QFile::encodeName(path).constData(), mode) != 0)
        return Status::failure(Text::tr("cannot set the owner and mode of %1: %2").arg(path, errnoText()));
    return {};
}

} // namespace

namespace helperprotocol {

QByteArray request(const Recipe &recipe, const BuildOptions &options)
{
    const QJsonObject o { { QStringLiteral("recipe"), recipe.toJson() },
        { QStringLiteral("fileName"), recipe.fileName }, { QStringLiteral("baseDir"), recipe.baseDir },
        { QStringLiteral("tag"), options.tag }, { QStringLiteral("rebuildBase"), !options.reuseBase } };
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

} // namespace helperprotocol

BuildHelper::BuildHelper(BuildHelperOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
    if (m_options.workDir.isEmpty())
        m_options.workDir = QStringLiteral("/var/cache/drover/builds");
}

BuildHelper::~BuildHelper()
{
    if (!m_bundle.isEmpty())
        QFile::remove(m_bundle);
}

void BuildHelper::emitEvent(const QJsonObject &event)
{
    const QByteArray line = QJsonDocument(event).toJson(QJsonDocument::Compact) + '\n';
    qsizetype done = 0;
    while (done < line.size()) {
        const ssize_t n = ::write(STDOUT_FILENO, line.constData() + done, size_t(line.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            // The caller is gone: nobody will import; stop building for nobody.
            if (m_builder)
                m_builder->cancel();
            return;
        }
        done += n;
    }
}

void BuildHelper::fail(const QString &error)
{
    emitEvent({ { QStringLiteral("e"), QStringLiteral("done") },
        { QStringLiteral("report"),
            QJsonObject { { QStringLiteral("ok"), false }, { QStringLiteral("error"), error } } } });
    m_done = true;
    Q_EMIT finished(1);
}

void BuildHelper::start()
{
    if (::geteuid() != 0)
        return fail(Text::tr("the build helper runs as root, through pkexec"));
    const auto line = readRequestLine();
    if (!line)
        return fail(line.error());
    QJsonParseError parseError {};
    const QJsonObject request = QJsonDocument::fromJson(*line, &parseError).object();
    if (parseError.error != QJsonParseError::NoError)
        return fail(Text::tr("the build request is not JSON: %1 at byte %2")
                .arg(parseError.errorString())
                .arg(parseError.offset));
    if (!request.value(QStringLiteral("recipe")).isObject())
        return fail(Text::tr("the build request holds no recipe object"));
    const QString fileName = request.value(QStringLiteral("fileName")).toString();
    const QString baseDir = request.value(QStringLiteral("baseDir")).toString();
    if (!baseDir.isEmpty() && !QDir::isAbsolutePath(baseDir))
        return fail(Text::tr("the recipe's directory must be an absolute path, not %1").arg(baseDir));
    const RecipeParse parsed
        = parseRecipe(QJsonDocument(request.value(QStringLiteral("recipe")).toObject()).toJson(), fileName, baseDir);
    if (!parsed.recipe)
        return fail(parsed.errorText());
    const Recipe recipe = *parsed.recipe;
    // The helper's lab has no images of the caller's: another image's kernel cannot be taken.
    if (!recipe.kernelImage.isEmpty())
        return fail(Text::tr("a recipe whose kernel comes from another image (from.kernelImage %1) builds only as "
                             "root: run drover build as root")
                .arg(recipe.kernelImage));

    const QString labDir = m_options.workDir + QStringLiteral("/uid-%1").arg(m_options.callerUid);
    for (const auto &[dir, mode] : { std::pair { m_options.workDir, mode_t(0755) }, std::pair { labDir, mode_t(0700) },
             std::pair { QString(m_options.workDir + QStringLiteral("/handover")), mode_t(0711) } }) {
        if (const Status made = makeDir(dir, mode); !made)
            return fail(made.error());
    }
    auto lab = Lab::open(LabOptions { labDir, {} });
    if (!lab)
        return fail(Text::tr("cannot open the helper's lab %1: %2").arg(labDir, lab.error()));
    m_lab = std::move(*lab);

    m_builder = new Builder(m_lab.get(), this);
    connect(m_builder, &Builder::stageStarted, this, [this](const QString &stage) {
        emitEvent({ { QStringLiteral("e"), QStringLiteral("started") }, { QStringLiteral("stage"), stage } });
    });
    connect(m_builder, &Builder::stageProgress, this, [this](const QString &stage, int percent) {
        emitEvent({ { QStringLiteral("e"), QStringLiteral("progress") }, { QStringLiteral("stage"), stage },
            { QStringLiteral("percent"), percent } });
    });
    connect(m_builder, &Builder::logLine, this, [this](const QString &stage, const QString &text) {
        emitEvent({ { QStringLiteral("e"), QStringLiteral("log") }, { QStringLiteral("stage"), stage },
            { QStringLiteral("line"), text } });
    });
    connect(m_builder, &Builder::stageFinished, this, [this](const StageReport &r) {
        emitEvent({ { QStringLiteral("e"), QStringLiteral("stage") }, { QStringLiteral("report"), r.toJson() } });
    });
    connect(m_builder, &Builder::finished, this, &BuildHelper::buildFinished);

    m_stdin = new QSocketNotifier(STDIN_FILENO, QSocketNotifier::Read, this);
    connect(m_stdin, &QSocketNotifier::activated, this, &BuildHelper::readCommands);

    BuildOptions options;
    options.tag = request.value(QStringLiteral("tag")).toString();
    options.reuseBase = !request.value(QStringLiteral("rebuildBase")).toBool();
    options.privileges = BuildOptions::Privileges::InProcess;
    // Root's choice only (pkexec passes no such variable on): tests share their .deb cache.
    options.debCacheDir = qEnvironmentVariable("DROVER_HELPER_DEB_CACHE");
    // Installed in <prefix>/libexec/drover: the resources are in <prefix>/share/drover.
    options.resourceDir = BuildOptions::resourceDirFor(qEnvironmentVariable("DROVER_RESOURCE_DIR"),
        QCoreApplication::applicationDirPath() + QStringLiteral("/.."), BuildOptions::defaultResourceDir());
    if (!m_builder->start(recipe, options))
        return fail(Text::tr("--tag: %1 is not NAME:VERSION").arg(options.tag));
}

void BuildHelper::buildFinished(const BuildReport &report)
{
    QJsonObject r { { QStringLiteral("ok"), report.ok }, { QStringLiteral("cancelled"), report.cancelled },
        { QStringLiteral("error"), report.error }, { QStringLiteral("tag"), report.tag },
        { QStringLiteral("seconds"), report.seconds } };
    QJsonObject done { { QStringLiteral("e"), QStringLiteral("done") } };
    if (report.ok) {
        // A name nobody can guess, in a directory nobody but root writes: the caller cannot
        // have put a link there, and other users cannot open it.
        m_tag = report.tag;
        const QString bundle = m_options.workDir
            + QStringLiteral("/handover/uid-%1-%2.tar")
                  .arg(m_options.callerUid)
                  .arg(QRandomGenerator::system()->generate64(), 16, 16, QLatin1Char('0'));
        const auto record = m_lab->catalog()->imageByTag(report.tag);
        auto exported
            = exportBundle(ImageStore(m_lab->storeDir()), report.tag, bundle, record ? record->recipe : QString());
        if (!exported) {
            r.insert(QStringLiteral("ok"), false);
            r.insert(QStringLiteral("error"), Text::tr("cannot write the bundle: %1").arg(exported.error()));
        } else if (::chown(QFile::encodeName(bundle).constData(), m_options.callerUid, uid_t(-1)) != 0
            || ::chmod(QFile::encodeName(bundle).constData(), 0600) != 0) {
            QFile::remove(bundle);
            r.insert(QStringLiteral("ok"), false);
            r.insert(QStringLiteral("error"),
                Text::tr("cannot give the bundle to uid %1: %2").arg(m_options.callerUid).arg(errnoText()));
        } else {
            m_bundle = bundle;
            done.insert(QStringLiteral("bundle"), bundle);
            done.insert(QStringLiteral("bytes"), exported->bytes);
        }
    }
    done.insert(QStringLiteral("report"), r);
    emitEvent(done);
    m_done = true;
    m_ok = r.value(QStringLiteral("ok")).toBool();
    if (m_bundle.isEmpty()) {
        handedOver();
        return;
    }
    // Wait for "imported" (or the caller hanging up) before the bundle goes.
}

void BuildHelper::readCommands()
{
    char buffer[256];
    const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
        return;
    if (n <= 0) {
        m_stdin->setEnabled(false);
        // Hung up: a running build is cancelled, a finished one's bundle is no one's.
        if (!m_done) {
            m_builder->cancel();
            return;
        }
        handedOver();
        return;
    }
    m_pending.append(buffer, n);
    if (m_pending.size() > 4096)
        m_pending = m_pending.right(4096);
    qsizetype end = 0;
    while ((end = m_pending.indexOf('\n')) >= 0) {
        const QByteArray command = m_pending.left(end).trimmed();
        m_pending.remove(0, end + 1);
        if (command == "cancel" && !m_done)
            m_builder->cancel();
        else if (command == "imported" && m_done)
            return handedOver();
    }
}

void BuildHelper::handedOver()
{
    if (m_stdin)
        m_stdin->setEnabled(false);
    if (!m_bundle.isEmpty()) {
        QFile::remove(m_bundle);
        m_bundle.clear();
    }
    // The image now lives in the caller's store; the helper's lab keeps only its build caches
    // (bootstrap, base layer), which make the next build fast.
    if (!m_tag.isEmpty() && m_lab) {
        // The caller has its image by now: a failure here costs the helper's disk only, so it
        // is told on standard error, which the caller shows when the helper fails.
        const ImageStore store(m_lab->storeDir());
        if (const Status s = store.removeTag(m_tag); !s)
            qWarning().noquote() << Text::tr("cannot remove %1 from the helper's store: %2").arg(m_tag, s.error());
        if (const Status s = m_lab->catalog()->removeImage(m_tag); !s)
            qWarning().noquote() << Text::tr("cannot remove %1 from the helper's catalog: %2").arg(m_tag, s.error());
        GcOptions gc;
        gc.graceSeconds = 0;
        gc.roots = catalogRoots(*m_lab->catalog());
        gc.blobs = catalogBlobs(*m_lab->catalog());
        if (const auto collected = collectGarbage(store, gc); !collected)
            qWarning().noquote() << Text::tr("cannot clean the helper's store: %1").arg(collected.error());
    }
    Q_EMIT finished(m_ok ? 0 : 1);
}

} // namespace drover
