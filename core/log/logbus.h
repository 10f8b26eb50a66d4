// LogBus: the one place where core reports what it does. Boot steps, build steps and server
// events are published here as LogEntry values; the log view, stderr (headless) and the
// catalog's boot events subscribe. One bus per Lab, never a global.
#pragma once

#include <QDateTime>
#include <QObject>
#include <QString>

namespace drover {

enum class Severity { Debug, Info, Warning, Error };

struct LogEntry {
    QDateTime time;
    Severity severity = Severity::Info;
    QString source; // "boot", "build", "server", "catalog", "store", …
    QString machine; // machine name or MAC, empty when not about one machine
    QString phase; // boot or build phase, empty otherwise
    QString text;
    // A boot event the catalog keeps as well: a log view fed by the catalog
    // (log/catalogeventfeed.h) takes it from there, with every other Drover's.
    bool catalogEvent = false;
};

QString severityName(Severity severity);

class LogBus final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogBus)
public:
    explicit LogBus(QObject *parent = nullptr);

    // Thread-safe: may be called from worker threads; delivery is queued to subscribers.
    void post(Severity severity, const QString &source, const QString &text, const QString &machine = {},
        const QString &phase = {});
    void post(const LogEntry &entry);

Q_SIGNALS:
    void entryPosted(const drover::LogEntry &entry);
};

} // namespace drover

Q_DECLARE_METATYPE(drover::LogEntry)
