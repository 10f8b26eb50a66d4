// FileLimit: the open-file limit (RLIMIT_NOFILE) raised to its hard limit at start. Every HTTP
// connection, TFTP transfer and streamed blob is a descriptor; at the usual soft limit of
// 1024 a few hundred idle connections would make accept(2) and open(2) fail with EMFILE and
// stop blob and TFTP serving for everyone.
#pragma once

#include <QtGlobal>

namespace drover {

struct FileLimit {
    qint64 before = 0; // the soft limit found
    qint64 now = 0; // the soft limit after raising
    qint64 hard = 0;
};

// Raises the soft limit to the hard one (idempotent; cheap). Fails silently only in the sense
// that `now` then equals `before`; the caller logs what it got.
FileLimit raiseFileLimit();

} // namespace drover
