#include "vm/virtuallab.h"

#include "boot/grubscript.h"
#include "boot/secureboot.h"

#include "catalog/catalog.h"
#include "lab/lab.h"
#include "log/logbus.h"
#include "power/powerspec.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(VirtualLab)
};

QString vmDir(const Lab *lab)
{
    return lab->dataDir() + QStringLiteral("/vms");
}

QString settingKey(const QString &name)
{
    return QStringLiteral("vm/") + name;
}

} // namespace

QJsonObject VmSpec::toJson() const
{
    QJsonObject o { { QStringLiteral("uefi"), uefi }, { QStringLiteral("memory"), memoryMiB },
        { QStringLiteral("group"), group } };
    if (secureBoot)
        o.insert(QStringLiteral("secureBoot"), true);
    return o;
}

VmSpec VmSpec::fromJson(const QString &name, const QJsonObject &o)
{
    const bool secure = o.value(QStringLiteral("secureBoot")).toBool();
    return VmSpec { name, o.value(QStringLiteral("uefi")).toBool() || secure,
        o.value(QStringLiteral("memory")).toInt(1536), o.value(QStringLiteral("group")).toString(), secure };
}

QString vmConsolePath(const Lab *lab, const QString &name)
{
    return vmDir(lab) + QLatin1Char('/') + name + QStringLiteral(".log");
}

QList<VmSpec> virtualMachines(const Lab *lab)
{
    QList<VmSpec> list;
    const auto stored = lab->catalog()->settings(QStringLiteral("vm/"));
    for (auto it = stored.begin(); it != stored.end(); ++it) {
        if (!it.value().isEmpty())
            list.append(VmSpec::fromJson(it.key().mid(3), QJsonDocument::fromJson(it.value().toUtf8()).object()));
    }
    return list;
}

Result<QStringList> addVirtualMachines(
    Lab *lab, int count, const QString &prefix, const QString &group, bool uefi, int memoryMiB)
{
    using R = Result<QStringList>;
    if (count < 1 || count > 32)
        return R::failure(Text::tr("a virtual lab has 1 to 32 machines, not %1").arg(count));
    if (memoryMiB < 256 || memoryMiB > 16384)
        return R::failure(Text::tr("memory: %1 MiB is not between 256 and 16384").arg(memoryMiB));
    if (uefi && !QFile::exists(QStringLiteral("/usr/share/OVMF/OVMF_CODE_4M.fd")))
        return R::failure(
            Text::tr("UEFI machines need OVMF (/usr/share/OVMF/OVMF_CODE_4M.fd): install the ovmf package"));
    Catalog *catalog = lab->catalog();
    QStringList added;
    int n = 1;
    for (int i = 0; i < count; ++i) {
        QString name;
        QString mac;
        for (;; ++n) {
            name = QStringLiteral("%1-%2").arg(prefix).arg(n);
            mac = QStringLiteral("52:54:00:d0:%1:%2")
                      .arg(n / 256, 2, 16, QLatin1Char('0'))
                      .arg(n % 256, 2, 16, QLatin1Char('0'));
            if (n > 65535)
                return R::failure(Text::tr("no free name for another virtual machine"));
            if (!catalog->machineByName(name) && !catalog->machineByMac(mac))
                break;
        }
        Machine m;
        m.name = name;
        m.mac = mac;
        m.vendor = Text::tr("virtual machine (qemu)");
        if (!group.isEmpty())
            m.labels.insert(QStringLiteral("group"), group);
        if (auto done = catalog->addMachine(m); !done)
            return R::failure(done.error());
        const VmSpec spec { name, uefi, memoryMiB, group };
        const QString qmp = QStringLiteral("qmp://") + vmDir(lab) + QLatin1Char('/') + name + QStringLiteral(".qmp");
        if (Status s = catalog->setSetting(powerSettingKey(false, name), qmp); !s)
            return R::failure(s.error());
        if (Status s = catalog->setSetting(
                settingKey(name), QString::fromUtf8(QJsonDocument(spec.toJson()).toJson(QJsonDocument::Compact)));
            !s)
            return R::failure(s.error());
        added.append(name);
    }
    return added;
}

Status removeVirtualMachine(Lab *lab, const QString &name)
{
    Catalog *catalog = lab->catalog();
    if (catalog->setting(settingKey(name), QString()).isEmpty())
        return Status::failure(Text::tr("'%1' is not a virtual machine of this lab").arg(name));
    if (Status s = catalog->setSetting(settingKey(name), QString()); !s)
        return s;
    (void)catalog->setSetting(powerSettingKey(false, name), QString());
    if (Status s = catalog->removeMachine(name); !s)
        return s;
    QFile::remove(vmConsolePath(lab, name));
    QDir(vmDir(lab) + QLatin1Char('/') + name + QStringLiteral(".tftp")).removeRecursively(); // UEFI only
    return {};
}

VirtualLab::VirtualLab(Lab *lab, QObject *parent)
    : QObject(parent)
    , m_lab(lab)
{
    connect(lab->catalog(), &Catalog::changed, this, [this](const QString &table) {
        if (m_running && (table == QLatin1String("setting") || table == QLatin1String("*")))
            sync();
    });
}

VirtualLab::~VirtualLab()
{
    stop();
}

void VirtualLab::start(quint16 httpPort)
{
    m_httpPort = httpPort;
    m_running = true;
    sync();
}

void VirtualLab::stop()
{
    m_running = false;
    const auto vms = m_vms;
    m_vms.clear();
    for (QProcess *p : vms) {
        p->disconnect(this);
        p->kill();
        p->waitForFinished(5000);
        delete p;
    }
}

bool VirtualLab::isRunning(const QString &name) const
{
    const QProcess *p = m_vms.value(name);
    return p && p->state() != QProcess::NotRunning;
}

void VirtualLab::sync()
{
    QStringList wanted;
    for (const VmSpec &spec : virtualMachines(m_lab)) {
        wanted.append(spec.name);
        if (!m_vms.contains(spec.name))
            launch(spec);
    }
    for (const QString &name : m_vms.keys()) {
        if (wanted.contains(name))
            continue;
        QProcess *p = m_vms.take(name);
        p->disconnect(this);
        p->kill();
        p->waitForFinished(5000);
        p->deleteLater();
        Q_EMIT vmStopped(name, Text::tr("removed"));
    }
}

QProcess *startVmProcess(
    const VmSpec &spec, const QString &mac, const QString &base, quint16 httpPort, QObject *parent, QString *error)
{
    const QString qemu = QStandardPaths::findExecutable(QStringLiteral("qemu-system-x86_64"));
    if (qemu.isEmpty()) {
        *error = Text::tr("qemu-system-x86_64 is not installed");
        return nullptr;
    }
    // qemu's user network (10.0.2.2 is the host's loopback as the VM sees it).
    const QString script = QStringLiteral("http://10.0.2.2:%1/boot.ipxe").arg(httpPort);
    QStringList args { QStringLiteral("-name"), spec.name, QStringLiteral("-m"), QString::number(spec.memoryMiB),
        QStringLiteral("-smp"), QStringLiteral("1"), QStringLiteral("-display"), QStringLiteral("none"),
        QStringLiteral("-monitor"), QStringLiteral("none"), QStringLiteral("-serial"),
        QStringLiteral("file:") + base + QStringLiteral(".log"), QStringLiteral("-qmp"),
        QStringLiteral("unix:%1.qmp,server=on,wait=off").arg(base) };
    if (spec.secureBoot) {
        // The chain a lab PC with Secure Boot on gets from the boot server, from qemu's TFTP
        // server: shim, GRUB, and the bootstrap that asks this server for /boot/<mac>.grub.
        const QString tftp = base + QStringLiteral(".tftp");
        const SignedLoaders loaders;
        if (!loaders.installed()) {
            *error = Text::tr("Secure Boot machines need %1 and %2: install shim-signed and grub-efi-amd64-signed")
                         .arg(loaders.shim, loaders.grub);
            return nullptr;
        }
        QDir().mkpath(tftp + QStringLiteral("/grub"));
        for (const auto &[from, to] : { std::pair { loaders.shim, QString::fromLatin1(SignedLoaders::shimName) },
                 std::pair { loaders.grub, QString::fromLatin1(SignedLoaders::grubName) } }) {
            QFile::remove(tftp + QLatin1Char('/') + to);
            if (!QFile::copy(from, tftp + QLatin1Char('/') + to)) {
                *error = Text::tr("cannot copy %1 to %2").arg(from, tftp);
                return nullptr;
            }
        }
        QFile config(tftp + QString::fromLatin1(SignedLoaders::grubConfigName));
        if (!config.open(QIODevice::WriteOnly | QIODevice::Truncate)
            || config.write(renderGrubBootstrap(httpPort)) < 0) {
            *error = Text::tr("cannot write %1: %2").arg(config.fileName(), config.errorString());
            return nullptr;
        }
        config.close();
        const QString vars = base + QStringLiteral(".vars.fd");
        if (!QFile::exists(vars))
            QFile::copy(QStringLiteral("/usr/share/OVMF/OVMF_VARS_4M.ms.fd"), vars);
        // The Secure Boot build of OVMF keeps its variables in SMM.
        args << QStringLiteral("-machine") << QStringLiteral("q35,smm=on") << QStringLiteral("-global")
             << QStringLiteral("driver=cfi.pflash01,property=secure,value=on") << QStringLiteral("-drive")
             << QStringLiteral("if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd")
             << QStringLiteral("-drive") << QStringLiteral("if=pflash,format=raw,unit=1,file=") + vars
             << QStringLiteral("-netdev") << QStringLiteral("user,id=n0,tftp=%1,bootfile=shimx64.efi").arg(tftp)
             << QStringLiteral("-device")
             << QStringLiteral("virtio-net-pci,netdev=n0,mac=%1,romfile=,bootindex=1").arg(mac)
             << QStringLiteral("-device") << QStringLiteral("virtio-rng-pci");
    } else if (!spec.uefi) {
        // SeaBIOS runs the NIC's iPXE ROM, whose DHCP answer names this server's script.
        args << QStringLiteral("-nic")
             << QStringLiteral("user,model=virtio-net-pci,mac=%1,bootfile=%2").arg(mac, script)
             << QStringLiteral("-boot") << QStringLiteral("n");
    } else {
        // OVMF boots its own PXE client, not the NIC's iPXE ROM: given the script's URL as
        // boot file it asks TFTP for a file of that name and fails, and without a boot index
        // on the NIC it starts the EFI shell instead. So: the NIC first (bootindex), the
        // firmware fetches ipxe.efi from qemu's TFTP server, and iPXE runs autoexec.ipxe
        // from there, which chains this server's script.
        const QString tftp = base + QStringLiteral(".tftp");
        const QString ipxe = QStringLiteral("/usr/lib/ipxe/ipxe.efi");
        QDir().mkpath(tftp);
        QFile::remove(tftp + QStringLiteral("/ipxe.efi"));
        if (!QFile::copy(ipxe, tftp + QStringLiteral("/ipxe.efi"))) {
            *error = Text::tr("UEFI machines need iPXE (%1): install the ipxe package").arg(ipxe);
            return nullptr;
        }
        QFile autoexec(tftp + QStringLiteral("/autoexec.ipxe"));
        if (!autoexec.open(QIODevice::WriteOnly | QIODevice::Truncate)
            || autoexec.write(QStringLiteral("#!ipxe\ndhcp || dhcp\nchain %1\n").arg(script).toLatin1()) < 0) {
            *error = Text::tr("cannot write %1: %2").arg(autoexec.fileName(), autoexec.errorString());
            return nullptr;
        }
        autoexec.close();
        const QString vars = base + QStringLiteral(".vars.fd");
        if (!QFile::exists(vars))
            QFile::copy(QStringLiteral("/usr/share/OVMF/OVMF_VARS_4M.fd"), vars);
        args << QStringLiteral("-machine") << QStringLiteral("q35") << QStringLiteral("-drive")
             << QStringLiteral("if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd")
             << QStringLiteral("-drive") << QStringLiteral("if=pflash,format=raw,unit=1,file=") + vars
             << QStringLiteral("-netdev") << QStringLiteral("user,id=n0,tftp=%1,bootfile=ipxe.efi").arg(tftp)
             << QStringLiteral("-device")
             << QStringLiteral("virtio-net-pci,netdev=n0,mac=%1,romfile=,bootindex=1").arg(mac)
             // Since edk2's fix of CVE-2023-45237 its network stack needs an RNG.
             << QStringLiteral("-device") << QStringLiteral("virtio-rng-pci");
    }
    auto *p = new QProcess(parent);
    p->setProcessChannelMode(QProcess::MergedChannels);
    p->start(qemu, args);
    return p;
}

void VirtualLab::launch(const VmSpec &spec)
{
    const auto machine = m_lab->catalog()->machineByName(spec.name);
    QString error;
    QDir().mkpath(vmDir(m_lab));
    QProcess *p = machine
        ? startVmProcess(spec, machine->mac, vmDir(m_lab) + QLatin1Char('/') + spec.name, m_httpPort, this, &error)
        : nullptr;
    if (!p) {
        m_lab->log()->post(Severity::Error, QStringLiteral("vm"),
            Text::tr("cannot start %1: %2").arg(spec.name, machine ? error : Text::tr("it is not in the catalog")),
            spec.name);
        return;
    }
    connect(p, &QProcess::finished, this, [this, p, name = spec.name](int code) {
        if (m_vms.value(name) != p)
            return;
        m_vms.remove(name);
        p->deleteLater();
        const QString why = Text::tr("qemu exited with status %1: %2")
                                .arg(code)
                                .arg(QString::fromLocal8Bit(p->readAll()).trimmed().right(300));
        m_lab->log()->post(Severity::Warning, QStringLiteral("vm"), Text::tr("%1 stopped: %2").arg(name, why), name);
        Q_EMIT vmStopped(name, why);
    });
    m_vms.insert(spec.name, p);
    m_lab->log()->post(Severity::Info, QStringLiteral("vm"),
        Text::tr("%1 started (%2, %3 MiB)")
            .arg(spec.name, spec.uefi ? QStringLiteral("UEFI") : QStringLiteral("BIOS"))
            .arg(spec.memoryMiB),
        spec.name);
    Q_EMIT vmStarted(spec.name);
}

} // namespace drover
