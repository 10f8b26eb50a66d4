// The catalog's schema as an ordered list of migrations. Version N is reached by applying
// migrations 1..N in order; a database is never migrated down. The same SQL serves SQLite
// and PostgreSQL with two placeholders expanded per driver.
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace drover {

struct Migration {
    int version;
    QString summary;
    QStringList statements; // {{ID}}: auto-increment primary key column type
};

const QList<Migration> &catalogMigrations();

} // namespace drover
