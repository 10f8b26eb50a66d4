// How a SQLite connection waits for another's write lock. SQLite's own busy handler sleeps in
// growing steps (1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms…): against a writer that
// commits in a steady stream — the boot path's batches in a storm — a waiter that polls every
// 50–100 ms keeps missing the gaps and starves for hundreds of milliseconds. The boot
// server's DHCP and TFTP share the thread that waits (BENCHMARKS.md, "Boot storm"), so
// Drover waits in 1 ms steps instead, up to the same limit.
#pragma once

class QSqlDatabase;

namespace drover {

// Installs the 1 ms busy handler on an open SQLite connection, giving up after timeoutMs
// (the lock error is then the caller's, as with SQLite's own). False where it cannot: not
// SQLite, or a SQLite driver whose library is not the system's libsqlite3 (the connection
// keeps SQLite's own handler and its QSQLITE_BUSY_TIMEOUT then).
bool installPromptBusyHandler(const QSqlDatabase &db, int timeoutMs);

} // namespace drover
