// LogThrottle: how many lines a terminal or log file gets during a boot storm. Warnings and
// errors always pass; info lines pass up to a budget per second and the rest are counted,
// to be summed up in one line ("… 15,234 more"): nobody reads 15,000 lines a second, and
// writing them costs the boot server CPU it needs for the machines. The catalog keeps
// every event (`drover events`), and the window's log view batches them instead.
#pragma once

#include "log/logbus.h"

namespace drover {

class LogThrottle final {
public:
    explicit LogThrottle(int infoPerSecond = 100);

    // True if the entry should be written now.
    bool admit(const LogEntry &entry, qint64 nowMs);
    // The info lines held back in seconds that are over, reset to zero; 0 while the
    // current second is still open.
    int takeSuppressed(qint64 nowMs);

private:
    int m_budget;
    qint64 m_second = -1;
    int m_admitted = 0;
    int m_suppressed = 0; // in seconds before the current one, not yet reported
    int m_suppressedNow = 0; // in the current second
};

} // namespace drover
