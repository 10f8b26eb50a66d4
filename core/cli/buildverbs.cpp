// `drover build RECIPE [--tag NAME:VERSION]`: builds and publishes an image from a recipe,
// with a progress line per stage on a terminal, a summary table (stage, time, size) at the
// end, and --json for scripts. Ctrl-C cancels: nothing is published, caches stay valid.
#include "builder/builder.h"
#include "builder/ociexport.h"
#include "builder/recipe.h"
#include "cli/cli.h"
#include "lab/lab.h"
#include "runtime/signalwatcher.h"
#include "store/imagestore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <unistd.h>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(BuildVerbs)
};

QString formatSize(qint64 bytes)
{
    if (bytes <= 0)
        return QStringLiteral("-");
    if (bytes < qint64(1024) * 1024)
        return QStringLiteral("%1 KiB").arg(double(bytes) / 1024.0, 0, 'f', 1);
    return QStringLiteral("%1 MiB").arg(double(bytes) / 1048576.0, 0, 'f', 1);
}

QJsonObject blobJson(const Digest &digest, qint64 size)
{
    return { { QStringLiteral("digest"), digest.toString() }, { QStringLiteral("size"), size } };
}

QJsonObject reportJson(const BuildReport &r)
{
    QJsonArray stages;
    for (const StageReport &s : r.stages)
        stages.append(s.toJson());
    QJsonObject o { { QStringLiteral("ok"), r.ok }, { QStringLiteral("tag"), r.tag },
        { QStringLiteral("seconds"), r.seconds }, { QStringLiteral("stages"), stages } };
    if (!r.ok) {
        o.insert(QStringLiteral("error"), r.error);
        o.insert(QStringLiteral("cancelled"), r.cancelled);
        return o;
    }
    QJsonArray layers;
    for (const LayerRef &l : r.manifest.layers) {
        QJsonObject lo = blobJson(l.digest, l.size);
        lo.insert(QStringLiteral("type"), l.type);
        lo.insert(QStringLiteral("role"), l.role);
        layers.append(lo);
    }
    o.insert(QStringLiteral("manifest"), r.manifestDigest.toString());
    o.insert(QStringLiteral("format"), r.manifest.format);
    o.insert(QStringLiteral("kernel"), blobJson(r.manifest.kernel.digest, r.manifest.kernel.size));
    o.insert(QStringLiteral("initrd"), blobJson(r.manifest.initrd.digest, r.manifest.initrd.size));
    o.insert(QStringLiteral("layers"), layers);
    o.insert(QStringLiteral("download"), r.manifest.totalSize()); // what a machine fetches to boot
    return o;
}

// The live progress display: one line per stage, rewritten in place on a terminal.
class ProgressPrinter {
public:
    ProgressPrinter(QTextStream &out, bool terminal)
        : m_out(out)
        , m_terminal(terminal)
    { }

    void started(const QString &stage)
    {
        m_stage = stage;
        m_percent = -1;
        m_clock.start();
        redraw();
    }
    void progress(const QString &stage, int percent)
    {
        if (stage == m_stage && percent != m_percent) {
            m_percent = percent;
            redraw();
        }
    }
    void tick() { redraw(); }
    void finished(const StageReport &r)
    {
        const QString state = r.cached ? Text::tr("cached") : Text::tr("done");
        m_out << (m_terminal ? QStringLiteral("\r\033[K") : QString()) << label(r.name) << state.leftJustified(8)
              << QStringLiteral("%1 s").arg(r.seconds, 6, 'f', 1) << QStringLiteral("  ") << formatSize(r.bytes)
              << Qt::endl;
        m_stage.clear();
    }
    void failed()
    {
        if (m_terminal && !m_stage.isEmpty())
            m_out << Qt::endl;
        m_stage.clear();
    }

private:
    QString label(const QString &stage) const
    {
        const QStringList names = Builder::stageNames();
        return QStringLiteral("[%1/%2] ").arg(names.indexOf(stage) + 1).arg(names.size())
            + Builder::stageTitle(stage).leftJustified(36);
    }
    void redraw()
    {
        if (!m_terminal || m_stage.isEmpty())
            return;
        const QString percent = m_percent >= 0 ? QStringLiteral("%1%").arg(m_percent) : QStringLiteral("…");
        m_out << "\r\033[K" << label(m_stage) << percent.leftJustified(8)
              << QStringLiteral("%1 s").arg(double(m_clock.elapsed()) / 1000.0, 6, 'f', 1) << Qt::flush;
    }

    QTextStream &m_out;
    bool m_terminal;
    QString m_stage;
    int m_percent = -1;
    QElapsedTimer m_clock;
};

// The options `build` and `image import-rootfs` share.
void addBuildOptions(QCommandLineParser &p, const QString &tagHelp)
{
    p.addOption({ QStringLiteral("tag"), tagHelp, QStringLiteral("NAME:VERSION") });
    p.addOption({ QStringLiteral("cache"), Text::tr("Build cache directory (default: <data dir>/cache/build)."),
        QStringLiteral("DIR") });
    p.addOption({ QStringLiteral("rebuild-base"), Text::tr("Build the base layer again even when it is cached.") });
    p.addOption({ QStringLiteral("keep-work"),
        Text::tr(
            "Build on disk instead of in memory and keep the build tree for inspection (until the next build).") });
    p.addOption({ QStringLiteral("verbose"), Text::tr("Print the output of every build tool.") });
}

int runBuild(CliContext &ctx, const QCommandLineParser &p, const Recipe &recipe);

int build(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    addBuildOptions(p, Text::tr("Publish as NAME:VERSION instead of the recipe's name and version."));
    if (auto code = parseVerbArgs(ctx, verb, p, 1, 1))
        return *code;
    auto recipe = loadRecipe(p.positionalArguments().first());
    if (!recipe) {
        for (const QString &line : recipe.error().split(QLatin1Char('\n')))
            ctx.err << "drover: " << line << '\n';
        ctx.err << Qt::flush;
        return ExitError;
    }
    return runBuild(ctx, p, *recipe);
}

// An image from a root filesystem archive or a container image: the recipe is made here, with
// the archive as its root and, for a root without a kernel, a Debian kernel package.
int importImage(CliContext &ctx, const Verb &verb, const QString &kind)
{
    QCommandLineParser p;
    addBuildOptions(p, Text::tr("The image's NAME:VERSION (required)."));
    p.addOption({ QStringLiteral("kernel-package"),
        Text::tr("For a root without a kernel: take the kernel and its modules from this Debian package (e.g. "
                 "linux-image-amd64, or linux-image-amd64=VERSION for that version)."),
        QStringLiteral("PACKAGE") });
    p.addOption({ QStringLiteral("kernel-image"),
        Text::tr("For a root without a kernel: take the kernel and its modules from this image of the store."),
        QStringLiteral("NAME:VERSION") });
    p.addOption({ QStringLiteral("kernel-dir"),
        Text::tr(
            "For a root without a kernel: take the kernel and its modules from this directory "
            "(boot/vmlinuz-RELEASE and lib/modules/RELEASE, as dpkg-deb -x or a kernel's make install leave them)."),
        QStringLiteral("DIR") });
    p.addOption({ QStringLiteral("suite"), Text::tr("The Debian suite of --kernel-package (default: trixie)."),
        QStringLiteral("SUITE") });
    p.addOption({ QStringLiteral("kernel-args"), Text::tr("The kernel command line the image boots with."),
        QStringLiteral("ARGS") });
    if (auto code = parseVerbArgs(ctx, verb, p, 1, 1))
        return *code;
    const auto tag = splitTag(p.value(QStringLiteral("tag")));
    if (!tag)
        return usageError(ctx, Text::tr("drover: --tag NAME:VERSION is required"));
    QJsonObject from { { kind, QFileInfo(p.positionalArguments().first()).absoluteFilePath() } };
    if (p.isSet(QStringLiteral("kernel-package")))
        from.insert(QStringLiteral("kernelPackage"), p.value(QStringLiteral("kernel-package")));
    if (p.isSet(QStringLiteral("kernel-image")))
        from.insert(QStringLiteral("kernelImage"), p.value(QStringLiteral("kernel-image")));
    if (p.isSet(QStringLiteral("kernel-dir")))
        from.insert(QStringLiteral("kernelDir"), QFileInfo(p.value(QStringLiteral("kernel-dir"))).absoluteFilePath());
    QJsonObject json { { QStringLiteral("name"), tag->first }, { QStringLiteral("version"), tag->second },
        { QStringLiteral("from"), from },
        { QStringLiteral("kernelArgs"),
            p.isSet(QStringLiteral("kernel-args")) ? p.value(QStringLiteral("kernel-args"))
                                                   : QStringLiteral("console=tty0 console=ttyS0,115200 quiet") } };
    if (p.isSet(QStringLiteral("suite")))
        json.insert(
            QStringLiteral("distro"), QJsonObject { { QStringLiteral("suite"), p.value(QStringLiteral("suite")) } });
    const RecipeParse parsed
        = parseRecipe(QJsonDocument(json).toJson(), QStringLiteral("import-") + kind, QDir::currentPath());
    if (!parsed.recipe) {
        for (const RecipeIssue &issue : parsed.issues)
            ctx.err << "drover: " << issue.field << ": " << issue.message << '\n';
        ctx.err << Qt::flush;
        return ExitError;
    }
    return runBuild(ctx, p, *parsed.recipe);
}

int importRootfs(CliContext &ctx, const Verb &verb)
{
    return importImage(ctx, verb, QStringLiteral("rootfs"));
}

int importOci(CliContext &ctx, const Verb &verb)
{
    return importImage(ctx, verb, QStringLiteral("oci"));
}

// Off the main thread, so that Ctrl-C cancels it and removes what it had written.
int exportOciImage(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    if (auto code = parseVerbArgs(ctx, verb, p, 2, 2))
        return *code;
    const QString tag = p.positionalArguments().at(0);
    const QString target = p.positionalArguments().at(1);
    if (auto code = checkImageTag(ctx, tag))
        return *code;
    const ImageStore store(ctx.lab->storeDir());
    std::atomic_bool cancel { false };
    const bool verbose = !ctx.json && ::isatty(STDERR_FILENO);
    QEventLoop loop;
    QFutureWatcher<Result<OciExportResult>> watcher;
    QObject::connect(&watcher, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
    SignalWatcher signals_;
    QObject::connect(&signals_, &SignalWatcher::terminationRequested, &loop, [&](int) {
        ctx.err << Text::tr("drover: cancelling the export…") << Qt::endl;
        cancel = true;
    });
    QStringList lines; // the worker's log, printed here: ctx.err belongs to this thread
    QMutex linesLock;
    watcher.setFuture(QtConcurrent::run([&] {
        return exportOci(store, tag, target, cancel, [&](const QString &line) {
            const QMutexLocker lock(&linesLock);
            lines.append(line);
        });
    }));
    QTimer ticker;
    QObject::connect(&ticker, &QTimer::timeout, &loop, [&] {
        const QMutexLocker lock(&linesLock);
        if (verbose)
            for (const QString &line : std::as_const(lines))
                ctx.err << line << Qt::endl;
        lines.clear();
    });
    ticker.start(200);
    if (!watcher.isFinished())
        loop.exec();
    ticker.stop();
    const Result<OciExportResult> exported = watcher.result();
    if (!exported)
        return fail(ctx, Text::tr("cannot export %1: %2").arg(tag, exported.error()));
    return printResult(ctx,
        QJsonObject { { QStringLiteral("tag"), tag }, { QStringLiteral("target"), target },
            { QStringLiteral("rootDigest"), exported->rootDigest.toString() },
            { QStringLiteral("manifestDigest"), exported->manifestDigest.toString() },
            { QStringLiteral("bytes"), double(exported->bytes) } },
        Text::tr("exported %1 to %2 as a container image (%3); root %4")
            .arg(tag, target, formatSize(exported->bytes), exported->rootDigest.toString()));
}

int runBuild(CliContext &ctx, const QCommandLineParser &p, const Recipe &recipe)
{
    BuildOptions options;
    options.tag = p.value(QStringLiteral("tag"));
    if (!options.tag.isEmpty() && !splitTag(options.tag))
        return usageError(ctx, Text::tr("drover: --tag '%1' is not NAME:VERSION").arg(options.tag));
    options.cacheDir = p.value(QStringLiteral("cache"));
    options.reuseBase = !p.isSet(QStringLiteral("rebuild-base"));
    options.keepWorkDir = p.isSet(QStringLiteral("keep-work"));
    const bool verbose = p.isSet(QStringLiteral("verbose"));

    Builder builder(ctx.lab);
    // Progress goes to stdout on a terminal; with --json stdout is the summary alone.
    const bool terminal = ::isatty(ctx.json ? STDERR_FILENO : STDOUT_FILENO);
    ProgressPrinter printer(ctx.json ? ctx.err : ctx.out, terminal);
    QEventLoop loop;
    BuildReport result;
    QObject::connect(&builder, &Builder::stageStarted, &loop, [&](const QString &s) { printer.started(s); });
    QObject::connect(
        &builder, &Builder::stageProgress, &loop, [&](const QString &s, int percent) { printer.progress(s, percent); });
    QObject::connect(&builder, &Builder::stageFinished, &loop, [&](const StageReport &r) {
        if (!ctx.json || terminal)
            printer.finished(r);
    });
    QObject::connect(&builder, &Builder::logLine, &loop, [&](const QString &stage, const QString &line) {
        if (verbose)
            ctx.err << stage << ": " << line << Qt::endl;
    });
    QObject::connect(&builder, &Builder::finished, &loop, [&](const BuildReport &r) {
        result = r;
        loop.quit();
    });
    SignalWatcher signals_;
    QObject::connect(&signals_, &SignalWatcher::terminationRequested, &loop, [&](int) {
        printer.failed();
        ctx.err << Text::tr("drover: cancelling the build…") << Qt::endl;
        builder.cancel();
    });
    QTimer ticker;
    QObject::connect(&ticker, &QTimer::timeout, &loop, [&] { printer.tick(); });
    ticker.start(500);
    if (!builder.start(recipe, options))
        return fail(ctx, Text::tr("cannot start the build"));
    loop.exec();
    ticker.stop();

    if (ctx.json)
        printJson(ctx, reportJson(result));
    if (!result.ok) {
        printer.failed();
        return fail(ctx, Text::tr("build of %1 failed: %2").arg(result.tag, result.error));
    }
    if (!ctx.json) {
        QList<QStringList> rows;
        for (const StageReport &s : result.stages)
            rows.append({ s.name, QStringLiteral("%1 s").arg(s.seconds, 0, 'f', 1), formatSize(s.bytes),
                s.cached ? Text::tr("cached") : s.detail });
        ctx.out << '\n';
        printTable(ctx, { Text::tr("STAGE"), Text::tr("TIME"), Text::tr("SIZE"), Text::tr("NOTE") }, rows);
        ctx.out << '\n'
                << Text::tr("published %1 (%2) in %3 s; a machine downloads %4")
                       .arg(result.tag, result.manifestDigest.toString())
                       .arg(result.seconds, 0, 'f', 1)
                       .arg(formatSize(result.manifest.totalSize()))
                << Qt::endl;
    }
    return ExitOk;
}

} // namespace

QList<Verb> buildVerbs()
{
    return { { { QStringLiteral("build") }, QStringLiteral("RECIPE [--tag NAME:VERSION] [--rebuild-base]"),
                 Text::tr("Build an image from a recipe and publish it (as root, or with an administrator's password "
                          "through pkexec)."),
                 build },
        { { QStringLiteral("image"), QStringLiteral("import-rootfs") },
            QStringLiteral("FILE.tar[.gz|.xz|.zst] --tag NAME:VERSION [--kernel-package PACKAGE|--kernel-image "
                           "NAME:VERSION|--kernel-dir DIR]"),
            Text::tr("Build an image from a root filesystem archive, keeping owners, modes, links, device nodes and "
                     "extended attributes (as root, or with an administrator's password through pkexec)."),
            importRootfs },
        { { QStringLiteral("image"), QStringLiteral("import-oci") },
            QStringLiteral("DIR|FILE.tar --tag NAME:VERSION [--kernel-package PACKAGE|--kernel-image NAME:VERSION|"
                           "--kernel-dir DIR]"),
            Text::tr("Build an image from a container image: an OCI image layout, or an oci-archive or docker-archive "
                     "tarball (skopeo copy, podman save, docker save); its layers are checked against their digests "
                     "and stacked with their whiteouts (as root, or with an administrator's password through pkexec)."),
            importOci },
        { { QStringLiteral("image"), QStringLiteral("export-oci") }, QStringLiteral("NAME:VERSION DIR|FILE.tar"),
            Text::tr(
                "Write an image's root, its kernel in /boot, as a container image (OCI) to run before machines boot "
                "it: an OCI image layout directory, or an oci-archive for FILE.tar; prints the root's digest, the same "
                "for the same root (needs root)."),
            exportOciImage } };
}

} // namespace drover
