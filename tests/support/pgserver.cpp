#include "pgserver.h"

#include <QDir>
#include <QFileInfo>

#include <pwd.h>
#include <unistd.h>

namespace drover::test {

namespace {

QString findPgBin()
{
    QDir lib(QStringLiteral("/usr/lib/postgresql"));
    QStringList versions = lib.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (auto it = versions.crbegin(); it != versions.crend(); ++it) {
        const QString bin = lib.filePath(*it + QStringLiteral("/bin"));
        if (QFileInfo::exists(bin + QStringLiteral("/initdb")))
            return bin;
    }
    return {};
}

} // namespace

PgServer::PgServer() = default;

PgServer::~PgServer()
{
    if (m_running) {
        QString ignored;
        run({ m_bin + QStringLiteral("/pg_ctl"), QStringLiteral("-D"), m_dir->path() + QStringLiteral("/data"),
                QStringLiteral("-m"), QStringLiteral("immediate"), QStringLiteral("-w"), QStringLiteral("stop") },
            &ignored);
    }
}

bool PgServer::run(const QStringList &command, QString *why)
{
    QProcess process;
    QStringList args = command;
    QString program = args.takeFirst();
    if (::geteuid() == 0) {
        args.prepend(program);
        args = QStringList { QStringLiteral("-u"), m_user, QStringLiteral("--") } + args;
        program = QStringLiteral("runuser");
    }
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, args);
    if (!process.waitForFinished(120000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        *why = QStringLiteral("%1 failed: %2")
                   .arg(command.join(QLatin1Char(' ')), QString::fromLocal8Bit(process.readAll()).trimmed());
        return false;
    }
    return true;
}

bool PgServer::start(const QString &database, QString *why)
{
    m_bin = findPgBin();
    if (m_bin.isEmpty()) {
        *why = QStringLiteral("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)");
        return false;
    }
    m_user = ::geteuid() == 0 ? QStringLiteral("postgres") : QString::fromLocal8Bit(::getpwuid(::geteuid())->pw_name);
    m_dir = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/drover-pg-XXXXXX"));
    if (!m_dir->isValid()) {
        *why = QStringLiteral("cannot create a temporary directory");
        return false;
    }
    if (::geteuid() == 0) {
        const passwd *pw = ::getpwnam("postgres");
        if (!pw || ::chown(QFile::encodeName(m_dir->path()).constData(), pw->pw_uid, pw->pw_gid) != 0) {
            *why = QStringLiteral("cannot hand %1 to the postgres user").arg(m_dir->path());
            return false;
        }
    }
    const QString data = m_dir->path() + QStringLiteral("/data");
    if (!run({ m_bin + QStringLiteral("/initdb"), QStringLiteral("-D"), data, QStringLiteral("-A"),
                 QStringLiteral("trust"), QStringLiteral("-U"), m_user, QStringLiteral("--no-sync"),
                 QStringLiteral("-E"), QStringLiteral("UTF8") },
            why))
        return false;
    // No TCP at all: only a socket in our own directory.
    const QString options = QStringLiteral("-c listen_addresses='' -c unix_socket_directories=%1 -c fsync=off "
                                           "-c max_connections=50")
                                .arg(m_dir->path());
    if (!run({ m_bin + QStringLiteral("/pg_ctl"), QStringLiteral("-D"), data, QStringLiteral("-o"), options,
                 QStringLiteral("-l"), m_dir->path() + QStringLiteral("/log"), QStringLiteral("-w"),
                 QStringLiteral("start") },
            why))
        return false;
    m_running = true;
    m_url = createDatabase(database, why);
    return !m_url.isEmpty();
}

QString PgServer::createDatabase(const QString &name, QString *why)
{
    if (!run({ m_bin + QStringLiteral("/createdb"), QStringLiteral("-h"), m_dir->path(), QStringLiteral("-U"), m_user,
                 name },
            why))
        return {};
    return QStringLiteral("postgresql://%1@/%2?host=%3").arg(m_user, name, m_dir->path());
}

} // namespace drover::test
