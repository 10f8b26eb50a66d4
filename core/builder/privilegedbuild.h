// PrivilegedBuild: the desktop user's side of a build through the privileged helper
// (builder/buildhelper.h). The Builder hands a build here when it does not run as root: the
// helper runs under pkexec (polkit action org.drover.build, docs/architecture.md), builds
// in its own lab, and this side turns its events back into the Builder's signals, imports
// the bundle it hands over into the user's store and catalog (checking every blob, as any
// import does), and tells it to clean up. Cancelling asks the helper, which runs as root
// and cannot be killed from here, to stop; once the import has begun it is too late to.
#pragma once

#include "builder/builder.h"

#include <QElapsedTimer>
#include <QObject>
#include <QProcess>

class QThread;

namespace drover {

class Lab;

class PrivilegedBuild final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PrivilegedBuild)
public:
    explicit PrivilegedBuild(Lab *lab, QObject *parent = nullptr);
    ~PrivilegedBuild() override; // asks a running helper to stop and waits for it a while

    // $DROVER_BUILD_HELPER; else <prefix>/libexec/drover/drover-build-helper beside the
    // installed program; else the one built beside this build's drover.
    static QString helperPath();
    // $DROVER_PKEXEC (a stand-in, for tests that inject faults); else pkexec from PATH.
    static QString pkexecPath();

    // Always answers with finished(), also when the helper cannot be started.
    void start(const Recipe &recipe, const BuildOptions &options);
    bool isRunning() const { return m_running; }
    void cancel();

Q_SIGNALS:
    void stageStarted(const QString &stage);
    void stageProgress(const QString &stage, int percent);
    void stageFinished(const drover::StageReport &report);
    void logLine(const QString &stage, const QString &line);
    void finished(const drover::BuildReport &report);

private:
    void readEvents();
    void handleEvent(const QJsonObject &event);
    void helperDone(const QJsonObject &event);
    void processFinished(int exitCode, QProcess::ExitStatus status);
    void finish(BuildReport report);
    QString helperErrorText(int exitCode) const;

    Lab *m_lab;
    QProcess *m_process = nullptr;
    QThread *m_importThread = nullptr; // importing the helper's bundle
    QByteArray m_pending;
    QString m_stage; // the helper's current stage, for lines outside the protocol
    QByteArray m_stderr;
    QElapsedTimer m_clock;
    BuildReport m_report;
    StageReport m_publish; // the helper's, held back until the import is done too
    bool m_running = false;
    bool m_sawDone = false;
    bool m_importing = false; // the helper's bundle, into the user's store
    bool m_cancelled = false;
};

} // namespace drover
