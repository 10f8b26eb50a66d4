// The privileged build helper's side (drover-build-helper, run by pkexec): building needs
// root (mmdebstrap in root mode, loop and overlay mounts, chroot), the desktop user's window
// does not have it. The helper builds in a lab of its own under /var/cache/drover/builds/
// uid-<caller> — never in the user's data directory, where root would leave root-owned
// files (SQLite's -wal) — and hands the image over as a bundle the caller imports.
//
// The conversation, one JSON object per line:
//   caller → helper, stdin:  the request {"recipe": {...}, "fileName", "baseDir", "tag",
//                            "rebuildBase"}; later "cancel" or "imported"; EOF = both.
//   helper → caller, stdout: {"e":"started"|"progress"|"log"|"stage", …} as the Builder
//                            signals them, then {"e":"done","report":{…},"bundle":PATH}.
// The bundle is 0600, owned by the caller, in a directory only root writes; the helper
// deletes it, and the image from its own lab, once the caller says "imported" or hangs up.
#pragma once

#include "builder/builder.h"

#include <QJsonObject>
#include <QObject>

#include <memory>

class QSocketNotifier;

namespace drover {

class Lab;

namespace helperprotocol {
// The request for `recipe` (its files resolved against its baseDir by the helper).
QByteArray request(const Recipe &recipe, const BuildOptions &options);
} // namespace helperprotocol

struct BuildHelperOptions {
    uint callerUid = 0; // PKEXEC_UID: who gets the bundle
    QString workDir; // empty: /var/cache/drover/builds
};

class BuildHelper final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BuildHelper)
public:
    // Writes events to stdout (fd 1), reads the request and commands from stdin (fd 0).
    explicit BuildHelper(BuildHelperOptions options, QObject *parent = nullptr);
    ~BuildHelper() override;

    // Reads the request and starts the build; the exit code comes with finished().
    void start();

Q_SIGNALS:
    void finished(int exitCode);

private:
    void emitEvent(const QJsonObject &event);
    void fail(const QString &error);
    void buildFinished(const BuildReport &report);
    void readCommands();
    void handedOver();

    BuildHelperOptions m_options;
    std::unique_ptr<Lab> m_lab;
    Builder *m_builder = nullptr;
    QSocketNotifier *m_stdin = nullptr;
    QByteArray m_pending; // stdin bytes not yet a whole line
    QString m_bundle;
    QString m_tag;
    bool m_done = false;
    bool m_ok = false;
};

} // namespace drover
