// Secrets at rest: the data directory is 0700, the SQLite catalog and its -wal/-shm 0600,
// looser modes left by an older Drover are tightened (and said); BMC passwords are sealed
// with the data directory's key (secrets.key, 0600) so the catalog's bytes never hold them in
// clear; a password in clear from an older setting still works and is sealed on first use;
// `drover power set` refuses a password on its command line and takes it from the
// environment or a file instead.
#include "catalog/catalog.h"
#include "lab/lab.h"
#include "power/powerspec.h"
#include "util/secretbox.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <latch>
#include <thread>
#include <vector>

#include <sys/stat.h>

using namespace drover;

namespace {

constexpr auto kPassword = "Dr0ver-bmc-secret-4711";

int modeOf(const QString &path)
{
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 0777);
}

// Every byte SQLite keeps for the catalog: the database, its write-ahead log and index.
QByteArray catalogBytes(const QString &dir)
{
    QByteArray all;
    for (const char *suffix : { "", "-wal", "-shm" }) {
        QFile file(dir + QStringLiteral("/catalog.sqlite") + QLatin1String(suffix));
        if (file.open(QIODevice::ReadOnly))
            all += file.readAll();
    }
    return all;
}

Machine machine(const QString &name)
{
    Machine m;
    m.name = name;
    m.mac = QStringLiteral("52:54:00:12:34:56");
    return m;
}

struct CliRun {
    int exitCode = -1;
    QString out;
    QString err;
};

CliRun runDrover(const QString &dataDir, const QStringList &args, const QProcessEnvironment &env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.setStandardInputFile(QProcess::nullDevice()); // no terminal: nothing may be asked
    p.start(qEnvironmentVariable("DROVER_EXECUTABLE"), QStringList { QStringLiteral("--data"), dataDir } + args);
    if (!p.waitForFinished(60000))
        return {};
    return { p.exitCode(), QString::fromLocal8Bit(p.readAllStandardOutput()),
        QString::fromLocal8Bit(p.readAllStandardError()) };
}

QProcessEnvironment cleanEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DROVER_BMC_PASSWORD"));
    return env;
}

} // namespace

class TstSecrets : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void freshDataDirectoryIsPrivate()
    {
        QTemporaryDir tmp;
        const QString data = tmp.filePath(QStringLiteral("lab"));
        auto lab = Lab::open({ data, {} });
        QVERIFY2(lab, qPrintable(lab.error()));
        Catalog *c = (*lab)->catalog();
        QVERIFY(c->addMachine(machine(QStringLiteral("pc-01"))).ok()); // a write: -wal and -shm exist
        QCOMPARE(modeOf(data), 0700);
        for (const QString &name : { QStringLiteral("catalog.sqlite"), QStringLiteral("catalog.sqlite-wal"),
                 QStringLiteral("catalog.sqlite-shm"), QStringLiteral("secrets.key") }) {
            QVERIFY2(QFile::exists(data + QLatin1Char('/') + name), qPrintable(name));
            QCOMPARE(modeOf(data + QLatin1Char('/') + name), 0600);
        }
    }

    void looseModesAreTightenedAndSaid()
    {
        QTemporaryDir tmp;
        const QString data = tmp.filePath(QStringLiteral("lab"));
        {
            auto lab = Lab::open({ data, {} });
            QVERIFY2(lab, qPrintable(lab.error()));
        }
        // What an older Drover under umask 022 left behind.
        QVERIFY(QFile::setPermissions(data,
            QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::ExeGroup
                | QFile::ReadOther | QFile::ExeOther));
        const QFile::Permissions world = QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther;
        QVERIFY(QFile::setPermissions(data + QStringLiteral("/catalog.sqlite"), world));
        QVERIFY(QFile::setPermissions(data + QStringLiteral("/secrets.key"), world));
        QTest::ignoreMessage(
            QtWarningMsg, QRegularExpression(QStringLiteral("data directory .* \\(mode 755\\); now 0700")));
        QTest::ignoreMessage(
            QtWarningMsg, QRegularExpression(QStringLiteral("catalog file .*catalog.sqlite .*mode 644")));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("key file .*secrets.key .*mode 644")));
        auto lab = Lab::open({ data, {} });
        QVERIFY2(lab, qPrintable(lab.error()));
        QCOMPARE(modeOf(data), 0700);
        QCOMPARE(modeOf(data + QStringLiteral("/catalog.sqlite")), 0600);
        QCOMPARE(modeOf(data + QStringLiteral("/secrets.key")), 0600);
    }

    // The key file is whole or absent: several processes starting at once (the GUI and a CLI
    // call, or a script) all end up with the one key, and nobody sees a half-written file.
    void keyFileMadeOnceUnderRacingOpeners()
    {
        // All openers start together, many rounds over: an O_EXCL create followed by a write
        // (the way the key was made before) let a racing opener read an empty file.
        for (int round = 0; round < 40; ++round) {
            QTemporaryDir tmp;
            const QString path = tmp.filePath(QStringLiteral("secrets.key"));
            std::vector<Result<std::shared_ptr<const SecretBox>>> boxes(
                8, Result<std::shared_ptr<const SecretBox>>::failure({}));
            {
                std::latch start(std::ptrdiff_t(boxes.size()));
                std::vector<std::thread> threads;
                for (auto &box : boxes)
                    threads.emplace_back([&box, &path, &start] {
                        start.arrive_and_wait();
                        box = SecretBox::openKeyFile(path, nullptr);
                    });
                for (auto &thread : threads)
                    thread.join();
            }
            for (const auto &box : boxes)
                QVERIFY2(box, qPrintable(box.error()));
            const QString sealed = (*boxes.front())->seal(QString::fromLatin1(kPassword));
            for (const auto &box : boxes) {
                auto opened = (*box)->unseal(sealed);
                QVERIFY2(opened, qPrintable(opened.error()));
                QCOMPARE(*opened, QString::fromLatin1(kPassword));
            }
            QCOMPARE(modeOf(path), 0600);
            QCOMPARE(QFileInfo(path).size(), 32);
            // No temporary file is left beside it.
            QCOMPARE(
                QDir(tmp.path()).entryList(QDir::Files | QDir::Hidden), QStringList { QStringLiteral("secrets.key") });
        }
    }

    // A damaged key file is refused with its name and what to do, and never replaced: the
    // passwords sealed with the lost key would otherwise fail later with a vaguer message.
    void damagedKeyFileIsNamedNotReplaced_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::newRow("empty (an older Drover killed while making it)") << QByteArray();
        QTest::newRow("short") << QByteArray(31, 'k');
        QTest::newRow("long") << QByteArray(33, 'k');
    }

    void damagedKeyFileIsNamedNotReplaced()
    {
        QFETCH(QByteArray, content);
        QTemporaryDir tmp;
        const QString path = tmp.filePath(QStringLiteral("secrets.key"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
        file.close();
        QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
        auto box = SecretBox::openKeyFile(path, nullptr);
        QVERIFY(!box);
        QVERIFY2(box.error().contains(path)
                && box.error().contains(QStringLiteral("holds %1 bytes").arg(content.size()))
                && box.error().contains(QStringLiteral("remove it")),
            qPrintable(box.error()));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), content);
    }

    void secretBox_data()
    {
        QTest::addColumn<QString>("secret");
        QTest::newRow("empty") << QString();
        QTest::newRow("ascii") << QStringLiteral("calvin");
        QTest::newRow("long, not ascii") << QStringLiteral("pässwörd-").repeated(20); // several keystream blocks
    }

    void secretBox()
    {
        QFETCH(QString, secret);
        const SecretBox box(QByteArray(32, 'k'));
        const QString sealed = box.seal(secret);
        QVERIFY(SecretBox::isSealed(sealed));
        if (!secret.isEmpty())
            QVERIFY(!sealed.contains(secret));
        QCOMPARE(box.seal(secret) == sealed, false); // a new nonce every time
        auto opened = box.unseal(sealed);
        QVERIFY2(opened, qPrintable(opened.error()));
        QCOMPARE(*opened, secret);
        // Another key, or one changed character, and nothing comes out.
        QVERIFY(!SecretBox(QByteArray(32, 'x')).unseal(sealed));
        QString changed = sealed;
        changed[changed.size() - 6]
            = changed.at(changed.size() - 6) == QLatin1Char('A') ? QLatin1Char('B') : QLatin1Char('A');
        QVERIFY(!box.unseal(changed));
    }

    void bmcPasswordSealedInTheCatalog()
    {
        QTemporaryDir tmp;
        const QString data = tmp.filePath(QStringLiteral("lab"));
        {
            auto lab = Lab::open({ data, {} });
            QVERIFY2(lab, qPrintable(lab.error()));
            Catalog *c = (*lab)->catalog();
            QVERIFY(c->addMachine(machine(QStringLiteral("pc-01"))).ok());
            auto spec = PowerSpec::parse(QStringLiteral("ipmi://admin@10.0.0.50:623"));
            QVERIFY(spec);
            spec->password = QLatin1String(kPassword);
            QVERIFY(storePowerSpec(*c, false, QStringLiteral("pc-01"), *spec).ok());
            QVERIFY(!c->setting(powerSettingKey(false, QStringLiteral("pc-01"))).contains(QLatin1String(kPassword)));
            QVERIFY(SecretBox::isSealed(c->setting(powerSecretKey(false, QStringLiteral("pc-01")))));
            auto read = powerSpecFor(*c, *c->machineByName(QStringLiteral("pc-01")));
            QVERIFY2(read, qPrintable(read.error()));
            QCOMPARE(read->password, QLatin1String(kPassword));
            QCOMPARE(read->user, QStringLiteral("admin"));
            QCOMPARE(read->port, 623);
            QVERIFY(!catalogBytes(data).isEmpty());
            QVERIFY(!catalogBytes(data).contains(kPassword)); // the file bytes while open …
        }
        QVERIFY(!catalogBytes(data).contains(kPassword)); // … and after closing

        // The catalog carried off alone (without secrets.key) does not give the password away.
        const QString copy = tmp.filePath(QStringLiteral("copy"));
        QVERIFY(QDir().mkpath(copy));
        QVERIFY(QFile::copy(data + QStringLiteral("/catalog.sqlite"), copy + QStringLiteral("/catalog.sqlite")));
        auto other = Lab::open({ copy, {} });
        QVERIFY2(other, qPrintable(other.error()));
        Catalog *c = (*other)->catalog();
        auto read = powerSpecFor(*c, *c->machineByName(QStringLiteral("pc-01")));
        QVERIFY(!read);
        QVERIFY2(read.error().contains(QLatin1String("does not match the key file")), qPrintable(read.error()));
    }

    void clearPasswordOfAnOlderDroverIsSealedOnUse()
    {
        QTemporaryDir tmp;
        auto lab = Lab::open({ tmp.path(), {} });
        QVERIFY2(lab, qPrintable(lab.error()));
        Catalog *c = (*lab)->catalog();
        QVERIFY(c->addMachine(machine(QStringLiteral("pc-01"))).ok());
        const QString key = powerSettingKey(false, QStringLiteral("pc-01"));
        QVERIFY(c->setSetting(key, QStringLiteral("ipmi://admin:%1@10.0.0.50").arg(QLatin1String(kPassword))).ok());
        for (int read = 0; read < 2; ++read) {
            auto spec = powerSpecFor(*c, *c->machineByName(QStringLiteral("pc-01")));
            QVERIFY2(spec, qPrintable(spec.error()));
            QCOMPARE(spec->password, QLatin1String(kPassword));
            QCOMPARE(spec->host, QStringLiteral("10.0.0.50"));
            QCOMPARE(c->setting(key), QStringLiteral("ipmi://admin@10.0.0.50"));
            QVERIFY(SecretBox::isSealed(c->setting(powerSecretKey(false, QStringLiteral("pc-01")))));
        }
        // Clearing the setting takes the password with it.
        QVERIFY(clearPowerSpec(*c, false, QStringLiteral("pc-01")).ok());
        QCOMPARE(c->setting(powerSecretKey(false, QStringLiteral("pc-01"))), QString());
    }

    void cliTakesNoPasswordOnArgv()
    {
        if (qEnvironmentVariableIsEmpty("DROVER_EXECUTABLE"))
            QFAIL("DROVER_EXECUTABLE is not set (ctest sets it)");
        QTemporaryDir tmp;
        const QString data = tmp.path();
        const QProcessEnvironment env = cleanEnvironment();
        CliRun r = runDrover(data,
            { QStringLiteral("machine"), QStringLiteral("add"), QStringLiteral("pc-01"), QStringLiteral("--mac"),
                QStringLiteral("52:54:00:12:34:56") },
            env);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        // A password in the URL is refused, and the message says how to pass it.
        r = runDrover(data,
            { QStringLiteral("power"), QStringLiteral("set"), QStringLiteral("pc-01"),
                QStringLiteral("ipmi://admin:%1@10.0.0.50").arg(QLatin1String(kPassword)) },
            env);
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(QLatin1String("may not be part of the URL")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QLatin1String("DROVER_BMC_PASSWORD")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QLatin1String("--password-file")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QLatin1String("ipmi://admin@10.0.0.50")), qPrintable(r.err));
        QVERIFY2(!r.err.contains(QLatin1String(kPassword)), qPrintable(r.err));
        QVERIFY(!catalogBytes(data).contains(kPassword));

        // No password from anywhere, and no terminal to ask on.
        r = runDrover(data,
            { QStringLiteral("power"), QStringLiteral("set"), QStringLiteral("pc-01"),
                QStringLiteral("ipmi://admin@10.0.0.50") },
            env);
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(QLatin1String("needs the BMC's password")), qPrintable(r.err));

        // From the environment.
        QProcessEnvironment withPassword = env;
        withPassword.insert(QStringLiteral("DROVER_BMC_PASSWORD"), QLatin1String(kPassword));
        r = runDrover(data,
            { QStringLiteral("power"), QStringLiteral("set"), QStringLiteral("pc-01"),
                QStringLiteral("ipmi://admin@10.0.0.50") },
            withPassword);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(!r.out.contains(QLatin1String(kPassword)), qPrintable(r.out));
        QVERIFY(!catalogBytes(data).contains(kPassword));
        {
            auto lab = Lab::open({ data, {} });
            QVERIFY2(lab, qPrintable(lab.error()));
            Catalog *c = (*lab)->catalog();
            auto spec = powerSpecFor(*c, *c->machineByName(QStringLiteral("pc-01")));
            QVERIFY2(spec, qPrintable(spec.error()));
            QCOMPARE(spec->password, QLatin1String(kPassword));
        }

        // From a file (its final newline is not part of the password).
        QFile file(tmp.filePath(QStringLiteral("bmc.pw")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("other-secret-99\n");
        file.close();
        r = runDrover(data,
            { QStringLiteral("power"), QStringLiteral("set"), QStringLiteral("pc-01"),
                QStringLiteral("redfish://root@10.0.0.51"), QStringLiteral("--password-file"), file.fileName() },
            env);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(!catalogBytes(data).contains("other-secret-99"));
        auto lab = Lab::open({ data, {} });
        QVERIFY2(lab, qPrintable(lab.error()));
        Catalog *c = (*lab)->catalog();
        auto spec = powerSpecFor(*c, *c->machineByName(QStringLiteral("pc-01")));
        QVERIFY2(spec, qPrintable(spec.error()));
        QCOMPARE(spec->password, QStringLiteral("other-secret-99"));
        QCOMPARE(int(spec->method), int(PowerMethod::Redfish));
    }
};

QTEST_GUILESS_MAIN(TstSecrets)
#include "tst_secrets.moc"
