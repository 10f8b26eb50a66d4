// Network namespaces for tests (netns.h).
#include "netns.h"

#include <QByteArray>
#include <QtGlobal>

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

namespace drover::test {

InNamespace::InNamespace(const QString &name)
{
    m_home = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    const int target = ::open(QByteArray("/run/netns/" + name.toLocal8Bit()).constData(), O_RDONLY | O_CLOEXEC);
    m_entered = m_home >= 0 && target >= 0 && ::setns(target, CLONE_NEWNET) == 0;
    if (target >= 0)
        ::close(target);
}

InNamespace::~InNamespace()
{
    if (m_entered && ::setns(m_home, CLONE_NEWNET) != 0)
        qFatal("cannot return to the test's own network namespace");
    if (m_home >= 0)
        ::close(m_home);
}

} // namespace drover::test
