#include "catalog/sqlitebusy.h"

#include <QSqlDatabase>
#include <QSqlDriver>
#include <QVariant>

#include <dlfcn.h>
#include <time.h>

namespace drover {

namespace {

struct sqlite3; // opaque: only the driver's handle is passed back to the library
using BusyCallback = int (*)(void *, int);
using BusyHandlerFunction = int (*)(sqlite3 *, BusyCallback, void *);

// The function from the libsqlite3 Qt's driver has loaded already (RTLD_NOLOAD): no
// build-time dependency on SQLite's headers, and never a second copy of the library.
BusyHandlerFunction busyHandlerFunction()
{
    static const BusyHandlerFunction function = [] {
        void *library = ::dlopen("libsqlite3.so.0", RTLD_NOW | RTLD_NOLOAD);
        if (!library)
            return BusyHandlerFunction(nullptr);
        return reinterpret_cast<BusyHandlerFunction>(::dlsym(library, "sqlite3_busy_handler"));
    }();
    return function;
}

// SQLite calls this with the number of times it has been called for this lock; the limit
// travels in the user pointer (milliseconds, one call per millisecond slept).
int waitOneMillisecond(void *limit, int calls)
{
    if (calls >= int(reinterpret_cast<quintptr>(limit)))
        return 0;
    const timespec step { 0, 1000L * 1000L };
    ::nanosleep(&step, nullptr);
    return 1;
}

} // namespace

bool installPromptBusyHandler(const QSqlDatabase &db, int timeoutMs)
{
    if (!db.isOpen() || db.driverName() != QLatin1String("QSQLITE"))
        return false;
    const QVariant handle = db.driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return false;
    auto *connection = *static_cast<sqlite3 *const *>(handle.data());
    const BusyHandlerFunction install = busyHandlerFunction();
    if (!connection || !install)
        return false;
    // NOLINTNEXTLINE(performance-no-int-to-ptr): SQLite's user pointer carries the limit itself, no object to own
    void *limit = reinterpret_cast<void *>(quintptr(qMax(timeoutMs, 0)));
    return install(connection, &waitOneMillisecond, limit) == 0;
}

} // namespace drover
