// VirtualLab: qemu machines that netboot from this Drover — a lab on a laptop. Each VM is a
// catalog machine (MAC 52:54:00:d0:…, in the group asked for) with a setting vm/<name>
// (firmware, memory) and a power method (qmp://), started by the running boot server:
// qemu's user-mode network (no root, no bridge) hands it an address and points its iPXE at
// this server's /boot.ipxe on the host's loopback; its serial console goes to
// <data>/vms/<name>.log (the console view). The VMs are children of this Drover: they
// stop when it exits, and `drover vm rm` or Remove stops and deletes them.
#pragma once

#include "util/result.h"

#include <QHash>
#include <QObject>
#include <QString>

class QProcess;

namespace drover {

class Lab;

struct VmSpec {
    QString name;
    bool uefi = false;
    int memoryMiB = 1536;
    QString group;
    // UEFI with Secure Boot on (OVMF's Secure Boot build, Microsoft's keys enrolled), booting
    // Debian's signed shim → GRUB → the image's kernel. Implies uefi.
    bool secureBoot = false;

    QJsonObject toJson() const;
    static VmSpec fromJson(const QString &name, const QJsonObject &o);
};

// Adds `count` VMs to the catalog (names PREFIX-1, PREFIX-2, … not yet taken); the running
// server starts them. Validates memory (256–16384 MiB) and count (1–32).
Result<QStringList> addVirtualMachines(
    Lab *lab, int count, const QString &prefix, const QString &group, bool uefi, int memoryMiB);
// Removes a VM: its setting, its machine row and its files; the server stops it.
Status removeVirtualMachine(Lab *lab, const QString &name);
QList<VmSpec> virtualMachines(const Lab *lab);
QString vmConsolePath(const Lab *lab, const QString &name);
// Starts qemu for one machine: user network pointing iPXE at http://10.0.2.2:PORT/boot.ipxe
// (the host's loopback), serial console to BASE.log, QMP on BASE.qmp. Null with *error.
QProcess *startVmProcess(
    const VmSpec &spec, const QString &mac, const QString &base, quint16 httpPort, QObject *parent, QString *error);

class VirtualLab final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(VirtualLab)
public:
    explicit VirtualLab(Lab *lab, QObject *parent = nullptr);
    ~VirtualLab() override; // stops every VM

    // Runs the catalog's VMs against the HTTP boot server on this host's port `httpPort`.
    void start(quint16 httpPort);
    void stop();
    bool isRunning(const QString &name) const;
    // Starts VMs added since, stops VMs removed since.
    void sync();

Q_SIGNALS:
    void vmStarted(const QString &name);
    void vmStopped(const QString &name, const QString &why);

private:
    void launch(const VmSpec &spec);

    Lab *m_lab;
    quint16 m_httpPort = 0;
    bool m_running = false;
    QHash<QString, QProcess *> m_vms;
};

} // namespace drover
