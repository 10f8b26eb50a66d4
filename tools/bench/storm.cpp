// drover-storm: a boot-storm simulator (issue 18). N simulated machines, each with its own MAC,
// power on together and do what a PXE firmware, iPXE and Drover's init do on the wire:
//   1. DHCP as the firmware: DISCOVER/OFFER/REQUEST/ACK (full mode), or beside the lab's DHCP
//      server with a ProxyDHCP offer and a port-4011 REQUEST to the boot server (proxy mode);
//      retransmits after 4, 8, 16 and 32 s as PXE firmware does, then gives up (exhaustion);
//   2. TFTP of the boot file (undionly.kpxe) from the leased address, with tsize and blksize
//      as iPXE-era firmware asks; each packet retransmitted after 1, 2, 4, 8, 16 s, then given up;
//   3. DHCP again as iPXE (user class "iPXE"), which gets the script URL;
//   4. HTTP as iPXE, one keep-alive connection: the chain script, the machine script (the
//      URL the chain script names, ${mac:hexhyp} etc. filled in), the kernel and initrd the
//      machine script names;
//   5. HTTP as Drover's init (busybox wget: a new connection per request, Connection: close,
//      resumed with Range after an interruption, retried after 1, 2, 4, 8 s): the manifest
//      named by drover.manifest, every layer it lists, the reports fetched/verified/mounted,
//      the configuration (/config/MAC, a 404 is fine), and the ready report with the digest.
// Every TCP connection and UDP socket of a machine is bound to the address DHCP leased it, so
// the server sees each machine at its own address (Drover gives a boot only to that address).
// The caller makes those addresses local in the client's network namespace (an AnyIP route,
// `ip route add local RANGE dev lo`), so no per-machine `ip addr add` is needed.
// Per-machine link speed is a token bucket on each machine's reads (--client-mbit); the
// shared uplink is the caller's tc qdisc. Blob bytes are counted and their sizes checked,
// not hashed: a real machine hashes on its own CPU, and this one has two cores to share.
//
// Peer mode (--peers K, docs/peer-download.md; off by default): a machine that has fetched a
// layer serves it from its leased address (--peer-port) by HTTP with Range, as the design's
// busybox httpd would, at most K uploads at a time, its sending limited by its own link rate
// (a second token bucket, on its writes). Peer traffic stays inside the client namespace
// (loopback between two leased addresses), so it never crosses the shaped uplink, as
// port-to-port traffic on a switch does not. Which source a layer comes from is the
// design's tracker, which Drover does not implement: here the simulator decides, when the
// machine starts the layer, among the holders with a free slot (the least busy first) and
// the server last; with --server-slots S the server takes at most S layer downloads at once
// and a machine that finds no free source waits for one (0: the server whenever no peer is
// free). The kernel and initrd always come from the server: iPXE fetches them, and a
// holder's init never has them as files.
//
// --tracker drover (with --peers K; default --tracker sim, the choice above): Drover's own
// tracker chooses instead (its API: GET /layer-source and /layer-report, with the mac, boot
// and token of the machine script, as the /report calls carry them). Before each layer the
// machine asks /layer-source and follows the answer: `peer ADDR PORT`, that simulated
// machine's server (by the init's path /<64 hex>); `server`, Drover's /blobs/; `wait MS`,
// asks again after MS. Then it reports /layer-report?result=verified&from=server|ADDR. As the
// init's fetch_shared does: a neighbour that fails is reported (unreachable, stalled) and the
// tracker asked again, Drover's copy taken after five questions for a layer or 120 s of waits.
// An address that is not a simulated machine holding that layer fails the machine (the init
// would try it): the simulator can serve nothing else, and it would be the tracker's mistake;
// so does any other answer, or a refusal (403, 404), where the init would take Drover's copy
// without a word. The machine script must carry drover.peers=1 (Drover with `drover peers
// on`), else the simulator stops: dnsmasq + nginx have no tracker. The simulator keeps no
// slots of its own then; it only counts what Drover assigned (the most server layer downloads
// and uploads of one holder at once, to hold against S and K).
//
//   drover-storm --iface IF --server IP [--machines N] [--first I] [--mode full|proxy]
//                [--http-port 8080] [--client-mbit M] [--timeout S] [--spread-ms MS]
//                [--peers K [--server-slots S] [--peer-port 8099] [--tracker sim|drover]]
//
// MACs are 02:00:00:00:hi:lo for indexes FIRST … FIRST+N-1 (drover-stormseed's machines).
// Prints key=value lines: counts, per-phase percentiles in ms, retries, sample_mbit= (the
// throughput received from the server each second), blob bytes from the server and from
// peers, the tracker's answers, and the simulator's own CPU time (cpu_s=).
#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using Ms = std::chrono::milliseconds;

struct Options {
    std::string iface;
    std::string server;
    int machines = 5;
    int first = 0;
    bool proxy = false;
    int httpPort = 8080;
    double clientMbit = 0; // 0: the simulator does not limit a machine's link
    double timeout = 600;
    int spreadMs = 0; // machines power on at random times within this window
    int peers = 0; // uploads a holder serves at once; 0: no peer serving (unicast)
    int serverSlots = 0; // peer mode: layer downloads the server takes at once; 0: no limit
    int peerPort = 8099;
    bool droverTracker = false; // peer mode: Drover's /layer-source chooses, not the simulator
    std::string bootFile = "undionly.kpxe";
};

[[noreturn]] void die(const std::string &why)
{
    std::fprintf(stderr, "drover-storm: %s\n", why.c_str());
    std::exit(2);
}

// A link's token bucket holds 2 ms of its rate, 64 KiB at least: the rate is kept over any
// longer time, and a machine at 1 Gbit/s wakes the one thread about a thousand times a second
// rather than the hundred thousand a bucket of a few packets would take.
double linkBurst(double bytesPerSecond)
{
    return std::max(65536.0, bytesPerSecond * 0.002);
}

// What a payload byte of TCP costs a link: a full frame of 1514 bytes carries 1448 (headers and
// timestamps), as the uplink's tc counts it; so a peer's 1 Gbit/s sends 956 Mbit/s of blob.
constexpr double kWirePerPayload = 1514.0 / 1448.0;

// ---------------------------------------------------------------------------------- DHCP

constexpr uint8_t kDiscover = 1, kOffer = 2, kRequest = 3, kAck = 5, kNak = 6;

struct DhcpReply {
    uint8_t type = 0;
    uint32_t xid = 0;
    uint32_t yiaddr = 0; // network order
    uint32_t siaddr = 0;
    uint32_t serverId = 0;
    std::string file;
    std::string vendorClass;
};

std::optional<DhcpReply> parseDhcp(const uint8_t *p, size_t n)
{
    if (n < 240 || p[0] != 2 || p[236] != 99 || p[237] != 130 || p[238] != 83 || p[239] != 99)
        return std::nullopt;
    DhcpReply r;
    std::memcpy(&r.xid, p + 4, 4);
    std::memcpy(&r.yiaddr, p + 16, 4);
    std::memcpy(&r.siaddr, p + 20, 4);
    r.file.assign(reinterpret_cast<const char *>(p + 108), strnlen(reinterpret_cast<const char *>(p + 108), 128));
    for (size_t i = 240; i < n;) {
        const uint8_t code = p[i];
        if (code == 255)
            break;
        if (code == 0) {
            ++i;
            continue;
        }
        if (i + 1 >= n || i + 2 + p[i + 1] > n)
            break;
        const uint8_t len = p[i + 1];
        const uint8_t *v = p + i + 2;
        if (code == 53 && len == 1)
            r.type = v[0];
        else if (code == 54 && len == 4)
            std::memcpy(&r.serverId, v, 4);
        else if (code == 67)
            r.file.assign(reinterpret_cast<const char *>(v), strnlen(reinterpret_cast<const char *>(v), len));
        else if (code == 60)
            r.vendorClass.assign(reinterpret_cast<const char *>(v), len);
        i += 2 + len;
    }
    return r;
}

// A firmware's (ipxe=false) or iPXE's (ipxe=true) packet for machine `index`.
std::vector<uint8_t> dhcpPacket(uint8_t type, uint32_t xid, const uint8_t mac[6], int index, bool ipxe,
    uint32_t requested, uint32_t serverId, uint32_t ciaddr)
{
    std::vector<uint8_t> p(240, 0);
    p[0] = 1; // BOOTREQUEST
    p[1] = 1; // Ethernet
    p[2] = 6;
    std::memcpy(&p[4], &xid, 4);
    p[10] = 0x80; // broadcast flag: PXE firmware and iPXE both set it
    std::memcpy(&p[12], &ciaddr, 4);
    std::memcpy(&p[28], mac, 6);
    p[236] = 99, p[237] = 130, p[238] = 83, p[239] = 99;
    auto opt = [&p](uint8_t code, const void *data, size_t len) {
        p.push_back(code);
        p.push_back(uint8_t(len));
        const auto *d = static_cast<const uint8_t *>(data);
        p.insert(p.end(), d, d + len);
    };
    opt(53, &type, 1);
    const uint16_t maxSize = htons(1472);
    opt(57, &maxSize, 2);
    const uint8_t arch[2] = { 0, 0 }; // BIOS x86
    opt(93, arch, 2);
    const uint8_t undi[3] = { 1, 2, 1 };
    opt(94, undi, 3);
    uint8_t uuid[17] = { 0 };
    uuid[15] = uint8_t(index >> 8);
    uuid[16] = uint8_t(index);
    uuid[1] = 0x5a; // not a placeholder UUID (all zeros): firmware sends its SMBIOS UUID
    opt(97, uuid, 17);
    const char *vendor = "PXEClient:Arch:00000:UNDI:002001";
    opt(60, vendor, std::strlen(vendor));
    const uint8_t params[] = { 1, 3, 6, 43, 54, 60, 66, 67, 128, 129, 130, 131, 132, 133, 134, 135, 175 };
    opt(55, params, sizeof params);
    if (ipxe)
        opt(77, "iPXE", 4);
    if (requested)
        opt(50, &requested, 4);
    if (serverId)
        opt(54, &serverId, 4);
    p.push_back(255);
    return p;
}

// ------------------------------------------------------------------------------- machines

enum class Phase { Off, Dhcp1, Proxy4011, Tftp, Dhcp2, Script, Blobs, Reports, Ready, Failed };
// Per-phase durations reported: dhcp (firmware), tftp, dhcp2 (iPXE), script, blobs, reports.
enum Stat { kDhcp, kTftp, kDhcp2, kScript, kBlobs, kReports, kTotal, kStats };
const char *const kStatNames[kStats] = { "dhcp", "tftp", "dhcp2", "script", "blobs", "ready", "total" };

struct HttpStep {
    std::string path;
    enum class Kind { ChainScript, MachineScript, Blob, Manifest, Config, Report, LayerSource, LayerReport } kind;
    bool keepAlive = false; // iPXE reuses its connection; busybox wget does not
    long long expectSize = -1;
    bool peerable = false; // a layer: peer mode may fetch it from a machine that holds it
};

struct Machine {
    int index = 0;
    uint8_t mac[6] {};
    std::string macColons, macHyphens;
    Phase phase = Phase::Off;
    Clock::time_point powerOn, phaseStart;
    double stat[kStats] {};
    uint32_t xid = 0;
    uint32_t leased = 0; // network order
    uint32_t dhcpServer = 0;
    uint32_t bootServer = 0; // TFTP and port 4011: where the boot file comes from
    std::string bootFile, scriptUrl;
    bool sawAddressOffer = false, sawBootOffer = false, requesting = false;
    int tries = 0;
    uint64_t timerGen = 0;
    // TFTP
    int udp = -1;
    sockaddr_in tftpPeer {};
    uint16_t expectBlock = 1;
    int blksize = 512;
    std::vector<uint8_t> lastSent;
    long long tftpBytes = 0;
    // HTTP
    std::vector<HttpStep> steps;
    size_t step = 0;
    int tcp = -1;
    bool connected = false;
    std::string out;
    size_t outSent = 0;
    std::string head;
    long long bodyLeft = -1, bodyGot = 0, resumeFrom = 0;
    bool chunkedOrClose = false;
    int status = 0;
    std::string body; // scripts and the manifest; blobs are only counted
    int httpTries = 0;
    Clock::time_point lastProgress;
    std::string manifest, bootId, token, serverBase;
    // link speed
    double tokens = 0;
    Clock::time_point tokensAt;
    bool throttled = false;
    uint64_t throttleGen = 0;
    // peer mode, as a downloader: where the current layer comes from (a machine's position in
    // m_m, or -1: the server) and whether it holds a slot of the tracker for it
    int source = -1;
    bool assigned = false;
    Clock::time_point waitSince, fetchSince;
    double waitMs = 0;
    // --tracker drover: the source Drover named for the next layer (-1: the server), and
    // since when the machine has been asking for it
    int pick = -1;
    bool asking = false;
    Clock::time_point askSince;
    int layerAsks = 0, layerWaitedMs = 0; // for the current layer, as the init counts them
    // peer mode, as a holder
    std::string peerBase; // http://LEASED:PORT
    int listenFd = -1;
    int uploadsAssigned = 0; // the tracker's count, released when the downloader finishes
    std::vector<int> uploads; // open upload connections (m_uploads positions)
    double upTokens = 0;
    Clock::time_point upTokensAt;
    uint64_t upGen = 0;
    size_t upNext = 0; // round-robin start among the uploads
};

// One HTTP connection a holder serves: the request, then the header and the bytes asked for.
struct Upload {
    int fd = -1;
    int holder = -1;
    bool sending = false;
    bool blocked = false; // the socket's buffer was full: waiting for EPOLLOUT
    std::string request, header;
    size_t headerSent = 0;
    off_t off = 0, end = 0;
};

enum class TimerKind { Machine, ReadThrottle, UploadPump };

struct Timer {
    Clock::time_point at;
    int machine;
    uint64_t gen;
    TimerKind kind;
    bool operator>(const Timer &o) const { return at > o.at; }
};

class Storm {
public:
    explicit Storm(Options o)
        : m_o(std::move(o))
    { }
    int run();

private:
    void powerOn(Machine &m);
    void sendDhcp(Machine &m);
    void onDhcp(const uint8_t *p, size_t n);
    void sendProxyRequest(Machine &m);
    void openUdp(Machine &m);
    void startTftp(Machine &m);
    void onTftp(Machine &m);
    void startDhcp2(Machine &m);
    void startHttp(Machine &m);
    void nextHttp(Machine &m);
    void openConnection(Machine &m);
    void sendRequest(Machine &m);
    void onTcp(Machine &m, uint32_t events);
    void readTcp(Machine &m);
    void finishResponse(Machine &m);
    void httpFailed(Machine &m, const std::string &why);
    void closeTcp(Machine &m);
    void beginStep(Machine &m);
    int chooseSource(const std::string &blob) const;
    void release(Machine &m);
    void dispatchWaiting();
    void hold(Machine &m, const std::string &blob);
    bool takeLayerSource(Machine &m);
    std::string peerAddress(int holder) const;
    void acceptPeers(int holder);
    void onUpload(int id, uint32_t events);
    void pumpHolder(int holder);
    void endUpload(int id);
    void ensureBlobBytes(long long size);
    void timeout(Machine &m);
    void fail(Machine &m, const std::string &why);
    void enter(Machine &m, Phase p, int statToClose);
    void arm(Machine &m, double seconds);
    void watch(int fd, uint32_t events, int machine, int kind);
    double sinceStart() const { return std::chrono::duration<double>(Clock::now() - m_start).count(); }

    Options m_o;
    std::vector<Machine> m_m;
    std::map<uint32_t, int> m_byXid;
    int m_epoll = -1, m_dhcp = -1;
    uint32_t m_serverIp = 0;
    std::priority_queue<Timer, std::vector<Timer>, std::greater<>> m_timers;
    Clock::time_point m_start;
    long long m_bytes = 0;
    std::vector<long long> m_perSecond;
    int m_done = 0, m_ready = 0;
    long long m_dhcpRetries = 0, m_dhcpExhausted = 0, m_tftpRetries = 0, m_tftpExhausted = 0, m_httpRetries = 0,
              m_httpExhausted = 0;
    double m_lastReady = 0;
    std::map<std::string, int> m_failures;
    std::mt19937 m_rng { 18 };
    // peer mode: the tracker's view (blob path → holders, in the order they got it), the
    // machines waiting for a source, the server's layer downloads in progress
    std::map<std::string, std::vector<int>> m_holders;
    std::map<std::string, long long> m_blobSize;
    std::deque<int> m_waiting;
    int m_serverLayers = 0;
    bool m_dispatching = false, m_dispatchAgain = false;
    std::vector<Upload> m_uploads;
    int m_blobFd = -1; // the bytes every holder sends (not hashed by anyone, as all blob bytes here)
    long long m_blobFdSize = 0;
    long long m_peerBytes = 0, m_blobServer = 0, m_blobPeers = 0;
    long long m_peerLayers = 0, m_serverLayerCount = 0, m_waits = 0, m_peerErrors = 0;
    int m_peakPeerStreams = 0, m_peakServerLayers = 0, m_peakHolderUploads = 0;
    // --tracker drover: the addresses the simulated peers serve from, and Drover's answers
    std::map<uint32_t, int> m_byLeased;
    long long m_sourceRequests = 0, m_offAnswers = 0, m_waitsOverruled = 0;
    std::vector<long long> m_peerPerSecond;
    std::vector<double> m_peerMbit; // each layer download from a peer: bytes over its time
    std::vector<int> m_cpuPerSecond; // the simulator's CPU each second, in % of one core
    bool m_trace = std::getenv("DROVER_STORM_TRACE") != nullptr; // every answer on stderr
};

void Storm::watch(int fd, uint32_t events, int machine, int kind)
{
    epoll_event ev {};
    ev.events = events;
    ev.data.u64 = (uint64_t(uint32_t(machine)) << 8) | uint64_t(kind);
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST)
        epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev);
}

void Storm::arm(Machine &m, double seconds)
{
    m.timerGen++;
    m_timers.push(
        Timer { Clock::now() + Ms(long(seconds * 1000)), m.index - m_o.first, m.timerGen, TimerKind::Machine });
}

void Storm::enter(Machine &m, Phase p, int statToClose)
{
    const auto now = Clock::now();
    if (statToClose >= 0)
        m.stat[statToClose] = std::chrono::duration<double, std::milli>(now - m.phaseStart).count();
    m.phaseStart = now;
    m.phase = p;
    m.tries = 0;
}

void Storm::fail(Machine &m, const std::string &why)
{
    if (m.phase == Phase::Failed || m.phase == Phase::Ready)
        return;
    m.phase = Phase::Failed;
    m.timerGen++;
    closeTcp(m);
    release(m);
    if (m.udp >= 0) {
        close(m.udp);
        m.udp = -1;
    }
    m_failures[why]++;
    m_done++;
}

void Storm::powerOn(Machine &m)
{
    m.powerOn = Clock::now();
    enter(m, Phase::Dhcp1, -1);
    m.xid = uint32_t(m_rng());
    m_byXid[m.xid] = m.index - m_o.first;
    sendDhcp(m);
}

// Sends the packet the machine's state calls for and arms the retransmission timer: PXE
// firmware's 4, 8, 16, 32 s (iPXE's own DHCP backs off the same way, from shorter waits).
void Storm::sendDhcp(Machine &m)
{
    static const double kBackoff[] = { 4, 8, 16, 32 };
    if (m.tries >= 4) {
        m_dhcpExhausted++;
        fail(m, m.phase == Phase::Dhcp1 ? "dhcp retries exhausted" : "ipxe dhcp retries exhausted");
        return;
    }
    if (m.tries > 0)
        m_dhcpRetries++;
    const bool ipxe = m.phase == Phase::Dhcp2;
    const auto p = m.requesting ? dhcpPacket(kRequest, m.xid, m.mac, m.index, ipxe, m.leased, m.dhcpServer, 0)
                                : dhcpPacket(kDiscover, m.xid, m.mac, m.index, ipxe, 0, 0, 0);
    sockaddr_in to {};
    to.sin_family = AF_INET;
    to.sin_port = htons(67);
    to.sin_addr.s_addr = INADDR_BROADCAST;
    sendto(m_dhcp, p.data(), p.size(), 0, reinterpret_cast<sockaddr *>(&to), sizeof to);
    arm(m, kBackoff[m.tries]);
    m.tries++;
}

void Storm::onDhcp(const uint8_t *p, size_t n)
{
    const auto r = parseDhcp(p, n);
    if (!r)
        return;
    const auto it = m_byXid.find(r->xid);
    if (it == m_byXid.end())
        return;
    Machine &m = m_m[size_t(it->second)];
    if (std::memcmp(p + 28, m.mac, 6) != 0)
        return;
    if (m.phase != Phase::Dhcp1 && m.phase != Phase::Dhcp2)
        return;
    const bool ipxe = m.phase == Phase::Dhcp2;
    if (r->type == kOffer && !m.requesting) {
        // An address offer (the lab's DHCP server, or Drover in full mode) and the boot
        // information (the same offer in full mode; a ProxyDHCP offer without an address).
        if (r->yiaddr) {
            m.sawAddressOffer = true;
            m.leased = r->yiaddr;
            m.dhcpServer = r->serverId;
        }
        if (!r->file.empty()) {
            m.sawBootOffer = true;
            m.bootServer = r->siaddr ? r->siaddr : r->serverId;
            (ipxe ? m.scriptUrl : m.bootFile) = r->file;
        }
        if (m.sawAddressOffer && (m.sawBootOffer || !m_o.proxy)) {
            m.requesting = true;
            m.tries = 0;
            sendDhcp(m);
        }
        return;
    }
    if (r->type == kNak && m.requesting) {
        m.requesting = m.sawAddressOffer = m.sawBootOffer = false;
        m.tries = 0;
        sendDhcp(m);
        return;
    }
    if (r->type != kAck || !m.requesting || r->yiaddr != m.leased)
        return;
    if (!m_o.proxy && !r->file.empty()) {
        (ipxe ? m.scriptUrl : m.bootFile) = r->file;
        m.bootServer = r->siaddr ? r->siaddr : r->serverId;
    }
    m.requesting = m.sawAddressOffer = m.sawBootOffer = false;
    m.timerGen++;
    if (ipxe) {
        if (m.scriptUrl.rfind("http://", 0) != 0)
            return fail(m, "ipxe got no script URL");
        return startHttp(m);
    }
    if (m.bootFile.empty() && !m_o.proxy)
        return fail(m, "no boot file in the ack");
    if (m_o.proxy) {
        enter(m, Phase::Proxy4011, -1);
        return sendProxyRequest(m);
    }
    enter(m, Phase::Tftp, kDhcp);
    startTftp(m);
}

// The machine's UDP socket on its leased address (port 4011 and TFTP), once.
void Storm::openUdp(Machine &m)
{
    if (m.udp >= 0)
        return;
    m.udp = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in self {};
    self.sin_family = AF_INET;
    self.sin_addr.s_addr = m.leased;
    if (m.udp < 0 || bind(m.udp, reinterpret_cast<sockaddr *>(&self), sizeof self) != 0)
        die(std::string("cannot bind a UDP socket to the leased address: ") + std::strerror(errno));
    watch(m.udp, EPOLLIN, m.index - m_o.first, 1);
}

// Proxy mode: the firmware, its address acknowledged by the lab's server, asks the boot
// server for its boot file on port 4011 from that address.
void Storm::sendProxyRequest(Machine &m)
{
    static const double kBackoff[] = { 4, 8, 16, 32 };
    if (m.tries >= 4) {
        m_dhcpExhausted++;
        return fail(m, "proxy 4011 retries exhausted");
    }
    if (m.tries > 0)
        m_dhcpRetries++;
    openUdp(m);
    const auto p = dhcpPacket(kRequest, m.xid, m.mac, m.index, false, 0, 0, m.leased);
    sockaddr_in to {};
    to.sin_family = AF_INET;
    to.sin_port = htons(4011);
    to.sin_addr.s_addr = m.bootServer ? m.bootServer : m_serverIp;
    sendto(m.udp, p.data(), p.size(), 0, reinterpret_cast<sockaddr *>(&to), sizeof to);
    arm(m, kBackoff[m.tries]);
    m.tries++;
}

void Storm::startTftp(Machine &m)
{
    openUdp(m);
    const std::string file = m.bootFile.empty() ? m_o.bootFile : m.bootFile;
    std::string rrq("\0\1", 2);
    rrq += file + '\0' + "octet" + '\0' + "tsize" + '\0' + "0" + '\0' + "blksize" + '\0' + "1432" + '\0';
    m.lastSent.assign(rrq.begin(), rrq.end());
    m.tftpPeer = {};
    m.tftpPeer.sin_family = AF_INET;
    m.tftpPeer.sin_port = htons(69);
    m.tftpPeer.sin_addr.s_addr = m.bootServer ? m.bootServer : m_serverIp;
    m.expectBlock = 1;
    m.blksize = 512;
    m.tftpBytes = 0;
    sendto(
        m.udp, m.lastSent.data(), m.lastSent.size(), 0, reinterpret_cast<sockaddr *>(&m.tftpPeer), sizeof m.tftpPeer);
    m.tries = 1;
    arm(m, 1);
}

void Storm::onTftp(Machine &m)
{
    uint8_t buf[65536];
    for (;;) {
        sockaddr_in from {};
        socklen_t fl = sizeof from;
        const ssize_t n = recvfrom(m.udp, buf, sizeof buf, 0, reinterpret_cast<sockaddr *>(&from), &fl);
        if (n < 0)
            return;
        if (m.phase == Phase::Proxy4011) {
            const auto r = parseDhcp(buf, size_t(n));
            if (!r || r->xid != m.xid || r->type != kAck)
                continue;
            if (!r->file.empty())
                m.bootFile = r->file;
            if (r->siaddr)
                m.bootServer = r->siaddr;
            m.timerGen++;
            enter(m, Phase::Tftp, -1);
            m.stat[kDhcp] = std::chrono::duration<double, std::milli>(Clock::now() - m.powerOn).count();
            startTftp(m);
            return;
        }
        if (m.phase != Phase::Tftp || n < 4)
            continue;
        const int op = (buf[0] << 8) | buf[1];
        if (m.expectBlock == 1 && m.tftpBytes == 0)
            m.tftpPeer.sin_port = from.sin_port; // the server's transfer port (its TID)
        else if (from.sin_port != m.tftpPeer.sin_port)
            continue;
        std::vector<uint8_t> ack = { 0, 4, 0, 0 };
        if (op == 6) { // OACK: the options it took
            for (ssize_t i = 2; i < n;) {
                const char *k = reinterpret_cast<const char *>(buf + i);
                const size_t kl = strnlen(k, size_t(n - i));
                const char *v = k + kl + 1;
                if (v >= reinterpret_cast<const char *>(buf + n))
                    break;
                const size_t vl = strnlen(v, size_t(reinterpret_cast<const char *>(buf + n) - v));
                if (strcasecmp(k, "blksize") == 0)
                    m.blksize = std::atoi(v);
                i += ssize_t(kl + vl + 2);
            }
        } else if (op == 3) {
            const uint16_t block = uint16_t((buf[2] << 8) | buf[3]);
            if (block != m.expectBlock) {
                // A duplicate: acknowledge it again, as clients do (the server resends).
                if (uint16_t(block + 1) == m.expectBlock) {
                    ack[2] = buf[2], ack[3] = buf[3];
                    sendto(m.udp, ack.data(), 4, 0, reinterpret_cast<sockaddr *>(&m.tftpPeer), sizeof m.tftpPeer);
                }
                continue;
            }
            const long payload = long(n) - 4;
            m.tftpBytes += payload;
            m_bytes += payload;
            ack[2] = buf[2], ack[3] = buf[3];
            m.expectBlock++;
            if (payload < m.blksize) {
                sendto(m.udp, ack.data(), 4, 0, reinterpret_cast<sockaddr *>(&m.tftpPeer), sizeof m.tftpPeer);
                close(m.udp);
                m.udp = -1;
                m.timerGen++;
                enter(m, Phase::Dhcp2, kTftp);
                startDhcp2(m);
                return;
            }
        } else if (op == 5) {
            return fail(m, "tftp error from the server");
        } else {
            continue;
        }
        m.lastSent = ack;
        sendto(m.udp, ack.data(), 4, 0, reinterpret_cast<sockaddr *>(&m.tftpPeer), sizeof m.tftpPeer);
        m.tries = 1;
        arm(m, 1);
    }
}

void Storm::startDhcp2(Machine &m)
{
    m.xid = uint32_t(m_rng());
    m_byXid[m.xid] = m.index - m_o.first;
    m.requesting = m.sawAddressOffer = m.sawBootOffer = false;
    m.scriptUrl.clear();
    sendDhcp(m);
}

void Storm::startHttp(Machine &m)
{
    enter(m, Phase::Script, kDhcp2);
    // http://host:port/path
    const std::string &u = m.scriptUrl;
    const size_t slash = u.find('/', 7);
    m.serverBase = u.substr(0, slash);
    m.steps = { HttpStep { slash == std::string::npos ? "/" : u.substr(slash), HttpStep::Kind::ChainScript, true } };
    m.step = 0;
    m.tokensAt = Clock::now();
    m.tokens = 0;
    openConnection(m);
}

void Storm::closeTcp(Machine &m)
{
    if (m.tcp >= 0) {
        close(m.tcp);
        m.tcp = -1;
    }
    m.connected = false;
}

// ----------------------------------------------------------------------------- peer mode

// Starts the current step's request; a layer in peer mode first gets a source from the
// tracker, or waits for one (Drover's tracker: the /layer-source step before it did).
void Storm::beginStep(Machine &m)
{
    const HttpStep &s = m.steps[m.step];
    if (!s.peerable || m_o.peers == 0) {
        if (s.kind == HttpStep::Kind::LayerSource) {
            m_sourceRequests++;
            m.layerAsks++;
            if (!m.asking) {
                m.asking = true;
                m.askSince = Clock::now();
            }
        }
        m.source = -1;
        return openConnection(m);
    }
    const int source = m_o.droverTracker ? m.pick : chooseSource(s.path);
    if (source == -2) {
        closeTcp(m);
        m.tcp = -3;
        m.timerGen++;
        m.waitSince = Clock::now();
        m_waiting.push_back(m.index - m_o.first);
        m_waits++;
        return;
    }
    m.source = source;
    m.assigned = true;
    if (source >= 0) {
        m_peakHolderUploads = std::max(m_peakHolderUploads, ++m_m[size_t(source)].uploadsAssigned);
        m_peerLayers++;
    } else {
        m_peakServerLayers = std::max(m_peakServerLayers, ++m_serverLayers);
        m_serverLayerCount++;
    }
    int streams = 0;
    for (const Machine &h : m_m)
        streams += h.uploadsAssigned;
    m_peakPeerStreams = std::max(m_peakPeerStreams, streams);
    m.fetchSince = Clock::now();
    openConnection(m);
}

// The design's tracker (docs/peer-download.md, "Choosing"), which Drover does not have yet:
// up to two holders of the blob with a free upload slot would be named, then the server; the
// machine takes the first, so only that one is chosen here (the second matters when the
// first fails, which no simulated peer does). Holders are taken least busy first, then in the
// order they got the blob. -1: the server; -2: nothing free, wait.
int Storm::chooseSource(const std::string &blob) const
{
    int best = -1;
    if (const auto it = m_holders.find(blob); it != m_holders.end()) {
        for (int h : it->second) {
            const int busy = m_m[size_t(h)].uploadsAssigned;
            if (busy < m_o.peers && (best < 0 || busy < m_m[size_t(best)].uploadsAssigned))
                best = h;
        }
    }
    if (best >= 0)
        return best;
    if (m_o.serverSlots > 0 && m_serverLayers >= m_o.serverSlots)
        return -2;
    return -1;
}

// The tracker counts an assignment until the downloader has the blob or gives up on that
// source (the design: until the `fetched` report, or a timeout).
void Storm::release(Machine &m)
{
    if (!m.assigned)
        return;
    m.assigned = false;
    if (m.source >= 0)
        m_m[size_t(m.source)].uploadsAssigned--;
    else
        m_serverLayers--;
    m.source = -1;
    dispatchWaiting();
}

// Machines waiting for a source, first come first served, each as soon as one is free.
void Storm::dispatchWaiting()
{
    if (m_dispatching) {
        m_dispatchAgain = true;
        return;
    }
    m_dispatching = true;
    do {
        m_dispatchAgain = false;
        for (size_t n = m_waiting.size(); n > 0; --n) {
            const int i = m_waiting.front();
            m_waiting.pop_front();
            Machine &w = m_m[size_t(i)];
            if (w.tcp != -3 || w.phase != Phase::Blobs)
                continue;
            if (chooseSource(w.steps[w.step].path) == -2) {
                m_waiting.push_back(i);
                continue;
            }
            w.tcp = -1;
            w.waitMs += std::chrono::duration<double, std::milli>(Clock::now() - w.waitSince).count();
            beginStep(w);
        }
    } while (m_dispatchAgain);
    m_dispatching = false;
}

// The machine holds the blob: it listens on its leased address (once) and the tracker may
// name it.
void Storm::hold(Machine &m, const std::string &blob)
{
    const int self = m.index - m_o.first;
    if (m.listenFd < 0) {
        m.listenFd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        const int one = 1;
        setsockopt(m.listenFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in self4 {};
        self4.sin_family = AF_INET;
        self4.sin_addr.s_addr = m.leased;
        self4.sin_port = htons(uint16_t(m_o.peerPort));
        if (m.listenFd < 0 || bind(m.listenFd, reinterpret_cast<sockaddr *>(&self4), sizeof self4) != 0
            || listen(m.listenFd, 64) != 0)
            die(std::string("cannot listen on the leased address: ") + std::strerror(errno));
        watch(m.listenFd, EPOLLIN, self, 3);
        char ip[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &m.leased, ip, sizeof ip);
        m.peerBase = "http://" + std::string(ip) + ":" + std::to_string(m_o.peerPort);
        m_byLeased[m.leased] = self;
    }
    auto &holders = m_holders[blob];
    if (std::find(holders.begin(), holders.end(), self) == holders.end())
        holders.push_back(self);
}

std::string Storm::peerAddress(int holder) const
{
    const std::string &base = m_m[size_t(holder)].peerBase;
    return base.substr(7, base.rfind(':') - 7);
}

// Drover's answer to /layer-source (core/boot/http/peerroutes.cpp): false when the machine
// must ask again (a wait, now armed) or has failed.
bool Storm::takeLayerSource(Machine &m)
{
    const std::string line = m.body.substr(0, m.body.find('\n'));
    // The layer this answer is for is the next step; a source named is a source no longer waited for.
    const std::string &layer = m.steps[m.step + 1].path;
    if (line.rfind("wait ", 0) == 0) {
        m_waits++;
        // The init sleeps at most 5 s at once, and overrules a tracker that has kept the layer
        // waiting 120 s in all (DROVER_PEER_WAIT): then Drover's copy.
        const int ms = std::clamp(std::atoi(line.c_str() + 5), 1, 5000);
        m.layerWaitedMs += ms;
        if (m.layerWaitedMs >= 120'000) {
            m_waitsOverruled++;
            m.pick = -1;
        } else {
            closeTcp(m);
            m.tcp = -2; // as a retry: the timer begins the same step again
            m.timerGen++;
            m_timers.push(Timer { Clock::now() + Ms(ms), m.index - m_o.first, m.timerGen, TimerKind::Machine });
            return false;
        }
    } else if (line == "server") {
        m.pick = -1;
    } else if (line.rfind("peer ", 0) == 0) {
        const size_t sp = line.find(' ', 5);
        const std::string addr = line.substr(5, sp == std::string::npos ? sp : sp - 5);
        const int port = sp == std::string::npos ? 0 : std::atoi(line.c_str() + sp + 1);
        uint32_t ip = 0;
        const auto at = inet_pton(AF_INET, addr.c_str(), &ip) == 1 ? m_byLeased.find(ip) : m_byLeased.end();
        const auto held = m_holders.find(layer);
        const bool serves = at != m_byLeased.end() && port == m_o.peerPort && at->second != m.index - m_o.first
            && held != m_holders.end()
            && std::find(held->second.begin(), held->second.end(), at->second) != held->second.end();
        if (!serves) {
            fail(
                m, "tracker named " + addr + " port " + std::to_string(port) + ", not a simulated holder of the layer");
            return false;
        }
        m.pick = at->second;
    } else {
        fail(m, "tracker answer not understood: " + line.substr(0, 40));
        return false;
    }
    m.asking = false;
    m.waitMs += std::chrono::duration<double, std::milli>(Clock::now() - m.askSince).count();
    return true;
}

void Storm::acceptPeers(int holder)
{
    Machine &h = m_m[size_t(holder)];
    for (;;) {
        const int fd = accept4(h.listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        const int id = int(m_uploads.size());
        Upload u;
        u.fd = fd;
        u.holder = holder;
        m_uploads.push_back(std::move(u));
        h.uploads.push_back(id);
        watch(fd, EPOLLIN | EPOLLRDHUP, id, 4);
    }
}

// What busybox httpd does for a file of the holder's: GET with an optional Range of the form
// `bytes=N-` (all the init's wget -c sends), 200 or 206, the length, then the bytes and close.
void Storm::onUpload(int id, uint32_t events)
{
    Upload &u = m_uploads[size_t(id)];
    if (u.fd < 0)
        return;
    if (!u.sending) {
        char buf[4096];
        const ssize_t n = recv(u.fd, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
            return endUpload(id);
        if (n > 0)
            u.request.append(buf, size_t(n));
        const size_t end = u.request.find("\r\n\r\n");
        if (end == std::string::npos) {
            if (u.request.size() > 8192)
                endUpload(id);
            return;
        }
        const size_t sp = u.request.find(' ');
        std::string path = u.request.substr(sp + 1, u.request.find(' ', sp + 1) - sp - 1);
        // The init asks a peer for /<64 hex> (the spec's busybox httpd directory); the
        // simulator's own tracker sends the server's path.
        if (path.size() == 65 && path.find_first_not_of("0123456789abcdef", 1) == std::string::npos)
            path = "/blobs/sha256:" + path.substr(1);
        std::string lower = u.request.substr(0, end);
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        long long from = 0;
        if (const size_t r = lower.find("\r\nrange: bytes="); r != std::string::npos)
            from = std::atoll(lower.c_str() + r + 15);
        const auto held = m_holders.find(path);
        const auto size = m_blobSize.find(path);
        const bool has = held != m_holders.end() && size != m_blobSize.end()
            && std::find(held->second.begin(), held->second.end(), u.holder) != held->second.end();
        if (!has || from >= size->second) {
            u.header = has ? "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                           : "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            u.off = u.end = 0;
        } else {
            u.header = from > 0 ? "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " + std::to_string(from) + "-"
                    + std::to_string(size->second - 1) + "/" + std::to_string(size->second) + "\r\n"
                                : std::string("HTTP/1.1 200 OK\r\n");
            u.header += "Content-Length: " + std::to_string(size->second - from) + "\r\nConnection: close\r\n\r\n";
            u.off = off_t(from);
            u.end = off_t(size->second);
        }
        u.sending = true;
        // Shaped, the sending is paced by the holder's timer and EPOLLOUT is asked for only when
        // a socket's buffer is full; unshaped, every EPOLLOUT sends.
        watch(u.fd, m_o.clientMbit > 0 ? EPOLLRDHUP : EPOLLOUT | EPOLLRDHUP, id, 4);
        return pumpHolder(u.holder);
    }
    if (events & (EPOLLERR | EPOLLHUP | EPOLLRDHUP))
        return endUpload(id); // the downloader is gone: done, or given up
    if (u.blocked) {
        u.blocked = false;
        watch(u.fd, m_o.clientMbit > 0 ? EPOLLRDHUP : EPOLLOUT | EPOLLRDHUP, id, 4);
    }
    pumpHolder(u.holder);
}

// The holder's link, sending: its uploads share a token bucket at the machine's rate (sized as
// the reading one), served in turn; a timer sends again once half the bucket is back.
void Storm::pumpHolder(int holder)
{
    Machine &h = m_m[size_t(holder)];
    const bool shaped = m_o.clientMbit > 0;
    const double rate = m_o.clientMbit * 1e6 / 8;
    const double cap = linkBurst(rate);
    const auto now = Clock::now();
    if (shaped) {
        h.upTokens = std::min(cap, h.upTokens + rate * std::chrono::duration<double>(now - h.upTokensAt).count());
        h.upTokensAt = now;
    }
    std::vector<int> ready;
    for (size_t k = 0; k < h.uploads.size(); ++k) {
        const int id = h.uploads[(h.upNext + k) % h.uploads.size()];
        if (m_uploads[size_t(id)].sending && !m_uploads[size_t(id)].blocked)
            ready.push_back(id);
    }
    h.upNext++;
    bool more = false;
    for (size_t k = 0; k < ready.size(); ++k) {
        Upload &u = m_uploads[size_t(ready[k])];
        if (u.headerSent < u.header.size()) {
            const ssize_t n = send(u.fd, u.header.data() + u.headerSent, u.header.size() - u.headerSent, MSG_NOSIGNAL);
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                u.blocked = true;
                watch(u.fd, EPOLLOUT | EPOLLRDHUP, ready[k], 4);
                continue;
            }
            if (n < 0) {
                endUpload(ready[k]);
                continue;
            }
            u.headerSent += size_t(n);
            if (u.headerSent < u.header.size()) {
                more = true;
                continue;
            }
        }
        if (u.off >= u.end) {
            endUpload(ready[k]); // close after the body, as busybox httpd does
            continue;
        }
        size_t want = size_t(1) << 20;
        if (shaped) {
            if (h.upTokens < 1460) {
                more = true;
                break;
            }
            want = size_t(h.upTokens / kWirePerPayload / double(ready.size() - k));
        }
        want = std::min(want, size_t(u.end - u.off));
        const ssize_t n = sendfile(u.fd, m_blobFd, &u.off, want);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            u.blocked = true;
            watch(u.fd, EPOLLOUT | EPOLLRDHUP, ready[k], 4);
            continue;
        }
        if (n <= 0) {
            endUpload(ready[k]);
            continue;
        }
        if (shaped)
            h.upTokens -= double(n) * kWirePerPayload;
        if (u.off >= u.end)
            endUpload(ready[k]);
        else
            more = true;
    }
    if (shaped && more) {
        h.upGen++;
        const double wait = std::max(0.0, (cap / 2 - h.upTokens) / rate);
        m_timers.push(
            Timer { now + std::chrono::microseconds(long(wait * 1e6)), holder, h.upGen, TimerKind::UploadPump });
    }
}

void Storm::endUpload(int id)
{
    Upload &u = m_uploads[size_t(id)];
    if (u.fd < 0)
        return;
    close(u.fd);
    u.fd = -1;
    u.sending = false;
    auto &list = m_m[size_t(u.holder)].uploads;
    list.erase(std::remove(list.begin(), list.end(), id), list.end());
}

// Every holder sends the same bytes (nothing here hashes them): one memory file, sent with
// sendfile, so that neither side copies them through the simulator.
void Storm::ensureBlobBytes(long long size)
{
    if (size <= m_blobFdSize)
        return;
    if (m_blobFd < 0)
        m_blobFd = memfd_create("drover-storm-blob", MFD_CLOEXEC);
    std::vector<char> chunk(1 << 20, char(0xa5));
    if (m_blobFd < 0 || lseek(m_blobFd, m_blobFdSize, SEEK_SET) < 0)
        die(std::string("cannot make the peers' blob: ") + std::strerror(errno));
    for (long long left = size - m_blobFdSize; left > 0;) {
        const ssize_t n
            = write(m_blobFd, chunk.data(), size_t(std::min<long long>(left, static_cast<long long>(chunk.size()))));
        if (n <= 0)
            die(std::string("cannot make the peers' blob: ") + std::strerror(errno));
        left -= n;
    }
    m_blobFdSize = size;
}

void Storm::openConnection(Machine &m)
{
    closeTcp(m);
    m.tcp = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    // A small receive buffer: what the machine has not read yet stays on the server's side of
    // the link (and 500 machines' buffers stay small).
    const int rcv = 256 * 1024;
    setsockopt(m.tcp, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    sockaddr_in self {};
    self.sin_family = AF_INET;
    self.sin_addr.s_addr = m.leased;
    if (bind(m.tcp, reinterpret_cast<sockaddr *>(&self), sizeof self) != 0)
        die(std::string("cannot bind a TCP socket to the leased address: ") + std::strerror(errno));
    const std::string hostPort = (m.source >= 0 ? m_m[size_t(m.source)].peerBase : m.serverBase).substr(7);
    const size_t colon = hostPort.find(':');
    sockaddr_in to {};
    to.sin_family = AF_INET;
    to.sin_port = htons(uint16_t(colon == std::string::npos ? 80 : std::atoi(hostPort.c_str() + colon + 1)));
    inet_pton(AF_INET, hostPort.substr(0, colon).c_str(), &to.sin_addr);
    if (connect(m.tcp, reinterpret_cast<sockaddr *>(&to), sizeof to) != 0 && errno != EINPROGRESS)
        return httpFailed(m, "connect");
    watch(m.tcp, EPOLLOUT | EPOLLIN | EPOLLRDHUP, m.index - m_o.first, 2);
    m.throttled = false;
    sendRequest(m);
}

void Storm::sendRequest(Machine &m)
{
    const HttpStep &s = m.steps[m.step];
    // /blobs/sha256:HEX from the server; /HEX from a peer that Drover named, as the init asks it.
    const bool peerPath = m.source >= 0 && m_o.droverTracker && s.path.rfind("/blobs/sha256:", 0) == 0;
    m.out = "GET " + (peerPath ? "/" + s.path.substr(14) : s.path)
        + " HTTP/1.1\r\nHost: " + (m.source >= 0 ? m_m[size_t(m.source)].peerBase : m.serverBase).substr(7) + "\r\n";
    m.out += s.keepAlive ? "User-Agent: iPXE/1.21.1\r\nConnection: keep-alive\r\n"
                         : "User-Agent: Wget\r\nConnection: close\r\n";
    if (m.resumeFrom > 0)
        m.out += "Range: bytes=" + std::to_string(m.resumeFrom) + "-\r\n";
    m.out += "\r\n";
    m.outSent = 0;
    m.head.clear();
    m.body.clear();
    m.bodyLeft = -1;
    m.bodyGot = 0;
    m.status = 0;
    m.chunkedOrClose = false;
    // busybox wget -T 20: 20 s without a byte, not 20 s for the whole answer (iPXE waits longer).
    m.lastProgress = Clock::now();
    arm(m, 20);
    if (m.connected) {
        const ssize_t n = send(m.tcp, m.out.data(), m.out.size(), MSG_NOSIGNAL);
        if (n > 0)
            m.outSent = size_t(n);
    }
}

void Storm::onTcp(Machine &m, uint32_t events)
{
    if (m.tcp < 0)
        return;
    if (!m.connected && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        int err = 0;
        socklen_t el = sizeof err;
        getsockopt(m.tcp, SOL_SOCKET, SO_ERROR, &err, &el);
        if (err != 0)
            return httpFailed(m, "connect refused or reset");
        m.connected = true;
    }
    if (m.connected && m.outSent < m.out.size()) {
        const ssize_t n = send(m.tcp, m.out.data() + m.outSent, m.out.size() - m.outSent, MSG_NOSIGNAL);
        if (n > 0)
            m.outSent += size_t(n);
        if (m.outSent == m.out.size())
            watch(m.tcp, EPOLLIN | EPOLLRDHUP, m.index - m_o.first, 2);
    }
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        readTcp(m);
}

void Storm::readTcp(Machine &m)
{
    char buf[65536];
    while (m.tcp >= 0 && !m.throttled) {
        // A blob's body is only counted: the kernel drops it without copying it out (MSG_TRUNC),
        // which keeps the simulator's CPU off the path when peers send at line rate.
        const bool discard = (m.bodyLeft > 0 || m.chunkedOrClose) && m.steps[m.step].kind == HttpStep::Kind::Blob;
        size_t want = discard ? size_t(m.bodyLeft > 0 ? std::min(m.bodyLeft, 262144LL) : 262144) : sizeof buf;
        if (m_o.clientMbit > 0) {
            // The machine's link: a token bucket refilled at its rate; a throttled machine reads
            // again once half the bucket is back.
            const auto now = Clock::now();
            const double rate = m_o.clientMbit * 1e6 / 8;
            const double cap = linkBurst(rate);
            m.tokens = std::min(cap, m.tokens + rate * std::chrono::duration<double>(now - m.tokensAt).count());
            m.tokensAt = now;
            if (m.tokens < 1460) {
                m.throttled = true;
                watch(m.tcp, 0, m.index - m_o.first, 2);
                m.throttleGen++;
                m_timers.push(Timer { now + std::chrono::microseconds(long((cap / 2 - m.tokens) / rate * 1e6)),
                    m.index - m_o.first, m.throttleGen, TimerKind::ReadThrottle });
                return;
            }
            want = std::min(want, size_t(m.tokens));
        }
        const ssize_t n = recv(m.tcp, buf, want, discard ? MSG_TRUNC : 0);
        if (n == 0) {
            // Closed by the server: the end of a body read to the close, else an interruption.
            if (m.status != 0 && m.chunkedOrClose)
                return finishResponse(m);
            return httpFailed(m, "connection closed early");
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            return httpFailed(m, "connection reset");
        }
        m_bytes += n;
        if (m.source >= 0)
            m_peerBytes += n;
        m.lastProgress = Clock::now();
        if (m_o.clientMbit > 0)
            m.tokens -= double(n);
        long long blobBytes = 0;
        if (m.bodyLeft < 0 && !m.chunkedOrClose) {
            m.head.append(buf, size_t(n));
            const size_t end = m.head.find("\r\n\r\n");
            if (end == std::string::npos) {
                if (m.head.size() > 65536)
                    return httpFailed(m, "header too long");
                continue;
            }
            m.status = std::atoi(m.head.c_str() + 9);
            std::string lower = m.head.substr(0, end);
            std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
            const size_t cl = lower.find("\r\ncontent-length:");
            if (cl != std::string::npos)
                m.bodyLeft = std::atoll(lower.c_str() + cl + 17);
            else
                m.chunkedOrClose = true; // read to the close (neither server chunks these answers)
            const std::string rest = m.head.substr(end + 4);
            m.head.resize(end);
            const HttpStep::Kind kind = m.steps[m.step].kind;
            const bool keep = kind != HttpStep::Kind::Blob;
            if (keep)
                m.body += rest;
            else
                blobBytes = long(rest.size());
            m.bodyGot += long(rest.size());
            if (m.bodyLeft >= 0)
                m.bodyLeft -= long(rest.size());
        } else {
            if (m.steps[m.step].kind != HttpStep::Kind::Blob)
                m.body.append(buf, size_t(n));
            else
                blobBytes = n;
            m.bodyGot += n;
            if (m.bodyLeft >= 0)
                m.bodyLeft -= n;
        }
        (m.source >= 0 ? m_blobPeers : m_blobServer) += blobBytes;
        if (m.bodyLeft == 0)
            return finishResponse(m);
    }
}

// The value of NAME=… among a kernel command line's words.
std::string kernelArg(const std::string &line, const std::string &name)
{
    const size_t at = line.find(" " + name + "=");
    if (at == std::string::npos)
        return {};
    const size_t from = at + name.size() + 2;
    return line.substr(from, line.find_first_of(" \n", from) - from);
}

std::string urlPath(const std::string &url)
{
    const size_t slash = url.find('/', 7);
    return slash == std::string::npos ? "/" : url.substr(slash);
}

void Storm::finishResponse(Machine &m)
{
    HttpStep &s = m.steps[m.step];
    if (s.kind == HttpStep::Kind::LayerSource && m.status == 409) {
        // Peers are off for the catalog after all: the API says take the server.
        m_offAnswers++;
        m.status = 200;
        m.body = "server\n";
    }
    const bool ok = (m.status >= 200 && m.status < 300) || (s.kind == HttpStep::Kind::Config && m.status == 404);
    if (!ok) {
        if (m.status >= 400 && m.status < 500)
            return fail(
                m, "http " + std::to_string(m.status) + " for " + s.path.substr(0, s.path.find('?')).substr(0, 40));
        return httpFailed(m, "http status " + std::to_string(m.status));
    }
    if (s.kind == HttpStep::Kind::Blob && s.expectSize >= 0 && m.resumeFrom + m.bodyGot != s.expectSize)
        return fail(m, "blob size mismatch");
    if (m_trace)
        std::fprintf(stderr, "%.3f %s %d %s %lld%s\n", sinceStart(), m.macColons.c_str(), m.status, s.path.c_str(),
            m.bodyGot, m.source >= 0 ? (" from " + m_m[size_t(m.source)].peerBase).c_str() : "");
    m.resumeFrom = 0;
    m.httpTries = 0;
    if (s.peerable && m_o.peers > 0) {
        // Fetched (and, on a real machine, verified while it came): from now on a holder. The
        // slot it used is free again, and whoever waits for a source is served before this
        // machine's own next layer.
        if (m.source >= 0 && m.bodyGot > (1 << 20))
            m_peerMbit.push_back(
                double(m.bodyGot) * 8 / 1e6 / std::chrono::duration<double>(Clock::now() - m.fetchSince).count());
        hold(m, s.path);
        if (m_o.droverTracker) // the /layer-report step after it: verified, from where
            m.steps[m.step + 1].path += "&result=verified&from=" + (m.source >= 0 ? peerAddress(m.source) : "server");
        m.layerAsks = m.layerWaitedMs = 0;
        release(m);
    }
    switch (s.kind) {
    case HttpStep::Kind::ChainScript: {
        // chain --replace --autofree URL || …: fill in the settings iPXE expands.
        const size_t at = m.body.find("chain ");
        size_t u = at == std::string::npos ? std::string::npos : m.body.find("http://", at);
        if (u == std::string::npos)
            return fail(m, "chain script names no URL");
        std::string url = m.body.substr(u, m.body.find_first_of(" \n", u) - u);
        auto replace = [&url](const std::string &from, const std::string &to) {
            for (size_t p; (p = url.find(from)) != std::string::npos;)
                url.replace(p, from.size(), to);
        };
        char uuid[40];
        std::snprintf(uuid, sizeof uuid, "005a0000-0000-0000-0000-00000000%04x", m.index & 0xffff);
        replace("${mac:hexhyp}", m.macHyphens);
        replace("${uuid}", uuid);
        replace("${buildarch}", "i386");
        replace("${platform}", "pcbios");
        replace("${serial:uristring}", "");
        m.steps.push_back(HttpStep { urlPath(url), HttpStep::Kind::MachineScript, true });
        break;
    }
    case HttpStep::Kind::MachineScript: {
        const size_t k = m.body.find("\nkernel ");
        const size_t i = m.body.find("\ninitrd ");
        if (k == std::string::npos || i == std::string::npos)
            return fail(m, "script boots nothing");
        const std::string kline = m.body.substr(k, m.body.find('\n', k + 1) - k);
        const std::string iline = m.body.substr(i, m.body.find('\n', i + 1) - i);
        const size_t ku = kline.find("http://"), iu = iline.find("http://");
        if (ku == std::string::npos || iu == std::string::npos)
            return fail(m, "script boots nothing");
        if (m_o.droverTracker && kernelArg(kline, "drover.peers") != "1")
            die("--tracker drover needs Drover with peers on (drover peers on): the machine script has no "
                "drover.peers=1, so the server is not Drover, or its peers are off");
        m.manifest = kernelArg(kline, "drover.manifest");
        m.bootId = kernelArg(kline, "drover.boot");
        m.token = kernelArg(kline, "drover.token");
        const std::string server = kernelArg(kline, "drover.server");
        if (!server.empty())
            m.serverBase = server;
        m.steps.push_back(HttpStep { urlPath(kline.substr(ku, kline.find(' ', ku) - ku)), HttpStep::Kind::Blob, true });
        m.steps.push_back(
            HttpStep { urlPath(iline.substr(iu, iline.find_first_of(" \n", iu) - iu)), HttpStep::Kind::Blob, true });
        m.steps.push_back(HttpStep { "/blobs/" + m.manifest, HttpStep::Kind::Manifest, false });
        enter(m, Phase::Blobs, kScript);
        break;
    }
    case HttpStep::Kind::Manifest: {
        // "layers":[{"digest":"sha256:…","mediaType"…,"size":N,…},…]
        // The key, not the value of "format": "layers".
        size_t layers = std::string::npos;
        for (size_t at = 0; (at = m.body.find("\"layers\"", at)) != std::string::npos; ++at) {
            const size_t colon = m.body.find_first_not_of(" \t\r\n", at + 8);
            const size_t open = colon == std::string::npos ? colon : m.body.find_first_not_of(" \t\r\n", colon + 1);
            if (colon != std::string::npos && m.body[colon] == ':' && open != std::string::npos
                && m.body[open] == '[') {
                layers = open;
                break;
            }
        }
        if (layers == std::string::npos)
            return fail(m, "manifest lists no layers");
        const size_t end = m.body.find(']', layers);
        const std::string q = "mac=" + m.macColons + "&boot=" + m.bootId + "&token=" + m.token;
        for (size_t at = layers; (at = m.body.find('{', at)) < end; ++at) {
            const size_t close = m.body.find('}', at);
            const std::string obj = m.body.substr(at, close - at);
            const size_t d = obj.find("sha256:");
            const size_t z = obj.find("\"size\"");
            if (d == std::string::npos || z == std::string::npos)
                return fail(m, "manifest layer without digest or size");
            HttpStep layer { "/blobs/" + obj.substr(d, 71), HttpStep::Kind::Blob, false };
            layer.expectSize = std::atoll(obj.c_str() + obj.find(':', z) + 1);
            layer.peerable = true;
            if (m_o.peers > 0) {
                m_blobSize[layer.path] = layer.expectSize;
                ensureBlobBytes(layer.expectSize);
            }
            const std::string digest = "&digest=" + obj.substr(d, 71);
            if (m_o.droverTracker)
                m.steps.push_back(HttpStep { "/layer-source?" + q + digest, HttpStep::Kind::LayerSource, false });
            m.steps.push_back(layer);
            if (m_o.droverTracker) // result and from are added once the layer is in
                m.steps.push_back(HttpStep { "/layer-report?" + q + digest, HttpStep::Kind::LayerReport, false });
        }
        for (const char *phase : { "fetched", "verified", "mounted" })
            m.steps.push_back(HttpStep {
                "/report?" + q + "&phase=" + phase + "&digest=" + m.manifest, HttpStep::Kind::Report, false });
        m.steps.push_back(HttpStep {
            "/config/" + m.macColons + "?boot=" + m.bootId + "&token=" + m.token, HttpStep::Kind::Config, false });
        m.steps.push_back(HttpStep { "/report?" + q + "&phase=configured", HttpStep::Kind::Report, false });
        m.steps.push_back(
            HttpStep { "/report?" + q + "&phase=ready&digest=" + m.manifest, HttpStep::Kind::Report, false });
        break;
    }
    case HttpStep::Kind::LayerSource:
        if (!takeLayerSource(m))
            return;
        break;
    case HttpStep::Kind::Blob:
    case HttpStep::Kind::Config:
    case HttpStep::Kind::Report:
    case HttpStep::Kind::LayerReport:
        break;
    }
    m.step++;
    if (m.step == m.steps.size()) {
        closeTcp(m);
        m.timerGen++;
        enter(m, Phase::Ready, kReports);
        m.stat[kTotal] = std::chrono::duration<double, std::milli>(Clock::now() - m.powerOn).count();
        m_ready++;
        m_done++;
        m_lastReady = sinceStart();
        return;
    }
    if (m.phase == Phase::Blobs && m.steps[m.step].kind == HttpStep::Kind::Report)
        enter(m, Phase::Reports, kBlobs);
    nextHttp(m);
}

void Storm::nextHttp(Machine &m)
{
    const HttpStep &s = m.steps[m.step];
    std::string head = m.head;
    std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s.keepAlive && m.tcp >= 0 && !m.chunkedOrClose && head.find("connection: close") == std::string::npos)
        return sendRequest(m);
    beginStep(m);
}

// An interrupted or failed request: iPXE gives up the boot (the script's own retry loop asks
// again); the init's wget resumes with Range after 1, 2, 4, 8 s. Both modelled as the init.
void Storm::httpFailed(Machine &m, const std::string &why)
{
    closeTcp(m);
    if (m.source >= 0)
        m_peerErrors++;
    if (m.source >= 0 && m_o.droverTracker) {
        // The init's fallback (fetch_shared): report the neighbour, at once ask again (the
        // tracker sends the boot to Drover after two failed neighbours), and after five
        // questions for the layer take Drover's copy whatever the answer.
        const std::string &base = m.steps[m.step + 1].path; // /layer-report?mac=…&digest=…
        const std::string result = why.find("20 s") != std::string::npos ? "stalled" : "unreachable";
        std::vector<HttpStep> again { HttpStep {
            base + "&result=" + result + "&from=" + peerAddress(m.source), HttpStep::Kind::LayerReport, false } };
        if (m.layerAsks < 5)
            again.push_back(HttpStep { "/layer-source" + base.substr(13), HttpStep::Kind::LayerSource, false });
        release(m);
        m.pick = -1;
        m.resumeFrom = m.bodyGot = 0; // the init starts the layer afresh from the next source
        m.timerGen++;
        m.steps.insert(m.steps.begin() + long(m.step), again.begin(), again.end());
        return beginStep(m);
    }
    release(m); // the retry asks the tracker again
    if (++m.httpTries >= 5) {
        m_httpExhausted++;
        return fail(m, "http retries exhausted (" + why + ")");
    }
    m_httpRetries++;
    if (m.steps[m.step].kind == HttpStep::Kind::Blob)
        m.resumeFrom += m.bodyGot;
    m.bodyGot = 0;
    m.timerGen++;
    m_timers.push(
        Timer { Clock::now() + Ms(1000L << (m.httpTries - 1)), m.index - m_o.first, m.timerGen, TimerKind::Machine });
    m.tcp = -2; // waiting to retry
}

void Storm::timeout(Machine &m)
{
    switch (m.phase) {
    case Phase::Dhcp1:
    case Phase::Dhcp2:
        return sendDhcp(m);
    case Phase::Proxy4011:
        return sendProxyRequest(m);
    case Phase::Tftp: {
        static const double kBackoff[] = { 1, 2, 4, 8, 16 };
        if (m.tries >= 5) {
            m_tftpExhausted++;
            return fail(m, "tftp retries exhausted");
        }
        m_tftpRetries++;
        sendto(m.udp, m.lastSent.data(), m.lastSent.size(), 0, reinterpret_cast<sockaddr *>(&m.tftpPeer),
            sizeof m.tftpPeer);
        arm(m, kBackoff[m.tries]);
        m.tries++;
        return;
    }
    case Phase::Script:
    case Phase::Blobs:
    case Phase::Reports:
        if (m.tcp == -2) { // the retry's delay has passed
            m.tcp = -1;
            return beginStep(m);
        }
        if (m.tcp == -3) // waiting for a source: the tracker wakes it, not a timeout
            return;
        if (const double idle = std::chrono::duration<double>(Clock::now() - m.lastProgress).count(); idle < 20)
            return arm(m, 20 - idle); // bytes came since: the idle timeout starts again
        return httpFailed(m, "nothing received for 20 s");
    default:
        return;
    }
}

double cpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(p / 100.0 * double(v.size())))];
}

int Storm::run()
{
    if (inet_pton(AF_INET, m_o.server.c_str(), &m_serverIp) != 1)
        die("--server is not an IPv4 address");
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    m_dhcp = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1, big = 8 << 20;
    setsockopt(m_dhcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(m_dhcp, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    setsockopt(m_dhcp, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    if (setsockopt(m_dhcp, SOL_SOCKET, SO_BINDTODEVICE, m_o.iface.c_str(), socklen_t(m_o.iface.size())) != 0)
        die("cannot bind to " + m_o.iface + ": " + std::strerror(errno));
    sockaddr_in self {};
    self.sin_family = AF_INET;
    self.sin_port = htons(68);
    if (bind(m_dhcp, reinterpret_cast<sockaddr *>(&self), sizeof self) != 0)
        die(std::string("cannot bind UDP port 68: ") + std::strerror(errno));
    watch(m_dhcp, EPOLLIN, 0, 0);

    m_m.resize(size_t(m_o.machines));
    std::vector<Clock::time_point> starts;
    m_start = Clock::now();
    std::uniform_int_distribution<int> spread(0, std::max(0, m_o.spreadMs));
    for (int i = 0; i < m_o.machines; ++i) {
        Machine &m = m_m[size_t(i)];
        m.index = m_o.first + i;
        const uint8_t mac[6] = { 2, 0, 0, 0, uint8_t(m.index >> 8), uint8_t(m.index) };
        std::memcpy(m.mac, mac, 6);
        char text[18];
        std::snprintf(text, sizeof text, "02:00:00:00:%02x:%02x", mac[4], mac[5]);
        m.macColons = text;
        std::snprintf(text, sizeof text, "02-00-00-00-%02x-%02x", mac[4], mac[5]);
        m.macHyphens = text;
        starts.push_back(m_start + Ms(m_o.spreadMs > 0 ? spread(m_rng) : 0));
    }
    size_t next = 0;
    std::vector<size_t> order(m_m.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::sort(order.begin(), order.end(), [&starts](size_t a, size_t b) { return starts[a] < starts[b]; });

    const auto deadline = m_start + Ms(long(m_o.timeout * 1000));
    auto sampleAt = m_start + Ms(1000);
    long long sampledBytes = 0, sampledPeerBytes = 0;
    double sampledCpu = cpuSeconds();
    epoll_event events[256];
    while (m_done < m_o.machines) {
        auto now = Clock::now();
        while (next < order.size() && starts[order[next]] <= now)
            powerOn(m_m[order[next++]]);
        // Timers due within the next 0.2 ms run now: the link buckets hold more than that, and
        // one wake-up then serves several machines.
        while (!m_timers.empty() && m_timers.top().at <= now + std::chrono::microseconds(200)) {
            const Timer t = m_timers.top();
            m_timers.pop();
            Machine &m = m_m[size_t(t.machine)];
            if (t.kind == TimerKind::ReadThrottle) {
                if (t.gen == m.throttleGen && m.throttled && m.tcp >= 0) {
                    m.throttled = false;
                    watch(m.tcp, EPOLLIN | EPOLLRDHUP, t.machine, 2);
                    readTcp(m);
                }
            } else if (t.kind == TimerKind::UploadPump) {
                if (t.gen == m.upGen)
                    pumpHolder(t.machine);
            } else if (t.gen == m.timerGen) {
                timeout(m);
            }
        }
        while (now >= sampleAt) {
            const double cpu = cpuSeconds();
            m_cpuPerSecond.push_back(int((cpu - sampledCpu) * 100));
            sampledCpu = cpu;
            m_perSecond.push_back(m_bytes - m_peerBytes - sampledBytes);
            m_peerPerSecond.push_back(m_peerBytes - sampledPeerBytes);
            sampledBytes = m_bytes - m_peerBytes;
            sampledPeerBytes = m_peerBytes;
            sampleAt += Ms(1000);
        }
        if (now >= deadline)
            break;
        auto wake = std::min(sampleAt, deadline);
        if (!m_timers.empty())
            wake = std::min(wake, m_timers.top().at);
        if (next < order.size())
            wake = std::min(wake, starts[order[next]]);
        // To the microsecond: a wait rounded down to whole milliseconds spun on the CPU until a
        // link's bucket refilled.
        const long long ns
            = std::max<long long>(0, std::chrono::duration_cast<std::chrono::nanoseconds>(wake - now).count());
        const timespec wait { time_t(ns / 1000000000), long(ns % 1000000000) };
        const int n = epoll_pwait2(m_epoll, events, 256, &wait, nullptr);
        for (int i = 0; i < n; ++i) {
            const int kind = int(events[i].data.u64 & 0xff);
            const int index = int(events[i].data.u64 >> 8);
            if (kind == 0) {
                uint8_t buf[2048];
                for (ssize_t got; (got = recv(m_dhcp, buf, sizeof buf, 0)) > 0;)
                    onDhcp(buf, size_t(got));
            } else if (kind == 1) {
                if (m_m[size_t(index)].udp >= 0)
                    onTftp(m_m[size_t(index)]);
            } else if (kind == 2) {
                onTcp(m_m[size_t(index)], events[i].events);
            } else if (kind == 3) {
                acceptPeers(index);
            } else {
                onUpload(index, events[i].events);
            }
        }
    }
    m_perSecond.push_back(m_bytes - m_peerBytes - sampledBytes);
    m_peerPerSecond.push_back(m_peerBytes - sampledPeerBytes);
    for (Machine &m : m_m) {
        if (m.phase != Phase::Ready && m.phase != Phase::Failed) {
            static const char *const names[]
                = { "off", "dhcp", "proxy-4011", "tftp", "ipxe-dhcp", "script", "blobs", "reports", "", "" };
            m_failures[std::string("timed out in ") + names[int(m.phase)]]++;
        }
    }

    std::printf("machines=%d\nready=%d\nfailed=%d\n", m_o.machines, m_ready, m_o.machines - m_ready);
    std::printf("last_ready_s=%.2f\nbytes=%lld\n", m_lastReady, m_bytes);
    std::printf("dhcp_retries=%lld\ndhcp_exhausted=%lld\ntftp_retries=%lld\ntftp_exhausted=%lld\n", m_dhcpRetries,
        m_dhcpExhausted, m_tftpRetries, m_tftpExhausted);
    std::printf("http_retries=%lld\nhttp_exhausted=%lld\n", m_httpRetries, m_httpExhausted);
    for (int s = 0; s < kStats; ++s) {
        std::vector<double> v;
        for (const Machine &m : m_m) {
            if (m.phase == Phase::Ready)
                v.push_back(m.stat[s]);
        }
        std::printf("%s_p50_ms=%.0f\n%s_p99_ms=%.0f\n%s_max_ms=%.0f\n", kStatNames[s], percentile(v, 50), kStatNames[s],
            percentile(v, 99), kStatNames[s], percentile(v, 100));
    }
    std::string failures;
    for (const auto &[why, count] : m_failures)
        failures += (failures.empty() ? "" : "; ") + why + " ×" + std::to_string(count);
    std::printf("failures=%s\n", failures.c_str());
    auto samples = [](const std::vector<long long> &perSecond) {
        std::string text;
        for (long long b : perSecond)
            text += (text.empty() ? "" : ",") + std::to_string(long(double(b) * 8 / 1e6));
        return text;
    };
    std::printf("sample_mbit=%s\n", samples(m_perSecond).c_str());
    std::printf("peers=%d\nserver_slots=%d\n", m_o.peers, m_o.serverSlots);
    std::printf("blob_bytes_server=%lld\nblob_bytes_peers=%lld\n", m_blobServer, m_blobPeers);
    if (m_o.peers > 0) {
        std::printf("peer_sample_mbit=%s\n", samples(m_peerPerSecond).c_str());
        std::printf("layers_from_peers=%lld\nlayers_from_server=%lld\nwaits=%lld\npeer_errors=%lld\n", m_peerLayers,
            m_serverLayerCount, m_waits, m_peerErrors);
        std::printf("peak_peer_uploads=%d\npeak_server_layers=%d\npeak_holder_uploads=%d\n", m_peakPeerStreams,
            m_peakServerLayers, m_peakHolderUploads);
        // Drover's tracker: every /layer-source request, its wait answers (waits= above), 409s.
        std::printf("tracker=%s\nlayer_source_requests=%lld\nwait_answers=%lld\nlayer_source_off=%lld\n"
                    "waits_overruled=%lld\n",
            m_o.droverTracker ? "drover" : "sim", m_sourceRequests, m_o.droverTracker ? m_waits : 0, m_offAnswers,
            m_waitsOverruled);
        if (!m_peerMbit.empty())
            std::printf("peer_download_mbit_p50=%.0f\npeer_download_mbit_min=%.0f\n", percentile(m_peerMbit, 50),
                percentile(m_peerMbit, 0));
        std::vector<double> waited;
        for (const Machine &m : m_m) {
            if (m.phase == Phase::Ready)
                waited.push_back(m.waitMs);
        }
        std::printf("wait_p50_ms=%.0f\nwait_p99_ms=%.0f\nwait_max_ms=%.0f\n", percentile(waited, 50),
            percentile(waited, 99), percentile(waited, 100));
    }
    // The simulator's own CPU (user + system, which includes the loopback TCP of peer traffic
    // it sends and receives), to tell whether the simulation itself was the wall.
    std::string cpuSamples;
    for (int pct : m_cpuPerSecond)
        cpuSamples += (cpuSamples.empty() ? "" : ",") + std::to_string(pct);
    std::printf("cpu_s=%.2f\nwall_s=%.2f\ncpu_sample_pct=%s\n", cpuSeconds(), sinceStart(), cpuSamples.c_str());
    return m_ready == m_o.machines ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                die(a + " needs a value");
            return argv[++i];
        };
        if (a == "--iface")
            o.iface = value();
        else if (a == "--server")
            o.server = value();
        else if (a == "--machines")
            o.machines = std::atoi(value().c_str());
        else if (a == "--first")
            o.first = std::atoi(value().c_str());
        else if (a == "--mode")
            o.proxy = value() == "proxy";
        else if (a == "--http-port")
            o.httpPort = std::atoi(value().c_str());
        else if (a == "--client-mbit")
            o.clientMbit = std::atof(value().c_str());
        else if (a == "--timeout")
            o.timeout = std::atof(value().c_str());
        else if (a == "--spread-ms")
            o.spreadMs = std::atoi(value().c_str());
        else if (a == "--boot-file")
            o.bootFile = value();
        else if (a == "--peers")
            o.peers = std::atoi(value().c_str());
        else if (a == "--server-slots")
            o.serverSlots = std::atoi(value().c_str());
        else if (a == "--peer-port")
            o.peerPort = std::atoi(value().c_str());
        else if (a == "--tracker") {
            const std::string t = value();
            if (t != "sim" && t != "drover")
                die("--tracker is sim or drover");
            o.droverTracker = t == "drover";
        } else
            die("unknown argument " + a);
    }
    if (o.iface.empty() || o.server.empty() || o.machines < 1 || o.first < 0 || o.first + o.machines > 65536
        || o.peers < 0 || o.serverSlots < 0 || o.peerPort < 1 || o.peerPort > 65535)
        die("usage: drover-storm --iface IF --server IP [--machines N] [--first I] [--mode full|proxy] "
            "[--client-mbit M] [--timeout S] [--spread-ms MS] [--peers K [--server-slots S] [--peer-port P] "
            "[--tracker sim|drover]]");
    if (o.droverTracker && o.peers == 0)
        die("--tracker drover needs --peers K: without peers there is nothing to choose");
    return Storm(o).run();
}
