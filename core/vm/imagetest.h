// ImageTest: "does this image boot?" answered by booting it — a throwaway qemu machine
// netboots the image through Drover's own boot path (an HTTP boot server of its own on
// loopback, the decision, the init, the ready report) and the test passes when the machine
// reports ready with the image, fails when it reports a failure or misses the deadline;
// either way with the time and the reason. The machine, its assignment-free row and its
// files are removed afterwards; its boot events stay in the catalog as the test's record.
#pragma once

#include "util/result.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

class QProcess;

namespace drover {

class Catalog;
class HttpBootServer;
class Lab;

struct ImageTestResult {
    bool passed = false;
    QString image;
    double seconds = 0; // power-on to the verdict
    QString reason; // the ready report, or what failed
    QString console; // the last lines of the VM's serial console
    bool verdict = true; // false: no verdict on the image (cancelled, qemu died, could not start)
    bool uefi = false; // the firmware it booted with: BIOS (SeaBIOS) or UEFI (OVMF)
};

// The latest verdict on an image, kept in the catalog by its manifest digest (setting
// imagetest/<digest>): the same bytes boot the same way, so a rollout that requires a
// passing test takes a recorded one instead of booting again. `drover image test` records
// a new verdict each time it runs.
struct ImageTestRecord {
    bool passed = false;
    double seconds = 0;
    QString reason;
    QDateTime at;
    bool uefi = false;
};
std::optional<ImageTestRecord> lastImageTest(const Catalog &catalog, const QString &image);
// Every verdict on record, by manifest digest: one query for a whole image list.
QHash<QString, ImageTestRecord> imageTestsByDigest(const Catalog &catalog);
Status recordImageTest(Catalog &catalog, const ImageTestResult &result);

class ImageTest final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImageTest)
public:
    explicit ImageTest(Lab *lab, QObject *parent = nullptr);
    ~ImageTest() override;

    // Starts the test; false (finished not emitted) with *error when it cannot start.
    bool start(const QString &image, bool uefi, int timeoutSeconds, QString *error);
    // Before start(): boot with Secure Boot on (OVMF's Secure Boot build, the signed chain);
    // an image whose kernel is not signed fails at once, saying so. Implies UEFI.
    void setSecureBoot(bool on) { m_secureBoot = on; }
    void cancel();

Q_SIGNALS:
    void progress(const QString &phase);
    void finished(const drover::ImageTestResult &result);

private:
    void poll();
    // A verdict is recorded in the catalog; cancelling or a broken VM gives none.
    void finish(bool passed, const QString &reason, bool verdict = true);
    void cleanUp();

    Lab *m_lab;
    HttpBootServer *m_http = nullptr;
    QProcess *m_vm = nullptr;
    QTimer m_poll;
    QElapsedTimer m_clock;
    QString m_image;
    QString m_machine;
    QString m_base;
    QString m_lastPhase;
    int m_timeoutSeconds = 600;
    bool m_done = false;
    bool m_uefi = false;
    bool m_secureBoot = false;
};

} // namespace drover

Q_DECLARE_METATYPE(drover::ImageTestResult)
