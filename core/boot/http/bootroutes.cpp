// The boot path's URL handlers.
#include "boot/http/bootroutes.h"

#include "boot/bootdecision.h"
#include "boot/bootrecorder.h"
#include "boot/firmwarefacts.h"
#include "boot/grubscript.h"
#include "boot/ipxescript.h"
#include "catalog/catalog.h"
#include "log/logbus.h"
#include "util/mac.h"
#include "util/settingvalue.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QLocale>
#include <QMutexLocker>
#include <QRegularExpression>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(BootRoutes)
};

using http::Response;

constexpr qsizetype kMaxSessions = 100'000;
constexpr qint64 kSessionLifetimeMs = qint64(24) * 3600 * 1000;
constexpr int kWaitRetrySeconds = 30;

const QStringList kReportPhases = { QStringLiteral("fetched"), QStringLiteral("verified"), QStringLiteral("mounted"),
    QStringLiteral("configured"), QStringLiteral("ready"), QStringLiteral("failed") };

// The iPXE binaries HTTP serves: a fixed table; the request only picks a row.
struct IpxeFile {
    const char *path;
    const char *file;
};
constexpr IpxeFile kIpxeFiles[]
    = { { "/ipxe.efi", "ipxe.efi" }, { "/snponly.efi", "snponly.efi" }, { "/undionly.kpxe", "undionly.kpxe" } };

Response methodNotAllowed(const QByteArray &allow)
{
    Response r = Response::text(405, "Method Not Allowed\n");
    r.headers.emplaceBack("Allow", allow);
    return r;
}

Response script(const QByteArray &text)
{
    Response r;
    r.contentType = "text/plain; charset=utf-8";
    r.headers.emplaceBack("Cache-Control", "no-store");
    r.body = text;
    return r;
}

QString sizeText(qint64 bytes)
{
    return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat);
}

QString remoteText(const QHostAddress &address)
{
    return address.toString();
}

} // namespace

std::optional<QString> BootRoutes::macFromPath(QByteArrayView text)
{
    static const QRegularExpression form(QStringLiteral("^([0-9A-Fa-f]{2}([-:][0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{12})\\z"));
    const QString s = QString::fromLatin1(text);
    if (!form.match(s).hasMatch())
        return std::nullopt;
    return normalizeMac(s);
}

BootRoutes::BootRoutes(Catalog *catalog, LogBus *log, BootDecider *decider, BootRecorder *recorder, Settings settings,
    std::shared_ptr<BootBindings> bindings)
    : m_catalog(catalog)
    , m_log(log)
    , m_decider(decider)
    , m_recorder(recorder)
    , m_settings(std::move(settings))
    , m_bindings(std::move(bindings))
{ }

Response BootRoutes::handle(const http::Request &request, const http::Peer &peer)
{
    const QByteArray &path = request.path;
    const bool get = request.method == "GET";
    const bool head = request.method == "HEAD";
    if (path.startsWith("/blobs/")) {
        if (!get && !head)
            return methodNotAllowed("GET, HEAD");
        return blob(request, peer);
    }
    if (path == "/boot.ipxe" || (path.startsWith("/boot/") && (path.endsWith(".ipxe") || path.endsWith(".grub")))) {
        // A script request may register a machine: GET only, so HEAD has no side effects.
        // Except that GRUB loaded by UEFI HTTP Boot (its efihttp driver) sends a HEAD before
        // every GET and gives up unless it is answered 200: it gets an empty 200, having
        // decided nothing, and the GET that follows is the request.
        if (head && path.endsWith(".grub")) {
            Response r = Response::text(200, QByteArray());
            r.headers.emplaceBack("Cache-Control", "no-store");
            return r;
        }
        if (!get)
            return methodNotAllowed("GET");
        return path == "/boot.ipxe" ? chainScript(request, peer) : machineScript(request, peer);
    }
    if (path == "/report") {
        if (!get)
            return methodNotAllowed("GET");
        return report(request, peer);
    }
    if (path == "/layer-source" || path == "/layer-report") {
        if (!get)
            return methodNotAllowed("GET");
        return path == "/layer-source" ? layerSource(request, peer) : layerReport(request, peer);
    }
    if (path == "/inventory") {
        if (request.method != "POST")
            return methodNotAllowed("POST");
        return inventory(request, peer);
    }
    if (path == "/tests") {
        if (request.method != "POST")
            return methodNotAllowed("POST");
        return testResults(request, peer);
    }
    if (path.startsWith("/config/")) {
        if (!get)
            return methodNotAllowed("GET");
        return machineConfig(request, peer);
    }
    if (path.startsWith("/nocloud/")) {
        if (!get)
            return methodNotAllowed("GET");
        return noCloud(request, peer);
    }
    for (const IpxeFile &f : kIpxeFiles) {
        if (path == f.path) {
            if (!get && !head)
                return methodNotAllowed("GET, HEAD");
            return ipxeBinary(request, peer);
        }
    }
    if (const QByteArrayView name = QByteArrayView(path).mid(1);
        name == SignedLoaders::shimName || name == SignedLoaders::grubName || path == SignedLoaders::grubConfigName) {
        if (!get && !head)
            return methodNotAllowed("GET, HEAD");
        return signedLoader(request, peer);
    }
    if (const QByteArrayView name = QByteArrayView(path).mid(1);
        name == MemtestFiles::biosName || name == MemtestFiles::efiName) {
        if (!get && !head)
            return methodNotAllowed("GET, HEAD");
        const bool efi = name == MemtestFiles::efiName;
        return loaderFile(QFile::encodeName(efi ? m_settings.memtest.efi : m_settings.memtest.bios),
            QString::fromLatin1(efi ? MemtestFiles::efiName : MemtestFiles::biosName), QStringLiteral("memtest"),
            request, peer);
    }
    if (path == "/") {
        if (!get && !head)
            return methodNotAllowed("GET, HEAD");
        return Response::text(200, "Drover boot server\n");
    }
    if (path.startsWith("/boot/"))
        return Response::text(400, "Bad Request: not /boot/<mac>.ipxe or /boot/<mac>.grub\n");
    return Response::text(404, "Not Found\n");
}

void BootRoutes::rejected(int status, const QByteArray &reason, const http::Peer &peer)
{
    m_log->post(Severity::Warning, QStringLiteral("http"),
        Text::tr("refused a request from %1: %2 %3")
            .arg(remoteText(peer.address))
            .arg(status)
            .arg(QString::fromLatin1(reason)));
}

QString BootRoutes::serverUrl(const http::Request &request, const http::Peer &peer) const
{
    if (!m_settings.baseUrl.isEmpty())
        return m_settings.baseUrl;
    // The Host the client used reaches us from where it stands (qemu's 10.0.2.2, a NAT…).
    QString host = QString::fromLatin1(request.header("host"));
    // GRUB names the host without the port it connected to.
    static const QRegularExpression withPort(QStringLiteral(":[0-9]{1,5}\\z"));
    const bool grub = request.path.endsWith(".grub") || request.path == SignedLoaders::grubConfigName;
    if (grub && !host.isEmpty() && !host.contains(withPort) && peer.localPort != 80)
        host += QLatin1Char(':') + QString::number(peer.localPort);
    if (!host.isEmpty()) {
        const QString url = sanitizeServerUrl(QStringLiteral("http://") + host);
        if (!url.isEmpty())
            return url;
    }
    const QString local = peer.localAddress.protocol() == QAbstractSocket::IPv6Protocol
        ? QLatin1Char('[') + peer.localAddress.toString() + QLatin1Char(']')
        : peer.localAddress.toString();
    return QStringLiteral("http://%1:%2").arg(local).arg(peer.localPort);
}

Response BootRoutes::chainScript(const http::Request &request, const http::Peer &peer)
{
    scripts.fetch_add(1, std::memory_order_relaxed);
    m_log->post(Severity::Debug, QStringLiteral("http"),
        Text::tr("chain script served to %1").arg(remoteText(peer.address)), {}, QStringLiteral("chain"));
    return script(renderChainScript(serverUrl(request, peer)));
}

Response BootRoutes::machineScript(const http::Request &request, const http::Peer &peer)
{
    // /boot/<mac>.ipxe from iPXE, /boot/<mac>.grub from GRUB on the Secure Boot chain: the
    // same decision, rendered for the loader that asked.
    const bool grub = request.path.endsWith(".grub");
    const QByteArrayView macText = QByteArrayView(request.path).sliced(6, request.path.size() - 6 - 5);
    const auto mac = macFromPath(macText);
    if (!mac)
        return Response::text(400, "Bad Request: not a MAC address\n");
    const auto query = http::parseQuery(request.query);
    if (!query)
        return Response::text(400, "Bad Request: malformed query\n");
    // Only the machine itself gets a script: anyone else asking changes nothing.
    bool alert = false;
    if (const QString why
        = refusalFor(normalizeMac(*mac).value_or(*mac), query->value(QStringLiteral("uuid")), peer, &alert);
        !why.isEmpty()) {
        refuse(normalizeMac(*mac).value_or(*mac), {}, QStringLiteral("script"), why, peer,
            alert ? Severity::Error : Severity::Warning);
        if (grub) {
            // GRUB runs any answer as a script, whatever its status: tell the console why,
            // and let the bootstrap ask again later.
            Response r = Response::text(403, renderGrubWaitScript(Text::tr("refused: %1").arg(why), kWaitRetrySeconds));
            r.headers.emplaceBack("Cache-Control", "no-store");
            return r;
        }
        return Response::text(403, "Forbidden: " + why.toUtf8().left(300) + '\n');
    }
    // A boot that got past its script and never reported is a failure: count it before
    // deciding, so the second such boot already gets the last-known-good image.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const auto restartFailure = m_watch.restarted(normalizeMac(*mac).value_or(*mac), now);
    BootRequest boot { *mac, query->value(QStringLiteral("uuid")), query->value(QStringLiteral("arch")),
        query->value(QStringLiteral("serial")), peer.address, restartFailure ? 1 : 0,
        query->value(QStringLiteral("choice")) };
    const BootDecision decision = m_decider->decide(boot);
    const QString server = serverUrl(request, peer);
    scripts.fetch_add(1, std::memory_order_relaxed);
    if (restartFailure)
        recordFailure(*restartFailure);
    if (decision.boots() && decision.machine)
        m_watch.started(
            decision.mac, decision.machine->name, decision.bootId, decision.image, now, decision.deadlineSeconds);
    recordScript(decision, peer);
    if (decision.machine) {
        FirmwareFacts loader;
        loader.loader = grub ? QStringLiteral("grub") : QStringLiteral("ipxe");
        // Every boot asks the same way: no write unless it changed (the snapshot knows).
        if (firmwareFactsChange(decision.machine->firmware, loader))
            m_recorder->machineFirmware(decision.machine->name, loader);
    }
    switch (decision.outcome) {
    case BootDecision::Outcome::Ignore:
        return script(grub ? renderGrubExitScript(decision.reason) : renderExitScript(decision.reason));
    case BootDecision::Outcome::Wait:
        return script(grub ? renderGrubWaitScript(decision.reason, kWaitRetrySeconds)
                           : renderWaitScript(server, decision.reason, kWaitRetrySeconds));
    case BootDecision::Outcome::Target:
        if (decision.target->kind == BootTargetKind::Menu) {
            if (!grub)
                return script(
                    renderMenuScript(server, decision.machine->name, decision.menu, decision.menuTimeoutSeconds));
            const QString device = grubHttpDevice(server);
            return script(query->value(QStringLiteral("show")) == QLatin1String("menu")
                    ? renderGrubMenuScript(device, decision.mac, decision.menu, decision.menuTimeoutSeconds)
                    : renderGrubMenuLauncher(device, decision.mac));
        }
        return script(grub ? renderGrubTargetScript(
                                 grubHttpDevice(server), decision.machine->name, *decision.target, decision.isoDigest)
                           : renderTargetScript(server, decision.machine->name, *decision.target, decision.isoDigest));
    case BootDecision::Outcome::Boot:
        break;
    }
    BootScriptInput in;
    in.serverUrl = server;
    in.mac = decision.mac;
    in.machine = decision.machine->name;
    in.image = decision.image;
    in.manifest = decision.manifestDigest;
    in.kernel = decision.manifest.kernel;
    in.initrd = decision.manifest.initrd;
    in.imageArgs = decision.manifest.kernelArgs;
    in.groupArgs = decision.groupArgs;
    in.machineArgs = decision.machineArgs;
    in.bootId = decision.bootId;
    in.token = decision.token;
    in.note = decision.reason;
    in.delaySeconds = decision.delaySeconds;
    in.peers = settingIsOn(m_decider->snapshot()->setting(QLatin1String(LayerTracker::kEnabledSetting)));
    const RenderedScript rendered = grub ? renderGrubBootScript(in) : renderBootScript(in);
    for (const QString &warning : rendered.warnings) {
        m_recorder->event(BootEvent { 0, {}, decision.machine->name, decision.mac, decision.bootId,
                              QStringLiteral("script"), decision.image, {}, warning },
            Severity::Warning);
    }
    return script(rendered.text);
}

void BootRoutes::recordScript(const BootDecision &d, const http::Peer &peer)
{
    const QString name = d.machine ? d.machine->name : QString();
    const QString remote = remoteText(peer.address);
    QString detail;
    Severity severity = d.severity;
    switch (d.outcome) {
    case BootDecision::Outcome::Boot:
        detail = d.reason.isEmpty() ? Text::tr("script served to %1: boots %2").arg(remote, d.image)
                                    : Text::tr("script served to %1: boots %2 (%3)").arg(remote, d.image, d.reason);
        {
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            const Session session { d.bootId, d.mac, name, d.image, d.manifestDigest,
                BootBindings::canonical(peer.address), now, now + qint64(qMax(1, d.deadlineSeconds)) * 1000 };
            remember(session);
            m_recorder->bootSession(
                BootSessionRecord { session.bootId, session.machine, session.mac, session.remote.toString(),
                    session.manifest.toString(), session.image, session.issuedMs, session.deadlineMs, {} });
        }
        break;
    case BootDecision::Outcome::Target:
        detail = d.reason.isEmpty()
            ? Text::tr("script served to %1: %2 instead of an image").arg(remote, d.target->displayName())
            : Text::tr("script served to %1: %2 instead of an image (%3)")
                  .arg(remote, d.target->displayName(), d.reason);
        // What the fleet shows as current; the machine is not Drover's to watch until it
        // network-boots again.
        m_recorder->bootResult(name, d.image, true);
        break;
    case BootDecision::Outcome::Wait:
        detail = Text::tr("script served to %1: nothing boots: %2").arg(remote, d.reason);
        if (severity == Severity::Info && !d.registered)
            severity = Severity::Warning;
        break;
    case BootDecision::Outcome::Ignore:
        detail = Text::tr("script served to %1: %2").arg(remote, d.reason);
        break;
    }
    if (d.registered) {
        m_recorder->event(
            BootEvent { 0, {}, name, d.mac, {}, QStringLiteral("register"), {}, {},
                Text::tr("registered unknown machine %1 as %2%3")
                    .arg(d.mac, name,
                        d.machine->vendor.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(d.machine->vendor)) },
            Severity::Info);
    }
    m_recorder->event(
        BootEvent { 0, {}, name, d.mac, d.bootId, QStringLiteral("script"), d.image, {}, detail }, severity);
    if (!name.isEmpty()) {
        if (d.target)
            m_recorder->machineSeen(name, MachineState::Unknown, d.target->key(), remote);
        else
            m_recorder->machineSeen(name, d.boots() ? MachineState::Booting : d.machine->state,
                d.boots() ? QStringLiteral("script") : d.machine->phase, remote);
    }
}

Response BootRoutes::blob(const http::Request &request, const http::Peer &peer)
{
    const QByteArrayView rest = QByteArrayView(request.path).sliced(7);
    const auto digest = Digest::parse(QString::fromLatin1(rest));
    if (!digest)
        return Response::text(400, "Bad Request: not sha256:<64 lower-case hex digits>\n");
    const auto query = http::parseQuery(request.query);
    if (!query)
        return Response::text(400, "Bad Request: malformed query\n");
    // Only the validated hex reaches the path.
    const QByteArray file = QFile::encodeName(m_settings.storeDir + QStringLiteral("/blobs/sha256/") + digest->hex());
    const int fd = ::open(file.constData(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return Response::text(404, "Not Found\n");
    const QByteArray etag = '"' + digest->toString().toLatin1() + '"';
    Response r = serveFile(fd, request, etag, "application/octet-stream");
    if (r.status == 200 || r.status == 206) {
        blobs.fetch_add(1, std::memory_order_relaxed);
        r.headers.emplaceBack("Cache-Control", "public, max-age=31536000, immutable");
    }
    if (r.fileFd < 0 || r.headOnly)
        return r;

    // Which boot and which role: an explicit ?boot= from the init, else the newest boot
    // issued to this address when it was given the image this blob belongs to (an address
    // alone may be shared: NAT, qemu's user network); the role from the manifests the
    // decider has loaded.
    const auto role = m_decider->roleOf(*digest);
    const QString bootId = query->value(QStringLiteral("boot"));
    auto session = sessionFor(bootId, bootId.isEmpty() ? peer.address : QHostAddress());
    if (bootId.isEmpty() && session && (!role || role->image != session->image))
        session.reset();
    const qint64 total = r.fileLength;
    const qint64 offset = r.fileOffset;
    const QString remote = remoteText(peer.address);
    const QString digestText = digest->toString();
    QElapsedTimer timer;
    timer.start();
    r.done = [this, role, session, total, offset, remote, digestText, timer](qint64 sent, bool complete) {
        const QString what = role
            ? (role->role == QLatin1String("layer") ? Text::tr("layer %1").arg(role->layer) : role->role)
            : Text::tr("blob");
        QString detail = complete ? Text::tr("%1 %2 sent to %3: %4 in %5 s")
                                        .arg(what, digestText.left(19), remote, sizeText(sent))
                                        .arg(double(timer.elapsed()) / 1000.0, 0, 'f', 1)
                                  : Text::tr("%1 %2 to %3 interrupted after %4 of %5")
                                        .arg(what, digestText.left(19), remote, sizeText(sent), sizeText(total));
        if (offset > 0)
            detail += Text::tr(" (from byte %1)").arg(offset);
        if (!role && !session) {
            m_log->post(Severity::Debug, QStringLiteral("http"), detail);
            return;
        }
        const QString phase = role ? role->role : QStringLiteral("blob");
        m_recorder->event(BootEvent { 0, {}, session ? session->machine : QString(), session ? session->mac : QString(),
                              session ? session->bootId : QString(), phase,
                              role ? role->image : (session ? session->image : QString()), {}, detail },
            complete ? Severity::Info : Severity::Warning);
        if (session && !session->machine.isEmpty() && complete) {
            m_recorder->machineSeen(session->machine, MachineState::Booting, phase);
            m_watch.progressed(session->bootId, phase);
        }
    };
    return r;
}

Response BootRoutes::ipxeBinary(const http::Request &request, const http::Peer &peer)
{
    QByteArray name;
    for (const IpxeFile &f : kIpxeFiles) {
        if (request.path == f.path)
            name = f.file;
    }
    return loaderFile(QFile::encodeName(m_settings.ipxeDir) + '/' + name, QString::fromLatin1(name),
        QStringLiteral("ipxe"), request, peer);
}

Response BootRoutes::signedLoader(const http::Request &request, const http::Peer &peer)
{
    // UEFI HTTP Boot under Secure Boot: the firmware loads shim from the URL DHCP gave it,
    // shim loads grubx64.efi from next to it, and GRUB reads /grub/grub.cfg from the same
    // server: TFTP's bootstrap, but naming this server (renderGrubBootstrap says why).
    const SignedLoaders &loaders = m_settings.signedLoaders;
    if (!loaders.installed())
        return Response::text(
            404, "Not Found: the Secure Boot chain (shim-signed, grub-efi-amd64-signed) is not installed\n");
    if (request.path == SignedLoaders::grubConfigName) {
        Response r = Response::text(200, renderGrubBootstrap(peer.localPort, grubHttpDevice(serverUrl(request, peer))));
        r.headers.emplaceBack("Cache-Control", "no-store");
        return r;
    }
    const bool shim = request.path.endsWith(SignedLoaders::shimName);
    return loaderFile(QFile::encodeName(shim ? loaders.shim : loaders.grub),
        QString::fromLatin1(shim ? SignedLoaders::shimName : SignedLoaders::grubName), QStringLiteral("loader"),
        request, peer);
}

Response BootRoutes::loaderFile(const QByteArray &file, const QString &name, const QString &phase,
    const http::Request &request, const http::Peer &peer)
{
    const int fd = ::open(file.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return Response::text(404, "Not Found: " + name.toUtf8() + " is not installed\n");
    struct stat st {};
    ::fstat(fd, &st);
    const QByteArray etag = "\"" + QByteArray::number(qint64(st.st_size), 16) + '-'
        + QByteArray::number(qint64(st.st_mtim.tv_sec), 16) + "\"";
    Response r = serveFile(fd, request, etag, "application/efi");
    if (r.fileFd >= 0 && !r.headOnly) {
        blobs.fetch_add(1, std::memory_order_relaxed);
        const QString remote = remoteText(peer.address);
        r.done = [this, remote, what = name, phase](qint64 sent, bool complete) {
            m_recorder->event(BootEvent { 0, {}, {}, {}, {}, phase, {}, {},
                                  complete ? Text::tr("%1 sent to %2 over HTTP (%3)").arg(what, remote, sizeText(sent))
                                           : Text::tr("%1 to %2 interrupted").arg(what, remote) },
                complete ? Severity::Info : Severity::Warning);
        };
    }
    return r;
}

Response BootRoutes::serveFile(int fd, const http::Request &request, const QByteArray &etag, const QByteArray &type)
{
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return Response::text(404, "Not Found\n");
    }
    const qint64 size = st.st_size;
    Response r;
    r.contentType = type;
    r.headers.emplaceBack("ETag", etag);
    r.headers.emplaceBack("Accept-Ranges", "bytes");
    const QByteArray ifNoneMatch = request.header("if-none-match");
    if (!ifNoneMatch.isNull() && http::etagMatches(ifNoneMatch, etag, true)) {
        ::close(fd);
        r.status = 304;
        return r;
    }
    QByteArray range = request.header("range");
    const QByteArray ifRange = request.header("if-range");
    if (!range.isNull() && !ifRange.isNull() && !http::etagMatches(ifRange, etag, false))
        range = QByteArray(); // the client's copy is another version: send it all
    http::ByteRange byteRange;
    const http::RangeCheck check = range.isNull() ? http::RangeCheck::Whole : http::parseRange(range, size, &byteRange);
    if (check == http::RangeCheck::Unsatisfiable) {
        ::close(fd);
        r = Response::text(416, "Range Not Satisfiable\n");
        r.headers.emplaceBack("Content-Range", "bytes */" + QByteArray::number(size));
        return r;
    }
    r.fileFd = fd;
    if (check == http::RangeCheck::Partial) {
        r.status = 206;
        r.fileOffset = byteRange.first;
        r.fileLength = byteRange.length();
        r.headers.emplaceBack("Content-Range",
            "bytes " + QByteArray::number(byteRange.first) + '-' + QByteArray::number(byteRange.last) + '/'
                + QByteArray::number(size));
    } else {
        r.fileOffset = 0;
        r.fileLength = size;
    }
    r.headOnly = request.isHead();
    return r;
}

Response BootRoutes::report(const http::Request &request, const http::Peer &peer)
{
    const auto query = http::parseQuery(request.query, 16, 1024);
    if (!query)
        return Response::text(400, "Bad Request: malformed query\n");
    const auto mac = normalizeMac(query->value(QStringLiteral("mac")));
    const QString bootId = query->value(QStringLiteral("boot"));
    const QString token = query->value(QStringLiteral("token"));
    const QString phase = query->value(QStringLiteral("phase"));
    const QString digestText = query->value(QStringLiteral("digest"));
    const QString detail = query->value(QStringLiteral("detail"));
    if (!mac || !BootTokens::isBootId(bootId) || !BootTokens::isToken(token))
        return Response::text(400, "Bad Request: mac, boot and token are required\n");
    if (!kReportPhases.contains(phase))
        return Response::text(400,
            "Bad Request: phase must be one of fetched, verified, mounted, configured, ready, "
            "failed\n");
    std::optional<Digest> digest;
    if (!digestText.isEmpty()) {
        digest = Digest::parse(digestText);
        if (!digest)
            return Response::text(400, "Bad Request: digest is not sha256:<hex>\n");
    }
    const QString remote = remoteText(peer.address);
    QString why;
    const auto session = checkSession(bootId, *mac, token, peer, &why);
    if (!session) {
        refuse(*mac, bootId, phase, Text::tr("report '%1' from %2 refused: %3").arg(phase, remote, why), peer);
        return Response::text(403, "Forbidden: " + why.toUtf8().left(300) + '\n');
    }
    const bool ready = phase == QLatin1String("ready");
    bool failed = phase == QLatin1String("failed");
    // Status truth: ready counts only for the bytes this boot was given. A ready for other
    // bytes (or that does not say which) is a failed boot; any other report for another
    // image is not this boot's and is refused.
    QString mismatch;
    if (ready && !digest)
        mismatch = Text::tr("reported no digest");
    else if (ready && *digest != session->manifest)
        mismatch = Text::tr("booted %1, assigned %2").arg(digest->toString(), session->manifest.toString());
    if (!ready && !failed && digest && *digest != session->manifest) {
        const QString text = Text::tr("report '%1' from %2 refused: it names manifest %3, boot %4 was given %5")
                                 .arg(phase, remote, digest->toString(), bootId, session->manifest.toString());
        refuse(*mac, bootId, phase, text, peer);
        return Response::text(403, "Forbidden: not the image this boot was given\n");
    }
    const QString machine = session->machine;
    const QString image = session->image;
    reports.fetch_add(1, std::memory_order_relaxed);
    if (!mismatch.isEmpty())
        failed = true;
    QString text = Text::tr("%1 reports %2").arg(machine.isEmpty() ? *mac : machine, phase);
    if (digest)
        text += QLatin1Char(' ') + digest->toString().left(19);
    if (!detail.isEmpty())
        text += QStringLiteral(": ") + detail;
    if (!mismatch.isEmpty())
        text = Text::tr("%1 failed: %2 (its ready report is not counted)")
                   .arg(machine.isEmpty() ? *mac : machine, mismatch);
    // The event's image is the image the boot was given; the digest the machine reported
    // is kept in the event (reported=sha256:…), so checks read what the machine said.
    text += Text::tr(" [reported %1]").arg(digest ? digest->toString() : Text::tr("no digest"));
    m_recorder->event(BootEvent { 0, {}, machine, *mac, bootId, mismatch.isEmpty() ? phase : QStringLiteral("failed"),
                          image, {}, text },
        failed ? Severity::Error : Severity::Info);
    if (ready || failed)
        m_watch.finished(bootId);
    else
        m_watch.progressed(bootId, phase);
    // A failed boot serves nothing: its machine reboots or sits at a shell.
    if (failed)
        m_tracker.forget(bootId);
    if (!machine.isEmpty()) {
        if (failed) {
            m_recorder->machineSeen(machine, MachineState::Failed, QStringLiteral("failed"), remote);
            m_recorder->bootResult(machine, image, false);
        } else if (ready) {
            m_recorder->machineSeen(machine, MachineState::Ready, phase, remote);
            m_recorder->bootResult(machine, image, true);
        } else {
            m_recorder->machineSeen(machine, MachineState::Booting, phase, remote);
        }
        if (phase == QLatin1String("fetched")) {
            if (const auto facts = firmwareFromReport(detail))
                m_recorder->machineFirmware(machine, *facts);
        }
    }
    Response r;
    r.status = 204;
    return r;
}

QString BootRoutes::refusalFor(const QString &mac, const QString &uuid, const http::Peer &peer, bool *alert)
{
    *alert = false;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QHostAddress from = BootBindings::canonical(peer.address);
    if (const auto other = m_bindings->conflict(mac, now)) {
        *alert = true;
        return Text::tr("possible cloned MAC %1: DHCP saw it at %2 and at %3 at once; it boots nowhere for now")
            .arg(mac, other->toString(),
                m_bindings->binding(mac) ? m_bindings->binding(mac)->address.toString() : QString());
    }
    const std::shared_ptr<const BootSnapshot> snapshot = m_decider->snapshot();
    std::optional<Machine> machine;
    if (const Machine *known = snapshot->machineByMac(mac))
        machine = *known;
    else if (m_bindings->binding(mac))
        machine = m_catalog->machineByMac(mac); // added since the snapshot; only for MACs DHCP saw
    // The SMBIOS UUID: one other than the catalog's is another machine using this MAC.
    const QString sent = uuid.trimmed().toLower();
    if (machine && !machine->uuid.isEmpty() && !sent.isEmpty() && sent != machine->uuid.toLower()) {
        *alert = true;
        return Text::tr("possible cloned MAC %1: it sent SMBIOS UUID %2, the catalog holds %3 for %4")
            .arg(mac, sent.left(40), machine->uuid, machine->name);
    }
    if (machine) {
        auto required = [&](const QString &key) { return settingIsOn(snapshot->setting(key)); };
        const bool require = required(QStringLiteral("boot/require-uuid/machine/") + machine->name)
            || (!machine->group().isEmpty() && required(QStringLiteral("boot/require-uuid/group/") + machine->group()));
        // The first UUID a machine sends is recorded (a machine an admin added by MAC), so a
        // later boot with another UUID is recognised. Placeholders firmware sends are not.
        bool recorded = false;
        static const QRegularExpression placeholder(QStringLiteral("^[0-]*\\z|^[f-]*\\z"));
        static const QRegularExpression form(QStringLiteral("^[0-9a-f-]{32,36}\\z"));
        if (machine->uuid.isEmpty() && form.match(sent).hasMatch() && !placeholder.match(sent).hasMatch()) {
            if (auto fresh = m_catalog->machineByName(machine->name); fresh && fresh->uuid.isEmpty()) {
                fresh->uuid = sent;
                if (auto updated = m_catalog->updateMachine(*fresh); !updated)
                    m_log->post(Severity::Warning, QStringLiteral("boot"),
                        Text::tr("cannot record the SMBIOS UUID of %1: %2").arg(machine->name, updated.error()));
                else
                    recorded = true;
            }
        }
        if (require && (sent.isEmpty() || (machine->uuid.isEmpty() && !recorded))) {
            *alert = true;
            return sent.isEmpty()
                ? Text::tr("possible cloned MAC %1: %2 must send its SMBIOS UUID and sent none").arg(mac, machine->name)
                : Text::tr("%1 must match an SMBIOS UUID and the catalog holds none for it yet").arg(machine->name);
        }
    }
    // Bound: the address DHCP saw this MAC use (here, or in the catalog by another Drover or
    // before a restart); a VM of the virtual lab from loopback.
    if (const auto b = m_bindings->binding(mac); b && BootBindings::sameAddress(b->address, from))
        return {};
    if (machine && !snapshot->setting(QStringLiteral("vm/") + machine->name).isEmpty() && from.isLoopback())
        return {};
    if (const auto stored = m_catalog->bootBinding(mac); stored
        && BootBindings::sameAddress(QHostAddress(stored->address), from)
        && (!m_bindings->binding(mac) || m_bindings->binding(mac)->seenMs <= stored->seenMs)) {
        m_bindings->bind(mac, from, stored->source, stored->seenMs);
        return {};
    }
    const auto b = m_bindings->binding(mac);
    return b
        ? Text::tr("%1 asked for the boot of %2, which DHCP saw at %3").arg(from.toString(), mac, b->address.toString())
        : Text::tr("%1 asked for the boot of %2, but DHCP never saw that MAC").arg(from.toString(), mac);
}

std::optional<BootRoutes::Session> BootRoutes::checkSession(
    const QString &bootId, const QString &mac, const QString &token, const http::Peer &peer, QString *why) const
{
    const BootTokens::Check check = m_decider->tokens().check(bootId, mac, token);
    if (check != BootTokens::Check::Valid) {
        *why = check == BootTokens::Check::Expired ? Text::tr("the boot's token has expired") : Text::tr("wrong token");
        return std::nullopt;
    }
    std::optional<Session> session;
    QString newest;
    {
        QMutexLocker lock(&m_mutex);
        if (const auto it = m_sessions.constFind(bootId); it != m_sessions.cend())
            session = *it;
        newest = m_newestOf.value(mac);
    }
    if (!session) {
        // Issued before a restart, or by another Drover on this catalog.
        if (const auto stored = m_catalog->bootSession(bootId)) {
            session = Session { stored->bootId, stored->mac, stored->machine, stored->image,
                Digest::parse(stored->manifest).value_or(Digest()), QHostAddress(stored->address), stored->issuedMs,
                stored->deadlineMs };
        }
    }
    if (!session || session->mac != mac) {
        *why = Text::tr("no such boot of %1 on record").arg(mac);
        return std::nullopt;
    }
    if (newest.isEmpty()) {
        if (const auto stored = m_catalog->newestBootSession(mac))
            newest = stored->bootId;
    }
    if (!newest.isEmpty() && newest != bootId) {
        *why = Text::tr("boot %1 was replaced by the newer boot %2").arg(bootId, newest);
        return std::nullopt;
    }
    const QHostAddress from = BootBindings::canonical(peer.address);
    const auto bound = m_bindings->binding(mac);
    if (!BootBindings::sameAddress(session->remote, from)
        && !(bound && BootBindings::sameAddress(bound->address, from))) {
        *why = Text::tr("boot %1 was issued to %2, not to %3").arg(bootId, session->remote.toString(), from.toString());
        return std::nullopt;
    }
    if (QDateTime::currentMSecsSinceEpoch() > session->deadlineMs) {
        *why = Text::tr("boot %1 is past its deadline").arg(bootId);
        return std::nullopt;
    }
    // Renamed during its boot (a technician names the bench while its burn-in runs): what
    // the boot reports belongs to the machine with this MAC, under the name it has now.
    if (!session->machine.isEmpty()) {
        if (const auto now = m_catalog->machineByMac(mac); now && now->name != session->machine)
            session->machine = now->name;
    }
    return session;
}

bool BootRoutes::useOnce(const Session &session, const QString &resource)
{
    bool inMemory = false;
    {
        QMutexLocker lock(&m_mutex);
        if (m_sessions.contains(session.bootId)) {
            inMemory = true;
            QSet<QString> &used = m_used[session.bootId];
            if (used.contains(resource))
                return false;
            used.insert(resource);
        }
    }
    // The catalog's mark decides for a boot this process did not issue; for its own boots it
    // tells other Drovers (the row may still be queued in the recorder: then nothing matches).
    const auto marked = m_catalog->useBootSession(session.bootId, resource);
    return inMemory || (marked && marked.value());
}

void BootRoutes::refuse(const QString &mac, const QString &bootId, const QString &phase, const QString &detail,
    const http::Peer &peer, Severity severity)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    // Per address, MAC, kind and reason: a flood of the same refusal is one line a minute.
    const QString key = remoteText(peer.address) + QLatin1Char('/') + mac + QLatin1Char('/') + phase + QLatin1Char('/')
        + detail.left(200);
    {
        QMutexLocker lock(&m_mutex);
        if (now - m_refusals.value(key, -120'000) < 60'000)
            return;
        if (m_refusals.size() > 10'000)
            m_refusals.clear();
        m_refusals.insert(key, now);
    }
    // No machine name: a refusal is not the machine's event and must not move its state.
    m_recorder->event(BootEvent { 0, {}, {}, mac, BootTokens::isBootId(bootId) ? bootId : QString(),
                          QStringLiteral("refused"), {}, {}, detail },
        severity);
}

void BootRoutes::recordFailure(const BootWatch::Failure &failure)
{
    m_tracker.forget(failure.bootId);
    m_recorder->event(BootEvent { 0, {}, failure.machine, {}, failure.bootId, QStringLiteral("failed"), failure.image,
                          {}, failure.reason },
        Severity::Error);
    m_recorder->machineSeen(failure.machine, MachineState::Failed, QStringLiteral("failed"));
    m_recorder->bootResult(failure.machine, failure.image, false);
}

void BootRoutes::expireBoots()
{
    for (const BootWatch::Failure &failure : m_watch.expire(QDateTime::currentMSecsSinceEpoch()))
        recordFailure(failure);
}

void BootRoutes::remember(const Session &session)
{
    QMutexLocker lock(&m_mutex);
    m_sessions.insert(session.bootId, session);
    m_lastBootOf.insert(session.remote, session.bootId);
    // A newer boot of the same machine revokes the older ones.
    if (const QString older = m_newestOf.value(session.mac); !older.isEmpty()) {
        m_used.remove(older);
        // Its layers went with the reboot.
        m_tracker.forget(older);
    }
    m_newestOf.insert(session.mac, session.bootId);
    m_order.push_back(session.bootId);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    while (!m_order.empty()) {
        const auto it = m_sessions.constFind(m_order.front());
        const bool old = it == m_sessions.cend() || now - it->issuedMs > kSessionLifetimeMs;
        if (!old && qsizetype(m_order.size()) <= kMaxSessions)
            break;
        if (it != m_sessions.cend()) {
            if (m_lastBootOf.value(it->remote) == it->bootId)
                m_lastBootOf.remove(it->remote);
            if (m_newestOf.value(it->mac) == it->bootId)
                m_newestOf.remove(it->mac);
            m_used.remove(it->bootId);
            m_sessions.erase(it);
        }
        m_order.pop_front();
    }
}

std::optional<BootRoutes::Session> BootRoutes::sessionFor(const QString &bootId, const QHostAddress &remote) const
{
    QMutexLocker lock(&m_mutex);
    if (!bootId.isEmpty()) {
        const auto it = m_sessions.constFind(bootId);
        return it == m_sessions.cend() ? std::nullopt : std::optional<Session>(*it);
    }
    if (remote.isNull())
        return std::nullopt;
    const auto id = m_lastBootOf.constFind(remote);
    if (id == m_lastBootOf.cend())
        return std::nullopt;
    const auto it = m_sessions.constFind(*id);
    return it == m_sessions.cend() ? std::nullopt : std::optional<Session>(*it);
}

} // namespace drover
