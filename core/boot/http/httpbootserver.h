// HttpBootServer: the boot path over HTTP. Routes (see bootroutes.cpp):
//   GET /boot.ipxe                 the chain script every iPXE loads first
//   GET /boot/<mac>.ipxe?uuid=…    the machine's boot script, from the boot decision
//   GET|HEAD /blobs/sha256:<hex>   store blobs: Range, ETag = digest, keep-alive, sendfile
//   GET|HEAD /ipxe.efi, /snponly.efi, /undionly.kpxe   iPXE binaries (UEFI HTTP Boot)
//   GET /report?mac=&boot=&token=&phase=[&digest=][&detail=]   the machine's init reports
//   GET /config/<mac>?boot=&token=  the machine's drover-config file (configroutes.cpp)
//   GET /nocloud/<mac>/{meta-data,user-data,network-config,vendor-data}   cloud-init NoCloud
// It owns the boot decision's index, the decider and the recorder for its run; the HTTP
// engine runs on threads of its own, so nothing here blocks the caller's thread.
#pragma once

#include "boot/bootbindings.h"
#include "boot/bootdecision.h"
#include "boot/memtest.h"
#include "boot/secureboot.h"
#include "util/result.h"

#include <QHostAddress>
#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>

namespace drover {

class Lab;
class BootIndex;
class BootRecorder;
class BootRoutes;
namespace http {
class HttpEngine;
}

struct HttpBootSettings {
    QHostAddress address = QHostAddress::Any;
    quint16 port = 8080; // 0: any free port (tests)
    QString ipxeDir = QStringLiteral("/usr/lib/ipxe");
    SignedLoaders signedLoaders; // shim and GRUB for UEFI HTTP Boot clients under Secure Boot
    MemtestFiles memtest; // the memtest boot target
    // How machines reach this server (http://host:port). Empty: from each request's Host
    // header, else the address the request arrived on.
    QString baseUrl;
    int threads = 1;
    std::optional<UnknownPolicy> unknownPolicy; // overrides the catalog's boot/unknown
};

class HttpBootServer final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpBootServer)
public:
    explicit HttpBootServer(Lab *lab, QObject *parent = nullptr);
    ~HttpBootServer() override;

    Status start(const HttpBootSettings &settings);
    void stop();
    bool isRunning() const;
    quint16 port() const; // the bound port while running

    struct Counters {
        quint64 requests = 0;
        quint64 scripts = 0; // boot scripts served
        quint64 blobs = 0; // blob and iPXE binary responses
        quint64 reports = 0; // init reports accepted
        quint64 errors = 0; // 4xx/5xx responses and refused requests
        quint64 active = 0; // open connections
        quint64 connections = 0; // accepted since start
        quint64 bytesSent = 0;
    };
    Counters counters() const;

    // While running: the decision (tests, and the DHCP side asking what a machine boots),
    // the recorder (flush in tests) and the index.
    BootDecider *decider() const;
    BootRecorder *recorder() const { return m_recorder; }
    BootIndex *index() const { return m_index; }
    // Which address may boot as which MAC (fed by the DHCP server; kept across runs).
    std::shared_ptr<BootBindings> bindings() const { return m_bindings; }
    // Lets `mac` boot from `address` though no DHCP was seen: a VM of this process on
    // qemu's user network (loopback), and tests.
    void bindAddress(const QString &mac, const QHostAddress &address, const QString &source = QStringLiteral("vm"));

Q_SIGNALS:
    void countersChanged();
    void runningChanged(bool running);

private:
    void pollCounters();

    Lab *m_lab;
    BootIndex *m_index = nullptr;
    BootRecorder *m_recorder = nullptr;
    std::unique_ptr<BootDecider> m_decider;
    std::unique_ptr<BootRoutes> m_routes;
    std::shared_ptr<BootBindings> m_bindings = std::make_shared<BootBindings>();
    http::HttpEngine *m_engine = nullptr;
    QTimer m_poll;
    Counters m_last;
};

} // namespace drover
