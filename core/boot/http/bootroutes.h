// BootRoutes: what each boot-path URL does. Called on the HTTP engine's worker threads, so
// everything here is thread-safe: the decider and recorder are, and the boot sessions sit
// behind a mutex.
//
// Boot sessions: a machine's script (and with it its token) goes only to the address the
// DHCP server saw its MAC use (BootBindings; a VM of the virtual lab: loopback), and never
// while the MAC looks cloned (two addresses at once, an SMBIOS UUID other than the
// catalog's). Each boot issued is a session, kept here and in the catalog (boot_session).
// Reports, /config and /nocloud are accepted only with the token of the machine's newest
// session, from its address, before its deadline; /config and each NoCloud file once per
// boot. A ready report counts only with the manifest digest that boot was given. Anything
// else is refused and changes no state (the refusal is logged, at most once a minute per
// address and kind). No path built from client input ever reaches the filesystem: blobs are
// opened by a validated digest's hex, iPXE binaries by a fixed table of names; machine
// configurations (configroutes.cpp) come from the catalog only. The only requests with a
// body are a machine's hardware inventory and its test results (reportbodyroutes.cpp), at
// most 64 KiB each.
#pragma once

#include "boot/bootbindings.h"
#include "boot/bootwatch.h"
#include "boot/http/httpengine.h"
#include "boot/layertracker.h"
#include "boot/memtest.h"
#include "boot/secureboot.h"
#include "log/logbus.h"
#include "store/digest.h"

#include <QHash>
#include <QMap>
#include <QMutex>
#include <QSet>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <variant>

namespace drover {

class BootDecider;
class BootRecorder;
class Catalog;
class LogBus;
struct BootDecision;

class BootRoutes final {
    Q_DISABLE_COPY_MOVE(BootRoutes)
public:
    struct Settings {
        QString storeDir;
        QString ipxeDir;
        QString baseUrl; // empty: from the request
        // The Secure Boot chain for UEFI HTTP Boot clients: /shimx64.efi, /grubx64.efi and
        // GRUB's /grub/grub.cfg, as TFTP serves them to PXE clients.
        SignedLoaders signedLoaders;
        MemtestFiles memtest;
    };
    BootRoutes(Catalog *catalog, LogBus *log, BootDecider *decider, BootRecorder *recorder, Settings settings,
        std::shared_ptr<BootBindings> bindings = std::make_shared<BootBindings>());

    http::Response handle(const http::Request &request, const http::Peer &peer);
    void rejected(int status, const QByteArray &reason, const http::Peer &peer);
    // Boots past their deadline count as failed (HttpBootServer calls this a few times a second).
    void expireBoots();

    std::atomic<quint64> scripts { 0 }, blobs { 0 }, reports { 0 }, configs { 0 };

    // Strict MAC forms in a URL: aa-bb-cc-dd-ee-ff (iPXE's hexhyp), aa:bb:…, or 12 hex digits.
    static std::optional<QString> macFromPath(QByteArrayView text);

    // A boot this server issued: who got which image, for attributing downloads and
    // reports to a machine.
    struct Session {
        QString bootId;
        QString mac;
        QString machine;
        QString image;
        Digest manifest;
        QHostAddress remote;
        qint64 issuedMs = 0;
        qint64 deadlineMs = 0;
    };

private:
    http::Response chainScript(const http::Request &request, const http::Peer &peer);
    http::Response machineScript(const http::Request &request, const http::Peer &peer);
    http::Response blob(const http::Request &request, const http::Peer &peer);
    http::Response ipxeBinary(const http::Request &request, const http::Peer &peer);
    http::Response signedLoader(const http::Request &request, const http::Peer &peer);
    // A boot loader binary from `file`, recorded as a boot event of `phase` once sent.
    http::Response loaderFile(const QByteArray &file, const QString &name, const QString &phase,
        const http::Request &request, const http::Peer &peer);
    http::Response report(const http::Request &request, const http::Peer &peer);
    // peerroutes.cpp: GET /layer-source and /layer-report, the tracker of machines that
    // share layers (LayerTracker).
    http::Response layerSource(const http::Request &request, const http::Peer &peer);
    http::Response layerReport(const http::Request &request, const http::Peer &peer);
    // The boot and layer a peer request acts for, or the refusal to send.
    struct PeerRequest {
        Session session;
        Digest layer;
        int index = -1;
        QMap<QString, QString> query;
    };
    std::variant<PeerRequest, http::Response> peerRequest(
        const http::Request &request, const http::Peer &peer, const QString &phase);
    // reportbodyroutes.cpp: POST /inventory?mac=&boot=&token=, the body a hardware report,
    // and POST /tests?…, the body a test suite's results.
    http::Response inventory(const http::Request &request, const http::Peer &peer);
    http::Response testResults(const http::Request &request, const http::Peer &peer);
    // The boot a request's mac, boot and token speak for, checked against the requester's
    // address; or the refusal (logged as `what` from the requester, of phase `phase`).
    std::variant<Session, http::Response> speakingFor(
        const QMap<QString, QString> &query, const http::Peer &peer, const QString &phase, const QString &what);
    // The checks both share: the query, the boot's session, `accept` (which parses the body),
    // then once per boot. A refusal is logged and returned; nullopt: go ahead.
    std::optional<http::Response> refusePostedReport(const http::Request &request, const http::Peer &peer,
        const QString &phase, const std::function<bool(const Session &, QString *)> &accept);
    // configroutes.cpp: GET /config/<mac>?boot=&token= and GET /nocloud/<mac>/<file>.
    http::Response machineConfig(const http::Request &request, const http::Peer &peer);
    http::Response noCloud(const http::Request &request, const http::Peer &peer);

    // A file body with ETag, Range and conditional handling; takes ownership of fd.
    http::Response serveFile(int fd, const http::Request &request, const QByteArray &etag, const QByteArray &type);
    QString serverUrl(const http::Request &request, const http::Peer &peer) const;
    void remember(const Session &session);
    // Why `peer` may not boot as `mac` (not its bound address, a cloned identity), or empty.
    // *alert: the reason is a possible clone (an error event) rather than a plain refusal.
    QString refusalFor(const QString &mac, const QString &uuid, const http::Peer &peer, bool *alert);
    // The session a request with this boot id and token may act for, or why not.
    std::optional<Session> checkSession(
        const QString &bootId, const QString &mac, const QString &token, const http::Peer &peer, QString *why) const;
    // Marks `resource` of the boot used; false when it was used before.
    bool useOnce(const Session &session, const QString &resource);
    // A refusal: logged as a boot event at most once a minute per address, MAC, kind and reason.
    void refuse(const QString &mac, const QString &bootId, const QString &phase, const QString &detail,
        const http::Peer &peer, Severity severity = Severity::Warning);
    std::optional<Session> sessionFor(const QString &bootId, const QHostAddress &remote) const;
    void recordScript(const BootDecision &decision, const http::Peer &peer);
    void recordFailure(const BootWatch::Failure &failure);

    Catalog *m_catalog;
    LogBus *m_log;
    BootDecider *m_decider;
    BootRecorder *m_recorder;
    Settings m_settings;
    BootWatch m_watch;
    LayerTracker m_tracker;
    mutable QMutex m_mutex;
    QHash<QString, Session> m_sessions; // boot id → session
    QHash<QHostAddress, QString> m_lastBootOf; // remote address → its newest boot id
    QHash<QString, QString> m_newestOf; // MAC → its newest boot id
    QHash<QString, QSet<QString>> m_used; // boot id → resources fetched once
    QHash<QString, qint64> m_refusals; // "address/kind" → when last logged
    std::shared_ptr<BootBindings> m_bindings;
    std::deque<QString> m_order; // boot ids, oldest first, to forget old sessions
};

} // namespace drover
