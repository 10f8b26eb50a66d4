#include "testlab.h"

#include "pgserver.h"

#include "catalog/catalog.h"

#include <QCoreApplication>
#include <QFile>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>
#include <QUuid>

namespace drover::test {

namespace {

PgServer *sharedServer(QString *why)
{
    static std::unique_ptr<PgServer> server;
    static QString failure;
    if (!server && failure.isEmpty()) {
        auto candidate = std::make_unique<PgServer>();
        if (candidate->start(QStringLiteral("drover_tests"), &failure))
            server = std::move(candidate);
    }
    if (!server)
        *why = failure;
    return server.get();
}

} // namespace

void addBackendRows()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    QTest::newRow("postgresql") << QStringLiteral("postgresql");
}

QString freshCatalogUrl(const QString &backend, const QTemporaryDir &dir, QString *why)
{
    if (backend == QLatin1String("sqlite"))
        return dir.filePath(QStringLiteral("catalog.sqlite"));
    PgServer *server = sharedServer(why);
    if (!server)
        return {};
    const QString name = QStringLiteral("t_") + QUuid::createUuid().toString(QUuid::Id128).left(12);
    return server->createDatabase(name, why);
}

TestLab openTestLab(const QString &backend, QString *why)
{
    TestLab t;
    const QString url = freshCatalogUrl(backend, *t.dir, why);
    if (url.isEmpty())
        return t;
    auto lab = Lab::open(LabOptions { t.dir->path(), url });
    if (!lab) {
        *why = lab.error();
        return t;
    }
    t.lab = std::move(lab).value();
    return t;
}

TestLab sqliteLab()
{
    QString why;
    TestLab t = openTestLab(QStringLiteral("sqlite"), &why);
    if (!t.lab)
        qFatal("cannot open a test lab on SQLite: %s", qPrintable(why));
    return t;
}

Status addTestMachines(Catalog *catalog, int count, const QString &group)
{
    for (int i = 1; i <= count; ++i) {
        Machine m;
        m.name = QStringLiteral("pc-%1").arg(i, 2, 10, QLatin1Char('0'));
        m.mac = QStringLiteral("52:54:00:00:00:%1").arg(i, 2, 16, QLatin1Char('0'));
        if (!group.isEmpty())
            m.labels.insert(QStringLiteral("group"), group);
        if (auto added = catalog->addMachine(m); !added)
            return Status::failure(added.error());
    }
    return {};
}

void isolateSettings(const QString &organisation)
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(organisation);
    QSettings().clear();
}

void useStandInPkexec(const QString &dir, const QByteArray &body)
{
    const QString path = dir + QStringLiteral("/pkexec");
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write("#!/bin/sh\n" + body + '\n') < 0)
        qFatal("cannot write %s", qPrintable(path));
    f.close();
    if (!f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner))
        qFatal("cannot make %s executable", qPrintable(path));
    qputenv("DROVER_PKEXEC", QFile::encodeName(path));
}

} // namespace drover::test
