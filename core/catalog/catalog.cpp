#include "catalog/catalog.h"
#include "catalog/sqlitebusy.h"
#include "catalog/sqlitefiles.h"

#include "catalog/migrations.h"

#include <QCoreApplication>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QThread>
#include <QTimeZone>
#include <QUrl>
#include <QUrlQuery>
#include <QUuid>

namespace drover {

namespace {

const QString kNotifyChannel = QStringLiteral("drover_change");
// How long a SQLite connection waits for another's write lock before it reports "locked".
constexpr int kSqliteBusyTimeoutMs = 10000;

} // namespace

Catalog::Catalog(QObject *parent)
    : QObject(parent)
{ }

QVariant bindable(const QVariant &value)
{
    // A null QString binds as SQL NULL; the schema stores "no value" as ''.
    if (value.typeId() == QMetaType::QString && value.toString().isNull())
        return QString(QLatin1String(""));
    return value;
}

bool runQuery(QSqlQuery &q, const QString &sql, const QVariantList &args)
{
    if (!q.prepare(sql))
        return false;
    for (const QVariant &arg : args)
        q.addBindValue(bindable(arg));
    return q.exec();
}

Result<qint64> Catalog::beginMachineWrite(QSqlDatabase &db, const QString &machine, const QString &cannot) const
{
    if (!db.transaction())
        return Result<qint64>::failure(cannot.arg(machine, db.lastError().text()));
    QSqlQuery q(db);
    if (!runQuery(q, QStringLiteral("SELECT id FROM machine WHERE name = ?"), { machine })) {
        const QString why = q.lastError().text();
        db.rollback();
        return Result<qint64>::failure(cannot.arg(machine, why));
    }
    if (!q.next()) {
        db.rollback();
        return Result<qint64>::failure(tr("no machine named %1").arg(machine));
    }
    return q.value(0).toLongLong();
}

Status Catalog::clearMachineMark(const QString &machine, const QString &column, const QString &cannot)
{
    QSqlQuery q(database());
    // `column` is one of the callers' fixed names, never input.
    if (!runQuery(q, QStringLiteral("UPDATE machine SET %1 = 0, revision = revision + 1 WHERE name = ?").arg(column),
            { machine }))
        return Status::failure(cannot.arg(machine, q.lastError().text()));
    if (q.numRowsAffected() == 0)
        return Status::failure(tr("no machine named %1").arg(machine));
    notifyChange(QStringLiteral("machine"));
    return {};
}

QDateTime timeFromMs(qint64 ms)
{
    return ms ? QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::UTC) : QDateTime();
}

Catalog::~Catalog()
{
    m_template = QSqlDatabase();
    const QString prefix = m_connectionPrefix;
    for (const QString &name : QSqlDatabase::connectionNames()) {
        if (name.startsWith(prefix)) {
            {
                QSqlDatabase db = QSqlDatabase::database(name, false);
                if (db.isOpen())
                    db.close();
            }
            QSqlDatabase::removeDatabase(name);
        }
    }
}

int Catalog::latestSchemaVersion()
{
    return catalogMigrations().constLast().version;
}

Result<std::unique_ptr<Catalog>> Catalog::open(const QString &url, QObject *parent)
{
    std::unique_ptr<Catalog> catalog(new Catalog(parent));
    catalog->m_url = url;
    catalog->m_connectionPrefix = QStringLiteral("drover-catalog-%1-").arg(QUuid::createUuid().toString(QUuid::Id128));
    const QString templateName = catalog->m_connectionPrefix + QStringLiteral("template");

    if (url.startsWith(QLatin1String("postgresql:")) || url.startsWith(QLatin1String("postgres:"))) {
        if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")))
            return Result<std::unique_ptr<Catalog>>::failure(
                tr("catalog: the PostgreSQL driver (QPSQL) is not installed; install libqt6sql6-psql"));
        const QUrl parsed(url);
        if (!parsed.isValid() || parsed.path().size() < 2)
            return Result<std::unique_ptr<Catalog>>::failure(
                tr("catalog: '%1' is not a PostgreSQL URL like postgresql://user@host/database").arg(url));
        catalog->m_postgres = true;
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), templateName);
        const QUrlQuery query(parsed);
        const QString host
            = query.hasQueryItem(QStringLiteral("host")) ? query.queryItemValue(QStringLiteral("host")) : parsed.host();
        db.setHostName(host);
        if (parsed.port() > 0)
            db.setPort(parsed.port());
        db.setUserName(parsed.userName());
        db.setPassword(parsed.password());
        db.setDatabaseName(parsed.path().mid(1));
        catalog->m_template = db;
    } else {
        QString path = url;
        if (path.startsWith(QLatin1String("sqlite:")))
            path = path.mid(7);
        // Private before SQLite first opens it: its -wal and -shm then get the same mode.
        if (const QString file = sqliteCatalogPath(url); !file.isEmpty()) {
            auto notes = makeSqliteFilesPrivate(file);
            if (!notes)
                return Result<std::unique_ptr<Catalog>>::failure(notes.error());
            for (const QString &note : std::as_const(*notes))
                qWarning("%s", qPrintable(note));
        }
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), templateName);
        db.setDatabaseName(path);
        // SQLite's own handler with this limit where installPromptBusyHandler cannot replace it.
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(kSqliteBusyTimeoutMs));
        catalog->m_template = db;
    }

    QSqlDatabase db = catalog->database();
    if (!db.isOpen())
        return Result<std::unique_ptr<Catalog>>::failure(
            tr("catalog: cannot open %1: %2").arg(url, db.lastError().text()));
    if (Status migrated = catalog->migrate(); !migrated)
        return Result<std::unique_ptr<Catalog>>::failure(migrated.error());

    Catalog *raw = catalog.get();
    if (catalog->m_postgres) {
        QSqlDriver *driver = db.driver();
        if (!driver->subscribeToNotification(kNotifyChannel))
            return Result<std::unique_ptr<Catalog>>::failure(
                tr("catalog: cannot listen for changes on %1: %2").arg(url, driver->lastError().text()));
        connect(driver, &QSqlDriver::notification, raw,
            [raw](const QString &, QSqlDriver::NotificationSource source, const QVariant &payload) {
                if (source == QSqlDriver::OtherSource)
                    Q_EMIT raw->changed(payload.toString().isEmpty() ? QStringLiteral("*") : payload.toString());
            });
    } else {
        raw->m_watch.setInterval(250);
        connect(&raw->m_watch, &QTimer::timeout, raw, &Catalog::pollDataVersion);
        raw->pollDataVersion();
        raw->m_watch.start();
    }
    return catalog;
}

QSqlDatabase Catalog::database() const
{
    const QString name = m_connectionPrefix + QString::number(quintptr(QThread::currentThreadId()), 16);
    if (QSqlDatabase::contains(name))
        return QSqlDatabase::database(name);
    QSqlDatabase db = QSqlDatabase::cloneDatabase(m_template, name);
    if (!db.open())
        return db;
    if (!m_postgres) {
        QSqlQuery q(db);
        q.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
        q.exec(QStringLiteral("PRAGMA synchronous=FULL"));
        q.exec(QStringLiteral("PRAGMA foreign_keys=ON"));
        // The boot server's thread must not starve behind the boot path's writers.
        installPromptBusyHandler(db, kSqliteBusyTimeoutMs);
    }
    // A worker thread's connection goes away with the thread.
    QThread *thread = QThread::currentThread();
    if (QCoreApplication::instance() && thread != QCoreApplication::instance()->thread()) {
        QObject::connect(
            thread, &QThread::finished, thread,
            [name] {
                QSqlDatabase::database(name, false).close();
                QSqlDatabase::removeDatabase(name);
            },
            Qt::DirectConnection);
    }
    return db;
}

Status Catalog::exec(const QString &sql, const QVariantList &args) const
{
    QSqlQuery q(database());
    // PostgreSQL cannot prepare DDL: statements without arguments run directly.
    if (args.isEmpty()) {
        if (!q.exec(sql))
            return Status::failure(tr("catalog: %1").arg(q.lastError().text()));
        return {};
    }
    if (!q.prepare(sql))
        return Status::failure(tr("catalog: %1").arg(q.lastError().text()));
    for (const QVariant &arg : args)
        q.addBindValue(bindable(arg));
    if (!q.exec())
        return Status::failure(tr("catalog: %1").arg(q.lastError().text()));
    return {};
}

int Catalog::schemaVersion() const
{
    QSqlQuery q(database());
    if (!q.exec(QStringLiteral("SELECT MAX(version) FROM schema_version")) || !q.next())
        return 0;
    return q.value(0).toInt();
}

Status Catalog::migrate()
{
    QSqlDatabase db = database();
    if (Status s = exec(QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version "
                                       "(version INTEGER PRIMARY KEY, applied BIGINT NOT NULL)"));
        !s)
        return s;
    const int current = schemaVersion();
    if (current > latestSchemaVersion())
        return Status::failure(tr("catalog: the database has schema version %1, newer than this "
                                  "Drover understands (%2); upgrade Drover")
                .arg(current)
                .arg(latestSchemaVersion()));
    const QString id
        = m_postgres ? QStringLiteral("BIGSERIAL PRIMARY KEY") : QStringLiteral("INTEGER PRIMARY KEY AUTOINCREMENT");
    for (const Migration &migration : catalogMigrations()) {
        if (migration.version <= current)
            continue;
        if (!db.transaction())
            return Status::failure(
                tr("catalog: cannot begin migration %1: %2").arg(migration.version).arg(db.lastError().text()));
        for (QString sql : migration.statements) {
            sql.replace(QLatin1String("{{ID}}"), id);
            if (Status s = exec(sql); !s) {
                db.rollback();
                return Status::failure(tr("catalog: migration %1 (%2) failed: %3")
                        .arg(migration.version)
                        .arg(migration.summary, s.error()));
            }
        }
        if (Status s = exec(QStringLiteral("INSERT INTO schema_version (version, applied) VALUES (?, ?)"),
                { migration.version, QDateTime::currentMSecsSinceEpoch() });
            !s) {
            db.rollback();
            return s;
        }
        if (!db.commit())
            return Status::failure(
                tr("catalog: cannot commit migration %1: %2").arg(migration.version).arg(db.lastError().text()));
    }
    return {};
}

void Catalog::notifyChange(const QString &table)
{
    if (m_postgres) {
        QSqlQuery q(database());
        q.exec(QStringLiteral("SELECT pg_notify('%1', '%2')").arg(kNotifyChannel, table));
    }
    Q_EMIT changed(table);
}

void Catalog::pollDataVersion()
{
    QSqlQuery q(database());
    if (!q.exec(QStringLiteral("PRAGMA data_version")) || !q.next())
        return;
    const qint64 version = q.value(0).toLongLong();
    if (m_dataVersion >= 0 && version != m_dataVersion)
        Q_EMIT changed(QStringLiteral("*"));
    m_dataVersion = version;
}

QString Catalog::setting(const QString &key, const QString &fallback) const
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT value FROM setting WHERE key = ?"));
    q.addBindValue(key);
    if (q.exec() && q.next())
        return q.value(0).toString();
    return fallback;
}

Status Catalog::setSetting(const QString &key, const QString &value)
{
    Status s = exec(QStringLiteral("INSERT INTO setting (key, value) VALUES (?, ?) "
                                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
        { key, value });
    if (s)
        notifyChange(QStringLiteral("setting"));
    return s;
}

} // namespace drover
