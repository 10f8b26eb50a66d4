// MAC vendor prefixes (OUIs): names the maker of a machine Drover registers at boot, so a
// new row in the fleet table says "Dell" or "QEMU virtual NIC" instead of only a MAC. A small
// built-in table of makers common in labs, not the whole IEEE registry.
#pragma once

#include <QString>

namespace drover {

// The vendor of `mac` (any form normalizeMac accepts); empty when the prefix is not in the
// table or the MAC is malformed.
QString vendorForMac(const QString &mac);

} // namespace drover
