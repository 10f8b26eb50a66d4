// The catalog's SQLite busy handler (core/catalog/sqlitebusy.h): it is installed on a real
// SQLite connection of this system, a write waits for another connection's lock and then
// succeeds, and it gives up at its own limit rather than SQLite's.
#include "catalog/sqlitebusy.h"

#include <QElapsedTimer>
#include <QSemaphore>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace drover;

namespace {

QSqlDatabase open(const QString &name, const QString &file)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(file);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=0"));
    if (!db.open())
        qFatal("cannot open %s", qPrintable(file));
    QSqlQuery(db).exec(QStringLiteral("PRAGMA journal_mode=WAL"));
    return db;
}

// Another connection, on a thread of its own, holds the write lock for holdMs.
class LockHolder : public QThread {
public:
    LockHolder(QString file, int holdMs)
        : m_file(std::move(file))
        , m_holdMs(holdMs)
    { }
    QSemaphore held;

protected:
    void run() override
    {
        {
            QSqlDatabase db = open(QStringLiteral("holder"), m_file);
            QSqlQuery q(db);
            q.exec(QStringLiteral("BEGIN IMMEDIATE"));
            q.exec(QStringLiteral("INSERT INTO t VALUES (0)"));
            held.release();
            QThread::msleep(m_holdMs);
            q.exec(QStringLiteral("COMMIT"));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("holder"));
    }

private:
    QString m_file;
    int m_holdMs;
};

} // namespace

class TstSqliteBusy : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void notSqlite() { QVERIFY(!installPromptBusyHandler(QSqlDatabase(), 1000)); }

    void waitsThenGivesUp_data()
    {
        QTest::addColumn<int>("holdMs");
        QTest::addColumn<int>("timeoutMs");
        QTest::addColumn<bool>("written");
        QTest::newRow("lock released in time") << 300 << 5000 << true;
        QTest::newRow("lock held past the limit") << 3000 << 200 << false;
    }

    void waitsThenGivesUp()
    {
        QFETCH(int, holdMs);
        QFETCH(int, timeoutMs);
        QFETCH(bool, written);
        const QString file = m_dir.filePath(QString::fromLatin1(QTest::currentDataTag()) + QStringLiteral(".sqlite"));
        {
            QSqlDatabase db = open(QStringLiteral("main"), file);
            QVERIFY(QSqlQuery(db).exec(QStringLiteral("CREATE TABLE t (v INTEGER)")));
            // The system's SQLite, through Qt's driver: the handler must go in.
            QVERIFY(installPromptBusyHandler(db, timeoutMs));
            LockHolder holder(file, holdMs);
            holder.start();
            holder.held.acquire();
            QElapsedTimer clock;
            clock.start();
            QSqlQuery q(db);
            const bool ok = q.exec(QStringLiteral("INSERT INTO t VALUES (1)"));
            const qint64 waited = clock.elapsed();
            QCOMPARE(ok, written);
            if (written) {
                // It waited for the holder: without a handler (timeout 0 above) it fails at once.
                QVERIFY2(waited >= holdMs / 2, qPrintable(QString::number(waited)));
            } else {
                QVERIFY2(q.lastError().text().contains(QStringLiteral("locked")), qPrintable(q.lastError().text()));
                // Its own limit, not SQLite's or the holder's: well before the lock went.
                QVERIFY2(waited < holdMs, qPrintable(QString::number(waited)));
            }
            holder.wait();
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("main"));
    }
};

QTEST_GUILESS_MAIN(TstSqliteBusy)
#include "tst_sqlitebusy.moc"
