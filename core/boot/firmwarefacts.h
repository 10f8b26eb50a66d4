// Firmware facts: what a machine's boot says about its firmware, read from its DHCP packets
// (RFC 4578 option 93, PXEClient or HTTPClient, iPXE's user class) and from the init's
// fetched report ("firmware UEFI, Secure Boot on, …"), and the words the fleet shows them in.
// Pure functions: every row of their tables is a test row.
#pragma once

#include "boot/dhcp/bootfile.h"
#include "catalog/records.h"

#include <optional>

namespace drover {

// The facts in a boot client's DHCP packet. `chained`: the firmware of this MAC sent its own
// PXE or HTTP Boot request moments ago, so an iPXE client is the iPXE Drover chained, not
// the NIC's own iPXE ROM.
FirmwareFacts firmwareFromDhcp(const BootClient &client, bool chained);

// The facts in the init's fetched report, or nothing when it names no firmware (an older
// init). Its detail ends "; firmware BIOS" or "; firmware UEFI, Secure Boot on, lockdown …".
std::optional<FirmwareFacts> firmwareFromReport(const QString &detail);

// "UEFI x86-64", "BIOS x86"; empty when nothing is known.
QString describeFirmware(const FirmwareFacts &facts);
// "PXE → shim → GRUB", "HTTP Boot → iPXE", "iPXE"; empty when nothing is known.
QString describeBootPath(const FirmwareFacts &facts);
// "Secure Boot on" or "Secure Boot off"; empty when not known, or for BIOS (which has none).
QString describeSecureBoot(const FirmwareFacts &facts);
// All of it in one line: "UEFI x86-64, Secure Boot on, PXE → shim → GRUB".
QString describeFirmwareFacts(const FirmwareFacts &facts);

// Whether recording `seen` would change `stored` (Catalog::recordFirmware keeps what `seen`
// leaves empty): the boot path skips the write when it would not.
bool firmwareFactsChange(const FirmwareFacts &stored, const FirmwareFacts &seen);

} // namespace drover
