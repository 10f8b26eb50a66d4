// Before full DHCP mode hands out a single address, it asks the segment whether another
// DHCP server is already there: a DISCOVER from the client port with a random xid, then a
// bounded wait for any OFFER carrying that xid. Two address servers on one segment is the
// classic way to break a lab network, so an answer means full mode refuses to start.
#pragma once

#include "util/result.h"

#include <QHostAddress>
#include <QString>

#include <optional>

namespace drover {

struct DhcpProbeSettings {
    QString interfaceName; // required: the segment to probe
    quint16 serverPort = 67;
    quint16 clientPort = 68;
    // dnsmasq pings an address for 3 s before it offers it (dhcpd for 1 s): a shorter probe
    // would miss the most common lab DHCP server.
    int timeoutMs = 5000;
};

struct ForeignDhcpServer {
    QHostAddress server; // option 54, else the sender of the OFFER
    QHostAddress offered; // yiaddr (null for a ProxyDHCP offer)
};

// Blocks for up to timeoutMs; call it off the GUI thread. A failure means the probe itself
// could not run (no such interface, client port in use).
Result<std::optional<ForeignDhcpServer>> probeForDhcpServer(const DhcpProbeSettings &settings);

} // namespace drover
