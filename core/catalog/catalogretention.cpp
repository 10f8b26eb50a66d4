// Boot event retention: every DHCP, TFTP and HTTP step of every boot writes a row, so the
// table is cut back by count and by age. Deletes go in small batches by id (each its own
// statement, the same SQL on SQLite and PostgreSQL), so the boot path's writers never wait
// long behind a large delete.
#include "catalog/catalog.h"

#include <QCoreApplication>
#include <QSqlError>
#include <QSqlQuery>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(Catalog)
};

} // namespace

Result<qint64> Catalog::pruneEvents(qint64 keepCount, qint64 olderThanMs, int batch, int maxBatches)
{
    using R = Result<qint64>;
    QSqlQuery q(database());
    auto fail = [&q](const QString &what) {
        return R::failure(Text::tr("catalog: cannot prune boot events (%1): %2").arg(what, q.lastError().text()));
    };
    // The newest id that goes: everything at or below it, by count. Ids only grow, so the
    // newest keepCount rows are those above it.
    qint64 countCut = -1;
    if (keepCount >= 0) {
        if (!q.prepare(QStringLiteral("SELECT id FROM boot_event ORDER BY id DESC LIMIT 1 OFFSET ?")))
            return fail(QStringLiteral("count"));
        q.addBindValue(keepCount);
        if (!q.exec())
            return fail(QStringLiteral("count"));
        if (q.next())
            countCut = q.value(0).toLongLong();
        q.finish();
    }
    qint64 deleted = 0;
    for (int i = 0; i < maxBatches; ++i) {
        // One batch: the oldest rows that are over the count or the age.
        QString where;
        QVariantList args;
        if (countCut >= 0) {
            where = QStringLiteral("id <= ?");
            args << countCut;
        }
        if (olderThanMs > 0) {
            where += (where.isEmpty() ? QString() : QStringLiteral(" OR ")) + QStringLiteral("at < ?");
            args << olderThanMs;
        }
        if (where.isEmpty())
            break;
        if (!q.prepare(QStringLiteral("DELETE FROM boot_event WHERE id IN "
                                      "(SELECT id FROM boot_event WHERE %1 ORDER BY id LIMIT %2)")
                    .arg(where)
                    .arg(qMax(1, batch))))
            return fail(QStringLiteral("delete"));
        for (const QVariant &arg : std::as_const(args))
            q.addBindValue(arg);
        if (!q.exec())
            return fail(QStringLiteral("delete"));
        const int n = q.numRowsAffected();
        q.finish();
        deleted += qMax(0, n);
        if (n < batch)
            break;
    }
    return deleted;
}

} // namespace drover
