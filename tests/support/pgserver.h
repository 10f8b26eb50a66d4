// PgServer: a real, throwaway PostgreSQL for tests, from Debian's postgresql package,
// listening only on a Unix socket in a temporary directory. Runs as the `postgres` user
// when the test runs as root (PostgreSQL refuses to run as root).
#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace drover::test {

class PgServer {
public:
    PgServer();
    ~PgServer();
    PgServer(const PgServer &) = delete;
    PgServer &operator=(const PgServer &) = delete;

    // Starts the server and creates `database`; false with a reason when PostgreSQL is not
    // installed or does not start.
    bool start(const QString &database, QString *why);
    // postgresql://user@/database?host=/tmp/socketdir
    QString url() const { return m_url; }
    // Creates another empty database on the same server and returns its URL.
    QString createDatabase(const QString &name, QString *why);

private:
    bool run(const QStringList &command, QString *why);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_bin;
    QString m_user;
    QString m_url;
    bool m_running = false;
};

} // namespace drover::test
