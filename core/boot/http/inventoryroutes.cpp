// POST /inventory?mac=&boot=&token=: the hardware a machine's ready script collected, once
// per boot, with that boot's token, from its address. The body is parsed strictly
// (parseInventoryReport) and only stored: an inventory is shown to the technician and
// compared between boots, and never decides what a machine boots.
#include "boot/bootrecorder.h"
#include "boot/boottoken.h"
#include "boot/http/bootroutes.h"
#include "catalog/catalog.h"
#include "inventory/hardwareinventory.h"
#include "util/mac.h"

#include <QCoreApplication>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(BootRoutes)
};

} // namespace

http::Response BootRoutes::inventory(const http::Request &request, const http::Peer &peer)
{
    using http::Response;
    const auto query = http::parseQuery(request.query, 8, 256);
    if (!query)
        return Response::text(400, "Bad Request: malformed query\n");
    const auto mac = normalizeMac(query->value(QStringLiteral("mac")));
    const QString bootId = query->value(QStringLiteral("boot"));
    const QString token = query->value(QStringLiteral("token"));
    if (!mac || !BootTokens::isBootId(bootId) || !BootTokens::isToken(token))
        return Response::text(400, "Bad Request: mac, boot and token are required\n");
    const QString phase = QStringLiteral("inventory");
    const QString remote = peer.address.toString();
    QString why;
    const auto session = checkSession(bootId, *mac, token, peer, &why);
    if (!session) {
        refuse(*mac, bootId, phase, Text::tr("hardware inventory from %1 refused: %2").arg(remote, why), peer);
        return Response::text(403, "Forbidden: " + why.toUtf8().left(300) + '\n');
    }
    const auto hardware = parseInventoryReport(request.body, &why);
    if (!hardware) {
        refuse(*mac, bootId, phase, Text::tr("hardware inventory from %1 refused: %2").arg(remote, why), peer);
        return Response::text(400, "Bad Request: " + why.toUtf8().left(300) + '\n');
    }
    if (!useOnce(*session, phase)) {
        refuse(*mac, bootId, phase,
            Text::tr("hardware inventory from %1 refused: boot %2 has reported its hardware already")
                .arg(remote, bootId),
            peer);
        return Response::text(403, "Forbidden: this boot has reported its hardware already\n");
    }
    // A machine the catalog does not know (booted under a policy that does not register)
    // has nowhere to keep its hardware.
    if (!session->machine.isEmpty())
        m_recorder->machineInventory(session->machine, *mac, bootId, *hardware);
    Response r;
    r.status = 204;
    return r;
}

} // namespace drover
