#include "log/logbus.h"

#include <QCoreApplication>

namespace drover {

QString severityName(Severity severity)
{
    switch (severity) {
    case Severity::Debug:
        return QCoreApplication::translate("drover::LogBus", "debug");
    case Severity::Info:
        return QCoreApplication::translate("drover::LogBus", "info");
    case Severity::Warning:
        return QCoreApplication::translate("drover::LogBus", "warning");
    case Severity::Error:
        return QCoreApplication::translate("drover::LogBus", "error");
    }
    return {};
}

LogBus::LogBus(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<LogEntry>();
}

void LogBus::post(
    Severity severity, const QString &source, const QString &text, const QString &machine, const QString &phase)
{
    post(LogEntry { QDateTime::currentDateTimeUtc(), severity, source, machine, phase, text });
}

void LogBus::post(const LogEntry &entry)
{
    Q_EMIT entryPosted(entry);
}

} // namespace drover
