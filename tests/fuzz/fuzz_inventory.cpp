// libFuzzer target: the hardware inventory a machine posts (POST /inventory). Every input
// is either refused with a reason or parsed into an inventory that keeps the parser's bounds
// and survives the stored JSON form unchanged.
#include "inventory/hardwareinventory.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace drover;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    QString why;
    const auto inventory = parseInventoryReport(input, &why);
    if (!inventory) {
        if (why.isEmpty())
            std::abort();
        return 0;
    }
    if (inventory->disks.size() > kInventoryMaxItems || inventory->nics.size() > kInventoryMaxItems
        || inventory->dimms.size() > kInventoryMaxItems)
        std::abort();
    for (const NicInfo &n : inventory->nics) {
        if (n.name.size() > kInventoryMaxValue || (!n.mac.isEmpty() && n.mac.size() != 17))
            std::abort();
    }
    if (HardwareInventory::fromJson(inventory->toJson()) != *inventory)
        std::abort();
    if (!inventoryChanges(*inventory, *inventory).isEmpty())
        std::abort();
    (void)describeInventory(*inventory);
    (void)inventory->summary();
    return 0;
}
