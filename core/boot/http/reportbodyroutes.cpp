// The two reports a booted machine posts with a body, each once per boot, with that boot's
// token, from its address: POST /inventory?mac=&boot=&token= (the hardware its ready script
// collected) and POST /tests?mac=&boot=&token= (what its test suite — a burn-in — found).
// Bodies are parsed strictly (parseInventoryReport, parseTestReport) and only stored: they
// are shown to the technician and compared between boots. Neither decides what a machine
// boots; a failed test run only keeps rollouts away from that machine.
#include "boot/bootrecorder.h"
#include "boot/boottoken.h"
#include "boot/http/bootroutes.h"
#include "catalog/catalog.h"
#include "inventory/hardwareinventory.h"
#include "inventory/testreport.h"
#include "util/mac.h"

#include <QCoreApplication>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(BootRoutes)
};

} // namespace

std::variant<BootRoutes::Session, http::Response> BootRoutes::speakingFor(
    const QMap<QString, QString> &query, const http::Peer &peer, const QString &phase, const QString &what)
{
    using http::Response;
    const auto mac = normalizeMac(query.value(QStringLiteral("mac")));
    const QString bootId = query.value(QStringLiteral("boot"));
    const QString token = query.value(QStringLiteral("token"));
    if (!mac || !BootTokens::isBootId(bootId) || !BootTokens::isToken(token))
        return Response::text(400, "Bad Request: mac, boot and token are required\n");
    QString why;
    auto session = checkSession(bootId, *mac, token, peer, &why);
    if (!session) {
        refuse(*mac, bootId, phase, Text::tr("%1 from %2 refused: %3").arg(what, peer.address.toString(), why), peer);
        return Response::text(403, "Forbidden: " + why.toUtf8().left(300) + '\n');
    }
    return std::move(*session);
}

std::optional<http::Response> BootRoutes::refusePostedReport(const http::Request &request, const http::Peer &peer,
    const QString &phase, const std::function<bool(const Session &, QString *)> &accept)
{
    using http::Response;
    const auto query = http::parseQuery(request.query, 8, 256);
    if (!query)
        return Response::text(400, "Bad Request: malformed query\n");
    const QString remote = peer.address.toString();
    const QString what = phase == QLatin1String("tests") ? Text::tr("test results") : Text::tr("hardware inventory");
    auto spoken = speakingFor(*query, peer, phase, what);
    if (auto *refusal = std::get_if<Response>(&spoken))
        return std::move(*refusal);
    const auto session = std::get<Session>(spoken);
    const QString mac = session.mac;
    const QString bootId = session.bootId;
    QString why;
    // Parsed before the once-per-boot mark is spent: a malformed report can be sent again.
    if (!accept(session, &why)) {
        refuse(mac, bootId, phase, Text::tr("%1 from %2 refused: %3").arg(what, remote, why), peer);
        return Response::text(400, "Bad Request: " + why.toUtf8().left(300) + '\n');
    }
    if (!useOnce(session, phase)) {
        refuse(mac, bootId, phase,
            Text::tr("%1 from %2 refused: boot %3 has reported them already").arg(what, remote, bootId), peer);
        return Response::text(403, "Forbidden: this boot has reported them already\n");
    }
    return std::nullopt;
}

namespace {

http::Response noContent()
{
    http::Response r;
    r.status = 204;
    return r;
}

} // namespace

http::Response BootRoutes::inventory(const http::Request &request, const http::Peer &peer)
{
    std::optional<HardwareInventory> hardware;
    Session session;
    const auto refused
        = refusePostedReport(request, peer, QStringLiteral("inventory"), [&](const Session &s, QString *why) {
              session = s;
              hardware = parseInventoryReport(request.body, why);
              return hardware.has_value();
          });
    if (refused)
        return *refused;
    // A machine the catalog does not know (booted under a policy that does not register)
    // has nowhere to keep its hardware.
    if (!session.machine.isEmpty())
        m_recorder->machineInventory(session.machine, session.mac, session.bootId, *hardware);
    return noContent();
}

http::Response BootRoutes::testResults(const http::Request &request, const http::Peer &peer)
{
    std::optional<TestReport> report;
    Session session;
    const auto refused
        = refusePostedReport(request, peer, QStringLiteral("tests"), [&](const Session &s, QString *why) {
              session = s;
              report = parseTestReport(request.body, why);
              return report.has_value();
          });
    if (refused)
        return *refused;
    if (!session.machine.isEmpty())
        m_recorder->machineTests(session.machine, session.mac, session.bootId, *report);
    return noContent();
}

} // namespace drover
