#include "log/logthrottle.h"

namespace drover {

LogThrottle::LogThrottle(int infoPerSecond)
    : m_budget(qMax(1, infoPerSecond))
{ }

bool LogThrottle::admit(const LogEntry &entry, qint64 nowMs)
{
    if (entry.severity >= Severity::Warning)
        return true;
    const qint64 second = nowMs / 1000;
    if (second != m_second) {
        m_suppressed += m_suppressedNow;
        m_suppressedNow = 0;
        m_admitted = 0;
        m_second = second;
    }
    if (m_admitted < m_budget) {
        ++m_admitted;
        return true;
    }
    ++m_suppressedNow;
    return false;
}

int LogThrottle::takeSuppressed(qint64 nowMs)
{
    if (nowMs / 1000 != m_second) {
        m_suppressed += m_suppressedNow;
        m_suppressedNow = 0;
    }
    const int n = m_suppressed;
    m_suppressed = 0;
    return n;
}

} // namespace drover
