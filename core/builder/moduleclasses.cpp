#include "builder/moduleclasses.h"

#include <QCoreApplication>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(ModuleClasses)
};

struct ModuleClass {
    const char *name;
    QList<const char *> prefixes; // below kernel/
    QList<const char *> except; // prefixes that belong to another class
};

const QList<ModuleClass> &classTable()
{
    static const QList<ModuleClass> table {
        { "core", { "arch/", "crypto/", "lib/", "block/", "mm/", "security/", "virt/", "kernel/" }, {} },
        { "net", { "drivers/net/", "net/", "drivers/ptp/", "drivers/pps/", "drivers/dca/" },
            { "drivers/net/wireless/", "drivers/net/can/", "drivers/net/wwan/", "drivers/net/ieee802154/",
                "drivers/net/arcnet/", "drivers/net/hamradio/", "drivers/net/wan/", "drivers/net/fddi/",
                "net/wireless/", "net/mac80211/", "net/bluetooth/", "net/can/", "net/ieee802154/", "net/nfc/",
                "net/rfkill/" } },
        { "wireless",
            { "drivers/net/wireless/", "net/wireless/", "net/mac80211/", "drivers/bluetooth/", "net/bluetooth/",
                "net/rfkill/" },
            {} },
        { "storage",
            { "drivers/ata/", "drivers/scsi/", "drivers/nvme/", "drivers/block/", "drivers/md/", "drivers/usb/storage/",
                "drivers/mmc/", "drivers/cdrom/", "drivers/target/", "drivers/message/" },
            {} },
        { "virtio",
            { "drivers/virtio/", "drivers/net/virtio_net", "drivers/block/virtio_blk", "drivers/scsi/virtio_scsi",
                "drivers/char/hw_random/virtio", "drivers/char/virtio_console", "drivers/gpu/drm/virtio/",
                "drivers/crypto/virtio/", "net/vmw_vsock/", "fs/fuse/virtiofs" },
            {} },
        { "hypervisor",
            { "drivers/hv/", "drivers/xen/", "drivers/net/hyperv/", "drivers/net/vmxnet3/", "drivers/net/xen-netfront",
                "drivers/scsi/vmw_pvscsi", "drivers/scsi/hv_storvsc", "drivers/block/xen-blkfront",
                "drivers/gpu/drm/vmwgfx/", "drivers/gpu/drm/hyperv/", "drivers/input/serio/hyperv" },
            {} },
        { "fs", { "fs/" }, {} },
        { "usb", { "drivers/usb/", "drivers/hid/", "drivers/input/" }, {} },
        { "input", { "drivers/input/", "drivers/hid/" }, {} },
        { "gpu", { "drivers/gpu/", "drivers/video/", "drivers/accel/" }, {} },
        { "sound", { "sound/", "drivers/soundwire/" }, {} },
        { "media", { "drivers/media/" }, {} },
        { "platform",
            { "drivers/platform/", "drivers/acpi/", "drivers/hwmon/", "drivers/thermal/", "drivers/edac/",
                "drivers/cpufreq/", "drivers/i2c/", "drivers/pci/", "drivers/char/", "drivers/watchdog/",
                "drivers/leds/", "drivers/mfd/", "drivers/gpio/", "drivers/pinctrl/", "drivers/iommu/", "drivers/dma/",
                "drivers/firmware/", "drivers/tty/", "drivers/rtc/", "drivers/powercap/", "drivers/misc/",
                "drivers/crypto/" },
            {} },
        { "infiniband", { "drivers/infiniband/" }, {} },
    };
    return table;
}

bool startsWithAny(const QString &path, const QList<const char *> &prefixes)
{
    for (const char *p : prefixes) {
        if (path.startsWith(QLatin1StringView(p)))
            return true;
    }
    return false;
}

} // namespace

QStringList moduleClasses()
{
    QStringList names;
    for (const ModuleClass &c : classTable()) {
        if (qstrcmp(c.name, "core") != 0)
            names.append(QLatin1StringView(c.name));
    }
    names.append(QStringLiteral("all"));
    return names;
}

QString moduleClassDescription(const QString &name)
{
    if (name == QLatin1String("net"))
        return Text::tr("wired network drivers and protocols");
    if (name == QLatin1String("wireless"))
        return Text::tr("Wi-Fi and Bluetooth");
    if (name == QLatin1String("storage"))
        return Text::tr("disks: SATA, SCSI, NVMe, USB storage, MMC, RAID");
    if (name == QLatin1String("virtio"))
        return Text::tr("virtio devices of virtual machines");
    if (name == QLatin1String("hypervisor"))
        return Text::tr("Hyper-V, VMware and Xen devices");
    if (name == QLatin1String("fs"))
        return Text::tr("file systems");
    if (name == QLatin1String("usb"))
        return Text::tr("USB host controllers and devices, keyboards and mice");
    if (name == QLatin1String("input"))
        return Text::tr("keyboards, mice and other input devices");
    if (name == QLatin1String("gpu"))
        return Text::tr("graphics");
    if (name == QLatin1String("sound"))
        return Text::tr("sound");
    if (name == QLatin1String("media"))
        return Text::tr("cameras, TV and video capture");
    if (name == QLatin1String("platform"))
        return Text::tr("ACPI, sensors, watchdogs, serial ports, platform drivers");
    if (name == QLatin1String("infiniband"))
        return Text::tr("InfiniBand and RDMA");
    if (name == QLatin1String("all"))
        return Text::tr("every module the kernel ships");
    return {};
}

bool moduleInClasses(const QString &path, const QStringList &classes)
{
    if (classes.contains(QLatin1String("all")))
        return true;
    // Out-of-tree modules (updates/, extra/) were put there on purpose.
    if (!path.startsWith(QLatin1String("kernel/")))
        return true;
    const QString rel = path.mid(7);
    for (const ModuleClass &c : classTable()) {
        const QLatin1StringView name(c.name);
        if (name != QLatin1String("core") && !classes.contains(name))
            continue;
        if (startsWithAny(rel, c.prefixes) && !startsWithAny(rel, c.except))
            return true;
    }
    return false;
}

} // namespace drover
