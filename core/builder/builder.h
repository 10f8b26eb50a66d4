// Builder: turns a recipe into a published image, off the caller's thread. Stages run in
// order on a worker thread — bootstrap (mmdebstrap), base (pruned root → squashfs, cached by
// the digest of everything that went into it), kernel, top (files, users, scripts, services,
// the ready unit → an overlay layer), initramfs (busybox, Drover's init, the modules it
// needs), publish — each reporting progress and log lines by signals. cancel() stops any
// stage: child processes are killed, temporary directories removed, nothing is published,
// and the caches stay valid. Publishing (manifest, tag, catalog row) happens last, on the
// Builder's own thread, where the catalog lives.
#pragma once

#include "builder/recipe.h"
#include "store/manifest.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

class QThread;

namespace drover {

class Lab;
class BuildJob;
class PrivilegedBuild;

struct BuildOptions {
    QString tag; // NAME:VERSION overriding the recipe's; empty: the recipe's
    QString cacheDir; // empty: <data dir>/cache/build
    QString debCacheDir; // downloaded .deb files; empty: <cacheDir>/debs
    QString resourceDir; // empty: defaultResourceDir()
    bool reuseBase = true; // false: build the base layer again even when cached (reproducibility checks)
    bool keepWorkDir = false; // build on disk instead of in a tmpfs, and leave the tree for inspection
    // Auto: in this process as root, else through the privileged build helper (pkexec);
    // Helper forces the helper (tests), InProcess forbids it (the helper itself).
    enum class Privileges { Auto, InProcess, Helper };
    Privileges privileges = Privileges::Auto;

    // Drover's resources (the init, the ready unit): $DROVER_RESOURCE_DIR; else where the
    // package installs them beside the program (<prefix>/share/drover); else the source tree's.
    static QString defaultResourceDir();
    // The same choice from its inputs: the environment's value, the program's directory and
    // the source tree's resources.
    static QString resourceDirFor(const QString &fromEnvironment, const QString &programDir, const QString &sourceDir);
};

struct StageReport {
    QString name; // bootstrap, base, kernel, top, initramfs, publish
    bool cached = false;
    double seconds = 0;
    qint64 bytes = 0; // what the stage produced
    Digest digest; // of that output, when it is one blob
    QString detail;

    // As `drover build --json` prints it and the build helper sends it.
    QJsonObject toJson() const;
    static StageReport fromJson(const QJsonObject &o);
};

struct BuildReport {
    bool ok = false;
    bool cancelled = false;
    QString error;
    QString tag;
    Digest manifestDigest;
    Manifest manifest;
    QList<StageReport> stages;
    double seconds = 0;
};

class Builder final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Builder)
public:
    explicit Builder(Lab *lab, QObject *parent = nullptr);
    ~Builder() override; // cancels and waits for the worker

    static QStringList stageNames();
    static QString stageTitle(const QString &stage);

    // Starts building; false (and finished() is not emitted) when a build is running already
    // or options.tag is not NAME:VERSION.
    bool start(const Recipe &recipe, const BuildOptions &options = {});
    bool isRunning() const;
    void cancel();

Q_SIGNALS:
    void stageStarted(const QString &stage);
    void stageProgress(const QString &stage, int percent); // 0–100, -1 when unknown
    void stageFinished(const drover::StageReport &report);
    void logLine(const QString &stage, const QString &line);
    void finished(const drover::BuildReport &report);

private:
    friend class BuildJob;
    void workerDone();
    void startPrivileged(const Recipe &recipe, const BuildOptions &options);
    void logResult(const BuildReport &report);

    Lab *m_lab;
    QThread *m_thread = nullptr;
    std::unique_ptr<BuildJob> m_job;
    PrivilegedBuild *m_privileged = nullptr; // a build through the helper, while one runs
    std::atomic_bool m_cancel = false;
    QElapsedTimer m_clock;
};

} // namespace drover

Q_DECLARE_METATYPE(drover::StageReport)
Q_DECLARE_METATYPE(drover::BuildReport)
