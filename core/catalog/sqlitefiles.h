// makeSqliteFilesPrivate: a SQLite catalog holds password hashes, keys and sealed BMC
// passwords, so its file and the -wal and -shm files beside it are the owner's alone (0600).
// SQLite creates -wal and -shm with the mode of the database file, so a database made 0600
// before SQLite first opens it keeps all three private.
#pragma once

#include "util/result.h"

#include <QStringList>

namespace drover {

// Creates the database file (empty, 0600) when missing and tightens it and any -wal, -shm
// or -journal beside it to 0600. Returns a note for each file whose mode was tightened.
Result<QStringList> makeSqliteFilesPrivate(const QString &path);

// The file of a SQLite catalog URL ("sqlite:/p/catalog.sqlite" or a path); empty for
// PostgreSQL and in-memory databases.
QString sqliteCatalogPath(const QString &url);

} // namespace drover
