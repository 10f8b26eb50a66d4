// drover-httpload: a small HTTP/1.1 load generator for the benchmarks (wrk is not in the
// build root). One thread, epoll, N concurrent connections, each sending GETs one after the
// other — with keep-alive, or a new connection per request as iPXE does. Prints requests/s,
// latency percentiles and throughput as key=value lines for tools/bench/http.sh.
//
//   drover-httpload --port P [--host 127.0.0.1] [--concurrency 64] [--duration S | --requests N]
//                   [--path PATH | --path-template '/boot/{mac}.ipxe' --count N] [--no-keepalive]
//                   [--rate R]
// --rate: open loop, R requests a second on schedule whatever the server does; each
// latency counts from the request's scheduled time, so a stalled server shows in the
// percentiles (no coordinated omission). Without it, every connection sends its next
// request as soon as the last is answered (closed loop: the server's saturation).
// {mac} becomes 02-00-00-xx-xx-xx for a random index below --count.
#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <random>
#include <string>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    std::string host = "127.0.0.1";
    int port = 0;
    int concurrency = 64;
    double duration = 0;
    long requests = 0;
    std::string path = "/";
    std::string pathTemplate;
    long count = 1;
    bool keepAlive = true;
    double rate = 0; // requests a second, open loop; 0: closed loop
};

struct Conn {
    int fd = -1;
    enum class State { Connecting, Sending, Reading } state = State::Connecting;
    std::string request;
    size_t sent = 0;
    std::string head;
    long long bodyLeft = -1; // -1: head not complete
    Clock::time_point started;
};

[[noreturn]] void usage(const char *why)
{
    std::fprintf(stderr, "drover-httpload: %s\n", why);
    std::exit(2);
}

std::string makePath(const Options &o, std::mt19937 &rng)
{
    if (o.pathTemplate.empty())
        return o.path;
    const long i = long(rng() % std::max(1L, o.count));
    char mac[32];
    std::snprintf(mac, sizeof mac, "02-00-00-%02lx-%02lx-%02lx", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
    std::string p = o.pathTemplate;
    if (const size_t at = p.find("{mac}"); at != std::string::npos)
        p.replace(at, 5, mac);
    return p;
}

} // namespace

int main(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc)
                usage(("missing value for " + a).c_str());
            return argv[++i];
        };
        if (a == "--host")
            o.host = next();
        else if (a == "--port")
            o.port = std::atoi(next().c_str());
        else if (a == "--concurrency")
            o.concurrency = std::atoi(next().c_str());
        else if (a == "--duration")
            o.duration = std::atof(next().c_str());
        else if (a == "--requests")
            o.requests = std::atol(next().c_str());
        else if (a == "--path")
            o.path = next();
        else if (a == "--path-template")
            o.pathTemplate = next();
        else if (a == "--count")
            o.count = std::atol(next().c_str());
        else if (a == "--rate")
            o.rate = std::atof(next().c_str());
        else if (a == "--no-keepalive")
            o.keepAlive = false;
        else
            usage(("unknown option " + a).c_str());
    }
    if (o.port <= 0 || o.concurrency <= 0 || (o.duration <= 0 && o.requests <= 0))
        usage("need --port, and --duration or --requests");

    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(o.port));
    if (inet_pton(AF_INET, o.host.c_str(), &addr.sin_addr) != 1)
        usage("--host must be an IPv4 address");

    const int ep = epoll_create1(EPOLL_CLOEXEC);
    std::vector<Conn> conns(size_t(o.concurrency));
    std::vector<double> latencies;
    latencies.reserve(1 << 20);
    std::mt19937 rng(42);
    long started = 0, done = 0, errors = 0, non2xx = 0;
    long long bytes = 0;
    const auto begin = Clock::now();
    const auto deadline = o.duration > 0
        ? begin + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration))
        : Clock::time_point::max();
    auto wantMore = [&] { return (o.requests <= 0 || started < o.requests) && Clock::now() < deadline; };

    auto arm = [&](size_t idx, uint32_t events, bool add) {
        epoll_event ev {};
        ev.events = events;
        ev.data.u64 = idx;
        epoll_ctl(ep, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, conns[idx].fd, &ev);
    };
    auto closeConn = [&](size_t idx) {
        if (conns[idx].fd >= 0) {
            epoll_ctl(ep, EPOLL_CTL_DEL, conns[idx].fd, nullptr);
            ::close(conns[idx].fd);
            conns[idx].fd = -1;
        }
    };
    std::vector<size_t> idle; // open loop: connections waiting for their next scheduled request
    auto scheduledAt = [&](long n) {
        return begin + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(double(n) / o.rate));
    };
    auto startRequest = [&](size_t idx) -> bool {
        if (!wantMore())
            return false;
        if (o.rate > 0 && Clock::now() < scheduledAt(started)) {
            idle.push_back(idx);
            return true;
        }
        Conn &c = conns[idx];
        const auto scheduled = o.rate > 0 ? scheduledAt(started) : Clock::now();
        ++started;
        c.request = "GET " + makePath(o, rng) + " HTTP/1.1\r\nHost: " + o.host + ":" + std::to_string(o.port)
            + "\r\nUser-Agent: drover-httpload\r\n" + (o.keepAlive ? "" : "Connection: close\r\n") + "\r\n";
        c.sent = 0;
        c.head.clear();
        c.bodyLeft = -1;
        c.started = scheduled;
        if (c.fd < 0) {
            c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            const int one = 1;
            ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            ::connect(c.fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
            c.state = Conn::State::Connecting;
            arm(idx, EPOLLOUT, true);
        } else {
            c.state = Conn::State::Sending;
            arm(idx, EPOLLOUT, false);
        }
        return true;
    };
    auto fail = [&](size_t idx) {
        ++errors;
        ++done;
        closeConn(idx);
        startRequest(idx);
    };

    for (size_t i = 0; i < conns.size(); ++i)
        startRequest(i);
    std::vector<char> buffer(1 << 18);
    epoll_event events[256];
    while (done < started || (o.rate > 0 && wantMore())) {
        // Open loop: start what is due on the connections that wait.
        while (o.rate > 0 && !idle.empty() && wantMore() && Clock::now() >= scheduledAt(started)) {
            const size_t idx = idle.back();
            idle.pop_back();
            startRequest(idx);
        }
        const int n = epoll_wait(ep, events, 256, o.rate > 0 ? 1 : 1000);
        for (int e = 0; e < n; ++e) {
            const size_t idx = events[e].data.u64;
            Conn &c = conns[idx];
            if (c.fd < 0)
                continue;
            if (c.state == Conn::State::Connecting) {
                int err = 0;
                socklen_t len = sizeof err;
                getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err != 0) {
                    fail(idx);
                    continue;
                }
                c.state = Conn::State::Sending;
            }
            if (c.state == Conn::State::Sending) {
                const ssize_t w = ::send(c.fd, c.request.data() + c.sent, c.request.size() - c.sent, MSG_NOSIGNAL);
                if (w < 0 && errno != EAGAIN) {
                    fail(idx);
                    continue;
                }
                if (w > 0)
                    c.sent += size_t(w);
                if (c.sent == c.request.size()) {
                    c.state = Conn::State::Reading;
                    arm(idx, EPOLLIN, false);
                }
                continue;
            }
            // Reading: the head, then Content-Length bytes of body.
            bool finished = false;
            bool broken = false;
            while (true) {
                const ssize_t r = ::recv(c.fd, buffer.data(), buffer.size(), 0);
                if (r == 0) {
                    broken = c.bodyLeft != 0;
                    break;
                }
                if (r < 0) {
                    broken = errno != EAGAIN;
                    break;
                }
                bytes += r;
                size_t used = 0;
                if (c.bodyLeft < 0) {
                    c.head.append(buffer.data(), size_t(r));
                    const size_t end = c.head.find("\r\n\r\n");
                    if (end == std::string::npos)
                        continue;
                    const int status = std::atoi(c.head.c_str() + 9);
                    if (status < 200 || status > 299)
                        ++non2xx;
                    long long length = 0;
                    std::string lower = c.head.substr(0, end);
                    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
                    if (const size_t cl = lower.find("\r\ncontent-length:"); cl != std::string::npos)
                        length = std::atoll(lower.c_str() + cl + 17);
                    const size_t bodyInHead = c.head.size() - (end + 4);
                    c.bodyLeft = length - (long long)bodyInHead;
                    used = size_t(r);
                } else {
                    c.bodyLeft -= r;
                    used = size_t(r);
                }
                (void)used;
                if (c.bodyLeft <= 0) {
                    finished = true;
                    break;
                }
            }
            if (finished) {
                latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - c.started).count());
                ++done;
                if (!o.keepAlive)
                    closeConn(idx);
                if (!startRequest(idx))
                    closeConn(idx);
            } else if (broken) {
                fail(idx);
            }
        }
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
    std::sort(latencies.begin(), latencies.end());
    auto pct = [&](double p) {
        if (latencies.empty())
            return 0.0;
        return latencies[std::min(latencies.size() - 1, size_t(p * double(latencies.size())))];
    };
    std::printf("requests=%ld\nerrors=%ld\nnon2xx=%ld\nseconds=%.3f\nrps=%.0f\np50_ms=%.3f\np90_ms=%.3f\n"
                "p99_ms=%.3f\nmax_ms=%.3f\nmbytes_per_s=%.1f\n",
        done - errors, errors, non2xx, elapsed, double(done - errors) / elapsed, pct(0.50), pct(0.90), pct(0.99),
        latencies.empty() ? 0.0 : latencies.back(), double(bytes) / elapsed / 1e6);
    return errors > 0 ? 1 : 0;
}
