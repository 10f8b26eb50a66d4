#include "boot/http/httpbootserver.h"

#include "boot/bootindex.h"
#include "boot/bootrecorder.h"
#include "boot/http/bootroutes.h"
#include "boot/http/httpengine.h"
#include "boot/resourcelimits.h"
#include "inventory/hardwareinventory.h"
#include "inventory/testreport.h"
#include "lab/lab.h"
#include "runtime/filelimit.h"

#include <QDateTime>

namespace drover {

HttpBootServer::HttpBootServer(Lab *lab, QObject *parent)
    : QObject(parent)
    , m_lab(lab)
{
    // Counters are atomics bumped on the engine's threads; the UI hears of them at 4 Hz.
    m_poll.setInterval(250);
    connect(&m_poll, &QTimer::timeout, this, &HttpBootServer::pollCounters);
}

void HttpBootServer::bindAddress(const QString &mac, const QHostAddress &address, const QString &source)
{
    m_bindings->bind(mac, address, source, QDateTime::currentMSecsSinceEpoch());
}

HttpBootServer::~HttpBootServer()
{
    stop();
}

Status HttpBootServer::start(const HttpBootSettings &settings)
{
    if (isRunning())
        return Status::failure(tr("the HTTP boot server is running already"));
    auto secret = BootTokens::loadOrCreateSecret(m_lab->catalog(), m_lab->dataDir());
    if (!secret)
        return Status::failure(tr("cannot set up boot tokens: %1").arg(secret.error()));
    m_index = new BootIndex(m_lab->catalog(), this);
    if (Status s = m_index->refresh(); !s) {
        delete m_index;
        m_index = nullptr;
        return Status::failure(tr("cannot read the catalog: %1").arg(s.error()));
    }
    m_recorder = new BootRecorder(m_lab->catalog(), m_lab->log(), this);
    m_decider = std::make_unique<BootDecider>(m_lab->catalog(), m_index, m_lab->storeDir(), secret.value());
    m_decider->setUnknownPolicyOverride(settings.unknownPolicy);
    m_routes = std::make_unique<BootRoutes>(m_lab->catalog(), m_lab->log(), m_decider.get(), m_recorder,
        BootRoutes::Settings {
            m_lab->storeDir(), settings.ipxeDir, settings.baseUrl, settings.signedLoaders, settings.memtest },
        m_bindings);
    BootRoutes *routes = m_routes.get();
    m_engine = new http::HttpEngine(
        [routes](const http::Request &request, const http::Peer &peer) { return routes->handle(request, peer); },
        [routes](
            int status, const QByteArray &reason, const http::Peer &peer) { routes->rejected(status, reason, peer); },
        this);
    http::EngineSettings engine;
    engine.address = settings.address;
    engine.port = settings.port;
    engine.threads = settings.threads;
    // The limits of docs/security.md: catalog settings, read at each start.
    const ResourceLimits limits = ResourceLimits::fromCatalog(*m_lab->catalog());
    const FileLimit files = raiseFileLimit();
    engine.maxConnections = limits.httpConnectionCap(files.now);
    engine.maxPerClient = limits.httpMaxPerClient;
    engine.idleTimeoutMs = limits.httpIdleSeconds * 1000;
    engine.headTimeoutMs = limits.httpIdleSeconds * 1000;
    engine.stallTimeoutMs = limits.httpStallSeconds * 1000;
    engine.stallMinBytes = limits.httpStallBytes;
    // The only bodies the boot path takes: a machine's hardware inventory and its test
    // results (POST /inventory, POST /tests).
    engine.limits.maxBody = std::max(kInventoryMaxBytes, kTestReportMaxBytes);
    if (Status s = m_engine->start(engine); !s) {
        stop();
        return s;
    }
    m_lab->log()->post(Severity::Info, QStringLiteral("server"),
        tr("HTTP boot server listening on port %1 (%n thread(s))", nullptr, engine.threads).arg(m_engine->port()));
    m_lab->log()->post(Severity::Info, QStringLiteral("server"),
        tr("HTTP: at most %1 connections, %2 per client address; open-file limit %3 (was %4, hard limit %5)")
            .arg(engine.maxConnections)
            .arg(engine.maxPerClient)
            .arg(files.now)
            .arg(files.before)
            .arg(files.hard));
    m_last = Counters();
    m_poll.start();
    Q_EMIT runningChanged(true);
    return {};
}

void HttpBootServer::stop()
{
    const bool wasRunning = isRunning();
    m_poll.stop();
    // Order matters: no request may run while the routes, decider or recorder go away.
    delete m_engine;
    m_engine = nullptr;
    m_routes.reset();
    m_decider.reset();
    delete m_recorder; // writes what is still queued
    m_recorder = nullptr;
    delete m_index;
    m_index = nullptr;
    if (wasRunning) {
        pollCounters();
        m_lab->log()->post(Severity::Info, QStringLiteral("server"), tr("HTTP boot server stopped"));
        Q_EMIT runningChanged(false);
    }
}

bool HttpBootServer::isRunning() const
{
    return m_engine && m_engine->isRunning();
}

quint16 HttpBootServer::port() const
{
    return m_engine ? m_engine->port() : 0;
}

BootDecider *HttpBootServer::decider() const
{
    return m_decider.get();
}

HttpBootServer::Counters HttpBootServer::counters() const
{
    Counters c = m_last;
    if (m_engine) {
        const http::EngineCounters e = m_engine->counters();
        c.requests = e.requests;
        c.errors = e.errors;
        c.active = e.active;
        c.connections = e.connections;
        c.bytesSent = e.bytesSent;
    }
    if (m_routes) {
        c.scripts = m_routes->scripts.load();
        c.blobs = m_routes->blobs.load();
        c.reports = m_routes->reports.load();
    }
    return c;
}

void HttpBootServer::pollCounters()
{
    if (m_routes)
        m_routes->expireBoots();
    const Counters now = counters();
    if (now.requests != m_last.requests || now.errors != m_last.errors || now.active != m_last.active
        || now.bytesSent != m_last.bytesSent || now.scripts != m_last.scripts || now.blobs != m_last.blobs
        || now.reports != m_last.reports) {
        m_last = now;
        Q_EMIT countersChanged();
    }
}

} // namespace drover
