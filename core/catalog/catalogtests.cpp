// Test-suite runs in the catalog: one row per boot that ran its tests (a burn-in), kept per
// machine as its history. A failed run marks the machine (burnin_failed) so a rollout passes
// it by until someone has looked and cleared the mark.
#include "catalog/catalog.h"

#include <QJsonDocument>
#include <QSqlError>

namespace drover {

namespace {

// Runs kept per machine: a machine rebooting into its burn-in all weekend stays bounded.
constexpr int kRunsPerMachine = 50;

} // namespace

Result<TestRunRecord> Catalog::recordTestRun(
    const QString &machine, const QString &bootId, const TestReport &report, qint64 nowMs)
{
    using R = Result<TestRunRecord>;
    if (nowMs <= 0)
        nowMs = QDateTime::currentMSecsSinceEpoch();
    QSqlDatabase db = database();
    const QString cannot = tr("catalog: cannot record the tests of '%1': %2");
    const auto found = beginMachineWrite(db, machine, cannot);
    if (!found)
        return R::failure(found.error());
    const qint64 machineId = *found;
    auto failed = [&](const QSqlQuery &q) {
        const QString why = q.lastError().text();
        db.rollback();
        return R::failure(cannot.arg(machine, why));
    };
    QSqlQuery q(db);
    const bool passed = report.passed();
    const QByteArray data = QJsonDocument(report.toJson()).toJson(QJsonDocument::Compact);
    if (!runQuery(q,
            QStringLiteral("INSERT INTO machine_test_run (machine_id, boot_id, at, suite, passed, data) "
                           "VALUES (?, ?, ?, ?, ?, ?)"),
            { machineId, bootId, nowMs, report.suite, passed ? 1 : 0, QString::fromUtf8(data) }))
        return failed(q);
    if (!passed
        && !runQuery(q, QStringLiteral("UPDATE machine SET burnin_failed = ?, revision = revision + 1 WHERE id = ?"),
            { nowMs, machineId }))
        return failed(q);
    if (!runQuery(q,
            QStringLiteral("DELETE FROM machine_test_run WHERE machine_id = ? AND id NOT IN (SELECT id FROM "
                           "machine_test_run WHERE machine_id = ? ORDER BY id DESC LIMIT %1)")
                .arg(kRunsPerMachine),
            { machineId, machineId }))
        return failed(q);
    if (!db.commit())
        return R::failure(cannot.arg(machine, db.lastError().text()));
    notifyChange(QStringLiteral("tests"));
    if (!passed)
        notifyChange(QStringLiteral("machine"));
    const QList<TestRunRecord> newest = testRuns(machine, 1);
    if (newest.isEmpty())
        return R::failure(tr("catalog: the tests of '%1' vanished as they were recorded").arg(machine));
    return newest.first();
}

QList<TestRunRecord> Catalog::testRuns(const QString &machine, int limit) const
{
    QList<TestRunRecord> result;
    QSqlQuery q(database());
    if (!runQuery(q,
            QStringLiteral("SELECT t.id, m.name, t.boot_id, t.at, t.suite, t.passed, t.data FROM machine_test_run t "
                           "JOIN machine m ON m.id = t.machine_id WHERE m.name = ? ORDER BY t.id DESC LIMIT %1")
                .arg(qMax(1, limit)),
            { machine }))
        return result;
    while (q.next()) {
        TestRunRecord r;
        r.id = q.value(0).toLongLong();
        r.machine = q.value(1).toString();
        r.bootId = q.value(2).toString();
        r.at = timeFromMs(q.value(3).toLongLong());
        r.suite = q.value(4).toString();
        r.passed = q.value(5).toInt() != 0;
        r.tests = TestReport::testsFromJson(QJsonDocument::fromJson(q.value(6).toByteArray()).array());
        result.append(r);
    }
    return result;
}

Status Catalog::clearBurninFailure(const QString &machine)
{
    return clearMachineMark(
        machine, QStringLiteral("burnin_failed"), tr("catalog: cannot clear the burn-in failure of '%1': %2"));
}

} // namespace drover
