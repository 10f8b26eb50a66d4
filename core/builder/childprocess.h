// ChildProcess: runs a tool of the build (mmdebstrap, mksquashfs, chroot …) in its own process
// group, streaming its output line by line and keeping the last lines for error messages.
// Cancelling kills the whole group (mmdebstrap's apt and dpkg children included), so a
// cancelled build leaves nothing running. Used on the build's worker thread.
#pragma once

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>

namespace drover {

struct ProcessOutcome {
    bool started = false;
    bool cancelled = false;
    bool crashed = false;
    int exitCode = -1;
    QStringList tail; // the last output lines
    QString startError; // why it did not start

    bool ok() const { return started && !cancelled && !crashed && exitCode == 0; }
    // "exit status 2" / "killed by a signal" / "could not start: …"
    QString describe() const;
};

struct ProcessSpec {
    QString program;
    QStringList arguments;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    QString workingDirectory;
    int tailLines = 20;
};

// Runs to completion or until `cancel` becomes true; `onLine` gets every output line
// (stdout and stderr merged), on the calling thread.
ProcessOutcome runProcess(const ProcessSpec &spec, const std::atomic_bool &cancel,
    const std::function<void(const QString &line)> &onLine = {});

} // namespace drover
