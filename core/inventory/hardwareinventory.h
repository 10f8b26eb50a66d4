// HardwareInventory: what a machine says it is made of — DMI identity, firmware, CPU, memory,
// DIMMs, disks and NICs — as Drover's ready script collects it (resources/initramfs/ready)
// and posts it to the boot server at every boot. The report comes from a machine a student
// may have root on, so it is parsed strictly and bounded: it is shown to the technician and
// compared between boots, never used to decide a boot.
//
// Wire form (POST /inventory, text/plain): one "key<TAB>value" per line. Scalar keys name a
// field ("memory.kib"); list keys carry an index ("disk.0.serial"). Unknown keys are skipped
// so newer machines can report more; malformed lines refuse the whole report, naming the line.
#pragma once

#include <QByteArrayView>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>

namespace drover {

struct DimmInfo {
    QString locator {};
    QString type {}; // "DDR4"
    qint64 sizeMib = 0;
    qint64 speedMts = 0;
    bool operator==(const DimmInfo &) const = default;
};

struct DiskInfo {
    QString name {}; // kernel name: sda, nvme0n1, vda
    QString model {};
    QString serial {};
    qint64 bytes = 0;
    bool rotational = false;
    QString smart {}; // "passed", "failed", or empty: smartctl not in the image
    bool operator==(const DiskInfo &) const = default;
};

struct NicInfo {
    QString name {}; // kernel name: eth0, enp1s0
    QString mac {}; // lower case, colon separated
    QString driver {};
    QString pci {}; // vendor:device, "8086:100e"
    qint64 speedMbps = 0; // 0: no link or not known
    bool operator==(const NicInfo &) const = default;
};

struct HardwareInventory {
    QString systemVendor {}, systemProduct {}, systemVersion {}, systemSerial {}, systemUuid {};
    QString boardVendor {}, boardProduct {}, boardSerial {};
    QString firmwareVendor {}, firmwareVersion {}, firmwareDate {};
    QString firmwareMode {}; // "bios", "uefi"
    QString secureBoot {}; // "on", "off", or empty
    QString cpuModel {};
    int cpuSockets = 0, cpuCores = 0, cpuThreads = 0;
    qint64 memoryKib = 0;
    QList<DimmInfo> dimms {};
    QList<DiskInfo> disks {};
    QList<NicInfo> nics {};

    bool operator==(const HardwareInventory &) const = default;
    bool isEmpty() const { return *this == HardwareInventory {}; }

    // Stored form (the catalog's data column, --json): stable keys, lists in report order.
    QJsonObject toJson() const;
    static HardwareInventory fromJson(const QJsonObject &object);
    // One line for tables and logs: "QEMU Standard PC · 4 threads · 2.0 GiB · 2 disks · 2 NICs".
    QString summary() const;
    // The same inventory without what changes from boot to boot on the same hardware (link
    // speed, SMART verdict): two boots are the same hardware when these compare equal.
    HardwareInventory hardwareOnly() const;
};

// The inventory as label/value rows for a reader (drover inventory show, the Hardware tab,
// the printed summary): "System", "Memory", "Disk vda", … Rows without a value are left out.
QList<std::pair<QString, QString>> describeInventory(const HardwareInventory &inventory);

// Limits of a report: what a real PC needs, many times over.
inline constexpr qsizetype kInventoryMaxBytes = 65536;
inline constexpr int kInventoryMaxItems = 64; // per list (disks, NICs, DIMMs)
inline constexpr int kInventoryMaxValue = 256; // characters per value

// Parses a report. On failure, nullopt and `error` says what was wrong and on which line.
std::optional<HardwareInventory> parseInventoryReport(QByteArrayView text, QString *error);

// What differs in hardware between two inventories, in words ("memory 4.0 GiB → 2.0 GiB",
// "disk vdb (QM0002, 1.0 GiB) removed"). Empty when the hardware is the same.
QStringList inventoryChanges(const HardwareInventory &before, const HardwareInventory &after);

} // namespace drover
