// Shared by the boot path's tests: images in a test lab's store, machines, and curl.
#pragma once

#include "catalog/records.h"
#include "store/manifest.h"
#include "util/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

class QObject;

namespace drover {
class HttpBootServer;
class Lab;
} // namespace drover

namespace drover::test {

struct TestImage {
    ImageRecord record;
    Manifest manifest;
    QByteArray kernel;
    QByteArray initrd;
    QByteArray layer;
};

// Publishes name:version with small, distinct kernel, initrd and layer blobs.
Result<TestImage> addTestImage(Lab *lab, const QString &name, const QString &version, const QString &kernelArgs = {});

Machine testMachine(const QString &name, const QString &mac, const QString &group = {});

struct CurlResult {
    int exitCode = -1;
    int status = 0; // HTTP status from -w %{http_code}
    QByteArray body;
    QByteArray headers; // response headers (-D)
    QByteArray stderrText;
    // The value of a response header (case-insensitive name), or null.
    QByteArray header(const QByteArray &name) const;
};

// Runs curl with `args` plus flags that capture the status, headers and body.
CurlResult curl(const QStringList &args, int timeoutMs = 20000);

// Sends `chunks` to 127.0.0.1:port, a tenth of a second apart (a body split across packets),
// and returns what the server answers until it closes or stays quiet for `waitMs`.
QByteArray rawRequest(quint16 port, const QList<QByteArray> &chunks, int waitMs = 5000);
inline QByteArray rawRequest(quint16 port, const QByteArray &bytes, int waitMs = 5000)
{
    return rawRequest(port, QList<QByteArray> { bytes }, waitMs);
}

// An HTTP boot server of `lab` on a free loopback port, with `boundMac` bound to 127.0.0.1
// as if DHCP had seen it there; null and `why` when it does not start.
HttpBootServer *startLoopbackBootServer(Lab *lab, QObject *parent, const QString &boundMac, QString *why);

// A boot the server issued: its id and token, from the machine script at `scriptUrl`
// (…/boot/MAC.ipxe). Empty, with the script in `why`, when the script names none.
struct IssuedBoot {
    QString boot;
    QString token;
};
IssuedBoot issueBoot(const QString &scriptUrl, QString *why);

// A TCP port nothing listens on right now.
quint16 freeTcpPort();
quint16 freeUdpPort();

} // namespace drover::test
