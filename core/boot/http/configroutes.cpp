// The boot path's configuration URLs: the init's `drover-config 1` file and cloud-init's
// NoCloud datasource. Both read the catalog at every request (one machine and at most two
// configuration rows), so an edit applies from the next request on, without waiting for
// the boot index to reload. What the client sends picks a catalog row, never a file.
#include "boot/bootdecision.h"
#include "boot/bootrecorder.h"
#include "boot/http/bootroutes.h"
#include "catalog/catalog.h"
#include "log/logbus.h"
#include "machineconfig/machinerender.h"

#include <QCoreApplication>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(BootRoutes)
};

using http::Response;

Response plain(const QByteArray &body)
{
    Response r;
    r.contentType = "text/plain; charset=utf-8";
    r.headers.emplaceBack("Cache-Control", "no-store");
    r.body = body;
    return r;
}

QString addressOf(const QHostAddress &address)
{
    bool v4 = false;
    const quint32 ip = address.toIPv4Address(&v4);
    return v4 ? QHostAddress(ip).toString() : address.toString();
}

QString provenance(const EffectiveConfig &e)
{
    QStringList parts;
    for (const ConfigRecord &r : e.sources) {
        parts.append(r.kind == TargetKind::Group ? Text::tr("group %1 r%2").arg(r.target).arg(r.revision)
                                                 : Text::tr("machine %1 r%2").arg(r.target).arg(r.revision));
    }
    return parts.join(QStringLiteral(", "));
}

// The NoCloud files a seed URL names.
const QList<QByteArray> kNoCloudFiles = { QByteArrayLiteral("meta-data"), QByteArrayLiteral("user-data"),
    QByteArrayLiteral("network-config"), QByteArrayLiteral("vendor-data") };

} // namespace

Response BootRoutes::machineConfig(const http::Request &request, const http::Peer &peer)
{
    const auto mac = macFromPath(QByteArrayView(request.path).sliced(8));
    if (!mac)
        return Response::text(400, "Bad Request: not a MAC address\n");
    const auto query = http::parseQuery(request.query, 16, 1024);
    if (!query)
        return Response::text(400, "Bad Request: malformed query\n");
    const QString bootId = query->value(QStringLiteral("boot"));
    const QString token = query->value(QStringLiteral("token"));
    if (!BootTokens::isBootId(bootId) || !BootTokens::isToken(token))
        return Response::text(400, "Bad Request: boot and token are required\n");
    const QString remote = addressOf(peer.address);
    QString why;
    const auto session = checkSession(bootId, *mac, token, peer, &why);
    if (!session) {
        refuse(*mac, bootId, QStringLiteral("config"),
            Text::tr("configuration request from %1 refused: %2").arg(remote, why), peer);
        return Response::text(403, "Forbidden: " + why.toUtf8().left(300) + '\n');
    }
    const QString image = session->image;
    const auto machine = m_catalog->machineByMac(*mac);
    if (!machine) {
        m_recorder->event(BootEvent { 0, {}, {}, *mac, bootId, QStringLiteral("config"), image, {},
                              Text::tr("configuration request from %1: no machine has this MAC").arg(remote) },
            Severity::Warning);
        return Response::text(404, "Not Found: no machine with this MAC\n");
    }
    auto event = [&](Severity severity, const QString &detail) {
        m_recorder->event(
            BootEvent { 0, {}, machine->name, *mac, bootId, QStringLiteral("config"), image, {}, detail }, severity);
    };
    const auto effective = effectiveConfig(*m_catalog, *machine);
    if (!effective) {
        event(Severity::Error,
            Text::tr("configuration of %1 cannot be served: %2").arg(machine->name, effective.error()));
        return Response::text(500, "Internal Server Error: the stored configuration is invalid\n");
    }
    if (!effective.value()) {
        event(Severity::Info,
            Text::tr("no configuration for %1 (asked from %2): the image boots as built").arg(machine->name, remote));
        return Response::text(404, "Not Found: no configuration for this machine\n");
    }
    RenderContext context = RenderContext::of(*machine, remote);
    context.provenance = provenance(**effective);
    const auto rendered = renderDroverConfig((*effective)->config, context);
    if (!rendered) {
        event(Severity::Error,
            Text::tr("configuration of %1 cannot be rendered: %2").arg(machine->name, rendered.error()));
        return Response::text(500, "Internal Server Error: the configuration cannot be rendered for this machine\n");
    }
    // Once per boot: the init fetches it once; a second fetch is someone else's.
    if (!useOnce(*session, QStringLiteral("config"))) {
        refuse(*mac, bootId, QStringLiteral("config"),
            Text::tr("configuration request from %1 refused: boot %2 has fetched its configuration already")
                .arg(remote, bootId),
            peer);
        return Response::text(403, "Forbidden: this boot has fetched its configuration already\n");
    }
    configs.fetch_add(1, std::memory_order_relaxed);
    event(Severity::Info,
        Text::tr("configuration served to %1: %2 (from %3)").arg(remote, rendered->summary, context.provenance));
    m_recorder->machineSeen(machine->name, MachineState::Booting, QStringLiteral("config"), remote);
    return plain(rendered->text);
}

Response BootRoutes::noCloud(const http::Request &request, const http::Peer &peer)
{
    // /nocloud/<mac>/<boot>/<token>/<file>: the seed URL carries the boot's id and token
    // (Drover writes it into the kernel arguments: ds=nocloud in the catalog's arguments).
    const QList<QByteArray> parts = request.path.sliced(9).split('/');
    if (parts.size() != 2 && parts.size() != 4)
        return Response::text(404, "Not Found: /nocloud/<mac>/<boot>/<token>/meta-data, user-data, network-config\n");
    const auto mac = macFromPath(parts.first());
    if (!mac)
        return Response::text(400, "Bad Request: not a MAC address\n");
    const QByteArray &file = parts.last();
    if (!kNoCloudFiles.contains(file))
        return Response::text(404, "Not Found: /nocloud/<mac>/<boot>/<token>/meta-data, user-data, network-config\n");
    const QString remote = addressOf(peer.address);
    if (parts.size() != 4) {
        refuse(*mac, {}, QStringLiteral("nocloud"),
            Text::tr("cloud-init request from %1 refused: the URL carries no boot token").arg(remote), peer);
        return Response::text(403, "Forbidden: /nocloud/<mac>/<boot>/<token>/<file> only\n");
    }
    const QString bootId = QString::fromLatin1(parts.at(1));
    QString why;
    const auto session = checkSession(bootId, *mac, QString::fromLatin1(parts.at(2)), peer, &why);
    if (!session) {
        refuse(*mac, bootId, QStringLiteral("nocloud"),
            Text::tr("cloud-init request from %1 refused: %2").arg(remote, why), peer);
        return Response::text(403, "Forbidden: " + why.toUtf8().left(300) + '\n');
    }
    // Each file once per boot: cloud-init reads each once and caches what it read.
    if (!useOnce(*session, QStringLiteral("nocloud/") + QString::fromLatin1(file))) {
        refuse(*mac, bootId, QStringLiteral("nocloud"),
            Text::tr("cloud-init request from %1 refused: boot %2 has fetched %3 already")
                .arg(remote, bootId, QString::fromLatin1(file)),
            peer);
        return Response::text(403, "Forbidden: this boot has fetched this file already\n");
    }
    const auto machine = m_catalog->machineByMac(*mac);
    if (!machine)
        return Response::text(404, "Not Found: no machine with this MAC\n");
    if (file == "vendor-data")
        return plain(QByteArray());
    const auto effective = effectiveConfig(*m_catalog, *machine);
    auto event = [&](Severity severity, const QString &detail) {
        m_recorder->event(
            BootEvent { 0, {}, machine->name, *mac, bootId, QStringLiteral("nocloud"), {}, {}, detail }, severity);
    };
    if (!effective) {
        event(Severity::Error,
            Text::tr("cloud-init data of %1 cannot be served: %2").arg(machine->name, effective.error()));
        return Response::text(500, "Internal Server Error: the stored configuration is invalid\n");
    }
    // A machine without a configuration still gets its name and DHCP on its NIC.
    RenderContext context = RenderContext::of(*machine, remote);
    const MachineConfig config = effective.value() ? (*effective)->config : MachineConfig();
    const auto data = renderNoCloud(config, context);
    if (!data) {
        event(
            Severity::Error, Text::tr("cloud-init data of %1 cannot be rendered: %2").arg(machine->name, data.error()));
        return Response::text(500, "Internal Server Error: the configuration cannot be rendered for this machine\n");
    }
    if (file == "user-data") {
        configs.fetch_add(1, std::memory_order_relaxed);
        event(Severity::Info,
            effective.value()
                ? Text::tr("cloud-init user-data served to %1 (from %2)").arg(remote, provenance(**effective))
                : Text::tr("cloud-init user-data served to %1 (no configuration: host name and DHCP only)")
                      .arg(remote));
    }
    if (file == "meta-data")
        return plain(data->metaData);
    if (file == "user-data")
        return plain(data->userData);
    return plain(data->networkConfig);
}

} // namespace drover
