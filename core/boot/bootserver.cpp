#include "boot/bootserver.h"
#include "boot/resourcelimits.h"

#include "boot/bootdecision.h"
#include "boot/dhcp/dhcpprobe.h"
#include "fleet/rolloutengine.h"
#include "lab/lab.h"
#include "log/logbus.h"
#include "power/machinepower.h"
#include "vm/imagetest.h"
#include "vm/virtuallab.h"

#include <QNetworkInterface>

#include <QPointer>
#include <QtConcurrentRun>
#include <algorithm>

#include <tuple>

namespace drover {

namespace {
// A rollout's test in a VM fails when the image is not ready after this long.
constexpr int kRolloutTestSeconds = 600;
} // namespace

Result<BootServerSettings> bootSettingsFromFlags(const BootFlags &flags)
{
    const QString &dhcp = flags.dhcp;
    const QString &interfaceName = flags.interfaceName;
    const QString &unknown = flags.unknown;
    using R = Result<BootServerSettings>;
    BootServerSettings s;
    if (!dhcp.isEmpty()) {
        const auto mode = dhcpModeFromKey(dhcp);
        if (!mode)
            return R::failure(BootServer::tr("--dhcp: '%1' is not one of proxy, full, off").arg(dhcp));
        s.dhcpMode = *mode;
    }
    if (!interfaceName.isEmpty()) {
        if (interfaceName.size() > 15 || interfaceName.contains(QLatin1Char('/')))
            return R::failure(BootServer::tr("--interface: '%1' is not an interface name").arg(interfaceName));
        s.interfaceName = interfaceName;
    }
    auto port = [](const QString &text, const char *option, quint16 *out) -> QString {
        if (text.isEmpty())
            return {};
        bool ok = false;
        const uint value = text.toUInt(&ok);
        if (!ok || value < 1 || value > 65535)
            return BootServer::tr("%1: '%2' is not a port number (1-65535)").arg(QLatin1String(option), text);
        *out = quint16(value);
        return {};
    };
    if (QString why = port(flags.httpPort, "--http-port", &s.httpPort); !why.isEmpty())
        return R::failure(why);
    if (QString why = port(flags.tftpPort, "--tftp-port", &s.tftpPort); !why.isEmpty())
        return R::failure(why);
    if (!unknown.isEmpty()) {
        const auto policy = unknownPolicyFromKey(unknown);
        if (!policy)
            return R::failure(BootServer::tr("--unknown: '%1' is not one of ignore, register, boot").arg(unknown));
        s.unknownPolicy = policy;
    }
    if (!flags.range.isEmpty()) {
        const QStringList ends = flags.range.split(QLatin1Char('-'));
        const QHostAddress first(ends.value(0).trimmed()), last(ends.value(1).trimmed());
        if (ends.size() != 2 || first.protocol() != QAbstractSocket::IPv4Protocol
            || last.protocol() != QAbstractSocket::IPv4Protocol)
            return R::failure(BootServer::tr("--range: '%1' is not FIRST-LAST, two IPv4 addresses such as "
                                             "10.0.0.100-10.0.0.199")
                    .arg(flags.range));
        if (first.toIPv4Address() > last.toIPv4Address())
            return R::failure(BootServer::tr("--range: %1 comes after %2").arg(first.toString(), last.toString()));
        s.rangeStart = first;
        s.rangeEnd = last;
    }
    return s;
}

std::pair<QHostAddress, QHostAddress> defaultDhcpRange(const QHostAddress &server, const QHostAddress &netmask)
{
    bool ok = false;
    const quint32 ip = server.toIPv4Address(&ok);
    const quint32 mask = netmask.toIPv4Address();
    if (!ok || mask == 0 || ~mask < 6)
        return {};
    const quint32 network = ip & mask;
    const quint32 broadcast = network | ~mask;
    quint32 first = network + (broadcast - network) / 2;
    quint32 last = broadcast - 1;
    if (~mask >= 255) { // a /24 or larger: the familiar .100–.199 of the server's /24
        first = (ip & 0xFFFFFF00U) + 100;
        last = (ip & 0xFFFFFF00U) + 199;
    }
    if (ip >= first && ip <= last) { // keep the server's own address out of the pool
        if (ip - first < last - ip)
            first = ip + 1;
        else
            last = ip - 1;
    }
    return { QHostAddress(first), QHostAddress(last) };
}

BootServer::BootServer(Lab *lab, QObject *parent)
    : QObject(parent)
    , m_lab(lab)
    , m_http(new HttpBootServer(lab, this))
    , m_dhcp(new DhcpServer(lab->catalog(), lab->log(), this))
    , m_tftp(new TftpServer(lab->catalog(), lab->log(), this))
    , m_rollouts(new RolloutEngine(lab->catalog(), this))
    , m_virtualLab(new VirtualLab(lab, this))
{
    // Rollouts move along while this server runs: it is where their machines boot. A
    // rollout with --reboot power-cycles each machine by its power method.
    m_rollouts->setReboot([this](const Machine &machine) {
        QString error;
        if (!powerMachineAsync(
                m_lab->catalog(), machine, PowerAction::Cycle, QStringLiteral("rollout"), this, {}, &error))
            m_lab->log()->post(Severity::Warning, QStringLiteral("rollout"),
                tr("cannot power-cycle %1: %2").arg(machine.name, error), machine.name);
    });
    // A rollout that requires a test boots the image in a throwaway VM from here first.
    m_rollouts->setTester(
        [this](const QString &image, bool uefi, RolloutEngine::TestDone done) -> RolloutEngine::Cancel {
            auto *test = new ImageTest(m_lab, this);
            connect(test, &ImageTest::progress, this, [this, image](const QString &phase) {
                m_lab->log()->post(
                    Severity::Info, QStringLiteral("rollout"), tr("test of %1 in a VM: %2").arg(image, phase));
            });
            // The engine's context: no answer reaches an engine that is gone.
            connect(test, &ImageTest::finished, m_rollouts, [test, done](const ImageTestResult &result) {
                test->deleteLater();
                done(result);
            });
            QString error;
            if (!test->start(image, uefi, kRolloutTestSeconds, &error)) {
                delete test;
                ImageTestResult result;
                result.image = image;
                result.reason = error;
                result.verdict = false;
                result.uefi = uefi;
                done(result);
                return {};
            }
            return [test = QPointer<ImageTest>(test)] {
                if (test)
                    test->cancel();
            };
        });
    connect(m_rollouts, &RolloutEngine::progressed, this, [this](const QString &group, const QString &message) {
        m_lab->log()->post(Severity::Info, QStringLiteral("rollout"), tr("group %1: %2").arg(group, message));
    });
    connect(m_http, &HttpBootServer::countersChanged, this, &BootServer::countersChanged);
    connect(m_dhcp, &DhcpServer::countersChanged, this, &BootServer::countersChanged);
    connect(m_tftp, &TftpServer::countersChanged, this, &BootServer::countersChanged);
    connect(m_dhcp, &DhcpServer::foreignServerSeen, this, &BootServer::noteForeignDhcpServer);
    // TFTP events name the machine by the address DHCP saw it at.
    m_tftp->setClientResolver([dhcp = m_dhcp](const QHostAddress &address) { return dhcp->macForAddress(address); });
}

BootServer::~BootServer()
{
    stop();
}

QList<HostInterface> BootServer::hostInterfaces()
{
    QList<HostInterface> result;
    QList<HostInterface> loopbacks;
    for (const QNetworkInterface &iface : QNetworkInterface::allInterfaces()) {
        HostInterface h;
        h.name = iface.name();
        h.up = iface.flags().testFlag(QNetworkInterface::IsUp);
        h.loopback = iface.flags().testFlag(QNetworkInterface::IsLoopBack);
        QStringList shown;
        for (const QNetworkAddressEntry &entry : iface.addressEntries()) {
            if (entry.ip().protocol() != QAbstractSocket::IPv4Protocol)
                continue;
            h.ipv4.append(entry.ip());
            shown.append(QStringLiteral("%1/%2").arg(entry.ip().toString()).arg(entry.prefixLength()));
        }
        h.label = shown.isEmpty() ? h.name : QStringLiteral("%1 — %2").arg(h.name, shown.join(QStringLiteral(", ")));
        (h.loopback ? loopbacks : result).append(h);
    }
    return result + loopbacks;
}

QString BootServer::labInterface(const QList<HostInterface> &interfaces)
{
    static const QStringList virtualPrefixes { QStringLiteral("docker"), QStringLiteral("veth"),
        QStringLiteral("virbr"), QStringLiteral("br-"), QStringLiteral("tun"), QStringLiteral("tap"),
        QStringLiteral("wg"), QStringLiteral("lxc"), QStringLiteral("vnet"), QStringLiteral("podman"),
        QStringLiteral("cni"), QStringLiteral("flannel"), QStringLiteral("zt") };
    QStringList wired;
    QStringList wireless;
    for (const HostInterface &iface : interfaces) {
        if (!iface.up || iface.loopback || iface.ipv4.isEmpty())
            continue;
        const bool isVirtual = std::any_of(virtualPrefixes.cbegin(), virtualPrefixes.cend(),
            [&iface](const QString &prefix) { return iface.name.startsWith(prefix); });
        if (isVirtual)
            continue;
        (iface.name.startsWith(QLatin1String("wl")) ? wireless : wired).append(iface.name);
    }
    if (wired.size() == 1)
        return wired.first();
    if (wired.isEmpty() && wireless.size() == 1)
        return wireless.first();
    return {};
}

QHostAddress BootServer::interfaceAddress(const QString &name)
{
    const QNetworkInterface iface = QNetworkInterface::interfaceFromName(name);
    for (const QNetworkAddressEntry &entry : iface.addressEntries()) {
        if (entry.ip().protocol() == QAbstractSocket::IPv4Protocol)
            return entry.ip();
    }
    return {};
}

QHostAddress BootServer::interfaceNetmask(const QString &name, const QHostAddress &address)
{
    const QNetworkInterface iface = QNetworkInterface::interfaceFromName(name);
    for (const QNetworkAddressEntry &entry : iface.addressEntries()) {
        if (entry.ip() == address)
            return entry.netmask();
    }
    return {};
}

Status BootServer::start(const BootServerSettings &settings)
{
    if (m_running)
        return Status::failure(tr("the boot server is running already"));
    for (BootService s : { BootService::Dhcp, BootService::Tftp, BootService::Http })
        setStatus(s, ServiceState::Stopped, {});
    m_settings = settings;
    if (!m_dhcpWarning.isEmpty() || !m_foreignDhcpServers.isEmpty()) {
        m_dhcpWarning.clear();
        m_foreignDhcpServers.clear();
        Q_EMIT dhcpWarningChanged();
    }
    QHostAddress address = settings.serverAddress;
    if (!settings.interfaceName.isEmpty()) {
        if (!QNetworkInterface::interfaceFromName(settings.interfaceName).isValid())
            return Status::failure(tr("there is no network interface named '%1'").arg(settings.interfaceName));
        if (address.isNull())
            address = interfaceAddress(settings.interfaceName);
        if (address.isNull())
            return Status::failure(tr("interface %1 has no IPv4 address; give it one or pick another interface")
                    .arg(settings.interfaceName));
    }
    if (settings.dhcpMode != DhcpMode::Off && address.isNull())
        return Status::failure(tr("DHCP needs to tell machines where this server is: pick the lab's network "
                                  "interface (or give a server address)"));
    m_baseUrl
        = address.isNull() ? QString() : QStringLiteral("http://%1:%2").arg(address.toString()).arg(settings.httpPort);

    auto fail = [this](BootService service, const QString &message) {
        setStatus(service, ServiceState::Failed, message);
        m_dhcp->stop();
        m_dhcp->setRecorder(nullptr); // the HTTP server's, deleted when it stops below
        m_tftp->stop();
        m_tftp->setRecorder(nullptr);
        m_http->stop();
        for (BootService s : { BootService::Dhcp, BootService::Tftp, BootService::Http }) {
            if (s != service)
                setStatus(s, ServiceState::Stopped, {});
        }
        return Status::failure(message);
    };

    // The bounds of docs/security.md (HttpBootServer reads its own share).
    const ResourceLimits limits = ResourceLimits::fromCatalog(*m_lab->catalog());

    HttpBootSettings http;
    // With a lab interface picked, images are served there only, not on every network the
    // host is on (a trainer's laptop on a café network); without one, everywhere.
    if (!settings.interfaceName.isEmpty())
        http.address = address;
    http.port = settings.httpPort;
    http.ipxeDir = settings.ipxeDir;
    http.threads = settings.httpThreads;
    http.unknownPolicy = settings.unknownPolicy;
    if (Status s = m_http->start(http); !s)
        return fail(BootService::Http, s.error());
    setStatus(BootService::Http, ServiceState::Running, tr("port %1").arg(m_http->port()));

    if (settings.tftpEnabled) {
        TftpSettings tftp;
        tftp.maxPerClient = limits.tftpMaxPerClient;
        tftp.maxTransfers = limits.tftpMaxTransfers;
        tftp.limits.maxTimeoutSeconds = limits.tftpMaxTimeoutSeconds;
        tftp.interfaceName = settings.interfaceName;
        tftp.port = settings.tftpPort;
        tftp.ipxeDir = settings.ipxeDir;
        tftp.httpPort = m_http->port();
        // Its boot events in the recorder's batches too: committed on this thread they made
        // DHCP and TFTP wait for the catalog's write lock behind the recorder's commits,
        // 0.5–0.8 s in all in a 60-machine storm (strace; BENCHMARKS.md, "Boot storm").
        m_tftp->setRecorder(m_http->recorder());
        if (Status s = m_tftp->start(tftp); !s)
            return fail(BootService::Tftp, s.error());
        setStatus(BootService::Tftp, ServiceState::Running, tr("port %1").arg(settings.tftpPort));
    }

    if (settings.dhcpMode != DhcpMode::Off) {
        DhcpSettings dhcp;
        dhcp.mode = settings.dhcpMode;
        dhcp.interfaceName = settings.interfaceName;
        dhcp.serverAddress = address;
        dhcp.port = settings.dhcpPort;
        dhcp.proxyPort = settings.dhcpProxyPort;
        dhcp.clientPort = settings.dhcpClientPort;
        dhcp.httpBaseUrl = m_baseUrl;
        dhcp.rangeStart = settings.rangeStart;
        dhcp.rangeEnd = settings.rangeEnd;
        dhcp.subnetMask = settings.subnetMask;
        if (settings.dhcpMode == DhcpMode::Full && !settings.interfaceName.isEmpty()) {
            // Unset in the settings: what the lab's interface says.
            const QHostAddress netmask = interfaceNetmask(settings.interfaceName, address);
            if (dhcp.subnetMask.isNull())
                dhcp.subnetMask = netmask;
            if (dhcp.rangeStart.isNull() && dhcp.rangeEnd.isNull())
                std::tie(dhcp.rangeStart, dhcp.rangeEnd) = defaultDhcpRange(address, netmask);
        }
        dhcp.router = settings.router;
        dhcp.dns = settings.dns;
        dhcp.leaseSeconds = settings.leaseSeconds;
        dhcp.declineQuarantineSeconds = limits.declineQuarantineSeconds;
        dhcp.probeFirst = settings.probeDhcpFirst;
        m_dhcp->setBindings(m_http->bindings());
        // Its boot events, machines seen, firmware facts and bindings go to the catalog in the
        // recorder's batches, as the HTTP routes' do: written on this thread, one synced commit
        // each, they held every DHCP and TFTP answer behind them in a boot storm (issue 18,
        // tools/bench/storm.sh). The lease itself is still committed before its ACK.
        m_dhcp->setRecorder(m_http->recorder());
        // UEFI machines get the Secure Boot chain where the decision says so and TFTP has it.
        const bool chain = m_tftp->isRunning() && m_tftp->servesSignedChain();
        m_dhcp->setSignedChainResolver([http = m_http, chain](const QString &mac) {
            const BootDecider *decider = http->decider();
            return decider && decider->signedChain(mac, chain);
        });
        if (Status s = m_dhcp->start(dhcp); !s)
            return fail(BootService::Dhcp, s.error());
        setStatus(BootService::Dhcp, ServiceState::Running,
            settings.dhcpMode == DhcpMode::Proxy
                ? tr("proxy, ports %1 and %2").arg(settings.dhcpPort).arg(settings.dhcpProxyPort)
                : tr("full, port %1").arg(settings.dhcpPort));
    }
    m_running = true;
    m_address = address;
    m_startedAt = QDateTime::currentDateTime();
    m_rollouts->start();
    m_virtualLab->start(m_http->port()); // the lab's VMs netboot from here
    m_lab->log()->post(Severity::Info, QStringLiteral("server"),
        tr("boot server running: DHCP %1, interface %2, HTTP %3")
            .arg(dhcpModeKey(settings.dhcpMode), settings.interfaceName.isEmpty() ? tr("all") : settings.interfaceName,
                m_baseUrl.isEmpty() ? tr("port %1").arg(m_http->port()) : m_baseUrl));
    Q_EMIT statusChanged();
    return {};
}

void BootServer::startInBackground(const BootServerSettings &settings)
{
    if (m_starting || m_running) {
        Q_EMIT startFinished(false, tr("the boot server is running already"));
        return;
    }
    if (settings.dhcpMode != DhcpMode::Full || !settings.probeDhcpFirst || settings.interfaceName.isEmpty()) {
        const Status s = start(settings);
        Q_EMIT startFinished(s.ok(), s.error());
        return;
    }
    m_starting = true;
    Q_EMIT statusChanged();
    const DhcpProbeSettings probe { settings.interfaceName, settings.dhcpPort, settings.dhcpClientPort };
    QPointer<BootServer> self(this);
    (void)QtConcurrent::run([self, probe, settings] {
        auto found = probeForDhcpServer(probe);
        if (!self)
            return;
        QMetaObject::invokeMethod(
            self.data(),
            [self, found, settings] {
                if (!self)
                    return;
                self->m_starting = false;
                Status s;
                bool probeFailed = true;
                if (!found) {
                    s = Status::failure(found.error());
                } else if (found.value()) {
                    s = Status::failure(tr("another DHCP server (%1) answers on %2; full mode would fight it. Use "
                                           "proxy mode beside it, or switch it off")
                            .arg(found.value()->server.toString(), settings.interfaceName));
                } else {
                    BootServerSettings checked = settings;
                    checked.probeDhcpFirst = false;
                    s = self->start(checked);
                    probeFailed = false;
                }
                if (probeFailed)
                    self->setStatus(BootService::Dhcp, ServiceState::Failed, s.error());
                Q_EMIT self->statusChanged();
                Q_EMIT self->startFinished(s.ok(), s.error());
            },
            Qt::QueuedConnection);
    });
}

void BootServer::stop()
{
    if (!m_running)
        return;
    m_rollouts->stop();
    m_virtualLab->stop();
    m_dhcp->stop();
    m_dhcp->setRecorder(nullptr); // the HTTP server's, deleted when it stops
    m_tftp->stop();
    m_tftp->setRecorder(nullptr);
    m_http->stop();
    m_running = false;
    m_startedAt = {};
    for (BootService s : { BootService::Dhcp, BootService::Tftp, BootService::Http })
        setStatus(s, ServiceState::Stopped, {});
}

void BootServer::noteForeignDhcpServer(const QHostAddress &server, const QString &mac)
{
    const QString where = m_settings.interfaceName.isEmpty() ? tr("the lab network") : m_settings.interfaceName;
    QString warning;
    if (m_settings.dhcpMode == DhcpMode::Full) {
        warning = tr("another DHCP server (%1) hands out addresses on %2: %3 asked it for a lease. Two servers "
                     "giving addresses break the network; switch one off, or use proxy mode beside it")
                      .arg(server.toString(), where, mac);
    } else {
        // Beside the lab's own DHCP server one foreign server is expected; a second one is not.
        if (!m_foreignDhcpServers.contains(server)) {
            if (m_foreignDhcpServers.size() >= 8)
                m_foreignDhcpServers.removeFirst();
            m_foreignDhcpServers.append(server);
        }
        if (m_foreignDhcpServers.size() < 2)
            return;
        QStringList names;
        for (const QHostAddress &a : std::as_const(m_foreignDhcpServers))
            names.append(a.toString());
        warning = tr("more than one DHCP server hands out addresses on %1 (%2; last asked by %3): machines may get "
                     "an address from the wrong one")
                      .arg(where, names.join(QStringLiteral(", ")), mac);
    }
    if (warning == m_dhcpWarning)
        return;
    m_dhcpWarning = warning;
    m_lab->log()->post(Severity::Warning, QStringLiteral("server"), tr("DHCP: %1").arg(warning));
    Q_EMIT dhcpWarningChanged();
}

ServiceStatus BootServer::status(BootService service) const
{
    return m_status[int(service)];
}

void BootServer::setStatus(BootService service, ServiceState state, const QString &message)
{
    ServiceStatus &s = m_status[int(service)];
    if (s.state == state && s.message == message)
        return;
    s = ServiceStatus { state, message };
    Q_EMIT statusChanged();
}

} // namespace drover
