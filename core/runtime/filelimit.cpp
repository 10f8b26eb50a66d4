// setrlimit(2) on RLIMIT_NOFILE. RLIM_INFINITY as a hard limit is not a valid soft value for
// this resource on Linux; it is capped at the kernel's nr_open ceiling instead.
#include "runtime/filelimit.h"

#include <QFile>

#include <sys/resource.h>

namespace drover {

namespace {

qint64 nrOpen()
{
    QFile f(QStringLiteral("/proc/sys/fs/nr_open"));
    if (!f.open(QIODevice::ReadOnly))
        return 1 << 20;
    bool ok = false;
    const qint64 value = f.readAll().trimmed().toLongLong(&ok);
    return ok && value > 0 ? value : 1 << 20;
}

} // namespace

FileLimit raiseFileLimit()
{
    FileLimit result;
    rlimit limit {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return result;
    const qint64 hard = limit.rlim_max == RLIM_INFINITY ? nrOpen() : qint64(limit.rlim_max);
    result.before = qint64(limit.rlim_cur);
    result.hard = hard;
    result.now = result.before;
    if (result.before < hard) {
        limit.rlim_cur = rlim_t(hard);
        if (::setrlimit(RLIMIT_NOFILE, &limit) == 0)
            result.now = hard;
    }
    return result;
}

} // namespace drover
