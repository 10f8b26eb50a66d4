#include "builder/childprocess.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>

#include <csignal>
#include <unistd.h>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(ChildProcess)
};

void killGroup(QProcess &process)
{
    const qint64 pid = process.processId();
    if (pid <= 0)
        return;
    ::kill(-pid_t(pid), SIGTERM);
    if (!process.waitForFinished(3000)) {
        ::kill(-pid_t(pid), SIGKILL);
        process.waitForFinished(5000);
    }
    // Stragglers that outlived the group leader.
    ::kill(-pid_t(pid), SIGKILL);
}

} // namespace

QString ProcessOutcome::describe() const
{
    if (!started)
        return Text::tr("could not start: %1").arg(startError);
    if (cancelled)
        return Text::tr("cancelled");
    if (crashed)
        return Text::tr("killed by a signal");
    return Text::tr("exit status %1").arg(exitCode);
}

ProcessOutcome runProcess(
    const ProcessSpec &spec, const std::atomic_bool &cancel, const std::function<void(const QString &line)> &onLine)
{
    ProcessOutcome outcome;
    QProcess process;
    process.setProgram(spec.program);
    process.setArguments(spec.arguments);
    process.setProcessEnvironment(spec.environment);
    if (!spec.workingDirectory.isEmpty())
        process.setWorkingDirectory(spec.workingDirectory);
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setStandardInputFile(QProcess::nullDevice());
    // A session of its own: the group can be killed as one, and no terminal signal reaches it.
    process.setChildProcessModifier([] { ::setsid(); });
    if (cancel.load()) {
        outcome.cancelled = true;
        return outcome;
    }
    process.start();
    if (!process.waitForStarted(30000)) {
        outcome.startError = process.errorString();
        return outcome;
    }
    outcome.started = true;

    QByteArray pending;
    auto drain = [&](bool final) {
        pending += process.readAll();
        qsizetype start = 0;
        for (qsizetype i = 0; i < pending.size(); ++i) {
            if (pending[i] != '\n' && pending[i] != '\r')
                continue;
            const QString line = QString::fromUtf8(pending.mid(start, i - start)).trimmed();
            start = i + 1;
            if (line.isEmpty())
                continue;
            outcome.tail.append(line);
            if (outcome.tail.size() > spec.tailLines)
                outcome.tail.removeFirst();
            if (onLine)
                onLine(line);
        }
        pending.remove(0, start);
        if (final && !pending.trimmed().isEmpty()) {
            const QString line = QString::fromUtf8(pending).trimmed();
            outcome.tail.append(line);
            if (outcome.tail.size() > spec.tailLines)
                outcome.tail.removeFirst();
            if (onLine)
                onLine(line);
            pending.clear();
        }
    };
    while (process.state() != QProcess::NotRunning) {
        if (cancel.load()) {
            killGroup(process);
            drain(true);
            outcome.cancelled = true;
            return outcome;
        }
        process.waitForReadyRead(100);
        drain(false);
    }
    drain(true);
    outcome.crashed = process.exitStatus() == QProcess::CrashExit;
    outcome.exitCode = process.exitCode();
    return outcome;
}

} // namespace drover
