// The tracker's two routes, for machines that share layers (docs/peer-download.md):
//   GET /layer-source?mac=&boot=&token=&digest=   where to fetch this layer: "peer ADDR PORT"
//       then "server", or "server", or "wait MS"
//   GET /layer-report?mac=&boot=&token=&digest=&result=&from=   how it went
// Both act for one boot, with its token, from the machine's own address, and only for a
// layer of the image that boot was given: a student can speak for no machine but their own.
// What the init does with the answers is in resources/initramfs/init (fetch_shared).
#include "boot/bootdecision.h"
#include "boot/bootrecorder.h"
#include "boot/http/bootroutes.h"
#include "boot/layertracker.h"
#include "util/settingvalue.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(BootRoutes)
};

using http::Response;

Response plain(const QByteArray &body)
{
    Response r = Response::text(200, body);
    r.headers.emplaceBack("Cache-Control", "no-store");
    return r;
}

} // namespace

std::variant<BootRoutes::PeerRequest, Response> BootRoutes::peerRequest(
    const http::Request &request, const http::Peer &peer, const QString &phase)
{
    const auto query = http::parseQuery(request.query, 8, 256);
    if (!query)
        return Response::text(400, "Bad Request: malformed query\n");
    const auto digest = Digest::parse(query->value(QStringLiteral("digest")));
    if (!digest)
        return Response::text(400, "Bad Request: digest is not sha256:<64 lower-case hex digits>\n");
    auto spoken = speakingFor(*query, peer, phase, Text::tr("%1 request").arg(phase));
    if (auto *refusal = std::get_if<Response>(&spoken))
        return std::move(*refusal);
    const Session session = std::get<Session>(spoken);
    // Only a layer of this boot's image: nobody learns or claims anything else through here.
    const auto role = m_decider->roleOf(*digest);
    if (!role || role->role != QLatin1String("layer") || role->image != session.image)
        return Response::text(404, "Not Found: not a layer of the image this boot was given\n");
    if (!settingIsOn(m_decider->snapshot()->setting(QLatin1String(LayerTracker::kEnabledSetting))))
        return Response::text(409, "Conflict: machines do not share layers here; fetch from the server\n");
    return PeerRequest { session, *digest, role->layer, *query };
}

Response BootRoutes::layerSource(const http::Request &request, const http::Peer &peer)
{
    auto parsed = peerRequest(request, peer, QStringLiteral("layer-source"));
    if (auto *refusal = std::get_if<Response>(&parsed))
        return std::move(*refusal);
    const PeerRequest &req = std::get<PeerRequest>(parsed);
    const auto snapshot = m_decider->snapshot();
    const LayerTracker::Limits limits { LayerTracker::limitFrom(
                                            snapshot->setting(QLatin1String(LayerTracker::kUploadsSetting)),
                                            LayerTracker::kDefaultUploads),
        LayerTracker::limitFrom(
            snapshot->setting(QLatin1String(LayerTracker::kServerSlotsSetting)), LayerTracker::kDefaultServerSlots) };
    const qint64 size = QFileInfo(m_settings.storeDir + QStringLiteral("/blobs/sha256/") + req.layer.hex()).size();
    const LayerTracker::Asker asker { req.session.bootId, req.session.machine, BootBindings::canonical(peer.address) };
    const auto source = m_tracker.ask(req.layer.hex(), size, asker, limits, QDateTime::currentMSecsSinceEpoch());
    switch (source.kind) {
    case LayerTracker::Source::Kind::Wait:
        return plain("wait " + QByteArray::number(source.waitMs) + '\n');
    case LayerTracker::Source::Kind::Server:
        return plain("server\n");
    case LayerTracker::Source::Kind::Peer:
        break;
    }
    m_log->post(Severity::Debug, QStringLiteral("http"),
        Text::tr("%1 fetches layer %2 from %3 (%4)")
            .arg(req.session.machine, QString::number(req.index), source.peerMachine, source.peer.toString()));
    return plain("peer " + source.peer.toString().toLatin1() + ' ' + QByteArray::number(kPeerPort) + "\nserver\n");
}

Response BootRoutes::layerReport(const http::Request &request, const http::Peer &peer)
{
    auto parsed = peerRequest(request, peer, QStringLiteral("layer-report"));
    if (auto *refusal = std::get_if<Response>(&parsed))
        return std::move(*refusal);
    const PeerRequest &req = std::get<PeerRequest>(parsed);
    const QString resultText = req.query.value(QStringLiteral("result"));
    LayerTracker::Outcome outcome {};
    if (resultText == QLatin1String("verified"))
        outcome = LayerTracker::Outcome::Verified;
    else if (resultText == QLatin1String("bad-digest"))
        outcome = LayerTracker::Outcome::BadDigest;
    else if (resultText == QLatin1String("unreachable"))
        outcome = LayerTracker::Outcome::Unreachable;
    else if (resultText == QLatin1String("stalled"))
        outcome = LayerTracker::Outcome::Stalled;
    else
        return Response::text(400, "Bad Request: result must be one of verified, bad-digest, unreachable, stalled\n");
    const QString fromText = req.query.value(QStringLiteral("from"));
    QHostAddress from;
    if (fromText != QLatin1String("server")) {
        from = BootBindings::canonical(QHostAddress(fromText));
        if (from.isNull())
            return Response::text(400, "Bad Request: from must be 'server' or the peer's address\n");
    }
    const Session &session = req.session;
    const LayerTracker::Asker asker { session.bootId, session.machine, BootBindings::canonical(peer.address) };
    const auto reported = m_tracker.report(req.layer.hex(), asker, from, outcome, QDateTime::currentMSecsSinceEpoch());
    const QString layerText = Text::tr("layer %1 %2").arg(req.index).arg(req.layer.toString().left(19));
    const QString peerText = reported.peerMachine.isEmpty()
        ? from.toString()
        : QStringLiteral("%1 (%2)").arg(reported.peerMachine, from.toString());
    if (outcome == LayerTracker::Outcome::Verified) {
        // From Drover the blob route has recorded the download already.
        if (!from.isNull()) {
            m_recorder->event(BootEvent { 0, {}, session.machine, session.mac, session.bootId, QStringLiteral("layer"),
                                  session.image, {},
                                  Text::tr("%1 fetched %2 from its neighbour %3, verified")
                                      .arg(session.machine, layerText, peerText) },
                Severity::Info);
            m_watch.progressed(session.bootId, QStringLiteral("layer"));
            if (!session.machine.isEmpty())
                m_recorder->machineSeen(session.machine, MachineState::Booting, QStringLiteral("layer"));
        }
    } else if (!from.isNull()) {
        const QString what = outcome == LayerTracker::Outcome::BadDigest ? Text::tr("served bytes that do not match")
            : outcome == LayerTracker::Outcome::Stalled                  ? Text::tr("stalled")
                                                                         : Text::tr("did not answer");
        QString text = Text::tr("%1: the neighbour %2 %3 for %4; fetching it elsewhere")
                           .arg(session.machine, peerText, what, layerText);
        if (reported.peerMachine.isEmpty())
            text += Text::tr(" (it was not sent there: nobody is blamed)");
        else if (reported.excluded)
            text += Text::tr("; %1 serves no more layers until it boots again").arg(reported.peerMachine);
        // A bad digest is someone's lie or a broken machine: worth an admin's look.
        m_recorder->event(BootEvent { 0, {}, session.machine, session.mac, session.bootId, QStringLiteral("peer"),
                              session.image, {}, text },
            outcome == LayerTracker::Outcome::BadDigest ? Severity::Error : Severity::Warning);
    }
    Response r;
    r.status = 204;
    return r;
}

} // namespace drover
