// Network namespaces for tests: the calling thread enters a named namespace (made with
// `ip netns add`) for a scope, so sockets created meanwhile live there for good.
#pragma once

#include <QString>

namespace drover::test {

class InNamespace {
public:
    explicit InNamespace(const QString &name);
    // Returns to the thread's own namespace; aborts when it cannot, since every later test
    // would run in the wrong network.
    ~InNamespace();
    InNamespace(const InNamespace &) = delete;
    InNamespace &operator=(const InNamespace &) = delete;
    bool entered() const { return m_entered; }

private:
    int m_home = -1;
    bool m_entered = false;
};

} // namespace drover::test
