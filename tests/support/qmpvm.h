// A real qemu as the cheapest power peer: no devices, stopped before its firmware runs (-S,
// "plugged in, off"), answering QMP on a Unix socket. For the power tests.
#pragma once

#include <QProcess>
#include <QString>

namespace drover::test {

// Starts it and waits for the socket; false with *why when qemu is missing or does not start.
bool startQmpVm(QProcess &vm, const QString &socket, QString *why);

} // namespace drover::test
