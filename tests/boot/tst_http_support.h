// Shared by the boot path's tests: images in a test lab's store, machines, and curl.
#pragma once

#include "catalog/records.h"
#include "store/manifest.h"
#include "util/result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace drover {
class Lab;
}

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

// A TCP port nothing listens on right now.
quint16 freeTcpPort();
quint16 freeUdpPort();

} // namespace drover::test
