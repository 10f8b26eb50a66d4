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
    bool forPcs = false;
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
        // The finer classes below name what ordinary desktop PCs and laptops have, so that a
        // lab's image leaves out datacenter NICs, Fibre Channel and RAID HBAs and cluster
        // file systems (most of the bytes of "net", "storage" and "fs": docs/recipe.md). Their
        // lists are of this kernel's module tree, chosen by the measured bytes of each subtree.
        { "nic-pc",
            { "drivers/net/ethernet/intel/e100.", "drivers/net/ethernet/intel/e1000/",
                "drivers/net/ethernet/intel/e1000e/", "drivers/net/ethernet/intel/igb/",
                "drivers/net/ethernet/intel/igc/", "drivers/net/ethernet/realtek/", "drivers/net/ethernet/broadcom/tg3",
                "drivers/net/ethernet/broadcom/b44", "drivers/net/ethernet/atheros/",
                "drivers/net/ethernet/marvell/sky2", "drivers/net/ethernet/marvell/skge",
                "drivers/net/ethernet/aquantia/", "drivers/net/ethernet/nvidia/", "drivers/net/ethernet/jme",
                "drivers/net/ethernet/via/",
                // USB adapters and docks, phone tethering; the PHY drivers PC NICs look up
                // by PHY id (no module dependency names them).
                "drivers/net/usb/r8152", "drivers/net/usb/r8153_ecm", "drivers/net/usb/ax88179_178a",
                "drivers/net/usb/asix", "drivers/net/usb/aqc111", "drivers/net/usb/cdc_e", "drivers/net/usb/cdc_ncm",
                "drivers/net/usb/cdc_subset", "drivers/net/usb/rndis_host", "drivers/net/usb/ipheth",
                "drivers/net/usb/smsc95xx", "drivers/net/usb/dm9601", "drivers/net/usb/sr9700",
                "drivers/net/usb/mcs7830", "drivers/net/phy/realtek", "drivers/net/phy/ax88796b",
                "drivers/net/phy/smsc", "drivers/net/phy/broadcom", "drivers/net/phy/marvell.",
                // Virtual links of a desktop: VPNs, virtual machines and containers.
                "drivers/net/tun", "drivers/net/tap", "drivers/net/veth", "drivers/net/macvlan", "drivers/net/macvtap",
                "drivers/net/wireguard/", "drivers/net/dummy",
                // What a client uses of the network stack: sockets' diagnostics, IPv4/IPv6
                // extras, the firewall, bridges and VLANs, IPsec and TLS, the default qdiscs.
                "net/packet/", "net/unix/", "net/netlink/", "net/ipv4/", "net/ipv6/", "net/netfilter/", "net/bridge/",
                "net/8021q/", "net/key/", "net/xfrm/", "net/tls/", "net/sched/sch_fq_codel", "net/sched/sch_fq.",
                "net/sched/sch_htb", "net/sched/sch_ingress", "net/sched/cls_bpf", "net/sched/cls_u32" },
            { "net/netfilter/ipset/", "net/netfilter/ipvs/" }, true },
        { "storage-pc",
            { "drivers/ata/ahci.", "drivers/ata/libahci.", "drivers/ata/ata_piix", "drivers/ata/ata_generic",
                "drivers/ata/pata_acpi", "drivers/nvme/host/nvme.", "drivers/scsi/sd_mod", "drivers/scsi/sr_mod",
                "drivers/scsi/sg.", "drivers/usb/storage/", "drivers/mmc/core/", "drivers/mmc/host/sdhci",
                "drivers/mmc/host/rtsx_", "drivers/misc/cardreader/", "drivers/cdrom/", "drivers/block/loop",
                "drivers/block/zram/", "drivers/block/nbd", "drivers/md/dm-mod", "drivers/md/dm-crypt",
                "drivers/md/dm-snapshot" },
            {}, true },
        { "fs-common",
            { "fs/ext4/", "fs/jbd2/", "fs/mbcache", "fs/fat/", "fs/exfat/", "fs/ntfs3/", "fs/isofs/", "fs/udf/",
                "fs/squashfs/", "fs/overlayfs/", "fs/fuse/", "fs/nfs/", "fs/nfs_common/", "fs/lockd/", "fs/netfs/",
                "fs/fscache/", "fs/smb/client/", "fs/smb/common/", "fs/nls/", "fs/autofs/", "fs/btrfs/", "fs/xfs/",
                "fs/erofs/", "fs/efivarfs/", "fs/hfsplus/" },
            {}, true },
        { "usb-pc",
            { "drivers/usb/host/", "drivers/usb/core/", "drivers/usb/common/", "drivers/usb/class/",
                "drivers/usb/storage/", "drivers/usb/typec/typec", "drivers/usb/typec/ucsi/",
                "drivers/usb/typec/altmodes/", "drivers/usb/roles/", "drivers/thunderbolt/",
                // The serial adapters of microcontroller boards and console cables.
                "drivers/usb/serial/usbserial", "drivers/usb/serial/ftdi_sio", "drivers/usb/serial/pl2303",
                "drivers/usb/serial/ch341", "drivers/usb/serial/cp210x" },
            {}, true },
        { "input-pc",
            { "drivers/hid/hid.", "drivers/hid/hid-generic", "drivers/hid/usbhid/", "drivers/hid/i2c-hid/",
                "drivers/hid/hid-multitouch", "drivers/hid/hid-logitech", "drivers/hid/hid-apple",
                "drivers/hid/hid-microsoft", "drivers/hid/hid-lenovo", "drivers/hid/hid-asus", "drivers/hid/hid-cherry",
                "drivers/hid/hid-chicony", "drivers/hid/hid-elan", "drivers/hid/hid-alps", "drivers/hid/hid-kensington",
                "drivers/hid/hid-cypress", "drivers/hid/hid-a4tech", "drivers/hid/hid-holtek", "drivers/hid/hid-dell",
                "drivers/hid/hid-hp", "drivers/input/mouse/", "drivers/input/keyboard/atkbd", "drivers/input/serio/",
                "drivers/input/rmi4/", "drivers/input/evdev", "drivers/input/mousedev", "drivers/input/input-leds",
                "drivers/input/misc/uinput", "drivers/input/misc/pcspkr" },
            {}, true },
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

bool moduleClassForPcs(const QString &name)
{
    for (const ModuleClass &c : classTable()) {
        if (name == QLatin1StringView(c.name))
            return c.forPcs;
    }
    return false;
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
    if (name == QLatin1String("nic-pc"))
        return Text::tr("Ethernet of desktop PCs and laptops (Intel, Realtek, Broadcom, Atheros, Marvell, "
                        "Aquantia, USB adapters) and the protocols a client uses");
    if (name == QLatin1String("storage-pc"))
        return Text::tr("disks of PCs: SATA, NVMe, USB storage, SD cards, CD/DVD; LVM and encrypted disks");
    if (name == QLatin1String("fs-common"))
        return Text::tr("common file systems: ext4, Btrfs, XFS, FAT, exFAT, NTFS, ISO 9660, UDF, NFS and SMB "
                        "clients, FUSE");
    if (name == QLatin1String("usb-pc"))
        return Text::tr("USB host controllers, USB-C and Thunderbolt, USB storage, printers, modems and serial "
                        "adapters");
    if (name == QLatin1String("input-pc"))
        return Text::tr("keyboards, mice and touchpads of PCs and laptops (USB, PS/2, I2C), without game "
                        "controllers, tablets and touchscreens");
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
