#include "qmpvm.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QStandardPaths>
#include <QThread>

namespace drover::test {

bool startQmpVm(QProcess &vm, const QString &socket, QString *why)
{
    const QString qemu = QStandardPaths::findExecutable(QStringLiteral("qemu-system-x86_64"));
    if (qemu.isEmpty()) {
        *why = QStringLiteral("qemu-system-x86_64 is not installed");
        return false;
    }
    vm.start(qemu,
        { QStringLiteral("-machine"), QStringLiteral("none"), QStringLiteral("-S"), QStringLiteral("-display"),
            QStringLiteral("none"), QStringLiteral("-nodefaults"), QStringLiteral("-qmp"),
            QStringLiteral("unix:%1,server=on,wait=off").arg(socket) });
    if (!vm.waitForStarted()) {
        *why = QStringLiteral("qemu did not start: ") + vm.errorString();
        return false;
    }
    const QDeadlineTimer deadline(20000);
    while (!QFile::exists(socket) && !deadline.hasExpired() && vm.state() == QProcess::Running)
        QThread::msleep(50);
    if (!QFile::exists(socket)) {
        *why = QStringLiteral("qemu made no QMP socket: ") + QString::fromLocal8Bit(vm.readAllStandardError());
        return false;
    }
    return true;
}

} // namespace drover::test
